"""Corpora larger than memory: tokenize once into memory-mapped shards, read them lazily (lesson 15).

``minibert prepare`` turns a corpus in the standard format (one sentence per line, a blank line between
documents) into a folder of token shards, tokenizing in parallel worker processes:

    OUT/index.json                  format version, vocabulary checksum, counts and checksums per shard
    OUT/shard-00000.tokens.npy      every token id of the shard, one flat array (uint16, or uint32 for
                                    vocabularies of more than 65,536 tokens)
    OUT/shard-00000.sentences.npy   int64 offsets into tokens: sentence i is tokens[s[i]:s[i + 1]]
    OUT/shard-00000.documents.npy   int64 offsets into sentences: document j is sentences d[j] to d[j + 1]

A shard holds whole documents, so that next sentence prediction can tell a document's own next
sentence from another document's. :class:`ShardedCorpus` opens the arrays with ``numpy.load(...,
mmap_mode="r")``: the operating system pages in only what is read, so a corpus of any size costs a few
megabytes of Python memory. It is a sequence of documents of sentences of token ids, the very shape
``pretraining_data.create_instances_from_document`` works on, so the pre-training recipe is Google's, as
in memory. :class:`SegmentPairIndex` makes the segment pairs on demand, and
:class:`ShardedPretrainingDataset` masks them, so that nothing grows with the corpus but one ``int32``
per document.

The vocabulary's checksum is in the index: shards made with another vocabulary (or another lower-casing)
are refused, as is a shard file whose SHA-256 does not match, rather than training on wrong ids.
"""
from __future__ import annotations

import argparse
import bisect
import functools
import hashlib
import json
import multiprocessing
import os
import random
from collections import deque
from collections.abc import Sequence as SequenceABC
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np
from tqdm.auto import tqdm

from .corpus import Document, iter_documents, split_sentences
from .files import atomic_open, atomic_write_text
from .pretraining_data import (
    MaskingConfig,
    MaskingVocab,
    PretrainingDataset,
    SegmentPair,
    TokenizedDocument,
    check_lengths,
    create_instances_from_document,
)

FORMAT = "minibert-shards"
FORMAT_VERSION = 1
INDEX_NAME = "index.json"
ARRAYS = ("tokens", "sentences", "documents")  # the three files of a shard
DEFAULT_SHARD_TOKENS = 1 << 24  # 16M tokens: 32 MB of uint16 ids per shard
CHUNK_DOCUMENTS = 256  # documents per task sent to a worker process
HF_PREFIX = "hf:"


# --------------------------------------------------------------------------------------------
# Vocabulary and file checksums
# --------------------------------------------------------------------------------------------

def vocab_checksum(tokenizer: Any) -> str:
    """SHA-256 of what decides the ids: the tokens in id order and the lower-casing switch."""
    tokens = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    text = "\n".join(tokens) + f"\ndo_lower_case={bool(tokenizer.do_lower_case)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_checksum(path: Path) -> str:
    """SHA-256 of a file, read in 1 MB blocks (a shard is never read into memory whole)."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(functools.partial(file.read, 1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def token_dtype(vocab_size: int) -> np.dtype:
    """uint16 holds ids below 65,536 (BERT's 30,522-token vocabularies): half the disk of uint32."""
    return np.dtype(np.uint16 if vocab_size <= 1 << 16 else np.uint32)


# --------------------------------------------------------------------------------------------
# Tokenizing, in worker processes
# --------------------------------------------------------------------------------------------

@dataclass
class TokenizedChunk:
    """Documents as three flat arrays (cheap to send between processes, unlike lists of lists of ints)."""

    tokens: np.ndarray  # (n_tokens,) ids
    sentence_lengths: np.ndarray  # (n_sentences,) tokens per sentence
    document_lengths: np.ndarray  # (n_documents,) sentences per document


def tokenize_chunk(documents: Sequence[Document], tokenizer: Any) -> TokenizedChunk:
    """Each sentence -> its ids; empty sentences and documents are dropped (as ``tokenize_documents`` does)."""
    tokens: list[int] = []
    sentence_lengths: list[int] = []
    document_lengths: list[int] = []
    for document in documents:
        n_sentences = 0
        for sentence in document:
            ids = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(sentence))
            if ids:
                tokens += ids
                sentence_lengths.append(len(ids))
                n_sentences += 1
        if n_sentences:
            document_lengths.append(n_sentences)
    return TokenizedChunk(np.asarray(tokens, dtype=token_dtype(len(tokenizer))),
                          np.asarray(sentence_lengths, dtype=np.int64), np.asarray(document_lengths, dtype=np.int64))


