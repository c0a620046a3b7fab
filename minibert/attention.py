"""Multi-head self-attention (lesson 03), and the cross-attention of a decoder (lesson 14) with the same module.

Each token asks a question (its query q), every token offers a label (its key k) and
a payload (its value v). A token's new vector is the average of all payloads, weighted
by how well its question matches each label:

    Attention(Q, K, V) = softmax(Q K^T / sqrt(d) + mask) V

Two implementations, tested equal: PyTorch's fused ``F.scaled_dot_product_attention``
(the default: fast and memory-light, but it never materialises the probabilities) and
the explicit formula below, used when someone wants to look at the probabilities.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from .config import BertConfig


def padding_mask(attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """(B, T) of 1 (real token) / 0 (padding) -> additive mask (B, 1, 1, T) of 0 / very negative.

    Added to the scores before the softmax, it gives padding keys a probability of ~0. We use the
    dtype's most negative number rather than -inf: a row that is all padding then gets a uniform
    softmax instead of NaN (inf - inf), and NaNs never leak into the loss.
    """
    keep = attention_mask[:, None, None, :].to(torch.bool)  # (B, 1, 1, T): broadcasts over heads and queries
    zero = torch.zeros((), dtype=dtype, device=attention_mask.device)
    return torch.where(keep, zero, torch.finfo(dtype).min)  # (B, 1, 1, T)


def scaled_dot_product_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None, dropout_p: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """The explicit formula. q, k, v: (B, A, T, d); mask: additive, broadcastable to (B, A, T, T).

    Returns (context (B, A, T, d), probabilities (B, A, T, T)); the probabilities are those before
    dropout, each row sums to 1.
    """
    scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(q.size(-1)))  # QK^T / sqrt(d): (B, A, T, T)
    if mask is not None:
        scores = scores + mask  # padding keys -> very negative score
    probs = scores.softmax(dim=-1)  # softmax over the keys: (B, A, T, T)
    # Attention dropout drops whole "who looks at whom" links, as in the original BERT.
    dropped = F.dropout(probs, dropout_p) if dropout_p > 0 else probs
    return dropped @ v, probs  # (B, A, T, d), (B, A, T, T)


class SelfAttentionOutput(NamedTuple):
    context: torch.Tensor  # (B, T, H): the heads' outputs side by side
    probs: torch.Tensor | None  # (B, A, T, T), only on the explicit path
    queries: torch.Tensor  # (B, A, T, d)
    keys: torch.Tensor  # (B, A, T, d)


class BertSelfAttention(nn.Module):
    """A heads, each attending in its own d = H / A dimensional subspace.

    Given ``encoder_hidden_states`` (as in transformers), the keys and values come from them instead of
    from ``x``: cross-attention, by which a decoder's tokens read the encoder's (lesson 14). The queries
    always come from ``x``.
    """

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.num_heads = config.num_attention_heads  # A
        self.head_size = config.head_size  # d = H / A
        # Three separate projections (not one fused H -> 3H): the checkpoint keys and the lesson
        # both speak of W_Q, W_K and W_V.
        self.query = nn.Linear(config.hidden_size, config.hidden_size)
        self.key = nn.Linear(config.hidden_size, config.hidden_size)
        self.value = nn.Linear(config.hidden_size, config.hidden_size)
        self.dropout_p = config.attention_probs_dropout_prob

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        B, T, _ = x.shape
        return x.view(B, T, self.num_heads, self.head_size).transpose(1, 2)  # (B, T, H) -> (B, A, T, d)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None, output_attentions: bool = False,
        encoder_hidden_states: torch.Tensor | None = None,
    ) -> SelfAttentionOutput:
        B, T, H = x.shape
        source = x if encoder_hidden_states is None else encoder_hidden_states  # (B, S, H); S = T for self-attention
        q = self.split_heads(self.query(x))  # Q = x W_Q: (B, A, T, d)
        k = self.split_heads(self.key(source))  # K = source W_K: (B, A, S, d)
        v = self.split_heads(self.value(source))  # V = source W_V: (B, A, S, d)
        dropout_p = self.dropout_p if self.training else 0.0
        if output_attentions:
            context, probs = scaled_dot_product_attention(q, k, v, mask, dropout_p)  # (B, A, T, d)
        else:
            context = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p)  # (B, A, T, d)
            probs = None
        context = context.transpose(1, 2).reshape(B, T, H)  # concatenate the heads: (B, T, H)
        return SelfAttentionOutput(context, probs, q, k)
