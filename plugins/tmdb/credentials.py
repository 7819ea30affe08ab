"""Remembering a successful credential check, so a run whose lookups are all cached asks TMDB
nothing.

A key is never stored: only an HMAC of (key, token, base URL) under a random salt kept in the same
DB, which proves "this exact key was accepted at that time" and nothing else. A different key
(a typo, a new profile) has a different fingerprint and is always checked before any file is
touched; a key revoked since the last check is caught by the first request that is not cached.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils  # slow to import (numpy too): migrations pass a Database in

TABLE = "tmdb_credential_checks"
# How long an accepted key counts as checked.
VALID_SECONDS = 24 * 3600.0


def migrate_credential_checks(db: sqlite_utils.Database) -> None:
    db.table(TABLE).create({"fingerprint": str, "checked_at": float, "configuration": str},
                     pk="fingerprint", if_not_exists=True)
    db.table("tmdb_meta").create({"name": str, "value": str}, pk="name", if_not_exists=True)


def _salt(conn: sqlite3.Connection) -> bytes:
    row = conn.execute("SELECT value FROM tmdb_meta WHERE name='salt'").fetchone()
    if row:
        return bytes.fromhex(row[0])
    salt = secrets.token_hex(32)
    conn.execute("INSERT OR IGNORE INTO tmdb_meta (name, value) VALUES ('salt', ?)", (salt,))
    row = conn.execute("SELECT value FROM tmdb_meta WHERE name='salt'").fetchone()
    return bytes.fromhex(row[0])


def fingerprint(conn: sqlite3.Connection, api_key: str | None, read_token: str | None,
                base_url: str) -> str:
    message = json.dumps([api_key or "", read_token or "", base_url.rstrip("/")]).encode()
    return hmac.new(_salt(conn), message, hashlib.sha256).hexdigest()


def recent_check(db_path: Path, print_: str, now: float | None = None) -> dict[str, Any] | None:
    """The configuration body of a check of this fingerprint younger than a day, else None."""
    with sqlite3.connect(db_path, timeout=30) as conn:
        row = conn.execute(f"SELECT checked_at, configuration FROM {TABLE} WHERE fingerprint=?",
                           (print_,)).fetchone()
    if row is None or (now or time.time()) - row[0] > VALID_SECONDS:
        return None
    body = json.loads(row[1] or "{}")
    return body if isinstance(body, dict) else {}


def remember_check(db_path: Path, print_: str, configuration: dict[str, Any]) -> None:
    with sqlite3.connect(db_path, timeout=30) as conn:
        conn.execute(f"INSERT OR REPLACE INTO {TABLE} (fingerprint, checked_at, configuration)"
                     " VALUES (?, ?, ?)", (print_, time.time(), json.dumps(configuration)))


def key_fingerprint(db_path: Path, api_key: str | None, read_token: str | None,
                    base_url: str) -> str:
    with sqlite3.connect(db_path, timeout=30) as conn:
        return fingerprint(conn, api_key, read_token, base_url)
