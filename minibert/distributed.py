"""Data parallel training on several processes with PyTorch's own tools (lesson 15).

minibert does not invent a distributed system. ``torchrun`` starts one process per GPU and tells each,
through environment variables, who it is (``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``) and where to meet
(``MASTER_ADDR``, ``MASTER_PORT``); ``torch.distributed`` connects them; ``DistributedDataParallel``
averages the gradients after each backward pass. This module holds the few helpers the trainer needs:

    torchrun --nproc_per_node 8 -m minibert pretrain --corpus shards/ --preset base ...

Without ``torchrun`` (no ``WORLD_SIZE`` in the environment) everything here is a no-op for a single
process, so the same code runs both ways. The backend is NCCL between GPUs and gloo on CPUs (the tests
run two CPU processes with gloo).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class DistributedState:
    rank: int  # this process, 0 .. world_size - 1
    local_rank: int  # this process on its machine: its GPU
    world_size: int  # processes in all
    device: torch.device

    @property
    def is_main(self) -> bool:
        """Rank 0 alone writes checkpoints, metrics and the progress bar."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def launched_by_torchrun() -> bool:
    return "WORLD_SIZE" in os.environ and "RANK" in os.environ


def requested_world_size() -> int:
    """The number of processes torchrun started (1 without torchrun), before joining any group."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def setup(device: str = "auto") -> DistributedState:
    """Join the process group ``torchrun`` set up (once), or describe the single process.

    Each process takes the GPU of its ``LOCAL_RANK``. ``device="cpu"`` (or no GPU) gives gloo.
    """
    from .device import resolve_device

    if not launched_by_torchrun() or int(os.environ["WORLD_SIZE"]) == 1:
        return DistributedState(0, 0, 1, resolve_device(device))
    rank, local_rank, world_size = (int(os.environ[k]) for k in ("RANK", "LOCAL_RANK", "WORLD_SIZE"))
    chosen = resolve_device(device)
    if chosen.type == "cuda":
        chosen = torch.device("cuda", local_rank)
        torch.cuda.set_device(chosen)
    elif chosen.type != "cpu":
        raise ValueError(f"distributed training runs on cuda or cpu, not {chosen.type}")
    if not dist.is_initialized():
        dist.init_process_group("nccl" if chosen.type == "cuda" else "gloo")
    return DistributedState(rank, local_rank, world_size, chosen)


def get_rank() -> int:
    return dist.get_rank() if dist.is_initialized() else 0


def get_world_size() -> int:
    return dist.get_world_size() if dist.is_initialized() else 1


def is_main_process() -> bool:
    return get_rank() == 0


def barrier() -> None:
    """Wait until every process gets here (e.g. rank 0 has finished writing a checkpoint)."""
    if dist.is_initialized():
        dist.barrier()


def all_reduce_mean(values: dict[str, float], device: torch.device) -> dict[str, float]:
    """The mean of each number over all processes (one collective for the whole dict)."""
    if not dist.is_initialized() or not values:
        return values
    keys = sorted(values)
    tensor = torch.tensor([float(values[k]) for k in keys], dtype=torch.float64, device=device)
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return {k: float(v) / dist.get_world_size() for k, v in zip(keys, tensor.tolist())}


def cleanup() -> None:
    """Leave the process group (at the end of a torchrun process)."""
    if dist.is_initialized():
        dist.destroy_process_group()
