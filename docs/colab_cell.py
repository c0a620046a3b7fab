"""Give every lesson a first code cell that sets it up in Colab: `python docs/colab_cell.py [--remove] [--check]`.

The cell (tagged ``colab-setup``, placed right after the lesson's title) clones the course repository,
installs ``minibert`` with the lessons' extras and the offline weights package (``requirements-nodeps.txt``)
and moves into ``notebooks/``, so the lesson finds ``data/`` as it does locally. It is guarded: outside Colab
it does nothing and prints nothing, so the committed outputs, and nbval, are unchanged. Colab's torch (a CUDA
build) satisfies ``torch>=2.4`` and is kept; minibert uses the GPU by itself.

Running it again changes nothing (the cell is found by its tag and rewritten only if its text differs);
``--remove`` takes the cell out again, ``--check`` writes nothing and exits 1 if a lesson would change.
``MINIBERT_REPOSITORY_URL`` (or ``--repository``) names the repository to clone.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
TAG = "colab-setup"
DEFAULT_REPOSITORY = os.environ.get("MINIBERT_REPOSITORY_URL") or "https://github.com/OWNER/minibert"

SOURCE = '''# In Colab (Runtime > Change runtime type > GPU), this cell installs the course; anywhere else it does nothing.
import sys as _sys
if "google.colab" in _sys.modules:
    import os as _os, subprocess as _sp
    if not _os.path.isdir("/content/minibert"):
        _sp.run(["git", "clone", "-q", "--depth", "1", "{repository}", "/content/minibert"], check=True)
        _sp.run([_sys.executable, "-m", "pip", "install", "-q", "/content/minibert[lessons]"], check=True)
        _sp.run([_sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--require-hashes",
                 "-r", "/content/minibert/requirements-nodeps.txt"], check=True)
    _os.chdir("/content/minibert/notebooks")'''


def cell_source(repository: str) -> str:
    return SOURCE.replace("{repository}", repository)


def with_cell(nb: nbformat.NotebookNode, repository: str, remove: bool = False) -> nbformat.NotebookNode:
    """``nb`` with the Colab cell in place (after the first markdown cell), or without it (``remove``)."""
    cells = [c for c in nb.cells if TAG not in c.metadata.get("tags", [])]
    old = next((c for c in nb.cells if TAG in c.metadata.get("tags", [])), None)
    if remove:
        nb.cells = cells
        return nb
    cell = old if old is not None else nbformat.v4.new_code_cell()
    cell.source = cell_source(repository)
    cell.metadata.setdefault("tags", [TAG])
    cell.metadata["slideshow"] = {"slide_type": "skip"}
    cell.outputs, cell.execution_count = [], None
    if old is None:
        cell.id = TAG
    at = 1 if cells and cells[0].cell_type == "markdown" else 0
    nb.cells = cells[:at] + [cell] + cells[at:]
    return nb


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/NN_*.ipynb")
    parser.add_argument("--repository", default=DEFAULT_REPOSITORY, help="the git URL Colab clones")
    parser.add_argument("--remove", action="store_true", help="take the Colab cell out")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a lesson would change")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    changed = []
    for path in paths:
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        before = nbformat.writes(nb)
        after = with_cell(nb, args.repository, remove=args.remove)
        if nbformat.writes(after) != before:
            changed.append(path)
            if not args.check:
                nbformat.write(after, path)
    for path in changed:
        print(f"{'would change' if args.check else 'changed'}: {path}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
