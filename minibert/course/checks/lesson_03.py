"""Lesson 03: self-attention."""
from __future__ import annotations

import math
from typing import Any

import torch

from minibert.attention import BertSelfAttention
from minibert.config import BertConfig
from minibert.course.exercises import exercise, expect_function, expect_number, learners_code

LENGTH = 512


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
    return None if answer == probs.numel() else "one (T, T) matrix per head"
