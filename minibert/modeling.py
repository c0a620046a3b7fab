"""BertModel and what every BERT model shares: outputs, input checks, initialisation, loading, saving.

    input_ids (B, T) -> BertEmbeddings -> BertEncoder (L layers) -> last_hidden_state (B, T, H)
                                                                 -> BertPooler -> pooler_output (B, H)

The task heads (heads.py) put a small layer on top of one of the two outputs.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import torch
from torch import nn

from .attention import padding_mask
from .config import BertConfig
from .embeddings import BertEmbeddings
from .encoder import BertEncoder, BertPooler, EncoderOutput
from .hub import resolve_model_dir
from .weights import load_weights, save_weights

Tensors = tuple[torch.Tensor, ...]


# ----------------------------------------------------------------------------------------------
# Outputs: dataclasses with Hugging Face's attribute names; `out["name"]` works too.


@dataclass
class ModelOutput:
    """What the encoder can report besides its result; every output class has these fields."""

    hidden_states: Tensors | None = None  # L + 1 of (B, T, H), with output_hidden_states=True
    attentions: Tensors | None = None  # L of (B, A, T, T), with output_attentions=True
    attention_queries: Tensors | None = None  # L of (B, A, T, d), with output_attention_inputs=True
    attention_keys: Tensors | None = None  # L of (B, A, T, d), with output_attention_inputs=True

    def __getitem__(self, name: str) -> Any:
        if not isinstance(name, str) or name not in self.__dataclass_fields__:
            raise KeyError(f"{type(self).__name__} has no field {name!r}")
        return getattr(self, name)


@dataclass
class BaseModelOutputWithPooling(ModelOutput):
    last_hidden_state: torch.Tensor | None = None  # (B, T, H): one vector per token
    pooler_output: torch.Tensor | None = None  # (B, H): tanh(W h_[CLS] + b), None without a pooler


@dataclass
class BertForPreTrainingOutput(ModelOutput):
    loss: torch.Tensor | None = None  # masked_lm_loss + next_sentence_loss
    prediction_logits: torch.Tensor | None = None  # (B, T, V), or (n_masked, V) with sparse_mlm=True
    seq_relationship_logits: torch.Tensor | None = None  # (B, 2): 0 = IsNext, 1 = NotNext
    masked_lm_loss: torch.Tensor | None = None  # the two parts of the loss, for logging
    next_sentence_loss: torch.Tensor | None = None


@dataclass
class ClassifierOutput(ModelOutput):
    """Masked LM (B, T, V), next sentence (B, 2), sequence (B, labels), token (B, T, labels), choice (B, C)."""

    loss: torch.Tensor | None = None
    logits: torch.Tensor | None = None


@dataclass
class QuestionAnsweringOutput(ModelOutput):
    loss: torch.Tensor | None = None  # (CE(start) + CE(end)) / 2
    start_logits: torch.Tensor | None = None  # (B, T): score of "the answer starts here"
    end_logits: torch.Tensor | None = None  # (B, T)


def encoder_extras(out: ModelOutput) -> dict[str, Tensors | None]:
    """The optional fields a head passes through from its BertModel output."""
    return {f.name: getattr(out, f.name) for f in dataclasses.fields(ModelOutput)}


# ----------------------------------------------------------------------------------------------
# Input checks: a wrong id would otherwise give an opaque index error (or a silent wrong answer on GPU).


def check_inputs(
    config: BertConfig,
    input_ids: torch.Tensor,
    token_type_ids: torch.Tensor | None,
    attention_mask: torch.Tensor | None,
) -> bool:
    """Raise ValueError naming the problem; return whether ``attention_mask`` hides any position.

    Costs one small device->host copy per call, for all the range checks together.
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

