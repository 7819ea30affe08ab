"""Scans enqueued from the command line, and the status report."""

from __future__ import annotations

import json
import logging
import socket
import sys
import time
from typing import Any

from shelver.model import Priority, State
from shelver.profiles import Profile
from shelver.store import StateDB, pid_alive
from shelver.store.events import run_progress

DAY = 86400.0

log = logging.getLogger("shelver")


def refresh_age(release_date: str | None, now: float | None = None) -> float:
    """How long metadata stays current, by the release's age (DESIGN: Scans)."""
    now = now or time.time()
    if not release_date:
        return 30 * DAY
    try:
        released = time.mktime(time.strptime(release_date[:10], "%Y-%m-%d"))
    except ValueError:
        return 30 * DAY
    age = now - released
    if age < 30 * DAY:
        return 3 * DAY
    if age < 365 * DAY:
        return 14 * DAY
    return 90 * DAY if age < 5 * 365 * DAY else 180 * DAY


def quick_scan(profile_name: str | None) -> dict[str, int]:
    """``shelver scan`` (quick): the profile's core settings and the state DB, no plugin, trio
    or sqlite-utils (docs/operations.md, "Scans"). Raises ConfigError (a StateDBError for the
    DB). The daemon's sweeps are the same scan, in-process."""
    from shelver.profiles import load_core_profile
    from shelver.sweep import QuickScan

    profile = load_core_profile(profile_name)
    # The core's migrations only: the plugins' run when a command that loads them opens the DB.
    state = StateDB(profile.state_db)
    try:
        return {"enqueued": QuickScan.of_profile(profile, state).run()}
    finally:
        state.close()


