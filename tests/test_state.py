"""The state DB: migrations, observe/queue semantics, guarded transitions, concurrent claims,
reclaiming, backoff, journal, heartbeats. Real SQLite files, real threads and processes."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from shelver import hookimpl
from shelver.errors import ConfigError
from shelver.manager import get_plugin_manager
from shelver.model import Priority, State
from shelver.profiles import state_migrations
from shelver.store import MIGRATIONS, StateDB, owner_id, pid_alive, retry_delay

PROFILE = "test"
DAY_SECONDS = 86400.0


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "state.db"


@pytest.fixture
def state(db_path: Path) -> Any:
    db = StateDB(db_path)
    yield db
    db.close()


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def queue_rows(state: StateDB) -> list[dict[str, Any]]:
    return [dict(r) for r in state.conn().execute("SELECT * FROM queue ORDER BY item_id")]


def add(state: StateDB, name: str, *, size: int = 100, mtime: float = 1000.0, inode: int = 1,
        **kw: Any) -> int:
    item_id = state.observe(f"/library/in/{name}", size, mtime, inode, PROFILE, **kw)
    assert item_id is not None
    return item_id


def drain(state: StateDB, final: State = State.INDEXED) -> None:
    """Claim everything queued (any run) and move it to ``final``."""
    for row in state.conn().execute("SELECT DISTINCT run_id FROM queue").fetchall():
        while (claimed := state.claim_next(PROFILE, owner_id(), run_id=row[0])) is not None:
            assert state.transition(claimed["id"], State.PROCESSING, final, owner=None)


# -- migrations --------------------------------------------------------------------------------


def test_migrations_run_once_and_are_recorded(db_path: Path) -> None:
    calls: list[str] = []

    def add_plugin_table(db: sqlite_utils.Database) -> None:
        calls.append("ran")
        db["plugin_things"].create({"id": int, "value": str}, pk="id")

    extra = [("myplugin-001-things", add_plugin_table)]
    first = StateDB(db_path, extra)
    conn = first.conn()
    names = [r[0] for r in conn.execute("SELECT name FROM _shelver_migrations ORDER BY rowid")]
    assert names == [name for name, _ in MIGRATIONS] + ["myplugin-001-things"]
    applied = dict(conn.execute("SELECT name, applied_at FROM _shelver_migrations").fetchall())
    assert {"items", "queue", "runs", "journal", "instances", "plugin_things"} <= set(
        first.db.table_names())
    first.close()

    # Opening again (twice, one with the plugin, one without) runs nothing a second time.
    second = StateDB(db_path, extra)
    StateDB(db_path).close()
    again = dict(second.conn().execute("SELECT name, applied_at FROM _shelver_migrations").fetchall())
    assert again == applied
    assert calls == ["ran"]
    second.close()


class MigratingPlugin:
    """A plugin that keeps its own table in the shared state DB."""

    def __init__(self, name: str = "myplugin-001-notes") -> None:
        self.name = name

    @hookimpl
    def shelver_register_migrations(self, register: Any) -> None:
        register(self.name, lambda db: db["myplugin_notes"].create({"id": int, "note": str},
                                                                    pk="id"))


def test_plugin_migrations_come_through_the_hook(db_path: Path) -> None:
    pm = get_plugin_manager()
    pm.register(MigratingPlugin(), name="myplugin")
    migrations = state_migrations(pm)
    assert "myplugin-001-notes" in [name for name, _ in migrations]
    state = StateDB(db_path, migrations)
    assert "myplugin_notes" in state.db.table_names()
    assert state.conn().execute("SELECT count(*) FROM _shelver_migrations WHERE name=?",
                                ("myplugin-001-notes",)).fetchone()[0] == 1
    state.close()
    StateDB(db_path, state_migrations(pm)).close()  # a second open: nothing to do, no error
    pm.register(MigratingPlugin(), name="copycat")
    with pytest.raises(ConfigError, match="myplugin-001-notes"):
        state_migrations(pm)  # two plugins claiming one migration name


def test_a_failing_migration_leaves_nothing_half_done(db_path: Path) -> None:
    StateDB(db_path).close()

    def broken(db: sqlite_utils.Database) -> None:
        db["half"].create({"id": int}, pk="id")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        StateDB(db_path, [("plugin-broken", broken)])
    check = StateDB(db_path)
    assert "half" not in check.db.table_names()
    assert check.conn().execute(
        "SELECT count(*) FROM _shelver_migrations WHERE name='plugin-broken'").fetchone()[0] == 0
    check.close()


def test_wal_mode_and_busy_timeout(state: StateDB) -> None:
    assert state.conn().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert state.conn().execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    # Another thread gets its own connection, also in WAL mode.
    seen: list[Any] = []
    thread = threading.Thread(target=lambda: seen.append(
        (state.conn(), state.conn().execute("PRAGMA journal_mode").fetchone()[0])))
    thread.start()
    thread.join()
    assert seen[0][0] is not state.conn() and seen[0][1] == "wal"


# -- observe and the queue ---------------------------------------------------------------------


def test_observe_new_file_is_recorded_and_queued_high(state: StateDB) -> None:
    item_id = add(state, "a.mkv", size=123, mtime=5.5, inode=77)
    item = state.item(item_id)
    assert item is not None
    assert (item["path"], item["dir"], item["source_path"]) == (
        "/library/in/a.mkv", "/library/in", "/library/in/a.mkv")
    assert (item["size"], item["mtime"], item["inode"], item["state"]) == (123, 5.5, 77, "NEW")
    assert item["error_count"] == 0
    assert [(q["item_id"], q["priority"], q["reason"]) for q in queue_rows(state)] == [
        (item_id, Priority.HIGH, "new")]
    assert state.item_by_path("/library/in/a.mkv")["id"] == item_id  # type: ignore[index]
    assert state.items_in_dir("/library/in") == {"/library/in/a.mkv": (item_id, 123, 5.5, 77, "NEW")}


def test_observe_unchanged_indexed_file_does_nothing(state: StateDB) -> None:
    item_id = add(state, "a.mkv")
    drain(state)
    assert state.observe("/library/in/a.mkv", 100, 1000.0, 1, PROFILE) is None
    assert queue_rows(state) == []
    assert state.item(item_id)["state"] == "INDEXED"  # type: ignore[index]
    # The quick scan passes what it already read from the DB: same answer.
    known = state.items_in_dir("/library/in")["/library/in/a.mkv"]
    assert state.observe("/library/in/a.mkv", 100, 1000.0, 1, PROFILE, known=known) is None
    assert queue_rows(state) == []


@pytest.mark.parametrize("change", [{"size": 101}, {"mtime": 1001.0}, {"inode": 2}])
def test_observe_changed_file_becomes_changed_at_medium(state: StateDB, change: dict[str, Any]
                                                       ) -> None:
    item_id = add(state, "a.mkv")
    drain(state)
    stats = {"size": 100, "mtime": 1000.0, "inode": 1, **change}
    assert state.observe("/library/in/a.mkv", stats["size"], stats["mtime"], stats["inode"],
                         PROFILE) == item_id
    item = state.item(item_id)
    assert item is not None
    assert item["state"] == "CHANGED"
    assert (item["size"], item["mtime"], item["inode"]) == (stats["size"], stats["mtime"], stats["inode"])
    assert [(q["item_id"], q["priority"]) for q in queue_rows(state)] == [(item_id, Priority.MEDIUM)]


def test_observe_missing_file_that_reappears_is_new_again(state: StateDB) -> None:
    item_id = add(state, "a.mkv")
    drain(state)
    assert state.mark_missing("/library/in", set()) == 1  # the file does not exist on disk
    assert state.item(item_id)["state"] == "MISSING"  # type: ignore[index]
    assert state.observe("/library/in/a.mkv", 100, 1000.0, 1, PROFILE) == item_id
    assert state.item(item_id)["state"] == "NEW"  # type: ignore[index]
    assert len(queue_rows(state)) == 1


def test_mark_missing_keeps_existing_and_seen_files(state: StateDB, tmp_path: Path) -> None:
    present = tmp_path / "present.mkv"
    present.write_bytes(b"x")
    ids = {}
    for path in (present, tmp_path / "gone.mkv", tmp_path / "seen.mkv"):
        ids[path.name] = state.observe(str(path), 1, 1.0, 1, PROFILE)
    drain(state)
    assert state.mark_missing(str(tmp_path), {str(tmp_path / "seen.mkv")}) == 1
    states = {name: state.item(i)["state"] for name, i in ids.items()}  # type: ignore[index]
    assert states == {"present.mkv": "INDEXED", "gone.mkv": "MISSING", "seen.mkv": "INDEXED"}


def test_observe_pending_and_processing_items(state: StateDB) -> None:
    item_id = add(state, "a.mkv")
    # Seen again while still NEW: the one queue row stays one row.
    assert state.observe("/library/in/a.mkv", 100, 1000.0, 1, PROFILE) == item_id
    assert len(queue_rows(state)) == 1
    claimed = state.claim_next(PROFILE, owner_id())
    assert claimed is not None and claimed["state"] == "PROCESSING"
    # A worker holds it: a scan leaves it alone, even when it changed.
    assert state.observe("/library/in/a.mkv", 999, 1000.0, 1, PROFILE) is None
    assert queue_rows(state) == []
    assert state.item(item_id)["state"] == "PROCESSING"  # type: ignore[index]


def test_observe_force_enqueues_indexed_items(state: StateDB) -> None:
    item_id = add(state, "a.mkv")
    drain(state)
    assert state.observe("/library/in/a.mkv", 100, 1000.0, 1, PROFILE, force=True,
                         priority=Priority.CRITICAL, run_id=7) == item_id
    assert [(q["priority"], q["run_id"], q["reason"]) for q in queue_rows(state)] == [
        (Priority.CRITICAL, 7, "manual")]


@pytest.mark.parametrize("with_known", [False, True])
def test_observe_error_items_wait_for_their_retry_time(state: StateDB, with_known: bool) -> None:
    item_id = add(state, "a.mkv")
    assert state.claim_next(PROFILE, owner_id()) is not None
    before = time.time()
    next_retry = state.fail(item_id, "boom")
    assert before + 59 <= next_retry <= time.time() + 61

    def observe() -> int | None:
        known = state.items_in_dir("/library/in")["/library/in/a.mkv"] if with_known else None
        return state.observe("/library/in/a.mkv", 100, 1000.0, 1, PROFILE, known=known)

    assert observe() is None  # not yet
    assert queue_rows(state) == []
    state.conn().execute("UPDATE items SET next_retry=? WHERE id=?", (time.time() - 1, item_id))
    assert observe() == item_id
    assert [(q["priority"], q["reason"]) for q in queue_rows(state)] == [(Priority.MEDIUM, "retry")]
    assert state.item(item_id)["state"] == "ERROR"  # type: ignore[index]


def test_queue_dedup_raises_priority_never_lowers_it(state: StateDB) -> None:
    item_id = add(state, "a.mkv")
    state.enqueue(item_id, PROFILE, Priority.LOW)
    assert [q["priority"] for q in queue_rows(state)] == [Priority.HIGH]
    state.enqueue(item_id, PROFILE, Priority.CRITICAL)
    state.enqueue(item_id, PROFILE, Priority.VERY_LOW)
    rows = queue_rows(state)
    assert len(rows) == 1 and rows[0]["priority"] == Priority.CRITICAL
    assert state.queued_count(PROFILE) == 1


# -- claiming ----------------------------------------------------------------------------------


def test_claim_next_takes_highest_priority_first_then_oldest(state: StateDB) -> None:
    low = add(state, "low.mkv", priority=Priority.LOW)
    high_1 = add(state, "high1.mkv")
    crit = add(state, "crit.mkv", priority=Priority.CRITICAL)
    high_2 = add(state, "high2.mkv")
    very_low = add(state, "vlow.mkv", priority=Priority.VERY_LOW)
    medium = add(state, "medium.mkv", priority=Priority.MEDIUM)
    order = []
    while (row := state.claim_next(PROFILE, "me:1")) is not None:
        order.append(row["id"])
        assert row["state"] == "PROCESSING" and row["owner"] == "me:1"
    assert order == [crit, high_1, high_2, medium, low, very_low]
    assert state.queued_count() == 0


def test_claim_next_respects_profile_not_before_and_run_scope(state: StateDB) -> None:
    general = add(state, "general.mkv")
    other_profile = state.observe("/library/in/other.mkv", 1, 1.0, 1, "other")
    run_item = add(state, "run.mkv", run_id=42)
    later = add(state, "later.mkv")
    state.conn().execute("UPDATE queue SET not_before=? WHERE item_id=?", (time.time() + 3600, later))

    # A run takes only its own items; a daemon worker (run_id None) never takes a run's items.
    assert state.claim_next(PROFILE, "run:1", run_id=41) is None
    claimed = state.claim_next(PROFILE, "run:1", run_id=42)
    assert claimed is not None and claimed["id"] == run_item and claimed["run_id"] == 42
    assert state.claim_next(PROFILE, "run:1", run_id=42) is None
    claimed = state.claim_next(PROFILE, "daemon:1")
    assert claimed is not None and claimed["id"] == general
    assert state.claim_next(PROFILE, "daemon:1") is None  # `later` waits, `other` is not ours
    claimed = state.claim_next("other", "daemon:2")
    assert claimed is not None and claimed["id"] == other_profile


def test_transition_is_guarded_by_the_expected_state(state: StateDB) -> None:
    item_id = add(state, "a.mkv")
    assert state.transition(item_id, State.INDEXED, State.REVIEW) is False
    assert state.item(item_id)["state"] == "NEW"  # type: ignore[index]
    assert state.transition(item_id, State.NEW, State.REVIEW, candidates=[{"id": 1}],
                            confidence=0.5) is True
    item = state.item(item_id)
    assert item is not None
    assert (item["state"], json.loads(item["candidates"]), item["confidence"]) == (
        "REVIEW", [{"id": 1}], 0.5)
    assert state.transition(item_id, State.NEW, State.INDEXED) is False
    assert state.transition(999_999, State.NEW, State.INDEXED) is False


def test_two_threads_never_claim_the_same_item(state: StateDB) -> None:
    ids = {add(state, f"f{i:03d}.mkv", inode=i) for i in range(200)}
    claimed: dict[str, list[int]] = {}

    def worker(name: str) -> None:
        mine = claimed.setdefault(name, [])
        while (row := state.claim_next(PROFILE, name)) is not None:
            mine.append(row["id"])
            time.sleep(0.0005)

    threads = [threading.Thread(target=worker, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [i for mine in claimed.values() for i in mine]
    assert sorted(everything) == sorted(ids)  # each item exactly once
    assert sum(1 for mine in claimed.values() if mine) >= 2


CLAIMER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from shelver.store import StateDB
    state = StateDB(Path(sys.argv[1]))
    go = Path(sys.argv[2])
    while not go.exists():
        time.sleep(0.005)
    got = []
    while (row := state.claim_next("test", f"proc:{os.getpid()}")) is not None:
        got.append(row["id"])
        time.sleep(0.001)
    print(" ".join(map(str, got)))
""")


