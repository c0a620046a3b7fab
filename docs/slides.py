"""Build reveal.js slides of every lesson: `make slides`, or `python docs/slides.py [--lessons 00,06] [--out DIR]`.

nbconvert's slides exporter (``--to slides``) over a copy of each committed notebook, outputs as stored,
nothing executed. Before export the copy is

1. tagged for slides by ``docs/tag_slides.py`` (the same rules that script writes into the notebooks),
2. given each figure on a slide of its own: a plot cell's code stays where it was, its figure follows on a
   new sub-slide (cell metadata ``transient.remove_source``, which nbconvert honours),
3. freed of widgets: a widget needs a kernel, so its saved state is drawn as plain HTML under a note that
   says to run the notebook (``docs/static_widgets.py``); tqdm's progress bars go.

Every script the decks load comes from beside them: reveal.js vendored in ``docs/slides/reveal.js``
(4.6.0, MIT, see its LICENSE), MathJax 2.7 from the jupyter-server-mathjax package, require.js and jQuery
from ``minibert/course/static``; the template ``docs/slides/templates/reveal_offline`` drops nbconvert's
mermaid and ipywidgets scripts (CDN). Open ``<out>/index.html``. Decks are rewritten only for lessons
that changed (``--force``: all).
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import html
import json
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import jupyter_server_mathjax
import nbformat
from nbconvert import SlidesExporter
from traitlets.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
import static_widgets
import tag_slides

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent / "slides"
SLIDES = ROOT / "_build" / "slides"
STATIC = ROOT / "minibert" / "course" / "static"
FIGURES = ("image/png", "image/svg+xml", "image/jpeg")
STAMP = ".minibert-slides.json"


def exporter() -> SlidesExporter:
    c = Config()
    c.SlidesExporter.extra_template_basedirs = [str(HERE / "templates")]
    c.SlidesExporter.template_name = "reveal_offline"
    c.SlidesExporter.reveal_url_prefix = "reveal.js"
    c.SlidesExporter.reveal_theme = "white"
    c.SlidesExporter.reveal_scroll = True    # a slide taller than the screen scrolls instead of being cut
    c.SlidesExporter.reveal_number = "c/t"
    c.SlidesExporter.require_js_url = "require.js"
    c.SlidesExporter.jquery_url = "jquery.min.js"
    c.SlidesExporter.mathjax_url = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    return SlidesExporter(config=c)


def _figure_apart(cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """A plot cell as two: its code with the text it printed, then its figures alone on a sub-slide."""
    figures = [o for o in cell.outputs if set(FIGURES) & set(o.get("data", {}))]
    code = copy.deepcopy(cell)
    code.outputs = [o for o in cell.outputs if o not in figures]
    figure = copy.deepcopy(cell)
    figure.outputs = [copy.deepcopy(o) for o in figures]
    figure.metadata["slideshow"] = {"slide_type": "subslide"}
    figure.metadata["transient"] = {"remove_source": True}
    if "id" in cell:
        figure.id = f"{cell.id}-figure"
    return [code, figure]


def presentable(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The lesson as the slides show it (steps 1-3 of the module docstring)."""
    nb = static_widgets.replace_widgets(tag_slides.tag(nb), progress="drop")
    cells, after_figure = [], False
    for cell in nb.cells:
        kind = cell.metadata.get("slideshow", {}).get("slide_type", "-")
        if kind in ("skip", "notes"):  # notes: a hand-made tag (slides-manual)
            cells.append(cell)
            continue
        if after_figure and kind in ("-", "fragment"):  # what follows a figure starts a slide of its own
            cell.metadata["slideshow"] = {"slide_type": "subslide"}
        after_figure = False
        if cell.cell_type == "code" and tag_slides.has_figure(cell):
            after_figure = True
            if cell.source.strip():
                cells += _figure_apart(cell)
                continue
        cells.append(cell)
    nb.cells = cells
    return nb