_worker_tokenizer: Any = None  # each worker process loads the tokenizer once


def _init_worker(vocab_dir: str) -> None:
    global _worker_tokenizer
    from .tokenizer import BertTokenizer

    _worker_tokenizer = BertTokenizer.from_pretrained(vocab_dir)


def _tokenize_in_worker(documents: list[Document]) -> TokenizedChunk:
    return tokenize_chunk(documents, _worker_tokenizer)


def _chunks(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    for document in documents:
        chunk.append(document)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def tokenize_in_parallel(documents: Iterable[Document], vocab_dir: str | Path, workers: int,
                         chunk_documents: int = CHUNK_DOCUMENTS) -> Iterator[TokenizedChunk]:
    """Tokenized chunks in corpus order, ``workers`` processes at a time (1: in this process).

    At most two chunks per worker are in flight: ``Pool.imap`` would read the whole corpus ahead into
    its task queue, which is exactly what a corpus larger than memory cannot afford.
    """
    chunks = _chunks(documents, chunk_documents)
    if workers <= 1:
        _init_worker(str(vocab_dir))
        yield from (_tokenize_in_worker(chunk) for chunk in chunks)
        return
    # "spawn" starts clean interpreters on every platform (fork after torch has started threads can hang).
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=(str(vocab_dir),)) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_tokenize_in_worker, (chunk,)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


# --------------------------------------------------------------------------------------------
# Writing shards
# --------------------------------------------------------------------------------------------

class ShardWriter:
    """Gathers tokenized chunks and writes a shard each time ``shard_tokens`` tokens are reached."""

    def __init__(self, out: Path, dtype: np.dtype, shard_tokens: int):
        self.out, self.dtype, self.shard_tokens = out, dtype, shard_tokens
        self.pending: list[TokenizedChunk] = []
        self.pending_tokens = 0
        self.shards: list[dict[str, Any]] = []

    def add(self, chunk: TokenizedChunk) -> None:
        if len(chunk.document_lengths):
            self.pending.append(chunk)
            self.pending_tokens += len(chunk.tokens)
        if self.pending_tokens >= self.shard_tokens:
            self.flush()

    def flush(self) -> None:
        """Write what is pending as one shard (whole documents only: chunks never split a document)."""
        if not self.pending:
            return
        tokens = np.concatenate([c.tokens for c in self.pending]).astype(self.dtype)  # (n_tokens,)
        sentence_lengths = np.concatenate([c.sentence_lengths for c in self.pending])
        document_lengths = np.concatenate([c.document_lengths for c in self.pending])
        arrays = {"tokens": tokens,
                  "sentences": np.concatenate([[0], np.cumsum(sentence_lengths)]).astype(np.int64),
                  "documents": np.concatenate([[0], np.cumsum(document_lengths)]).astype(np.int64)}
        name = f"shard-{len(self.shards):05d}"
        checksums = {key: _save_array(self.out / f"{name}.{key}.npy", array) for key, array in arrays.items()}
        self.shards.append({"name": name, "documents": len(document_lengths), "sentences": len(sentence_lengths),
                            "tokens": len(tokens), "sha256": checksums})
        self.pending, self.pending_tokens = [], 0


