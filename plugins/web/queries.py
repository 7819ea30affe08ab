"""What the pages read from the shared state DB: short queries, each a page of rows at most
(keyset pagination by id, never OFFSET), so a page costs the same with 100 items or 100,000."""

from __future__ import annotations

import json
import time
from typing import Any

from shelver.api import Priority, State, StateDB, latest_event_id, pid_alive, run_progress

PAGE = 50  # rows per page (runs, a run's files)
REVIEW_PAGE = 20  # review items per page (each with up to five cards)
HEARTBEAT_MAX_AGE = 60.0
PRIORITIES = {int(p): p.name for p in Priority}


def _json(text: Any, default: Any) -> Any:
    if not text:
        return default
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return default
    return value if isinstance(value, type(default)) else default


def overview(state: StateDB) -> dict[str, Any]:
    """Instances, queue per priority, items per state, recent errors, running runs' progress."""
    conn = state.conn()
    now = time.time()
    instances = []
    for row in conn.execute("SELECT profile, host, pid, heartbeat_at, started_at FROM instances"
                            " ORDER BY profile"):
        current = conn.execute("SELECT id, path FROM items WHERE profile=? AND state=?"
                               " ORDER BY updated_at DESC LIMIT 1",
                               (row[0], State.PROCESSING.value)).fetchone()
        instances.append({"profile": row[0], "host": row[1], "pid": row[2],
                          "heartbeat_age": round(now - row[3], 1),
                          "alive": now - row[3] < HEARTBEAT_MAX_AGE and pid_alive(f"{row[1]}:{row[2]}"),
                          "current": dict(current) if current else None})
    queue: dict[str, dict[str, int]] = {}
    for profile, priority, count in conn.execute(
            "SELECT profile, priority, count(*) FROM queue GROUP BY profile, priority"):
        queue.setdefault(profile, {})[PRIORITIES.get(priority, str(priority))] = count
    states: dict[str, dict[str, int]] = {}
    for profile, item_state, count in conn.execute(
            "SELECT profile, state, count(*) FROM items GROUP BY profile, state"):
        states.setdefault(profile or "?", {})[item_state] = count
    errors = [dict(r) for r in conn.execute(
        "SELECT id, profile, path, last_error, error_count, next_retry FROM items WHERE state=?"
        " ORDER BY updated_at DESC LIMIT 10", (State.ERROR.value,))]
    running = []
    for row in conn.execute("SELECT id, profile, command, mode, started_at, status FROM runs"
                            " WHERE status='running' ORDER BY id DESC LIMIT 10"):
        run = dict(row)
        run.update(progress(state, run))
        running.append(run)
    return {"instances": instances, "queue": queue, "states": states, "errors": errors,
            "running": running, "last_event_id": latest_event_id(state), "now": now}


def progress(state: StateDB, run: dict[str, Any]) -> dict[str, Any]:
    """done/total, files per second since the run started, and the time left at that rate."""
    got = run_progress(state, int(run["id"]))
    done, total = got["done"], got["total"]
    elapsed = max(time.time() - float(run.get("started_at") or time.time()), 1e-6)
    rate = (done or 0) / elapsed
    eta = (total - done) / rate if rate > 0 and total is not None and done is not None else None
    return {"done": done, "total": total, "rate": round(rate, 2),
            "eta": round(eta) if eta is not None else None, "last_done": got["last_done"]}


def review_page(state: StateDB, after: int = 0, limit: int = REVIEW_PAGE) -> dict[str, Any]:
    """Items waiting for a person, oldest first, from id ``after`` on."""
    conn = state.conn()
    rows = conn.execute(
        "SELECT id, profile, path, dir, parsed, probe, candidates, threshold FROM items"
        " WHERE state=? AND id>? ORDER BY id LIMIT ?", (State.REVIEW.value, after, limit + 1)).fetchall()
    items = [review_entry(dict(r)) for r in rows[:limit]]
    total = conn.execute("SELECT count(*) FROM items WHERE state=?",
                         (State.REVIEW.value,)).fetchone()[0]
    return {"items": items, "total": total,
            "next": items[-1]["id"] if len(rows) > limit else None}


