"""Lesson 12: question answering."""
from __future__ import annotations

import math
from typing import Any

import torch

from minibert.course import baselines
from minibert.course.exercises import Hint, exercise, expect_function, expect_number, learners_code
from minibert.course.paths import data_dir
from minibert.tasks.metrics import squad
from minibert.tasks.qa import (Answer, QAExample, load_squad, postprocess_predictions, prepare_eval_features,
                               prepare_train_features)
from minibert.tokenizer import BertTokenizer

QUESTION, PASSAGE = "What is the capital of France?", "The capital of France is Paris."
PREDICTION, GOLDS = "the city of Paris", ["Paris", "Paris, France"]
WINDOW_QUESTION = " ".join(["what"] * 9) + "?"  # 10 tokens
WINDOW_PASSAGE = " ".join(["cat"] * 300)  # 300 tokens
MAX_LENGTH, DOC_STRIDE = 128, 32


def _pair(answer: Any) -> tuple[float, ...] | None:
    """``answer`` as a tuple of two numbers, or None if it is not one."""
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__len__") or len(answer) != 2:
        return None
    try:
        return tuple(float(x) for x in answer)
    except (TypeError, ValueError):
        return None


@exercise("12.1", f"In the brief's input ({QUESTION!r} / {PASSAGE!r}), at which token indices (start, end) do "
                  "the labels of the answer 'Paris' point? [CLS] is token 0.")
def _answer_positions(answer: Any) -> str | None:
    example = QAExample("brief", QUESTION, PASSAGE, [Answer("Paris", PASSAGE.index("Paris"))])
    feature, = prepare_train_features([example], BertTokenizer.from_pretrained("minilm"))
    expected = (feature["start_positions"], feature["end_positions"])
    pair = _pair(answer)
    if pair is None:
        return "answer with a pair of token indices (start, end)"
    if pair == expected:
        return None
    if pair[0] == pair[1] and pair[0] < expected[0]:
        return "count every token from [CLS] = 0: the question, its [SEP], then the passage"
    return "the answer is one token, so start and end are the same index; tokenize the pair and find 'paris'"


def _package_best_span(start_logits: torch.Tensor, end_logits: torch.Tensor, max_answer_length: int
                       ) -> tuple[int, int]:
    """The package's decoding on a passage of one character per token, every position allowed."""
    T = len(start_logits)
    example = QAExample("q", "?", "".join(chr(ord("a") + k % 26) for k in range(T)), [])
    feature = {"example_id": "q", "offset_mapping": [(k, k + 1) for k in range(T)],
               "token_is_max_context": [True] * T}
    span = postprocess_predictions([example], [feature], [start_logits], [end_logits], n_best_size=T,
                                   max_answer_length=max_answer_length)["q"].best_span
    return span.start, span.end - 1


@exercise("12.2", "Write best_span(start_logits, end_logits, max_answer_length) -> (start, end): the pair with the "
                  "highest start_logits[start] + end_logits[end], with start <= end and at most "
                  "max_answer_length tokens. Every position is allowed.")
def _best_span(answer: Any) -> str | None:
    expect_function(answer, "best_span(start_logits, end_logits, max_answer_length)")
    generator = torch.Generator().manual_seed(12)
    for T, max_answer_length in [(12, 3), (20, 1), (30, 30), (25, 4)]:
        start, end = torch.randn(T, generator=generator), torch.randn(T, generator=generator)
        expected = _package_best_span(start, end, max_answer_length)
        with learners_code("best_span"):
            got = answer(start.clone(), end.clone(), max_answer_length)
        pair = _pair(got)
        if pair is None:
            return f"return a pair of token indices (start, end), got {got!r}"
        s, e = int(pair[0]), int(pair[1])
        if (s, e) == expected:
            continue
        if e < s or e - s + 1 > max_answer_length:
            return f"({s}, {e}) breaks a rule: start <= end and end - start + 1 <= max_answer_length"
        return "score every allowed pair by start_logits[s] + end_logits[e] and keep the best"
    return None


@exercise("12.3", f"The model answers {PREDICTION!r}; the gold answers are {GOLDS}. What are its exact match "
                  "and F1 as the official SQuAD script computes them, in %: (em, f1)?")
def _em_f1(answer: Any) -> str | None:
    expected = squad({"q": PREDICTION}, {"q": GOLDS})
    pair = _pair(answer)
    if pair is None:
        return "answer with a pair of numbers (exact_match, f1), in %"
    em, f = pair
    if math.isclose(em, expected["exact_match"], abs_tol=0.01) and math.isclose(f, expected["f1"], abs_tol=0.01):
        return None
    if math.isclose(f * 100, expected["f1"], abs_tol=0.01):
        return "in %: multiply by 100"
    return ("normalise first (lower case, no punctuation, no a/an/the), then F1 of the word bags against each "
            "gold answer; the question keeps the best")


@exercise("12.4", f"A passage of 300 tokens, a question of 10 tokens, max_length={MAX_LENGTH}, "
                  f"doc_stride={DOC_STRIDE} (tokens shared by consecutive windows). How many windows?")
def _windows(answer: Any) -> str | None:
    tokenizer = BertTokenizer.from_pretrained("minilm")
    example = QAExample("q", WINDOW_QUESTION, WINDOW_PASSAGE, [])
    expected = len(prepare_eval_features([example], tokenizer, max_length=MAX_LENGTH, doc_stride=DOC_STRIDE))
    if isinstance(answer, bool) or not isinstance(answer, int):
        return "answer with a whole number"
    if answer == expected:
        return None
    return ("a window holds max_length minus the question and 3 special tokens of passage; each new window "
            "starts doc_stride tokens before the previous one ends")


OTHER_RULE = "first unasked run"


def _dev_span_f1(rule: str) -> float:
    """SQuAD F1 (0-100) on the dev questions of the best-overlap span cut by ``rule``."""
    dev = [e for e in load_squad(data_dir() / "tasks" / "qa" / "dev.json").examples if e.answers]
    predictions = {e.id: baselines.best_span(e.question, e.context, rule) for e in dev}
    return squad(predictions, {e.id: [a.text for a in e.answers] for e in dev})["f1"]


@exercise("12.5", f"Experiment: cut the best-overlap span baseline with the rule {OTHER_RULE!r} of "
                  "baselines.SPAN_RULES instead of the one chosen on the training questions. Its dev F1, in %?",
          experiment=True)
def _other_span_rule(answer: Any) -> str | None:
    value = expect_number(answer)
    expected = _dev_span_f1(OTHER_RULE)
    if abs(value - expected) <= 0.05:
        return None
    if abs(100 * value - expected) <= 0.05:
        raise Hint("in %: multiply by 100")
    if abs(value - _dev_span_f1("last unasked run")) <= 0.05:
        raise Hint("that is the rule the lesson's baseline chose: pass rule='first unasked run' to best_span")
    return (f"for every dev question: baselines.best_span(question, context, rule={OTHER_RULE!r}); then the "
            "mean over questions of the best F1 against the gold answers, in %")