def test_two_processes_never_claim_the_same_item(state: StateDB, db_path: Path, tmp_path: Path
                                                 ) -> None:
    ids = {add(state, f"f{i:03d}.mkv", inode=i) for i in range(300)}
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", CLAIMER, str(db_path), str(go)],
                              stdout=subprocess.PIPE, text=True) for _ in range(2)]
    time.sleep(0.3)
    go.touch()
    outputs = [proc.communicate(timeout=60)[0] for proc in procs]
    assert all(proc.returncode == 0 for proc in procs)
    per_process = [[int(x) for x in out.split()] for out in outputs]
    everything = [i for ids_ in per_process for i in ids_]
    assert sorted(everything) == sorted(ids)
    assert all(per_process), "both processes should have claimed some items"
    owners = {row[0] for row in state.conn().execute("SELECT DISTINCT owner FROM items")}
    assert len(owners) == 2


# -- reclaim, fail, backoff --------------------------------------------------------------------


def test_reclaim_returns_items_of_dead_processes_only(state: StateDB) -> None:
    dead = f"{socket.gethostname()}:{dead_pid()}"
    alive = owner_id()
    elsewhere = "some-other-host:1"
    ids = {}
    for name, owner in (("dead", dead), ("alive", alive), ("elsewhere", elsewhere)):
        ids[name] = add(state, f"{name}.mkv")
        claimed = state.claim_next(PROFILE, owner)
        assert claimed is not None and claimed["id"] == ids[name]
    assert not pid_alive(dead) and pid_alive(alive) and pid_alive(elsewhere)
    assert state.reclaim() == [ids["dead"]]
    assert state.item(ids["dead"])["state"] == "NEW"  # type: ignore[index]
    assert state.item(ids["dead"])["owner"] is None  # type: ignore[index]
    assert state.item(ids["alive"])["state"] == "PROCESSING"  # type: ignore[index]
    assert state.item(ids["elsewhere"])["state"] == "PROCESSING"  # type: ignore[index]
    assert [(q["item_id"], q["reason"]) for q in queue_rows(state)] == [(ids["dead"], "reclaimed")]
    claimed = state.claim_next(PROFILE, alive)
    assert claimed is not None and claimed["id"] == ids["dead"]
    assert state.reclaim() == []


