"""Core migrations have names of their own, and a DB made by the release before opens intact."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import sys
import types
from pathlib import Path
from typing import Any

import shelver.store.migrations as state_module
from conftest import shelver, write_profile
from shelver.store import MIGRATIONS

OLD_DB = Path(__file__).parent / "data" / "state-v1.db"  # see tests/data/README.md


def test_a_migration_inserted_among_the_others_renames_none() -> None:
    # The state module as it would be with a migration added between the first two.
    source = Path(state_module.__file__).read_text(encoding="utf-8")
    inserted = "@migration\ndef m000_inserted(db: sqlite_utils.Database) -> None:\n    pass\n\n\n"
    edited, count = re.subn(r"(@migration[^\n]*\ndef create_queue\()",
                            lambda m: inserted + m.group(1), source)
    assert count == 1
    module = types.ModuleType("shelver_state_edited")
    sys.modules[module.__name__] = module
    try:
        exec(compile(edited, "state_edited.py", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    names = {fn.__name__: name for name, fn in module.MIGRATIONS}
    assert {fn.__name__: name for name, fn in MIGRATIONS} == {
        key: value for key, value in names.items() if key != "m000_inserted"}
    assert names["m000_inserted"] == "core-m000_inserted"


def _rows(db: Path, table: str, columns: list[str] | None = None) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        wanted = ", ".join(columns) if columns else "*"
        return conn.execute(f"SELECT {wanted} FROM {table} ORDER BY rowid").fetchall()


def _columns(db: Path, table: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def test_a_db_made_by_the_release_before_opens_with_nothing_lost(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    shutil.copy(OLD_DB, db)
    tables = ("items", "queue", "runs", "journal", "journal_blobs", "tmdb_cache")
    before = {table: (_columns(db, table), _rows(db, table)) for table in tables}
    applied_before = dict(_rows(db, "_shelver_migrations"))
    assert before["journal"][1] and before["tmdb_cache"][1] and len(before["items"][1]) == 3
    profile = write_profile(tmp_path / "v1.toml", {
        "name": "v1", "mode": "inplace", "sources": [str(tmp_path / "downloads")],
        "dest_dir": str(tmp_path / "library"), "state_db": str(db),
        "tmdb": {"base_url": "http://127.0.0.1:9/3", "api_key": "unused"}})

    status = shelver("status", "-p", str(profile), "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["states"] == {"INDEXED": 2, "REVIEW": 1}
    review = shelver("review", "-p", str(profile))
    assert review.returncode == 0, review.stderr
    assert "Totally.Unknown.Home.Video.2031.mkv" in review.stdout
    undo = shelver("undo", "--list", "-p", str(profile))
    assert undo.returncode == 0, undo.stderr
    assert undo.stdout.startswith("run 1  "), undo.stdout
    assert "run (inplace, done)  2 organised, 1 review  e.g. " in undo.stdout, undo.stdout

    # Only the migrations the DB lacked were applied; those it had kept their record.
    applied = dict(_rows(db, "_shelver_migrations"))
    assert {name: applied[name] for name in applied_before} == applied_before
    core = [name for name, _fn in MIGRATIONS]
    new = set(applied) - set(applied_before)
    assert {n for n in new if n.startswith("core-")} == {n for n in core if n not in applied_before}
    # Every row is still there, every value it had unchanged (new columns may have been added).
    for table, (columns, rows) in before.items():
        assert _rows(db, table, columns) == rows, table
    # Its TMDB identities are provider-neutral now (provider, kind, id as text), the unidentified
    # file has none.
    assert _rows(db, "items", ["id", "provider", "ident_kind", "ident", "season", "episodes"]) == [
        (1, None, None, None, None, None), (2, "tmdb", "tv", "1396", 5, "[14]"),
        (3, "tmdb", "movie", "603", None, "[]")]
