"""Pruning attention heads: which heads a fine-tuned BERT can do without (lesson 18).

Michel, Levy and Neubig (2019), "Are Sixteen Heads Really Better than One?": after fine-tuning, many heads
can be removed with little loss. A head's output is a slice of the context vector, ``context[..., h*d:(h+1)*d]``,
which the output projection W_O reads through the matching columns. Two ways to drop it, equal in eval mode:

* **mask** it (:func:`masked_heads`): zero its slice of the context before W_O; cheap to undo, used to
  *measure* what each head is worth (:func:`ablation_losses`);
* **prune** it (:func:`prune_heads`): delete its rows of W_Q, W_K, W_V and its columns of W_O, so the model
  is smaller and its attention cheaper. (The value bias of a pruned head leaves with it: whatever a
  head adds goes through its columns of W_O, and those are gone.)
"""
from __future__ import annotations

import contextlib
import warnings
from typing import Callable, Iterable, Iterator

import torch
import torch.nn.functional as F
from torch import nn

from minibert.attention import BertSelfAttention, SelfAttentionOutput, scaled_dot_product_attention

Head = tuple[int, int]  # (layer, head)


def encoder_layers(model: nn.Module) -> nn.ModuleList:
    """The encoder layers of a BertModel or of any head model (``model.bert``)."""
    bert = getattr(model, "bert", model)
    return bert.encoder.layer


def heads_per_layer(model: nn.Module) -> list[int]:
    """How many heads each layer has now (pruned ones are gone)."""
    return [layer.attention.self.num_heads for layer in encoder_layers(model)]


def all_heads(model: nn.Module) -> list[Head]:
    return [(l, h) for l, n in enumerate(heads_per_layer(model)) for h in range(n)]


@contextlib.contextmanager
def masked_heads(model: nn.Module, heads: Iterable[Head]) -> Iterator[nn.Module]:
    """Inside the block, the given heads output zeros (a hook on each W_O); the model is unchanged after."""
    by_layer: dict[int, list[int]] = {}
    for layer, head in heads:
        by_layer.setdefault(layer, []).append(head)
    handles = []
    for index, layer in enumerate(encoder_layers(model)):
        if index not in by_layer:
            continue
        size = layer.attention.self.head_size
        keep = torch.ones(layer.attention.self.num_heads * size)
        for head in by_layer[index]:
            keep[head * size:(head + 1) * size] = 0.0

        def zero_heads(module: nn.Module, args: tuple[torch.Tensor], keep: torch.Tensor = keep) -> tuple[torch.Tensor]:
            return (args[0] * keep.to(args[0]),)  # context (B, T, A*d), masked heads' slices zeroed

        handles.append(layer.attention.output.dense.register_forward_pre_hook(zero_heads))
    try:
        yield model
    finally:
        for handle in handles:
            handle.remove()


class PrunedSelfAttention(BertSelfAttention):
    """Self-attention with fewer heads than the hidden size holds: Q, K, V project H -> A' * d."""

    def __init__(self, attention: BertSelfAttention, keep: list[int]) -> None:
        nn.Module.__init__(self)
        d = attention.head_size
        self.num_heads, self.head_size, self.dropout_p = len(keep), d, attention.dropout_p
        rows = torch.tensor([h * d + i for h in keep for i in range(d)], dtype=torch.long)  # (A' * d,)
        self.query, self.key, self.value = (_rows(getattr(attention, name), rows) for name in ("query", "key", "value"))
        self.train(attention.training)  # a new module starts in training mode: keep the model's mode

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, output_attentions: bool = False,
                encoder_hidden_states: torch.Tensor | None = None) -> SelfAttentionOutput:
        B, T, _ = x.shape
        source = x if encoder_hidden_states is None else encoder_hidden_states
        q, k, v = (self.split_heads(proj(t)) for proj, t in ((self.query, x), (self.key, source), (self.value, source)))
        dropout_p = self.dropout_p if self.training else 0.0
        if self.num_heads == 0:  # every head pruned: the sub-layer adds only W_O's bias
            context, probs = q, q.new_zeros(B, 0, T, source.size(1)) if output_attentions else None
        elif output_attentions:
            context, probs = scaled_dot_product_attention(q, k, v, mask, dropout_p)  # (B, A', T, d)
        else:
            context, probs = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p), None
        context = context.transpose(1, 2).reshape(B, T, self.num_heads * self.head_size)  # (B, T, A' * d)
        return SelfAttentionOutput(context, probs, q, k)


def _rows(linear: nn.Linear, rows: torch.Tensor) -> nn.Linear:
    """A Linear that computes only the given output rows of ``linear``."""
    with warnings.catch_warnings():  # a layer whose heads are all pruned has no rows: nothing to initialise
        warnings.simplefilter("ignore", UserWarning)
        new = nn.Linear(linear.in_features, len(rows), bias=linear.bias is not None).to(linear.weight)
    with torch.no_grad():
        new.weight.copy_(linear.weight[rows])
        if linear.bias is not None:
            new.bias.copy_(linear.bias[rows])
    return new


def _columns(linear: nn.Linear, columns: torch.Tensor) -> nn.Linear:
    """A Linear that reads only the given input columns of ``linear``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        new = nn.Linear(len(columns), linear.out_features, bias=linear.bias is not None).to(linear.weight)
    with torch.no_grad():
        new.weight.copy_(linear.weight[:, columns])
        if linear.bias is not None:
            new.bias.copy_(linear.bias)
    return new


def prune_heads(model: nn.Module, heads: Iterable[Head]) -> nn.Module:
    """Remove ``heads`` (``(layer, head)`` pairs, numbered as the model is now) from ``model``, in place.

    Returns the model. Its config still says how many heads a full layer has; ``heads_per_layer`` says how
    many each layer kept.
    """
    by_layer: dict[int, set[int]] = {}
    for layer, head in heads:
        by_layer.setdefault(layer, set()).add(head)
    for index, layer in enumerate(encoder_layers(model)):
        if not by_layer.get(index):
            continue
        attention = layer.attention.self
        unknown = sorted(h for h in by_layer[index] if not 0 <= h < attention.num_heads)
        if unknown:
            raise ValueError(f"layer {index} has {attention.num_heads} heads; cannot prune {unknown}")
        keep = [h for h in range(attention.num_heads) if h not in by_layer[index]]
        d = attention.head_size
        columns = torch.tensor([h * d + i for h in keep for i in range(d)], dtype=torch.long)
        layer.attention.self = PrunedSelfAttention(attention, keep)
        layer.attention.output.dense = _columns(layer.attention.output.dense, columns)
    return model


def ablation_losses(model: nn.Module, loss_of: Callable[[nn.Module], float],
                    heads: Iterable[Head] | None = None) -> dict[Head, float]:
    """``loss_of(model)`` with each head masked in turn: what losing that head alone costs.

    ``loss_of`` evaluates the model (eval mode, no gradients) on held-out data, e.g. its mean
    cross-entropy; the heads whose loss rises least are the first to prune.
    """
    model.eval()
    scores = {}
    with torch.no_grad():
        for head in (all_heads(model) if heads is None else heads):
            with masked_heads(model, [head]):
                scores[head] = float(loss_of(model))
    return scores


def pruning_order(losses: dict[Head, float]) -> list[Head]:
    """The heads from least to most costly to lose (ties: by layer, then head)."""
    return sorted(losses, key=lambda head: (losses[head], head))

