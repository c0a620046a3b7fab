"""Extractive question answering (SQuAD), as Google's BERT run_squad.py and Hugging Face's run_qa.py do it.

The model reads ``[CLS] question [SEP] context [SEP]`` and gives every token a start logit and an end logit;
the answer is the context span between the best start and the best end.

1. Features. A context longer than ``max_length`` is read in overlapping windows ("doc stride"): each window
   holds the whole question and a slice of the context, consecutive slices sharing ``doc_stride`` tokens
   (the tokenizer's ``stride``), so an answer cut by one window's edge is whole in the next. For training, a
   window is labelled with the answer's first and last token, found from the tokens' character offsets; a
   window that does not contain the whole answer, or an unanswerable question (SQuAD v2), is labelled with
   the [CLS] token at index 0: "no answer here".
2. Decoding (`minibert.tasks.qa_decoding.postprocess_predictions`). For each window, pair the ``n_best_size`` best starts with the
   ``n_best_size`` best ends, keep the pairs that lie in the context with end ≥ start and at most
   ``max_answer_length`` tokens, and map the best one back to the original text through the offsets.
3. SQuAD v2. The "no answer" score is start[0] + end[0] (the [CLS] logits); the question is declared
   unanswerable when it beats the best span by more than ``null_threshold``, which `best_null_threshold`
   tunes on the dev set.

The window helpers (`window_spans`, `max_context_flags`) live in `minibert.tasks.windows`: the NER pipeline
reads long texts the same way.
"""
from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from minibert.heads import BertForQuestionAnswering
from minibert.tasks.batching import DynamicPadding, input_padding, model_outputs
from minibert.tasks.formats import FormatError, TaskData, finish_loading
from minibert.tasks.qa_decoding import QAPrediction, best_null_threshold, evaluate, postprocess_predictions
from minibert.tasks.task import Features, HFOptions, Pipeline, Task
from minibert.tasks.windows import max_context_flags, window_spans

# ---------------------------------------------------------------------------------------------------
# The file format

@dataclass
class Answer:
    text: str
    answer_start: int  # character offset into the context


@dataclass
class QAExample:
    """One SQuAD question. ``answers`` may hold several (dev sets have one per annotator); it is
    empty for an impossible question (v2.0), whose ``plausible_answers`` may still be given."""
    id: str
    question: str
    context: str
    answers: list[Answer]
    title: str = ""
    is_impossible: bool = False
    plausible_answers: list[Answer] = field(default_factory=list)


def _line_of_id(text: str, qid: str) -> int | None:
    """The 1-based line of ``"id": "<qid>"`` in a JSON text, to name the line of an error (only
    computed when there is an error: it scans the file)."""
    match = re.search(r'"id"\s*:\s*' + re.escape(json.dumps(qid)), text)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def _answers(raw: Any, context: str, qid: str, key: str, fail: Callable[[str], FormatError]) -> list[Answer]:
    if not isinstance(raw, list):
        raise fail(f"question {qid!r}: {key!r} must be a list")
    answers = []
    for a in raw:
        try:
            answer = Answer(str(a["text"]), int(a["answer_start"]))
        except (KeyError, TypeError, ValueError):
            raise fail(f"question {qid!r}: each of {key!r} needs 'text' and an integer 'answer_start', "
                       f"got {a!r}") from None
        found = context[answer.answer_start:answer.answer_start + len(answer.text)]
        if answer.answer_start < 0 or found != answer.text:
            raise fail(f"question {qid!r}: answer {answer.text!r} is not at answer_start "
                       f"{answer.answer_start} (the context has {found!r} there)")
        answers.append(answer)
    return answers


def load_squad(path: str | Path) -> TaskData:
    """SQuAD v1.1 or v2.0 JSON: ``data[].paragraphs[].context`` and ``qas[]`` with ``id``,
    ``question``, ``answers[].text/answer_start`` (character offsets) and, in v2.0, ``is_impossible``
    and ``plausible_answers``. Every answer must be found at its offset in the context (the error
    names the question id and its line). All answers of a question are kept."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    try:
        root = json.loads(text)
    except json.JSONDecodeError as e:
        raise FormatError(path, e.lineno, f"bad JSON: {e.msg} (column {e.colno})") from None
    if not isinstance(root, dict) or not isinstance(root.get("data"), list):
        raise FormatError(path, 1, "expected a JSON object with a 'data' list (SQuAD format)")
    examples: list[QAExample] = []
    for article in root["data"]:
        for paragraph in article.get("paragraphs", []):
            if not isinstance(paragraph, dict) or "context" not in paragraph or "qas" not in paragraph:
                raise FormatError(path, None, f"article {article.get('title')!r}: each paragraph needs "
                                              f"'context' and 'qas'")
            for qa in paragraph["qas"]:
                qid = str(qa.get("id"))

                def fail(message: str, qid: str = qid) -> FormatError:
                    return FormatError(path, _line_of_id(text, qid), message)

                if "id" not in qa or "question" not in qa:
                    raise FormatError(path, None, f"a question needs 'id' and 'question', got {qa!r}")
                impossible = bool(qa.get("is_impossible", False))
                answers = _answers(qa.get("answers", []), paragraph["context"], qid, "answers", fail)
                if impossible and answers:
                    raise fail(f"question {qid!r} is_impossible but has answers")
                if not impossible and not answers:
                    raise fail(f"question {qid!r} has no answers and is not marked is_impossible")
                plausible = _answers(qa.get("plausible_answers", []), paragraph["context"], qid,
                                     "plausible_answers", fail)
                examples.append(QAExample(qid, qa["question"], paragraph["context"], answers,
                                          str(article.get("title", "")), impossible, plausible))
    return finish_loading(TaskData(examples, str(path)))


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
