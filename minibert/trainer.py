"""A small, generic training loop (lesson 09, reused by the fine-tuning lessons).

Everything a real BERT run needs, and nothing else. The loop is here; its pieces live one idea per file:
``training_args`` (the knobs), ``optim`` (AdamW and the schedule), ``sampling`` (the resumable data order),
``checkpoint`` (seeds, RNG states, checkpoint files), ``device`` (where and in which dtype).

* AdamW with weight decay 0.01, except on biases and LayerNorm weights;
* a linear warm-up of the learning rate, then a linear decay to zero;
* gradient clipping and gradient accumulation;
* the device chosen for you (cuda, then mps, then cpu), bf16 autocast where the
  hardware has fast bf16 matrix units, optional ``torch.compile``;
* a seeded shuffling sampler whose position is part of the checkpoint, so that
  ``resume=True`` continues with the very next batch and, on CPU, gives the same
  losses to the bit as a run that was never interrupted;
* checkpoints written atomically (a crash never leaves half a file);
* a NaN or infinite loss stops the run and keeps the last good checkpoint;
* per-step metrics appended to ``output_dir/metrics.jsonl`` (one JSON object a line);
* data parallel on several processes when launched with ``torchrun`` (``minibert.distributed``):
  each process takes its slice of every batch, DistributedDataParallel averages the gradients, and
  the global batch (per-device batch x accumulation x processes), the schedule and the steps mean what
  they mean on one process; rank 0 alone writes checkpoints, metrics and the progress bar.

A batch is a dict of tensors passed as ``model(**batch)``; the output has ``.loss``.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from tqdm.auto import tqdm

from . import distributed
from .checkpoint import CHECKPOINT_NAME, atomic_save, load_checkpoint, rng_state, set_rng_state, set_seed
from .device import use_bf16
from .files import atomic_write_text
from .optim import linear_schedule, make_optimizer
from .sampling import ResumableSampler
from .training_args import TrainingArguments

METRICS_NAME = "metrics.jsonl"

Batch = dict[str, torch.Tensor]
MetricsFn = Callable[[Any, Batch], dict[str, float]]
EvalFn = Callable[[nn.Module], dict[str, float]]


def default_collate(examples: Sequence[dict[str, Any]]) -> Batch:
    """Stack equal-shaped examples (dicts of tensors or numbers) into one batch."""
    return {key: torch.stack([torch.as_tensor(e[key]) for e in examples]) for key in examples[0]}


class TrainingDiverged(FloatingPointError):
    """The loss (or the gradient norm) became NaN or infinite."""


# ----------------------------------------------------------------------------- trainer


@dataclass
class TrainOutput:
    """What ``Trainer.train`` returns, with Hugging Face's meanings."""
    global_step: int
    training_loss: float  # the mean training loss over the steps this call ran (as transformers')
    metrics: dict[str, float]  # the last step's record (and the last evaluation's)


