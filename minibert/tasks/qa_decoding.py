"""Decoding extractive QA (lesson 12): from start and end logits to answer spans, and their SQuAD scores.

For each window, pair the ``n_best_size`` best starts with the ``n_best_size`` best ends, keep the pairs that lie in
the context with end >= start and at most ``max_answer_length`` tokens, and map the best one back to the original
text through the offsets. SQuAD v2: the "no answer" score is start[0] + end[0] (the [CLS] logits); a question is
declared unanswerable when it beats the best span by more than ``null_threshold`` (`best_null_threshold` tunes it).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import torch

from minibert.tasks.metrics import squad, squad_v2

Offsets = list[tuple[int, int] | None]  # per token: character span in the context, None outside the context


class QAExample(Protocol):
    """What decoding reads of a question (``minibert.tasks.qa.QAExample`` has it; this module does not import
    the task, which imports it)."""
    id: str
    context: str
    answers: Sequence[Any]  # each with .text
    is_impossible: bool

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
