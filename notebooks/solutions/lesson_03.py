"""Lesson 03 solutions."""
import math

import torch

from minibert import BertModel, BertTokenizer


def merge_heads(t: torch.Tensor) -> torch.Tensor:
    """(B, A, T, d) -> (B, T, A, d) -> (B, T, A * d): put the heads back next to each other."""
    B, A, T, d = t.shape
    return t.transpose(1, 2).reshape(B, T, A * d)


def attention_entropy(text: str, temperature: float) -> float:
    """The lesson's from-scratch attention on MiniLM's layer 0, with the scores divided by temperature * sqrt(d)."""
    tok, model = BertTokenizer.from_pretrained("minilm"), BertModel.from_pretrained("minilm")
    self_attention = model.encoder.layer[0].attention.self
    A, d = model.config.num_attention_heads, model.config.head_size
    with torch.no_grad():
        x = model.embeddings(tok(text, return_tensors="pt")["input_ids"])  # (1, T, H)
        B, T, _ = x.shape
        q, k = (f(x).view(B, T, A, d).transpose(1, 2) for f in (self_attention.query, self_attention.key))
        probs = (q @ k.transpose(-2, -1) / (temperature * math.sqrt(d))).softmax(dim=-1)  # (1, A, T, T)
    return (-(probs * probs.log()).sum(-1)).mean().item()


ANSWERS = {
    # q·k = sum of d = 768 / 12 = 64 products q_i k_i; each has variance 1 and they are independent.
    "03.1": 64,
    "03.2": merge_heads,
    # 12 heads, each a 512 x 512 matrix of probabilities: 12 * 512 * 512. Quadratic in the length.
    "03.3": 12 * 512 * 512,
    # A higher temperature flattens the softmax: the entropy rises towards log(T), the uniform row's.
    "03.4": attention_entropy("The cat sat on the mat because it was tired.", temperature=2.0),
}


def _merge_without_transpose(t: torch.Tensor) -> torch.Tensor:
    """A plausible bug: the right shape, but the heads' numbers interleaved."""
    B, A, T, d = t.shape
    return t.reshape(B, T, A * d)


WRONG = {
    "03.1": [8, 768],  # the standard deviation sqrt(64); H instead of the head size
    "03.2": _merge_without_transpose,
    "03.3": [512 * 512, 12 * 12 * 512 * 512],  # one head; all 12 layers
    "03.4": [attention_entropy("The cat sat on the mat because it was tired.", temperature=1.0),  # the usual √d
             attention_entropy("The cat sat on the mat because it was tired.", temperature=2.0) / math.log(2)],  # bits
}
