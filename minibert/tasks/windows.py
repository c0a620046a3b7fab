"""Reading a text longer than the model's window: overlapping windows ("doc stride") and which one to trust.

The tokenizer cuts a long text into windows that share ``stride`` tokens (``return_overflowing_tokens``),
so a token near one window's edge is also seen, with more context, in the next. QA's features (lesson 12)
and the NER pipeline (lesson 13) both need to know where each window sits in the text and, for a token
seen several times, which window sees the most text around it: Google's ``_check_is_max_context`` rule.
"""
from __future__ import annotations

import torch


def window_spans(offsets: list[list[tuple[int, int]]], doc_stride: int, what: str) -> list[tuple[int, int]]:
    """Where each window of one text (``what`` names it in errors) sits in its tokens: ``(first token, length)``.

    ``offsets`` holds each window's context-token offsets. Consecutive windows share ``doc_stride``
    tokens, so window w starts (length of window w-1 − doc_stride) tokens after window w-1; the shared
    tokens are checked rather than trusted.
    """
    spans = [(0, len(offsets[0]))]
    for previous, window in zip(offsets, offsets[1:]):
        if previous[len(previous) - doc_stride:] != window[:doc_stride]:
            raise RuntimeError(f"the tokenizer's windows for {what} do not overlap by "
                               f"doc_stride={doc_stride} tokens")
        spans.append((spans[-1][0] + len(previous) - doc_stride, len(window)))
    return spans


def max_context_flags(spans: list[tuple[int, int]], doc_length: int) -> list[list[bool]]:
    """For each window ``(start, length)`` over the context tokens, whether each of its tokens has its
    maximum context there (Google's ``_check_is_max_context``).

    With overlapping windows a token is seen several times; near a window's edge it sees little text on
    one side, so its logits are less reliable. A token's context in a window is
    min(tokens to its left, tokens to its right) + 0.01 · window length (the small term breaks ties in
    favour of longer windows; remaining ties go to the earlier window). Only the window where that is
    largest may start an answer at the token.
    """
    best_window = []
    for position in range(doc_length):
        scores = [(min(position - start, start + length - 1 - position) + 0.01 * length, -w)
                  for w, (start, length) in enumerate(spans) if start <= position < start + length]
        best_window.append(-max(scores)[1])
    return [[best_window[start + i] == w for i in range(length)] for w, (start, length) in enumerate(spans)]


def stitch_windows(word_ids: list[list], offsets: list[list], probs: list[torch.Tensor], stride: int,
                   what: str) -> tuple[list[int], list[tuple[int, int]], torch.Tensor]:
    """One text's windows → its tokens once each, in order: word ids, character offsets and the label
    probabilities (T, labels) taken from the window where each token has its maximum context.
    ``[CLS]`` and ``[SEP]`` (word id None) are dropped."""
    content = [[i for i, w in enumerate(window) if w is not None] for window in word_ids]  # positions of real tokens
    spans = window_spans([[tuple(offsets[w][i]) for i in positions] for w, positions in enumerate(content)],
                         stride, what)
    flags = max_context_flags(spans, spans[-1][0] + spans[-1][1])
    kept_ids, kept_offsets, kept_probs = [], [], []
    for w, positions in enumerate(content):
        for i, best in zip(positions, flags[w]):
            if best:
                kept_ids.append(word_ids[w][i])
                kept_offsets.append(tuple(offsets[w][i]))
                kept_probs.append(probs[w][i])
    return kept_ids, kept_offsets, torch.stack(kept_probs) if kept_probs else torch.zeros(0, probs[0].shape[-1])
