"""The state DB: items and their lifecycle, the durable queue, runs, the placement journal.

One SQLite file per host (WAL, busy timeout) shared by every profile and process. Connections are
per thread. Every state transition is a single guarded UPDATE checked by its rowcount, so two
workers or two instances never take the same file.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, overload

import sqlite_utils
from shelver.errors import StateDBError, newer_db_message
from shelver.model import Priority, State

Migration = Callable[[sqlite_utils.Database], None]

MIGRATIONS: list[tuple[str, Migration]] = []


@overload
def migration(arg: Migration, /) -> Migration: ...
@overload
def migration(arg: str, /) -> Callable[[Migration], Migration]: ...
def migration(arg: Migration | str, /) -> Migration | Callable[[Migration], Migration]:
    """Register a core migration under a name of its own, never its position in the list
    (docs/operations.md, "Migrations"): ``@migration`` names it ``core-<function name>`` (name
    new ones ``m009_events``-style), ``@migration("core-001-create_items")`` gives the name
    literally. The first releases recorded their migrations by position: those names are frozen
    here as literals, so a DB made by them opens with nothing re-applied, and inserting or
    reordering a migration can never rename another."""

    def register(fn: Migration, name: str) -> Migration:
        if not name.startswith("core-"):  # the newer-DB check counts only core- names
            raise ValueError(f"core migration {name!r}: its name must start with 'core-'")
        if any(name == known for known, _fn in MIGRATIONS):
            raise ValueError(f"core migration {name!r} is registered twice")
        MIGRATIONS.append((name, fn))
        return fn

    if isinstance(arg, str):
        return lambda fn: register(fn, arg)
    return register(arg, f"core-{arg.__name__}")


@migration("core-001-create_items")
def create_items(db: sqlite_utils.Database) -> None:
    db.table("items").create(
        {
            "id": int,
            "path": str,  # where the file is now
            "dir": str,  # its directory, so a scan reads one directory's rows at a time
            "source_path": str,  # where it was first found
            "profile": str,
            "size": int,
            "mtime": float,
            "inode": int,
            "state": str,
            "status": str,  # last reported outcome (organised, review, ...)
            "kind": str,  # movie / episode / extra
            "mode": str,
            "tmdb_type": str,
            "tmdb_id": int,
            "season": int,
            "episodes": str,  # JSON list
            "forced_identity": str,  # JSON, set by `shelver review`
            "confidence": float,
            "candidates": str,  # JSON
            "parsed": str,  # JSON
            "probe": str,  # JSON
            "fingerprint": str,  # JSON
            "phash": str,
            "destination": str,
            "release_date": str,
            "first_seen": float,
            "updated_at": float,
            "indexed_at": float,
            "refreshed_at": float,
            "error_count": int,
            "last_error": str,
            "next_retry": float,
            "owner": str,
            "run_id": int,
            "durations": str,  # JSON {phase: seconds}
        },
        pk="id",
        not_null={"path", "state"},
        defaults={"error_count": 0},
    )
    db.table("items").create_index(["path"], unique=True)
    db.table("items").create_index(["dir"])
    db.table("items").create_index(["state"])
    db.table("items").create_index(["tmdb_type", "tmdb_id"])


@migration("core-002-create_queue")
def create_queue(db: sqlite_utils.Database) -> None:
    db.table("queue").create(
        {
            "item_id": int,
            "profile": str,
            "priority": int,
            "enqueued_at": float,
            "not_before": float,
            "run_id": int,  # a one-shot run takes only its own items; NULL = any worker
            "reason": str,
        },
        pk="item_id",
    )
    db.table("queue").create_index(["profile", "priority", "enqueued_at"])


@migration("core-003-create_runs")
def create_runs(db: sqlite_utils.Database) -> None:
    db.table("runs").create(
        {
            "id": int,
            "profile": str,
            "command": str,
            "mode": str,
            "host": str,
            "pid": int,
            "started_at": float,
            "ended_at": float,
            "status": str,
            "counts": str,
        },
        pk="id",
    )


@migration("core-004-create_journal")
def create_journal(db: sqlite_utils.Database) -> None:
    db.table("journal").create(
        {
            "id": int,
            "run_id": int,
            "item_id": int,
            "op": str,  # move, copy, hardlink, symlink, write
            "src": str,
            "dst": str,
            "tmp": str,
            "step": str,  # planned, copied, placed, done, rolled-back, undone
            "size": int,
            "created_at": float,
            "updated_at": float,
        },
        pk="id",
    )
    db.table("journal").create_index(["run_id"])
    db.table("journal").create_index(["step"])


@migration("core-005-create_instances")
def create_instances(db: sqlite_utils.Database) -> None:
    db.table("instances").create(
        {"profile": str, "host": str, "pid": int, "started_at": float, "heartbeat_at": float},
        pk="profile",
    )


@migration("core-006-add_journal_owner")
def add_journal_owner(db: sqlite_utils.Database) -> None:
    # Which process (host:pid) is placing: recovery must leave a live process's placements alone.
    db.table("journal").add_column("owner", str)


@migration("core-007-add_journal_detail")
def add_journal_detail(db: sqlite_utils.Database) -> None:
    # parent: the staged placement (cache mode) a move out of the cache belongs to; detail: JSON
    # a multi-step placement needs to finish after a crash; dst_size/dst_mtime: the placed file
    # as the run left it, so `shelver undo` can refuse a file changed since. Idempotent: written
    # when core migrations were named by position, and one could be re-applied under a new name.
    have = set(db.table("journal").columns_dict)
    for name, kind in (("parent", int), ("detail", str), ("dst_size", int), ("dst_mtime", float)):
        if name not in have:
            db.table("journal").add_column(name, kind)
    db.table("journal").create_index(["parent"], if_not_exists=True)
    db.table("journal").create_index(["dst"], if_not_exists=True)
    db.table("journal").create_index(["item_id"], if_not_exists=True)


@migration("core-008-create_journal_blobs")
def create_journal_blobs(db: sqlite_utils.Database) -> None:
    # Bytes a journal row needs that do not belong in its JSON detail (the metadata a tagged
    # MP4 had before, so `shelver undo` can give the original back).
    db.table("journal_blobs").create({"entry_id": int, "data": bytes}, pk="entry_id",
                                     if_not_exists=True)


def describe_db_error(path: Path, exc: BaseException) -> str:
    """One line saying what is wrong with the state DB at ``path`` and what to do about it."""
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and any(
            marker in text for marker in ("not a database", "malformed", "encrypted")):
        return (f"state DB {path} is not a database (corrupt or truncated): move it aside "
                "(shelver starts a new one) or restore a backup")
    if isinstance(exc, OSError) and str(exc.filename) == str(path) \
            and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"state DB {path} is read-only: shelver must be able to write it (and "
                f"create {path.name}-wal and {path.name}-shm next to it); check its permissions")
    if isinstance(exc, sqlite3.Error) and path.exists():
        if not os.access(path, os.W_OK):  # not open(): see StateDB.__init__
            return (f"state DB {path} is read-only: shelver must be able to write it (and "
                    f"create {path.name}-wal and {path.name}-shm next to it); check its permissions")
        if "readonly" in text or "unable to open" in text:
            return (f"state DB {path} cannot be written: shelver must be able to create "
                    f"{path.name}-wal and {path.name}-shm in {path.parent}; check that folder's "
                    "permissions")
    if isinstance(exc, OSError):
        return f"state DB {path}: cannot create its folder: {exc.strerror or exc}"
    return f"state DB {path} cannot be used: {text}"


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=str)


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def pid_alive(owner: str | None) -> bool:
    """Whether the process named by ``host:pid`` is still running (on this host)."""
    if not owner or ":" not in owner:
        return False
    host, _, pid_text = owner.rpartition(":")
    if host != socket.gethostname():
        return True  # another host's process: we cannot tell, assume alive
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


# The backoff schedule for failed items: 1 minute doubling to 24 hours.
def retry_delay(error_count: int) -> float:
    return float(min(60 * 2 ** max(error_count - 1, 0), 24 * 3600))


class StateDB:
    """The shared state database. Cheap to create; connections are opened per thread."""

    def __init__(self, path: Path, extra_migrations: Iterable[tuple[str, Migration]] = ()) -> None:
        self.path = Path(path)
        # Wall-clock seconds for queue and retry times; tests put trio's clock here.
        self.clock: Callable[[], float] = time.time
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists():
                # SQLite opens a file it may not write read-only and fails only at the first
                # write, mid-run: find out now. Asked with access(), never by opening the file:
                # closing any descriptor of a DB file drops every POSIX lock this process holds
                # on it, including those of SQLite connections already open (a corrupt DB).
                if not os.access(self.path, os.W_OK):
                    raise PermissionError(errno.EACCES, "read-only", str(self.path))
            self.migrate([*MIGRATIONS, *extra_migrations])
        except StateDBError:
            self.close()
            raise
        except (sqlite3.Error, OSError) as exc:
            self.close()
            raise StateDBError(describe_db_error(self.path, exc)) from None

    # -- connections ---------------------------------------------------------------------------

    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            # isolation_level=None: we open transactions ourselves (BEGIN IMMEDIATE), short ones.
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @property
    def db(self) -> sqlite_utils.Database:
        """A sqlite-utils view of this thread's connection."""
        return sqlite_utils.Database(self.conn())

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken up front (no lock upgrade deadlocks between processes)."""
        conn = self.conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                try:
                    conn.close()
                except sqlite3.ProgrammingError:
                    pass
            self._all.clear()
        self._local = threading.local()

    def migrate(self, migrations: Iterable[tuple[str, Migration]]) -> None:
        """Run the named migrations this DB has not seen yet, each recorded once."""
        db = self.db
        with self.transaction():
            if not db.table("_shelver_migrations").exists():
                db.table("_shelver_migrations").create({"name": str, "applied_at": float}, pk="name")
            done = {row["name"] for row in db.table("_shelver_migrations").rows}
            known = {name for name, _fn in migrations}
            # A core migration this version does not have: a newer shelver wrote the DB, and
            # what it changed (a column's meaning, a table) is not something to guess at.
            newer = sorted(n for n in done - known if n.startswith("core-"))
            if newer:
                raise StateDBError(newer_db_message(self.path, newer))
            for name, fn in migrations:
                if name in done:
                    continue
                fn(db)
                db.table("_shelver_migrations").insert({"name": name, "applied_at": time.time()})

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

    def transition(self, item_id: int, expected: State, new: State, **fields: Any) -> bool:
        """Move an item from ``expected`` to ``new`` and set ``fields``; False if it was not in
        ``expected`` (someone else changed it)."""
        fields["updated_at"] = time.time()
        values = {k: (_dumps(v) if isinstance(v, (dict, list)) else v) for k, v in fields.items()}
        assignments = ", ".join(f"{k}=?" for k in values)
        with self.transaction() as conn:
            cur = conn.execute(
                f"UPDATE items SET state=?, {assignments} WHERE id=? AND state=?",
                (new.value, *values.values(), item_id, expected.value),
            )
            return cur.rowcount == 1

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

    def dirs_under(self, root: str) -> list[str]:
        """Every directory the DB has items in, at or below ``root``."""
        prefix = root.rstrip(os.sep) + os.sep
        rows = self.conn().execute(
            "SELECT DISTINCT dir FROM items WHERE dir=? OR substr(dir, 1, ?)=?",
            (root, len(prefix), prefix))
        return [r[0] for r in rows]

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

    # -- runs ----------------------------------------------------------------------------------

    def start_run(self, profile: str, command: str, mode: str) -> int:
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO runs (profile, command, mode, host, pid, started_at, status)"
                " VALUES (?,?,?,?,?,?,?)",
                (profile, command, mode, socket.gethostname(), os.getpid(), time.time(), "running"),
            )
            return int(cur.lastrowid or 0)

    def end_run(self, run_id: int, status: str, counts: dict[str, int]) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE runs SET ended_at=?, status=?, counts=? WHERE id=?",
                (time.time(), status, _dumps(counts), run_id),
            )

    # -- instances (daemon heartbeat) ----------------------------------------------------------

    def heartbeat(self, profile: str) -> None:
        now = time.time()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO instances (profile, host, pid, started_at, heartbeat_at) VALUES (?,?,?,?,?)"
                " ON CONFLICT(profile) DO UPDATE SET host=excluded.host, pid=excluded.pid,"
                " heartbeat_at=excluded.heartbeat_at",
                (profile, socket.gethostname(), os.getpid(), now, now),
            )

    def clear_heartbeat(self, profile: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM instances WHERE profile=? AND pid=?", (profile, os.getpid()))

    def daemon_alive(self, profile: str, max_age: float = 30.0) -> bool:
        row = self.conn().execute(
            "SELECT host, pid, heartbeat_at FROM instances WHERE profile=?", (profile,)
        ).fetchone()
        if row is None or time.time() - row[2] > max_age:
            return False
        return pid_alive(f"{row[0]}:{row[1]}")

    # -- placement journal ---------------------------------------------------------------------
    # A step is recorded before the disk is touched and after it is done, so recovery can tell
    # exactly how far any placement got (see shelver.fileops).

    def journal_begin(self, run_id: int | None, item_id: int | None, op: str, src: str, dst: str,
                      tmp: str | None, size: int, *, parent: int | None = None,
                      detail: dict[str, Any] | None = None, step: str = "planned") -> int:
        now = time.time()
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO journal (run_id, item_id, op, src, dst, tmp, step, size, created_at,"
                " updated_at, owner, parent, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (run_id, item_id, op, src, dst, tmp, step, size, now, now, owner_id(), parent,
                 _dumps(detail)),
            )
            return int(cur.lastrowid or 0)

    def journal_step(self, entry_id: int, step: str) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE journal SET step=?, updated_at=? WHERE id=?", (step, time.time(), entry_id))

    def journal_finish(self, entry_id: int) -> None:
        """Mark a placement done and, in the same transaction, record its item at the
        destination, so the DB never disagrees with the disk whenever the process dies.

        Only the item's own file moves the item (companions are journaled with their video's
        item id, but their source is not the item's path)."""
        with self.transaction() as conn:
            row = conn.execute("SELECT item_id, src, dst FROM journal WHERE id=?",
                               (entry_id,)).fetchone()
            conn.execute("UPDATE journal SET step='done', updated_at=? WHERE id=?",
                         (time.time(), entry_id))
            if row is None or row[0] is None:
                return
            item = conn.execute("SELECT path FROM items WHERE id=?", (row[0],)).fetchone()
            if item is not None and item[0] == row[1]:
                self._move_item(conn, row[0], row[2])

    @staticmethod
    def _move_item(conn: sqlite3.Connection, item_id: int, path: str) -> None:
        """Record an item at ``path``. A placement only ever goes to a free name, so another
        row still recorded there describes a file that is gone (a MISSING library file now
        replaced): it makes way, unless a worker holds it."""
        stale = [r[0] for r in conn.execute(
            "SELECT id FROM items WHERE path=? AND id!=? AND state!=?",
            (path, item_id, State.PROCESSING.value))]
        for stale_id in stale:
            conn.execute("DELETE FROM queue WHERE item_id=?", (stale_id,))
            conn.execute("DELETE FROM items WHERE id=?", (stale_id,))
        try:
            conn.execute("UPDATE items SET path=?, dir=?, destination=? WHERE id=?",
                         (path, os.path.dirname(path), path, item_id))
        except sqlite3.IntegrityError:
            pass  # held by a worker right now: the next scan sorts it out

    def journal_unfinished(self) -> list[dict[str, Any]]:
        rows = self.conn().execute(
            "SELECT * FROM journal WHERE step NOT IN ('done', 'rolled-back', 'undone') ORDER BY id"
        )
        return [dict(r) for r in rows]

    def journal_of_run(self, run_id: int) -> list[dict[str, Any]]:
        rows = self.conn().execute("SELECT * FROM journal WHERE run_id=? ORDER BY id DESC", (run_id,))
        return [dict(r) for r in rows]

    def journal_row(self, entry_id: int) -> dict[str, Any] | None:
        row = self.conn().execute("SELECT * FROM journal WHERE id=?", (entry_id,)).fetchone()
        return dict(row) if row else None

    def journal_set_detail(self, entry_id: int, detail: dict[str, Any]) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE journal SET detail=?, updated_at=? WHERE id=?",
                         (_dumps(detail), time.time(), entry_id))

    def journal_roll_back_under(self, folder: str, op: str) -> None:
        """Mark ``op`` rows for files under ``folder`` rolled back (the folder was removed)."""
        prefix = folder.rstrip("/") + "/"
        with self.transaction() as conn:
            conn.execute("UPDATE journal SET step='rolled-back', updated_at=? WHERE op=? AND"
                         " substr(dst, 1, length(?)) = ? AND step != 'rolled-back'",
                         (time.time(), op, prefix, prefix))

    def journal_put_blob(self, entry_id: int, data: bytes) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO journal_blobs (entry_id, data) VALUES (?, ?)",
                         (entry_id, data))

    def journal_blob(self, entry_id: int) -> bytes | None:
        row = self.conn().execute("SELECT data FROM journal_blobs WHERE entry_id=?",
                                  (entry_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def journal_settle(self, entry_id: int, step: str, *, item_from: Iterable[str] = (),
                       item_to: str | None = None) -> None:
        """Set a row's step and, in the same transaction, record its item at ``item_to`` when
        the item is recorded at one of ``item_from`` (a multi-step placement: the item may be
        recorded at its source or at an intermediate copy when the process dies)."""
        with self.transaction() as conn:
            row = conn.execute("SELECT item_id FROM journal WHERE id=?", (entry_id,)).fetchone()
            conn.execute("UPDATE journal SET step=?, updated_at=? WHERE id=?",
                         (step, time.time(), entry_id))
            if row is None or row[0] is None or item_to is None:
                return
            item = conn.execute("SELECT path FROM items WHERE id=?", (row[0],)).fetchone()
            if item is not None and item[0] in set(item_from) and item[0] != item_to:
                self._move_item(conn, row[0], item_to)

    def journal_write(self, run_id: int | None, item_id: int | None, path: str, *,
                      parent: int | None = None) -> int:
        """Record a file the run created (an NFO, artwork): ``shelver undo`` removes it."""
        entry = self.journal_begin(run_id, item_id, "write", "", path, None, 0, parent=parent,
                                   step="done")
        self.journal_note_result(entry)
        return entry

    def journal_accounts_for(self, path: str) -> bool:
        """Whether a finished row (of any run, not undone) already accounts for ``path``: it
        was placed there, or created by an earlier run (a later rewrite is not a creation)."""
        row = self.conn().execute(
            "SELECT 1 FROM journal WHERE dst=? AND step='done' LIMIT 1", (path,)).fetchone()
        return row is not None

    def journal_note_result(self, entry_id: int) -> None:
        """Remember the size and mtime of a row's destination as the run leaves it, so undo
        can tell a file changed since (tags written after placement are part of the run)."""
        row = self.journal_row(entry_id)
        if row is None:
            return
        try:
            st = os.lstat(row["dst"])
        except OSError:
            return
        with self.transaction() as conn:
            conn.execute("UPDATE journal SET dst_size=?, dst_mtime=? WHERE id=?",
                         (st.st_size, st.st_mtime, entry_id))

    def journal_of_item(self, run_id: int, item_id: int) -> list[dict[str, Any]]:
        rows = self.conn().execute(
            "SELECT * FROM journal WHERE run_id=? AND item_id=? ORDER BY id", (run_id, item_id))
        return [dict(r) for r in rows]

    def journal_placed_unrecorded(self, profile: str) -> list[dict[str, Any]]:
        """Items whose placement is done (the journal says the file is where the item is
        recorded) but whose outcome never was: the process died in between."""
        rows = self.conn().execute(
            "SELECT DISTINCT i.id, i.state, i.owner FROM items i JOIN journal j"
            " ON j.item_id = i.id AND j.dst = i.path AND j.step = 'done'"
            " AND j.op NOT IN ('write', 'mkdir', 'rmdir', 'tag', 'untag')"
            " WHERE i.profile = ? AND i.state IN (?, ?, ?)",
            (profile, State.NEW.value, State.CHANGED.value, State.PROCESSING.value))
        return [dict(r) for r in rows]

    def journal_runs(self, profile: str | None = None) -> list[dict[str, Any]]:
        """Runs with placements or writes not undone yet, newest first (``shelver undo``)."""
        sql = ("SELECT r.id, r.profile, r.command, r.mode, r.started_at, r.ended_at, r.status,"
               " count(j.id) AS entries FROM runs r JOIN journal j ON j.run_id = r.id"
               " WHERE j.step = 'done'")
        args: list[Any] = []
        if profile is not None:
            sql += " AND r.profile = ?"
            args.append(profile)
        sql += " GROUP BY r.id ORDER BY r.id DESC"
        return [dict(r) for r in self.conn().execute(sql, args)]

    def journal_undone(self, entry_id: int, *, item_to: str | None = None) -> None:
        """Mark a row undone; its item (recorded at the row's destination) goes to ``item_to``."""
        with self.transaction() as conn:
            row = conn.execute("SELECT item_id, dst FROM journal WHERE id=?",
                               (entry_id,)).fetchone()
            conn.execute("UPDATE journal SET step='undone', updated_at=? WHERE id=?",
                         (time.time(), entry_id))
            if row is None or row[0] is None or item_to is None:
                return
            item = conn.execute("SELECT path FROM items WHERE id=?", (row[0],)).fetchone()
            if item is not None and item[0] in (row[1], item_to):
                if item[0] != item_to:
                    self._move_item(conn, row[0], item_to)
                conn.execute("UPDATE items SET state=?, status='undone', destination=NULL,"
                             " updated_at=? WHERE id=? AND state!=?",
                             (State.SKIPPED.value, time.time(), row[0], State.PROCESSING.value))

    def set_item_path(self, item_id: int, path: str) -> None:
        """Record an item at its new place (see :meth:`journal_finish`)."""
        with self.transaction() as conn:
            self._move_item(conn, item_id, path)


# -- downloader-given ids (``shelver hook radarr`` / ``sonarr``) ------------------------------
# What a downloader knows about a file ({"ids": {"tmdb": 603}, "kind": "movie", ...}, see
# shelver.hookclients.HookJob.given), read by the engine so the matcher uses those ids instead of
# searching. The hook's fast path checks for this name.


@migration("core-hooks-001-given-ids")
def add_item_given_ids(db: sqlite_utils.Database) -> None:
    db.table("items").add_column("given_ids", str)


# -- events (docs/operations.md, "Events"; written and read by shelver.events) ---------------
# AUTOINCREMENT: an id is never reused, even after the newest rows were pruned, so a reader
# resuming from the last id it saw can never be handed an older event under a reused id.


@migration("core-events-001-create")
def create_events(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT,"
               " ts FLOAT NOT NULL, run_id INTEGER, item_id INTEGER, kind TEXT NOT NULL,"
               " payload TEXT)")
    db.execute("CREATE INDEX IF NOT EXISTS events_run_kind ON events (run_id, kind)")

