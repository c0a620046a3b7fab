"""Where a run computes, and in which precision.

``resolve_device("auto")`` picks CUDA, then Apple's MPS, then the CPU. bf16 autocast halves the bytes and,
on hardware with bf16 matrix units, roughly doubles the matmul speed; on hardware without them bf16 is
*emulated* and many times slower than fp32. So minibert uses bf16 only where it is fast: CUDA cards that
support it, and CPUs with AVX-512 BF16 or AMX. Most laptops have neither (AVX2 only).

One switch, read here and nowhere else: ``MINIBERT_CPU_BF16=0`` makes minibert treat the CPU as having no
fast bf16, so a developer on a bf16 machine runs exactly what a laptop runs (``make test`` sets it).
"""
from __future__ import annotations

import os

import torch

CPU_BF16_SWITCH = "MINIBERT_CPU_BF16"
_OFF, _ON = ("0", "false", "no", "off"), ("", "1", "auto", "true", "yes", "on")


def resolve_device(name: str = "auto") -> torch.device:
    """``"auto"`` picks the fastest device present: cuda, then Apple's mps, then the cpu."""
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def cpu_has_bf16_units() -> bool:
    """True when the CPU itself has bf16 matrix instructions (AVX-512 BF16 or AMX), whatever the switch."""
    if "AVX512" not in torch.backends.cpu.get_cpu_capability():
        return False
    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def cpu_bf16_allowed() -> bool:
    """False when ``MINIBERT_CPU_BF16=0`` asks to run as a CPU without bf16 units would."""
    value = os.environ.get(CPU_BF16_SWITCH, "").strip().lower()
    if value not in _OFF + _ON:
        raise ValueError(f"{CPU_BF16_SWITCH}={value!r}: use 0 (treat the CPU as having no fast bf16) "
                         "or 1/auto (use bf16 where the CPU has bf16 units)")
    return value not in _OFF


def cpu_has_fast_bf16() -> bool:
    """bf16 units present and not switched off: the only case in which minibert computes in bf16 on a CPU."""
    return cpu_bf16_allowed() and cpu_has_bf16_units()


def has_fast_bf16(device: torch.device) -> bool:
    """Whether bf16 matrix products are fast (not emulated) on ``device``."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return device.type == "cpu" and cpu_has_fast_bf16()


def use_bf16(setting: bool | str, device: torch.device) -> bool:
    """Resolve a run's ``bf16`` setting: ``"auto"`` is bf16 where it is fast, ``False`` never.

    ``True`` where bf16 would be emulated is an error: it would run many times slower than fp32.
    """
    if setting == "auto":
        return has_fast_bf16(device)
    if setting is True and not has_fast_bf16(device):
        why = (f"{CPU_BF16_SWITCH}=0 is set" if device.type == "cpu" and cpu_has_bf16_units()
               else f"this {device.type} has no bf16 matrix units")
        raise ValueError(f"bf16=True, but {why}: bf16 would be emulated, far slower than fp32. "
                         "Use bf16='auto' (bf16 where it is fast) or False.")
    if setting not in (True, False):
        raise ValueError(f"bf16 must be True, False or 'auto', got {setting!r}")
    return setting
