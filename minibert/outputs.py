"""What the models return: dataclasses with Hugging Face's names, fields and indexing.

As in transformers, an output is read by name (``out.logits``, ``out["logits"]``) or by position over the
fields that are set (``out[0]`` is the loss when labels were given, else the logits; ``out.to_tuple()``),
so code written for ``transformers`` reads minibert's outputs unchanged. The fields come in transformers'
order; minibert's own extras come last:

* ``attention_queries`` / ``attention_keys`` (per layer, with ``output_attention_inputs=True``), for the
  neuron view of lesson 06;
* in pre-training, ``masked_lm_loss`` and ``next_sentence_loss`` (the two parts of the loss, for logging)
  and ``masked_prediction_logits``: with ``sparse_mlm=True`` the vocabulary is scored only at the masked
  positions, a (n_masked, V) tensor with a name of its own (``prediction_logits``, (B, T, V), is then None).
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Iterator

import torch

Tensor = torch.Tensor
Tensors = tuple[torch.Tensor, ...]


class ModelOutput:
    """Indexing shared by every output: by name, by position among the set fields, or as a tuple."""

    def to_tuple(self) -> tuple[Any, ...]:
        """The fields that are not None, in order (transformers' ``ModelOutput.to_tuple``)."""
        return tuple(value for _, value in self.items())

    def keys(self) -> list[str]:
        return [name for name, _ in self.items()]

    def items(self) -> list[tuple[str, Any]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) is not None]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __contains__(self, name: object) -> bool:
        return name in self.keys()

    def __getitem__(self, key: str | int | slice) -> Any:
        if isinstance(key, str):
            if key not in self.keys():
                raise KeyError(f"{type(self).__name__} has no field {key!r} set")
            return getattr(self, key)
        return self.to_tuple()[key]


@dataclass
class BaseModelOutputWithPooling(ModelOutput):
    last_hidden_state: Tensor | None = None  # (B, T, H): one vector per token
    pooler_output: Tensor | None = None  # (B, H): tanh(W h_[CLS] + b), None without a pooler
    hidden_states: Tensors | None = None  # L + 1 of (B, T, H), with output_hidden_states=True
    attentions: Tensors | None = None  # L of (B, A, T, T), with output_attentions=True
    attention_queries: Tensors | None = None  # L of (B, A, T, d), with output_attention_inputs=True
    attention_keys: Tensors | None = None  # L of (B, A, T, d), with output_attention_inputs=True

    def extras(self) -> dict[str, Tensors | None]:
        """What a head passes on from the encoder: its per-layer tensors."""
        return {"hidden_states": self.hidden_states, "attentions": self.attentions,
                "attention_queries": self.attention_queries, "attention_keys": self.attention_keys}


@dataclass
class BertForPreTrainingOutput(ModelOutput):
    loss: Tensor | None = None  # masked_lm_loss + next_sentence_loss
    prediction_logits: Tensor | None = None  # (B, T, V); None with sparse_mlm=True
    seq_relationship_logits: Tensor | None = None  # (B, 2): 0 = IsNext, 1 = NotNext
    hidden_states: Tensors | None = None
    attentions: Tensors | None = None
    attention_queries: Tensors | None = None
    attention_keys: Tensors | None = None
    masked_lm_loss: Tensor | None = None  # the two parts of the loss, for logging
    next_sentence_loss: Tensor | None = None
    masked_prediction_logits: Tensor | None = None  # (n_masked, V), only with sparse_mlm=True


@dataclass
class MaskedLMOutput(ModelOutput):
    loss: Tensor | None = None  # mean CE over the masked positions
    logits: Tensor | None = None  # (B, T, V)
    hidden_states: Tensors | None = None
    attentions: Tensors | None = None
    attention_queries: Tensors | None = None
    attention_keys: Tensors | None = None


@dataclass
class NextSentencePredictorOutput(ModelOutput):
    loss: Tensor | None = None
    logits: Tensor | None = None  # (B, 2)
    hidden_states: Tensors | None = None
    attentions: Tensors | None = None
    attention_queries: Tensors | None = None
    attention_keys: Tensors | None = None


@dataclass
class SequenceClassifierOutput(ModelOutput):
    loss: Tensor | None = None
    logits: Tensor | None = None  # (B, num_labels)
    hidden_states: Tensors | None = None
    attentions: Tensors | None = None
    attention_queries: Tensors | None = None
    attention_keys: Tensors | None = None


@dataclass
class TokenClassifierOutput(ModelOutput):
    loss: Tensor | None = None
    logits: Tensor | None = None  # (B, T, num_labels)
    hidden_states: Tensors | None = None
    attentions: Tensors | None = None
    attention_queries: Tensors | None = None
    attention_keys: Tensors | None = None


@dataclass
class QuestionAnsweringModelOutput(ModelOutput):
    loss: Tensor | None = None  # (CE(start) + CE(end)) / 2
    start_logits: Tensor | None = None  # (B, T): score of "the answer starts here"
    end_logits: Tensor | None = None  # (B, T)
    hidden_states: Tensors | None = None
    attentions: Tensors | None = None
    attention_queries: Tensors | None = None
    attention_keys: Tensors | None = None


@dataclass
class MultipleChoiceModelOutput(ModelOutput):
    loss: Tensor | None = None
    logits: Tensor | None = None  # (B, C): one score per choice
    hidden_states: Tensors | None = None
    attentions: Tensors | None = None
    attention_queries: Tensors | None = None
    attention_keys: Tensors | None = None
