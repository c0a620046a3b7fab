"""Lesson 04: the encoder (parameters, memory, FLOPs)."""
from __future__ import annotations

from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode

from minibert.config import BertConfig
from minibert.course.exercises import close_to, exercise
from minibert.encoder import BertLayer
from minibert.modeling import BertModel

MINILM_LENGTH = 256  # exercise 04.4


def _counted_flops(config: BertConfig, length: int) -> int:
    """PyTorch's count of one forward pass (layers + pooler) for one sequence, on the meta device."""
    with torch.device("meta"):
        model = BertModel(config)
        x = torch.empty(1, length, config.hidden_size)  # the embeddings' output: lookups cost no FLOPs
    counter = FlopCounterMode(display=False)
    with counter:  # the explicit attention path: its matmuls are visible to the counter
        model.pooler(model.encoder(x, None, output_attentions=True).last_hidden_state)
    return counter.get_total_flops()


def _meta_layer(preset: str) -> BertLayer:
    with torch.device("meta"):  # shapes without data: instant, even for BERT-large
        return BertLayer(BertConfig.from_preset(preset))


@exercise("04.1", "How many parameters has the feed-forward block (both Linear layers) of one BERT-base layer?")
def _ffn_parameters(answer: Any) -> str | None:
    layer = _meta_layer("base")
    expected = sum(p.numel() for m in (layer.intermediate.dense, layer.output.dense) for p in m.parameters())
    if answer == expected:
        return None
    if answer == layer.intermediate.dense.weight.numel() + layer.output.dense.weight.numel():
        return "the weights are right; add the biases: I for the first Linear, H for the second"
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
    return close_to(_counted_flops(BertConfig.from_preset("base"), 128), rel=1e-6)(answer) and (
        "128 tokens x 2 x (4H^2 + 2HI) per layer, plus 4 T^2 H per layer for attention, plus 2H^2 for the pooler")


@exercise("04.4", f"Measure, with PyTorch's FlopCounterMode as in the lesson, the forward FLOPs of MiniLM "
                  f"(BertConfig.from_pretrained('minilm')) for one sequence of {MINILM_LENGTH} tokens (layers + "
                  "pooler, explicit attention path). Does the lesson's formula agree?", experiment=True)
def _minilm_flops(answer: Any) -> str | None:
    config = BertConfig.from_pretrained("minilm")
    expected = _counted_flops(config, MINILM_LENGTH)
    if close_to(expected, rel=1e-6)(answer) is None:
        return None
    H, I, L, T = config.hidden_size, config.intermediate_size, config.num_hidden_layers, MINILM_LENGTH
    if close_to(T * L * 2 * (4 * H * H + 2 * H * I) + 2 * H * H, rel=1e-6)(answer) is None:
        return "the per-token terms are right; attention's QK^T and probs @ V add 4 T^2 H per layer"
    return "count it: with FlopCounterMode() as counter: model(ids, output_attentions=True); counter.get_total_flops()"
