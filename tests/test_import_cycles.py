"""No import cycle anywhere in minibert: the graph of its modules, read from their source, is acyclic.

Every import counts, at the top of a module or inside a function (an import hidden in a function is how a
cycle is usually papered over): ``import a.b``, ``from a import b``, relative imports. ``from pkg import name``
imports the submodule ``pkg.name`` when there is one, else ``pkg`` itself. A package's ``__init__`` that runs
before its submodules is not counted as imported by them: only what a statement names is.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "minibert"


def module_names(package_dir: Path) -> dict[str, Path]:
    """Dotted name -> file, for every module under ``package_dir`` (a package named after its folder)."""
    names = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """module -> the modules of the same package it imports (anywhere in its source)."""
    modules = module_names(package_dir)
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: one level is the module's own package
                    anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    imported.add(submodule if submodule in modules else base)
        graph[name] = {m for m in imported if m in modules and m != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle ``[a, b, ..., a]`` of the graph, or None (depth-first search, iterative)."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" once explored
    for root in sorted(graph):
        if root in state:
            continue
        path, stack = [root], [iter(sorted(graph[root]))]
        state[root] = "open"
        while stack:
            child = next(stack[-1], None)
            if child is None:
                state[path.pop()] = "done"
                stack.pop()
            elif state.get(child) == "open":
                return path[path.index(child):] + [child]
            elif child not in state:
                state[child] = "open"
                path.append(child)
                stack.append(iter(sorted(graph[child])))
    return None


def test_the_graph_sees_every_kind_of_import(tmp_path):
    """The checker itself, on a toy package: a cycle made only of imports inside functions and of
    ``from pkg import submodule`` is found, and an acyclic package passes."""
    pkg = tmp_path / "toy"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from .sub import b\n")
    (pkg / "sub" / "b.py").write_text("def g():\n    import toy.c\n")
    (pkg / "c.py").write_text("from toy import a\nfrom toy.sub import NAME\n")
    graph = import_graph(pkg)
    assert graph["toy.a"] == {"toy.sub.b"} and graph["toy.sub.b"] == {"toy.c"}
    assert graph["toy.c"] == {"toy.a", "toy.sub"}  # NAME is not a module: the package is what is imported
    assert find_cycle(graph) == ["toy.a", "toy.sub.b", "toy.c", "toy.a"]
    (pkg / "c.py").write_text("X = 1\n")
    assert find_cycle(import_graph(pkg)) is None


def test_minibert_has_no_import_cycle():
    graph = import_graph(PACKAGE)
    assert "minibert.tasks.registry" in graph and graph["minibert.tasks.finetune"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)