def review_entry(row: dict[str, Any]) -> dict[str, Any]:
    parsed = _json(row.get("parsed"), {})
    probe = _json(row.get("probe"), {})
    return {"id": row["id"], "profile": row.get("profile"), "path": row["path"],
            "dir": row.get("dir"),
            "parsed": {k: parsed.get(k) for k in ("kind", "title", "year", "season", "episodes", "ids")},
            "probe": {k: probe.get(k) for k in ("duration", "width", "height", "resolution")
                      if probe.get(k) is not None},
            "candidates": [c for c in _json(row.get("candidates"), []) if isinstance(c, dict)],
            "threshold": row.get("threshold")}  # the confidence the provider needed


def folder_waiting(state: StateDB, item_id: int) -> list[dict[str, Any]]:
    """The REVIEW items of the same folder as ``item_id`` (a season pack), itself included."""
    conn = state.conn()
    row = conn.execute("SELECT dir FROM items WHERE id=?", (item_id,)).fetchone()
    if row is None:
        return []
    return [dict(r) for r in conn.execute(
        "SELECT * FROM items WHERE dir=? AND state=? ORDER BY path", (row[0], State.REVIEW.value))]


def runs_page(state: StateDB, before: int | None = None, status: str | None = None,
              limit: int = PAGE) -> dict[str, Any]:
    """Runs, newest first, older than ``before``; of one ``status`` when given."""
    sql = "SELECT id, profile, command, mode, host, pid, started_at, ended_at, status, counts FROM runs"
    where: list[str] = []
    args: list[Any] = []
    if before is not None:
        where.append("id < ?")
        args.append(before)
    if status:
        where.append("status = ?")
        args.append(status)
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = state.conn().execute(sql + " ORDER BY id DESC LIMIT ?", [*args, limit + 1]).fetchall()
    runs = [{**dict(r), "counts": _json(r["counts"], {})} for r in rows[:limit]]
    return {"runs": runs, "next": runs[-1]["id"] if len(rows) > limit else None}


def run_row(state: StateDB, run_id: int) -> dict[str, Any] | None:
    row = state.conn().execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
    return {**dict(row), "counts": _json(row["counts"], {})} if row else None


def run_files(state: StateDB, run_id: int, after: int = 0, status: str | None = None,
              name: str | None = None, limit: int = PAGE) -> dict[str, Any]:
    """The files a run handled (its ``item-done`` events): source → destination, status."""
    sql = ("SELECT id, item_id, ts, payload FROM events WHERE run_id=? AND kind='item-done'"
           " AND id>?")
    args: list[Any] = [run_id, after]
    if status:
        sql += " AND json_extract(payload, '$.status') = ?"
        args.append(status)
    if name:
        sql += " AND json_extract(payload, '$.source') LIKE ? ESCAPE '\\'"
        args.append("%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    rows = state.conn().execute(sql + " ORDER BY id LIMIT ?", [*args, limit + 1]).fetchall()
    files = [{"event": r["id"], "item_id": r["item_id"], "ts": r["ts"], **_json(r["payload"], {})}
             for r in rows[:limit]]
    return {"files": files, "next": files[-1]["event"] if len(rows) > limit else None}


def item_detail(state: StateDB, item_id: int) -> dict[str, Any] | None:
    """One file: its row, its events (newest 200), journal steps and the files written for it."""
    conn = state.conn()
    row = conn.execute("SELECT * FROM items WHERE id=?", (item_id,)).fetchone()
    if row is None:
        return None
    item = dict(row)
    events = [{**dict(r), "payload": _json(r["payload"], {})} for r in conn.execute(
        "SELECT id, ts, run_id, kind, payload FROM events WHERE item_id=? ORDER BY id DESC"
        " LIMIT 200", (item_id,))]
    journal = [dict(r) for r in conn.execute(
        "SELECT id, run_id, op, src, dst, step, updated_at FROM journal WHERE item_id=?"
        " ORDER BY id DESC LIMIT 200", (item_id,))]
    identity = None
    if item.get("provider") and item.get("ident"):
        identity = f"{item['provider']}:{item.get('ident_kind')}/{item['ident']}"
    return {"item": item, "events": list(reversed(events)), "journal": list(reversed(journal)),
            "written": [j["dst"] for j in journal if j["op"] == "write"],
            "identity": identity, "parsed": _json(item.get("parsed"), {}),
            "probe": _json(item.get("probe"), {}),
            "forced": _json(item.get("forced_identity"), {}),
            "candidates": _json(item.get("candidates"), [])}
