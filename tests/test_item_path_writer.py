"""Exactly one place writes an item's path (docs/architecture.md, "Only placement moves files").

``shelver.store.items.move_item`` is the only code that executes an UPDATE of ``items.path``,
``dir`` or ``destination``; the journal (a placement or its undo done), recovery and the
engine's record of an outcome (``transition(path=...)``) all go through it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import REPO
from shelver.model import State
from shelver.store import StateDB

WRITER = ("core/store/items.py", "move_item")
UPDATE = re.compile(r"\bUPDATE\s+items\s+SET\s+(?P<set>.*?)(?:\bWHERE\b|$)", re.I | re.S)
PATH_COLUMN = re.compile(r"(?:^|[\s,])(?:path|dir|destination)\s*=", re.I)


def sql_texts(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    """Every string literal (an f-string with ``?`` for its fields) with its node."""
    texts: list[tuple[ast.AST, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            texts.append((node, "".join(part.value if isinstance(part, ast.Constant) else "?"
                                        for part in node.values)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append((node, node.value))
    return texts


def path_writers(root: Path) -> list[str]:
    """``file:line (function)`` of every UPDATE of items.path/dir/destination under ``root``'s
    core/ and plugins/, except in the one writer."""
    found = []
    for folder in ("core", "plugins"):
        for file in sorted((root / folder).rglob("*.py")):
            name = file.relative_to(root).as_posix()
            tree = ast.parse(file.read_text(encoding="utf-8"))
            owner = {}
            for function in ast.walk(tree):
                if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    for node in ast.walk(function):
                        owner[id(node)] = function.name  # innermost wins (walked later)
            for node, text in sql_texts(tree):
                for update in UPDATE.finditer(text):
                    if not PATH_COLUMN.search(update["set"]):
                        continue
                    function = owner.get(id(node), "<module>")
                    if (name, function) != WRITER:
                        found.append(f"{name}:{getattr(node, 'lineno', '?')} ({function})")
    return found


def test_only_move_item_writes_an_items_path() -> None:
    assert path_writers(REPO) == [], (
        "items.path/dir/destination are written only by shelver.store.items.move_item; "
        "go through it (StateDB.set_item_path, transition(path=...), the journal)")


def test_the_one_writer_is_there_and_the_scan_catches_another(tmp_path: Path) -> None:
    source = (REPO / WRITER[0]).read_text(encoding="utf-8")
    assert f"def {WRITER[1]}(" in source and "UPDATE items SET path=?" in source
    plugin = tmp_path / "plugins" / "sneaky" / "plugin.py"
    plugin.parent.mkdir(parents=True)
    plugin.write_text('def f(conn, p):\n    conn.execute("UPDATE items SET state=?, "\n'
                      '                 "path=? WHERE id=?", p)\n'
                      'def g(conn, c):\n    conn.execute(f"UPDATE items SET {c}=1, dir = ? WHERE path=?")\n'
                      'def h(conn):\n    conn.execute("UPDATE items SET state=? WHERE path=?")\n',
                      encoding="utf-8")
    (tmp_path / "core").mkdir()
    assert path_writers(tmp_path) == ["plugins/sneaky/plugin.py:2 (f)",
                                      "plugins/sneaky/plugin.py:5 (g)"]


def test_the_engine_record_goes_through_the_one_writer(tmp_path: Path) -> None:
    state = StateDB(tmp_path / "state.db")
    try:
        gone = state.observe("/library/Heat (1995).mkv", 5, 1.0, 1, "p")
        item = state.observe("/downloads/Heat.1995.mkv", 5, 1.0, 2, "p")
        assert gone is not None and item is not None
        assert state.transition(item, State.NEW, State.PROCESSING)
        # Recorded where a gone file still had a row: that row makes way (move_item's rule).
        assert state.transition(item, State.PROCESSING, State.INDEXED,
                                path="/library/Heat (1995).mkv")
        row = state.item(item)
        assert row is not None and state.item(gone) is None
        assert (row["path"], row["dir"], row["destination"]) == (
            "/library/Heat (1995).mkv", "/library", "/library/Heat (1995).mkv")
        with pytest.raises(ValueError, match="path="):
            state.transition(item, State.INDEXED, State.STALE, destination="/elsewhere.mkv")
        assert state.item(item)["state"] == State.INDEXED.value  # type: ignore[index]
    finally:
        state.close()
