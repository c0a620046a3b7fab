"""Shared by the benchmarks: the machine's description, a matmul peak, interleaved timing, RESULTS.md.

The machine is shared and noisy, so every comparison runs its contenders in ONE process,
alternating A, B, A, B, ... after a warm-up, and reports medians.
"""
from __future__ import annotations

import os
import platform
import re
import statistics
import time
from pathlib import Path
from typing import Callable

import torch

from minibert.device import CPU_BF16_SWITCH, cpu_bf16_allowed, cpu_has_bf16_units, cpu_has_fast_bf16

RESULTS = Path(__file__).with_name("RESULTS.md")


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def describe_machine(device: torch.device) -> str:
    """CPU model, cores, threads, GPU (if used), torch and transformers versions."""
    cpu = platform.processor() or "unknown CPU"
    flags = ""
    try:
        info = Path("/proc/cpuinfo").read_text()
        cpu = re.search(r"model name\s*:\s*(.*)", info).group(1).strip()
        flag_set = set(re.search(r"flags\s*:\s*(.*)", info).group(1).split())
        flags = " ".join(f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16") if f in flag_set)
    except (OSError, AttributeError):
        pass
    # What torch actually uses can be less than the flags say (ATEN_CPU_CAPABILITY, ONEDNN_MAX_CPU_ISA, the switch).
    used = f"kernels {torch.backends.cpu.get_cpu_capability()}"
    used += ", " + ("bf16 units used" if cpu_has_fast_bf16() else "no bf16" + (
        f" ({CPU_BF16_SWITCH}=0)" if cpu_has_bf16_units() and not cpu_bf16_allowed() else " units"))
    if os.environ.get("ONEDNN_MAX_CPU_ISA"):
        used += f", ONEDNN_MAX_CPU_ISA={os.environ['ONEDNN_MAX_CPU_ISA']}"
    parts = [f"{cpu} ({os.cpu_count()} cores{', flags ' + flags if flags else ''}; {used}), "
             f"torch {torch.__version__} with {torch.get_num_threads()} threads"]
    if device.type == "cuda":
        parts.append(f"GPU {torch.cuda.get_device_name(device)}")
    try:
        import transformers

        parts.append(f"transformers {transformers.__version__}")
    except ImportError:
        pass
    return ", ".join(parts)


def matmul_peak(device: torch.device, dtype: torch.dtype, n: int, repeats: int = 5) -> float:
    """FLOP/s of an n x n x n matrix product, the median of ``repeats`` (after one warm-up)."""
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    times = []
    for i in range(repeats + 1):
        synchronize(device)
        start = time.perf_counter()
        a @ b
        synchronize(device)
        if i:
            times.append(time.perf_counter() - start)
    return 2 * n**3 / statistics.median(times)


def interleaved_medians(steps: dict[str, Callable[[], None]], warmup: int, iters: int,
                        device: torch.device) -> dict[str, float]:
    """Median seconds per call of each function, called round-robin (A, B, A, B, ...)."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for i in range(warmup + iters):
        for name, step in steps.items():
            synchronize(device)
            start = time.perf_counter()
            step()
            synchronize(device)
            if i >= warmup:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def write_section(name: str, body: str, path: Path = RESULTS) -> None:
    """Replace (or append) the section between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n\n"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end) + 1:]
    else:
        text = text.rstrip() + "\n\n" + block
    path.write_text(text, encoding="utf-8")
