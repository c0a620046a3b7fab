"""Lesson 03: self-attention."""
from __future__ import annotations

import functools
import math
from typing import Any

import torch

from minibert.attention import BertSelfAttention, scaled_dot_product_attention
from minibert.config import BertConfig
from minibert.course.exercises import (
    exercise,
    expect_function,
    expect_number,
    learners_code,
)
from minibert.modeling import BertModel
from minibert.tokenizer import BertTokenizer

LENGTH = 512
TEXT, TEMPERATURE = "The cat sat on the mat because it was tired.", 2.0  # exercise 03.4 (the lesson's texts[0])


@functools.cache
def _layer0_entropy(temperature: float) -> float:
    """Mean entropy (nats) of MiniLM's layer-0 attention rows on TEXT, scores divided by temperature * sqrt(d)."""
    model, tokenizer = BertModel.from_pretrained("minilm"), BertTokenizer.from_pretrained("minilm")
    attention = model.encoder.layer[0].attention.self
    with torch.no_grad():
        x = model.embeddings(tokenizer(TEXT, return_tensors="pt")["input_ids"])  # (1, T, H)
        q, k, v = (attention.split_heads(f(x)) for f in (attention.query, attention.key, attention.value))
        _, probs = scaled_dot_product_attention(q / temperature, k, v)  # (1, A, T, T)
    return -(probs * probs.clamp_min(1e-30).log()).sum(-1).mean().item()


@exercise("03.1", "The entries of q and k are independent, mean 0, variance 1, and d is BERT-base's head size. "
                  "What is the variance of the dot product q·k?")
def _dot_product_variance(answer: Any) -> str | None:
    expected = BertConfig.from_preset("base").head_size  # a sum of d products, each of variance 1
    value = expect_number(answer)
    if math.isclose(value, expected):
        return None
    if math.isclose(value, math.sqrt(expected)):
        return "that is the standard deviation; the variance is its square"
    return "q·k is a sum of d products q_i k_i, each of variance 1; and d = hidden_size / num_attention_heads"


@exercise("03.2", "Write merge_heads(t): (B, A, T, d) -> (B, T, A * d), the heads' outputs side by side "
                  "(the inverse of splitting the heads).")
def _merge_heads(answer: Any) -> str | None:
    expect_function(answer, "merge_heads(t)")
    config = BertConfig.from_preset("tiny")
    split = BertSelfAttention(config).split_heads  # the package's (B, T, H) -> (B, A, T, d)
    x = torch.randn(2, 5, config.hidden_size, generator=torch.Generator().manual_seed(0))
    with learners_code("merge_heads"):
        merged = answer(split(x))
    if not isinstance(merged, torch.Tensor) or merged.shape != x.shape:
        shape = tuple(merged.shape) if isinstance(merged, torch.Tensor) else type(merged).__name__
        return f"expected a tensor of shape {tuple(x.shape)}, got {shape}"
    return None if torch.equal(merged, x) else "right shape, wrong order: transpose(1, 2) before reshaping"


@exercise("03.3", f"How many attention probabilities does ONE layer of BERT-base hold for one sequence of "
                  f"{LENGTH} tokens?")
def _probabilities_per_layer(answer: Any) -> str | None:
    config = BertConfig.from_preset("base")
    with torch.device("meta"):  # shapes only
        probs = BertSelfAttention(config)(torch.zeros(1, LENGTH, config.hidden_size), output_attentions=True).probs
    if isinstance(answer, bool) or not isinstance(answer, int):
        return "answer with a whole number"
    if answer == probs.numel():
        return None
    if answer == LENGTH * LENGTH:
        return "that is one head; a layer has num_attention_heads of them"
    return "one (T, T) matrix per head"


@exercise("03.4", f"Softer attention: run MiniLM's layer-0 queries and keys of {TEXT!r} (alone, no padding) through "
                  f"attention with the scores divided by {TEMPERATURE:g}·√d instead of √d. What is the mean entropy "
                  "(in nats, -Σ p log p) of the attention rows, over all heads and query tokens? "
                  "(Compare it with the usual √d.)", experiment=True)
def _entropy_at_temperature(answer: Any) -> str | None:
    value = expect_number(answer)
    expected = _layer0_entropy(TEMPERATURE)
    if abs(value - expected) <= 0.005:
        return None
    if abs(value - _layer0_entropy(1.0)) <= 0.005:
        return f"that is the entropy with the usual √d; divide the scores by {TEMPERATURE:g}·√d"
    if abs(value - expected / math.log(2)) <= 0.01:
        return "that is in bits (log2); use the natural log"
    return "entropy of one row: -(p * p.log()).sum(-1); then average over heads and query tokens"
