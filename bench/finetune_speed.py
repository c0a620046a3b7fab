"""Fine-tuning speed: minibert's batches (length-grouped, dynamically padded) against transformers padding
every batch to max_length, on the course sentiment and NLI data.

One training step = forward (cross-entropy on the pooled [CLS]), backward, AdamW step, on the next batch
of real course examples (batch 32, max_length 128, the MiniLM size: 6 layers, hidden 384, 12 heads).
The speed is REAL tokens per second (padding excluded): the work a learner wants done.

Contenders, interleaved step by step in ONE process (A, B, C, D, A, B, ...), each walking its own batches
of the same examples; medians over rounds:
  transformers sdpa, max_length   BertForSequenceClassification(attn_implementation="sdpa"), every batch
                                  padded to max_length (``padding="max_length"``), shuffled, AdamW (foreach), fp32
  minibert, max_length            the same computation in minibert (same padding, optimizer and dtype)
  minibert, dynamic padding       shuffled batches, each padded to its own longest sequence, fp32
  minibert default                what `minibert finetune` does: length-grouped batches + dynamic padding,
                                  fused AdamW, bf16 autocast where the CPU/GPU has bf16 matrix units

    python bench/finetune_speed.py            # both datasets, writes the "finetune-speed" section of RESULTS.md
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Callable

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from bench.common import RESULTS, describe_machine, write_section  # noqa: E402
from minibert.device import use_bf16  # noqa: E402
from minibert.heads import BertForSequenceClassification  # noqa: E402
from minibert.hub import minilm_dir  # noqa: E402
from minibert.tasks.batching import LengthGroupedSampler, feature_length  # noqa: E402
from minibert.tasks.classification import (  # noqa: E402
    classification_collator,
    classification_features,
    load_glue_tsv,  # noqa: E402
)
from minibert.tasks.nli import load_nli
from minibert.tokenizer import BertTokenizer  # noqa: E402
from minibert.trainer import ResumableSampler, TrainingArguments, make_optimizer  # noqa: E402

DATASETS = {"sentiment": (load_glue_tsv, "data/tasks/sentiment/train.tsv"),
            "nli": (load_nli, "data/tasks/nli/train.jsonl")}


def batches_of(order: torch.Tensor, batch_size: int) -> list[list[int]]:
    return [b.tolist() for b in order.split(batch_size) if len(b) == batch_size]


def make_step(model, optimizer, batches: list[dict[str, torch.Tensor]], bf16: bool) -> Callable[[], int]:
    """A function that trains on the next batch and returns its real tokens."""
    position = 0

    def step() -> int:
        nonlocal position
        batch = batches[position % len(batches)]
        position += 1
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = model(**batch).loss
        loss.float().backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return int(batch["attention_mask"].sum())

    return step


def run(dataset: str, steps: int, rounds: int, batch_size: int, max_length: int) -> dict[str, float]:
    import transformers

    load, path = DATASETS[dataset]
    tok = BertTokenizer.from_pretrained("minilm")
    features = classification_features(load(path).examples, tok, max_length)
    n_labels = max(f["labels"] for f in features) + 1
    collate = classification_collator(tok.pad_token_id)
    to_max = lambda fs: {k: torch.nn.functional.pad(v, (0, max_length - v.shape[1]),  # noqa: E731
                                                    value=tok.pad_token_id if k == "input_ids" else 0)
                         if v.dim() == 2 else v for k, v in collate(fs).items()}
    shuffled = batches_of(ResumableSampler(len(features), batch_size, seed=0).permutation(0), batch_size)
    grouped = batches_of(LengthGroupedSampler([feature_length(f) for f in features], batch_size, seed=0)
                         .permutation(0), batch_size)
    needed = steps * rounds + 2
    padded = [to_max([features[i] for i in b]) for b in shuffled[:needed]]
    dynamic = [collate([features[i] for i in b]) for b in shuffled[:needed]]
    grouped_batches = [collate([features[i] for i in b]) for b in grouped[:needed]]

    cpu = torch.device("cpu")
    args = TrainingArguments("unused", learning_rate=2e-5, fused_adamw="auto")
    plain = TrainingArguments("unused", learning_rate=2e-5, fused_adamw=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the new classifier heads
        hf = transformers.BertForSequenceClassification.from_pretrained(
            minilm_dir(), num_labels=n_labels, attn_implementation="sdpa").train()
        ours = [BertForSequenceClassification.from_pretrained("minilm", num_labels=n_labels).train() for _ in range(3)]
    contenders = {
        "transformers sdpa, max_length": make_step(hf, torch.optim.AdamW(hf.parameters(), lr=2e-5, foreach=True),
                                                   padded, False),
        "minibert, max_length": make_step(ours[0], make_optimizer(ours[0], plain, cpu), padded, False),
        "minibert, dynamic padding": make_step(ours[1], make_optimizer(ours[1], plain, cpu), dynamic, False),
        "minibert default": make_step(ours[2], make_optimizer(ours[2], args, cpu), grouped_batches,
                                      use_bf16("auto", cpu)),
    }
    for _ in range(2):  # warm-up
        for step in contenders.values():
            step()
    rates: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        tokens = {name: 0 for name in contenders}
        seconds = {name: 0.0 for name in contenders}
        for _ in range(steps):
            for name, step in contenders.items():
                start = time.perf_counter()
                tokens[name] += step()
                seconds[name] += time.perf_counter() - start
        for name in contenders:
            rates[name].append(tokens[name] / seconds[name])
    lengths = [feature_length(f) for f in features]
    print(f"{dataset}: {len(features)} examples, mean length {statistics.mean(lengths):.1f} tokens, "
          f"grouped padding efficiency {LengthGroupedSampler(lengths, batch_size, 0).padding_efficiency():.3f}")
    return {name: statistics.median(r) for name, r in rates.items()}


def transformers_logging_quiet() -> None:
    import transformers

    transformers.logging.set_verbosity_error()  # its load report (the new classifier is expected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--steps", type=int, default=4, help="steps per contender per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    transformers_logging_quiet()
    torch.manual_seed(0)
    lines = ["## Fine-tuning speed (`bench/finetune_speed.py`)", "",
             f"Machine: {describe_machine(torch.device('cpu'))}. MiniLM size (6 layers, hidden 384), batch "
             f"{args.batch_size}, max_length {args.max_length}; real (non-padding) tokens per second, median of "
             f"{args.rounds} rounds of {args.steps} interleaved steps per contender.", "",
             "| data | contender | real tokens/s | vs transformers |", "|---|---|---:|---:|"]
    for dataset in args.datasets:
        rates = run(dataset, args.steps, args.rounds, args.batch_size, args.max_length)
        base = rates["transformers sdpa, max_length"]
        for name, rate in rates.items():
            print(f"  {name:<32} {rate:9.0f} tokens/s  {rate / base:5.2f}x")
            lines.append(f"| {dataset} | {name} | {rate:.0f} | {rate / base:.2f}x |")
    lines += ["", "Where the speed comes from: the course sentences are short, so padding every batch to "
              "max_length makes most of each batch padding; dynamic padding removes most of it, length "
              "grouping most of the rest, and bf16 autocast (on CPUs with bf16 matrix units) speeds up what is left."]
    if not args.no_write:
        write_section("finetune-speed", "\n".join(lines), RESULTS)
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
