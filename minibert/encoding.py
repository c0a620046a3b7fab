"""What the tokenizer returns, and the rules that cut and pad it (lesson 01, step 4).

``BatchEncoding`` is the output (a dict whose keys read as attributes, as in transformers).
``TokenSequence`` is one tokenized text with, per token, its character span and word. The functions cut a
pair to fit ``max_length`` (``longest_first``), cut a long text into overlapping windows (``windows``), and
turn lists into tensors.
"""
from __future__ import annotations

from dataclasses import dataclass, field

TRUNCATION_STRATEGIES = ("longest_first", "only_first", "only_second", "do_not_truncate")
PADDING_STRATEGIES = ("longest", "max_length", "do_not_pad")


class BatchEncoding(dict):
    """The tokenizer's output: a dict (``input_ids``, ``token_type_ids``, ``attention_mask``, ...)
    whose keys can also be read as attributes (``enc.input_ids``)."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def to(self, device) -> "BatchEncoding":
        """Move every tensor to ``device`` (as transformers' ``BatchEncoding.to``); lists stay as they are."""
        import torch  # only now: the tokenizer itself needs no torch

        return BatchEncoding({key: value.to(device) if isinstance(value, torch.Tensor) else value
                              for key, value in self.items()})


@dataclass
class TokenSequence:
    """One tokenized text: ids with, per token, its character span and the index of its word."""
    ids: list[int] = field(default_factory=list)
    offsets: list[tuple[int, int]] = field(default_factory=list)
    word_ids: list[int | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    def append(self, token_id: int, offset: tuple[int, int], word_id: int | None) -> None:
        self.ids.append(token_id)
        self.offsets.append(offset)
        self.word_ids.append(word_id)

    def __getitem__(self, s: slice) -> "TokenSequence":
        return TokenSequence(self.ids[s], self.offsets[s], self.word_ids[s])

    def __add__(self, other: "TokenSequence") -> "TokenSequence":
        return TokenSequence(self.ids + other.ids, self.offsets + other.offsets, self.word_ids + other.word_ids)

    def __iadd__(self, other: "TokenSequence") -> "TokenSequence":
        """In place, so that building a long text token by token stays linear."""
        self.ids += other.ids
        self.offsets += other.offsets
        self.word_ids += other.word_ids
        return self


def truncation_strategy(truncation: bool | str) -> str:
    if truncation is True:
        return "longest_first"
    if truncation is False or truncation is None:
        return "do_not_truncate"
    if truncation not in TRUNCATION_STRATEGIES:
        raise ValueError(f"unknown truncation strategy {truncation!r}; use one of {TRUNCATION_STRATEGIES}")
    return truncation


def padding_strategy(padding: bool | str) -> str:
    if padding is True:
        return "longest"
    if padding is False or padding is None:
        return "do_not_pad"
    if padding not in PADDING_STRATEGIES:
        raise ValueError(f"unknown padding strategy {padding!r}; use one of {PADDING_STRATEGIES}")
    return padding


def truncate_longest_first(a: TokenSequence, b: TokenSequence, excess: int) -> tuple[TokenSequence, TokenSequence]:
    """Remove ``excess`` tokens from the ends: first cut the longer sequence down to the other's length,
    then share what is left to cut, the odd token coming off the one that was shorter (the first on a tie).

    This is transformers 5's rule (its Rust tokenizer keeps ``budget // 2`` tokens of the shorter text and
    the rest of the budget of the longer, the second counting as the longer on a tie). transformers 4 and
    Google's ``truncate_seq_pair`` (the pre-training recipe, ``pretraining_data.truncate_seq_pair``) take the
    odd token off the second whichever was longer, so the rules differ by one token when the cut left to
    share is odd and the first text is not the longer.
    """
    first_cut = min(abs(len(a) - len(b)), excess)
    shared = excess - first_cut
    if len(a) > len(b):
        cut_a = first_cut + shared // 2
    else:
        cut_a = shared - shared // 2
    cut_b = excess - cut_a
    return a[: len(a) - cut_a], b[: len(b) - cut_b]


def windows(length: int, size: int, stride: int) -> list[tuple[int, int]]:
    """Windows of ``size`` tokens over ``length`` tokens, each overlapping the previous one by ``stride``.

    This is how a long context is read for question answering: an answer cut by one window's edge lies
    whole inside the next window when it is shorter than the overlap.
    """
    if not 0 <= stride < size:
        raise ValueError(f"stride={stride} must be at least 0 and smaller than the {size} tokens left for "
                         "the truncated text in each window")
    windows = []
    start = 0
    while True:
        end = min(start + size, length)
        windows.append((start, end))
        if end == length:
            return windows
        start += size - stride


def to_tensors(encoding: BatchEncoding) -> BatchEncoding:
    """Lists to ``torch.long`` tensors of shape (B, T) (offsets (B, T, 2)); word ids stay lists (they hold
    None)."""
    import torch

    lengths = {len(row) for row in encoding["input_ids"]}
    if len(lengths) > 1:
        raise ValueError(f"cannot make one tensor from sequences of lengths {sorted(lengths)}: "
                         "pass padding=True (or padding='max_length')")
    return BatchEncoding({key: values if key == "word_ids" else torch.tensor(values, dtype=torch.long)
                          for key, values in encoding.items()})
