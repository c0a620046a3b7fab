"""Is minibert's fine-tuning right, and what does pre-training buy? Two tables for bench/RESULTS.md.

1. Parity. For classification (course sentiment), NER and QA (course SQuAD v1.1), the same backbone
   (MiniLM), data, seed and hyper-parameters fine-tuned twice:
     minibert      `minibert.tasks.finetune.finetune` (the Trainer, length-grouped batches), fp32
     transformers  its model classes (BertForSequenceClassification / TokenClassification / QuestionAnswering,
                   sdpa) and a plain PyTorch loop: the same batches in the same order, the same new-head
                   initial weights, AdamW with the same decay groups, the same linear warm-up and decay,
                   clipping, fp32
   Both are scored by the same evaluation code on the same dev examples; they should agree within one point.
   (Nothing forces the two libraries to draw the same dropout masks or to round alike; they need not be
   bit-identical.)
2. Transfer. Each task fine-tuned from the MiniLM weights and from random weights in MiniLM's config, and
   from the course's own pre-trained model (``data/models/course-tiny``, made by `minibert pretrain`; skipped
   if absent) and from random weights in its config: same data, epochs and batches (a tiny model gets the
   larger learning rate it needs, ``--course-lr``).

Subsets keep each run to a few minutes on a CPU:  python bench/finetune_parity.py [--tasks ner qa]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
import warnings
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from bench.common import RESULTS, describe_machine, write_section  # noqa: E402
from minibert.hub import minilm_dir  # noqa: E402
from minibert.tasks import finetune as ft  # noqa: E402
from minibert.tasks.batching import LengthGroupedSampler, feature_length  # noqa: E402
from minibert.tasks.registry import get_task  # noqa: E402
from minibert.tokenizer import BertTokenizer  # noqa: E402
from minibert.optim import decay_parameter_names, linear_schedule  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data" / "tasks"
# task -> (train file, dev file, train examples, dev examples, the metric compared)
TASKS = {
    "text-classification": ("sentiment/train.tsv", "sentiment/dev.tsv", 1600, 500, "accuracy"),
    "ner": ("ner/train.txt", "ner/dev.txt", 1000, 300, "f1"),
    "qa": ("qa/train.json", "qa/dev.json", 800, 300, "f1"),
}
HEADS = {"text-classification": "BertForSequenceClassification", "ner": "BertForTokenClassification",
         "qa": "BertForQuestionAnswering"}
HEAD_WEIGHTS = {"text-classification": "classifier", "ner": "classifier", "qa": "qa_outputs"}


def hf_finetune(task: str, train: Path, dev: Path, hp: dict) -> dict[str, float]:
    """The transformers side: its model class, a plain loop, the same batches and initial head as minibert."""
    import transformers

    spec = get_task(task)
    train_data = ft.first_examples(spec.load(train), hp["train_limit"])
    dev_data = ft.first_examples(spec.load(dev), hp["dev_limit"])
    labels = ft.task_label_names(train_data, dev_data) if spec.has_labels else None
    tok = BertTokenizer.from_pretrained("minilm")
    features = spec.features(train_data.examples, tok, hp["max_length"], labels, True)
    dev_features = spec.features(dev_data.examples, tok, hp["max_length"], labels, False)

    torch.manual_seed(hp["seed"])  # as finetune() does before building its model: the same new head
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = ft.build_model(spec, "minilm", labels)
        extra = {"id2label": dict(enumerate(labels)), "label2id": {n: i for i, n in enumerate(labels)}} \
            if labels else {}
        model = getattr(transformers, HEADS[task]).from_pretrained(minilm_dir(), attn_implementation="sdpa", **extra)
    head = HEAD_WEIGHTS[task]
    getattr(model, head).load_state_dict(getattr(ours, head).state_dict())
    model.to(hp["device"])

    batch_size = hp["batch_size"]
    sampler = LengthGroupedSampler([feature_length(f) for f in features], batch_size, hp["seed"])
    steps = int(hp["epochs"] * len(sampler))
    decay = decay_parameter_names(model)
    groups = [{"params": [p for n, p in model.named_parameters() if n in decay], "weight_decay": 0.01},
              {"params": [p for n, p in model.named_parameters() if n not in decay], "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=hp["lr"], eps=1e-6)
    warmup = math.ceil(0.1 * steps)  # the Trainer's warm-up: step s runs at (s + 1) / warmup of the peak
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: linear_schedule(s, warmup, steps))
    collate = spec.collator(tok.pad_token_id)
    torch.manual_seed(hp["seed"])
    model.train()
    for _ in range(steps):
        _, indices = sampler.next_indices()
        batch = collate([features[i] for i in indices])
        loss = model(**{k: v.to(hp["device"]) for k, v in batch.items()}).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
    model.eval()
    return spec.evaluate(model, dev_data.examples, dev_features, batch_size)


def minibert_finetune(task: str, model: str | Path, train: Path, dev: Path, hp: dict, **kwargs) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as out, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ft.finetune(task, model, train, dev, out_dir=out, bf16=False, show_progress=False, **hp, **kwargs)


def timed(fn, *args, **kwargs) -> tuple[dict[str, float], float]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--lr", type=float, default=1e-4, help="MiniLM's peak learning rate")
    parser.add_argument("--course-lr", type=float, default=1e-3,
                        help="the course model's (a tiny model wants a larger learning rate, as in pre-training)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the train/dev subset sizes")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (both runs in fp32 either way)")
    parser.add_argument("--course-model", type=Path,
                        help="the course's pre-trained model folder (default data/models/course-tiny)")
    parser.add_argument("--course-only", action="store_true",
                        help="only the course model's transfer runs (section finetune-course-transfer)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    import transformers

    transformers.logging.set_verbosity_error()  # its per-model load reports (the new heads are expected)

    shipped = DATA.parent / "models" / "course-tiny"  # the library does not know the course: its folder
    course = args.course_model or (shipped if (shipped / "config.json").is_file() else None)
    parity = ["| task (metric) | train / dev | minibert | transformers | difference |", "|---|---|---:|---:|---:|"]
    transfer = ["| task (metric) | MiniLM | MiniLM config, random init | course model | course config, random init |",
                "|---|---:|---:|---:|---:|"]
    records = {}
    for task in args.tasks:
        train, dev, n_train, n_dev, metric = TASKS[task]
        files = (DATA / train, DATA / dev)
        hp = dict(epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, max_length=128 if task != "qa" else 192,
                  seed=args.seed, device=args.device, train_limit=int(n_train * args.scale),
                  dev_limit=int(n_dev * args.scale))
        scale = 1 if task == "qa" else 100  # SQuAD scores are already percentages
        runs: dict[str, dict[str, float] | None] = {}
        if not args.course_only:
            runs["minibert"], t_ours = timed(minibert_finetune, task, "minilm", *files, hp)
            runs["transformers"], t_theirs = timed(hf_finetune, task, *files, hp)
            runs["minilm_random"] = minibert_finetune(task, "minilm", *files, hp, random_init=True)
            a, b = runs["minibert"][metric] * scale, runs["transformers"][metric] * scale
            parity.append(f"| {task} ({metric}) | {hp['train_limit']} / {hp['dev_limit']} | {a:.2f} | {b:.2f} "
                          f"| {a - b:+.2f} |")
            print(f"{task}: minibert {metric} {a:.2f} ({t_ours:.0f} s), transformers {b:.2f} ({t_theirs:.0f} s)",
                  flush=True)
        if course is not None:
            course_hp = {**hp, "lr": args.course_lr}
            runs["course"] = minibert_finetune(task, course, *files, course_hp)
            runs["course_random"] = minibert_finetune(task, course, *files, course_hp, random_init=True)
        cells = [f"{runs[k][metric] * scale:.2f}" if runs.get(k) else "n/a"
                 for k in ("minibert", "minilm_random", "course", "course_random")]
        transfer.append(f"| {task} ({metric}) | " + " | ".join(cells) + " |")
        print(transfer[-1], flush=True)
        records[task] = runs
    print(json.dumps(records, indent=1))
    setup = (f"Machine: {describe_machine(torch.device(args.device))}. fp32, {args.epochs:g} epochs, batch "
             f"{args.batch_size}, seed {args.seed}, 10% warm-up then linear decay, max_length 128 (QA: 192-token "
             f"windows, stride 48); peak learning rate {args.lr:g} for MiniLM (6 layers, hidden 384), "
             f"{args.course_lr:g} for the course model ({course or 'absent'}). Scores in % on the first dev examples "
             f"of the course data (train / dev sizes in the parity table).")
    if args.course_only:
        body = ["## Fine-tuning: what the course's own pre-training buys (`bench/finetune_parity.py --course-only`)",
                "", setup, "", *transfer]
        name = "finetune-course-transfer"
    else:
        body = ["## Fine-tuning parity and transfer (`bench/finetune_parity.py`)", "", setup, "",
                "Same MiniLM backbone, data, batches, initial head and hyper-parameters; minibert's Trainer vs "
                "transformers' model classes in a plain PyTorch loop, scored by the same code:", "", *parity, "",
                "What pre-training buys (minibert, same data and budget; random init keeps the config and "
                "vocabulary but not the weights):", "", *transfer]
        name = "finetune-parity"
    if not args.no_write:
        write_section(name, "\n".join(body), RESULTS)
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
