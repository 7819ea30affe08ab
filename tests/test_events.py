"""The events table (docs/operations.md, "Events"): the store API, and what a real run records."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from shelver.errors import ConfigError
from shelver.profiles import validate
from shelver.store import StateDB
from shelver.store.events import EventLog, events_since, latest_event_id, prune

from tests.conftest import BIN, json_lines, shelver, stop_daemon

PHASES = ["parse", "probe", "match", "fingerprint", "plan", "place", "enrich", "finalize"]


def test_ids_increase_and_are_never_reused_even_after_pruning(state: Any) -> None:
    log = EventLog(state, run_id=1)
    for n in range(5):
        log.add("progress", done=n, total=5)
    assert log.flush() == 5
    first = events_since(state)
    ids = [e["id"] for e in first]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert [e["payload"]["done"] for e in first] == [0, 1, 2, 3, 4]
    assert latest_event_id(state) == ids[-1]
    # Everything pruned (even the newest): the next event still gets a higher id.
    assert prune(state, keep_days=1, max_rows=10, now=first[-1]["ts"] + 2 * 86400) == 5
    assert events_since(state) == [] and latest_event_id(state) == 0
    log.add("run-ended", status="done", counts={})
    log.flush()
    assert events_since(state)[0]["id"] > ids[-1]


def test_a_reader_resuming_from_the_last_id_it_saw_misses_nothing(state: Any, tmp_path: Path) -> None:
    def writer(run_id: int) -> None:
        other = StateDB(tmp_path / "state.db")  # another connection, as another process has
        log = EventLog(other, run_id)
        for n in range(200):
            log.add("item-done", n, status="organised", source=f"/in/{run_id}-{n}",
                    destination=None, error=None)
            if n % 7 == 0:
                log.flush()
        log.flush()
        other.close()

    threads = [threading.Thread(target=writer, args=(run,)) for run in (1, 2)]
    for thread in threads:
        thread.start()
    seen: list[dict[str, Any]] = []
    last = 0
    while any(t.is_alive() for t in threads) or events_since(state, last, 1):
        page = events_since(state, last, limit=13)
        seen.extend(page)
        last = page[-1]["id"] if page else last
    for thread in threads:
        thread.join()
    written = [(e["run_id"], e["item_id"]) for e in events_since(state, 0, limit=10_000)]
    assert len(written) == 400
    assert [(e["run_id"], e["item_id"]) for e in seen] == written
    # Each writer's events are in the order it added them.
    for run in (1, 2):
        assert [item for r, item in written if r == run] == list(range(200))
    assert [e["id"] for e in seen] == sorted({e["id"] for e in seen})


def test_pruning_keeps_the_newest_by_size_and_by_age(state: Any) -> None:
    now = 1_000_000.0
    clock = iter([now - 40 * 86400 + n for n in range(3)] + [now - 86400 + n for n in range(3000)])
    log = EventLog(state, run_id=1, clock=lambda: next(clock))
    for n in range(3003):
        log.add("progress", done=n, total=3003)
    log.flush()
    # By age: the three events older than 30 days go, nothing else.
    assert prune(state, keep_days=30, max_rows=10_000, now=now) == 3
    kept = events_since(state, 0, limit=10_000)
    assert [e["payload"]["done"] for e in kept] == list(range(3, 3003))
    # By size: the newest 1200 are kept, in order, and the deleted ones are a prefix.
    assert prune(state, keep_days=30, max_rows=1200, now=now) == 1800
    kept = events_since(state, 0, limit=10_000)
    assert [e["payload"]["done"] for e in kept] == list(range(1803, 3003))
    assert prune(state, keep_days=30, max_rows=1200, now=now) == 0


def test_a_failed_flush_keeps_the_events_for_the_next_one(state: Any) -> None:
    log = EventLog(state, run_id=1)
    log.add("run-started", profile="p", command="run", mode="inplace", dry_run=False)
    blocker = sqlite3.connect(state.path, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the DB
    state.conn().execute("PRAGMA busy_timeout=50")
    with pytest.raises(sqlite3.OperationalError):
        log.flush()
    blocker.execute("ROLLBACK")
    blocker.close()
    log.add("run-ended", status="done", counts={})
    assert log.flush() == 2
    assert [e["kind"] for e in events_since(state)] == ["run-started", "run-ended"]


def test_an_unknown_kind_is_refused(state: Any) -> None:
    with pytest.raises(ValueError, match="unknown event kind 'phase-done'"):
        EventLog(state, run_id=1).add("phase-done")


@pytest.mark.parametrize(("events", "message"), [
    ({"keep_days": 0}, "events.keep_days must be more than 0"),
    ({"max_rows": 10}, "events.max_rows must be at least 1000"),
    ({"max_rows": "many"}, "events.max_rows must be a whole number, not 'many'"),
])
def test_event_settings_are_validated(events: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        validate({"events": events}, path=Path("/p/test.toml"))
    assert validate({}).data["events"] == {"keep_days": 30.0, "max_rows": 200000}


def test_a_real_run_records_each_file_in_order_and_status_shows_it(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    downloads = tmp_path / "downloads"
    video(downloads / "The.Matrix.1999.1080p.BluRay.x264-GRP" / "The.Matrix.1999.1080p.BluRay.x264-GRP.mkv", 8160)
    video(downloads / "Heat.1995.720p.mkv", 10200)
    (downloads / "readme.txt").write_text("hi")
    profile = make_profile()
    proc = shelver("run", str(downloads), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    results = {r["source"]: r for r in json_lines(proc.stdout)}
    assert sorted(r["status"] for r in results.values()) == ["organised", "organised", "skipped"]

    state = StateDB(tmp_path / "state.db")
    try:
        events = events_since(state, 0, limit=10_000)
        run_id = state.conn().execute("SELECT max(id) FROM runs").fetchone()[0]
    finally:
        state.close()
    assert {e["run_id"] for e in events} == {run_id}
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert events[0]["kind"] == "run-started" and events[0]["payload"]["command"] == "run"
    assert events[-1]["kind"] == "run-ended"
    assert events[-1]["payload"] == {"status": "done", "counts": {"organised": 2, "skipped": 1}}
    for source, result in results.items():
        if result["status"] != "organised":
            done = [e for e in events if e["kind"] == "item-done" and e["payload"]["source"] == source]
            assert [e["payload"]["status"] for e in done] == ["skipped"]
            continue
        started = next(e for e in events if e["kind"] == "item-started"
                       and e["payload"]["source"] == source)
        item_id = started["item_id"]
        assert item_id is not None
        mine = [e for e in events if e["item_id"] == item_id]
        assert [e["kind"] for e in mine] == ["item-started", *["phase"] * len(PHASES), "item-done"]
        assert [e["payload"]["phase"] for e in mine if e["kind"] == "phase"] == PHASES
        assert mine[-1]["payload"] == {"status": "organised", "source": source,
                                       "destination": result["destination"], "error": None,
                                       "reason": None}
    progress = [e["payload"] for e in events if e["kind"] == "progress"]
    assert progress[-1] == {"done": 3, "total": 3}
    assert [p["done"] for p in progress] == sorted(p["done"] for p in progress)

    last = max((e for e in events if e["kind"] == "item-done"), key=lambda e: e["id"])
    status = shelver("status", "-p", str(profile))
    assert status.returncode == 0, status.stderr
    assert f"run:     #{run_id} run (done): 3 of 3 file(s) done" in status.stdout.splitlines()
    assert any(line.startswith(f"last:    {last['payload']['status']} {last['payload']['source']}")
               for line in status.stdout.splitlines()), status.stdout
    as_json = json.loads(shelver("status", "-p", str(profile), "--json").stdout)
    assert as_json["progress"]["run_id"] == run_id
    assert (as_json["progress"]["done"], as_json["progress"]["total"]) == (3, 3)
    assert as_json["progress"]["last_done"]["source"] == last["payload"]["source"]
    assert as_json["progress"]["ended"]["counts"] == {"organised": 2, "skipped": 1}


def test_a_daemon_writes_events_as_it_goes_and_prunes_old_ones(tmp_path: Path, make_profile: Any,
                                                               video: Any) -> None:
    profile = make_profile(watch={"settle_seconds": 0.3, "sweep_interval": 3600})
    state = StateDB(tmp_path / "state.db")
    old = EventLog(state, run_id=0, clock=lambda: time.time() - 31 * 86400)
    old.add("run-ended", status="done", counts={})
    old.flush()
    assert latest_event_id(state) == 1
    daemon = subprocess.Popen([str(BIN / "shelver"), "watch", "-p", str(profile)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        video(tmp_path / "downloads" / "Amelie.2001.1080p.BluRay.mkv", 7320)
        deadline = time.monotonic() + 30
        lines: list[str] = []
        while time.monotonic() < deadline:
            lines = shelver("status", "-p", str(profile)).stdout.splitlines()
            if any(line.endswith("(running): 1 file(s) done") for line in lines):
                break
            time.sleep(0.2)
        # Seen while the daemon still runs: its events are written as it goes, not at its end.
        assert daemon.poll() is None
        assert any(line.startswith("run:     #") and " watch (running): 1 file(s) done" in line
                   for line in lines), lines
        assert any(line.startswith("last:    organised ") and "Amelie.2001.1080p.BluRay.mkv -> "
                   in line for line in lines), lines
        # The 31-day-old event went at the daemon's first heartbeat; the new ones have higher ids.
        events = events_since(state)
        assert events and events[0]["id"] > 1 and events[0]["kind"] == "run-started"
    finally:
        stop_daemon(daemon)
        state.close()
    assert daemon.returncode == 0, daemon.stderr.read()
    state = StateDB(tmp_path / "state.db")
    try:
        assert events_since(state)[-1]["kind"] == "run-ended"
        assert events_since(state)[-1]["payload"]["status"] == "stopped"
    finally:
        state.close()


def test_status_of_a_run_in_progress_and_of_one_without_events(state: Any, tmp_path: Path) -> None:
    from shelver.scans import progress_lines, status_report

    profile = validate({"name": "p", "state_db": str(tmp_path / "state.db")})
    old_run = state.start_run("p", "run", "inplace")  # as a run made before the events table
    state.end_run(old_run, "done", {"organised": 4})
    assert progress_lines(status_report(profile, state)) == [f"run:     #{old_run} run (done)"]
    run = state.start_run("p", "run", "inplace")
    log = EventLog(state, run)
    log.add("progress", done=0, total=2)
    log.add("item-started", 7, source="/in/a.mkv")
    log.add("item-done", 7, status="error", source="/in/a.mkv", destination=None,
            error="/in/a.mkv: unreadable", reason=None)
    log.add("progress", done=1, total=2)
    log.flush()
    report = status_report(profile, state)
    assert progress_lines(report) == [f"run:     #{run} run (running): 1 of 2 file(s) done",
                                      "last:    error /in/a.mkv (/in/a.mkv: unreadable)"]
    assert report["progress"]["ended"] is None and report["progress"]["last_done"]["item_id"] == 7
