"""Rotary position embeddings (RoPE, Su et al. 2021), as in ModernBERT (lesson 19).

BERT *adds* a learned vector per position to each token (``minibert.embeddings``): row t of a table of
``max_position_embeddings`` rows. A position it never trained on has an untrained row, and one past the
table has none. RoPE adds nothing to the tokens. It *rotates* each query and key, pair of dimensions by pair
of dimensions, by an angle proportional to the token's position:

    theta_i = base^(-2i / d)   for i = 0 .. d/2 - 1           (fast-turning pairs first, slow ones last)
    q_m -> R(m theta) q_m,     k_n -> R(n theta) k_n          (R: a 2-D rotation of each pair)

A rotation by ``m theta`` then one by ``-n theta`` is one by ``(m - n) theta``, so the score
``q_m . k_n`` after rotation depends on the two positions only through their *distance* ``m - n``: the
model learns relative positions, with no table and nothing to train. Here the pairs are the two halves of
the head's dimensions (``rotate_half``, the GPT-NeoX / Hugging Face layout), not neighbours.

:func:`use_rotary` turns a minibert model into a rotary one in place: the position table goes, and every
self-attention rotates its queries and keys. The checkpoint format is unchanged otherwise.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from minibert.attention import (
    BertSelfAttention,
    SelfAttentionOutput,
    scaled_dot_product_attention,
)
from minibert.embeddings import BertEmbeddings

ROPE_BASE = 10_000.0  # Su et al.; ModernBERT uses 10,000 for its local layers and 160,000 for its global ones


def rotary_cos_sin(length: int, head_size: int, base: float = ROPE_BASE, device: torch.device | None = None,
                   dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of ``position * theta_i`` for positions 0..length-1: two (T, d) tensors (each angle twice,
    once for each half of the head's dimensions)."""
    if head_size % 2:
        raise ValueError(f"rotary embeddings rotate pairs of dimensions: the head size must be even, got {head_size}")
    theta = base ** (-torch.arange(0, head_size, 2, device=device, dtype=torch.float32) / head_size)  # (d/2,)
    angles = torch.arange(length, device=device, dtype=torch.float32)[:, None] * theta[None, :]  # (T, d/2)
    angles = torch.cat([angles, angles], dim=-1)  # (T, d)
    return angles.cos().to(dtype), angles.sin().to(dtype)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    """(x1, x2) -> (-x2, x1) on the two halves of the last dimension: a quarter turn of every pair."""
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([-x2, x1], dim=-1)


def apply_rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate each pair (x_i, x_{i+d/2}) of x (..., T, d) by its angle: x cos + rotate_half(x) sin."""
    return x * cos + rotate_half(x) * sin


class RotarySelfAttention(BertSelfAttention):
    """BERT's self-attention with rotated queries and keys (values are not rotated)."""

    base: float = ROPE_BASE

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, output_attentions: bool = False,
                encoder_hidden_states: torch.Tensor | None = None) -> SelfAttentionOutput:
        if encoder_hidden_states is not None:
            raise ValueError("rotary attention is self-attention only: queries and keys share their positions")
        B, T, H = x.shape
        cos, sin = rotary_cos_sin(T, self.head_size, self.base, x.device, x.dtype)  # (T, d) each
        q = apply_rotary(self.split_heads(self.query(x)), cos, sin)  # (B, A, T, d)
        k = apply_rotary(self.split_heads(self.key(x)), cos, sin)  # (B, A, T, d)
        v = self.split_heads(self.value(x))  # (B, A, T, d)
        dropout_p = self.dropout_p if self.training else 0.0
        if output_attentions:
            context, probs = scaled_dot_product_attention(q, k, v, mask, dropout_p)
        else:
            context, probs = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p), None
        return SelfAttentionOutput(context.transpose(1, 2).reshape(B, T, H), probs, q, k)


class EmbeddingsWithoutPositions(BertEmbeddings):
    """Token + segment embeddings, LayerNorm, dropout: positions come from the attention instead."""

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        x = self.word_embeddings(input_ids)  # (B, T, H)
        if token_type_ids is None:
            x = x + self.token_type_embeddings.weight[0]
        else:
            x = x + self.token_type_embeddings(token_type_ids)
        return self.dropout(self.LayerNorm(x))  # (B, T, H)


def use_rotary(model: nn.Module) -> nn.Module:
    """Make ``model`` (a BertModel or a head model) rotary, in place: no position table, rotated attention.

    The other weights are kept. The config's ``max_position_embeddings`` now only bounds the input length
    the model accepts (``minibert.modeling.check_inputs``); nothing is learned per position.
    """
    bert = getattr(model, "bert", model)
    embeddings = bert.embeddings
    embeddings.__class__ = EmbeddingsWithoutPositions
    del embeddings.position_embeddings  # no table: its rows would never get a gradient
    for layer in bert.encoder.layer:
        layer.attention.self.__class__ = RotarySelfAttention
    return model


def is_rotary(model: nn.Module) -> bool:
    bert = getattr(model, "bert", model)
    return all(isinstance(layer.attention.self, RotarySelfAttention) for layer in bert.encoder.layer)
