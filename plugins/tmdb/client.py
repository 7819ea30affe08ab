"""An async TMDB v3 client: cached, rate-limited, de-duplicated, and careful with its key.

Every request goes: cache (fresh → no request; ``tmdb.cache``: then the hosts' shared one) →
singleflight (an identical request already on the wire is awaited, not repeated) → host-wide rate
limiter → HTTP with ``If-None-Match`` when an ETag is known. 429 honours ``Retry-After`` (capped at
``tmdb.max_retry_after``) and lowers the shared rate; 5xx, timeouts and connection errors are
retried with bounded exponential backoff; 401 is a configuration error; 404 is
:class:`shelver.errors.NotFoundError`. The key or token never appears in an error, a log line or the
database.

An answer is read as a stream and given up past ``tmdb.max_response_mb`` or when the whole request
takes longer than ``tmdb.request_timeout``; what arrives is checked
(:mod:`shelver.plugins.tmdb.validate`) before it is used or cached, and a document that fails the
check is never cached."""

from __future__ import annotations

import email.utils
import logging
import math
import random
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import httpx
import trio
from shelver.api import ConfigError, ItemError, NotFoundError
from shelver.plugins.tmdb.cache import ResponseCache, cache_key
from shelver.plugins.tmdb.explain import record_query
from shelver.plugins.tmdb.ratelimit import RateLimiter
from shelver.plugins.tmdb.validate import InvalidDocument, describe, validate_document

if TYPE_CHECKING:
    from shelver.plugins.tmdb.rediscache import SharedCache

log = logging.getLogger("shelver.tmdb")

NOT_FOUND_MAX_AGE = 86400.0  # a 404 is remembered for a day
MAX_RETRY_AFTER = 300.0  # tmdb.max_retry_after
REQUEST_TIMEOUT = 60.0  # tmdb.request_timeout: one whole request, however it trickles
MAX_RESPONSE_MB = 10.0  # tmdb.max_response_mb


class _Reply:
    """A whole answer, read within the size and time limits."""

    def __init__(self, status_code: int, headers: httpx.Headers, content: bytes) -> None:
        self.status_code, self.headers, self.content = status_code, headers, content

    def json(self) -> Any:
        import json

        return json.loads(self.content)


