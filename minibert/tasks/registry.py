"""The one registry of tasks: every module of ``minibert.tasks`` that defines ``TASK`` (a `Task`).

Adding a task is adding a file ``minibert/tasks/<name>.py`` with ``TASK = Task(...)``: ``minibert finetune``,
``minibert predict``, ``pipeline()`` and `hf_rows_to_examples` then know it. The modules are found at first
use, not when this module is imported, so a task module may import anything of the package except this
registry (which would import it back).

    TASKS["qa"]                     the tasks `finetune` accepts, by name
    pipeline_task("question-answering")   the task whose pipeline a name or alias means
    hf_rows_to_examples(rows, "ner", label_names=...)   rows of a Hugging Face dataset -> a `TaskData`
"""
from __future__ import annotations

import importlib
import pkgutil
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from minibert.tasks.formats import FormatError, TaskData, finish_loading
from minibert.tasks.task import HFOptions, SkipRow, Task

PACKAGE = "minibert.tasks"


@lru_cache(maxsize=None)
def discover() -> tuple[Task, ...]:
    """Every ``TASK`` of the modules of ``minibert.tasks``, in module order. A name (or alias) claimed by two
    modules is an error."""
    package = importlib.import_module(PACKAGE)
    tasks: list[Task] = []
    owner: dict[str, str] = {}  # every task name and alias -> the module that defines it
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{PACKAGE}.{info.name}")
        task = getattr(module, "TASK", None)
        if not isinstance(task, Task):
            continue
        for name in (task.name, *task.aliases):
            if name in owner:
                raise RuntimeError(f"{module.__name__} and {owner[name]} both define the task name {name!r}")
            owner[name] = module.__name__
        tasks.append(task)
    return tuple(tasks)


class _FinetuningTasks(Mapping[str, Task]):
    """The tasks ``finetune`` accepts, by name (a read-only mapping, filled at first use)."""

    def _tasks(self) -> dict[str, Task]:
        return {task.name: task for task in discover() if task.can_finetune}

    def __getitem__(self, name: str) -> Task:
        return self._tasks()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tasks())

    def __len__(self) -> int:
        return len(self._tasks())

    def __repr__(self) -> str:
        return f"TASKS({sorted(self)})"


TASKS: Mapping[str, Task] = _FinetuningTasks()


def get_task(name: str) -> Task:
    """The task ``finetune`` runs for ``name``."""
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}: expected one of {sorted(TASKS)}")
    return TASKS[name]


def pipeline_names() -> list[str]:
    """Every name ``pipeline()`` and ``minibert predict`` accept: the tasks with a pipeline and their aliases."""
    return sorted(name for task in discover() if task.pipeline is not None for name in (task.name, *task.aliases))


def pipeline_task(name: str) -> Task:
    """The task whose pipeline ``name`` (a task name or an alias such as "qa" / "question-answering") means."""
    for task in discover():
        if task.pipeline is not None and name in (task.name, *task.aliases):
            return task
    raise ValueError(f"unknown pipeline task {name!r}: expected one of {pipeline_names()}")


# ---------------------------------------------------------------------------------------------------
# Hugging Face datasets


def hf_rows_to_examples(rows: Iterable[dict], task: str, label_names: list[str] | None = None,
                        source_lang: str = "en", target_lang: str = "fr", source: str = "hf") -> TaskData:
    """Map rows of a Hugging Face dataset (dicts, with HF's column names) to the task's examples, with its
    ``from_hf_row``. Labels are already integers there; ``label_names`` names them (NER needs it: its tags
    are integers), else the task's default names (NLI's three). Rows the converter skips are counted in
    ``skipped`` (SNLI's label -1); a row without the task's columns is a `FormatError` naming it."""
    spec = get_task(task)
    if spec.from_hf_row is None:
        raise ValueError(f"task {task!r} has no Hugging Face row converter (from_hf_row)")
    options = HFOptions(label_names=label_names, source=source, source_lang=source_lang, target_lang=target_lang)
    examples, skipped = [], Counter()
    for i, row in enumerate(rows):
        try:
            examples.append(spec.from_hf_row(row, options))
        except SkipRow as reason:
            skipped[str(reason)] += 1
        except (KeyError, TypeError, IndexError) as e:
            raise FormatError(source, None, f"row {i}: not a {task} row ({e!r}): {sorted(row)}") from None
    if label_names is None and spec.default_label_names is not None:
        label_names = list(spec.default_label_names)
    return finish_loading(TaskData(examples, source, label_names, dict(skipped)))


def load_hf_dataset(name: str, split: str, task: str, config: str | None = None, **kwargs: Any) -> TaskData:
    """A dataset from the Hugging Face hub (needs network and ``pip install datasets``), e.g.
    ``load_hf_dataset("glue", "train", "text-classification", config="sst2")`` or
    ``load_hf_dataset("conll2003", "validation", "ner")``. Label names come from the dataset's features."""
    try:
        import datasets  # imported here: optional, and only useful online
    except ImportError:
        raise ImportError("load_hf_dataset needs the 'datasets' package: pip install datasets") from None
    dataset = datasets.load_dataset(name, config, split=split)
    feature = dataset.features.get(get_task(task).hf_label_column)
    feature = getattr(feature, "feature", feature)  # ner_tags is a Sequence of ClassLabel
    names = getattr(feature, "names", None)
    return hf_rows_to_examples(dataset, task, kwargs.pop("label_names", names),
                               source=f"hf:{name}/{config or ''}:{split}", **kwargs)
