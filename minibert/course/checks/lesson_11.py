"""Lesson 11: sentence pairs and NLI."""
from __future__ import annotations

import functools
import math
from typing import Any

from minibert.course.exercises import exercise, expect_function, learners_code
from minibert.tasks.metrics import accuracy, macro_f1
from minibert.tasks.nli import NLI_LABELS
from minibert.tokenizer import BertTokenizer

PAIR = ("A man is sleeping.", "Nobody is sleeping.")
PAIRS = [PAIR, ("Maria is running in Hamburg.", "Maria is in Peru."),
         ("A girl is eating bread in a restaurant in Cordoba.", "The girl is in Cordoba."), ("Just one sentence.", None)]


@functools.lru_cache(maxsize=1)
def _tokenizer() -> BertTokenizer:
    return BertTokenizer.from_pretrained("minilm")


@exercise("11.1", f"With the MiniLM tokenizer, how many tokens of the pair {PAIR} have token_type_id 1?")
def _segment_b_tokens(answer: Any) -> str | None:
    enc = _tokenizer()(*PAIR)
    expected = sum(enc["token_type_ids"])
    if isinstance(answer, bool) or not isinstance(answer, int):
        return "answer with a whole number"
    if answer == expected:
        return None
    if answer == expected - 1:
        return "the final [SEP] belongs to sentence B too"
    return "tokenize the pair and look at token_type_ids: 0 up to the first [SEP], 1 after it"


@exercise("11.2", "On a dev set with as many entailment, neutral and contradiction pairs, a model always answers "
                  "'entailment'. What are its (accuracy, macro_f1)?")
def _majority_scores(answer: Any) -> str | None:
    gold = list(NLI_LABELS) * 10
    predicted = ["entailment"] * len(gold)
    expected = (accuracy(gold, predicted), macro_f1(gold, predicted))
    try:
        values = [float(v) for v in answer]
    except (TypeError, ValueError):
        return "answer with two numbers: (accuracy, macro_f1)"
    if len(values) != 2:
        return "answer with two numbers: (accuracy, macro_f1)"
    if not math.isclose(values[0], expected[0], rel_tol=1e-3):
        return "accuracy: the share of pairs it gets right"
    if math.isclose(values[1], expected[1], rel_tol=1e-3):
        return None
    return ("F1 of entailment: precision 1/3, recall 1; the other two labels are never predicted: F1 = 0. "
            "Macro-F1 averages the three")


@exercise("11.3", "Write segment_ids(input_ids, sep_id): the token_type_ids of [CLS] A [SEP] B [SEP] "
                  "(0 up to and including the first [SEP], 1 after it; all 0 for a single sentence).")
def _segment_ids(answer: Any) -> str | None:
    expect_function(answer, "segment_ids(input_ids, sep_id)")
    tok = _tokenizer()
    for text, pair in PAIRS:
        enc = tok(text, pair)
        with learners_code("segment_ids"):
            ours = [int(i) for i in answer(list(enc["input_ids"]), tok.sep_token_id)]
        if ours != enc["token_type_ids"]:
            return f"for {(text, pair)} expected {enc['token_type_ids']}, got {ours}"
    return None
