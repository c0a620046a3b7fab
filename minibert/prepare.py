"""``minibert prepare``: tokenize a corpus once, in parallel, into memory-mapped token shards (lesson 15).

The documents come from files in the standard format (one sentence per line, a blank line between documents)
or a Hugging Face dataset streamed from the hub; worker processes tokenize chunks of documents; a writer
cuts the stream into shards of whole documents, each saved atomically with its checksums, and an index
written last (:mod:`minibert.shards` describes the format and reads it).

    minibert prepare --corpus 'my_wiki/*.txt' --vocab data/vocab/course-8k --out shards/
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np
from tqdm.auto import tqdm

from .corpus import Document, iter_documents, split_sentences
from .files import atomic_open, atomic_write_text
from .shards import (DEFAULT_SHARD_TOKENS, FORMAT, FORMAT_VERSION, INDEX_NAME, file_checksum, token_dtype,
                     vocab_checksum)

CHUNK_DOCUMENTS = 256  # documents per task sent to a worker process
HF_PREFIX = "hf:"


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
    """``python -m minibert.prepare --corpus ... --vocab ... --out ...`` (the same as ``minibert prepare``)."""
    parser = argparse.ArgumentParser(prog="python -m minibert.prepare", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_prepare_arguments(parser)
    return run_prepare(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
