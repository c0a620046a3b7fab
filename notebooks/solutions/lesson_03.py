"""Lesson 03 solutions."""
import torch


def merge_heads(t: torch.Tensor) -> torch.Tensor:
    """(B, A, T, d) -> (B, T, A, d) -> (B, T, A * d): put the heads back next to each other."""
    B, A, T, d = t.shape
    return t.transpose(1, 2).reshape(B, T, A * d)


ANSWERS = {
    # q·k = sum of d = 768 / 12 = 64 products q_i k_i; each has variance 1 and they are independent.
    "03.1": 64,
    "03.2": merge_heads,
    # 12 heads, each a 512 x 512 matrix of probabilities: 12 * 512 * 512. Quadratic in the length.
    "03.3": 12 * 512 * 512,
}
