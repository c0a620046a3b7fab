"""What lesson 19's experiment shares: the course corpus as token ids, a small BERT, and a plain training loop.

Everything runs on one CPU thread from fixed seeds, so a run gives the same numbers every time (up to
float noise between CPUs); the lesson re-runs the first steps of a seed live and compares.
"""
from __future__ import annotations

import random
from functools import lru_cache
from typing import Any, Callable, Protocol, Sequence

import torch
from torch import nn

from minibert.config import BertConfig
from minibert.course.corpus import course_corpus, course_vocab_dir
from minibert.pretraining_data import (
    PretrainingCollator,
    TokenizedDocument,
    tokenize_documents,
)
from minibert.tokenizer import BertTokenizer

SIZES = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=2, intermediate_size=256)  # half course-tiny


class EpochData(Protocol):
    def __len__(self) -> int: ...
    def __getitem__(self, index: int) -> dict: ...
    def set_epoch(self, epoch: int) -> None: ...


@lru_cache(maxsize=None)
def tokenizer() -> BertTokenizer:
    return BertTokenizer.from_pretrained(course_vocab_dir())


@lru_cache(maxsize=None)
def documents(split: str, n: int | None = None) -> tuple[TokenizedDocument, ...]:
    """The first ``n`` documents of a split of the course corpus, as token ids."""
    return tuple(tokenize_documents(course_corpus(split)[:n], tokenizer()))


def config(max_position_embeddings: int = 128, **overrides: Any) -> BertConfig:
    """A BERT of half course-tiny's width (L2/H64/A2/I256), the course vocabulary, no dropout (short runs)."""
    return BertConfig.from_preset("tiny", vocab_size=len(tokenizer()), max_position_embeddings=max_position_embeddings,
                                  hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, **{**SIZES, **overrides})


def collate(examples: Sequence[dict]) -> dict[str, torch.Tensor]:
    return PretrainingCollator(tokenizer().pad_token_id)(examples)


def batch_indices(n: int, batch_size: int, steps: int, seed: int) -> list[tuple[int, list[int]]]:
    """(epoch, indices) of ``steps`` batches: a fresh shuffle each epoch, the same for every run of a seed."""
    rng, out, epoch = random.Random(seed), [], 0
    order: list[int] = []
    while len(out) < steps:
        if len(order) < batch_size:
            order = rng.sample(range(n), n)
            epoch += 1
        out.append((epoch - 1, order[:batch_size]))
        order = order[batch_size:]
    return out


def train(model: nn.Module, data: EpochData, loss_of: Callable[[nn.Module, dict], torch.Tensor],
          steps: int, seed: int, batch_size: int = 32, lr: float = 1e-3, warmup: int = 100,
          stop_after: int | None = None, on_checkpoint: Callable[[int, nn.Module], None] | None = None,
          checkpoints: Sequence[int] = ()) -> list[float]:
    """AdamW with warm-up and linear decay over ``steps``; ``stop_after``: that many steps of the schedule.

    ``loss_of(model, batch)`` is the objective; the dataset's epoch is set before each batch (new dynamic
    masks each epoch). Returns the losses, one per step."""
    torch.manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, 1 - s / steps))
    losses = []
    model.train()
    for step, (epoch, indices) in enumerate(batch_indices(len(data), batch_size, steps, seed)[:stop_after], 1):
        data.set_epoch(epoch)
        loss = loss_of(model, collate([data[i] for i in indices]))
        loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        if on_checkpoint is not None and step in checkpoints:
            model.eval()
            on_checkpoint(step, model)
            model.train()
    return losses
