"""TMDB response cache and the TMDB tables of the shared state DB.

Responses are keyed by endpoint and parameters (never the API key or token), stored with their
status, JSON body, ETag and fetch time. How long an entry stays fresh follows the release-age
rule of DESIGN ("Scans → refresh"): days old → 3 days, months old → 2 weeks, years old → 3–6
months.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils  # slow to import (numpy too): migrations pass a Database in

DAY = 86400.0
# Parameters that are credentials: never part of a key, a stored URL or a message.
SECRET_PARAMS = frozenset({"api_key", "read_token", "access_token", "session_id"})

CACHE_TABLE = "tmdb_cache"
RATE_LOG_TABLE = "tmdb_rate_log"
RATE_STATE_TABLE = "tmdb_rate_state"


def migrate_tmdb_tables(db: sqlite_utils.Database | sqlite3.Connection) -> None:
    """Create the TMDB response cache and rate-limiter tables (idempotent): in the migration's
    sqlite-utils Database, or a plain connection (importing sqlite-utils costs a run 0.3 s).

    Registered by the tmdb plugin as migration ``"tmdb-001-cache-and-rate"``.
    """
    db.execute(
        f"""CREATE TABLE IF NOT EXISTS {CACHE_TABLE} (
            key TEXT PRIMARY KEY,
            path TEXT NOT NULL,
            params TEXT NOT NULL,
            status INTEGER NOT NULL,
            body TEXT,
            etag TEXT,
            fetched_at REAL NOT NULL,
            max_age REAL,
            imdb_id TEXT,
            tvdb_id INTEGER
        )"""
    )
    # Details documents by their external ids: an IMDb id in a name needs no /find when the
    # film was already fetched under its title.
    db.execute(f"CREATE INDEX IF NOT EXISTS idx_{CACHE_TABLE}_imdb ON {CACHE_TABLE}(imdb_id)")
    db.execute(f"CREATE INDEX IF NOT EXISTS idx_{CACHE_TABLE}_tvdb ON {CACHE_TABLE}(tvdb_id)")
    db.execute(
        f"""CREATE TABLE IF NOT EXISTS {RATE_LOG_TABLE} (
            bucket TEXT NOT NULL,
            owner TEXT NOT NULL,
            ts REAL NOT NULL
        )"""
    )
    db.execute(
        f"CREATE INDEX IF NOT EXISTS idx_{RATE_LOG_TABLE}_bucket_ts ON {RATE_LOG_TABLE}(bucket, ts)"
    )
    db.execute(
        f"""CREATE TABLE IF NOT EXISTS {RATE_STATE_TABLE} (
            bucket TEXT PRIMARY KEY,
            factor REAL NOT NULL DEFAULT 1.0,
            penalised_at REAL NOT NULL DEFAULT 0,
            blocked_until REAL NOT NULL DEFAULT 0,
            throttled INTEGER NOT NULL DEFAULT 0
        )"""
    )


def connect(db_path: Path | str) -> sqlite3.Connection:
    """A connection for short explicit transactions, shared by threads under a lock."""
    conn = sqlite3.connect(
        str(db_path), timeout=30.0, isolation_level=None, check_same_thread=False
    )
    conn.execute("PRAGMA busy_timeout = 30000")
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError:
        pass  # another process holds it; the engine sets WAL when it opens the DB anyway
    migrate_tmdb_tables(conn)
    return conn


def cache_key(path: str, params: dict[str, Any] | None) -> str:
    """``/movie/603?append_to_response=...&language=en-US``: sorted, credentials left out."""
    clean = {k: v for k, v in (params or {}).items() if k not in SECRET_PARAMS and v is not None}
    if not clean:
        return path
    return path + "?" + "&".join(f"{k}={clean[k]}" for k in sorted(clean))


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def max_age_for(release_date: Any, *, today: dt.date | None = None) -> float:
    """Seconds a response about something released on ``release_date`` stays fresh.

    Days old (or unreleased, or unknown) → 3 days; months old → 2 weeks; up to 5 years → 3
    months; older → 6 months.
    """
    date = _parse_date(release_date)
    today = today or dt.date.today()
    if date is None:
        return 3 * DAY
    age = (today - date).days
    if age < 60:
        return 3 * DAY
    if age < 365:
        return 14 * DAY
    if age < 5 * 365:
        return 90 * DAY
    return 180 * DAY


def release_date_of(body: Any) -> str | None:
    """The date that says how fast a TMDB document changes (None for searches and lists)."""
    if not isinstance(body, dict):
        return None
    if "episodes" in body and isinstance(body["episodes"], list):  # a season
        dates = [
            str(e["air_date"])
            for e in body["episodes"]
            if isinstance(e, dict) and e.get("air_date")
        ]
        return max(dates) if dates else body.get("air_date")
    if "first_air_date" in body:  # a show: its newest episode decides
        if body.get("next_episode_to_air") or body.get("in_production"):
            return dt.date.today().isoformat()
        return body.get("last_air_date") or body.get("first_air_date")
    return body.get("release_date")


_DETAILS_PATH = re.compile(r"^/(movie|tv)/\d+$")


def _external_ids(path: str, body: Any) -> tuple[str | None, int | None]:
    """The IMDb and TVDB ids a movie or show details document carries."""
    if not _DETAILS_PATH.match(path) or not isinstance(body, dict):
        return None, None
    found = body.get("external_ids")
    external: dict[str, Any] = found if isinstance(found, dict) else {}
    imdb = external.get("imdb_id") or body.get("imdb_id")
    tvdb = external.get("tvdb_id")
    return (str(imdb) if imdb else None), (int(tvdb) if isinstance(tvdb, int) else None)


@dataclass
class CacheEntry:
    key: str
    status: int
    body: Any
    etag: str | None
    fetched_at: float
    max_age: float | None

    def fresh(self, max_age: float | None = None, *, now: float | None = None) -> bool:
        limit = max_age if max_age is not None else self.max_age
        if limit is None:
            limit = max_age_for(release_date_of(self.body))
        return (now or time.time()) - self.fetched_at < limit


class ResponseCache:
    """The ``tmdb_cache`` table. Blocking: call from a worker thread."""

    def __init__(self, db_path: Path | str, conn: sqlite3.Connection | None = None) -> None:
        self._conn = conn or connect(db_path)
        self._lock = threading.Lock()

    def lookup(self, key: str) -> CacheEntry | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT status, body, etag, fetched_at, max_age FROM {CACHE_TABLE} WHERE key = ?",
                (key,),
            ).fetchone()
        if row is None:
            return None
        body = json.loads(row[1]) if row[1] is not None else None
        return CacheEntry(key, int(row[0]), body, row[2], float(row[3]), row[4])

    def store(
        self,
        key: str,
        path: str,
        params: dict[str, Any] | None,
        status: int,
        body: Any,
        etag: str | None,
        *,
        max_age: float | None = None,
        fetched_at: float | None = None,
    ) -> None:
        clean = {k: v for k, v in (params or {}).items() if k not in SECRET_PARAMS}
        imdb_id, tvdb_id = _external_ids(path, body)
        with self._lock:
            self._conn.execute(
                f"""INSERT INTO {CACHE_TABLE}
                      (key, path, params, status, body, etag, fetched_at, max_age, imdb_id, tvdb_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(key) DO UPDATE SET status=excluded.status, body=excluded.body,
                      etag=excluded.etag, fetched_at=excluded.fetched_at, max_age=excluded.max_age,
                      imdb_id=excluded.imdb_id, tvdb_id=excluded.tvdb_id""",
                (
                    key,
                    path,
                    json.dumps(clean, sort_keys=True),
                    status,
                    json.dumps(body, separators=(",", ":")),
                    etag,
                    fetched_at or time.time(),
                    max_age,
                    imdb_id,
                    tvdb_id,
                ),
            )

    def find_external(self, source: str, value: str | int) -> tuple[str, int] | None:
        """``("movie" | "tv", id)`` of a cached details document with this external id
        (``source`` is ``"imdb_id"`` or ``"tvdb_id"``), or None."""
        column = {"imdb_id": "imdb_id", "tvdb_id": "tvdb_id"}.get(source)
        if column is None:
            return None
        with self._lock:
            row = self._conn.execute(
                f"SELECT path FROM {CACHE_TABLE} WHERE {column} = ? AND status = 200 LIMIT 1",
                (str(value) if column == "imdb_id" else int(value),),
            ).fetchone()
        if row is None:
            return None
        kind, _, item_id = str(row[0]).strip("/").partition("/")
        return (kind, int(item_id)) if item_id.isdigit() else None

    def touch(self, key: str, fetched_at: float | None = None) -> None:
        """A 304 says the body is still current: refresh its age."""
        with self._lock:
            self._conn.execute(
                f"UPDATE {CACHE_TABLE} SET fetched_at = ? WHERE key = ?",
                (fetched_at or time.time(), key),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()


__all__ = [
    "SECRET_PARAMS",
    "CacheEntry",
    "ResponseCache",
    "cache_key",
    "connect",
    "max_age_for",
    "migrate_tmdb_tables",
    "release_date_of",
]
