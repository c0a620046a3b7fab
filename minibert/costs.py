"""What a pre-training run costs, before running it: parameters, FLOPs, memory and time (lesson 15).

Three profiles size a run (``PROFILES``):

* ``smoke``: the course's tiny model on the course corpus, on a CPU (the lessons in CI);
* ``full``: BERT-small on the course corpus, on one GPU, well under an hour;
* ``base``: the BERT paper's recipe for BERT-base: 1,000,000 steps of 256 sequences, sequence length
  128 for the first 90% of the steps and 512 for the last 10% (the position embeddings of long
  sequences are learned last, when they are cheap to reach). On N processes the *global* batch stays 256:
  each process takes 256 / N sequences per step, so the steps, the learning rate schedule and the
  result are the same, and the time is divided by N.

**FLOPs of a training step** count the matrix products, which are nearly all the work. A product of
an (m, k) by a (k, n) matrix costs 2 m k n FLOPs. Per token, forward:

    each layer      2 (4 H^2 + 2 H I)    Q, K, V and output projections (4 H x H), feed-forward (H x I, I x H)
                  + 4 T H                attention scores Q K^T and the weighted sum P V over T positions
    MLM head        2 (H^2 + H V)        per *predicted* position (sparse MLM) or per token (full head)
    NSP head        2 (H^2 + 2 H)        per sequence (pooler and classifier)

The backward pass costs twice the forward (a gradient for the input and one for the weight of each
product), so a step is 3 x forward. The first line is the familiar ``6 N`` FLOPs per token (N = the
encoder's weights, 12 L H^2 with I = 4 H); the attention line is what ``6 N`` leaves out, and it grows
with T: 3% of BERT-base's encoder at T = 128, 11% at T = 512. ``tests/test_costs.py`` checks the total
against ``torch.utils.flop_counter`` on a real training step.

**Memory** per process, estimated (not measured): fp32 weights (4 bytes a parameter), their gradients
(4), AdamW's two moments (8); activations kept for the backward pass, about ``34 H`` bytes per token and
layer in bf16 (Korthikanti et al. 2022, "Reducing Activation Recomputation", with the attention
probabilities not stored: SDPA's fused kernels recompute them) and ``2 x`` that in fp32; the MLM logits
(predicted positions x V, fp32, with their gradient).

**Time** = FLOPs / (peak x MFU). The peak is a bf16 (or fp32) matrix product measured on this machine
in a fraction of a second; MFU (model FLOPs utilisation) is *assumed*: 40% on a GPU (what minibert's
pre-training step is expected to reach on an H100, see ``bench/gpu_check.sh``) and 30% on a CPU.

    python -m minibert.costs --profile base [--world-size 8] [--mfu 0.45]
    minibert pretrain --profile base --dry-run
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from .config import BertConfig

BYTES_PER_PARAMETER = 4 + 4 + 8  # fp32 weight + gradient + AdamW's exp_avg and exp_avg_sq
ACTIVATION_BYTES_PER_TOKEN_LAYER_PER_H = 34  # bf16; x2 in fp32 (Korthikanti et al. 2022, no attention matrix)
ASSUMED_MFU = {"cuda": 0.40, "cpu": 0.30, "mps": 0.30}
GB = 1e9
BERT_VOCAB_SIZE = 30522  # bert-base-uncased


@dataclass(frozen=True)
class Phase:
    """``steps`` optimizer steps at sequence length ``seq_length``."""

    seq_length: int
    steps: int
    max_predictions_per_seq: int  # masked positions per sequence (15% of seq_length, as in BERT's scripts)


@dataclass(frozen=True)
class Profile:
    """A pre-training run's size: the model, the global batch and the phases."""

    name: str
    description: str
    preset: str
    vocab_size: int
    global_batch_size: int  # sequences per optimizer step, summed over all processes
    phases: tuple[Phase, ...]
    corpus: str = "course"

    @property
    def steps(self) -> int:
        return sum(p.steps for p in self.phases)

    def config(self) -> BertConfig:
        seq = max(p.seq_length for p in self.phases)
        return BertConfig.from_preset(self.preset, vocab_size=self.vocab_size, max_position_embeddings=max(512, seq))