def test_reclaim_frees_queue_rows_of_a_dead_run(state: StateDB) -> None:
    # A one-shot run was killed before its workers took all its items: they must not be stuck
    # behind its run_id forever (a daemon worker takes only run_id IS NULL rows).
    run_id = state.start_run(PROFILE, "run", "inplace")
    state.conn().execute("UPDATE runs SET pid=? WHERE id=?", (dead_pid(), run_id))
    item_id = add(state, "orphan.mkv", run_id=run_id, force=True, priority=Priority.CRITICAL)
    live_run = state.start_run(PROFILE, "run", "inplace")
    live_item = add(state, "live.mkv", run_id=live_run)
    assert state.claim_next(PROFILE, "daemon:1") is None
    state.reclaim()
    claimed = state.claim_next(PROFILE, "daemon:1")
    assert claimed is not None and claimed["id"] == item_id
    assert state.claim_next(PROFILE, "daemon:1") is None  # the live run keeps its own
    assert state.queued_count(run_id=live_run) == 1 and live_item


def test_fail_sets_error_with_backoff(state: StateDB) -> None:
    item_id = add(state, "a.mkv")
    delays = []
    for attempt in range(1, 14):
        state.enqueue(item_id, PROFILE, Priority.CRITICAL)
        assert state.claim_next(PROFILE, owner_id())["id"] == item_id  # type: ignore[index]
        now = time.time()
        next_retry = state.fail(item_id, f"failure {attempt} " + "x" * 5000)
        item = state.item(item_id)
        assert item is not None
        assert (item["state"], item["status"], item["error_count"], item["owner"]) == (
            "ERROR", "error", attempt, None)
        assert item["last_error"].startswith(f"failure {attempt} ") and len(item["last_error"]) <= 2000
        assert item["next_retry"] == next_retry
        delays.append(round(next_retry - now))
    assert delays == [60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 30720, 61440, 86400, 86400]
    assert [retry_delay(n) for n in (1, 2, 3, 11, 12, 50, 1000)] == [
        60, 120, 240, 61440, 86400, 86400, 86400]
    errors = state.recent_errors(PROFILE)
    assert errors[0]["path"] == "/library/in/a.mkv" and errors[0]["error_count"] == 13
    assert state.counts(PROFILE) == {"ERROR": 1}


