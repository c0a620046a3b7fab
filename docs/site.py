"""Build the course website: `make site`, or `python docs/site.py [--lessons 00,06] [--out DIR]`.

Sphinx with MyST-NB turns the committed notebooks into pages, with the outputs they were committed with
(nothing is executed). The sources are staged in ``<out>-src``: the README (the index page includes it; its
lesson table links the lessons' pages), ``docs/index.md``, API pages that document every module of
``minibert`` with autodoc, and copies of ``notebooks/NN_*.ipynb`` whose widgets are drawn from their saved
state (``docs/static_widgets.py``). ``docs/conf.py`` is the configuration. ``--lessons`` builds only some
lessons; :func:`ensure_built` builds nothing when no input changed, and only the changed pages when
the navigation is the same (the browser tests use it, so a second test session costs seconds).
"""
from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import static_widgets

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = ROOT / "notebooks"
PACKAGE = ROOT / "minibert"
SITE = ROOT / "_build" / "site"
STAMP = ".minibert-site.json"

API_INTRO = """# API reference

Generated from the docstrings of the package `minibert` (Sphinx autodoc). The library never imports
`minibert.course`, which holds what only the course needs.
"""


def lessons(only: Sequence[str] | None = None) -> list[Path]:
    """The lesson notebooks in course order; ``only``: lesson numbers such as ``["00", "06"]``."""
    found = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if only is None:
        return found
    chosen = [p for p in found if p.name[:2] in set(only)]
    missing = set(only) - {p.name[:2] for p in chosen}
    if missing:
        raise SystemExit(f"no lesson notebooks/{sorted(missing)[0]}_*.ipynb")
    return chosen


def modules() -> list[str]:
    """Every public module of the package, found on disk (importing ``__main__`` would run the CLI)."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if any(part.startswith("_") for part in parts):
            continue  # __main__ (runs the command line) and private helpers
        names.append(".".join(parts))
    return names


API_GROUPS = {  # page name: (title, package whose own modules it documents)
    "library": ("The library: `minibert`", "minibert"),
    "tasks": ("Fine-tuning tasks: `minibert.tasks`", "minibert.tasks"),
    "course": ("The course: `minibert.course`", "minibert.course"),
    "checks": ("Exercise checkers: `minibert.course.checks`", "minibert.course.checks"),
    "datagen": ("Course data generators: `minibert.course.datagen`", "minibert.course.datagen"),
    "experiments": ("Experiments: `minibert.course.experiments`", "minibert.course.experiments"),
}


def api_pages(names: Sequence[str]) -> dict[str, str]:
    """One page per package: a summary table, then every module's docstrings (autodoc).

    Grouped pages, not a page per module: the site's navigation is drawn on every page, and 120 pages
    in it made the build three times slower.
    """
    packages = {package for _, package in API_GROUPS.values()}
    pages = {}
    for page, (title, package) in API_GROUPS.items():
        own = [n for n in names if n == package or n.rsplit(".", 1)[0] == package and n not in packages]
        body = [f"# {title}\n", "```{eval-rst}", f".. currentmodule:: {package}\n", ".. autosummary::", ""]
        body += [f"   {name[len(package) + 1:]}" for name in own if name != package] + [""]
        for name in own:
            body += [f".. automodule:: {name}", ""]
        pages[page] = "\n".join(body + ["```", ""])
    index = API_INTRO + "\n```{toctree}\n:maxdepth: 1\n\n" + "\n".join(API_GROUPS) + "\n```\n"
    return {"index": index, **pages}


def _write(path: Path, data: bytes) -> None:
    """Write ``path`` only when its content changes: Sphinx rebuilds a page whose source is newer."""
    if not path.exists() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def linked_readme(text: str, names: Sequence[str]) -> str:
    """The README with each lesson's file name in the lesson table made a link to the lesson's page."""
    for name in names:
        text = text.replace(f"| `{name}` |", f"| [`{name}`](notebooks/{name}) |")
    return text


def lesson_source(notebook: Path) -> bytes:
    """The lesson as the site shows it: as committed, its widgets drawn from their saved state."""
    nb = static_widgets.replace_widgets(nbformat.read(notebook, as_version=4))
    return (nbformat.writes(nb) + "\n").encode()


def stage(src: Path, notebooks: Sequence[Path], api: bool) -> None:
    """Write the Sphinx sources into ``src``; files whose content is unchanged are left alone."""
    wanted = {"README.md", "index.md"}
    readme = linked_readme((ROOT / "README.md").read_text(encoding="utf-8"), [n.name for n in notebooks])
    _write(src / "README.md", readme.encode())
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    if not api:
        index = index[: index.index("```{toctree}\n:caption: Reference")]
    _write(src / "index.md", index.encode())
    if api:
        for page, text in api_pages(modules()).items():
            _write(src / "api" / f"{page}.md", text.encode())
            wanted.add(f"api/{page}.md")
    for notebook in notebooks:
        _write(src / "notebooks" / notebook.name, lesson_source(notebook))
        wanted.add(f"notebooks/{notebook.name}")
    for path in sorted(src.rglob("*"), reverse=True):  # a lesson or module that is gone
        if path.is_file() and path.relative_to(src).as_posix() not in wanted:
            path.unlink()


def build(out: Path = SITE, only: Sequence[str] | None = None, api: bool = True, quiet: bool = True,
          full: bool = True) -> float:
    """Stage and build the site into ``out``; returns the seconds it took.

    ``full``: read every source again (``sphinx-build -E``); else Sphinx rebuilds only the pages whose
    source (a lesson, a module of the package) changed since the last build into ``out``.
    """
    from sphinx.cmd.build import build_main

    start = time.perf_counter()
    src = out.with_name(out.name + "-src")
    doctrees = out.with_name(out.name + "-doctrees")
    if full:
        for folder in (src, doctrees, out):
            shutil.rmtree(folder, ignore_errors=True)
    stage(src, lessons(only), api)
    args = ["-b", "html", "-c", str(DOCS), "-d", str(doctrees)] + (["-E"] if full else [])
    if quiet:
        args.append("-q")  # warnings still show
    status = build_main([*args, str(src), str(out)])
    if status:
        raise SystemExit(f"sphinx-build failed (exit {status})")
    return time.perf_counter() - start


def _title(notebook: Path) -> str:
    """The lesson's title as the navigation shows it (its first heading)."""
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        source = "".join(cell.get("source", []))
        if cell.get("cell_type") == "markdown" and source.startswith("#"):
            return source.splitlines()[0]
    return notebook.name


