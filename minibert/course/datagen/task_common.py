"""What the task-data generators (``task_<name>.py``) share: unique drawing, splits and writers.

Not a task itself. Every generator draws from ``random.Random(seed)`` only, writes with ``\\n`` line
ends and UTF-8, and never lets the same example text into two splits, so the files are the same bytes
on every machine and dev/test scores are not inflated by copies of training items.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path
from typing import Any, Callable, Hashable, Iterable, Sequence, TypeVar

from minibert.course.paths import data_dir

T = TypeVar("T")
SPLITS = ("train", "dev", "test")
SEED = 1234


def tasks_dir() -> Path:
    """The repository's ``data/tasks`` folder, where the committed datasets live."""
    return data_dir() / "tasks"


def draw_unique(make: Callable[[random.Random], T], n: int, rng: random.Random,
                key: Callable[[T], Hashable] = lambda x: x, seen: set | None = None) -> list[T]:
    """``n`` items from ``make(rng)`` whose keys are all different (and not in ``seen``, which is
    updated). Fails loudly when the templates cannot give that many different items."""
    seen = set() if seen is None else seen
    items: list[T] = []
    tries = 0
    while len(items) < n:
        item = make(rng)
        tries += 1
        if key(item) not in seen:
            seen.add(key(item))
            items.append(item)
        elif tries > 50 * n + 1000:
            raise RuntimeError(f"only {len(items)} different items after {tries} draws, {n} wanted: "
                               f"the templates are too few")
    return items


def split(items: Sequence[T], sizes: Sequence[int]) -> dict[str, list[T]]:
    """Consecutive slices of ``items`` named train/dev/test."""
    if sum(sizes) > len(items):
        raise ValueError(f"{len(items)} items cannot fill splits of sizes {list(sizes)}")
    out, start = {}, 0
    for name, size in zip(SPLITS, sizes):
        out[name] = list(items[start:start + size])
        start += size
    return out


def a_or_an(word: str) -> str:
    return ("an " if word[0].lower() in "aeiou" else "a ") + word


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


# ----------------------------------------------------------------------------- writers
def _check_cell(value: str) -> str:
    if "\t" in value or "\n" in value:
        raise ValueError(f"a TSV cell cannot hold a tab or a newline: {value!r}")
    return value


def write_tsv(path: Path, rows: Iterable[Sequence[Any]], header: Sequence[str] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for row in ([header] if header else []) + list(rows):
            f.write("\t".join(_check_cell(str(v)) for v in row) + "\n")


def write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(data, f, ensure_ascii=False)
        f.write("\n")


def write_csv(path: Path, rows: Iterable[Sequence[Any]], header: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main(write: Callable[[Path, int], Any], task: str, argv: list[str] | None = None) -> None:
    """The ``python -m minibert.course.datagen.task_<name> [--out DIR] [--seed N]`` entry point."""
    parser = argparse.ArgumentParser(description=f"Write the course's {task} dataset.")
    parser.add_argument("--out", type=Path, help="output folder (default: the repository's data/tasks/<task>)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    args.out = args.out or tasks_dir() / task
    report = write(args.out, args.seed)
    print(f"wrote {args.out}: {report}")
