"""Lesson 12 solutions."""
import torch


def best_span(start_logits: torch.Tensor, end_logits: torch.Tensor, max_answer_length: int) -> tuple[int, int]:
    """Try every allowed (start, end) pair and keep the highest start + end logit."""
    T = len(start_logits)
    pairs = [(s, e) for s in range(T) for e in range(s, min(T, s + max_answer_length))]
    return max(pairs, key=lambda se: float(start_logits[se[0]] + end_logits[se[1]]))


ANSWERS = {
    # [CLS] what is the capital of france ? [SEP] the capital of france is paris . [SEP]
    #   0    1    2  3     4    5    6     7   8    9    10    11   12   13   14  15  16
    "12.1": (14, 14),
    "12.2": best_span,
    # Normalised: "city of paris" (3 words). Against "paris": P = 1/3, R = 1, F1 = 0.5; against
    # "paris france": P = 1/3, R = 1/2, F1 = 0.4. No exact match; the best F1 is 50 %.
    "12.3": (0.0, 50.0),
    # Each window holds 128 - 10 - 3 = 115 passage tokens and starts 115 - 32 = 83 tokens after the previous
    # one: windows at 0, 83, 166 and 249 (249 + 115 >= 300), so 4 windows.
    "12.4": 4,
}