def scan_main(args: list[str], verbosity: int = 0) -> int | None:
    """``shelver scan [-p PROFILE] [--json] [-v|-q]`` without click (:mod:`shelver.entry` calls
    it before importing the click application): the quick scan, its one output line and
    click's error line, exit status 0 or 2. None for any other arguments (``--refresh``,
    ``--full``, ``--help``, a mistake): the click command parses those."""
    profile_name: str | None = None
    as_json = quiet = False
    verbose = index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-p", "--profile") and index + 1 < len(args):
            profile_name = args[index + 1]
            index += 1
        elif arg.startswith("--profile="):
            profile_name = arg.partition("=")[2]
        elif arg.startswith("-p") and len(arg) > 2 and not arg.startswith("--"):
            profile_name = arg[2:]
        elif arg == "--json":
            as_json = True
        elif arg == "--verbose" or (len(arg) > 1 and arg.strip("v") == "-"):
            verbose += 1 if arg == "--verbose" else len(arg) - 1
        elif arg in ("-q", "--quiet"):
            quiet = True
        else:
            return None
        index += 1
    from shelver import logs
    from shelver.errors import ConfigError

    logs.setup(-1 if quiet or verbosity < 0 else verbosity + verbose)  # as shelver.cli's
    try:
        counts = quick_scan(profile_name)
    except ConfigError as exc:
        sys.stderr.write(f"shelver: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("shelver: scan stopped (Ctrl-C): the next scan starts it again\n")
        return 130
    print(json.dumps({"scan": "quick", **counts}) if as_json
          else f"quick scan: {counts['enqueued']} item(s) enqueued")
    return 0


def enqueue_scan(profile: Profile, pm: Any, state: StateDB, kind: str) -> dict[str, int]:
    """quick: walk the sources and enqueue NEW/CHANGED; refresh: STALE items at LOW; full: every
    item at VERY_LOW, to be re-identified."""
    if kind == "quick":
        from shelver.engine import Engine

        engine = Engine(profile, pm, state, command="scan")
        return {"enqueued": engine.quick_scan_sync()}
    now = time.time()
    enqueued = 0
    rows = state.conn().execute(
        "SELECT id, state, release_date, refreshed_at FROM items WHERE profile=? AND state IN (?, ?)",
        (profile.name, State.INDEXED.value, State.STALE.value),
    ).fetchall()
    for item_id, item_state, release_date, refreshed_at in rows:
        if kind == "refresh":
            if item_state == State.INDEXED.value and now - (refreshed_at or 0) < refresh_age(release_date, now):
                continue
            if item_state == State.INDEXED.value:
                state.transition(item_id, State.INDEXED, State.STALE)
            state.enqueue(item_id, profile.name, Priority.LOW, reason="refresh")
        else:
            state.enqueue(item_id, profile.name, Priority.VERY_LOW, reason="full")
        enqueued += 1
    return {"enqueued": enqueued}


def status_report(profile: Profile, state: StateDB, pm: Any = None) -> dict[str, Any]:
    """What ``shelver status`` shows: this profile's items, queue and errors, every instance that
    shares the state DB (a daemon per profile) with its queue, and the plugins' sections
    (``shelver_status``, docs/plugins.md)."""
    conn = state.conn()
    now = time.time()
    instances = []
    for row in conn.execute("SELECT profile, host, pid, heartbeat_at, started_at FROM instances"
                            " ORDER BY profile"):
        alive = now - row[3] < 60 and pid_alive(f"{row[1]}:{row[2]}")
        instances.append({"profile": row[0], "host": row[1], "pid": row[2],
                          "heartbeat_age": round(now - row[3], 1),
                          "started_at": row[4], "alive": alive,
                          "queued": state.queued_count(row[0]),
                          "processing": state.counts(row[0]).get(State.PROCESSING.value, 0)})
    runs = [dict(r) for r in conn.execute(
        "SELECT id, profile, command, mode, started_at, ended_at, status FROM runs"
        " WHERE profile=? ORDER BY id DESC LIMIT 5", (profile.name,))]
    return {
        "profile": profile.name,
        "state_db": str(state.path),
        "host": socket.gethostname(),
        "states": state.counts(profile.name),
        "queued": state.queued_count(profile.name),
        "errors": state.recent_errors(profile.name),
        "instances": instances,
        "runs": runs,
        "sections": plugin_sections(pm, profile, state),
        # The newest run's progress, from the events table (docs/operations.md, "Events").
        "progress": {"run_id": runs[0]["id"], "command": runs[0]["command"],
                     "status": runs[0]["status"], **run_progress(state, runs[0]["id"])}
        if runs else None,
    }


def progress_lines(report: dict[str, Any]) -> list[str]:
    """How ``shelver status`` shows the newest run's progress (``report["progress"]``)."""
    progress = report.get("progress")
    if not progress:
        return []
    total, done = progress["total"], progress["done"]
    count = "" if done is None else f": {done} of {total} file(s) done" if total is not None \
        else f": {done} file(s) done"
    lines = [f"run:     #{progress['run_id']} {progress['command']} ({progress['status']}){count}"]
    last = progress["last_done"]
    if last is not None:
        where = f" -> {last['destination']}" if last.get("destination") and \
            last["destination"] != last["source"] else ""
        why = f" ({last['error'] or last.get('reason')})" if last.get("error") or last.get("reason") else ""
        lines.append(f"last:    {last['status']} {last['source']}{where}{why}")
    return lines



def plugin_sections(pm: Any, profile: Profile, state: StateDB) -> dict[str, dict[str, Any]]:
    """The plugins' ``shelver_status`` answers merged: ``{section: {"lines": [...], ...}}``."""
    sections: dict[str, dict[str, Any]] = {}
    if pm is None:
        return sections
    answers: list[Any] = []
    # Each plugin on its own: one that fails is named in a warning, the others still report.
    plugins = [p for _name, p in pm.list_name_plugin() if p is not None]
    for impl in reversed(pm.hook.shelver_status.get_hookimpls()):
        others = [p for p in plugins if p is not impl.plugin]
        caller = pm.subset_hook_caller("shelver_status", remove_plugins=others)
        try:
            answers.extend(caller(profile=profile, state=state))
        except Exception as exc:
            log.warning("shelver_status of plugin %r failed: %s: %s", impl.plugin_name,
                        type(exc).__name__, exc)
    for answer in answers:
        if not isinstance(answer, dict):
            continue
        for name, section in answer.items():
            if isinstance(section, dict):
                lines = section.get("lines")
                sections[str(name)] = {**section, "lines": [str(x) for x in lines]
                                       if isinstance(lines, list) else []}
    return sections
