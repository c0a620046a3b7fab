"""Efficient fine-tuning batches: dynamic padding and length-grouped batches.

A batch of token sequences must be a rectangle, so the shorter ones are padded. Two ways to waste less:

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
saved, on a CPU as on a GPU.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from minibert.tasks.qa import pad_batch
from minibert.trainer import ResumableSampler

IGNORE_INDEX = -100  # label of positions the loss skips (padding, sub-word continuations)


def feature_length(feature: Mapping[str, Any]) -> int:
    """Tokens in a feature (its ``input_ids``; for several choices, the longest choice)."""
    ids = feature["input_ids"]
    return max(len(row) for row in ids) if ids and isinstance(ids[0], (list, tuple)) else len(ids)


class DynamicPadding:
    """A collator: pads the keys in ``pad_values`` to the longest sequence of the batch (see module doc).

    ``DynamicPadding({"input_ids": 0, "token_type_ids": 0, "attention_mask": 0, "labels": -100})``;
    keys a feature lacks are left out (evaluation features have no labels), other keys are dropped.
    """

    def __init__(self, pad_values: Mapping[str, int]):
        self.pad_values = dict(pad_values)

    def __call__(self, features: Sequence[Mapping[str, Any]]) -> dict[str, torch.Tensor]:
        return pad_batch(features, self.pad_values)

    def __repr__(self) -> str:
        return f"DynamicPadding({self.pad_values})"


def input_padding(pad_token_id: int, **labels_pad: int) -> DynamicPadding:
    """The usual collator: ``input_ids`` padded with [PAD], segments and mask with 0, plus label keys."""
    return DynamicPadding({"input_ids": pad_token_id, "token_type_ids": 0, "attention_mask": 0, **labels_pad})


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
