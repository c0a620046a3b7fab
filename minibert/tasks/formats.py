"""What the loaders of the public fine-tuning formats share (each task's loader is in its module).

A learner can drop in the real files (GLUE's SST-2 or MRPC, SNLI/MNLI, CoNLL-2003, SQuAD v1.1/v2.0,
SWAG, XSum/CNN-DM style JSONL, parallel TSV/JSONL) or the course's own files under ``data/tasks/``,
which are written in the same formats.

Every loader returns a :class:`TaskData`: the examples (small dataclasses), the label names where the
task has labels, and what was skipped, counted by reason (SNLI's ``-`` rows, blank lines). Nothing is
dropped silently: skips are counted and logged. A malformed file raises :class:`FormatError`, which
names the file and the line (``data/train.tsv:17: expected 2 tab-separated columns, got 3``).

Each task names its loader (``minibert.tasks.qa.TASK.load`` is :func:`load_squad`); a dataset on the
Hugging Face hub is read by ``minibert.tasks.registry.load_hf_dataset`` (online users only).
"""
from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

logger = logging.getLogger(__name__)



class FormatError(ValueError):
    """A file that does not follow its format: ``str(error)`` is ``"path:line: what is wrong"``."""

    def __init__(self, path: str | Path, line: int | None, message: str):
        self.path, self.line, self.message = str(path), line, message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


@dataclass
class TaskData:
    """What a loader returns: a list of examples plus what you need to know about them."""
    examples: list
    source: str
    label_names: list[str] | None = None
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> how many rows were skipped
    changed: dict[str, int] = field(default_factory=dict)  # e.g. IOB1 tags rewritten to BIO

    def __len__(self) -> int:
        return len(self.examples)

    def __iter__(self) -> Iterator:
        return iter(self.examples)

    def __getitem__(self, i: int):
        return self.examples[i]

    @property
    def num_labels(self) -> int | None:
        return None if self.label_names is None else len(self.label_names)


def finish_loading(data: TaskData) -> TaskData:
    """Log what was skipped or changed, so it is never silent; returns ``data``."""
    for reason, n in data.skipped.items():
        logger.warning("%s: skipped %d rows (%s)", data.source, n, reason)
    for what, n in data.changed.items():
        logger.info("%s: %d %s", data.source, n, what)
    return data


# The readers every loader uses
def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its newline); utf-8, a BOM is ignored."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        for number, line in enumerate(f, start=1):
            yield number, line.rstrip("\r\n")


def read_tsv(path: Path, skipped: Counter) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a TSV with a header, as (line, {column: value}). GLUE's files are NOT quoted CSV
    (MRPC's sentences contain bare quotes), so a row is split on tabs and nothing else."""
    lines = read_lines(path)
    header: list[str] | None = None
    for number, line in lines:
        if not line.strip():
            skipped["blank line"] += 1
            continue
        values = line.split("\t")
        if header is None:
            header = values
            continue
        if len(values) != len(header):
            raise FormatError(path, number, f"expected {len(header)} tab-separated columns (as in the "
                                            f"header), got {len(values)}")
        yield number, dict(zip(header, values))
    if header is None:
        raise FormatError(path, 1, "empty file: expected a header line")


def read_jsonl(path: Path, skipped: Counter) -> Iterator[tuple[int, dict]]:
    for number, line in read_lines(path):
        if not line.strip():
            skipped["blank line"] += 1
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise FormatError(path, number, f"bad JSON: {e.msg} (column {e.colno})") from None
        if not isinstance(row, dict):
            raise FormatError(path, number, f"expected a JSON object, got {type(row).__name__}")
        yield number, row


def get_field(row: dict, names: Iterable[str], path: Path, line: int, *, required: bool = True) -> Any:
    """The value of the first of ``names`` present in ``row``."""
    for name in names:
        if name in row:
            return row[name]
    if required:
        raise FormatError(path, line, f"missing field: one of {list(names)} (has {sorted(row)})")
    return None


def label_index(value: str, label_names: list[str] | None, path: Path, line: int) -> int:
    """A label given by name ("positive") or index ("1") -> its index."""
    value = value.strip()
    if label_names is not None and value in label_names:
        return label_names.index(value)
    try:
        index = int(value)
    except ValueError:
        known = f"expected one of {label_names}" if label_names else "expected an integer (or pass label_names)"
        raise FormatError(path, line, f"unknown label {value!r}: {known}") from None
    if index < 0 or (label_names is not None and index >= len(label_names)):
        raise FormatError(path, line, f"label {index} out of range for labels {label_names}")
    return index
