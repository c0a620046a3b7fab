"""BERT's input representation (lesson 02).

Every token enters the encoder as the SUM of three learned vectors:

    E(token) + E(segment: A or B) + E(position)

then LayerNorm and dropout. The three tables are looked up independently, so the
model must learn, from data alone, what "word", "sentence B" and "position 7" mean.
"""
from __future__ import annotations

import torch
from torch import nn

from .config import BertConfig


class BertEmbeddings(nn.Module):
    """Word + token-type (segment) + learned position embeddings, LayerNorm, dropout."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        # padding_idx: the [PAD] row starts at zero and never receives a gradient (as in transformers).
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        # Learned, not sinusoidal: row t is "being at position t". Its size is the 512-token limit.
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        # Segment embeddings: row 0 is E_A (first sentence, and [CLS]), row 1 is E_B (second sentence).
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        # The capitalised name is the key in Google's checkpoints; keeping it lets them load unchanged.
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        T = input_ids.size(1)
        x = self.word_embeddings(input_ids)  # (B, T, H)
        if token_type_ids is None:
            # Default: everything is segment A. Adding row 0 broadcasts, with no (B, T) zeros tensor.
            x = x + self.token_type_embeddings.weight[0]  # (B, T, H) + (H,)
        else:
            x = x + self.token_type_embeddings(token_type_ids)  # (B, T, H)
        # Position ids are always 0..T-1, so the lookup is a slice of the table (no index tensor needed).
        x = x + self.position_embeddings.weight[:T]  # (B, T, H) + (T, H)
        return self.dropout(self.LayerNorm(x))  # (B, T, H)