class Trainer:
    """Train ``model`` on ``train_dataset`` (indexable: ``len`` and ``[i]``).

    ``collate_fn`` turns a list of examples into a batch (a dict of tensors). If the dataset has
    ``set_epoch(epoch)``, it is called before each epoch's batches (dynamic masking draws new
    masks per epoch). ``metrics_fn(outputs, batch)`` adds numbers to each step's record;
    ``eval_fn(model)`` is called (in eval mode, without gradients) every ``eval_steps`` and at the end.
    ``forward_kwargs`` are passed to every training forward call, e.g. ``{"sparse_mlm": True}``.

    The extension points are arguments, as minGPT's ``configure_optimizers``: ``sampler`` (the order of the
    examples: a :class:`ResumableSampler` or a subclass such as ``minibert.tasks.batching.
    LengthGroupedSampler``, built for one process with ``per_device_train_batch_size``; default a seeded
    shuffle) and ``param_groups`` (the optimizer's groups; default BERT's decayed / undecayed pair). The
    number of steps follows from the sampler given.

    Launched by ``torchrun``, the model is wrapped in ``DistributedDataParallel`` and each process
    reads its slice of each batch (the sampler, whatever it is, is given this process's rank and the
    world size); ``self.model`` stays the plain model.
    """

    def __init__(self, model: nn.Module, args: TrainingArguments, train_dataset: Any,
                 collate_fn: Callable[[list[Any]], Batch] = default_collate, *,
                 sampler: ResumableSampler | None = None, param_groups: Sequence[dict[str, Any]] | None = None,
                 metrics_fn: MetricsFn | None = None, eval_fn: EvalFn | None = None,
                 forward_kwargs: dict[str, Any] | None = None):
        self.args = args
        self.dist = distributed.setup(args.device)
        self.device = self.dist.device
        self.bf16 = use_bf16(args.bf16, self.device)
        self.model = model.to(self.device)
        # DDP averages the gradients of all processes during backward; torch.compile goes outside it.
        self.ddp = DistributedDataParallel(
            self.model, device_ids=[self.device.index] if self.device.type == "cuda" else None,
            find_unused_parameters=args.ddp_find_unused_parameters) if self.dist.distributed else None
        wrapped = self.ddp or self.model
        self.forward = torch.compile(wrapped, mode=args.torch_compile_mode) if args.torch_compile else wrapped
        self.train_dataset, self.collate_fn = train_dataset, collate_fn
        self.metrics_fn, self.eval_fn = metrics_fn, eval_fn
        self.forward_kwargs = forward_kwargs or {}
        if sampler is None:
            sampler = ResumableSampler(len(train_dataset), args.per_device_train_batch_size, args.seed, args.drop_last)
        elif (sampler.num_examples, sampler.batch_size) != (len(train_dataset), args.per_device_train_batch_size):
            raise ValueError(f"the sampler draws batches of {sampler.batch_size} from {sampler.num_examples} examples, "
                             f"but the run has batches of {args.per_device_train_batch_size} from {len(train_dataset)}")
        self.sampler = sampler.for_process(self.dist.rank, self.dist.world_size)
        self.max_steps = self._total_steps()
        self.warmup_steps = args.warmup_steps or math.ceil(args.warmup_ratio * self.max_steps)
        self.optimizer = make_optimizer(self.model, args, self.device, param_groups)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, self._lr_lambda)
        self.step = 0
        self._epoch_seen = -1

    @property
    def checkpoint_path(self) -> Path:
        return Path(self.args.output_dir) / CHECKPOINT_NAME

    @property
    def metrics_path(self) -> Path:
        return Path(self.args.output_dir) / METRICS_NAME

    def _total_steps(self) -> int:
        if self.args.max_steps > 0:
            return self.args.max_steps
        micro_batches = self.args.num_train_epochs * len(self.sampler)
        return max(1, math.ceil(micro_batches / self.args.gradient_accumulation_steps))

    def _lr_lambda(self, step: int) -> float:
        return linear_schedule(step, self.warmup_steps, self.max_steps)

    def lr_at(self, step: int) -> float:
        """The learning rate used by optimizer step ``step`` (0-based); lessons plot this."""
        return self.args.learning_rate * self._lr_lambda(step)

    # --------------------------------------------------------------- state

    def state_dict(self) -> dict[str, Any]:
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "step": self.step,
            "sampler": self.sampler.state_dict(),
            "position": self.sampler.position(),  # global: valid for any number of processes
            "rng": rng_state(),
            "args": self.args.to_dict(),
        }

    def save_checkpoint(self) -> Path:
        """Rank 0 writes (every process holds the same weights and optimizer state)."""
        if self.dist.is_main:
            atomic_save(self.state_dict(), self.checkpoint_path)
        return self.checkpoint_path

    def load_checkpoint(self, path: str | Path | None = None) -> None:
        """Restore everything ``state_dict`` saved; a checkpoint of another model is a ValueError."""
        path = Path(path or self.checkpoint_path)
        state = load_checkpoint(path)
        try:
            self.model.load_state_dict(state["model"])
            self.optimizer.load_state_dict(state["optimizer"])
        except (RuntimeError, ValueError, KeyError) as err:
            raise ValueError(f"the checkpoint {path} does not fit this model and optimizer: {err}") from err
        self.scheduler.load_state_dict(state["scheduler"])
        if "position" in state:
            self.sampler.load_position(state["position"])
        else:
            self.sampler.load_state_dict(state["sampler"])
        self.step = int(state["step"])
        set_rng_state(state["rng"])

    # --------------------------------------------------------------- the loop

    def _next_batch(self) -> Batch:
        epoch, indices = self.sampler.next_indices()
        if epoch != self._epoch_seen and hasattr(self.train_dataset, "set_epoch"):
            self.train_dataset.set_epoch(epoch)  # e.g. redraw the MLM masks for this epoch
        self._epoch_seen = epoch
        batch = self.collate_fn([self.train_dataset[i] for i in indices])
        return {k: v.to(self.device, non_blocking=True) for k, v in batch.items()}

    def _train_step(self) -> dict[str, float]:
        """One optimizer step over ``gradient_accumulation_steps`` micro-batches."""
        accum = self.args.gradient_accumulation_steps
        loss_sum, tokens = 0.0, 0
        extra: dict[str, float] = {}
        for micro in range(accum):
            batch = self._next_batch()
            # DDP: average the gradients across processes once, after the last micro-batch, not after each.
            sync = self.ddp is None or micro == accum - 1
            with (contextlib.nullcontext() if sync else self.ddp.no_sync()):
                with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bf16):
                    outputs = self.forward(**batch, **self.forward_kwargs)
                loss = outputs.loss.float()
                # Each micro-batch's loss is a mean over its examples; dividing by `accum` makes the
                # summed gradients those of the mean over the whole (accumulated) batch. DDP then
                # averages over the processes: the gradient of the mean over the global batch.
                (loss / accum).backward()
            loss_sum += loss.item()
            tokens += count_tokens(batch)
            if self.metrics_fn is not None:
                with torch.no_grad():
                    for key, value in self.metrics_fn(outputs, batch).items():
                        extra[key] = extra.get(key, 0.0) + float(torch.as_tensor(value).detach()) / accum
        # The numbers of the global batch: means over the processes (one collective), tokens summed.
        averaged = distributed.all_reduce_mean({"loss": loss_sum / accum, "tokens": tokens, **extra}, self.device)
        loss_value, tokens = averaged.pop("loss"), round(averaged.pop("tokens") * self.dist.world_size)
        extra = averaged
        grad_norm = self._clip_gradients()
        if not (math.isfinite(loss_value) and math.isfinite(grad_norm)):
            self.optimizer.zero_grad(set_to_none=True)
            kept = f"at {self.checkpoint_path}" if self.checkpoint_path.exists() else "(none was written yet)"
            raise TrainingDiverged(
                f"the loss became {loss_value} (gradient norm {grad_norm}) at step {self.step + 1}; training "
                f"stopped before the weights were updated. The last good checkpoint is kept {kept}. "
                "Try a lower learning rate, more warm-up, or training without bf16."
            )
        lr = self.scheduler.get_last_lr()[0]
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        return {"loss": loss_value, "lr": lr, "grad_norm": grad_norm, "tokens": tokens, **extra}

    def _clip_gradients(self) -> float:
        params = [p for p in self.model.parameters() if p.grad is not None]
        if self.args.max_grad_norm > 0:
            return float(torch.nn.utils.clip_grad_norm_(params, self.args.max_grad_norm))
        return float(torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in params])))

    def evaluate(self) -> dict[str, float]:
        """Run ``eval_fn`` in eval mode, without gradients; keys get an ``eval_`` prefix."""
        if self.eval_fn is None:
            return {}
        self.model.eval()
        with torch.no_grad(), torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            results = self.eval_fn(self.model)
        self.model.train()
        return {k if k.startswith("eval_") else f"eval_{k}": float(v) for k, v in results.items()}

    def _due(self, every: int) -> bool:
        return (every > 0 and self.step % every == 0) or self.step == self.max_steps

    def train(self, resume: bool = False) -> TrainOutput:
        """Train to ``max_steps``; with ``resume=True`` continue from ``output_dir/checkpoint.pt``.

        Resuming with a larger ``max_steps`` extends a finished run (the learning-rate schedule is
        then that of the new total).
        """
        out = Path(self.args.output_dir)
        out.mkdir(parents=True, exist_ok=True)
        main = self.dist.is_main  # rank 0 alone writes files and shows progress
        if resume:
            self.load_checkpoint()
            if main:
                truncate_metrics(self.metrics_path, self.step)
        else:
            set_seed(self.args.seed)
            if main:
                self.metrics_path.write_text("")
        if main:
            atomic_write_text(out / "training_args.json", json.dumps(self.args.to_dict(), indent=2) + "\n")
        self.model.train()
        record: dict[str, float] = {}
        losses: list[float] = []
        bar = tqdm(total=self.max_steps, initial=self.step, desc="training", unit="step",
                   disable=self.args.disable_tqdm or not main)
        with bar, open(self.metrics_path if main else os.devnull, "a", encoding="utf-8") as log:
            while self.step < self.max_steps:
                start = time.perf_counter()
                result = self._train_step()
                self.step += 1
                tokens_per_s = result.pop("tokens") / (time.perf_counter() - start)
                record = {"step": self.step, "epoch": self.sampler.epoch, **result, "tokens_per_s": tokens_per_s}
                losses.append(record["loss"])
                if self._due(self.args.eval_steps) and main:
                    record.update(self.evaluate())
                log.write(json.dumps(record) + "\n")
                log.flush()
                if self._due(self.args.save_steps):
                    self.save_checkpoint()
                bar.update(1)
                if self._due(self.args.logging_steps):
                    bar.set_postfix(loss=f"{record['loss']:.4f}", lr=f"{record['lr']:.2e}",
                                    tok_s=f"{record['tokens_per_s']:.0f}")
        distributed.barrier()  # the last checkpoint is on disk before any process moves on
        return TrainOutput(self.step, sum(losses) / len(losses) if losses else math.nan, record)


def count_tokens(batch: Batch) -> int:
    """Real (non-padding) tokens in a batch, for tokens/s; examples if there are no token ids."""
    if "attention_mask" in batch:
        return int(batch["attention_mask"].sum())
    if "input_ids" in batch:
        return batch["input_ids"].numel()
    return len(next(iter(batch.values())))


def truncate_metrics(path: Path, step: int) -> None:
    """Drop the records after ``step`` (written after the checkpoint a run resumes from)."""
    if not path.exists():
        return
    kept = [line for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and json.loads(line)["step"] <= step]
    atomic_write_text(path, "".join(line + "\n" for line in kept))


def read_metrics(path: str | Path) -> list[dict[str, float]]:
    """The records of a ``metrics.jsonl`` file (a run's directory or the file itself)."""
    path = Path(path)
    if path.is_dir():
        path = path / METRICS_NAME
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