def test_fail_only_moves_processing_items(state: StateDB) -> None:
    item_id = add(state, "a.mkv")
    drain(state)
    state.fail(item_id, "late failure report")
    item = state.item(item_id)
    assert item is not None and item["state"] == "INDEXED" and item["error_count"] == 0


# -- runs, journal, heartbeats -----------------------------------------------------------------


def test_runs_and_journal(state: StateDB) -> None:
    run_id = state.start_run(PROFILE, "run", "inplace")
    item_id = add(state, "a.mkv")
    first = state.journal_begin(run_id, item_id, "move", "/s/a.mkv", "/d/a.mkv", None, 100)
    second = state.journal_begin(run_id, item_id, "copy", "/s/a.srt", "/d/a.srt", "/d/.tmp", 5)
    other = state.journal_begin(run_id + 1, None, "move", "/s/b", "/d/b", None, 1)
    assert [r["id"] for r in state.journal_unfinished()] == [first, second, other]
    assert state.journal_unfinished()[0]["step"] == "planned"
    state.journal_step(first, "placed")
    state.journal_step(second, "rolled-back")
    unfinished = state.journal_unfinished()
    assert [(r["id"], r["step"]) for r in unfinished] == [(first, "placed"), (other, "planned")]
    state.journal_step(first, "done")
    state.journal_step(other, "undone")
    assert state.journal_unfinished() == []
    of_run = state.journal_of_run(run_id)
    assert [r["id"] for r in of_run] == [second, first]  # newest first, for undo
    assert (of_run[1]["src"], of_run[1]["dst"], of_run[1]["size"], of_run[1]["op"]) == (
        "/s/a.mkv", "/d/a.mkv", 100, "move")
    state.set_item_path(item_id, "/d/a.mkv")
    item = state.item(item_id)
    assert item is not None and (item["path"], item["dir"], item["destination"]) == (
        "/d/a.mkv", "/d", "/d/a.mkv")
    state.end_run(run_id, "done", {"organised": 1})
    run = state.conn().execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
    assert (run["status"], json.loads(run["counts"]), run["pid"]) == ("done", {"organised": 1},
                                                                      os.getpid())
    assert run["ended_at"] >= run["started_at"]


