"""Items and their lifecycle, and the durable queue.

Every state transition is a single guarded UPDATE checked by its rowcount, so two workers or two
instances never take the same file.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from shelver.model import Priority, State
from shelver.store.connection import StoreBase, _dumps, pid_alive, retry_delay


def move_item(conn: sqlite3.Connection, item_id: int, path: str, *, placed: bool = True) -> None:
    """Record an item at ``path``: the one place that writes ``items.path`` (with ``dir`` and
    ``destination``, which is ``path`` when ``placed``, else cleared). Every writer goes through
    here: the journal when a placement or its undo is done (:mod:`shelver.store.journal`), the
    engine's record of an outcome (:meth:`ItemStore.transition` with ``path=``), recovery.

    A placement only ever goes to a free name, so another row still recorded at ``path``
    describes a file that is gone (a MISSING library file now replaced): it makes way, unless
    a worker holds it."""
    stale = [r[0] for r in conn.execute(
        "SELECT id FROM items WHERE path=? AND id!=? AND state!=?",
        (path, item_id, State.PROCESSING.value))]
    for stale_id in stale:
        conn.execute("DELETE FROM queue WHERE item_id=?", (stale_id,))
        conn.execute("DELETE FROM items WHERE id=?", (stale_id,))
    try:
        conn.execute("UPDATE items SET path=?, dir=?, destination=? WHERE id=?",
                     (path, os.path.dirname(path), path if placed else None, item_id))
    except sqlite3.IntegrityError:
        pass  # held by a worker right now: the next scan sorts it out


# States in which a scan looks at a file again even when it is still the recorded one (it is
# queued again, retried or found back); in any other an unchanged file is done with.
UNSETTLED = (State.NEW.value, State.CHANGED.value, State.ERROR.value, State.MISSING.value)


class ItemStore(StoreBase):
    """Items (one row per file) and the queue of items waiting for a worker."""

    # -- items ---------------------------------------------------------------------------------

    def item(self, item_id: int) -> dict[str, Any] | None:
        row = self.conn().execute("SELECT * FROM items WHERE id=?", (item_id,)).fetchone()
        return dict(row) if row else None

    def item_by_path(self, path: str | Path) -> dict[str, Any] | None:
        row = self.conn().execute("SELECT * FROM items WHERE path=?", (str(path),)).fetchone()
        return dict(row) if row else None

    def items_in_dir(self, directory: str) -> dict[str, tuple[int, int, float, int, str]]:
        """``{path: (id, size, mtime, inode, state)}`` for one directory (the quick scan's view)."""
        rows = self.conn().execute(
            "SELECT path, id, size, mtime, inode, state FROM items WHERE dir=?", (directory,)
        )
        return {r[0]: (r[1], r[2], r[3], r[4], r[5]) for r in rows}

    def scan_records(self, directories: list[str]) -> tuple[set[tuple[str, int, float, int]], set[str]]:
        """The quick scan's view of several directories, in one query: the ``(path, size,
        mtime, inode)`` of the items a scan leaves alone when the file is unchanged (every
        state but NEW, CHANGED, ERROR and MISSING), and the paths of all their items."""
        done: set[tuple[str, int, float, int]] = set()
        recorded: set[str] = set()
        cursor = self.conn().cursor()
        cursor.row_factory = None  # plain tuples: a sqlite3.Row per file costs more than the stat
        for start in range(0, len(directories), 500):  # SQLite's limit on ? is 999 before 3.32
            chunk = directories[start:start + 500]
            rows = cursor.execute(
                "SELECT path, size, mtime, inode, state IN (?, ?, ?, ?) FROM items WHERE dir IN "
                f"({','.join('?' * len(chunk))})", [*UNSETTLED, *chunk]).fetchall()
            recorded.update(row[0] for row in rows)
            done.update(row[:4] for row in rows if not row[4])
        return done, recorded

    def unmatched_scan_folders(self, folders: list[tuple[str, int, int]]) -> set[str]:
        """The folders of ``(dir, ctime_ns, digest)`` whose record in ``scan_folders`` (the
        quick scan's folders found with nothing to do; dropped by a trigger whenever an item in
        one changes) is not exactly that: none, or another ctime or digest. Compared in SQL, a
        few hundred folders a query: the folders of an unchanged library cost no row here."""
        unmatched: set[str] = set()
        cursor = self.conn().cursor()
        cursor.row_factory = None
        for start in range(0, len(folders), 300):  # 900 parameters: under SQLite's old 999
            chunk = folders[start:start + 300]
            rows = cursor.execute(
                "WITH batch(dir, ctime_ns, digest) AS (VALUES "
                f"{','.join(['(?,?,?)'] * len(chunk))}) SELECT dir FROM batch WHERE NOT EXISTS"
                " (SELECT 1 FROM scan_folders s WHERE s.dir = batch.dir AND s.ctime_ns ="
                " batch.ctime_ns AND s.digest = batch.digest)",
                [value for folder in chunk for value in folder])
            unmatched.update(row[0] for row in rows)
        return unmatched

    def save_scan_folders(self, folders: list[tuple[str, int, int, set[tuple[str, int, float, int]]]]
                          ) -> int:
        """Record ``(dir, ctime_ns, digest, stamps)`` for folders a scan found with nothing to
        do, each only if its items are, under the write lock, exactly ``stamps`` and all done
        with (none NEW, CHANGED, ERROR or MISSING): an item a worker changed since the scan read
        it keeps its folder unrecorded. Returns how many were recorded."""
        saved = 0
        with self.transaction() as conn:
            for directory, ctime_ns, digest, stamps in folders:
                rows = conn.execute(
                    "SELECT path, size, mtime, inode, state IN (?, ?, ?, ?) FROM items WHERE dir=?",
                    (*UNSETTLED, directory)).fetchall()
                if any(row[4] for row in rows) or {tuple(row)[:4] for row in rows} != stamps:
                    continue
                conn.execute("INSERT OR REPLACE INTO scan_folders (dir, ctime_ns, digest)"
                             " VALUES (?, ?, ?)", (directory, ctime_ns, digest))
                saved += 1
        return saved

    def observe(
        self,
        path: str,
        size: int,
        mtime: float,
        inode: int,
        profile: str,
        *,
        priority: Priority | None = None,
        run_id: int | None = None,
        known: tuple[int, int, float, int, str] | None = None,
        force: bool = False,
    ) -> int | None:
        """Record a file seen on disk and enqueue it when it needs work.

        New files are enqueued at HIGH, changed ones at MEDIUM, ERROR ones whose retry time has
        come at MEDIUM; ``force`` (CLI paths, hooks) enqueues whatever the state, at
        ``priority``. Returns the item id when enqueued, else None.
        """
        now = self.clock()
        with self.transaction() as conn:
            if known is None:
                row = conn.execute(
                    "SELECT id, size, mtime, inode, state, next_retry FROM items WHERE path=?",
                    (path,),
                ).fetchone()
            else:
                row = (*known, None)
            if row is None:
                cur = conn.execute(
                    "INSERT INTO items (path, dir, source_path, profile, size, mtime, inode, state,"
                    " first_seen, updated_at, error_count) VALUES (?,?,?,?,?,?,?,?,?,?,0)",
                    (path, os.path.dirname(path), path, profile, size, mtime, inode,
                     State.NEW.value, now, now),
                )
                item_id = int(cur.lastrowid or 0)
                return self._enqueue(conn, item_id, profile, priority or Priority.HIGH, run_id, "new")
            item_id, old_size, old_mtime, old_inode, state = row[0], row[1], row[2], row[3], row[4]
            changed = (old_size, old_mtime, old_inode) != (size, mtime, inode)
            if state == State.PROCESSING.value:
                return None  # a worker holds it; it will be looked at again after
            if changed or state == State.MISSING.value:
                new_state = State.CHANGED if state != State.MISSING.value else State.NEW
                conn.execute(
                    "UPDATE items SET state=?, size=?, mtime=?, inode=?, updated_at=? "
                    "WHERE id=? AND state=?",
                    (new_state.value, size, mtime, inode, now, item_id, state),
                )
                return self._enqueue(
                    conn, item_id, profile, priority or Priority.MEDIUM, run_id, "changed"
                )
            if force:
                return self._enqueue(conn, item_id, profile, priority or Priority.CRITICAL, run_id, "manual")
            if state in (State.NEW.value, State.CHANGED.value):
                return self._enqueue(conn, item_id, profile, priority or Priority.HIGH, run_id, "pending")
            if state == State.ERROR.value:
                next_retry = row[5] if known is None else self._next_retry(conn, item_id)
                if next_retry is None or next_retry <= now:
                    return self._enqueue(conn, item_id, profile, Priority.MEDIUM, run_id, "retry")
            return None

    @staticmethod
    def _next_retry(conn: sqlite3.Connection, item_id: int) -> float | None:
        row = conn.execute("SELECT next_retry FROM items WHERE id=?", (item_id,)).fetchone()
        return row[0] if row else None

    @staticmethod
    def _enqueue(
        conn: sqlite3.Connection,
        item_id: int,
        profile: str,
        priority: Priority,
        run_id: int | None,
        reason: str,
        not_before: float = 0.0,
    ) -> int:
        # One queue row per item: a second enqueue only raises its priority or claims it for a run.
        conn.execute(
            "INSERT INTO queue (item_id, profile, priority, enqueued_at, not_before, run_id, reason)"
            " VALUES (?,?,?,?,?,?,?) ON CONFLICT(item_id) DO UPDATE SET"
            " priority=max(priority, excluded.priority),"
            " run_id=coalesce(excluded.run_id, run_id), not_before=min(not_before, excluded.not_before)",
            (item_id, profile, int(priority), time.time(), not_before, run_id, reason),
        )
        return item_id

    def enqueue(self, item_id: int, profile: str, priority: Priority, *, run_id: int | None = None,
                reason: str = "manual", not_before: float = 0.0) -> None:
        with self.transaction() as conn:
            self._enqueue(conn, item_id, profile, priority, run_id, reason, not_before)

    def claim_next(self, profile: str, owner: str, *, run_id: int | None = None) -> dict[str, Any] | None:
        """Take the most urgent queued item of ``profile`` and mark it PROCESSING (atomically)."""
        now = self.clock()
        with self.transaction() as conn:
            while True:
                if run_id is None:
                    row = conn.execute(
                        "SELECT item_id FROM queue WHERE profile=? AND not_before<=? AND run_id IS NULL"
                        " ORDER BY priority DESC, enqueued_at LIMIT 1",
                        (profile, now),
                    ).fetchone()
                else:
                    row = conn.execute(
                        "SELECT item_id FROM queue WHERE run_id=? AND not_before<=?"
                        " ORDER BY priority DESC, enqueued_at LIMIT 1",
                        (run_id, now),
                    ).fetchone()
                if row is None:
                    return None
                item_id = row[0]
                conn.execute("DELETE FROM queue WHERE item_id=?", (item_id,))
                # The item belongs to the profile that processes it (two profiles may share a
                # DB and sources: the one that places a file is the one recorded).
                cur = conn.execute(
                    "UPDATE items SET state=?, owner=?, profile=?, run_id=coalesce(?, run_id),"
                    " updated_at=? WHERE id=? AND state!=?",
                    (State.PROCESSING.value, owner, profile, run_id, now, item_id,
                     State.PROCESSING.value),
                )
                if cur.rowcount == 1:
                    found = conn.execute("SELECT * FROM items WHERE id=?", (item_id,)).fetchone()
                    return dict(found)

    def queued_count(self, profile: str | None = None, run_id: int | None = None) -> int:
        sql, args = "SELECT count(*) FROM queue WHERE 1=1", list[Any]()
        if profile is not None:
            sql, args = sql + " AND profile=?", [*args, profile]
        if run_id is not None:
            sql, args = sql + " AND run_id=?", [*args, run_id]
        return int(self.conn().execute(sql, args).fetchone()[0])

    def identified_count(self, paths: list[str]) -> int:
        """How many of ``paths`` are items with an identity already (a run's time estimate)."""
        count = 0
        for start in range(0, len(paths), 500):
            chunk = paths[start:start + 500]
            count += int(self.conn().execute(
                f"SELECT count(*) FROM items WHERE ident IS NOT NULL AND path IN "
                f"({','.join('?' * len(chunk))})", chunk).fetchone()[0])
        return count

    def transition(self, item_id: int, expected: State, new: State, **fields: Any) -> bool:
        """Move an item from ``expected`` to ``new`` and set ``fields``; False if it was not in
        ``expected`` (someone else changed it). ``path=`` records the item there (its ``dir``
        and ``destination`` along) through :func:`move_item`, in the same transaction."""
        path = fields.pop("path", None)
        if {"dir", "destination"} & fields.keys():
            raise ValueError("items.dir and items.destination follow path=: set path")
        fields["updated_at"] = time.time()
        values = {k: (_dumps(v) if isinstance(v, (dict, list)) else v) for k, v in fields.items()}
        assignments = ", ".join(f"{k}=?" for k in values)
        with self.transaction() as conn:
            cur = conn.execute(
                f"UPDATE items SET state=?, {assignments} WHERE id=? AND state=?",
                (new.value, *values.values(), item_id, expected.value),
            )
            if cur.rowcount == 1 and path is not None:
                move_item(conn, item_id, str(path))
            return cur.rowcount == 1

    def forget_item(self, item_id: int, *, path: str | None = None,
                    states: list[State] | None = None) -> bool:
        """Delete an item's record and its queue entry (a plugin that found the file under
        another name, e.g. a moved file). Only while it is still recorded at ``path`` and in
        one of ``states`` when they are given: a worker that took it, or a move meanwhile,
        keeps it. True when the record was deleted."""
        sql = "DELETE FROM items WHERE id=?"
        args: list[Any] = [item_id]
        if path is not None:
            sql += " AND path=?"
            args.append(path)
        if states is not None:
            sql += f" AND state IN ({','.join('?' * len(states))})"
            args += [s.value for s in states]
        with self.transaction() as conn:
            cur = conn.execute(sql, args)
            if cur.rowcount:
                conn.execute("DELETE FROM queue WHERE item_id=?", (item_id,))
            return bool(cur.rowcount)

    def fail(self, item_id: int, message: str) -> float:
        """Mark a PROCESSING item ERROR with its message and the next retry time."""
        now = self.clock()
        with self.transaction() as conn:
            row = conn.execute("SELECT error_count FROM items WHERE id=?", (item_id,)).fetchone()
            count = (row[0] or 0) + 1 if row else 1
            next_retry = now + retry_delay(count)
            conn.execute(
                "UPDATE items SET state=?, status='error', error_count=?, last_error=?,"
                " next_retry=?, owner=NULL, updated_at=? WHERE id=? AND state=?",
                (State.ERROR.value, count, message[:2000], next_retry, now, item_id,
                 State.PROCESSING.value),
            )
        return next_retry

    def due_retries(self, profile: str) -> tuple[list[int], float | None]:
        """ERROR items of ``profile`` whose retry time has come, and when the next one is due."""
        now = self.clock()
        rows = self.conn().execute(
            "SELECT id, next_retry FROM items WHERE state=? AND profile=? AND next_retry IS NOT NULL",
            (State.ERROR.value, profile)).fetchall()
        due = [r[0] for r in rows if r[1] <= now]
        later = [r[1] for r in rows if r[1] > now]
        return due, (min(later) if later else None)

    def reclaim(self) -> list[int]:
        """Give back items held by processes that died (crash, SIGKILL): they become NEW again."""
        rows = self.conn().execute(
            "SELECT id, owner, profile FROM items WHERE state=?", (State.PROCESSING.value,)
        ).fetchall()
        reclaimed = []
        for item_id, owner, profile in rows:
            if pid_alive(owner):
                continue
            with self.transaction() as conn:
                cur = conn.execute(
                    "UPDATE items SET state=?, owner=NULL WHERE id=? AND state=? AND owner IS ?",
                    (State.NEW.value, item_id, State.PROCESSING.value, owner),
                )
                if cur.rowcount:
                    self._enqueue(conn, item_id, profile or "", Priority.HIGH, None, "reclaimed")
                    reclaimed.append(item_id)
        self._release_orphaned_runs()
        return reclaimed

    def _release_orphaned_runs(self) -> None:
        """Queue rows reserved for a run that is over (ended, or its process died) go back to
        every worker: a killed ``shelver run`` must not strand its items (daemon workers only
        take rows without a run)."""
        conn = self.conn()
        queued = [row[0] for row in conn.execute(
            "SELECT DISTINCT run_id FROM queue WHERE run_id IS NOT NULL")]
        orphaned = []
        for run_id in queued:
            run = conn.execute("SELECT host, pid, ended_at FROM runs WHERE id=?", (run_id,)).fetchone()
            if run is None or run[2] is not None or not pid_alive(f"{run[0]}:{run[1]}"):
                orphaned.append(run_id)
        for run_id in orphaned:
            with self.transaction() as tx:
                tx.execute("UPDATE queue SET run_id=NULL WHERE run_id=?", (run_id,))

    def dirs_under(self, root: str) -> Iterator[str]:
        """Every directory the DB has items in, at or below ``root`` (a stream of rows)."""
        prefix = root.rstrip(os.sep) + os.sep
        cursor = self.conn().cursor()
        cursor.row_factory = None
        rows = cursor.execute(
            "SELECT DISTINCT dir FROM items WHERE dir=? OR substr(dir, 1, ?)=?",
            (root, len(prefix), prefix))
        return (row[0] for row in rows)

    def mark_missing(self, directory: str, seen: set[str]) -> int:
        """Items recorded in ``directory`` whose file was not seen by a scan become MISSING."""
        count = 0
        for path, (item_id, _s, _m, _i, state) in self.items_in_dir(directory).items():
            if path in seen or state in (State.MISSING.value, State.PROCESSING.value):
                continue
            if not os.path.lexists(path):
                count += self.transition(item_id, State(state), State.MISSING)
        return count

    def counts(self, profile: str | None = None) -> dict[str, int]:
        sql = "SELECT state, count(*) FROM items"
        args: list[Any] = []
        if profile:
            sql += " WHERE profile=?"
            args.append(profile)
        return {row[0]: row[1] for row in self.conn().execute(sql + " GROUP BY state", args)}

    def recent_errors(self, profile: str | None = None, limit: int = 10) -> list[dict[str, Any]]:
        sql = "SELECT path, last_error, error_count, next_retry FROM items WHERE state='ERROR'"
        args: list[Any] = []
        if profile:
            sql += " AND profile=?"
            args.append(profile)
        sql += " ORDER BY updated_at DESC LIMIT ?"
        return [dict(r) for r in self.conn().execute(sql, [*args, limit])]
