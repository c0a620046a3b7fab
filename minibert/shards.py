"""Reading token shards lazily: a corpus of any size for pre-training (lesson 15).

The format (written by ``minibert prepare``, :mod:`minibert.prepare`):

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

import bisect
import functools
import hashlib
import json
import random
from collections.abc import Sequence as SequenceABC
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from tqdm.auto import tqdm

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
