"""The quick scan (shelver.sweep): what the next sweep finds in an unchanged-looking library,
the folder records that let it skip reading the DB, and ``shelver scan``'s lean start-up."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import modules_loaded_by, write_profile
from shelver import sweep
from shelver.model import State
from shelver.profiles import load_core_profile
from shelver.store import StateDB
from shelver.sweep import QuickScan


def _library(tmp_path: Path, min_size_mb: float = 0) -> tuple[Path, Path]:
    """A small organised library: three folders deep, five videos and a sidecar."""
    root = tmp_path / "library"
    for rel in ("Movies/A (2001)/A (2001).mkv", "Movies/B (2002)/B (2002).mkv",
                "Shows/S/Season 01/S - s01e01.mkv", "Shows/S/Season 01/S - s01e02.mkv",
                "Shows/S/Season 02/S - s02e01.mkv", "Movies/A (2001)/A (2001).nfo"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\0" * 2048)
    profile = write_profile(tmp_path / "scan.toml", {
        "name": "scan", "sources": [str(root)], "state_db": str(tmp_path / "state.db"),
        "filters": {"min_size_mb": min_size_mb}, "watch": {"settle_seconds": 0.0}})
    return root, profile


def _sweep(profile: Path) -> tuple[int, StateDB]:
    loaded = load_core_profile(str(profile))
    state = StateDB(loaded.state_db)
    return QuickScan.of_profile(loaded, state).run(), state


def _organise_all(state: StateDB) -> None:
    """As after a run: every item INDEXED, the queue empty."""
    for (item_id,) in state.conn().execute("SELECT id FROM items").fetchall():
        assert state.transition(item_id, State.NEW, State.INDEXED)
    with state.transaction() as conn:
        conn.execute("DELETE FROM queue")


def _organised_library(tmp_path: Path, min_size_mb: float = 0,
                       prepare: Callable[[Path], None] | None = None) -> tuple[Path, Path]:
    root, profile = _library(tmp_path, min_size_mb)
    if prepare is not None:
        prepare(root)
    enqueued, state = _sweep(profile)
    assert enqueued == 5
    _organise_all(state)
    state.close()
    time.sleep(0.05)  # folders older than a timestamp tick: their ctime can be trusted
    for _ in range(2):  # the first sweep records the folders it found with nothing to do
        enqueued, state = _sweep(profile)
        assert enqueued == 0
        folders = state.conn().execute("SELECT count(*) FROM scan_folders").fetchone()[0]
        state.close()
    # Every folder (the four holding videos, and library, Movies, Shows, Shows/S): the next
    # sweeps skip their items, and the look for vanished folders.
    assert folders == 8
    return root, profile


def _states(state: StateDB) -> dict[str, str]:
    return {Path(r[0]).name: r[1] for r in state.conn().execute("SELECT path, state FROM items")}


def test_next_sweep_finds_a_file_rewritten_in_place_and_one_added_deep(tmp_path: Path) -> None:
    root, profile = _organised_library(tmp_path)
    rewritten = root / "Shows/S/Season 01/S - s01e02.mkv"
    before = rewritten.stat()
    with open(rewritten, "r+b") as handle:  # the same size, new bytes: only its mtime moves
        handle.write(b"\1" * 2048)
    now = time.time() - 0.01  # not in the future: a file dated ahead is left to settle
    assert now > before.st_mtime
    os.utime(rewritten, (now, now))
    deep = root / "Shows/S/Season 02/Extras/Behind/the scenes.mkv"
    deep.parent.mkdir(parents=True)
    deep.write_bytes(b"\0" * 4096)
    enqueued, state = _sweep(profile)
    try:
        assert enqueued == 2
        states = _states(state)
        assert states["S - s01e02.mkv"] == State.CHANGED.value
        assert states["the scenes.mkv"] == State.NEW.value
        assert states["S - s01e01.mkv"] == State.INDEXED.value
        assert state.queued_count("scan") == 2
    finally:
        state.close()


def test_a_renamed_and_a_removed_file_are_found(tmp_path: Path) -> None:
    root, profile = _organised_library(tmp_path)
    (root / "Movies/B (2002)/B (2002).mkv").rename(root / "Movies/B (2002)/B.2002.mkv")
    (root / "Shows/S/Season 02/S - s02e01.mkv").unlink()
    enqueued, state = _sweep(profile)
    try:
        assert enqueued == 1
        states = _states(state)
        assert states["B.2002.mkv"] == State.NEW.value
        assert states["B (2002).mkv"] == State.MISSING.value
        assert states["S - s02e01.mkv"] == State.MISSING.value
    finally:
        state.close()


def test_a_folder_removed_whole_is_found(tmp_path: Path) -> None:
    """Its parent's ctime moved: the next sweep reads the DB's folders for vanished ones."""
    root, profile = _organised_library(tmp_path)
    shutil.rmtree(root / "Shows/S/Season 02")
    enqueued, state = _sweep(profile)
    try:
        assert enqueued == 0
        states = _states(state)
        assert states["S - s02e01.mkv"] == State.MISSING.value
        assert states["S - s01e01.mkv"] == State.INDEXED.value
    finally:
        state.close()


def test_an_unchanged_library_does_not_read_the_dbs_folders(tmp_path: Path,
                                                            monkeypatch: Any) -> None:
    """Every folder as recorded: no folder can have vanished, the DB's 10,000 folders of a
    100,000-file library are not read (bench/scan.py)."""
    _root, profile = _organised_library(tmp_path)

    def dirs_under(self: StateDB, root: str) -> None:
        raise AssertionError(f"read the DB's folders under {root}")

    monkeypatch.setattr(StateDB, "dirs_under", dirs_under)
    enqueued, state = _sweep(profile)
    state.close()
    assert enqueued == 0


def test_a_write_to_an_item_drops_its_folders_record(tmp_path: Path) -> None:
    """An item that failed (ERROR, retry due) in an unchanged folder is queued again by the
    next sweep: the folder's record was dropped when the item changed."""
    root, profile = _organised_library(tmp_path)
    state = StateDB(tmp_path / "state.db")
    item = state.item_by_path(root / "Movies/A (2001)/A (2001).mkv")
    assert item is not None
    with state.transaction() as conn:
        conn.execute("UPDATE items SET state='ERROR', next_retry=0 WHERE id=?", (item["id"],))
    assert state.conn().execute("SELECT count(*) FROM scan_folders").fetchone()[0] == 7
    state.close()
    enqueued, state = _sweep(profile)
    try:
        assert enqueued == 1
        assert state.queued_count("scan") == 1
    finally:
        state.close()