def test_heartbeat_and_daemon_alive(state: StateDB) -> None:
    assert state.daemon_alive(PROFILE) is False
    state.heartbeat(PROFILE)
    assert state.daemon_alive(PROFILE) is True
    assert state.daemon_alive("another-profile") is False
    state.conn().execute("UPDATE instances SET heartbeat_at=heartbeat_at-100")
    assert state.daemon_alive(PROFILE) is False  # too old
    assert state.daemon_alive(PROFILE, max_age=1000) is True
    state.heartbeat(PROFILE)
    state.conn().execute("UPDATE instances SET pid=?", (dead_pid(),))
    assert state.daemon_alive(PROFILE) is False  # recent, but the process is gone
    state.heartbeat(PROFILE)
    assert state.conn().execute("SELECT count(*) FROM instances").fetchone()[0] == 1
    state.clear_heartbeat(PROFILE)
    assert state.daemon_alive(PROFILE) is False


def test_connections_are_closed(state: StateDB) -> None:
    conn = state.conn()
    state.close()
    with pytest.raises(sqlite3.ProgrammingError):
        conn.execute("SELECT 1")
    assert state.conn().execute("SELECT count(*) FROM items").fetchone()[0] == 0


# -- scans and the per-profile lock ------------------------------------------------------------


def test_refresh_age_follows_the_release_age() -> None:
    from shelver.scans import DAY, refresh_age

    now = time.mktime(time.strptime("2024-06-01", "%Y-%m-%d"))
    assert refresh_age("2024-05-25", now) == 3 * DAY  # days old
    assert refresh_age("2024-02-01", now) == 14 * DAY  # months
    assert refresh_age("2021-06-01", now) == 90 * DAY  # years
    assert refresh_age("1999-03-30", now) == 180 * DAY
    assert refresh_age(None, now) == refresh_age("not a date", now) == 30 * DAY


