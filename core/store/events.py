"""The events table: an append-only log of what runs do (docs/operations.md, "Events").

The engine records a run's life (``run-started``, ``item-started``, each ``phase`` an item
reaches, ``item-done``, ``progress``, ``run-ended``) through an :class:`EventLog`: adding an event
only appends to a list in memory; the list is written in one short transaction at a time, in the
order the events were added, by the engine's flusher (a thread under the ``db`` limiter). Readers
(``shelver status``, a live stream) page with :func:`events_since` from the last id they saw:
ids only ever increase and are never reused, and pruning only removes the oldest events, so a
reader that resumes from an id misses nothing that is still kept.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shelver.store import StateDB

KINDS = ("run-started", "run-ended", "item-started", "phase", "item-done", "progress")
KEEP_DAYS = 30.0
MAX_ROWS = 200_000
PRUNE_CHUNK = 10_000  # rows deleted per transaction: a writer never waits long behind a prune

_INSERT = "INSERT INTO events (ts, run_id, item_id, kind, payload) VALUES (?,?,?,?,?)"


class EventLog:
    """One run's events: :meth:`add` is cheap (memory only), :meth:`flush` writes them."""

    def __init__(self, state: StateDB, run_id: int, clock: Callable[[], float] = time.time) -> None:
        self.state = state
        self.run_id = run_id
        self.clock = clock
        self._pending: list[tuple[float, int, int | None, str, str]] = []
        self._lock = threading.Lock()  # guards _pending
        self._writing = threading.Lock()  # one flush at a time: ids follow the order of add()

    def add(self, kind: str, item_id: int | None = None, **payload: Any) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r} (known: {', '.join(KINDS)})")
        row = (self.clock(), self.run_id, item_id, kind, json.dumps(payload, default=str))
        with self._lock:
            self._pending.append(row)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> int:
        """Write what was added so far in one transaction (blocking: call it in a thread)."""
        with self._writing:
            with self._lock:
                rows, self._pending = self._pending, []
            if rows:
                try:
                    with self.state.transaction() as conn:
                        conn.executemany(_INSERT, rows)
                except BaseException:
                    with self._lock:  # not written: kept, in order, for the next flush
                        self._pending[:0] = rows
                    raise
            return len(rows)


def _event(row: Any) -> dict[str, Any]:
    event = dict(row)
    event["payload"] = json.loads(event["payload"] or "{}")
    return event


def events_since(state: StateDB, after_id: int = 0, limit: int = 1000, *,
                 run_id: int | None = None) -> list[dict[str, Any]]:
    """The events with an id above ``after_id``, oldest first, at most ``limit`` of them (of
    one run if ``run_id`` is given). Each is ``{id, ts, run_id, item_id, kind, payload}``."""
    sql = "SELECT id, ts, run_id, item_id, kind, payload FROM events WHERE id > ?"
    args: list[Any] = [after_id]
    if run_id is not None:
        sql += " AND run_id = ?"
        args.append(run_id)
    rows = state.conn().execute(sql + " ORDER BY id LIMIT ?", [*args, limit]).fetchall()
    return [_event(r) for r in rows]


def latest_event_id(state: StateDB) -> int:
    """The id of the newest event (0 when there is none): where a new reader starts."""
    row = state.conn().execute("SELECT max(id) FROM events").fetchone()
    return int(row[0] or 0)


def prune(state: StateDB, keep_days: float = KEEP_DAYS, max_rows: int = MAX_ROWS,
          now: float | None = None) -> int:
    """Delete the oldest events: those older than ``keep_days`` and any beyond the newest
    ``max_rows``. Only a prefix (by id) is ever deleted, in short transactions. Returns how many
    rows went."""
    now = time.time() if now is None else now
    conn = state.conn()
    # The first event to keep by age: rows are scanned from the oldest, so this costs about
    # as many steps as there are rows to delete.
    row = conn.execute("SELECT id FROM events WHERE ts >= ? ORDER BY id LIMIT 1",
                       (now - keep_days * 86400.0,)).fetchone()
    newest = latest_event_id(state)
    keep_from = int(row[0]) if row else newest + 1
    oldest = conn.execute("SELECT min(id) FROM events").fetchone()[0]
    if oldest is not None and newest - oldest + 1 > max_rows:  # cheap test before counting
        nth = conn.execute("SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?",
                           (max(max_rows, 1) - 1,)).fetchone()
        if max_rows <= 0:
            keep_from = newest + 1
        elif nth is not None:
            keep_from = max(keep_from, int(nth[0]))
    deleted = 0
    while True:
        with state.transaction() as write:
            cur = write.execute(
                "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE id < ? ORDER BY id"
                " LIMIT ?)", (keep_from, PRUNE_CHUNK))
        deleted += int(cur.rowcount)
        if cur.rowcount < PRUNE_CHUNK:
            return deleted


def prune_for(state: StateDB, settings: dict[str, Any]) -> int:
    """:func:`prune` with a profile's ``[events]`` settings."""
    return prune(state, float(settings.get("keep_days", KEEP_DAYS)),
                 int(settings.get("max_rows", MAX_ROWS)))


def _last(state: StateDB, run_id: int, kind: str) -> dict[str, Any] | None:
    row = state.conn().execute(
        "SELECT id, ts, run_id, item_id, kind, payload FROM events WHERE run_id=? AND kind=?"
        " ORDER BY id DESC LIMIT 1", (run_id, kind)).fetchone()
    return _event(row) if row else None


def run_progress(state: StateDB, run_id: int) -> dict[str, Any]:
    """How far a run got, from its events: ``done``/``total`` (the last ``progress``; total is
    None while unknown, and for a daemon; both None for a run that recorded none, e.g. one made
    before the events table), the last ``item-done`` and, once it ended, its ``run-ended``
    status and counts."""
    progress = _last(state, run_id, "progress")
    done = _last(state, run_id, "item-done")
    ended = _last(state, run_id, "run-ended")
    return {
        "done": progress["payload"].get("done", 0) if progress else None,
        "total": progress["payload"].get("total") if progress else None,
        "last_done": {"item_id": done["item_id"], "ts": done["ts"], **done["payload"]} if done else None,
        "ended": ended["payload"] if ended else None,
        "last_event_id": latest_event_id(state),
    }
