"""Lesson 15: strengths, limits and speed."""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from minibert.config import BertConfig
from minibert.costs import BYTES_PER_PARAMETER, count_parameters
from minibert.course.corpus import course_vocab_dir
from minibert.course.exercises import close_to, exercise
from minibert.tokenizer import BertTokenizer

WINDOW_TEXT = " ".join(["cat"] * 1000)  # 1,000 tokens with the course vocabulary
ALBERT_V, ALBERT_H, ALBERT_E = 30_000, 1_024, 128


@exercise("15.1", "How many GB (1e9 bytes) of weights + gradients + AdamW state does training BERT-large "
                  "(with its pre-training heads) take?")
def _large_training_memory(answer: Any) -> str | None:
    n = count_parameters(BertConfig.from_preset("large"))["total"]
    expected = BYTES_PER_PARAMETER * n / 1e9
    return close_to(expected, rel=5e-3)(answer) and (
        "parameters x (4 bytes weight + 4 gradient + 8 for Adam's two moments), divided by 1e9")


@exercise("15.2", "How many windows does the course tokenizer make of a 1,000-token text with max_length=128 "
                  "and stride=32?")
def _windows(answer: Any) -> str | None:
    tok = BertTokenizer.from_pretrained(course_vocab_dir())
    enc = tok(WINDOW_TEXT, max_length=128, truncation=True, stride=32, return_overflowing_tokens=True)
    if answer == len(enc["input_ids"]):
        return None
    return "each window holds 128 - 2 text tokens and starts (128 - 2) - 32 tokens after the previous one"


@exercise("15.3", "ALBERT-large (V=30,000, H=1,024, E=128): how many parameters does the factorised embedding "
                  "(V x E plus E x H, no biases) save against BERT's V x H table?")
def _albert_saving(answer: Any) -> str | None:
    with torch.device("meta"):
        bert = nn.Embedding(ALBERT_V, ALBERT_H)
        albert = nn.Sequential(nn.Embedding(ALBERT_V, ALBERT_E), nn.Linear(ALBERT_E, ALBERT_H, bias=False))
    count = lambda module: sum(p.numel() for p in module.parameters())  # noqa: E731
    if answer == count(bert) - count(albert):
        return None
    return "V*H - (V*E + E*H)"