def test_refresh_and_full_scans_enqueue_the_right_items(state: StateDB) -> None:
    from shelver.profiles import validate
    from shelver.scans import enqueue_scan, status_report

    profile = validate({"name": PROFILE})
    fresh, old, recent_release = add(state, "fresh.mkv"), add(state, "old.mkv"), add(state, "new.mkv")
    drain(state)
    now = time.time()
    for item_id, release, refreshed in ((fresh, "1999-01-01", now - DAY_SECONDS),
                                        (old, "1999-01-01", now - 400 * DAY_SECONDS),
                                        (recent_release, time.strftime("%Y-%m-%d"),
                                         now - 4 * DAY_SECONDS)):
        state.conn().execute("UPDATE items SET release_date=?, refreshed_at=? WHERE id=?",
                             (release, refreshed, item_id))
    assert enqueue_scan(profile, None, state, "refresh") == {"enqueued": 2}
    assert {q["item_id"]: q["priority"] for q in queue_rows(state)} == {
        old: Priority.LOW, recent_release: Priority.LOW}
    assert state.item(old)["state"] == "STALE"  # type: ignore[index]
    assert state.item(fresh)["state"] == "INDEXED"  # type: ignore[index]
    assert enqueue_scan(profile, None, state, "full") == {"enqueued": 3}
    assert state.queued_count(PROFILE) == 3
    report = status_report(profile, state)
    assert report["states"] == {"INDEXED": 1, "STALE": 2} and report["queued"] == 3


