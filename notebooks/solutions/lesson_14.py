"""Lesson 14 solutions."""
import torch


def allowed(T):
    """Query i may see key j when j <= i: the lower triangle, diagonal included."""
    return torch.ones(T, T, dtype=torch.bool).tril()


ANSWERS = {
    # 3 items, 4 endings each; the longest (context, ending) pair of the three items has 34 tokens
    # ([CLS] ... [SEP] ... [SEP]): choice_collator pads every pair to it.
    "14.1": (3, 4, 34),
    # Words: the dog ran in the park (6) / a dog was running in the park (7). Shared: dog, in, the, park = 4
    # ("the" only once: the reference has it once). P = 4/6, R = 4/7, F = 2PR / (P + R) = 16/26.
    "14.2": 16 / 26,
    # The best three are 3.1 (index 2), 2.2 (index 4) and 0.5 (index 3), printed in document order.
    "14.3": [2, 3, 4],
    "14.4": allowed,
}
