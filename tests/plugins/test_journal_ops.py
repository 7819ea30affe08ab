"""The placement journal's op registry (``shelver_register_journal_ops``, docs/plugins.md): the
file layer settles its own ops, a plugin's op is settled by the step it registered, and an op
nobody registers is left unfinished with one warning naming it."""

from __future__ import annotations

import ast
import logging
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
import shelver.plugins
from shelver import fileops as fsops
from shelver import hookimpl
from shelver.fileops import journal_ops, recover, temp_name
from shelver.manager import get_plugin_manager
from shelver.store import StateDB

FILEOPS = Path(fsops.__file__).resolve().parent  # the file layer, a package of core
PLUGINS = Path(shelver.plugins.__file__).resolve().parent


def dead_owner() -> str:
    """``host:pid`` of a process that has exited: its rows are recovered, as after a crash."""
    child = subprocess.Popen(["true"])  # noqa: S603, S607
    child.wait()
    return f"{socket.gethostname()}:{child.pid}"


DEAD_OWNER = dead_owner()


class Thumbnails:
    """A third-party plugin with a journal op of its own."""

    def __init__(self) -> None:
        self.settled: list[int] = []

    def settle(self, state: StateDB, row: dict[str, Any]) -> str:
        self.settled.append(row["id"])
        Path(row["tmp"]).unlink(missing_ok=True)
        state.journal_step(row["id"], "rolled-back")
        return "rolled-back"

    @hookimpl
    def shelver_register_journal_ops(self, register: Any) -> None:
        register("thumbnail", settle=self.settle)


def half_done(state: StateDB, tmp_path: Path, op: str, name: str) -> tuple[int, Path]:
    """An unfinished row of ``op`` left by a dead process, with its temp file on disk."""
    dst = tmp_path / "lib" / name
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(dst, "crash")
    tmp.write_bytes(b"half a file")
    entry = state.journal_begin(1, None, op, str(dst), str(dst), str(tmp), 11)
    state.conn().execute("UPDATE journal SET owner=? WHERE id=?", (DEAD_OWNER, entry))
    state.conn().commit()
    return entry, tmp


def test_a_plugins_op_is_settled_by_the_step_it_registered(tmp_path: Path, state: StateDB) -> None:
    plugin = Thumbnails()
    pm = get_plugin_manager()
    pm.register(plugin, name="thumbnails")
    entry, tmp = half_done(state, tmp_path, "thumbnail", "a.jpg")
    assert recover(state, ops=journal_ops(pm)) == 1
    assert plugin.settled == [entry] and not tmp.exists()
    assert state.journal_unfinished() == []


def test_an_op_nobody_registers_is_left_unfinished_with_one_warning(
        tmp_path: Path, state: StateDB, caplog: pytest.LogCaptureFixture) -> None:
    first, tmp1 = half_done(state, tmp_path, "thumbnail", "a.jpg")
    second, tmp2 = half_done(state, tmp_path, "thumbnail", "b.jpg")
    staged, tmp3 = half_done(state, tmp_path, "stage-move", "c.mkv")
    pm = get_plugin_manager(disable=["placement"])  # the plugin of stage-* rows is off
    with caplog.at_level(logging.WARNING):
        assert recover(state, ops=journal_ops(pm)) == 0
    assert tmp1.exists() and tmp2.exists() and tmp3.exists()  # never guessed at
    assert [r["id"] for r in state.journal_unfinished()] == [first, second, staged]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len([w for w in warnings if "'thumbnail'" in w]) == 1
    assert len([w for w in warnings if "'stage-move'" in w]) == 1


def test_an_op_registered_twice_is_an_error() -> None:
    pm = get_plugin_manager()
    pm.register(Thumbnails(), name="one")
    pm.register(Thumbnails(), name="two")
    with pytest.raises(ValueError, match="'thumbnail' is registered twice"):
        journal_ops(pm)


def test_the_built_ins_register_their_ops() -> None:
    ops = journal_ops(get_plugin_manager())
    for op in ("stage-move", "stage-copy", "tag", "untag"):
        assert ops.get(op) is not None, op
    assert ops.get("move") is None  # the file layer's own
    assert journal_ops(get_plugin_manager(disable=["mp4tags"])).get("tag") is None


def plugin_imports(path: Path) -> set[str]:
    """The shelver.plugins modules a module imports, at any level of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "shelver.plugins":
                found |= {f"shelver.plugins.{a.name}" for a in node.names}
            elif node.module.startswith("shelver.plugins."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("shelver.plugins.")}
    return found


def test_the_file_layer_imports_no_plugin_and_no_cycle_remains() -> None:
    modules = sorted(FILEOPS.glob("*.py"))
    assert len(modules) > 1  # the package's modules, not only its __init__
    for module in modules:
        assert plugin_imports(module) == set(), module
    # The plugins whose ops the file layer settles reach it through shelver.api, one way only.
    assert plugin_imports(PLUGINS / "placement" / "staging.py") <= {"shelver.plugins.placement"}
    assert plugin_imports(PLUGINS / "mp4tags" / "undo.py") == set()