def test_a_file_gone_between_the_listing_and_its_stat_costs_only_itself(
        tmp_path: Path, monkeypatch: Any) -> None:
    """The folder's files are stat'ed in one go: one that vanished since the listing is
    dropped, the others are still taken (not the whole folder left to the next sweep)."""
    root, profile = _library(tmp_path)
    victim = root / "Shows/S/Season 01/S - s01e01.mkv"
    real = sweep._STAT

    def stat_after_a_delete(entry: os.DirEntry[str]) -> os.stat_result:
        if entry.name == victim.name:
            victim.unlink(missing_ok=True)
        return real(entry)

    monkeypatch.setattr(sweep, "_STAT", stat_after_a_delete)
    enqueued, state = _sweep(profile)
    try:
        assert enqueued == 4
        assert sorted(_states(state)) == ["A (2001).mkv", "B (2002).mkv", "S - s01e02.mkv",
                                          "S - s02e01.mkv"]
    finally:
        state.close()


def test_other_filters_look_at_every_folder_again(tmp_path: Path) -> None:
    """A file the filters turned down is taken once they take it, though nothing on disk moved."""
    sample = tmp_path / "library/Movies/A (2001)/A (2001).sample.mkv"
    sample.parent.mkdir(parents=True)
    sample.write_bytes(b"\0" * 10)
    root, profile = _organised_library(tmp_path, min_size_mb=0.001)  # 1,048 bytes
    profile.write_text(profile.read_text(encoding="utf-8").replace("0.001", "0"), encoding="utf-8")
    enqueued, state = _sweep(profile)
    try:
        assert enqueued == 1
        assert _states(state)["A (2001).sample.mkv"] == State.NEW.value
    finally:
        state.close()


