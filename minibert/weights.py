"""Reading and writing Hugging Face BERT checkpoints.

Our module names ARE the checkpoint keys (``bert.encoder.layer.0.attention.self.query.weight``),
so no renaming table is needed; this file only smooths over how checkpoints differ:

- the file: ``model.safetensors`` (preferred: plain tensors, nothing to execute) or the older
  ``pytorch_model.bin`` (a pickle, read with ``weights_only=True`` so it cannot run code);
- the ``bert.`` prefix: a bare encoder (MiniLM) has none, a model with heads has it;
- TF-converted checkpoints name LayerNorm parameters ``gamma``/``beta`` instead of ``weight``/``bias``;
- entries that are not weights of ours: the ``position_ids`` buffer, and the MLM decoder, which is
  the word-embedding matrix itself (tied) and its bias ``cls.predictions.bias``;
- heads the file has and the model does not (dropped), or the model has and the file does not
  (newly initialised): both are reported in one warning.
"""
from __future__ import annotations

import os
import pickle
import warnings
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save
from torch import nn

from .files import atomic_write_bytes

SAFETENSORS_NAME = "model.safetensors"
PYTORCH_NAME = "pytorch_model.bin"
PREFIX = "bert."
BACKBONE = ("embeddings.", "encoder.", "pooler.")  # the top-level modules of BertModel
LEGACY_SUFFIXES = {".gamma": ".weight", ".beta": ".bias"}  # TF-era LayerNorm names
# Keys that are never weights of ours: buffers, and the tied decoder (our decoder reads the embeddings).
IGNORED = ("embeddings.position_ids", "embeddings.token_type_ids",
           "cls.predictions.decoder.weight", "cls.predictions.decoder.bias")


def read_state_dict(directory: str | os.PathLike) -> tuple[dict[str, torch.Tensor], Path]:
    """The tensors of the checkpoint in ``directory``, and the file they came from."""
    directory = Path(directory)
    path = directory / SAFETENSORS_NAME
    try:
        if path.is_file():
            return load_file(path), path
        path = directory / PYTORCH_NAME
        if path.is_file():
            state = torch.load(path, map_location="cpu", weights_only=True)
            if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
                raise ValueError("it does not hold a dict of tensors")
            return state, path
    except (SafetensorError, pickle.UnpicklingError, OSError, RuntimeError, ValueError, EOFError) as err:
        raise ValueError(
            f"cannot read the weights file {path}: {err} (truncated, corrupt, or not a checkpoint?)"
        ) from err
    raise FileNotFoundError(f"no {SAFETENSORS_NAME} or {PYTORCH_NAME} in {directory}")


def normalise_keys(state: dict[str, torch.Tensor], model_keys: set[str]) -> dict[str, torch.Tensor]:
    """Rename checkpoint keys to the model's: legacy LayerNorm names, ``bert.`` prefix added or removed."""
    wants_prefix = any(k.startswith(PREFIX) for k in model_keys)
    out = {}
    for key, tensor in state.items():
        for old, new in LEGACY_SUFFIXES.items():
            if key.endswith(old) and "LayerNorm" in key:
                key = key[: -len(old)] + new
        if wants_prefix and key.startswith(BACKBONE):
            key = PREFIX + key  # bare-encoder checkpoint into a model with heads
        elif not wants_prefix and key.startswith(PREFIX):
            key = key[len(PREFIX):]  # checkpoint with heads into a bare BertModel
        if not key.endswith(IGNORED):
            out[key] = tensor
    return out


def load_weights(model: nn.Module, directory: str | os.PathLike) -> None:
    """Copy the checkpoint in ``directory`` into ``model``; warn once about new and unused weights."""
    state, path = read_state_dict(directory)
    expected = model.state_dict()
    state = normalise_keys(state, set(expected))
    found = [k for k in expected if k in state]
    if not found:
        raise ValueError(f"none of the weights in {path} match {type(model).__name__}; is it a BERT checkpoint?")
    for key in found:
        if state[key].shape != expected[key].shape:
            raise ValueError(
                f"shape mismatch for {key}: the file {path.name} has {tuple(state[key].shape)}, "
                f"the model expects {tuple(expected[key].shape)} (does config.json match the weights?)"
            )
    model.load_state_dict({k: state[k] for k in found}, strict=False)
    missing = [k for k in expected if k not in state]
    unused = sorted(set(state) - set(expected))
    if missing or unused:
        parts = []
        if missing:
            parts.append(f"newly initialised (not in the file, train them before use): {_listing(missing)}")
        if unused:
            parts.append(f"in the file but not used by {type(model).__name__}: {_listing(unused)}")
        warnings.warn(f"loading {path}: " + "; ".join(parts), stacklevel=3)


def _listing(keys: list[str], limit: int = 12) -> str:
    more = f" and {len(keys) - limit} more" if len(keys) > limit else ""
    return ", ".join(keys[:limit]) + more


def save_weights(model: nn.Module, directory: str | os.PathLike) -> Path:
    """Write ``model.safetensors`` atomically: a crash mid-write never leaves a half file behind."""
    path = Path(directory) / SAFETENSORS_NAME
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    return atomic_write_bytes(path, save(state, metadata={"format": "pt"}))  # transformers checks "format"