def input_keys(only: Sequence[str] | None, api: bool) -> tuple[str, str]:
    """(a hash of everything a build reads, a hash of what every page shows: the navigation and theme).

    When the first is unchanged the built site is fresh; when only the first changed (a lesson's cells, a
    docstring) an incremental build is enough; when the second changed (a lesson added, removed or
    renamed, the README, the configuration in docs/) every page is built again.
    """
    notebooks = lessons(only)
    setup = [ROOT / "README.md", DOCS / "conf.py", DOCS / "index.md", DOCS / "site.py", DOCS / "static_widgets.py",
             *sorted(p for p in (DOCS / "_static").rglob("*") if p.is_file())]
    structure = hashlib.sha256(json.dumps([sorted(only) if only else None, api, modules() if api else [],
                                           [(n.name, _title(n)) for n in notebooks]]).encode())
    for path in setup:
        structure.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    content = hashlib.sha256(structure.hexdigest().encode())
    for path in [*notebooks, *(sorted(PACKAGE.rglob("*.py")) if api else [])]:
        content.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return content.hexdigest(), structure.hexdigest()


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """One build at a time (pytest-xdist workers may ask for the same site together)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_name(out.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _stamp(out: Path) -> dict:
    try:
        return json.loads((out / STAMP).read_text())
    except (OSError, ValueError):
        return {}


def is_fresh(out: Path, only: Sequence[str] | None = None, api: bool = True) -> bool:
    return _stamp(out).get("key") == input_keys(only, api)[0]


def ensure_built(out: Path = SITE, only: Sequence[str] | None = None, api: bool = True,
                 full: bool = False) -> tuple[Path, float]:
    """Build the site unless ``out`` already holds a build of exactly these inputs; (out, seconds spent).

    An incremental build where only pages' contents changed (see :func:`input_keys`), unless ``full``.
    """
    with _locked(out):
        key, structure = input_keys(only, api)
        stamp = _stamp(out)
        if stamp.get("key") == key and not full:
            return out, 0.0
        full = full or stamp.get("structure") != structure
        (out / STAMP).unlink(missing_ok=True)  # a build that stops half-way is not fresh
        seconds = build(out, only, api, full=full)
        (out / STAMP).write_text(json.dumps({"key": key, "structure": structure, "full": full,
                                             "seconds": round(seconds, 1)}))
        return out, seconds


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", help="comma-separated lesson numbers (default: all), e.g. 00,06")
    parser.add_argument("--out", type=Path, default=SITE, help=f"output folder (default {SITE.relative_to(ROOT)})")
    parser.add_argument("--no-api", action="store_true", help="leave out the API reference (faster)")
    parser.add_argument("--force", action="store_true", help="build every page again, even when nothing changed")
    args = parser.parse_args(argv)
    only = args.lessons.split(",") if args.lessons else None
    out, seconds = ensure_built(args.out.resolve(), only, api=not args.no_api, full=args.force)
    done = f"built in {seconds:.0f} s" if seconds else "up to date"
    print(f"site {done}: {out / 'index.html'}", file=sys.stderr)


if __name__ == "__main__":
    main()