def test_shelver_scan_loads_no_plugin_trio_or_sqlite_utils(tmp_path: Path) -> None:
    """``shelver scan`` starts as fast as ``shelver hook``: nothing it does not use (once the
    state DB is set up: its first migrations need sqlite-utils), not even click."""
    root, profile = _organised_library(tmp_path)
    (root / "Movies/C (2003)").mkdir()
    (root / "Movies/C (2003)/C (2003).mkv").write_bytes(b"\0" * 2048)
    proc, heavy = modules_loaded_by([["scan", "-p", str(profile)]], (
        "trio", "sqlite_utils", "pluggy", "httpx", "numpy", "av", "shelver.manager",
        "shelver.engine", "click", "shelver.cli"))
    assert "quick scan: 1 item(s) enqueued" in proc.stdout
    assert heavy == [], heavy


def test_shelver_scan_names_a_bad_core_setting(tmp_path: Path, make_profile: Any) -> None:
    from conftest import shelver

    profile = make_profile(placement={"symlinks": "sometimes"})
    proc = shelver("scan", "-p", str(profile))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        f"shelver: error: placement.symlinks must be one of skip, follow, not 'sometimes' "
        f"(placement.symlinks in {profile})")


def test_shelver_scan_without_click_prints_what_the_click_command_does(
        tmp_path: Path, capsys: Any) -> None:
    """The quick path (shelver.scans.scan_main) takes -p, --json, -v and -q before or after the
    command; anything else (--refresh, --help, a mistake) is left to the click command."""
    from shelver.scans import scan_main

    root, profile = _organised_library(tmp_path)
    (root / "Movies/C (2003)").mkdir()
    (root / "Movies/C (2003)/C (2003).mkv").write_bytes(b"\0" * 2048)
    assert scan_main(["--json", f"--profile={profile}", "-q"], verbosity=1) == 0
    assert capsys.readouterr().out == '{"scan": "quick", "enqueued": 1}\n'
    assert scan_main(["-vv", "-p", str(profile)]) == 0  # still queued: counted again
    assert capsys.readouterr().out == "quick scan: 1 item(s) enqueued\n"
    for args in (["--refresh", "-p", str(profile)], ["--help"], ["-p"], ["--full"], ["extra"]):
        assert scan_main(args) is None, args
    assert scan_main(["-p", str(tmp_path / "nowhere.toml")]) == 2
    assert capsys.readouterr().err.startswith("shelver: error: ")


def test_two_files_that_swap_mtimes_are_both_found(tmp_path: Path) -> None:
    """A folder's digest ties each mtime to its file (a sum of the mtimes would not move)."""
    folder, old = "Shows/S/Season 01", time.time() - 3600

    def dated(root: Path) -> None:
        os.utime(root / folder / "S - s01e01.mkv", (old, old))
        os.utime(root / folder / "S - s01e02.mkv", (old + 60, old + 60))

    root, profile = _organised_library(tmp_path, prepare=dated)
    os.utime(root / folder / "S - s01e01.mkv", (old + 60, old + 60))
    os.utime(root / folder / "S - s01e02.mkv", (old, old))
    enqueued, state = _sweep(profile)
    try:
        assert enqueued == 2
        states = _states(state)
        assert states["S - s01e01.mkv"] == states["S - s01e02.mkv"] == State.CHANGED.value
    finally:
        state.close()
