"""The state DB file: per-thread connections, write transactions, migrations, and the helpers
every table's methods share (JSON columns, which process holds a row, the retry schedule).

One SQLite file per host (WAL, busy timeout) shared by every profile and process.
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
from typing import TYPE_CHECKING, Any

from shelver.errors import StateDBError, newer_db_message
from shelver.store.migrations import MIGRATIONS, Migration

if TYPE_CHECKING:
    import sqlite_utils


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


class StoreBase:
    """The DB file and its connections; :class:`shelver.store.StateDB` adds every table's methods."""

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
        import sqlite_utils  # slow to import: not for commands that find the DB up to date

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

    def _up_to_date(self, migrations: list[tuple[str, Migration]]) -> bool:
        """Whether the DB has every migration and none unknown to this version (read with plain
        sqlite3: then sqlite-utils is never imported, and ``shelver scan`` starts fast)."""
        try:
            done = {row[0] for row in self.conn().execute("SELECT name FROM _shelver_migrations")}
        except sqlite3.OperationalError:
            return False  # no such table: a new DB
        known = {name for name, _fn in migrations}
        return known <= done and not any(n.startswith("core-") for n in done - known)

    def migrate(self, migrations: Iterable[tuple[str, Migration]]) -> None:
        """Run the named migrations this DB has not seen yet, each recorded once."""
        migrations = list(migrations)
        if self._up_to_date(migrations):
            return
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
