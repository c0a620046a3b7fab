"""Pre-training speed: minibert's training step against transformers' BertForPreTraining.

One training step = forward (MLM + NSP loss), backward, AdamW step, on a fixed random batch:
seq 128, 15% of the positions masked (never [CLS]/[SEP]), NSP labels on. All contenders run in ONE
process, interleaved (A, B, C, A, B, C, ...), warm-up first, then medians.

Contenders
  transformers sdpa        BertForPreTraining(attn_implementation="sdpa"), AdamW(foreach), --dtype
  minibert same math       the same computation: full MLM head over all positions, dropout 0.1,
                           AdamW(foreach), --dtype (minibert's own code paths where they compute the same
                           numbers with less waste: e.g. the cross-entropy's softmax only over the labelled
                           rows, no attention mask when nothing is padded)
  minibert default         what `minibert pretrain` does: MLM head only at the masked positions
                           (sparse_mlm=True), fused AdamW with BERT's weight-decay groups, bf16 autocast
                           where the hardware has bf16 matrix units (device.use_bf16("auto"))
  transformers sdpa bf16   (only when the default path uses bf16 and --dtype is fp32) the baseline
                           with bf16 autocast and fused AdamW, to show what bf16 alone is worth

FLOPs of a step (matrix products only, counted exactly; backward = 2 x forward):
  per token and layer   2 (4 H^2 + 2 H I)     Q, K, V, output projections and the feed-forward block
                      + 4 T H                 scores Q K^T and the weighted sum P V (T = seq length)
  MLM head per position 2 (H^2 + H V)         transform dense + vocabulary projection; applied at
                                              all B T positions (full head) or the masked ones (sparse)
  NSP per sequence      2 (H^2 + 2 H)         pooler + classifier
  step = 3 x (L B T per-token-layer + MLM + NSP)
MFU = those FLOPs per second / the matmul peak measured in the same run, in the contender's dtype
(fp32 peak for fp32 runs, bf16 peak for bf16 autocast runs).

  python bench/pretrain_speed.py                                      # CPU, the issue's config
  python bench/pretrain_speed.py --device cuda --size base --dtype bf16   # the GPU check
  python bench/pretrain_speed.py --device cuda --size base --dtype bf16 --batch-size 128 --compile reduce-overhead
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from bench.common import RESULTS, describe_machine, interleaved_medians, matmul_peak, write_section  # noqa: E402
from minibert.config import BertConfig  # noqa: E402
from minibert.device import cpu_has_bf16_units, has_fast_bf16, use_bf16  # noqa: E402
from minibert.heads import BertForPreTraining  # noqa: E402
from minibert.trainer import TrainingArguments, make_optimizer  # noqa: E402

SIZES = {
    "mini": dict(num_hidden_layers=4, hidden_size=256, num_attention_heads=4, intermediate_size=1024),
    "base": dict(num_hidden_layers=12, hidden_size=768, num_attention_heads=12, intermediate_size=3072),
}
VOCAB = 30522
MASK_FRACTION = 0.15


@dataclass
class Contender:
    name: str
    step: Callable[[], None]
    flops: float  # per step
    dtype: torch.dtype  # the precision its matrix products run in


def make_batch(batch_size: int, seq: int, device: torch.device, seed: int = 0) -> dict[str, torch.Tensor]:
    """Full-length pairs ([CLS] A [SEP] B [SEP]) with 15% of the positions masked."""
    g = torch.Generator().manual_seed(seed)
    input_ids = torch.randint(1000, VOCAB, (batch_size, seq), generator=g)
    input_ids[:, 0], input_ids[:, seq // 2], input_ids[:, -1] = 101, 102, 102
    token_type_ids = torch.zeros(batch_size, seq, dtype=torch.long)
    token_type_ids[:, seq // 2 + 1:] = 1
    n_masked = round(MASK_FRACTION * seq)
    candidates = [p for p in range(1, seq - 1) if p != seq // 2]
    labels = torch.full((batch_size, seq), -100)
    for row in range(batch_size):
        chosen = torch.tensor(candidates)[torch.randperm(len(candidates), generator=g)[:n_masked]]
        labels[row, chosen] = input_ids[row, chosen]
        input_ids[row, chosen] = 103  # [MASK]
    batch = dict(input_ids=input_ids, token_type_ids=token_type_ids,
                 attention_mask=torch.ones(batch_size, seq, dtype=torch.long), labels=labels,
                 next_sentence_label=torch.randint(0, 2, (batch_size,), generator=g))
    return {k: v.to(device) for k, v in batch.items()}


def step_flops(sizes: dict[str, int], batch_size: int, seq: int, sparse: bool) -> float:
    """Matrix-product FLOPs of one training step (see the module docstring)."""
    H, I, L = sizes["hidden_size"], sizes["intermediate_size"], sizes["num_hidden_layers"]
    tokens = batch_size * seq
    encoder = L * tokens * (2 * (4 * H * H + 2 * H * I) + 4 * seq * H)
    head_positions = batch_size * round(MASK_FRACTION * seq) if sparse else tokens
    mlm = head_positions * 2 * (H * H + H * VOCAB)
    nsp = batch_size * 2 * (H * H + 2 * H)
    return 3 * (encoder + mlm + nsp)


def training_step(model: torch.nn.Module, optimizer: torch.optim.Optimizer, batch: dict[str, torch.Tensor],
                  device: torch.device, dtype: torch.dtype, **forward_kwargs) -> Callable[[], None]:
    autocast = dtype != torch.float32

    def step() -> None:
        with torch.autocast(device.type, dtype=dtype, enabled=autocast):
            loss = model(**batch, **forward_kwargs).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    return step


def build_contenders(args: argparse.Namespace, device: torch.device) -> list[Contender]:
    import transformers

    sizes = SIZES[args.size]
    dtype = torch.bfloat16 if args.dtype == "bf16" else torch.float32
    default_dtype = torch.bfloat16 if use_bf16("auto", device) else torch.float32
    batch = make_batch(args.batch_size, args.seq, device)
    full = step_flops(sizes, args.batch_size, args.seq, sparse=False)
    sparse = step_flops(sizes, args.batch_size, args.seq, sparse=True)
    train_args = TrainingArguments(output_dir=".", learning_rate=1e-4)

    def hf_model() -> torch.nn.Module:
        torch.manual_seed(0)
        config = transformers.BertConfig(vocab_size=VOCAB, **sizes, attn_implementation="sdpa")
        return transformers.BertForPreTraining(config).to(device).train()

    def mb_model() -> torch.nn.Module:
        torch.manual_seed(0)
        return BertForPreTraining(BertConfig(vocab_size=VOCAB, **sizes)).to(device).train()

    def plain_adamw(model: torch.nn.Module) -> torch.optim.Optimizer:
        return torch.optim.AdamW(model.parameters(), lr=1e-4, foreach=True)

    hf, same, fast = hf_model(), mb_model(), mb_model()
    if args.compile:
        fast = torch.compile(fast, mode=args.compile)
    contenders = [
        Contender("transformers sdpa", training_step(hf, plain_adamw(hf), batch, device, dtype), full, dtype),
        Contender("minibert same math", training_step(same, plain_adamw(same), batch, device, dtype), full, dtype),
        Contender("minibert default", training_step(fast, make_optimizer(fast, train_args, device), batch, device,
                                                    default_dtype, sparse_mlm=True), sparse, default_dtype),
    ]
    if default_dtype != dtype:
        hf16 = hf_model()
        contenders.append(Contender("transformers sdpa bf16",
                                    training_step(hf16, make_optimizer(hf16, train_args, device), batch, device,
                                                  default_dtype), full, default_dtype))
    return contenders


def shown_command(argv: list[str] | None) -> str:
    """The command's arguments as typed, without where the results were written."""
    args = list(sys.argv[1:] if argv is None else argv)
    if "--results" in args:
        del args[args.index("--results"):args.index("--results") + 2]
    return " ".join(args)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--size", choices=SIZES, default="mini", help="mini = L4/H256/A4 (the issue's config)")
    parser.add_argument("--dtype", choices=["fp32", "bf16"], default="fp32",
                        help="precision of the baseline and of 'same math' (bf16 = autocast)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--iters", type=int, default=8)
    parser.add_argument("--peak-size", type=int, default=0,
                        help="n of the n x n x n matmul peak (default 8192 on CUDA, 2048 on CPU)")
    parser.add_argument("--compile", nargs="?", const="default", metavar="MODE",
                        help="torch.compile minibert's default path (mode: default, reduce-overhead = CUDA graphs)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the RESULTS.md to update")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--note", default="", help="a line added under the table (e.g. 'machine busy')")
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False  # fp32 means fp32, in the peak and in the models

    if args.dtype == "bf16" and not has_fast_bf16(device):
        parser.error(f"--dtype bf16: {device.type} has no fast bf16 here (none in hardware, or MINIBERT_CPU_BF16=0), "
                     "so it would be emulated")

    machine = describe_machine(device)
    peak_n = args.peak_size or (8192 if device.type == "cuda" else 2048)
    # A peak only in the dtypes the hardware computes natively: an emulated bf16 product takes minutes.
    dtypes = (torch.float32, torch.bfloat16) if has_fast_bf16(device) else (torch.float32,)
    peaks = {dt: matmul_peak(device, dt, peak_n) for dt in dtypes}
    contenders = build_contenders(args, device)
    seconds = interleaved_medians({c.name: c.step for c in contenders}, args.warmup, args.iters, device)
    peaks_after = {dt: matmul_peak(device, dt, peak_n) for dt in peaks}
    peaks = {dt: max(peaks[dt], peaks_after[dt]) for dt in peaks}  # the better of before/after the run

    bf16_missing = ("not measured (MINIBERT_CPU_BF16=0)" if device.type == "cpu" and cpu_has_bf16_units()
                    else "not measured (no bf16 units)")
    tokens = args.batch_size * args.seq
    base = seconds["transformers sdpa"]
    rows = ["| contender | ms/step | tokens/s | × transformers sdpa | GFLOP/step | MFU |",
            "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for c in contenders:
        s = seconds[c.name]
        mfu = c.flops / s / peaks[c.dtype]
        rows.append(f"| {c.name} ({'bf16' if c.dtype == torch.bfloat16 else 'fp32'}) | {1000 * s:.1f} | "
                    f"{tokens / s:,.0f} | {base / s:.2f}× | {c.flops / 1e9:.1f} | {100 * mfu:.0f}% |")
    sizes = SIZES[args.size]
    title = (f"### Pre-training step, L{sizes['num_hidden_layers']}/H{sizes['hidden_size']}/"
             f"A{sizes['num_attention_heads']}/I{sizes['intermediate_size']}, vocab {VOCAB}, "
             f"batch {args.batch_size} × seq {args.seq}, 15% masked, NSP on, on {device.type}"
             f"{f' (minibert default: torch.compile mode={args.compile})' if args.compile else ''}"
             f"{', fp32 only ' + bf16_missing.replace('not measured ', '') if torch.bfloat16 not in peaks else ''}")
    lines = [title, "", f"Machine: {machine}.",
             f"Matmul peak measured in the run ({peak_n}³): fp32 {peaks[torch.float32] / 1e9:,.0f} GFLOP/s, "
             f"bf16 {f'{peaks[torch.bfloat16] / 1e9:,.0f} GFLOP/s' if torch.bfloat16 in peaks else bf16_missing}. "
             f"Medians of {args.iters} interleaved steps "
             f"after {args.warmup} warm-up rounds (`python bench/pretrain_speed.py {shown_command(argv)}`).",
             "", *rows]
    if args.note:
        lines += ["", args.note]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        key = (f"pretrain_speed-{device.type}-{args.size}-b{args.batch_size}{'-' + args.compile if args.compile else ''}"
               f"{'-no-bf16' if torch.bfloat16 not in peaks else ''}")
        write_section(key, text, args.results)
        print(f"\nwritten to {args.results}")


if __name__ == "__main__":
    main()
