"""BERT's optimizer and learning-rate schedule (lesson 09).

AdamW with weight decay on the weight matrices only, and a linear warm-up followed by a linear decay to zero,
as Google's ``optimization.py``.
"""
from __future__ import annotations

from typing import Any, Sequence

import torch
from torch import nn

from .training_args import TrainingArguments


def decay_parameter_names(model: nn.Module) -> set[str]:
    """Names of the parameters that get weight decay: the weight matrices.

    Weight decay pulls weights towards zero. That regularises a matrix (smaller weights, smoother
    function), but a bias or a LayerNorm gain has no such role: pulling a LayerNorm weight to 0
    would just switch the layer's output off, and a bias only shifts. BERT therefore excludes
    both (its TF code: ``exclude_from_weight_decay=["LayerNorm", "layer_norm", "bias"]``).
    """
    no_decay: set[str] = set()
    for module_name, module in model.named_modules():
        for name, _ in module.named_parameters(recurse=False):
            full = f"{module_name}.{name}" if module_name else name
            if name == "bias" or isinstance(module, nn.LayerNorm) or "LayerNorm" in full:
                no_decay.add(full)
    return {name for name, _ in model.named_parameters()} - no_decay


def fused_adamw_available(device: torch.device) -> bool:
    """torch has a fused AdamW kernel (one kernel for all parameters) on cuda, cpu and mps."""
    return device.type in ("cuda", "cpu", "mps")


def default_parameter_groups(model: nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """BERT's two groups: the decayed weight matrices, and the undecayed biases and LayerNorms."""
    decay = decay_parameter_names(model)
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    return [
        {"params": [p for n, p in params if n in decay], "weight_decay": weight_decay},
        {"params": [p for n, p in params if n not in decay], "weight_decay": 0.0},
    ]


def make_optimizer(model: nn.Module, args: TrainingArguments, device: torch.device,
                   param_groups: Sequence[dict[str, Any]] | None = None) -> torch.optim.AdamW:
    """AdamW over ``param_groups`` (torch's format: dicts with ``params`` and their own ``lr`` or
    ``weight_decay``; e.g. a new decoder on a pre-trained encoder learns faster), by default BERT's two
    groups (:func:`default_parameter_groups`). The schedule scales each group's own rate."""
    groups = list(param_groups) if param_groups is not None else default_parameter_groups(model, args.weight_decay)
    fused = fused_adamw_available(device) if args.fused_adamw == "auto" else bool(args.fused_adamw)
    return torch.optim.AdamW(
        groups, lr=args.learning_rate, betas=(args.adam_beta1, args.adam_beta2), eps=args.adam_epsilon,
        fused=fused or None, foreach=None if fused else True,
    )


def linear_schedule(step: int, warmup_steps: int, total_steps: int) -> float:
    """Multiplier of the peak learning rate at ``step`` (0-based): ramp up, then decay to 0.

    Warm-up matters for Adam: its second-moment estimates are noisy over the first steps, and a
    full learning rate then can push the weights somewhere they never recover from.
    """
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))
