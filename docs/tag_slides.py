"""Tag the lesson notebooks' cells for slides: `python docs/tag_slides.py [--check] [notebooks/NN_x.ipynb ...]`.

Sets each cell's ``metadata.slideshow.slide_type`` (what nbconvert's ``--to slides``, JupyterLab's slide
show and RISE read) from the cell's content alone, so running it again changes nothing and a rewritten
lesson is re-tagged the same way:

- a markdown cell that starts with ``# `` or ``## `` starts a slide; one that starts with ``### ``, a
  sub-slide (below the slide it belongs to);
- the set-up cell (the first code cell: imports and the profile line), empty cells and the Colab install
  cell (tag ``colab-setup``, see ``docs/colab_cell.py``) are ``skip``;
- a code cell whose text output is longer than ``LONG_OUTPUT`` lines is ``skip``: a slide shows an idea,
  not a page of numbers (the lesson and the website keep them);
- a code cell that draws a plot starts a sub-slide of its own (``docs/slides.py`` also puts the figure
  on a slide by itself, after its code);
- any other cell stays on the current slide (``-``) unless that slide is already full (about
  ``SLIDE_LINES`` lines of text, code and output), and then it starts a sub-slide: one idea a slide;
- a markdown cell that stays on a slide right after a code cell is a ``fragment``: the comment on an
  output appears after the output.

A cell tagged ``slides-manual`` (cell tags) keeps the slideshow metadata it has, for hand-made exceptions.
Notebooks are rewritten only when a tag changes, in the format Jupyter writes (nbformat, indent 1).
``--check`` writes nothing and exits 1 if some notebook is not tagged as these rules say.
"""
from __future__ import annotations

import argparse
import copy
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
LONG_OUTPUT = 15     # text lines of output above which a cell is left off the slides
SLIDE_LINES = 24     # about what a 960x700 slide shows at nbconvert's slide font sizes
LINE_CHARS = 80      # characters of prose in one line of a slide
FIGURE_LINES = 14    # what a figure takes (it gets a slide anyway)
HTML_LINES = 18      # an HTML output (a bertviz view, a table)
MANUAL_TAG = "slides-manual"
COLAB_TAG = "colab-setup"  # the cell docs/colab_cell.py adds: never on a slide, not the set-up cell
SLIDE_START = {"slide", "subslide"}


def _text_lines(text: str) -> int:
    return sum(max(1, math.ceil(len(line) / LINE_CHARS)) for line in text.splitlines())


def output_lines(cell: nbformat.NotebookNode) -> int:
    """Lines of text the cell's outputs print (streams, plain-text results, error tracebacks)."""
    lines = 0
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            lines += len(output.text.splitlines())
        elif output.output_type == "error":
            lines += len(output.traceback)
        elif not {"image/png", "image/svg+xml", "image/jpeg", "text/html"} & set(output.get("data", {})):
            lines += len(output.get("data", {}).get("text/plain", "").splitlines())
    return lines


def has_figure(cell: nbformat.NotebookNode) -> bool:
    return any({"image/png", "image/svg+xml", "image/jpeg"} & set(o.get("data", {})) for o in cell.get("outputs", []))


def _has_html(cell: nbformat.NotebookNode) -> bool:
    return any("text/html" in o.get("data", {}) for o in cell.get("outputs", []))


def cell_lines(cell: nbformat.NotebookNode) -> int:
    """How much of a slide the cell fills, in lines (a rough measure: enough to split long slides)."""
    if cell.cell_type == "markdown":
        return _text_lines(cell.source)
    lines = len(cell.source.splitlines()) + min(output_lines(cell), LONG_OUTPUT)
    return lines + (FIGURE_LINES if has_figure(cell) else 0) + (HTML_LINES if _has_html(cell) else 0)


def slide_types(nb: nbformat.NotebookNode) -> list[str]:
    """The slide type of every cell by the rules of the module docstring (ignores present tags)."""
    types: list[str] = []
    filled = 0          # lines on the slide being filled
    first_code = True
    previous = None     # the cell type last shown on the slide
    for cell in nb.cells:
        source = cell.source.strip()
        kind = "-"
        if not source or COLAB_TAG in cell.metadata.get("tags", []):
            kind = "skip"   # empty, or the Colab install cell (docs/colab_cell.py)
        elif cell.cell_type == "markdown":
            if source.startswith(("# ", "## ")):
                kind = "slide"
            elif source.startswith("### "):
                kind = "subslide"
        elif cell.cell_type == "code":
            if first_code or output_lines(cell) > LONG_OUTPUT:
                kind = "skip"
            elif has_figure(cell):
                kind = "subslide"
            first_code = False
        else:
            kind = "skip"  # raw cells
        if kind == "-" and filled and filled + cell_lines(cell) > SLIDE_LINES:
            kind = "subslide"
        elif kind == "-" and cell.cell_type == "markdown" and previous == "code":
            kind = "fragment"   # what the output shows, told after the class has seen it
        if kind in SLIDE_START:
            filled = 0
            previous = None
        if kind not in ("skip", "notes"):
            filled += cell_lines(cell)
            previous = cell.cell_type
        types.append(kind)
    return types


def tag(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` with the slide types set ("-" is left unset: it is what a cell without one gets)."""
    nb = copy.deepcopy(nb)
    for cell, kind in zip(nb.cells, slide_types(nb)):
        if MANUAL_TAG in cell.metadata.get("tags", []):
            continue
        slideshow = cell.metadata.get("slideshow", {})
        slideshow.pop("slide_type", None)
        if kind != "-":
            slideshow["slide_type"] = kind
        if slideshow:
            cell.metadata["slideshow"] = slideshow
        else:
            cell.metadata.pop("slideshow", None)
    return nb


def tag_file(path: Path, check: bool = False) -> bool:
    """Tag one notebook in place; True when its tags were (or, with ``check``, would be) changed."""
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    tagged = tag(nb)
    if tagged == nb:
        return False
    if not check:
        nbformat.write(tagged, path)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/NN_*.ipynb")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook needs tags")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    changed = [path for path in paths if tag_file(path, check=args.check)]
    for path in changed:
        print(f"{'needs tags' if args.check else 'tagged'}: {path}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
