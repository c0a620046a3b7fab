"""Batches for fine-tuning and inference: dynamic padding, length-grouped batches, running a model over features.

A feature is a dict of lists (token ids, labels) of its own length; a batch of them must be a rectangle, so
the shorter ones are padded. Two ways to waste less:

1. **Dynamic padding** (:class:`DynamicPadding`): pad each batch to its own longest sequence, not to
   ``max_length``. A review of 20 tokens in a batch whose longest is 40 costs 40 positions, not 128.
2. **Length grouping** (:class:`LengthGroupedSampler`): put sequences of similar length in the same
   batch, so that "its own longest" is close to everyone's length. Sorting the whole dataset by length
   would do that best, but then every epoch has the same batches, in a short-to-long order (a
   curriculum nobody asked for). So, as Hugging Face's ``group_by_length``: shuffle, cut the shuffled
   data into mega-batches of ``mega_batch_mult × batch_size`` examples, sort each mega-batch by length,
   cut it into batches, and shuffle the order of the batches. Batches stay random from epoch to epoch;
   within one, lengths are close.

Attention costs O(T²) per sequence and everything else O(T), so the padding that is saved is compute
saved, on a CPU as on a GPU. Every task's collator is one :class:`DynamicPadding`; only the keys and their
pad values differ (multiple choice's features hold one row per choice and batch to (B, C, T)).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
from torch import nn

from minibert.trainer import Batch, ResumableSampler


def feature_length(feature: Mapping[str, Any]) -> int:
    """Tokens in a feature (its ``input_ids``; for several choices, the longest choice)."""
    ids = feature["input_ids"]
    return max(len(row) for row in ids) if ids and isinstance(ids[0], (list, tuple)) else len(ids)


def _rows_per_feature(key: str, values: Sequence[Sequence[Sequence[Any]]]) -> None:
    counts = {len(v) for v in values}
    if len(counts) != 1:
        raise ValueError(f"every item of a batch needs the same number of choices (rows of {key!r}), "
                         f"got {sorted(counts)}")


def pad_batch(features: Sequence[Mapping[str, Any]], pad_values: Mapping[str, int | float]
              ) -> dict[str, torch.Tensor]:
    """Stack the keys named in ``pad_values`` into tensors, padding on the right with the key's value to the
    longest in the batch: numbers become (B,), lists (B, T), lists of lists (one row per choice) (B, C, T).
    Keys the features lack are left out (evaluation features have no labels); other keys (offsets, word ids)
    are dropped."""
    if not features:
        raise ValueError("cannot collate an empty batch")
    batch = {}
    for key, pad in pad_values.items():
        if key not in features[0]:
            continue
        values = [f[key] for f in features]
        if isinstance(values[0], (int, float)):
            batch[key] = torch.tensor(values)  # (B,)
        elif values[0] and isinstance(values[0][0], (list, tuple)):
            _rows_per_feature(key, values)
            width = max(len(row) for v in values for row in v)
            batch[key] = torch.tensor([[list(row) + [pad] * (width - len(row)) for row in v]
                                       for v in values])  # (B, C, T)
        else:
            width = max(len(v) for v in values)
            batch[key] = torch.tensor([list(v) + [pad] * (width - len(v)) for v in values])  # (B, T)
    check_batch_values(batch)
    return batch


def check_batch_values(batch: Mapping[str, torch.Tensor]) -> None:
    """Where data enters a model: ids and segments are not negative, the mask is 0/1 (a ValueError names the
    key). The model checks the rest (ids below its vocabulary size) where reading values is free; on a GPU it
    does not, so a batch is checked here, on the host, before it goes there."""
    for key in ("input_ids", "token_type_ids"):
        if key in batch and batch[key].numel() and int(batch[key].min()) < 0:
            raise ValueError(f"{key} contains {int(batch[key].min())}: ids and segments are >= 0")
    mask = batch.get("attention_mask")
    if mask is not None and mask.numel() and not bool(((mask == 0) | (mask == 1)).all()):
        bad = sorted(set(mask.unique().tolist()) - {0, 1})
        raise ValueError(f"attention_mask contains {bad}: use 1 for a token and 0 for padding")


class DynamicPadding:
    """A collator: pads the keys in ``pad_values`` to the longest sequence of the batch (`pad_batch`).

    ``DynamicPadding({"input_ids": 0, "token_type_ids": 0, "attention_mask": 0, "labels": -100})``.
    """

    def __init__(self, pad_values: Mapping[str, int | float]):
        self.pad_values = dict(pad_values)

    def __call__(self, features: Sequence[Mapping[str, Any]]) -> dict[str, torch.Tensor]:
        return pad_batch(features, self.pad_values)

    def __repr__(self) -> str:
        return f"DynamicPadding({self.pad_values})"


def input_padding(pad_token_id: int = 0, **other_pads: int | float) -> DynamicPadding:
    """The collator of every task: ``input_ids`` padded with [PAD], segments and mask with 0, plus the
    task's own keys, e.g. ``input_padding(pad, labels=-100)`` (``minibert.heads.IGNORE_INDEX``: labels the
    loss skips)."""
    return DynamicPadding({"input_ids": pad_token_id, "token_type_ids": 0, "attention_mask": 0, **other_pads})


class LengthGroupedSampler(ResumableSampler):
    """The Trainer's resumable sampler, with batches of similar lengths (see the module docstring).

    Epoch ``e``'s order depends only on ``seed + e``, so a resumed run continues with the very batch an
    uninterrupted one would have drawn. The batch holding the longest sequence comes first: if memory
    runs out, it does at step 1, not an hour in. Without ``drop_last``, the one incomplete batch comes last
    (the Trainer cuts an epoch's order into consecutive batches of ``batch_size``).
    """

    def __init__(self, lengths: Sequence[int], batch_size: int, seed: int, drop_last: bool = False,
                 mega_batch_mult: int = 50):
        super().__init__(len(lengths), batch_size, seed, drop_last)
        if mega_batch_mult < 1:
            raise ValueError(f"mega_batch_mult must be >= 1, got {mega_batch_mult}")
        self.lengths = torch.as_tensor(list(lengths))
        self.mega_batch_mult = mega_batch_mult
        self._cache: tuple[int, torch.Tensor] | None = None  # (epoch, its order): asked for at every batch

    def permutation(self, epoch: int) -> torch.Tensor:
        if self._cache is None or self._cache[0] != epoch:
            self._cache = (epoch, self._grouped_order(epoch))
        return self._cache[1]

    def _grouped_order(self, epoch: int) -> torch.Tensor:
        generator = torch.Generator().manual_seed(self.seed + epoch)
        shuffled = torch.randperm(self.num_examples, generator=generator)
        mega = self.batch_size * self.mega_batch_mult
        batches = []
        for group in shuffled.split(mega):
            by_length = group[self.lengths[group].argsort(descending=True, stable=True)]
            batches += list(by_length.split(self.batch_size))
        # Every mega-batch but the last is a whole number of batches: at most one batch is short.
        full = [b for b in batches if len(b) == self.batch_size]
        short = [b for b in batches if len(b) < self.batch_size]
        full = [full[i] for i in torch.randperm(len(full), generator=generator).tolist()]
        if full:
            longest = max(range(len(full)), key=lambda i: int(self.lengths[full[i]].max()))
            full[0], full[longest] = full[longest], full[0]
        return torch.cat(full + short)

    def padding_efficiency(self, epoch: int = 0) -> float:
        """Real tokens / padded positions over one epoch's batches (1.0: no padding at all)."""
        order = self.permutation(epoch)
        batches = order.split(self.batch_size)
        real = sum(int(self.lengths[b].sum()) for b in batches)
        padded = sum(len(b) * int(self.lengths[b].max()) for b in batches)
        return real / padded


def model_outputs(model: nn.Module, features: Sequence[Mapping[str, Any]], collate: Callable[[list], Batch],
                  batch_size: int, fields: Sequence[str], per_token: bool) -> dict[str, list[torch.Tensor]]:
    """Run ``model`` over ``features`` and return, for each output field, one tensor per feature, in order.

    Batches are formed in order of length (with dynamic padding, little is padded), then put back in
    the features' order. ``per_token``: the fields are (B, T, ...) and each row is cut to its feature's
    own length, dropping the padding; otherwise they are (B, ...) and kept whole.
    """
    device = next(model.parameters()).device
    order = sorted(range(len(features)), key=lambda i: feature_length(features[i]))
    results: dict[str, list[torch.Tensor | None]] = {f: [None] * len(features) for f in fields}
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            indices = order[start:start + batch_size]
            batch = collate([features[i] for i in indices])
            out = model(**{k: v.to(device) for k, v in batch.items()})
            for field in fields:
                values = getattr(out, field).float().cpu()
                for row, i in zip(values, indices):
                    results[field][i] = row[:feature_length(features[i])] if per_token else row
    return results  # type: ignore[return-value]
