"""Experiments too long to run inside a lesson's smoke budget, run once by a committed command.

A lesson shows what one experiment found over many seeds or steps, and re-runs a small part of it live to
show that the stored numbers are what the code gives. Each experiment is a module here with

* ``NAME`` (also its file name under ``data/experiments/``, ``<NAME>.json``),
* ``run(**options) -> dict`` (JSON-able, with the settings it used), showing progress with tqdm,

and is run with ``python -m minibert.course.experiments NAME`` (``--list`` names them all). The datasheet
(``data/README.md``) says what each file holds and how long it took.
"""
from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import time
from pathlib import Path
from typing import Any

from minibert.course.paths import data_dir
from minibert.files import atomic_write_text


def names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def result_path(name: str) -> Path:
    return data_dir() / "experiments" / f"{name}.json"


def load(name: str) -> dict[str, Any]:
    """The stored result of an experiment; a missing one says which command makes it."""
    path = result_path(name)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: make it with `python -m minibert.course.experiments {name}`")
    return json.loads(path.read_text(encoding="utf-8"))


def run(name: str, **options: Any) -> dict[str, Any]:
    """Run experiment ``name`` and store its result (with the command and the seconds it took)."""
    if name not in names():
        raise ValueError(f"unknown experiment {name!r}; known: {', '.join(names())}")
    module = importlib.import_module(f"{__name__}.{name}")
    start = time.perf_counter()
    result = module.run(**options)
    result = {"experiment": name, "command": f"python -m minibert.course.experiments {name}",
              "seconds": round(time.perf_counter() - start, 1), **result}
    atomic_write_text(result_path(name), json.dumps(result, indent=1) + "\n")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", nargs="?", help="the experiment to run")
    parser.add_argument("--list", action="store_true", help="name every experiment")
    args = parser.parse_args(argv)
    if args.list or not args.name:
        print("\n".join(names()))
        return
    result = run(args.name)
    print(f"wrote {result_path(args.name)} in {result['seconds']} s")
