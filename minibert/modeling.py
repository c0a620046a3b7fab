"""BertModel and what every BERT model shares: input checks, initialisation, loading, saving.

    input_ids (B, T) -> BertEmbeddings -> BertEncoder (L layers) -> last_hidden_state (B, T, H)
                                                                 -> BertPooler -> pooler_output (B, H)

The task heads (heads.py) put a small layer on top of one of the two outputs.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any, TypeVar

import torch
from torch import nn

from .attention import padding_mask
from .config import BertConfig
from .embeddings import BertEmbeddings
from .encoder import BertEncoder, BertPooler, EncoderOutput
from .hub import resolve_model_dir
from .outputs import BaseModelOutputWithPooling
from .weights import load_weights, save_weights


# ----------------------------------------------------------------------------------------------
# Input checks: a wrong id would otherwise give an opaque index error (or a silent wrong answer on GPU).
#
# Shapes and dtypes are checked on every call (they are known on the host). Values (ids in range, a mask
# of 0/1) need the numbers themselves: reading them costs nothing on the CPU, but on a GPU it is a
# device->host copy that makes every step wait, and under torch.compile it would break the graph. So by
# default ("auto") the model reads values only for CPU tensors outside a compiled graph; the data
# entry points (tokenizer, collators, pipelines) check their own values anyway. "always" (a debug mode,
# e.g. for a GPU run that fails oddly) reads them everywhere outside compiled graphs; "never" skips them.

INPUT_CHECKS = ("auto", "always", "never")
_input_checks = "auto"


def set_input_checks(mode: str) -> None:
    """``"auto"`` (default), ``"always"`` (debug: also on GPU, one synchronisation per forward) or ``"never"``."""
    global _input_checks
    if mode not in INPUT_CHECKS:
        raise ValueError(f"input checks must be one of {INPUT_CHECKS}, got {mode!r}")
    _input_checks = mode


def reads_values(tensor: torch.Tensor) -> bool:
    """Whether the forward pass may look at ``tensor``'s numbers on the host (see above)."""
    if torch.compiler.is_compiling() or _input_checks == "never":
        return False
    return _input_checks == "always" or tensor.device.type == "cpu"


def check_inputs(
    config: BertConfig,
    input_ids: torch.Tensor,
    token_type_ids: torch.Tensor | None,
    attention_mask: torch.Tensor | None,
) -> bool:
    """Raise ValueError naming the problem; return whether the attention mask must be applied.

    Where the values may be read (:func:`reads_values`), one small host copy serves all the range checks,
    and a mask with no padding is recognised (and dropped: SDPA may then take its fastest kernel).
    Elsewhere a given mask is always applied; a batch without padding then gets its fast path by passing
    ``attention_mask=None`` (the collators do).
    """
    if not isinstance(input_ids, torch.Tensor) or input_ids.dim() != 2:
        shape = tuple(input_ids.shape) if isinstance(input_ids, torch.Tensor) else type(input_ids).__name__
        raise ValueError(f"input_ids must be a 2-D tensor (batch, seq_len), got {shape}")
    if input_ids.dtype.is_floating_point or input_ids.dtype == torch.bool:
        raise ValueError(f"input_ids must hold integer token ids, got dtype {input_ids.dtype}")
    B, T = input_ids.shape
    if B == 0 or T == 0:
        raise ValueError(f"empty batch: input_ids has shape {(B, T)}; need at least one token in one sequence")
    if T > config.max_position_embeddings:
        raise ValueError(
            f"sequence length {T} is longer than max_position_embeddings ({config.max_position_embeddings}): "
            "the model has no position embedding beyond that; truncate the input (truncation=True, max_length=...)"
        )
    for name, tensor in (("token_type_ids", token_type_ids), ("attention_mask", attention_mask)):
        if tensor is not None and tuple(tensor.shape) != (B, T):
            raise ValueError(f"{name} must have the shape of input_ids {(B, T)}, got {tuple(tensor.shape)}")
    if not reads_values(input_ids):
        return attention_mask is not None
    checks = [("input_ids", input_ids, config.vocab_size, f"vocab_size = {config.vocab_size}")]
    if token_type_ids is not None:
        checks.append(("token_type_ids", token_type_ids, config.type_vocab_size,
                       f"type_vocab_size = {config.type_vocab_size}"))
    if attention_mask is not None:
        checks.append(("attention_mask", attention_mask.long(), 2, "1 = token, 0 = padding"))
    # One device -> host copy for all the range checks: the min and max of each tensor.
    bounds = torch.stack([v for _, tensor, _, _ in checks for v in tensor.aminmax()]).tolist()
    for (name, _, limit, meaning), lo, hi in zip(checks, bounds[::2], bounds[1::2]):
        if lo < 0 or hi >= limit:
            bad = lo if lo < 0 else hi
            raise ValueError(f"{name} contains {bad}, outside [0, {limit}) ({meaning})")
    return attention_mask is not None and bounds[-2] == 0


