"""A host-wide TMDB rate limiter that lives in the shared state DB.

Every process on the host (two watcher instances, a hook, a CLI run) takes its tokens from the
same table, in short ``BEGIN IMMEDIATE`` transactions, so together they never exceed
``tmdb.rate``.

The bucket holds ``N`` tokens for a window of ``W`` seconds, and each spent token comes back
exactly ``W`` seconds after it was spent (the table logs when each was spent). A classic bucket
that refills continuously lets ``2N`` requests through in its first window, which a server
counting a sliding window answers with 429; this one never lets more than ``N`` through in any
``W`` seconds, and still sustains the full rate.

After a 429 the usable size of the bucket is halved (down to 10%) and everyone waits for the
server's ``Retry-After``; it then recovers by 10% of the configured rate every ``3W`` (at least
30 s) without another 429.

No block is ever longer than ``tmdb.max_retry_after`` from now (``max_block``): a longer one in
the DB (a ``Retry-After: 86400``, or ``inf``, stored by an older version) is cut down to it by
the next process that meets it, and a process that has to wait for a block another one stored
says so once. :func:`active_block` tells ``shelver status`` about a block in force.
"""

from __future__ import annotations

import logging
import math
import os
import random
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from shelver.api import ConfigError
from shelver.plugins.tmdb.cache import RATE_LOG_TABLE, RATE_STATE_TABLE, connect

log = logging.getLogger("shelver.tmdb")

