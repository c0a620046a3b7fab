"""The datasheet's table of baselines next to fine-tuned MiniLM: ``python -m minibert.course.baseline_table``.

For every course task it loads ``data/tasks/<task>/{train,dev,test}``, scores each baseline of
``minibert.course.baselines`` (fitted on train) on dev and test, and with ``--finetuned`` fine-tunes
MiniLM on train for one epoch with the settings of the README's "The command line" (``FINETUNE``) and
scores it on dev. It writes everything to ``data/tasks/baselines.json`` (what the lessons load, with
the command, the date and the seconds it took) and the table into ``data/README.md`` between
``<!-- baselines:start -->`` and ``<!-- baselines:end -->``. Without ``--finetuned`` the fine-tuned
scores already stored are kept if the task's files have not changed since (their SHA-256 is stored).
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from minibert.course import baselines
from minibert.course.paths import data_dir
from minibert.files import atomic_write_text
from minibert.tasks.classification import SST2_LABELS, load_glue_tsv
from minibert.tasks.multiple_choice import load_swag
from minibert.tasks.ner import load_conll
from minibert.tasks.nli import load_nli
from minibert.tasks.qa import load_squad
from minibert.tasks.summarization import load_summaries
from minibert.tasks.translation import load_parallel

# task folder: (loader, file extension, metrics the table shows)
TASKS: dict[str, tuple[Callable, str, tuple[str, ...]]] = {
    "sentiment": (load_glue_tsv, "tsv", ("accuracy",)),
    "nli": (load_nli, "jsonl", ("accuracy",)),
    "qa": (load_squad, "json", ("f1", "exact_match")),
    "qa_v2": (load_squad, "json", ("f1", "exact_match")),
    "ner": (load_conll, "txt", ("f1",)),
    "multiple_choice": (load_swag, "csv", ("accuracy",)),
    "summarization": (load_summaries, "jsonl", ("rouge2",)),
    "translation": (load_parallel, "tsv", ("bleu",)),
}
# The README's fine-tuning commands (1 epoch, MiniLM; summarization: the course model, as the README says).
FINETUNE: dict[str, dict[str, Any]] = {
    "sentiment": {"task": "text-classification", "label_names": SST2_LABELS},
    "nli": {"task": "nli", "lr": 1e-4, "batch_size": 16},
    "qa": {"task": "qa", "max_length": 192},
    "qa_v2": {"task": "qa", "max_length": 192},
    "ner": {"task": "ner"},
    "multiple_choice": {"task": "multiple-choice", "max_length": 64},
    "summarization": {"task": "summarization", "model": "data/models/course-tiny", "max_length": 256, "lr": 1e-3,
                      "epochs": 3},
    "translation": {"task": "translation", "lr": 1e-4, "max_length": 32},
}
START, END = "<!-- baselines:start -->", "<!-- baselines:end -->"


def scores_path() -> Path:
    return data_dir() / "tasks" / "baselines.json"


def task_files(task: str) -> dict[str, Path]:
    _, ext, _ = TASKS[task]
    return {split: data_dir() / "tasks" / task / f"{split}.{ext}" for split in ("train", "dev", "test")}


def files_digest(task: str) -> str:
    digest = hashlib.sha256()
    for path in task_files(task).values():
        digest.update(path.read_bytes())
    return digest.hexdigest()


def score_baselines(task: str) -> dict[str, dict[str, dict[str, float]]]:
    """{baseline: {split: {metric: score}}} on dev and test, each baseline fitted on train."""
    load, _, metrics = TASKS[task]
    data = {split: load(path) for split, path in task_files(task).items()}
    out: dict[str, dict[str, dict[str, float]]] = {}
    for split in ("dev", "test"):
        for metric in metrics:
            kwargs = {"metric": metric} if len(metrics) > 1 else {}
            for name, score in getattr(baselines, task)(data["train"], data[split], **kwargs).items():
                out.setdefault(name, {}).setdefault(split, {})[metric] = score
    return out


def finetune_scores(task: str) -> dict[str, Any]:
    """Fine-tune on train for the README's settings; the dev scores of the task's metrics and the time."""
    from minibert.tasks.finetune import finetune  # only here: the baselines need no model

    settings = {"model": "minilm", "epochs": 1, **FINETUNE[task]}
    files = task_files(task)
    with tempfile.TemporaryDirectory() as out:
        kwargs = {k: v for k, v in settings.items() if k != "task"}
        metrics = finetune(settings["task"], train=files["train"], dev=files["dev"], out_dir=out, bf16=False, **kwargs)
    return {"settings": settings, "dev": {m: metrics[m] for m in TASKS[task][2]},
            "train_seconds": metrics["train_seconds"]}


def _cell(scores: dict[str, float] | None, metrics: tuple[str, ...]) -> str:
    if not scores:
        return "—"
    return " / ".join(f"{scores[m]:.1f}" if m in ("f1", "exact_match", "bleu") and scores[m] > 1.0
                      or m in ("exact_match", "bleu") else f"{scores[m]:.3f}" for m in metrics)


def table(results: dict[str, Any]) -> str:
    """The markdown table: per task, each baseline's dev and test scores, then the fine-tuned model's."""
    lines = [f"Made by `{results['command']}` on {results['date']} in {results['seconds']:.0f} s "
             f"({results['threads']} thread; fine-tuning {results['finetune_seconds']:.0f} s of it). "
             "Baselines fitted on train only; the fine-tuned row is one run (seed 42) scored on dev.", "",
             "| task | metric | method | dev | test |", "|---|---|---|---:|---:|"]
    for task, entry in results["tasks"].items():
        metrics = TASKS[task][2]
        label = " / ".join({"f1": "F1" if task.startswith("qa") else "entity F1", "exact_match": "EM",
                            "rouge2": "ROUGE-2", "bleu": "BLEU", "accuracy": "accuracy"}[m] for m in metrics)
        rows = [(name, s.get("dev"), s.get("test")) for name, s in entry["baselines"].items()]
        if entry.get("finetuned"):
            model = "course model" if "course-tiny" in entry["finetuned"]["settings"]["model"] else "MiniLM"
            rows.append((f"**fine-tuned {model}**", entry["finetuned"]["dev"], None))
        for i, (name, dev, test) in enumerate(rows):
            lines.append(f"| {task if i == 0 else ''} | {label if i == 0 else ''} | {name} | "
                         f"{_cell(dev, metrics)} | {_cell(test, metrics)} |")
    return "\n".join(lines)


def write_readme_table(text: str, readme: Path | None = None) -> None:
    readme = readme or data_dir() / "README.md"
    content = readme.read_text(encoding="utf-8")
    if START not in content or END not in content:
        raise ValueError(f"{readme} has no {START} ... {END} markers")
    before, rest = content.split(START, 1)
    atomic_write_text(readme, f"{before}{START}\n{text}\n{END}{rest.split(END, 1)[1]}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m minibert.course.baseline_table", description=__doc__.split("\n")[0])
    parser.add_argument("--finetuned", action="store_true", help="also fine-tune on each task (about 10 minutes)")
    parser.add_argument("--tasks", nargs="+", choices=sorted(TASKS), default=list(TASKS))
    args = parser.parse_args(argv)
    logging.getLogger("sacrebleu").setLevel(logging.ERROR)
    old = json.loads(scores_path().read_text(encoding="utf-8")) if scores_path().is_file() else {"tasks": {}}
    import torch
    start, finetune_seconds = time.perf_counter(), 0.0
    results: dict[str, Any] = {"tasks": {}}
    for task in TASKS:
        previous = old["tasks"].get(task, {})
        digest = files_digest(task)
        entry = {"files_sha256": digest, "baselines": score_baselines(task) if task in args.tasks
                 else previous.get("baselines", {})}
        if args.finetuned and task in args.tasks:
            t = time.perf_counter()
            entry["finetuned"] = finetune_scores(task)
            finetune_seconds += time.perf_counter() - t
        elif previous.get("finetuned") and previous.get("files_sha256") == digest:
            entry["finetuned"] = previous["finetuned"]
        print(task, json.dumps(entry["baselines"]), json.dumps(entry.get("finetuned", {}).get("dev")), flush=True)
        results["tasks"][task] = entry
    results.update(command="python -m minibert.course.baseline_table" + (" " + " ".join(argv or sys.argv[1:])).rstrip(),
                   date=datetime.date.today().isoformat(), seconds=time.perf_counter() - start,
                   finetune_seconds=finetune_seconds if args.finetuned else old.get("finetune_seconds", 0.0),
                   threads=torch.get_num_threads())
    atomic_write_text(scores_path(), json.dumps(results, indent=1) + "\n")
    write_readme_table(table(results))
    return results


if __name__ == "__main__":
    main()
