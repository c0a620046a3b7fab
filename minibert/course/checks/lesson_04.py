"""Lesson 04: the encoder (parameters, memory, FLOPs)."""
from __future__ import annotations

from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode

from minibert.config import BertConfig
from minibert.encoder import BertLayer
from minibert.course.exercises import close_to, exercise
from minibert.modeling import BertModel


def _meta_layer(preset: str) -> BertLayer:
    with torch.device("meta"):  # shapes without data: instant, even for BERT-large
        return BertLayer(BertConfig.from_preset(preset))


@exercise("04.1", "How many parameters has the feed-forward block (both Linear layers) of one BERT-base layer?")
def _ffn_parameters(answer: Any) -> str | None:
    layer = _meta_layer("base")
    expected = sum(p.numel() for m in (layer.intermediate.dense, layer.output.dense) for p in m.parameters())
    if answer == expected:
        return None
    return "H x I weights + I biases for the first Linear, I x H + H for the second (H=768, I=3072)"


@exercise("04.2", "How many MiB do the fp32 attention probabilities of one BERT-large layer take for one "
                  "512-token sequence?")
def _probs_mib(answer: Any) -> str | None:
    config = BertConfig.from_preset("large")
    heads, length = config.num_attention_heads, config.max_position_embeddings
    expected = heads * length * length * torch.finfo(torch.float32).bits // 8 / 2**20  # (A, T, T) floats
    return close_to(expected)(answer) and "one (A, T, T) tensor of 4-byte floats, divided by 2**20"


@exercise("04.3", "How many forward FLOPs does BERT-base take for one sequence of 128 tokens (layers + pooler)?")
def _forward_flops(answer: Any) -> str | None:
    config = BertConfig.from_preset("base")
    with torch.device("meta"):
        model = BertModel(config)
        x = torch.empty(1, 128, config.hidden_size)  # the embeddings' output: lookups cost no FLOPs
    counter = FlopCounterMode(display=False)
    with counter:  # the explicit attention path: its matmuls are visible to the counter
        model.pooler(model.encoder(x, None, output_attentions=True).last_hidden_state)
    return close_to(counter.get_total_flops(), rel=1e-6)(answer) and (
        "128 tokens x 2 x (4H^2 + 2HI) per layer, plus 4 T^2 H per layer for attention, plus 2H^2 for the pooler")
