"""Lesson 00: welcome."""
from __future__ import annotations

from typing import Any

from minibert.config import BertConfig
from minibert.course.exercises import exercise


@exercise("00.1", "What does the B in BERT stand for? Answer with one word.")
def _bert_b(answer: Any) -> str | None:
    return None if str(answer).strip().lower() == "bidirectional" else "read the first cell of this lesson again"


@exercise("00.2", "How many encoder layers does BERT-base have? (BertConfig.from_preset('base'))")
def _base_layers(answer: Any) -> str | None:
    expected = BertConfig.from_preset("base").num_hidden_layers
    return None if answer == expected else "look at num_hidden_layers of the base preset"
