"""Where the course's files are: the ``data/`` folder of the repository, never the package's location.

A wheel of ``minibert`` can be installed anywhere; the course's data (corpus, vocabularies, task files,
the course model) lives in the repository the learner cloned. ``data_dir()`` finds it from the current
directory (a lesson runs in ``notebooks/``, a command in the repository root), or from
``$MINIBERT_DATA_DIR``.
"""
from __future__ import annotations

import os
from pathlib import Path

DATA_VARIABLE = "MINIBERT_DATA_DIR"
_MARKER = Path("corpus") / "course.txt"  # a data folder is the course's if it holds the corpus


def find_data_dir(start: str | os.PathLike | None = None) -> Path | None:
    """The course's ``data/`` folder: ``$MINIBERT_DATA_DIR``, else ``data/`` in ``start`` (default: the
    current directory) or the nearest folder above it that has one; None if there is none."""
    if os.environ.get(DATA_VARIABLE):
        return Path(os.environ[DATA_VARIABLE])
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / _MARKER).is_file():
            return folder / "data"
    return None


def data_dir() -> Path:
    """Like :func:`find_data_dir`, but a missing data folder is an error that says what to do."""
    found = find_data_dir()
    if found is None:
        raise FileNotFoundError(f"the course's data folder was not found from {Path.cwd()}: run from the "
                                f"minibert repository (or a folder inside it), or set {DATA_VARIABLE}")
    return found