def make_profiles(vocab_size: int = BERT_VOCAB_SIZE) -> dict[str, Profile]:
    """The sizes of ``minibert pretrain --profile``; ``vocab_size``: the smoke and full runs' vocabulary
    (the course's is much smaller than BERT's)."""
    return {
        "smoke": Profile("smoke", "CPU: the course's tiny model, as the lessons train it in CI",
                         "tiny", vocab_size, 32, (Phase(128, 3000, 20),)),
        "full": Profile("full", "one GPU: BERT-small on the course corpus, well under an hour",
                        "small", vocab_size, 128, (Phase(128, 20_000, 20),)),
        "base": Profile("base", "the BERT paper: BERT-base, batch 256, 1M steps, seq 128 then 512 (10%)",
                        "base", BERT_VOCAB_SIZE, 256, (Phase(128, 900_000, 20), Phase(512, 100_000, 80)),
                        corpus="your corpus, prepared with `minibert prepare` (BERT used 3.3B words)"),
    }


# ----------------------------------------------------------------------------- counting


def count_parameters(config: BertConfig) -> dict[str, int]:
    """Exact parameter counts of ``BertForPreTraining(config)``, built on the meta device (no memory)."""
    from .heads import BertForPreTraining

    with torch.device("meta"):
        model = BertForPreTraining(config)
    embeddings = sum(p.numel() for p in model.bert.embeddings.parameters())
    encoder = sum(p.numel() for p in model.bert.encoder.parameters())
    total = sum(p.numel() for p in model.parameters())  # the MLM decoder is tied: counted once
    return {"total": total, "embeddings": embeddings, "encoder": encoder, "heads": total - embeddings - encoder}


def step_flops(config: BertConfig, batch_size: int, seq_length: int, predictions_per_seq: int,
               sparse_mlm: bool = True) -> dict[str, float]:
    """FLOPs of one training step (forward + backward = 3 x forward), by part; see the module docstring."""
    H, I, L, V, T = (config.hidden_size, config.intermediate_size, config.num_hidden_layers, config.vocab_size,
                     seq_length)
    tokens = batch_size * T
    head_positions = batch_size * predictions_per_seq if sparse_mlm else tokens
    forward = {
        "encoder weights (6N per token)": tokens * L * 2 * (4 * H * H + 2 * H * I),
        "attention (QK^T, PV)": tokens * L * 4 * T * H,
        "MLM head": head_positions * 2 * (H * H + H * V),
        "NSP head": batch_size * 2 * (H * H + 2 * H),
    }
    parts = {name: 3.0 * flops for name, flops in forward.items()}
    parts["total"] = sum(parts.values())
    return parts


def memory_estimate(config: BertConfig, n_parameters: int, micro_batch: int, seq_length: int,
                    predictions_per_seq: int, bf16: bool) -> dict[str, float]:
    """Bytes per process, by part; see the module docstring for the activation rule."""
    tokens = micro_batch * seq_length
    per_token_layer = ACTIVATION_BYTES_PER_TOKEN_LAYER_PER_H * config.hidden_size * (1 if bf16 else 2)
    parts = {
        "weights": 4.0 * n_parameters,
        "gradients": 4.0 * n_parameters,
        "AdamW moments": 8.0 * n_parameters,
        "activations": float(tokens * config.num_hidden_layers * per_token_layer),
        "MLM logits": float(micro_batch * predictions_per_seq * config.vocab_size * 8),  # fp32 + gradient
    }
    parts["total"] = sum(parts.values())
    return parts


# ----------------------------------------------------------------------------- the hardware


@dataclass
class Hardware:
    name: str
    device_type: str  # "cuda" | "cpu" | "mps"
    dtype: str  # the precision the run's matrix products use: "bf16" or "fp32"
    peak_flops: float  # measured matmul FLOP/s in that precision (0: not measured)
    memory_bytes: float  # the device's memory (GPU memory, or the machine's RAM)
    notes: list[str] = field(default_factory=list)


