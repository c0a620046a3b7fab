"""Lesson 15: strengths, limits and speed."""
from __future__ import annotations

import functools
import random
import re
import statistics
from typing import Any

import torch
from torch import nn

from minibert.config import BertConfig
from minibert.costs import BYTES_PER_PARAMETER, count_parameters
from minibert.course.corpus import course_corpus, course_vocab_dir
from minibert.course.exercises import close_to, exercise, expect_number
from minibert.course.models import pretrained_model_dir
from minibert.heads import BertForPreTraining
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


def _hide_words(text: str, seed: int, vocab) -> tuple[str, list[str]]:
    """Lesson 15's masking: 1 in 7 one-token words behind [MASK] (the masked text and the hidden words)."""
    words = [m for m in re.finditer(r"[A-Za-z]+", text) if m.group().lower() in vocab]
    hidden = sorted(random.Random(seed).sample(range(len(words)), len(words) // 7))
    pieces, answers, cursor = [], [], 0
    for index in hidden:
        pieces += [text[cursor:words[index].start()], "[MASK]"]
        answers.append(words[index].group().lower())
        cursor = words[index].end()
    return "".join(pieces + [text[cursor:]]), answers


@functools.lru_cache(maxsize=None)
def _first_positions_accuracy(max_length: int) -> float:
    """The fraction of hidden words at positions 0-127 guessed when each long text is cut to ``max_length``."""
    model_dir, _ = pretrained_model_dir()
    tok = BertTokenizer.from_pretrained(model_dir)
    model = BertForPreTraining.from_pretrained(model_dir).eval()
    documents = course_corpus("dev")
    texts = [" ".join(s for d in documents[i:i + 20] for s in d) for i in range(0, 400, 20)]
    masked = [_hide_words(text, seed, tok.vocab) for seed, text in enumerate(texts)]
    batch = tok([m for m, _ in masked], max_length=max_length, truncation=True, padding=True, return_tensors="pt")
    with torch.no_grad():
        guesses = model(**batch).prediction_logits.argmax(-1)  # (texts, T)
    hits = []
    for row, (_, answers) in enumerate(masked):
        positions = (batch["input_ids"][row] == tok.mask_token_id).nonzero().flatten().tolist()
        hits += [tok.convert_ids_to_tokens([int(guesses[row, p])])[0] == answers[k]
                 for k, p in enumerate(positions) if p < 128]
    return statistics.mean(hits)


@exercise("15.4", "Experiment: read lesson 15's masked long texts truncated to 256 tokens instead of 512. What "
                  "fraction of the hidden words at positions 0-127 does the model guess?", experiment=True)
def _window_256(answer: Any) -> str | None:
    value = expect_number(answer)
    if abs(value - _first_positions_accuracy(256)) < 0.01:
        return None
    if value > 1:
        return "give a fraction between 0 and 1, not a percentage"
    for length in (512, 128):
        if abs(value - _first_positions_accuracy(length)) < 0.01:
            return f"that is the reading of {length} tokens: call guessed_by_bucket(256) and take bucket 0"
    return "guessed_by_bucket(256)[0] holds one True/False per hidden word at positions 0-127: take their mean"
