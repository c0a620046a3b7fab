"""The ``finetune`` and ``predict`` commands of the ``minibert`` command line.

    minibert finetune text-classification --model minilm --train data/tasks/sentiment/train.tsv \\
        --dev data/tasks/sentiment/dev.tsv --epochs 2 --out runs/sentiment
    minibert predict text-classification --model runs/sentiment --text "not bad at all"
    minibert predict qa --model runs/qa --text "What is the capital of France?" --context "... Paris ..."

TASK is any task of `minibert.tasks.registry` (``finetune``: those that train; ``predict``: those with a
pipeline, by name or alias).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from minibert.tasks.finetune import finetune, headline
from minibert.tasks.pipelines import describe, pipeline
from minibert.tasks.registry import TASKS, pipeline_names, pipeline_task


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``finetune`` and ``predict`` to the ``minibert`` command line."""
    tasks = ", ".join(f"{name} ({task.help})" if task.help else name for name, task in TASKS.items())
    f = subparsers.add_parser("finetune", help="fine-tune a pre-trained BERT on a task",
                              description=f"Fine-tune and evaluate; writes OUT/metrics.json and a model folder. "
                                          f"Tasks: {tasks}.")
    f.add_argument("task", choices=sorted(TASKS), metavar="TASK", help=", ".join(sorted(TASKS)))
    f.add_argument("--model", default="minilm",
                   help="'minilm' (offline pre-trained weights, default) or a model folder, "
                        "e.g. your pre-training output")
    f.add_argument("--train", required=True, type=Path, help="training file in the task's public format")
    f.add_argument("--dev", type=Path, help="dev file, scored at the end (and every --eval-steps)")
    f.add_argument("--out", required=True, type=Path, help="output folder (model + tokenizer + metrics.json)")
    f.add_argument("--epochs", type=float, default=3.0)
    f.add_argument("--max-steps", type=int, default=-1, help="stop after N optimizer steps (overrides --epochs)")
    f.add_argument("--lr", type=float, default=5e-5, help="peak learning rate (default 5e-5)")
    f.add_argument("--batch-size", type=int, default=32)
    f.add_argument("--max-length", type=int, default=128, help="tokens per sequence (QA: per window)")
    f.add_argument("--warmup-ratio", type=float, default=0.1)
    f.add_argument("--seed", type=int, default=42)
    f.add_argument("--labels", help="comma-separated names of integer labels, e.g. negative,positive")
    f.add_argument("--random-init", action="store_true",
                   help="random weights with the model's config (the no-pre-training baseline)")
    f.add_argument("--train-limit", type=int, help="use only the first N training examples")
    f.add_argument("--dev-limit", type=int, help="score only the first N dev examples")
    f.add_argument("--save-steps", type=int, default=0, help="checkpoint every N steps (for --resume)")
    f.add_argument("--keep-checkpoint", action="store_true", help="keep OUT/checkpoint.pt at the end")
    f.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    f.add_argument("--device", default="auto", help="auto (cuda, mps, cpu), cpu, cuda, ...")
    f.add_argument("--no-bf16", action="store_true", help="train in fp32 even where bf16 is fast")
    f.set_defaults(func=run_finetune)

    names = pipeline_names()
    p = subparsers.add_parser("predict", help="run a fine-tuned model on raw text",
                              description="Run the pipeline of TASK on a string or on each line of a file; "
                                          "prints one JSON result per input.")
    p.add_argument("task", choices=names, metavar="TASK", help=", ".join(names))
    p.add_argument("--model", help="a fine-tuned model folder (fill-mask: a pre-training output)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--text", help="the input text (QA: the question; NLI: the premise)")
    source.add_argument("--file", type=Path,
                        help="one input per line; for pairs and QA, 'first<TAB>second' lines "
                             "(premise<TAB>hypothesis, question<TAB>context) unless --pair/--context is given")
    p.add_argument("--context", help="QA: the paragraph to find the answer in")
    p.add_argument("--pair", help="sentence-pair tasks (NLI): the second sentence (hypothesis)")
    p.add_argument("--choices", help="multiple choice: the candidate endings, separated by '|'")
    p.add_argument("--top-k", type=int, help="how many results per input (default: 1, fill-mask 5)")
    p.add_argument("--device", default="cpu")
    p.set_defaults(func=run_predict)


def run_finetune(args: argparse.Namespace) -> int:
    metrics = finetune(args.task, args.model, args.train, args.dev, out_dir=args.out, epochs=args.epochs,
                       lr=args.lr, batch_size=args.batch_size, max_length=args.max_length, seed=args.seed,
                       max_steps=args.max_steps, warmup_ratio=args.warmup_ratio,
                       label_names=args.labels.split(",") if args.labels else None, random_init=args.random_init,
                       resume=args.resume, save_steps=args.save_steps, keep_checkpoint=args.keep_checkpoint,
                       device=args.device, bf16=False if args.no_bf16 else "auto", train_limit=args.train_limit,
                       dev_limit=args.dev_limit)
    if args.dev is not None:
        print(f"{args.task} dev: {headline(args.task, metrics)}")
    print(f"step {metrics['train_steps']}: train loss {metrics['train_loss']:.4f} "
          f"({metrics['train_seconds']:.0f} s); saved to {args.out} (model, tokenizer, metrics.json)")
    return 0


def _inputs(args: argparse.Namespace, task: str) -> list:
    """The pipeline inputs: the --text, or each non-blank line of --file (a tab separates a second text)."""
    read = pipeline_task(task).pipeline.command_line_input
    second = args.context if args.context is not None else args.pair
    choices = [c.strip() for c in args.choices.split("|")] if args.choices else None
    lines = [args.text] if args.text is not None else \
        [line for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    inputs = []
    for number, line in enumerate(lines, start=1):
        first, other = line, second
        if other is None and args.file is not None and "\t" in line:
            first, other = line.split("\t", 1)
        try:
            inputs.append(read(first, other, choices))
        except ValueError as e:
            raise ValueError(f"{args.file}:{number}: {e}" if args.file else str(e)) from None
    return inputs


def run_predict(args: argparse.Namespace) -> int:
    kwargs = {} if args.top_k is None else {"top_k": args.top_k}
    runner = pipeline(args.task, args.model, device=args.device)
    for item in _inputs(args, args.task):
        result = runner(item, **kwargs)
        print(json.dumps(result, ensure_ascii=False) if args.file else describe(result))
    return 0