def compute_dtype(x: torch.Tensor) -> torch.dtype:
    """The dtype attention scores will have: autocast's (e.g. bf16) when it is on, else the tensor's."""
    device = x.device.type
    return torch.get_autocast_dtype(device) if torch.is_autocast_enabled(device) else x.dtype


# ----------------------------------------------------------------------------------------------
# The base class: initialisation, from_pretrained, save_pretrained.

ModelT = TypeVar("ModelT", bound="BertPreTrainedModel")


class BertPreTrainedModel(nn.Module):
    """Shared by BertModel and every head: holds the config, initialises, loads and saves weights."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.config = config

    @torch.no_grad()
    def _init_weights(self, module: nn.Module) -> None:
        # What transformers (and Google's TF code, up to truncation) does: small normal weights,
        # zero biases, identity LayerNorms. std = 0.02 keeps early activations in a sane range.
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            module.weight.normal_(0.0, std)
            if module.bias is not None:
                module.bias.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.normal_(0.0, std)
            if module.padding_idx is not None:
                module.weight[module.padding_idx].zero_()  # [PAD] starts as the zero vector
        elif isinstance(module, nn.LayerNorm):
            module.weight.fill_(1.0)
            module.bias.zero_()

    def post_init(self) -> None:
        """Call at the end of __init__: initialise the sub-modules (a nested BertModel did its own)."""
        for child in self.children():
            if not isinstance(child, BertPreTrainedModel):
                child.apply(self._init_weights)

    def num_parameters(self) -> int:
        """Trainable numbers in the model (a tied matrix counts once)."""
        return sum(p.numel() for p in self.parameters())

    @classmethod
    def from_pretrained(
        cls: type[ModelT], path_or_name: str | os.PathLike, config: BertConfig | None = None, **config_overrides: Any
    ) -> ModelT:
        """Build the model from a directory (config.json + weights), a short name ('minilm') or a hub name.

        ``config_overrides`` change config fields, e.g. ``num_labels=3`` for a new classifier.
        Weights the file lacks (a new head) are initialised and listed in one warning.
        The model is returned in eval mode, as in transformers; call ``.train()`` to fine-tune.
        """
        directory = resolve_model_dir(path_or_name)
        config = config if config is not None else BertConfig.from_pretrained(directory)
        if config_overrides:
            config = dataclasses.replace(config, **config_overrides)
        model = cls(config)
        load_weights(model, directory)
        return model.eval()

    def save_pretrained(self, directory: str | os.PathLike) -> Path:
        """Write config.json and model.safetensors (readable by transformers' from_pretrained)."""
        directory = Path(directory)
        dataclasses.replace(self.config, architectures=[type(self).__name__]).save_pretrained(directory)
        save_weights(self, directory)
        return directory


class BertModel(BertPreTrainedModel):
    """The bare encoder: embeddings, L layers, and (optionally) the pooler."""

    def __init__(self, config: BertConfig, add_pooling_layer: bool = True) -> None:
        super().__init__(config)
        self.embeddings = BertEmbeddings(config)
        self.encoder = BertEncoder(config)
        self.pooler = BertPooler(config) if add_pooling_layer else None
        self.post_init()

    def forward(
        self,
        input_ids: torch.Tensor,
        *,
        token_type_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        output_attentions: bool = False,
        output_hidden_states: bool = False,
        output_attention_inputs: bool = False,
    ) -> BaseModelOutputWithPooling:
        """input_ids (B, T); token_type_ids (B, T) of 0 (segment A) / 1 (B); attention_mask (B, T) of 1 / 0 (pad).

        output_attentions=True takes the explicit attention path and returns the probabilities.
        """
        has_padding = check_inputs(self.config, input_ids, token_type_ids, attention_mask)
        x = self.embeddings(input_ids, token_type_ids)  # (B, T, H)
        # Without padding there is nothing to mask, and SDPA can take its fastest (flash) kernel.
        mask = padding_mask(attention_mask, compute_dtype(x)) if has_padding else None  # (B, 1, 1, T)
        enc: EncoderOutput = self.encoder(x, mask, output_hidden_states, output_attentions, output_attention_inputs)
        pooled = self.pooler(enc.last_hidden_state) if self.pooler is not None else None  # (B, H)
        return BaseModelOutputWithPooling(
            last_hidden_state=enc.last_hidden_state,
            pooler_output=pooled,
            hidden_states=enc.hidden_states,
            attentions=enc.attentions,
            attention_queries=enc.attention_queries,
            attention_keys=enc.attention_keys,
        )