class _Redact(logging.Filter):
    """Scrubs the credentials out of records of the loggers httpx writes URLs to."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = _scrub(message, self.secrets)
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class _Flight:
    """One request on the wire that identical callers wait for."""

    def __init__(self) -> None:
        self.done = trio.Event()
        self.result: dict[str, Any] | None = None
        self.error: BaseException | None = None


def _redis_limiter(url: str, db_path: Path | str, rate: str, expected_hosts: int,
                   owner: str | None, share: float, max_block: float, where: str) -> RateLimiter:
    """``tmdb.limiter = "redis://..."``: the limiter several hosts share (docs/operations.md,
    "Several hosts")."""
    from shelver.plugins.tmdb.ratelimit import parse_rate
    from shelver.plugins.tmdb.redislimit import RedisRateLimiter

    return RedisRateLimiter(url, db_path, parse_rate(rate), expected_hosts=expected_hosts,
                            owner=owner, share=share, max_block=max_block, where=where)


class TMDBClient:
    """TMDB v3 over HTTP, for use under trio.

    ``setting`` is what a 401 message names (default ``tmdb.api_key`` or ``tmdb.read_token``,
    whichever is given; the plugin passes e.g. ``"TMDB_API_KEY (environment)"`` or the profile
    file's ``tmdb.api_key``). ``share`` and ``owner`` go to the rate limiter. ``image_base`` is the
    image base the run allowed (the plugin sets it at run start), which the matcher builds
    :class:`~shelver.metadata.Metadata`'s image URLs from; None: no images. ``limiter_url`` and
    ``cache_url`` are ``tmdb.limiter`` and ``tmdb.cache`` (Redis URLs, or "": the state DB only),
    named in messages as ``limiter_setting`` and ``cache_setting``."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        read_token: str | None = None,
        db_path: Path | str,
        rate: str = "35/10s",
        timeout: float = 15.0,
        share: float = 1.0,
        owner: str | None = None,
        setting: str | None = None,
        max_retries: int = 5,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        max_retry_after: float = MAX_RETRY_AFTER,
        request_timeout: float = REQUEST_TIMEOUT,
        max_response_mb: float = MAX_RESPONSE_MB,
        image_base: str | None = None,
        limiter_url: str = "",
        expected_hosts: int = 2,
        limiter_setting: str = "tmdb.limiter",
        cache_url: str = "",
        cache_setting: str = "tmdb.cache",
    ) -> None:
        if not api_key and not read_token:
            raise ConfigError("tmdb.api_key or tmdb.read_token (or TMDB_API_KEY) must be set")
        self.base_url = base_url.rstrip("/")
        self.image_base = image_base
        self._api_key = api_key
        self._read_token = read_token
        self.credential_setting = setting or ("tmdb.read_token" if read_token and not api_key
                                              else "tmdb.api_key")
        self._secrets = [s for s in (api_key, read_token) if s]
        self.cache = ResponseCache(db_path)
        self.shared: SharedCache | None = None  # tmdb.cache (docs/operations.md, "Several hosts")
        if cache_url:
            from shelver.plugins.tmdb.rediscache import SharedCache

            self.shared = SharedCache(cache_url, cache_setting)
        self.max_retry_after = max(0.0, float(max_retry_after))
        self.request_timeout = float(request_timeout)
        self.max_response_mb = float(max_response_mb)
        self.max_response_bytes = int(self.max_response_mb * 1024 * 1024)
        self.limiter = RateLimiter(db_path, rate, owner=owner, share=share,
                                   max_block=self.max_retry_after) if not limiter_url else \
            _redis_limiter(limiter_url, db_path, rate, expected_hosts, owner, share,
                           self.max_retry_after, limiter_setting)
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.requests_made = 0
        self.cache_hits = 0
        self.throttled = 0
        self._flights: dict[str, _Flight] = {}
        headers = {"Accept": "application/json", "User-Agent": "shelver"}
        if read_token and not api_key:
            headers["Authorization"] = f"Bearer {read_token}"
        self._http = httpx.AsyncClient(timeout=timeout, headers=headers, follow_redirects=True)
        self._redact = _Redact(self._secrets)
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).addFilter(self._redact)

    # -- lifecycle ------------------------------------------------------------------------

    async def aclose(self) -> None:
        await self._http.aclose()
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).removeFilter(self._redact)
        self.cache.close()
        if self.shared is not None:
            self.shared.close()
        self.limiter.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def scrub(self, text: str) -> str:
        """``text`` with the key and token replaced by ``***``."""
        return _scrub(text, self._secrets)

    # -- requests -------------------------------------------------------------------------

    async def check_credentials(self) -> dict[str, Any]:
        """One request at run start (``/configuration``, never from the cache): its body.

        Raises ConfigError naming the setting when TMDB says 401.
        """
        # Few retries here: a wrong tmdb.base_url or a dead network should be said in seconds,
        # before any file is touched; the run is retried as a whole later.
        response = await self._send("/configuration", {}, etag=None, retries=2)
        if response.status_code != 200:
            return {}
        try:
            body = response.json()
        except (ValueError, RecursionError):
            return {}
        return body if isinstance(body, dict) else {}

    async def get(
        self, path: str, params: dict[str, Any] | None = None, *, max_age: float | None = None
    ) -> dict[str, Any]:
        """GET ``path`` (``"/movie/603"``) with ``params``; the JSON body.

        ``max_age`` (seconds) overrides the release-age rule: 0 revalidates (a full scan).
        Raises NotFoundError on 404, ConfigError on 401, ItemError when retries run out.
        """
        params = {k: v for k, v in (params or {}).items() if v is not None}
        key = cache_key(path, params)
        flight = self._flights.get(key)
        if flight is not None:
            await flight.done.wait()
            record_query(path, params, "shared", 200 if flight.error is None else 0)
            if isinstance(flight.error, trio.Cancelled):
                return await self.get(path, params, max_age=max_age)  # its owner gave up: ask
            if flight.error is not None:
                raise _copy_error(flight.error)
            assert flight.result is not None
            return flight.result
        flight = self._flights[key] = _Flight()
        try:
            flight.result = await self._get_uncoalesced(key, path, params, max_age)
            return flight.result
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            del self._flights[key]
            flight.done.set()

    async def _get_uncoalesced(
        self, key: str, path: str, params: dict[str, Any], max_age: float | None
    ) -> dict[str, Any]:
        entry = await trio.to_thread.run_sync(self.cache.lookup, key)
        if entry is not None and entry.status == 200:
            # Cached by a version that did not check documents: checked now, quietly; one that
            # cannot be used is fetched again.
            try:
                entry.body = validate_document(path, entry.body)[0]
            except InvalidDocument:
                entry = None
        source = "cache"
        if self.shared is not None and (entry is None or not entry.fresh(max_age)):
            shared = await trio.to_thread.run_sync(self.shared.lookup_into, self.cache, key, path,
                                                   params, max_age)
            if shared is not None:
                entry, source = shared, "redis"
        if entry is not None and entry.fresh(max_age):
            self.cache_hits += 1
            record_query(path, params, source, entry.status)
            if entry.status == 404:
                raise NotFoundError(f"TMDB has no {path}")
            return dict(entry.body)
        etag = entry.etag if entry is not None and entry.status == 200 else None
        response = await self._send(path, params, etag=etag)
        record_query(path, params, "revalidated" if response.status_code == 304 and entry
                     is not None else "network", response.status_code)
        if response.status_code == 304 and entry is not None:  # current: its age here, all shared
            await trio.to_thread.run_sync(lambda: self._keep(
                key, path, params, 200, entry.body, entry.etag, entry.max_age, here=False))
            return dict(entry.body)
        if response.status_code == 404:
            await trio.to_thread.run_sync(
                lambda: self._keep(key, path, params, 404, None, None, NOT_FOUND_MAX_AGE))
            raise NotFoundError(f"TMDB has no {path}")
        try:
            body = response.json()
        except ValueError as exc:
            raise ItemError(f"TMDB sent a body that is not JSON for {path}") from exc
        except RecursionError as exc:
            raise ItemError(f"TMDB sent a body nested too deeply for {path}") from exc
        try:
            body, dropped, coerced = validate_document(path, body)
        except InvalidDocument as exc:
            raise ItemError(str(exc)) from None  # not cached: asked again next time
        if dropped or coerced:
            log.warning("%s", describe(path.lstrip("/"), dropped, coerced))
        etag_header = response.headers.get("ETag")
        await trio.to_thread.run_sync(
            lambda: self._keep(key, path, params, 200, body, etag_header, None))
        return body

    def _keep(self, key: str, path: str, params: dict[str, Any], status: int, body: Any,
              etag: str | None, max_age: float | None, here: bool = True) -> None:
        """Blocking: a response into this host's cache (``here``; else only its age, for a
        cached body TMDB said is current) and, with ``tmdb.cache``, the shared one."""
        now = time.time()
        if not here:
            self.cache.touch(key, now)
        else:
            self.cache.store(key, path, params, status, body, etag, max_age=max_age, fetched_at=now)
        if self.shared is not None:
            self.shared.store(key, status, body, etag, now, max_age)

    async def _fetch(self, path: str, url: str, query: dict[str, Any],
                     headers: dict[str, str]) -> _Reply:
        """One HTTP exchange, read whole within ``request_timeout`` and ``max_response_mb``."""
        too_big = ItemError(
            f"TMDB answer for {path} is larger than {self.max_response_mb:g} MB "
            "(tmdb.max_response_mb): not used")
        with trio.move_on_after(self.request_timeout):
            async with self._http.stream("GET", url, params=query, headers=headers) as response:
                length = response.headers.get("Content-Length", "")
                if length.strip().isdigit() and int(length) > self.max_response_bytes:
                    raise too_big
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.max_response_bytes:
                        raise too_big
                    chunks.append(chunk)
                return _Reply(response.status_code, response.headers, b"".join(chunks))
        raise ItemError(f"TMDB did not finish answering {path} within "
                        f"{self.request_timeout:g} s (tmdb.request_timeout)")

    def _backoff(self, attempt: int) -> float:
        delay = min(self.backoff_max, self.backoff_base * (2**attempt))
        return float(delay * random.uniform(0.75, 1.25))

    async def _send(self, path: str, params: dict[str, Any], *, etag: str | None,
                    retries: int | None = None) -> _Reply:
        """One logical request: rate limit, retries, status handling. Returns 200/304/404."""
        max_retries = self.max_retries if retries is None else retries
        url = self.base_url + path
        query = dict(params)
        if self._api_key:
            query["api_key"] = self._api_key
        headers = {"If-None-Match": etag} if etag else {}
        attempt = 0
        while True:
            await self.limiter.acquire()
            self.requests_made += 1
            try:
                response = await self._fetch(path, url, query, headers)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if attempt >= max_retries:
                    raise ItemError(
                        f"TMDB unreachable for {path} after {attempt + 1} attempts "
                        f"(tmdb.base_url = {self.base_url}): "
                        f"{self.scrub(type(exc).__name__ + ': ' + str(exc))}"
                    ) from None
                await trio.sleep(self._backoff(attempt))
                attempt += 1
                continue
            status = response.status_code
            if status in (200, 304, 404):
                return response
            if status == 401:
                raise ConfigError(
                    f"TMDB refused the credentials: {self.credential_setting} is not a valid "
                    "TMDB key (value not shown)"
                )
            if status == 429:
                self.throttled += 1
                header = response.headers.get("Retry-After")
                retry_after = _retry_after(header)
                if retry_after is None:
                    retry_after = self._backoff(attempt)
                if retry_after > self.max_retry_after:
                    log.warning("TMDB asked to wait %g s (Retry-After); waiting %g s "
                                "(tmdb.max_retry_after)", retry_after, self.max_retry_after)
                    retry_after = self.max_retry_after
                else:
                    log.warning("TMDB rate limit hit (429) on %s: waiting %.1fs", path,
                                retry_after)
                await self.limiter.apenalise(retry_after)
                if attempt >= max_retries + 3:
                    raise ItemError(f"TMDB kept answering 429 for {path}")
                await trio.sleep(retry_after + random.uniform(0.05, 0.5))
                attempt += 1
                continue
            if status >= 500:
                if attempt >= max_retries:
                    raise ItemError(
                        f"TMDB answered {status} for {path} after {attempt + 1} attempts"
                    )
                await trio.sleep(self._backoff(attempt))
                attempt += 1
                continue
            message = ""
            try:
                answer = response.json()
                if isinstance(answer, dict):
                    message = str(answer.get("status_message") or "")[:200]
            except (ValueError, RecursionError):
                pass
            raise ItemError(
                self.scrub(f"TMDB answered {status} for {path}: {message}".rstrip(": "))
            )


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); ``inf`` for an
    endless one; None for one that says nothing usable (NaN, garbage)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return None if math.isnan(seconds) else max(0.0, seconds)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, float(when.timestamp()) - time.time())


def _copy_error(error: BaseException) -> BaseException:
    """Waiters on a failed flight get their own exception object of the same kind."""
    if isinstance(error, (ConfigError, ItemError)):
        copy: BaseException = type(error)(*error.args)
        return copy
    return error


__all__ = ["TMDBClient"]
