"""Regenerate every course task dataset: ``python -m minibert.course.datagen.task_all [--seed N]``."""
from __future__ import annotations

import argparse

from . import (task_multiple_choice, task_ner, task_nli, task_qa, task_qa_v2, task_sentiment, task_summarization,
               task_translation)
from .task_common import SEED, tasks_dir

GENERATORS = (task_sentiment, task_nli, task_qa, task_qa_v2, task_ner, task_multiple_choice, task_summarization,
              task_translation)


def write_all(seed: int = SEED) -> dict:
    """Write each task under ``data/tasks/<task>``; returns each generator's report."""
    return {g.TASK: g.write(tasks_dir() / g.TASK, seed) for g in GENERATORS}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=SEED)
    for task, report in write_all(parser.parse_args().seed).items():
        print(f"{task}: {report}")