def _save_array(path: Path, array: np.ndarray) -> str:
    """``np.save`` atomically: a crash never leaves a half-written shard."""
    with atomic_open(path, "wb") as file:
        np.save(file, array)
    return file_checksum(path)


def prepare_shards(documents: Iterable[Document], vocab_dir: str | Path, out: str | Path,
                   workers: int | None = None, shard_tokens: int = DEFAULT_SHARD_TOKENS,
                   source: str = "", show_progress: bool = True) -> dict[str, Any]:
    """Tokenize ``documents`` with the tokenizer in ``vocab_dir`` into shards in ``out``; returns the index.

    ``workers`` processes tokenize (default: one per CPU core). The shards do not depend on ``workers``:
    chunks are written in corpus order. Workers are *spawned* (fresh interpreters), so a script that calls
    this needs the usual ``if __name__ == "__main__":`` guard (a notebook or ``minibert prepare`` does not). ``index.json`` is written last, so a folder without it is not a
    finished set of shards. A folder that already holds an index is refused (choose a new ``out``).
    """
    from .tokenizer import BertTokenizer

    out = Path(out)
    if (out / INDEX_NAME).exists():
        raise FileExistsError(f"{out} already holds shards ({INDEX_NAME}); choose another --out or delete it")
    if shard_tokens < 1:
        raise ValueError(f"shard_tokens must be positive, got {shard_tokens}")
    tokenizer = BertTokenizer.from_pretrained(vocab_dir)
    out.mkdir(parents=True, exist_ok=True)
    writer = ShardWriter(out, token_dtype(len(tokenizer)), shard_tokens)
    bar = tqdm(desc="tokenizing", unit="doc", disable=not show_progress)
    with bar:
        for chunk in tokenize_in_parallel(documents, vocab_dir, workers or os.cpu_count() or 1):
            writer.add(chunk)
            bar.update(len(chunk.document_lengths))
    writer.flush()
    n_documents = sum(s["documents"] for s in writer.shards)
    if n_documents < 2:
        raise ValueError(f"the corpus has {n_documents} non-empty document(s); next sentence prediction needs "
                         "at least two (one sentence per line, a blank line between documents)")
    index = {
        "format": FORMAT, "version": FORMAT_VERSION, "source": source,
        "vocab_sha256": vocab_checksum(tokenizer), "vocab_size": len(tokenizer),
        "do_lower_case": bool(tokenizer.do_lower_case), "dtype": writer.dtype.name,
        "documents": n_documents, "sentences": sum(s["sentences"] for s in writer.shards),
        "tokens": sum(s["tokens"] for s in writer.shards), "shards": writer.shards,
    }
    atomic_write_text(out / INDEX_NAME, json.dumps(index, indent=1) + "\n")
    return index


# --------------------------------------------------------------------------------------------
# Where documents come from: files, or a Hugging Face dataset streamed from the hub
# --------------------------------------------------------------------------------------------

def dataset_documents(rows: Iterable[dict[str, Any]], text_field: str = "text") -> Iterator[Document]:
    """Documents from dataset rows (one row = one document, e.g. a Wikipedia article).

    The text's lines are paragraphs (or sentences); each is split into sentences with
    :func:`minibert.corpus.split_sentences`. Rows with no text are skipped.
    """
    for number, row in enumerate(rows):
        if text_field not in row:
            raise ValueError(f"dataset row {number} has no field {text_field!r} (fields: {sorted(row)}); "
                             "choose the text field with --text-field")
        document = [s for line in str(row[text_field]).splitlines() for s in split_sentences(line)]
        if document:
            yield document


