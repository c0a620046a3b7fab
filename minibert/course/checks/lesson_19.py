"""Lesson 19: what came after (sentence-order prediction, rotary positions, ModernBERT)."""
from __future__ import annotations

import functools
import math
from typing import Any

import torch

from minibert.course.exercises import (
    Hint,
    exercise,
    expect_function,
    expect_number,
    learners_code,
)
from minibert.rotary import apply_rotary, rotary_cos_sin

HEAD_SIZE, POSITION, BASE = 8, 3, 10_000.0       # exercise 19.1
SHORT_PAIRS = 32                                  # exercise 19.3: max_seq_length (the lesson uses 64)


def _angle(pair: int, exponent_of=lambda i, d: 2 * i / d) -> float:
    return POSITION * BASE ** -exponent_of(pair, HEAD_SIZE)


@exercise("19.1", f"Rotary positions with head size d = {HEAD_SIZE} and base {BASE:,.0f}: by what angle (in radians) "
                  f"does position {POSITION} turn the slowest pair of dimensions?")
def _slowest_angle(answer: Any) -> str | None:
    value = expect_number(answer)
    slowest = HEAD_SIZE // 2 - 1
    if math.isclose(value, _angle(slowest), rel_tol=1e-3):
        return None
    if math.isclose(value, _angle(0), rel_tol=1e-3):
        return "that is the fastest pair (i = 0, theta = 1): the slowest is the last, i = d/2 - 1"
    if math.isclose(value, _angle(slowest, lambda i, d: i / d), rel_tol=1e-3):
        return "theta_i = base^(-2i / d): the exponent has a 2"
    if math.isclose(value, _angle(slowest + 1), rel_tol=1e-3):
        return "i counts from 0: with d = 8 the pairs are i = 0, 1, 2, 3"
    return "angle = position * base^(-2i / d) with i = d/2 - 1"


@exercise("19.2", "Write rope(x, base): rotate x (T, d), row t by t * theta_i with theta_i = base^(-2i / d), "
                  "pairing dimension i with dimension i + d/2 (the two halves, as minibert.rotary does).")
def _rope(answer: Any) -> str | None:
    expect_function(answer, "rope(x, base)")
    torch.manual_seed(0)
    for length, d, base in ((5, 4, 10_000.0), (9, 8, 100.0), (3, 16, 10_000.0)):
        x = torch.randn(length, d)
        with learners_code(f"rope(x of shape ({length}, {d}), {base})"):
            value = torch.as_tensor(answer(x.clone(), base), dtype=torch.float32)
        expected = apply_rotary(x, *rotary_cos_sin(length, d, base))
        if value.shape == expected.shape and torch.allclose(value, expected, atol=1e-5):
            continue
        if value.shape != expected.shape:
            return f"return a tensor of x's shape ({length}, {d}), got {tuple(value.shape)}"
        cos, sin = rotary_cos_sin(length, d, base)
        if torch.allclose(value, apply_rotary(x, cos, -sin), atol=1e-5):
            return "that turns the other way: (x1, x2) -> (x1 cos - x2 sin, x1 sin + x2 cos)"
        if torch.allclose(value[0], x[0], atol=1e-5) and torch.allclose(value.norm(dim=-1), x.norm(dim=-1), atol=1e-4):
            return "a rotation, but not of the pairs (i, i + d/2): split x into its two halves, not neighbours"
        return f"with T = {length}, d = {d}, base = {base} row 1 should be {expected[1].tolist()}"
    return None


@functools.lru_cache(maxsize=None)
def _nsp_baselines(max_seq_length: int) -> dict[str, float]:
    from minibert.course.experiments import lesson19_sop as sop

    return sop.baselines({**sop.SETTINGS, "max_seq_length": max_seq_length})["NSP"]


@exercise("19.3", f"Experiment: make the NSP pairs with max_seq_length={SHORT_PAIRS} (training and dev, as "
                  f"lesson19_sop does with 64), fit the overlap rule on the training pairs and give its accuracy "
                  f"on the dev pairs.", experiment=True)
def _short_overlap(answer: Any) -> str | None:
    value = expect_number(answer)
    if value > 1:
        raise Hint("answer with a share of the dev pairs (0 to 1), not a count")
    short = _nsp_baselines(SHORT_PAIRS)
    if abs(value - short["overlap"]) < 1e-3:
        return None
    if abs(value - _nsp_baselines(64)["overlap"]) < 1e-3:
        return f"that is the lesson's 64 tokens: build the pairs with max_seq_length={SHORT_PAIRS}"
    if abs(value - short["majority"]) < 1e-3:
        return "that is the majority label: the overlap rule counts shared content words (OverlapRule.fit)"
    return ("lesson19_sop.make_pairs('NSP', split, documents, 32, seed) for train (seed=1, the first 2000 "
            "documents) and dev (seed=2, all); OverlapRule.fit(train, frequent).accuracy(dev)")
