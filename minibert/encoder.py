"""The encoder: a stack of identical Transformer layers, and the pooler (lesson 04).

One layer, in the original post-LayerNorm arrangement:

    a = LayerNorm(x + Dropout(SelfAttention(x)))        # tokens exchange information
    y = LayerNorm(a + Dropout(W2 GELU(W1 a + b1) + b2))  # each token is processed on its own

Module and attribute names (``attention.self``, ``attention.output``, ``intermediate``,
``output``, ``LayerNorm``) are those of Google's checkpoints, so their weights load by name.
"""
from __future__ import annotations

from functools import partial
from typing import Callable, NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from .attention import BertSelfAttention, SelfAttentionOutput
from .config import BertConfig

# BERT uses the exact GELU, x * Phi(x) with the Gaussian CDF (erf); "gelu_new" is the tanh approximation.
ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "gelu": F.gelu,
    "gelu_new": partial(F.gelu, approximate="tanh"),
    "gelu_pytorch_tanh": partial(F.gelu, approximate="tanh"),
    "relu": F.relu,
}


class AddNorm(nn.Module):
    """Project, dropout, add the residual, LayerNorm: the tail of both sub-layers.

    (transformers calls the two instances BertSelfOutput and BertOutput; they are the same idea.)
    """

    def __init__(self, config: BertConfig, in_features: int) -> None:
        super().__init__()
        self.dense = nn.Linear(in_features, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        # Post-LN: normalise AFTER adding the residual (the 2018 recipe; GPT-2 and later moved LN first).
        return self.LayerNorm(residual + self.dropout(self.dense(x)))  # (B, T, H)


class BertAttention(nn.Module):
    """Self-attention sub-layer: a = LayerNorm(x + Dropout(SelfAttention(x) W_O))."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.self = BertSelfAttention(config)  # the checkpoint key is literally "attention.self"
        self.output = AddNorm(config, config.hidden_size)  # W_O, the output projection, then add & norm

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None, output_attentions: bool = False,
        encoder_hidden_states: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, SelfAttentionOutput]:
        """``encoder_hidden_states`` given: cross-attention (keys and values from them); ``mask`` then masks
        their padding."""
        attn = self.self(x, mask, output_attentions, encoder_hidden_states)
        return self.output(attn.context, x), attn  # (B, T, H)


class BertIntermediate(nn.Module):
    """First half of the feed-forward block: GELU(x W1 + b1), widening H -> I (= 4H)."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)
        self.act = ACTIVATIONS[config.hidden_act]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.dense(x))  # (B, T, I)


class BertLayer(nn.Module):
    """One encoder layer: attention sub-layer, then the position-wise feed-forward sub-layer."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.attention = BertAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = AddNorm(config, config.intermediate_size)  # W2: I -> H, then add & norm

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None, output_attentions: bool = False
    ) -> tuple[torch.Tensor, SelfAttentionOutput]:
        a, attn = self.attention(x, mask, output_attentions)  # a = LN(x + Dropout(Attn(x))): (B, T, H)
        y = self.output(self.intermediate(a), a)  # y = LN(a + Dropout(FFN(a))): (B, T, H)
        return y, attn


class EncoderOutput(NamedTuple):
    last_hidden_state: torch.Tensor  # (B, T, H)
    hidden_states: tuple[torch.Tensor, ...] | None  # L + 1 of (B, T, H): the embeddings, then each layer
    attentions: tuple[torch.Tensor, ...] | None  # L of (B, A, T, T)
    attention_queries: tuple[torch.Tensor, ...] | None  # L of (B, A, T, d)
    attention_keys: tuple[torch.Tensor, ...] | None  # L of (B, A, T, d)


class BertEncoder(nn.Module):
    """L layers applied in turn; optionally collects what each layer saw and did."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.layer = nn.ModuleList(BertLayer(config) for _ in range(config.num_hidden_layers))

    def forward(
        self,
        x: torch.Tensor,
        mask: torch.Tensor | None = None,
        output_hidden_states: bool = False,
        output_attentions: bool = False,
        output_attention_inputs: bool = False,
    ) -> EncoderOutput:
        # Keep references only to what was asked for: in inference they would otherwise pin memory.
        hidden_states = [x] if output_hidden_states else None
        attentions = [] if output_attentions else None
        queries, keys = ([], []) if output_attention_inputs else (None, None)
        for layer in self.layer:
            x, attn = layer(x, mask, output_attentions)  # (B, T, H)
            if hidden_states is not None:
                hidden_states.append(x)
            if attentions is not None:
                attentions.append(attn.probs)
            if queries is not None:
                queries.append(attn.queries)
                keys.append(attn.keys)
        return EncoderOutput(x, *(None if v is None else tuple(v) for v in (hidden_states, attentions, queries, keys)))


class BertPooler(nn.Module):
    """pooled = tanh(h_[CLS] W + b): one vector for the whole input, fed to sentence-level heads."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        # [CLS] sits at position 0; pre-training with NSP taught it to summarise the pair.
        return torch.tanh(self.dense(hidden_states[:, 0]))  # (B, H)