def _cpu_name() -> str:
    try:
        match = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
        if match:
            return match.group(1).strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def measure_matmul_peak(device: torch.device, dtype: torch.dtype, n: int, repeats: int = 5) -> float:
    """FLOP/s of an n x n x n matrix product: the median of ``repeats`` after one warm-up."""
    a, b = torch.randn(n, n, device=device, dtype=dtype), torch.randn(n, n, device=device, dtype=dtype)
    times = []
    for i in range(repeats + 1):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        a @ b
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        if i:
            times.append(time.perf_counter() - start)
    return 2 * n**3 / statistics.median(times)


def detect_hardware(device: str = "auto", measure: bool = True) -> Hardware:
    """The device a run would use, its memory, and (``measure``) its matmul peak in the run's precision."""
    from .device import resolve_device, use_bf16

    dev = resolve_device(device)
    bf16 = use_bf16("auto", dev)
    dtype = torch.bfloat16 if bf16 else torch.float32
    if dev.type == "cuda":
        props = torch.cuda.get_device_properties(dev)
        name, memory, n = props.name, float(props.total_memory), 8192
    else:
        name = _cpu_name() if dev.type == "cpu" else "Apple GPU (mps)"
        name += f", {os.cpu_count()} cores, {torch.get_num_threads()} threads"
        memory = float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")) if hasattr(os, "sysconf") else 0.0
        n = 2048
    peak = measure_matmul_peak(dev, dtype, n) if measure else 0.0
    return Hardware(name, dev.type, "bf16" if bf16 else "fp32", peak, memory)


# ----------------------------------------------------------------------------- the estimate


@dataclass
class Estimate:
    profile: Profile
    world_size: int
    parameters: dict[str, int]
    flops: dict[int, dict[str, float]]  # by sequence length
    memory: dict[int, dict[str, float]]  # by sequence length, for the micro-batch below
    micro_batch: int  # sequences per process and forward pass
    accumulation: int  # micro-batches per optimizer step
    hardware: Hardware
    mfu: float

    @property
    def total_flops(self) -> float:
        return sum(p.steps * self.flops[p.seq_length]["total"] for p in self.profile.phases)

    @property
    def seconds(self) -> float:
        """Expected wall time: all processes share the FLOPs, each at peak x MFU."""
        if self.hardware.peak_flops <= 0:
            return math.nan
        return self.total_flops / (self.world_size * self.hardware.peak_flops * self.mfu)


