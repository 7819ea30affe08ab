"""The TMDB response cache shared by several hosts through Redis (``tmdb.cache = "redis://..."``).

The state DB's cache (:mod:`shelver.plugins.tmdb.cache`) stays this host's first layer; this one
is asked when it misses or holds a stale entry, and every response the client stores goes to
both. A Redis entry is ``shelver:tmdb:cache:<the local cache's key>`` (endpoint and parameters,
never a credential) holding a compact JSON of what the local cache stores (status, body, ETag,
fetch time, max age) and expiring when it stops being fresh.

When Redis cannot be reached, stops answering or answers something that is not such an entry,
one warning line says so and the shared cache is left alone until the run ends: this host's
cache goes on by itself. The URL's password is never shown.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from typing import Any, TypeGuard

from shelver.plugins.tmdb.cache import CacheEntry, ResponseCache, max_age_for, release_date_of
from shelver.plugins.tmdb.redislimit import (
    KEY_PREFIX,
    check_url,
    open_client,
    reason,
    redis_errors,
    shown_url,
)

log = logging.getLogger("shelver.tmdb")

CACHE_PREFIX = KEY_PREFIX + "cache:"


class NotAnEntry(ValueError):
    """A Redis value that is not a cached TMDB response."""


def encode(status: int, body: Any, etag: str | None, fetched_at: float,
           max_age: float | None) -> str:
    return json.dumps({"status": status, "body": body, "etag": etag, "fetched_at": fetched_at,
                       "max_age": max_age}, separators=(",", ":"))


def decode(key: str, raw: bytes | str) -> CacheEntry:
    """The entry ``raw`` holds; :class:`NotAnEntry` when it holds something else."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise NotAnEntry("not JSON") from None
    if not isinstance(data, dict):
        raise NotAnEntry("not a JSON object")
    status, etag = data.get("status"), data.get("etag")
    fetched_at, max_age = data.get("fetched_at"), data.get("max_age")
    if status not in (200, 404) or isinstance(status, bool):
        raise NotAnEntry(f"status {status!r}")
    if not _number(fetched_at) or not (max_age is None or _number(max_age)):
        raise NotAnEntry("no usable fetch time or max age")
    if not (etag is None or isinstance(etag, str)):
        raise NotAnEntry("an ETag that is not text")
    return CacheEntry(key, int(status), data.get("body"), etag, float(fetched_at),
                      None if max_age is None else float(max_age))


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_cache_url(url: str, where: str) -> None:
    """ConfigError naming ``where`` unless ``url`` is a Redis URL (the password never shown)."""
    check_url(url, where, empty="this host's cache alone (the state DB)")


class SharedCache:
    """The Redis layer under the state DB's cache. Blocking: call from a worker thread.

    ``where`` names the setting in messages (``tmdb.cache in /path/p.toml``); a ``url`` that is
    not a Redis URL is a ConfigError naming it. Connecting waits for the first lookup or store.
    """

    def __init__(self, url: str, where: str = "tmdb.cache") -> None:
        check_cache_url(url, where)
        self.url = url
        self.where = where
        self.off = False  # set for the rest of the run when Redis failed once
        self.hits = 0  # entries used: a request to TMDB saved each
        self._answered = False
        self._lock = threading.Lock()
        self._errors: tuple[type[BaseException], ...] = (*redis_errors(), NotAnEntry)
        self._redis = open_client(url)

    def lookup(self, key: str) -> CacheEntry | None:
        """The entry under ``key``, or None (none, or the shared cache is off)."""
        if self.off:
            return None
        try:
            raw = self._redis.get(CACHE_PREFIX + key)
            entry = None if raw is None else decode(key, raw)
        except self._errors as exc:
            self._turn_off(exc)
            return None
        self._answered = True
        return entry

    def lookup_into(self, local: ResponseCache, key: str, path: str, params: dict[str, Any],
                    max_age: float | None) -> CacheEntry | None:
        """The entry under ``key`` if it is fresh (``max_age``: as the client's) and usable,
        kept in this host's cache ``local`` too, as it was fetched (its age goes with it)."""
        from shelver.plugins.tmdb.validate import InvalidDocument, validate_document

        entry = self.lookup(key)
        if entry is None or not entry.fresh(max_age):
            return None
        if entry.status == 200:
            try:  # as for this host's cache: a document that cannot be used is fetched again
                entry.body = validate_document(path, entry.body)[0]
            except InvalidDocument:
                return None
        local.store(key, path, params, entry.status, entry.body, entry.etag,
                    max_age=entry.max_age, fetched_at=entry.fetched_at)
        self.hits += 1
        return entry

    def store(self, key: str, status: int, body: Any, etag: str | None, fetched_at: float,
              max_age: float | None) -> None:
        """Share an entry for as long as it is fresh (``max_age`` None: the release-age rule,
        as the local cache decides it)."""
        if self.off:
            return
        limit = max_age if max_age is not None else max_age_for(release_date_of(body))
        ttl = math.ceil(fetched_at + limit - time.time())
        if ttl <= 0:
            return
        try:
            self._redis.set(CACHE_PREFIX + key, encode(status, body, etag, fetched_at, max_age),
                            ex=ttl)
        except self._errors as exc:
            self._turn_off(exc)
            return
        self._answered = True

    def _turn_off(self, exc: BaseException) -> None:
        with self._lock:  # workers meet the error together: one warning
            if self.off:
                return
            self.off = True
        import redis

        if isinstance(exc, NotAnEntry):
            what = f"answered something that is not a cached TMDB response ({exc})"
        elif isinstance(exc, redis.ResponseError):  # WRONGTYPE, OOM, NOPERM...
            what = f"answered with an error ({reason(exc, self.url)})"
        else:
            what = (f"{'stopped answering' if self._answered else 'cannot be reached'} "
                    f"({reason(exc, self.url)})")
        log.warning("%s: Redis at %s %s: the shared TMDB response cache is not used for the "
                    "rest of this run, only this host's (the state DB)", self.where,
                    shown_url(self.url), what)

    def close(self) -> None:
        try:
            self._redis.close()
        except self._errors:
            pass


__all__ = ["CACHE_PREFIX", "NotAnEntry", "SharedCache", "check_cache_url", "decode", "encode"]
