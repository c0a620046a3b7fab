"""The knobs of a training run (lesson 09), named as Hugging Face's ``TrainingArguments`` where they exist."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass
class TrainingArguments:
    """The knobs of a run. Names follow Hugging Face's ``TrainingArguments`` where they exist."""

    output_dir: str | Path
    max_steps: int = -1  # optimizer steps; > 0 overrides num_train_epochs
    num_train_epochs: float = 1.0
    per_device_train_batch_size: int = 32
    learning_rate: float = 1e-4  # BERT's pre-training learning rate
    warmup_ratio: float = 0.0  # fraction of the steps spent warming up ...
    warmup_steps: int = 0  # ... or an exact number of steps (wins when > 0)
    weight_decay: float = 0.01
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    adam_epsilon: float = 1e-6  # BERT's value (transformers defaults to 1e-8)
    max_grad_norm: float = 1.0  # 0 or less: no clipping
    gradient_accumulation_steps: int = 1
    seed: int = 42
    device: str = "auto"  # "auto" | "cpu" | "cuda" | "cuda:1" | "mps"
    bf16: bool | str = "auto"  # "auto": on CUDA with bf16, and on CPUs with bf16 instructions
    torch_compile: bool = False
    torch_compile_mode: str | None = None  # e.g. "reduce-overhead" (CUDA graphs); implies torch_compile
    fused_adamw: bool | str = "auto"  # "auto": the fused kernel wherever torch has one
    logging_steps: int = 1  # how often the progress bar's numbers are refreshed
    save_steps: int = 0  # checkpoint every N steps (0: only at the end)
    eval_steps: int = 0  # call eval_fn every N steps (0: only at the end)
    drop_last: bool = True  # drop the last, smaller batch of an epoch
    ddp_find_unused_parameters: bool = False  # DDP: True if some parameters get no gradient in a step
    disable_tqdm: bool = False

    def __post_init__(self) -> None:
        self.output_dir = Path(self.output_dir)
        self.torch_compile = self.torch_compile or self.torch_compile_mode is not None
        if self.per_device_train_batch_size < 1 or self.gradient_accumulation_steps < 1:
            raise ValueError("per_device_train_batch_size and gradient_accumulation_steps must be >= 1")
        if not 0.0 <= self.warmup_ratio <= 1.0:
            raise ValueError(f"warmup_ratio must be in [0, 1], got {self.warmup_ratio}")
        if self.max_steps <= 0 and self.num_train_epochs <= 0:
            raise ValueError("give max_steps > 0 or num_train_epochs > 0")

    def to_dict(self) -> dict[str, Any]:
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}
