"""No import cycles among shelver's own modules (docs/architecture.md, "Layers").

The graph is read from the source with ``ast``: every ``import`` and ``from ... import`` of a
``shelver`` module in core/ (``shelver``) and plugins/ (``shelver.plugins``), including imports
inside functions (a cycle closed at run time is still a cycle: the two modules cannot be
understood, tested or moved apart). Imports under ``if TYPE_CHECKING:`` are left out: they are
never executed. ``from shelver import hookspecs`` is an edge to the module ``shelver.hookspecs``;
``from shelver.store import StateDB`` one to the package ``shelver.store``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import REPO

PACKAGES = {"shelver": REPO / "core", "shelver.plugins": REPO / "plugins"}


def module_files(packages: dict[str, Path]) -> dict[str, Path]:
    """``{dotted module name: file}`` for every .py file under each package's folder."""
    modules: dict[str, Path] = {}
    for package, folder in packages.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join([package, *parts])] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, anywhere (functions too), except the body of an
    ``if TYPE_CHECKING:`` (its ``else:`` runs and is kept)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def import_graph(packages: dict[str, Path]) -> dict[str, set[str]]:
    """``{module: the modules of ``packages`` it imports}``."""
    modules = module_files(packages)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:  # relative: from the importing module's package
                    anchor = name.split(".")
                    anchor = anchor if is_package else anchor[:-1]
                    anchor = anchor[:len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            for target in targets:
                # `import shelver.store.events` names the module; a name inside a module is
                # an edge to that module.
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (``[a, b, ..., a]``) per strongly connected group of modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [_cycle_in(graph, group) for group in groups]


def _cycle_in(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    """A shortest path from the group's first module back to it, inside the group."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node] & members):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    raise AssertionError(f"no cycle in {group}")  # pragma: no cover: Tarjan said there is one


def describe(cycles: list[list[str]]) -> str:
    return "; ".join(" -> ".join(cycle) for cycle in cycles)


def test_core_and_plugins_have_no_import_cycle() -> None:
    graph = import_graph(PACKAGES)
    assert graph["shelver.cli"], "the graph has no edges: the checker reads nothing"
    cycles = find_cycles(graph)
    assert not cycles, f"import cycles (outside `if TYPE_CHECKING:`): {describe(cycles)}"


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_the_checker_finds_a_planted_cycle_and_names_it(tmp_path: Path) -> None:
    _write(tmp_path / "pkg", {
        "__init__.py": "",
        "a.py": "from pkg.b import thing\n",
        # inside a function: still a cycle
        "b.py": "def thing():\n    from pkg import c\n    return c\n",
        "c.py": "from . import a\n",
        "d.py": "from pkg.a import x\n",  # depends on the cycle, not part of it
    })
    cycles = find_cycles(import_graph({"pkg": tmp_path / "pkg"}))
    assert describe(cycles) == "pkg.a -> pkg.b -> pkg.c -> pkg.a"


def test_type_checking_imports_and_leaves_are_not_cycles(tmp_path: Path) -> None:
    _write(tmp_path / "pkg", {
        "__init__.py": "",
        "a.py": "from typing import TYPE_CHECKING\nimport pkg.b\n",
        "b.py": ("import typing\nif typing.TYPE_CHECKING:\n    from pkg import a\n"
                 "else:\n    import json\n"),
    })
    graph = import_graph({"pkg": tmp_path / "pkg"})
    assert graph == {"pkg": set(), "pkg.a": {"pkg.b"}, "pkg.b": set()}
    assert find_cycles(graph) == []
