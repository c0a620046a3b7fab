"""Lesson 19 solutions."""
import torch

from minibert.course.baselines_lm import OverlapRule, frequent_tokens
from minibert.course.experiments import _lesson19 as common
from minibert.course.experiments import lesson19_sop as sop


def rope(x, base=10_000.0):
    # Pair dimension i with i + d/2; pair i turns by t * base^(-2i/d) at row t.
    T, d = x.shape
    theta = base ** (-torch.arange(0, d, 2, dtype=torch.float32) / d)      # (d/2,)
    angle = torch.arange(T, dtype=torch.float32)[:, None] * theta           # (T, d/2)
    x1, x2 = x[:, : d // 2], x[:, d // 2:]
    return torch.cat([x1 * angle.cos() - x2 * angle.sin(), x1 * angle.sin() + x2 * angle.cos()], dim=-1)


def rope_backwards(x, base=10_000.0):
    # A mistake: the rotation by minus the angle.
    T, d = x.shape
    theta = base ** (-torch.arange(0, d, 2, dtype=torch.float32) / d)
    angle = -torch.arange(T, dtype=torch.float32)[:, None] * theta
    x1, x2 = x[:, : d // 2], x[:, d // 2:]
    return torch.cat([x1 * angle.cos() - x2 * angle.sin(), x1 * angle.sin() + x2 * angle.cos()], dim=-1)


def rope_neighbours(x, base=10_000.0):
    # A mistake: pairing neighbours (0, 1), (2, 3), ... (the original RoFormer layout, not minibert's halves).
    T, d = x.shape
    theta = base ** (-torch.arange(0, d, 2, dtype=torch.float32) / d)
    angle = torch.arange(T, dtype=torch.float32)[:, None] * theta
    x1, x2 = x[:, 0::2], x[:, 1::2]
    out = torch.empty_like(x)
    out[:, 0::2] = x1 * angle.cos() - x2 * angle.sin()
    out[:, 1::2] = x1 * angle.sin() + x2 * angle.cos()
    return out


def overlap_on_short_pairs(max_seq_length=32):
    # The experiment of 19.3 by hand: NSP pairs cut to max_seq_length, the overlap threshold fitted on the
    # training pairs, its accuracy on the dev pairs.
    settings = sop.SETTINGS
    train = sop.make_pairs("NSP", "train", settings["train_documents"], max_seq_length, seed=1)
    dev = sop.make_pairs("NSP", "dev", None, max_seq_length, seed=2)
    frequent = frequent_tokens(s for d in common.documents("train", settings["train_documents"]) for s in d)
    return OverlapRule.fit(train, frequent).accuracy(dev)


ANSWERS = {
    "19.1": 3 * 10_000.0 ** (-6 / 8),  # the slowest pair, i = 3 of d/2 = 4: theta = 10^-3
    "19.2": rope,
    "19.3": overlap_on_short_pairs(),
}

WRONG = {
    "19.1": [3.0, 3 * 10_000.0 ** (-3 / 8), 3 * 10_000.0 ** (-1.0)],
    "19.2": [rope_backwards, rope_neighbours],
    "19.3": [overlap_on_short_pairs(64), 0.5],
}