def stream_hf_dataset(spec: str, text_field: str = "text") -> Iterator[Document]:
    """``hf:NAME[:CONFIG][@SPLIT]`` (e.g. ``hf:wikimedia/wikipedia:20231101.en@train``), streamed.

    Streaming reads the dataset as it goes: nothing is downloaded whole. ``datasets`` is imported only
    here, so minibert does not depend on it.
    """
    try:
        import datasets
    except ImportError as err:
        raise ImportError(f"--corpus {spec} needs the Hugging Face `datasets` package: pip install datasets") from err
    name, _, split = spec[len(HF_PREFIX):].partition("@")
    name, _, config = name.partition(":")
    rows = datasets.load_dataset(name, config or None, split=split or "train", streaming=True)
    return dataset_documents(rows, text_field)


def corpus_documents(corpus: str | Path | Sequence[str | Path], text_field: str = "text") -> Iterator[Document]:
    """Documents of files (a path, a glob, a list) or of a streamed dataset (``hf:NAME...``), lazily."""
    if isinstance(corpus, str) and corpus.startswith(HF_PREFIX):
        return stream_hf_dataset(corpus, text_field)
    return iter_documents(corpus)


# --------------------------------------------------------------------------------------------
# Reading shards
# --------------------------------------------------------------------------------------------

def is_shard_dir(path: str | Path) -> bool:
    return (Path(path) / INDEX_NAME).is_file()


class ShardedCorpus(SequenceABC):
    """The documents of a shard folder, read lazily: ``corpus[i]`` is a list of sentences of token ids.

    Opening checks the index's format and, given a ``tokenizer``, that the shards were made with its
    vocabulary; with ``verify=True`` (the default) it also checks every shard file's SHA-256 (one pass
    over the files, in blocks). Arrays are memory-mapped, each on first use.
    """

    def __init__(self, path: str | Path, tokenizer: Any = None, verify: bool = True):
        self.path = Path(path)
        self.index = read_index(self.path)
        if tokenizer is not None:
            check_vocab(self.index, tokenizer, self.path)
        self.shards = self.index["shards"]
        for shard in self.shards:
            check_shard_files(self.path, shard, verify)
        # _starts[k]: index of the first document of shard k (bisect finds a document's shard).
        self._starts = np.cumsum([0] + [s["documents"] for s in self.shards])[:-1].tolist()
        self._arrays: dict[int, dict[str, np.ndarray]] = {}

    def __len__(self) -> int:
        return self.index["documents"]

    @property
    def num_tokens(self) -> int:
        return self.index["tokens"]

    def _shard(self, k: int) -> dict[str, np.ndarray]:
        if k not in self._arrays:
            name = self.shards[k]["name"]
            self._arrays[k] = {key: np.load(self.path / f"{name}.{key}.npy", mmap_mode="r") for key in ARRAYS}
        return self._arrays[k]

    def __getitem__(self, index: int) -> TokenizedDocument:  # type: ignore[override]
        if not -len(self) <= index < len(self):
            raise IndexError(f"document {index} out of range: the corpus has {len(self)} documents")
        index %= len(self)
        k = bisect.bisect_right(self._starts, index) - 1
        arrays = self._shard(k)
        j = index - self._starts[k]
        first, last = arrays["documents"][j], arrays["documents"][j + 1]  # this document's sentences
        offsets = arrays["sentences"][first:last + 1].tolist()  # their token offsets
        tokens = arrays["tokens"][offsets[0]:offsets[-1]].tolist()
        base = offsets[0]
        return [tokens[a - base:b - base] for a, b in zip(offsets[:-1], offsets[1:])]


def read_index(path: Path) -> dict[str, Any]:
    index_path = path / INDEX_NAME
    if not index_path.is_file():
        raise FileNotFoundError(f"{path} holds no shards ({INDEX_NAME} missing); make them with `minibert prepare`")
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{index_path} is not a valid shard index: {err}") from err
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise ValueError(f"{index_path} is not a minibert shard index (no \"format\": \"{FORMAT}\")")
    if index.get("version") != FORMAT_VERSION:
        raise ValueError(f"{index_path} has shard format version {index.get('version')}; this minibert reads "
                         f"version {FORMAT_VERSION}: prepare the shards again")
    return index


