"""Extractive question answering (SQuAD), as Google's BERT run_squad.py and Hugging Face's run_qa.py do it.

The model reads ``[CLS] question [SEP] context [SEP]`` and gives every token a start logit and an end logit;
the answer is the context span between the best start and the best end.

1. Features. A context longer than ``max_length`` is read in overlapping windows ("doc stride"): each window
   holds the whole question and a slice of the context, consecutive slices sharing ``doc_stride`` tokens
   (the tokenizer's ``stride``), so an answer cut by one window's edge is whole in the next. For training, a
   window is labelled with the answer's first and last token, found from the tokens' character offsets; a
   window that does not contain the whole answer, or an unanswerable question (SQuAD v2), is labelled with
   the [CLS] token at index 0: "no answer here".
2. Decoding (`postprocess_predictions`). For each window, pair the ``n_best_size`` best starts with the
   ``n_best_size`` best ends, keep the pairs that lie in the context with end ≥ start and at most
   ``max_answer_length`` tokens, and map the best one back to the original text through the offsets.
3. SQuAD v2. The "no answer" score is start[0] + end[0] (the [CLS] logits); the question is declared
   unanswerable when it beats the best span by more than ``null_threshold``, which `best_null_threshold`
   tunes on the dev set.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from minibert.tasks.formats import QAExample
from minibert.tasks.metrics import squad, squad_v2

Offsets = list[tuple[int, int] | None]  # per token: character span in the context, None outside the context


# ---------------------------------------------------------------------------------------------------
# Features


def _tokenize_windows(examples: Sequence[QAExample], tokenizer, max_length: int, doc_stride: int):
    """Tokenize every (question, context) into windows: the question whole, the context cut with overlap."""
    if not examples:
        raise ValueError("no examples to tokenize")
    return tokenizer([e.question.lstrip() for e in examples],  # leading spaces only waste tokens
                     [e.context for e in examples], max_length=max_length, truncation="only_second",
                     stride=doc_stride, return_overflowing_tokens=True, return_offsets_mapping=True)


def _context_range(token_type_ids: Sequence[int]) -> tuple[int, int]:
    """First and last index of the context tokens: segment 1, minus the final [SEP]."""
    first = list(token_type_ids).index(1)
    return first, len(token_type_ids) - 2


def _answer_positions(example: QAExample, offsets: Sequence[tuple[int, int]], first: int, last: int
                      ) -> tuple[int, int]:
    """Token indices of the (first) answer's first and last token, or (0, 0) — [CLS] — when the question
    has no answer or this window does not hold the whole answer."""
    if not example.answers:
        return 0, 0
    answer = example.answers[0]
    start_char, end_char = answer.answer_start, answer.answer_start + len(answer.text)
    if offsets[first][0] > start_char or offsets[last][1] < end_char:
        return 0, 0
    # The last token starting at or before the answer, the first token ending at or after it.
    start = max(k for k in range(first, last + 1) if offsets[k][0] <= start_char)
    end = min(k for k in range(first, last + 1) if offsets[k][1] >= end_char)
    return start, end


def prepare_train_features(examples: Sequence[QAExample], tokenizer, max_length: int = 384,
                           doc_stride: int = 128) -> list[dict[str, Any]]:
    """One feature per window: ``input_ids``, ``token_type_ids``, ``attention_mask`` (lists, not padded)
    and the labels ``start_positions``, ``end_positions`` (0 when the window holds no answer)."""
    enc = _tokenize_windows(examples, tokenizer, max_length, doc_stride)
    features = []
    for i, example_index in enumerate(enc["overflow_to_sample_mapping"]):
        first, last = _context_range(enc["token_type_ids"][i])
        start, end = _answer_positions(examples[example_index], enc["offset_mapping"][i], first, last)
        features.append({"input_ids": enc["input_ids"][i], "token_type_ids": enc["token_type_ids"][i],
                         "attention_mask": enc["attention_mask"][i],
                         "start_positions": start, "end_positions": end})
    return features


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


def prepare_eval_features(examples: Sequence[QAExample], tokenizer, max_length: int = 384,
                          doc_stride: int = 128) -> list[dict[str, Any]]:
    """One feature per window, with what decoding needs: ``example_id``, ``offset_mapping`` (character
    spans of the context tokens, None for the question and special tokens) and ``token_is_max_context``."""
    enc = _tokenize_windows(examples, tokenizer, max_length, doc_stride)
    rows_of = defaultdict(list)  # example index -> its rows (windows), in context order
    for i, example_index in enumerate(enc["overflow_to_sample_mapping"]):
        rows_of[example_index].append(i)

    features: list[dict[str, Any]] = [{} for _ in enc["input_ids"]]
    for example_index, rows in rows_of.items():
        ranges = [_context_range(enc["token_type_ids"][i]) for i in rows]
        context_offsets = [[tuple(o) for o in enc["offset_mapping"][i][first:last + 1]]
                           for i, (first, last) in zip(rows, ranges)]
        spans = window_spans(context_offsets, doc_stride, f"question {examples[example_index].id!r}")
        flags = max_context_flags(spans, spans[-1][0] + spans[-1][1])
        for i, (first, last), window_offsets, window_flags in zip(rows, ranges, context_offsets, flags):
            after = len(enc["input_ids"][i]) - last - 1  # the final [SEP] (and padding)
            features[i] = {"input_ids": enc["input_ids"][i], "token_type_ids": enc["token_type_ids"][i],
                           "attention_mask": enc["attention_mask"][i], "example_id": examples[example_index].id,
                           "offset_mapping": [None] * first + window_offsets + [None] * after,
                           "token_is_max_context": [False] * first + window_flags + [False] * after}
    return features


def pad_batch(features: Sequence[Mapping[str, Any]], pad_values: Mapping[str, int]) -> dict[str, torch.Tensor]:
    """Stack the keys named in ``pad_values`` into tensors: lists are padded on the right with their key's
    value to the longest in the batch (B, T); numbers become (B,). Other keys (offsets, ids) are dropped.

    Padding each batch only to its own longest sequence ("dynamic padding") instead of ``max_length``
    saves most of the compute on short texts.
    """
    if not features:
        raise ValueError("cannot collate an empty batch")
    batch = {}
    for key, pad in pad_values.items():
        if key not in features[0]:
            continue
        values = [f[key] for f in features]
        if isinstance(values[0], (int, float)):
            batch[key] = torch.tensor(values)  # (B,)
        else:
            width = max(len(v) for v in values)
            batch[key] = torch.tensor([list(v) + [pad] * (width - len(v)) for v in values])  # (B, T)
    return batch


def collate_qa(features: Sequence[Mapping[str, Any]], pad_token_id: int = 0) -> dict[str, torch.Tensor]:
    """A QA batch: padded ``input_ids``/``token_type_ids``/``attention_mask`` (B, T) and, for training
    features, ``start_positions``/``end_positions`` (B,). Ready for ``BertForQuestionAnswering(**batch)``."""
    return pad_batch(features, {"input_ids": pad_token_id, "token_type_ids": 0, "attention_mask": 0,
                                "start_positions": 0, "end_positions": 0})


# ---------------------------------------------------------------------------------------------------
# Decoding


@dataclass
class Span:
    """A candidate answer: its text, its character span ``context[start:end]`` and start + end logit."""
    text: str
    start: int
    end: int
    score: float
    probability: float = 0.0  # softmax of the scores over the n-best list


@dataclass
class QAPrediction:
    """The decoded answer of one question.

    ``n_best``: the best distinct spans, best first (empty if no window allowed any span).
    ``null_score_diff``: "no answer" score minus the best span's score; above the threshold the
    prediction is "no answer" (``is_null``, SQuAD v2 only).
    """
    n_best: list[Span]
    null_score_diff: float
    is_null: bool

    @property
    def best_span(self) -> Span | None:
        return self.n_best[0] if self.n_best else None

    @property
    def text(self) -> str:
        """The answer text; "" for "no answer"."""
        return "" if self.is_null or not self.n_best else self.n_best[0].text


def _candidate_spans(context: str, feature: Mapping[str, Any], start_logits: torch.Tensor,
                     end_logits: torch.Tensor, n_best_size: int, max_answer_length: int) -> list[Span]:
    """The allowed (start, end) pairs among the n best starts and n best ends of one window."""
    offsets: Offsets = feature["offset_mapping"]
    max_context = feature["token_is_max_context"]
    start_logits, end_logits = start_logits[:len(offsets)], end_logits[:len(offsets)]  # drop padding
    starts = start_logits.topk(min(n_best_size, len(offsets))).indices.tolist()
    ends = end_logits.topk(min(n_best_size, len(offsets))).indices.tolist()
    spans = []
    for s in starts:
        for e in ends:
            if offsets[s] is None or offsets[e] is None:  # the question or a special token
                continue
            if e < s or e - s + 1 > max_answer_length:
                continue
            if not max_context[s]:  # another window sees more text around this start token
                continue
            a, b = offsets[s][0], offsets[e][1]
            spans.append(Span(context[a:b], a, b, float(start_logits[s] + end_logits[e])))
    return spans


def _n_best(spans: list[Span], n_best_size: int) -> list[Span]:
    """The best ``n_best_size`` spans with distinct texts (windows overlap, so spans repeat), with the
    softmax of their scores as ``probability``."""
    best: dict[str, Span] = {}
    for span in sorted(spans, key=lambda s: s.score, reverse=True):
        if span.text not in best and len(best) < n_best_size:
            best[span.text] = span
    kept = list(best.values())
    if kept:
        probs = torch.tensor([s.score for s in kept], dtype=torch.float64).softmax(0)
        for span, p in zip(kept, probs.tolist()):
            span.probability = p
    return kept


def postprocess_predictions(examples: Sequence[QAExample], features: Sequence[Mapping[str, Any]],
                            start_logits, end_logits, n_best_size: int = 20, max_answer_length: int = 30,
                            version_2: bool = False, null_threshold: float = 0.0) -> dict[str, QAPrediction]:
    """Decode the model's logits, one row per feature of `prepare_eval_features`, into answers.

    ``start_logits``/``end_logits``: (num_features, T) tensors, arrays or lists (T may include padding).
    Returns question id → `QAPrediction`. The null score of a question is the lowest start[0] + end[0]
    over its windows (as run_squad.py); with ``version_2`` the answer is "" when
    null score − best span score > ``null_threshold``.
    """
    if not (len(features) == len(start_logits) == len(end_logits)):
        raise ValueError(f"{len(features)} features but {len(start_logits)} start and {len(end_logits)} "
                         "end logit rows: pass the logits of every feature, in order")
    by_id = {e.id: e for e in examples}
    spans, null_score = defaultdict(list), {}
    for feature, start_row, end_row in zip(features, start_logits, end_logits):
        qid = feature["example_id"]
        if qid not in by_id:
            raise KeyError(f"feature of question {qid!r}, which is not among the examples")
        start_row = torch.as_tensor(start_row, dtype=torch.float32)  # (T,)
        end_row = torch.as_tensor(end_row, dtype=torch.float32)  # (T,)
        spans[qid] += _candidate_spans(by_id[qid].context, feature, start_row, end_row, n_best_size,
                                       max_answer_length)
        null_score[qid] = min(null_score.get(qid, float("inf")), float(start_row[0] + end_row[0]))

    predictions = {}
    for example in examples:
        if example.id not in null_score:
            raise ValueError(f"question {example.id!r} has no feature")
        n_best = _n_best(spans[example.id], n_best_size)
        diff = null_score[example.id] - n_best[0].score if n_best else float("inf")
        predictions[example.id] = QAPrediction(n_best, diff, is_null=version_2 and diff > null_threshold)
    return predictions


# ---------------------------------------------------------------------------------------------------
# Evaluation


def _references(examples: Sequence[QAExample]) -> dict[str, list[str]]:
    return {e.id: [a.text for a in e.answers] for e in examples}


def evaluate(examples: Sequence[QAExample], predictions: Mapping[str, QAPrediction],
             version_2: bool = False) -> dict[str, float]:
    """Exact match and F1 (%) as the official SQuAD v1.1 script, or the v2.0 report with HasAns/NoAns."""
    texts = {qid: p.text for qid, p in predictions.items()}
    return squad_v2(texts, _references(examples)) if version_2 else squad(texts, _references(examples))


def best_null_threshold(examples: Sequence[QAExample], predictions: Mapping[str, QAPrediction]
                        ) -> tuple[float, float]:
    """The ``null_threshold`` that maximises SQuAD v2 F1 on these (dev) examples, and that F1 (%).

    As evaluate-v2.0.py with ``na_probs`` = each question's ``null_score_diff``, scoring the best span
    (not the thresholded answer) of each question. Decode again with ``null_threshold`` set to it.
    """
    spans = {qid: p.best_span.text if p.best_span else "" for qid, p in predictions.items()}
    diffs = {qid: p.null_score_diff for qid, p in predictions.items()}
    out = squad_v2(spans, _references(examples), na_probs=diffs)
    return out["best_f1_thresh"], out["best_f1"]