def test_one_lock_per_profile(tmp_path: Path) -> None:
    from shelver.locks import ProfileLock, lock_path
    from shelver.profiles import validate

    first = validate({"name": "movies/new", "state_db": str(tmp_path / "state.db")})
    other = validate({"name": "backlog", "state_db": str(tmp_path / "state.db")})
    assert lock_path(first).parent == tmp_path / "locks" and "/" not in lock_path(first).name
    with ProfileLock(first):
        assert lock_path(first).read_text() == str(os.getpid())
        with pytest.raises(ConfigError) as info:
            ProfileLock(first).__enter__()
        assert "already being watched" in str(info.value) and str(os.getpid()) in str(info.value)
        with ProfileLock(other):  # another profile runs side by side
            pass
    with ProfileLock(first):  # released on exit
        pass


def test_a_placement_onto_a_stale_record_takes_its_path(state: StateDB) -> None:
    # The library file of an old item was deleted (MISSING); a new download is placed at the
    # same name: the new item is recorded there, the stale row makes way (no UNIQUE error).
    old = add(state, "old.mkv")
    drain(state)
    state.mark_missing("/library/in", set())
    new = add(state, "new.mkv", inode=2)
    entry = state.journal_begin(1, new, "move", "/library/in/new.mkv", "/library/in/old.mkv",
                                None, 100)
    state.journal_finish(entry)
    assert state.item(new)["path"] == "/library/in/old.mkv"  # type: ignore[index]
    assert state.item(old) is None
    # A companion's row (same item id, another source) does not move the item.
    entry = state.journal_begin(1, new, "move", "/library/in/new.srt", "/library/out/new.srt",
                                None, 5)
    state.journal_finish(entry)
    assert state.item(new)["path"] == "/library/in/old.mkv"  # type: ignore[index]
    # A row a worker holds is never dropped.
    drain(state)
    held = add(state, "held.mkv", inode=3)
    assert state.claim_next(PROFILE, owner_id())["id"] == held  # type: ignore[index]
    state.set_item_path(new, "/library/in/held.mkv")
    assert state.item(held)["path"] == "/library/in/held.mkv"  # type: ignore[index]
    assert state.item(new)["path"] == "/library/in/old.mkv"  # type: ignore[index]


def test_the_hook_fast_path_knows_every_core_migration() -> None:
    # The fast path refuses a DB written by a newer shelver without importing shelver.store.
    from shelver.intake.fastpath import CORE_MIGRATIONS
    from shelver.store import MIGRATIONS

    assert CORE_MIGRATIONS == {name for name, _fn in MIGRATIONS}


def test_a_db_that_cannot_be_used_is_named_with_what_is_wrong(tmp_path: Path) -> None:
    from shelver.errors import ConfigError
    from shelver.store import StateDB

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(ConfigError, match=rf"state DB {garbage} is not a database \(corrupt"):
        StateDB(garbage)
    newer = tmp_path / "newer.db"
    StateDB(newer).close()
    with sqlite3.connect(newer) as conn:
        conn.execute("INSERT INTO _shelver_migrations VALUES ('core-042-later', 0)")
    with pytest.raises(ConfigError, match="written by a newer shelver \\(migration core-042-later"):
        StateDB(newer)
    # A plugin's migration this version lacks (a plugin since removed) is no reason to refuse.
    other = tmp_path / "other.db"
    StateDB(other).close()
    with sqlite3.connect(other) as conn:
        conn.execute("INSERT INTO _shelver_migrations VALUES ('watchlist-001-hits', 0)")
    StateDB(other).close()


def test_claiming_an_item_records_the_profile_that_processes_it(state: Any) -> None:
    item_id = state.observe("/dl/a.mkv", 1, 1.0, 1, "first")
    run_id = state.start_run("second", "run", "inplace")
    state.observe("/dl/a.mkv", 1, 1.0, 1, "second", run_id=run_id, force=True)
    claimed = state.claim_next("second", "host:1", run_id=run_id)
    assert claimed is not None and claimed["id"] == item_id and claimed["profile"] == "second"
