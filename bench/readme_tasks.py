"""Every task through the command line, exactly as the README shows it.

Reads the README's fine-tuning block (the commands after ``T=data/tasks``, plus the sentiment example above
it), runs each ``minibert finetune`` and ``minibert predict`` command in a shell from the repository root,
times it, and writes a table of the dev metrics (from each run's ``metrics.json``) and of the predictions to
the "cli-tasks" section of bench/RESULTS.md.

    python bench/readme_tasks.py            # about 6 minutes on a 2-core CPU; runs/ is overwritten
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from bench.common import RESULTS, describe_machine, write_section  # noqa: E402
from minibert.tasks.finetune import headline  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def readme_commands(readme: str) -> list[str]:
    """The README's `minibert finetune` / `minibert predict` lines, continuations joined, `$T` expanded."""
    text = readme.replace("\\\n", " ")
    commands = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()
                if line.startswith(("minibert finetune", "minibert predict"))]
    return [c.replace("$T/", "data/tasks/") for c in commands]


def option(command: str, name: str) -> str:
    words = shlex.split(command)
    return words[words.index(name) + 1]


def run(command: str, env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{command!r} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return time.perf_counter() - start, done.stdout.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    rows = ["| task | model | train examples | steps | train time | total time | dev metrics | `minibert predict` |",
            "|---|---|---:|---:|---:|---:|---|---|"]
    commands = readme_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    for finetune, predict in zip(commands[::2], commands[1::2]):
        task = shlex.split(finetune)[2]
        seconds, _ = run(finetune, env)
        _, answer = run(predict, env)
        metrics = json.loads((ROOT / option(finetune, "--out") / "metrics.json").read_text())
        model = option(finetune, "--model") if "--model" in finetune else "minilm"
        row = (f"| {task} | {model} | {metrics['train_examples']:,} | {metrics['train_steps']} | "
               f"{metrics['train_seconds']:.0f} s | {seconds:.0f} s | {headline(task, metrics)} | `{answer}` |")
        print(row, flush=True)
        rows.append(row)
    text = "\n".join([
        "## Every task through the command line (`bench/readme_tasks.py`)", "",
        f"Machine: {describe_machine(torch.device('cpu'))}. The README's `minibert finetune` and "
        "`minibert predict` commands, run as written from a fresh `make setup` (MiniLM unless the command names "
        "a model; default settings otherwise: batch 32, lr as given, bf16 autocast where the CPU has it). "
        "Total time includes loading and scoring the dev set. Scores as the standard scripts give them: SQuAD "
        "and BLEU on 0-100, the others on 0-1.", "", *rows])
    print(text)
    if not args.no_write:
        write_section("cli-tasks", text, RESULTS)
        print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
