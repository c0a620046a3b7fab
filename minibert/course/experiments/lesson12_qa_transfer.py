"""Lesson 12: what pre-training buys for question answering, controlled, three seeds.

The course model (``data/models/course-tiny``: 2 layers, H = 128, pre-trained on the course corpus) is
fine-tuned on the course's SQuAD-format training questions next to the SAME architecture started from
random weights: same data, steps, learning rate, batch order and seeds. Every run is one call of
``minibert.tasks.finetune.finetune`` (the five steps of lesson 10, fp32 on the CPU), scored on all dev
questions (held out: their countries, people and wordings are not in the training file). Beside them:
the best-overlap baselines of ``minibert.course.baselines.qa`` on the same dev questions. The runs go
``workers`` at a time (each on one thread), about 18 minutes on two shared CPU cores.

Lesson 12 fine-tunes seed 0 of the pre-trained model at the smallest budget live and checks that its dev
scores are the ones stored here. What ``data/experiments/lesson12_qa_transfer.json`` holds::

    settings    SETTINGS
    baselines   {"f1": {name: dev F1}, "exact_match": {name: dev EM}}  (0-100)
    runs        [{"init": "pre-trained" | "random", "steps", "seed", "scores": {"f1", "exact_match"},
                  "train_loss", "seconds"}]
"""
from __future__ import annotations

import multiprocessing
import tempfile
import warnings
from pathlib import Path
from typing import Any

import torch
from tqdm.auto import tqdm

from minibert.course import baselines
from minibert.course.models import course_model_dir
from minibert.course.paths import data_dir
from minibert.tasks.finetune import finetune
from minibert.tasks.qa import load_squad

NAME = "lesson12_qa_transfer"
INITS = ("pre-trained", "random")
SETTINGS: dict[str, Any] = {"seeds": [0, 1, 2], "budgets": [150, 600], "batch_size": 16, "lr": 1e-3,
                            "max_length": 128}


QA = data_dir() / "tasks" / "qa"
SCORES = ("f1", "exact_match")


def fine_tune(out_dir: str | Path, steps: int, seed: int, random_init: bool = False,
              model: str | Path | None = None) -> dict[str, float]:
    """One run: ``model`` (by default the course model), or its architecture from random init, fine-tuned on
    all training questions for ``steps`` steps and saved to ``out_dir``; returns ``finetune``'s metrics."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "the head is newly initialised": we know
        return finetune("qa", model or course_model_dir(), QA / "train.json", QA / "dev.json", out_dir=out_dir,
                        max_steps=steps, lr=SETTINGS["lr"], batch_size=SETTINGS["batch_size"],
                        max_length=SETTINGS["max_length"], seed=seed, random_init=random_init, device="cpu",
                        bf16=False, show_progress=False)


def scores(result: dict[str, Any], init: str, steps: int, metric: str = "f1") -> list[float]:
    """The stored dev scores of one setting, one per seed (in seed order)."""
    runs = sorted((r for r in result["runs"] if (r["init"], r["steps"]) == (init, steps)), key=lambda r: r["seed"])
    return [r["scores"][metric] for r in runs]


def _one_run(setting: tuple[str, int, int]) -> dict[str, Any]:
    """One (init, steps, seed) of the grid, on one thread, in a folder of its own."""
    torch.set_num_threads(1)  # one thread: the numbers do not depend on the machine's core count
    init, steps, seed = setting
    with tempfile.TemporaryDirectory(prefix=f"{NAME}-") as folder:
        metrics = fine_tune(folder, steps, seed, init == "random")
    return {"init": init, "steps": steps, "seed": seed, "scores": {k: metrics[k] for k in SCORES},
            "train_loss": metrics["train_loss"], "seconds": round(metrics["train_seconds"], 1)}


def run(workers: int = 4) -> dict[str, Any]:
    """Every run of the grid, ``workers`` at a time (each run is seeded and single-threaded, so the result
    does not depend on how many run together)."""
    torch.set_num_threads(1)
    train, dev = load_squad(QA / "train.json"), load_squad(QA / "dev.json")
    out: dict[str, Any] = {"settings": SETTINGS, "train_examples": len(train), "dev_examples": len(dev),
                           "baselines": {m: baselines.qa(train, dev, m) for m in SCORES}, "runs": []}
    grid = [(init, steps, seed) for steps in SETTINGS["budgets"] for init in INITS for seed in SETTINGS["seeds"]]
    longest_first = sorted(grid, key=lambda g: -g[1])  # the long runs first: the workers finish together
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        done = {(r["init"], r["steps"], r["seed"]): r
                for r in tqdm(pool.imap_unordered(_one_run, longest_first), total=len(grid), desc=NAME, unit="run")}
    out["runs"] = [done[g] for g in grid]
    return out
