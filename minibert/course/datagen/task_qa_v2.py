"""The QA paragraphs of ``task_qa`` in SQuAD v2.0's format, with unanswerable questions added.

Same seed, same paragraphs and answerable questions as ``data/tasks/qa``; each paragraph also gets
unanswerable questions (``"is_impossible": true``, ``"answers": []``), one for every two answerable
ones, about facts the paragraph does not state ("What is the capital of Spain?" next to "The capital
of France is Paris."), with a ``plausible_answers`` span of the right type where there is one.

``python -m minibert.course.datagen.task_qa_v2`` writes ``data/tasks/qa_v2/{train,dev,test}.json``.
"""
from __future__ import annotations

from pathlib import Path

from . import task_qa
from .task_common import SEED, main

TASK = "qa_v2"


def write(out_dir: Path, seed: int = SEED, sizes: tuple[int, int, int] = task_qa.SIZES) -> dict:
    return task_qa.write(out_dir, seed, sizes, version="v2.0")


if __name__ == "__main__":
    main(write, TASK)