def estimate(profile: Profile, world_size: int = 1, hardware: Hardware | None = None, mfu: float | None = None,
             micro_batch: int | None = None) -> Estimate:
    """Costs of ``profile`` on ``world_size`` processes of ``hardware`` (detected and measured if None).

    The per-process batch is ``global_batch_size / world_size``. Unless ``micro_batch`` is given, it is
    split into the fewest equal micro-batches (gradient accumulation) whose estimated memory fits in 90% of
    the device's memory at the longest sequence length.
    """
    if world_size < 1 or profile.global_batch_size % world_size:
        raise ValueError(f"the global batch of {profile.global_batch_size} does not split evenly over "
                         f"{world_size} processes")
    hardware = hardware or detect_hardware()
    config = profile.config()
    parameters = count_parameters(config)
    per_process = profile.global_batch_size // world_size
    bf16 = hardware.dtype == "bf16"
    longest = max(profile.phases, key=lambda p: p.seq_length)

    def memory(batch: int, phase: Phase) -> dict[str, float]:
        return memory_estimate(config, parameters["total"], batch, phase.seq_length, phase.max_predictions_per_seq,
                               bf16)

    if micro_batch is None:
        divisors = [d for d in range(1, per_process + 1) if per_process % d == 0]
        fitting = [per_process // d for d in divisors
                   if not hardware.memory_bytes or memory(per_process // d, longest)["total"] <= 0.9 * hardware.memory_bytes]
        micro_batch = fitting[0] if fitting else 1
    if per_process % micro_batch:
        raise ValueError(f"micro-batch {micro_batch} does not divide the per-process batch {per_process}")
    flops = {p.seq_length: step_flops(config, profile.global_batch_size, p.seq_length, p.max_predictions_per_seq)
             for p in profile.phases}
    memories = {p.seq_length: memory(micro_batch, p) for p in profile.phases}
    return Estimate(profile, world_size, parameters, flops, memories, micro_batch, per_process // micro_batch,
                    hardware, mfu if mfu is not None else ASSUMED_MFU.get(hardware.device_type, 0.3))


def format_duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "unknown (peak not measured)"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 3 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def report(est: Estimate) -> str:
    """The dry-run text: what the run is, what it costs, and the assumptions."""
    p, hw, config = est.profile, est.hardware, est.profile.config()
    lines = [
        f"profile {p.name}: {p.description}",
        f"model: {p.preset} (L{config.num_hidden_layers}/H{config.hidden_size}/A{config.num_attention_heads}/"
        f"I{config.intermediate_size}), vocabulary {config.vocab_size:,}; corpus: {p.corpus}",
        f"batch: {p.global_batch_size} sequences per step = {est.micro_batch} per process x {est.accumulation} "
        f"accumulation x {est.world_size} process(es)",
        "phases: " + "; ".join(f"{ph.steps:,} steps at seq {ph.seq_length} ({ph.max_predictions_per_seq} "
                               "predictions)" for ph in p.phases),
        f"parameters: {est.parameters['total']:,} (embeddings {est.parameters['embeddings']:,}, encoder "
        f"{est.parameters['encoder']:,}, heads {est.parameters['heads']:,})",
    ]
    for ph in p.phases:
        f = est.flops[ph.seq_length]
        parts = ", ".join(f"{name} {value:.3g}" for name, value in f.items() if name != "total")
        lines.append(f"FLOPs per step at seq {ph.seq_length}: {f['total']:.3g} ({parts})")
    lines.append(f"FLOPs in all: {est.total_flops:.3g}")
    for ph in p.phases:
        m = est.memory[ph.seq_length]
        parts = ", ".join(f"{name} {value / GB:.2f}" for name, value in m.items() if name != "total")
        lines.append(f"memory per process at seq {ph.seq_length}, micro-batch {est.micro_batch}: "
                     f"{m['total'] / GB:.2f} GB ({parts}; GB, {hw.dtype} activations)")
    lines.append(f"hardware: {hw.name} ({hw.device_type}, {hw.memory_bytes / GB:.0f} GB)"
                 + (f"; {hw.dtype} matmul peak measured {hw.peak_flops / 1e12:.2f} TFLOP/s" if hw.peak_flops else ""))
    lines.append(f"expected time: {format_duration(est.seconds)} on {est.world_size} such device(s), "
                 f"assuming {100 * est.mfu:.0f}% MFU (model FLOPs utilisation; --mfu to change)")
    return "\n".join(lines)


def add_cost_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--world-size", type=int, default=int(os.environ.get("WORLD_SIZE", 1)),
                        help="processes (GPUs) the run is spread over (default: $WORLD_SIZE or 1)")
    parser.add_argument("--mfu", type=float, help="assumed model FLOPs utilisation (default 0.4 GPU, 0.3 CPU)")
    parser.add_argument("--no-measure", action="store_true", help="skip the matmul peak (no time estimate)")


def dry_run(profile_name: str, world_size: int = 1, mfu: float | None = None, device: str = "auto",
            measure: bool = True, vocab_size: int = BERT_VOCAB_SIZE) -> str:
    profiles = make_profiles(vocab_size)
    if profile_name not in profiles:
        raise ValueError(f"unknown profile {profile_name!r}; choose one of {', '.join(profiles)}")
    est = estimate(profiles[profile_name], world_size, detect_hardware(device, measure), mfu)
    return report(est)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m minibert.costs", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="base", choices=("smoke", "full", "base"))
    parser.add_argument("--device", default="auto")
    parser.add_argument("--vocab-size", type=int, default=BERT_VOCAB_SIZE,
                        help=f"the vocabulary of the smoke and full runs (default {BERT_VOCAB_SIZE}, BERT's)")
    add_cost_arguments(parser)
    args = parser.parse_args(argv)
    print(dry_run(args.profile, args.world_size, args.mfu, args.device, not args.no_measure, args.vocab_size))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