def check_vocab(index: dict[str, Any], tokenizer: Any, path: Path) -> None:
    """Refuse shards tokenized with another vocabulary: their ids would mean other tokens."""
    if index["vocab_sha256"] != vocab_checksum(tokenizer):
        raise ValueError(
            f"the shards in {path} were made with another vocabulary ({index['vocab_size']} tokens, "
            f"do_lower_case={index['do_lower_case']}, sha256 {index['vocab_sha256'][:12]}...) than this tokenizer "
            f"({len(tokenizer)} tokens, do_lower_case={tokenizer.do_lower_case}, sha256 "
            f"{vocab_checksum(tokenizer)[:12]}...); prepare them again with this --vocab")


def check_shard_files(path: Path, shard: dict[str, Any], verify: bool) -> None:
    """Every file is there, and (``verify``) its SHA-256 is the one in the index."""
    for key in ARRAYS:
        file = path / f"{shard['name']}.{key}.npy"
        if not file.is_file():
            raise FileNotFoundError(f"shard file {file} is missing")
        if verify and file_checksum(file) != shard["sha256"][key]:
            raise ValueError(f"shard file {file} is corrupt: its SHA-256 does not match {INDEX_NAME}; "
                             "prepare the shards again")


# --------------------------------------------------------------------------------------------
# Pre-training examples from shards, made on demand
# --------------------------------------------------------------------------------------------

class SegmentPairIndex(SequenceABC):
    """Google's segment pairs of a corpus, made when asked for: a lazy ``Sequence[SegmentPair]``.

    Pass ``p`` (of ``dupe_factor``) over document ``d`` draws its pairs with ``create_instances_from_document``
    and its own generator, ``random.Random(f"{seed}:{p}:{d}")``, so the pairs of one document can be made
    again at any time, alone. Building the index makes every document's pairs once, to count them; only the
    counts are kept (one int64 per document and pass). ``index[i]`` makes the pairs of the document that
    holds pair ``i`` and returns that one.
    """

    def __init__(self, documents: Sequence[TokenizedDocument], max_seq_length: int = 128,
                 short_seq_prob: float = 0.1, dupe_factor: int = 1, seed: int = 12345, show_progress: bool = False):
        check_lengths(max_seq_length)
        if len(documents) < 2:
            raise ValueError(f"next sentence prediction needs at least two documents, got {len(documents)}")
        if dupe_factor < 1:
            raise ValueError(f"dupe_factor must be at least 1, got {dupe_factor}")
        self.documents, self.max_seq_length, self.short_seq_prob = documents, max_seq_length, short_seq_prob
        self.seed, self.n_documents = seed, len(documents)
        slots = tqdm(range(dupe_factor * self.n_documents), desc="segment pairs", unit="doc",
                     disable=not show_progress)
        counts = np.fromiter((len(self._pairs_of(slot)) for slot in slots), dtype=np.int64)
        self._ends = np.cumsum(counts)  # pairs in slots 0..s

    def _pairs_of(self, slot: int) -> list[SegmentPair]:
        dupe, document = divmod(slot, self.n_documents)
        rng = random.Random(f"{self.seed}:{dupe}:{document}")
        return create_instances_from_document(self.documents, document, self.max_seq_length,
                                              self.short_seq_prob, rng)

    def __len__(self) -> int:
        return int(self._ends[-1])

    def __getitem__(self, index: int) -> SegmentPair:  # type: ignore[override]
        if not 0 <= index < len(self):
            raise IndexError(f"pair {index} out of range: there are {len(self)} pairs")
        slot = int(np.searchsorted(self._ends, index, side="right"))
        first = int(self._ends[slot - 1]) if slot else 0
        return self._pairs_of(slot)[index - first]


