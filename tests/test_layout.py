"""The package's layout: the library never imports the course, and no module imports itself back."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "minibert"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every minibert module ``path`` imports, at the top or inside a function, absolute or relative."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}  # `from minibert import course`
    return {m for m in found if m == "minibert" or m.startswith("minibert.")}


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def test_the_library_never_imports_the_course():
    offenders = {name: sorted(m for m in imported_modules(path) if m.startswith("minibert.course"))
                 for name, path in MODULES.items() if not name.startswith("minibert.course")}
    assert not {k: v for k, v in offenders.items() if v}, offenders


def test_importing_minibert_reads_no_environment_variable(monkeypatch):
    import importlib
    import os
    import sys

    read = []
    real_get = os.environ.get

    def spy(key, default=None):
        read.append(key)
        return real_get(key, default)

    monkeypatch.setenv("MINIBERT_PROFILE", "not-a-profile")  # a bad value must not break `import minibert`
    for name in [m for m in sys.modules if m == "minibert" or m.startswith("minibert.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(os.environ, "get", spy)
    importlib.import_module("minibert")
    assert not [key for key in read if key.startswith("MINIBERT")], read
