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

The window helpers (`window_spans`, `max_context_flags`) live in `minibert.tasks.windows`: the NER pipeline
reads long texts the same way.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from minibert.heads import BertForQuestionAnswering
from minibert.tasks.batching import DynamicPadding, input_padding, model_outputs
from minibert.tasks.formats import Answer, QAExample, load_squad
from minibert.tasks.metrics import squad, squad_v2
from minibert.tasks.task import Features, HFOptions, Pipeline, Task
from minibert.tasks.windows import max_context_flags, window_spans

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


def qa_collator(pad_token_id: int = 0) -> DynamicPadding:
    """QA batches: padded ``input_ids``/``token_type_ids``/``attention_mask`` (B, T) and, for training
    features, ``start_positions``/``end_positions`` (B,). Ready for ``BertForQuestionAnswering(**batch)``."""
    return input_padding(pad_token_id, start_positions=0, end_positions=0)


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


# ---------------------------------------------------------------------------------------------------
# The model on features, the task and its pipeline


def qa_predictions(model: BertForQuestionAnswering, examples: Sequence[QAExample], features: Features,
                   batch_size: int, version_2: bool = False, null_threshold: float = 0.0) -> dict[str, QAPrediction]:
    """Decoded answers of ``model`` for the questions ``examples`` (features from `prepare_eval_features`)."""
    out = model_outputs(model, features, qa_collator(model.config.pad_token_id), batch_size,
                        ["start_logits", "end_logits"], per_token=True)
    return postprocess_predictions(examples, features, out["start_logits"], out["end_logits"],
                                   version_2=version_2, null_threshold=null_threshold)


def evaluate_model(model: BertForQuestionAnswering, examples: Sequence[QAExample], features: Features,
                   batch_size: int = 32) -> dict[str, float]:
    """SQuAD v1.1 scores of the model; with unanswerable questions (v2.0), the null threshold is tuned on
    these examples first (as the official recipe does on dev) and returned as ``null_threshold``."""
    predictions = qa_predictions(model, examples, features, batch_size)
    if not any(e.is_impossible for e in examples):
        return evaluate(examples, predictions)
    threshold, _ = best_null_threshold(examples, predictions)
    # -inf means "always answer nothing"; keep the number finite so metrics.json stays plain JSON.
    threshold = max(-1e9, min(1e9, threshold))
    predictions = qa_predictions(model, examples, features, batch_size, version_2=True, null_threshold=threshold)
    scores = evaluate(examples, predictions, version_2=True)
    return {"exact_match": scores["exact"], **scores, "null_threshold": threshold}


def task_features(examples, tokenizer, max_length, label_names, train, doc_stride: int | None = None) -> Features:
    """`Task.features`: windows of ``max_length`` tokens sharing a quarter of them (128 of 384, as BERT's
    run_squad), labelled for training, with offsets for decoding otherwise."""
    stride = doc_stride if doc_stride is not None else max_length // 4
    prepare = prepare_train_features if train else prepare_eval_features
    return prepare(examples, tokenizer, max_length=max_length, doc_stride=stride)


def from_hf_row(row: dict, options: HFOptions) -> QAExample:
    """A row of HF's squad / squad_v2 (``answers`` as ``{"text": [...], "answer_start": [...]}``)."""
    answers = [Answer(t, s) for t, s in zip(row["answers"]["text"], row["answers"]["answer_start"])]
    return QAExample(str(row["id"]), row["question"], row["context"], answers, row.get("title", ""),
                     is_impossible=not answers)


class QuestionAnsweringPipeline(Pipeline):
    """``answer(question="...", context="...")`` → ``{"answer", "score", "start", "end"}`` with
    ``context[start:end] == answer``; ``score`` is the span's probability among the n-best spans.

    A context longer than the model's window is read in overlapping windows (``doc_stride`` tokens
    shared) and the best span over all windows is kept. A model fine-tuned on SQuAD v2 data carries its
    tuned ``null_threshold`` in its config; it then answers ``""`` (start = end = 0) when "no answer"
    wins, with ``score`` the probability-like sigmoid(null score − best span score − threshold).
    """

    model_class = BertForQuestionAnswering

    @staticmethod
    def command_line_input(text: str, second: str | None, choices: list[str] | None) -> Any:
        if second is None:
            raise ValueError("question answering needs a context: --context or 'question<TAB>context'")
        return {"question": text, "context": second}

    def __call__(self, inputs: Any = None, *, question: str | None = None, context: str | None = None,
                 **kwargs: Any) -> Any:
        if inputs is None:
            if question is None or context is None:
                raise ValueError("give question= and context= (or a dict / list of dicts with both)")
            inputs = {"question": question, "context": context}
        return super().__call__(inputs, **kwargs)

    def predict(self, inputs: list, top_k: int = 1, max_answer_length: int = 30, max_length: int = 384,
                doc_stride: int | None = None, handle_impossible_answer: bool | None = None) -> list:
        examples = []
        for i, item in enumerate(inputs):
            if not isinstance(item, dict) or "question" not in item or "context" not in item:
                raise ValueError(f"expected a dict with 'question' and 'context', got {item!r}")
            self._check_texts([item["question"], item["context"]])
            examples.append(QAExample(str(i), item["question"], item["context"], []))
        max_length = min(max_length, self.max_length)
        stride = doc_stride if doc_stride is not None else max_length // 4
        features = prepare_eval_features(examples, self.tokenizer, max_length=max_length, doc_stride=stride)
        threshold = self.model.config.extra.get("null_threshold")
        version_2 = threshold is not None if handle_impossible_answer is None else handle_impossible_answer
        predictions = qa_predictions(self.model, examples, features, self.batch_size, version_2=version_2,
                                     null_threshold=threshold or 0.0)
        results = []
        for example in examples:
            prediction = predictions[example.id]
            if prediction.is_null or not prediction.n_best:
                sure = 1 / (1 + math.exp(-min(50.0, prediction.null_score_diff - (threshold or 0.0))))
                answers = [{"answer": "", "score": sure, "start": 0, "end": 0}]
            else:
                answers = [{"answer": s.text, "score": s.probability, "start": s.start, "end": s.end}
                           for s in prediction.n_best[:top_k]]
            results.append(answers[0] if top_k == 1 else answers)
        return results


TASK = Task(
    name="qa", help="question + paragraph -> answer span: SQuAD v1.1 / v2.0 JSON",
    pipeline=QuestionAnsweringPipeline, aliases=("question-answering",),
    model_class=BertForQuestionAnswering, load=load_squad, features=task_features, collator=qa_collator,
    evaluate=evaluate_model, metrics=("f1", "exact_match", "HasAns_f1", "NoAns_f1"),
    config_keys=("null_threshold",), from_hf_row=from_hf_row,
)