class ShardedPretrainingDataset(PretrainingDataset):
    """:class:`PretrainingDataset` over a :class:`SegmentPairIndex`: the same examples and masking rules,
    with nothing made ahead of time.

    ``PretrainingDataset.__init__`` copies its pairs into a list (and, for static masks, masks them all),
    which is what a corpus larger than memory cannot do; this one keeps the lazy index and masks each
    example when it is read, from a seed made of (seed, epoch, index). With ``dynamic=False`` the epoch
    stays 0: each example keeps one mask for the whole run (static masks).
    """

    def __init__(self, pairs: SegmentPairIndex, tokenizer: Any, masking: MaskingConfig = MaskingConfig(),
                 dynamic: bool = True, seed: int = 12345):
        self.pairs = pairs
        self.cls_token_id, self.sep_token_id = tokenizer.cls_token_id, tokenizer.sep_token_id
        self.vocab = MaskingVocab.from_tokenizer(tokenizer)
        self.masking, self.dynamic, self.seed, self.epoch = masking, dynamic, seed, 0
        self._static = None  # masks are drawn in __getitem__, never stored

    def set_epoch(self, epoch: int) -> None:
        if self.dynamic:
            self.epoch = epoch


def build_sharded_dataset(path: str | Path, tokenizer: Any, max_seq_length: int = 128,
                          short_seq_prob: float = 0.1, masked_lm_prob: float = 0.15,
                          max_predictions_per_seq: int = 20, dupe_factor: int = 1, whole_word_mask: bool = False,
                          dynamic_masking: bool = True, seed: int = 12345, verify: bool = True,
                          show_progress: bool = False) -> ShardedPretrainingDataset:
    """``build_pretraining_dataset`` for a shard folder: same parameters, examples made as they are read."""
    corpus = ShardedCorpus(path, tokenizer, verify=verify)
    pairs = SegmentPairIndex(corpus, max_seq_length, short_seq_prob, dupe_factor, seed, show_progress)
    masking = MaskingConfig(masked_lm_prob, max_predictions_per_seq, whole_word_mask)
    return ShardedPretrainingDataset(pairs, tokenizer, masking, dynamic=dynamic_masking, seed=seed)


# --------------------------------------------------------------------------------------------
# Command line: minibert prepare
# --------------------------------------------------------------------------------------------

def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``prepare`` command to the ``minibert`` command line."""
    p = subparsers.add_parser(
        "prepare", help="tokenize a corpus once into memory-mapped shards",
        description="Tokenize a corpus (one sentence per line, blank line between documents) in parallel into "
                    "memory-mapped token shards that `minibert pretrain --corpus OUT` reads lazily.")
    add_prepare_arguments(p)
    p.set_defaults(func=run_prepare)


def add_prepare_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", required=True,
                   help="a file, a glob ('wiki/*.txt') or hf:NAME[:CONFIG][@SPLIT] (a Hugging Face dataset, "
                        "streamed; needs `pip install datasets`)")
    p.add_argument("--vocab", required=True, help="tokenizer folder (vocab.txt, tokenizer_config.json) or 'minilm'")
    p.add_argument("--out", required=True, type=Path, help="new folder for the shards and index.json")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="tokenizing processes (default: cores)")
    p.add_argument("--shard-tokens", type=int, default=DEFAULT_SHARD_TOKENS, help="tokens per shard (about)")
    p.add_argument("--text-field", default="text", help="the text column of an hf: dataset (default: text)")


def run_prepare(args: argparse.Namespace) -> int:
    from .hub import resolve_model_dir

    vocab_dir = resolve_model_dir(args.vocab)
    index = prepare_shards(corpus_documents(args.corpus, args.text_field), vocab_dir, args.out, args.workers,
                           args.shard_tokens, source=str(args.corpus))
    print(f"{index['documents']:,} documents, {index['sentences']:,} sentences, {index['tokens']:,} tokens "
          f"in {len(index['shards'])} shard(s) in {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m minibert.shards --corpus ... --vocab ... --out ...`` (the same as ``minibert prepare``)."""
    parser = argparse.ArgumentParser(prog="python -m minibert.shards", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_prepare_arguments(parser)
    return run_prepare(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
