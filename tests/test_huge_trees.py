"""Huge trees (docs/operations.md, "Huge trees"): a run that will take hours says so, and the
queries of a run's workers, `shelver status` and `shelver undo --list` use indexes."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shelver.manager import get_plugin_manager
from shelver.profiles import state_migrations, validate
from shelver.store import StateDB

from tests.conftest import BIN, shelver

WARNING = ("shelver: WARNING: 3 videos: about 5 h at 1 request/3000 s; "
           "consider metadata-only first")


def test_a_run_that_will_take_hours_says_so(tmp_path: Path,
                                             make_profile: Callable[..., Path]) -> None:
    # 3 videos x 2 requests at 1 request per 3000 s: 5 h. The run is stopped once it said so
    # (at that rate its second request would wait 50 minutes).
    profile = make_profile(tmdb={"rate": "1/3000s"})
    for name in ("Heat.1995.mkv", "Alien.1979.mkv", "Up.2009.mkv"):
        folder = tmp_path / "downloads" / name[:-4]
        folder.mkdir(parents=True)
        (folder / name).write_bytes(b"x" * 100)
    proc = subprocess.Popen([str(BIN / "shelver"), "run", "--dry-run", "--json", "-p", str(profile)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ})
    assert proc.stderr is not None
    lines: list[str] = []
    stopper = threading.Timer(60, proc.kill)  # a run that never says so is stopped all the same
    stopper.start()
    try:
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))
            if "metadata-only" in line:
                break
    finally:
        stopper.cancel()
        proc.kill()
        proc.wait()
    assert WARNING in lines, lines
    # `shelver assess` counts the same videos (it reads no state DB: all of them) and says so.
    assessed = shelver("assess", "-p", str(profile), str(tmp_path / "downloads"))
    assert assessed.returncode == 0 and WARNING in assessed.stderr.splitlines(), assessed.stderr


def test_the_estimate_of_the_issue() -> None:
    # 102,400 videos at TMDB's 35 requests per 10 s (a search and the details each): 16 h.
    from shelver.engine.results import long_run_warning

    pm = get_plugin_manager()
    profile = validate({"name": "t", "sources": ["/in"], "dest_dir": "/lib"}, pm=pm)
    estimates = [e for e in pm.hook.shelver_estimate_lookups(profile=profile, videos=102_400) if e]
    assert len(estimates) == 1 and round(estimates[0]["seconds"]) == 58514
    assert long_run_warning(102_400, estimates[0]["seconds"], estimates[0]["rate"]) == (
        "102,400 videos: about 16 h at 35 requests/10 s; consider metadata-only first")


def _plans(state: StateDB, calls: Callable[[], Any]) -> list[str]:
    """The query plan of every SELECT ``calls`` makes."""
    conn = state.conn()
    traced: list[str] = []
    conn.set_trace_callback(traced.append)
    try:
        calls()
    finally:
        conn.set_trace_callback(None)
    return [" / ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
            for sql in traced if sql.lstrip().upper().startswith("SELECT")]


def test_a_runs_queue_and_undo_list_read_indexes(tmp_path: Path) -> None:
    pm = get_plugin_manager()
    profile = validate({"name": "t", "sources": [str(tmp_path)], "dest_dir": str(tmp_path / "l"),
                        "state_db": str(tmp_path / "state.db")}, pm=pm)
    state = StateDB(profile.state_db, state_migrations(pm))
    run_id = state.start_run("t", "run", "inplace")
    plans = _plans(state, lambda: (state.claim_next("t", "me", run_id=run_id),
                                   state.journal_runs("t")))
    assert len(plans) >= 2
    scans = [p for p in plans if "SCAN queue" in p or "SCAN journal" in p or "SCAN j" in p]
    assert not scans, plans
    assert any("journal_run_step" in p for p in plans), plans
    state.close()