_UNITS = {"": 1.0, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
MIN_FACTOR = 0.1
RECOVERY_STEP = 0.1


@dataclass(frozen=True)
class Rate:
    """``requests`` per ``window`` seconds."""

    requests: int
    window: float

    @property
    def per_second(self) -> float:
        return self.requests / self.window


def parse_rate(text: str, *, setting: str = "tmdb.rate") -> Rate:
    """Parse ``"35/10s"``, ``"40/1s"``, ``"100/1m"``, ``"3/s"``; errors name ``setting``."""
    m = _RATE.match(str(text))
    unit = m.group(3).lower() if m else ""
    if not m or unit not in _UNITS:
        raise ConfigError(
            f'{setting} = {text!r} is not a rate: write requests/window, e.g. "35/10s", '
            f'"40/1s" or "100/1m"'
        )
    requests = int(m.group(1))
    window = float(m.group(2) or 1) * _UNITS[unit]
    if requests < 1 or window <= 0:
        raise ConfigError(f"{setting} = {text!r}: the count and the window must be positive")
    return Rate(requests, window)


class RateLimiter:
    """Tokens for TMDB requests, shared through ``db_path`` by every process on the host.

    ``share`` (0 < share ≤ 1) caps this instance (``owner``) at that fraction of the rate while
    another instance has used TMDB within the window (alone, it gets the whole rate), so a
    backlog instance can leave room for the new-downloads one.
    """

    def __init__(
        self,
        db_path: Path | str,
        rate: str | Rate = "35/10s",
        *,
        bucket: str = "tmdb",
        owner: str | None = None,
        share: float = 1.0,
        conn: sqlite3.Connection | None = None,
        setting: str = "tmdb.rate",
        max_block: float = 300.0,
    ) -> None:
        self.rate = rate if isinstance(rate, Rate) else parse_rate(rate, setting=setting)
        if not 0 < share <= 1.0:
            raise ConfigError(f"tmdb.share = {share!r} must be a fraction in (0, 1]")
        self.bucket = bucket
        self.owner = owner or f"{os.getpid()}-{id(self):x}"
        self.share = share
        self._conn = conn or connect(db_path)
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds spent waiting for tokens (for `shelver status`)
        self.max_block = max(0.0, float(max_block))
        self.blocked_until = 0.0  # the block the last try_acquire met (0: none)
        self._own_block = 0.0  # the block this limiter stored (already announced)
        self._announced = 0.0

    # -- the blocking part, one short transaction each ------------------------------------

    def _effective_factor(self, factor: float, penalised_at: float, now: float) -> float:
        if factor >= 1.0:
            return 1.0
        period = max(30.0, 3 * self.rate.window)
        steps = max(0.0, now - penalised_at) / period
        return min(1.0, factor + RECOVERY_STEP * int(steps))

    def try_acquire(self, now: float | None = None) -> float:
        """Take a token if one is free: 0.0; else the seconds to wait before trying again."""
        given_now = now
        # A token comes back a little after W: requests spend a few ms on the wire, and a
        # server counting arrivals must never see N + 1 of them inside its window.
        window = self.rate.window + min(0.25, 0.02 * self.rate.window)
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            # The clock is read once the write lock is ours: waiting for it must not backdate
            # the token we take.
            now = time.time() if given_now is None else given_now
            try:
                row = conn.execute(
                    f"SELECT factor, penalised_at, blocked_until FROM {RATE_STATE_TABLE} "
                    "WHERE bucket = ?",
                    (self.bucket,),
                ).fetchone()
                factor, penalised_at, blocked_until = row if row else (1.0, 0.0, 0.0)
                self.blocked_until = 0.0
                if now < blocked_until:
                    if not blocked_until - now <= self.max_block:  # also NaN
                        blocked_until = now + self.max_block
                        conn.execute(
                            f"UPDATE {RATE_STATE_TABLE} SET blocked_until = ? WHERE bucket = ?",
                            (blocked_until, self.bucket),
                        )
                    conn.execute("COMMIT")
                    self.blocked_until = blocked_until
                    return max(blocked_until - now, 0.001)
                capacity = max(
                    1, int(self.rate.requests * self._effective_factor(factor, penalised_at, now))
                )
                conn.execute(
                    f"DELETE FROM {RATE_LOG_TABLE} WHERE bucket = ? AND ts <= ?",
                    (self.bucket, now - window),
                )
                spent = [
                    t
                    for (t,) in conn.execute(
                        f"SELECT ts FROM {RATE_LOG_TABLE} WHERE bucket = ? "
                        "ORDER BY ts DESC LIMIT ?",
                        (self.bucket, capacity),
                    )
                ]
                wait = 0.0
                if len(spent) >= capacity:
                    wait = spent[capacity - 1] + window - now
                # The share binds only while another instance is using TMDB (has tokens in the
                # window): a backlog alone gets the whole rate, and yields when new downloads come.
                if self.share < 1.0 and wait <= 0 and conn.execute(
                    f"SELECT 1 FROM {RATE_LOG_TABLE} WHERE bucket = ? AND owner != ? LIMIT 1",
                    (self.bucket, self.owner),
                ).fetchone():
                    own_capacity = max(1, int(capacity * self.share))
                    own = [
                        t
                        for (t,) in conn.execute(
                            f"SELECT ts FROM {RATE_LOG_TABLE} WHERE bucket = ? AND owner = ? "
                            "ORDER BY ts DESC LIMIT ?",
                            (self.bucket, self.owner, own_capacity),
                        )
                    ]
                    if len(own) >= own_capacity:
                        wait = own[own_capacity - 1] + window - now
                if wait > 0:
                    conn.execute("COMMIT")
                    return max(wait, 0.001)
                conn.execute(
                    f"INSERT INTO {RATE_LOG_TABLE} (bucket, owner, ts) VALUES (?, ?, ?)",
                    (self.bucket, self.owner, now),
                )
                conn.execute("COMMIT")
                return 0.0
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def penalise(self, retry_after: float, now: float | None = None) -> None:
        """A 429: halve the usable rate for everyone and hold all requests for ``retry_after``."""
        now = time.time() if now is None else now
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    f"SELECT factor, penalised_at, blocked_until FROM {RATE_STATE_TABLE} "
                    "WHERE bucket = ?",
                    (self.bucket,),
                ).fetchone()
                factor, penalised_at, blocked_until = row if row else (1.0, 0.0, 0.0)
                current = self._effective_factor(factor, penalised_at, now)
                wait = min(max(0.0, retry_after), self.max_block) if math.isfinite(
                    retry_after) else self.max_block
                if not blocked_until - now <= self.max_block:
                    blocked_until = 0.0  # an endless block stored before the cap
                until = max(blocked_until, now + wait)
                self._own_block = until
                conn.execute(
                    f"""INSERT INTO {RATE_STATE_TABLE}
                          (bucket, factor, penalised_at, blocked_until, throttled)
                        VALUES (?, ?, ?, ?, 1)
                        ON CONFLICT(bucket) DO UPDATE SET factor=excluded.factor,
                          penalised_at=excluded.penalised_at, blocked_until=excluded.blocked_until,
                          throttled=throttled + 1""",
                    (
                        self.bucket,
                        max(MIN_FACTOR, current / 2),
                        now,
                        until,
                    ),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def current_factor(self, now: float | None = None) -> float:
        """The fraction of the configured rate in use now (1.0 unless a 429 lowered it)."""
        now = time.time() if now is None else now
        with self._lock:
            row = self._conn.execute(
                f"SELECT factor, penalised_at FROM {RATE_STATE_TABLE} WHERE bucket = ?",
                (self.bucket,),
            ).fetchone()
        return 1.0 if row is None else self._effective_factor(row[0], row[1], now)

    # -- async -----------------------------------------------------------------------------

    async def acquire(self) -> None:
        """Wait (with ``trio.sleep``) until a token is ours."""
        import trio  # not at the top: `shelver status` reads this module's tables, no trio

        while True:
            wait = await trio.to_thread.run_sync(self.try_acquire)
            if wait <= 0:
                return
            block = self.blocked_until
            if block and block not in (self._own_block, self._announced):
                self._announced = block
                log.warning("TMDB is rate-limited: waiting %.0f s for the Retry-After block "
                            "stored in the state DB (until %s; see `shelver status`)", wait,
                            time.strftime("%H:%M:%S", time.localtime(block)))
            # A little jitter so that processes woken together do not collide again.
            delay = wait + random.uniform(0.0, min(0.05, wait / 4))
            self.waited += delay
            await trio.sleep(delay)

    async def apenalise(self, retry_after: float) -> None:
        import trio

        await trio.to_thread.run_sync(self.penalise, retry_after)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def active_block(db_path: Path | str, bucket: str = "tmdb",
                 now: float | None = None) -> dict[str, float | int | None] | None:
    """The Retry-After block in force in the state DB at ``db_path``: ``{"until": epoch
    seconds, "seconds_left": ..., "throttled": 429s so far}``, or None. Read-only, for
    ``shelver status``; a DB without the TMDB tables has no block."""
    now = time.time() if now is None else now
    try:
        conn = sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute(
            f"SELECT blocked_until, throttled FROM {RATE_STATE_TABLE} WHERE bucket = ?", (bucket,)
        ).fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    if row is None or not float(row[0]) > now:
        return None
    until = float(row[0])
    if not math.isfinite(until):  # stored before the cap; the next run cuts it down
        return {"until": None, "seconds_left": None, "throttled": int(row[1])}
    return {"until": until, "seconds_left": round(until - now, 1), "throttled": int(row[1])}


__all__ = ["Rate", "RateLimiter", "active_block", "parse_rate"]
