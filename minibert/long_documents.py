"""Classifying documents longer than the model's window (lesson 18).

BERT reads at most ``max_position_embeddings`` tokens (512); a classifier is often run with far fewer to save
time. Three ways to classify a longer document with a classifier trained on short texts:

* **truncation** (``"first"``): read the first ``max_length - 2`` tokens, drop the rest. What
  ``truncation=True`` does, and what fails when the deciding sentence comes late;
* **the end** (``"last"``): read only the last ``max_length - 2`` tokens (the sceptic's rule for reviews,
  which often conclude at the end);
* **sliding windows, pooled** (``"mean"``, ``"max"``): cut the document into windows of ``max_length`` that
  overlap by ``stride`` tokens (the tokenizer's ``return_overflowing_tokens``, as for question answering),
  classify each, and pool the windows' logits: their mean, or for each class its largest logit over the
  windows ("some window says so").

Windows cost ``ceil((n - stride) / (max_length - 2 - stride))`` forward passes of ``max_length`` tokens
instead of one; attention inside a window is ``O(max_length^2)``, so windows are cheaper than one long pass
would be, but no token of one window sees a token of another.
"""
from __future__ import annotations

from typing import Any, Sequence

import torch
from torch import nn

from minibert.tasks.batching import input_padding, model_outputs

POOLINGS = ("first", "last", "mean", "max")


def window_features(tokenizer: Any, text: str, max_length: int, stride: int) -> list[dict[str, list[int]]]:
    """The overlapping windows of one text, each ``[CLS] piece [SEP]`` of at most ``max_length`` tokens."""
    enc = tokenizer(text, max_length=max_length, truncation=True, stride=stride, return_overflowing_tokens=True)
    return [{"input_ids": ids, "token_type_ids": types, "attention_mask": mask}
            for ids, types, mask in zip(enc["input_ids"], enc["token_type_ids"], enc["attention_mask"])]


def end_features(tokenizer: Any, text: str, max_length: int) -> dict[str, list[int]]:
    """``[CLS]`` + the last ``max_length - 2`` tokens of the text + ``[SEP]``."""
    ids = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(text))[-(max_length - 2):]
    ids = [tokenizer.cls_token_id, *ids, tokenizer.sep_token_id]
    return {"input_ids": ids, "token_type_ids": [0] * len(ids), "attention_mask": [1] * len(ids)}


def pool_windows(logits: torch.Tensor, how: str) -> torch.Tensor:
    """One document's window logits (W, C) -> (C,): the first window's, the mean, or each class's max."""
    if how == "first":
        return logits[0]
    if how == "mean":
        return logits.mean(dim=0)
    if how == "max":
        return logits.max(dim=0).values
    raise ValueError(f"pooling {how!r} is not one of first, mean, max (\"last\" reads the end separately)")


def window_logits(model: nn.Module, tokenizer: Any, texts: Sequence[str], max_length: int, stride: int,
                  batch_size: int = 64) -> list[torch.Tensor]:
    """For each text, the logits of each of its windows: a list of (W_i, C) tensors."""
    features, owner = [], []
    for index, text in enumerate(texts):
        windows = window_features(tokenizer, text, max_length, stride)
        features += windows
        owner += [index] * len(windows)
    model.eval()
    rows = model_outputs(model, features, input_padding(tokenizer.pad_token_id), batch_size, ["logits"],
                         per_token=False)["logits"]
    return [torch.stack([r for r, o in zip(rows, owner) if o == index]) for index in range(len(texts))]


def classify_long(model: nn.Module, tokenizer: Any, texts: Sequence[str], max_length: int, stride: int,
                  poolings: Sequence[str] = POOLINGS, batch_size: int = 64) -> dict[str, torch.Tensor]:
    """The documents' logits (N, C) under each way of reading them (:data:`POOLINGS`)."""
    unknown = sorted(set(poolings) - set(POOLINGS))
    if unknown:
        raise ValueError(f"unknown pooling {unknown}; choose among {POOLINGS}")
    out: dict[str, torch.Tensor] = {}
    windowed = [h for h in poolings if h != "last"]
    if windowed:
        per_text = window_logits(model, tokenizer, texts, max_length, stride, batch_size)
        out.update({how: torch.stack([pool_windows(w, how) for w in per_text]) for how in windowed})
    if "last" in poolings:
        ends = [end_features(tokenizer, text, max_length) for text in texts]
        rows = model_outputs(model, ends, input_padding(tokenizer.pad_token_id), batch_size, ["logits"],
                             per_token=False)["logits"]
        out["last"] = torch.stack(rows)
    return {how: out[how] for how in poolings}
