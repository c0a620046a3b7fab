"""Lesson 00: welcome."""
from __future__ import annotations

import functools
from typing import Any

import torch

from minibert.config import BertConfig
from minibert.course.exercises import exercise, expect_number
from minibert.modeling import BertModel
from minibert.tokenizer import BertTokenizer

# Exercise 00.3: the lesson changed the LAST word and watched the first; the learner changes the FIRST word.
RIVER_A, RIVER_B = "bank of the river", "edge of the river"


@functools.lru_cache(maxsize=1)
def _minilm() -> tuple[BertModel, BertTokenizer]:
    return BertModel.from_pretrained("minilm"), BertTokenizer.from_pretrained("minilm")


def _last_word_vector(text: str) -> torch.Tensor:
    model, tokenizer = _minilm()
    batch = tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        return model(**batch).last_hidden_state[0, -2]  # (H,): the last word, just before [SEP]


@exercise("00.1", "What does the B in BERT stand for? Answer with one word.")
def _bert_b(answer: Any) -> str | None:
    return None if str(answer).strip().lower() == "bidirectional" else "read the first cell of this lesson again"


@exercise("00.2", "How many encoder layers does BERT-base have? (BertConfig.from_preset('base'))")
def _base_layers(answer: Any) -> str | None:
    expected = BertConfig.from_preset("base").num_hidden_layers
    if answer == expected:
        return None
    if answer == BertConfig.from_pretrained("minilm").num_hidden_layers:
        return "that is MiniLM, the small BERT of this lesson; the question asks about the base preset"
    return "look at num_hidden_layers of the base preset"


@exercise("00.3", f"Change the FIRST word instead of the last: what is the relative change |a - b| / |a| of the "
                  f"last-layer vector of the LAST word, 'river', between {RIVER_A!r} (a) and {RIVER_B!r} (b)? "
                  "(2 decimals)", experiment=True)
def _last_word_change(answer: Any) -> str | None:
    value = expect_number(answer)
    a, b = _last_word_vector(RIVER_A), _last_word_vector(RIVER_B)
    expected = ((a - b).norm() / a.norm()).item()
    if abs(value - expected) <= 0.006:
        return None
    model, tokenizer = _minilm()
    with torch.no_grad():  # a common slip: the vector at the very end is [SEP]'s, not the last word's
        sep = [model(**tokenizer(t, return_tensors="pt")).last_hidden_state[0, -1] for t in (RIVER_A, RIVER_B)]
    if abs(value - ((sep[0] - sep[1]).norm() / sep[0].norm()).item()) <= 0.006:
        return "that is the vector of [SEP], the last token; 'river' is the one before it"
    return "write last_word_vector like first_word_vector, at the position of 'river' (-2: before [SEP])"