def copy_assets(out: Path) -> None:
    shutil.copytree(HERE / "reveal.js", out / "reveal.js", dirs_exist_ok=True)
    mathjax = out / "mathjax"
    if not (mathjax / "MathJax.js").exists():
        shutil.copytree(Path(jupyter_server_mathjax.__file__).parent / "static", mathjax, dirs_exist_ok=True)
    for name in ("require.js", "jquery.min.js"):
        shutil.copy2(STATIC / name, out / name)


def index_page(decks: Sequence[tuple[str, str]]) -> str:
    items = "\n".join(f'  <li><a href="{html.escape(href)}">{html.escape(title)}</a></li>' for href, title in decks)
    return ('<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>minibert: slides</title></head>\n'
            '<body style="font-family: sans-serif; max-width: 50em; margin: 2em auto">\n'
            "<h1>minibert: the lessons as slides</h1>\n<p>Arrows move between slides (down: the details of a"
            " slide); <kbd>Esc</kbd> shows the overview.</p>\n"
            f"<ol start=\"0\">\n{items}\n</ol>\n</body>\n</html>\n")


def _title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.splitlines()[0][2:].strip()
    return fallback


def _tools_key() -> str:
    """A hash of what makes a deck besides its notebook: this script, the tagging rules, the template."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in [here / "slides.py", here / "tag_slides.py", here / "static_widgets.py",
                 *sorted((HERE / "templates").rglob("*"))]:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _notebooks(only: Sequence[str] | None) -> list[Path]:
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    return notebooks if only is None else [p for p in notebooks if p.name[:2] in set(only)]


def build(out: Path = SLIDES, only: Sequence[str] | None = None, force: bool = True) -> float:
    """Write one deck per lesson, ``<out>/NN_name.slides.html``, and ``<out>/index.html``; seconds taken.

    Unless ``force``, a deck whose notebook and tools are unchanged since it was written is kept.
    """
    start = time.perf_counter()
    notebooks = _notebooks(only)
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    stamp_path = out / STAMP
    try:
        stamps = {} if force else json.loads(stamp_path.read_text())
    except (OSError, ValueError):
        stamps = {}
    tools = _tools_key()
    slides, decks, fresh = exporter(), [], {}
    for path in notebooks:
        data = path.read_bytes()
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
        target = out / f"{path.stem}.slides.html"
        key = hashlib.sha256(tools.encode() + data).hexdigest()
        if stamps.get(target.name) != key or not target.exists():
            body, _ = slides.from_notebook_node(presentable(nb), resources={"metadata": {"name": path.stem}})
            target.write_text(body, encoding="utf-8")
        fresh[target.name] = key
        decks.append((target.name, f"{path.name[:2]} {_title(nb, path.stem)}"))
    if only is None:
        for old in out.glob("*.slides.html"):  # the deck of a lesson that is gone
            if old.name not in fresh:
                old.unlink()
    stamp_path.write_text(json.dumps(fresh if only is None else {**stamps, **fresh}, indent=1))
    (out / "index.html").write_text(index_page(decks), encoding="utf-8")
    return time.perf_counter() - start


def ensure_built(out: Path = SLIDES, only: Sequence[str] | None = None) -> float:
    """Bring the decks in ``out`` up to date, writing only those whose lesson changed; seconds spent."""
    return build(out, only, force=False)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", help="comma-separated lesson numbers (default: all), e.g. 00,06")
    parser.add_argument("--out", type=Path, default=SLIDES, help=f"output folder (default {SLIDES.relative_to(ROOT)})")
    parser.add_argument("--force", action="store_true", help="write every deck again, even when nothing changed")
    args = parser.parse_args(argv)
    seconds = build(args.out.resolve(), args.lessons.split(",") if args.lessons else None, force=args.force)
    print(f"slides built in {seconds:.0f} s: {args.out / 'index.html'}", file=sys.stderr)


if __name__ == "__main__":
    main()
