"""Runs (one row per run or daemon life) and instances (the daemon of each profile, with its
heartbeat)."""

from __future__ import annotations

import os
import socket
import time

from shelver.store.connection import StoreBase, _dumps, pid_alive


class RunStore(StoreBase):
    """Runs and daemon heartbeats."""

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

    def request_stop(self, run_id: int, action: str = "cancel") -> bool:
        """Ask run ``run_id`` to stop taking items (``cancel``: a one-shot run; ``drain``: a
        daemon), as Ctrl-C does. False when the run is not running."""
        with self.transaction() as conn:
            running = conn.execute("SELECT 1 FROM runs WHERE id=? AND status='running'",
                                   (run_id,)).fetchone()
            if running is None:
                return False
            conn.execute("INSERT OR REPLACE INTO run_controls (run_id, action, requested_at)"
                         " VALUES (?,?,?)", (run_id, action, time.time()))
            return True

    def stop_requested(self, run_id: int) -> str | None:
        """The stop asked for run ``run_id`` (``cancel``/``drain``), or None."""
        row = self.conn().execute("SELECT action FROM run_controls WHERE run_id=?",
                                  (run_id,)).fetchone()
        return str(row[0]) if row else None

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
