"""The order of the training examples: a seeded shuffle whose position is part of the checkpoint (lesson 09).

Resuming at the saved position gives exactly the next batch, and on several processes each one reads its own
slice of every global batch.
"""
from __future__ import annotations

import copy
import math

import torch


class ResumableSampler:
    """Shuffled batches of indices whose position (epoch, batch) can be saved and restored.

    Epoch ``e`` uses the permutation drawn from ``seed + e`` alone, so the order never depends on
    how many batches were drawn before: resuming at (epoch, batch) gives exactly the next batch.

    On ``world_size`` processes, a *global* batch of ``batch_size x world_size`` indices is drawn and
    process ``rank`` takes its slice ``[rank x batch_size, (rank + 1) x batch_size)``: together the
    processes see what one process with ``world_size`` accumulation steps would see, in the same order.
    """

    def __init__(self, num_examples: int, batch_size: int, seed: int, drop_last: bool = True, rank: int = 0,
                 world_size: int = 1):
        if num_examples < 1:
            raise ValueError("the training dataset is empty")
        self._check(num_examples, batch_size, drop_last, world_size)
        self.num_examples, self.batch_size, self.seed, self.drop_last = num_examples, batch_size, seed, drop_last
        self.rank, self.world_size = rank, world_size
        self.epoch = 0
        self.batch = 0  # global batches already taken from this epoch

    @staticmethod
    def _check(num_examples: int, batch_size: int, drop_last: bool, world_size: int) -> None:
        if world_size > 1 and not drop_last:
            raise ValueError("distributed training needs drop_last=True: every process must get a full batch")
        global_batch = batch_size * world_size
        if drop_last and num_examples < global_batch:
            raise ValueError(f"the dataset has {num_examples} examples, fewer than one batch of {global_batch}")

    def for_process(self, rank: int, world_size: int) -> "ResumableSampler":
        """This sampler for process ``rank`` of ``world_size`` (itself on one process): same order, its slice."""
        if (rank, world_size) == (self.rank, self.world_size):
            return self
        self._check(self.num_examples, self.batch_size, self.drop_last, world_size)
        shard = copy.copy(self)
        shard.rank, shard.world_size = rank, world_size
        return shard

    @property
    def global_batch_size(self) -> int:
        return self.batch_size * self.world_size

    def __len__(self) -> int:
        """Global batches per epoch."""
        if self.drop_last:
            return self.num_examples // self.global_batch_size
        return math.ceil(self.num_examples / self.global_batch_size)

    def permutation(self, epoch: int) -> torch.Tensor:
        generator = torch.Generator().manual_seed(self.seed + epoch)
        return torch.randperm(self.num_examples, generator=generator)

    def next_indices(self) -> tuple[int, list[int]]:
        """The epoch and the indices of the next batch; moves the position on."""
        if self.batch >= len(self):
            self.epoch, self.batch = self.epoch + 1, 0
        start = self.batch * self.global_batch_size + self.rank * self.batch_size
        indices = self.permutation(self.epoch)[start:start + self.batch_size].tolist()
        self.batch += 1
        return self.epoch, indices

    def state_dict(self) -> dict[str, int]:
        return {"epoch": self.epoch, "batch": self.batch}

    def load_state_dict(self, state: dict[str, int]) -> None:
        self.epoch, self.batch = int(state["epoch"]), int(state["batch"])

    def position(self) -> dict[str, int]:
        """Where the run is in the data, for any number of processes: (epoch, samples taken in it)."""
        return {"epoch": self.epoch, "samples": self.batch * self.global_batch_size}

    def load_position(self, position: dict[str, int]) -> None:
        """Continue from a :meth:`position`, possibly saved by a run on another number of processes."""
        samples = int(position["samples"])
        if samples % self.global_batch_size:
            raise ValueError(f"the checkpoint stopped after {samples} samples of epoch {position['epoch']}, not a "
                             f"multiple of this run's global micro-batch of {self.global_batch_size} (per-device "
                             "batch x processes); choose sizes that divide it")
        self.epoch, self.batch = int(position["epoch"]), samples // self.global_batch_size
