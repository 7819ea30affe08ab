"""The TMDB rate limiter shared by several hosts through Redis (``tmdb.limiter = "redis://..."``).

TMDB limits requests per IP address, not per host: hosts behind one IP (a seedbox and a NAS,
containers behind one NAT) must share ``tmdb.rate`` between them. Each acquisition is ONE Lua
script run atomically by Redis: the same sliding log as the state DB's limiter
(:mod:`shelver.plugins.tmdb.ratelimit`: never more than N requests in any W seconds), kept in a
sorted set, timed by the Redis server's clock (hosts' clocks may differ). A 429 halves the usable
rate and stores the ``Retry-After`` block in Redis for every host (another script), and the rate
recovers as the local limiter's does; ``tmdb.share`` counts this instance's own tokens against
those of any other, on any host.

When Redis cannot be reached, at start or mid-run, one warning line says so and this limiter
falls back to the host's own limiter (the state DB) at ``1/tmdb.expected_hosts`` of the rate:
with every host fallen back, together they stay within the rate. Mid-run, it first waits one
window: the tokens the hosts took through Redis just before are then out of TMDB's window. A
limiter that fell back stays on the local one until its run ends (hosts going back to Redis one
by one would overlap with those still on their share). The URL's password is never shown.
"""

from __future__ import annotations

import logging
import math
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from shelver.api import ConfigError, shown_url
from shelver.plugins.tmdb.ratelimit import MIN_FACTOR, RECOVERY_STEP, Rate, RateLimiter

log = logging.getLogger("shelver.tmdb")

SCHEMES = ("redis", "rediss", "unix")
KEY_PREFIX = "shelver:tmdb:"
TIMEOUT = 2.0  # seconds for a connection or a reply: a Redis that hangs counts as down

_NOW = """
if redis.replicate_commands then redis.replicate_commands() end  -- TIME before writes (Redis < 5)
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
else
  now = tonumber(ARGV[1])
end
"""

_FACTOR = """
local function effective(factor, penalised_at, now, period)
  if factor >= 1.0 then return 1.0 end
  return math.min(1.0, factor + RECOVERY_STEP * math.floor(math.max(0, now - penalised_at) / period))
end
""".replace("RECOVERY_STEP", repr(RECOVERY_STEP))

# KEYS: the log of every token, this owner's log, the state hash.
# ARGV: now ('' = the server's clock), window, requests, share, member, max_block, period.
# Returns {'ok'} | {'wait', seconds} | {'blocked', seconds, until}.
ACQUIRE = _NOW + _FACTOR + """
local window, requests, share = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local member, max_block, period = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
local state = redis.call('HMGET', KEYS[3], 'factor', 'penalised_at', 'blocked_until')
local factor = tonumber(state[1]) or 1.0
local penalised_at = tonumber(state[2]) or 0.0
local blocked = tonumber(state[3]) or 0.0
if now < blocked then
  if blocked - now > max_block then
    blocked = now + max_block
    redis.call('HSET', KEYS[3], 'blocked_until', tostring(blocked))
  end
  return {'blocked', tostring(blocked - now), tostring(blocked)}
end
local capacity = math.max(1, math.floor(requests * effective(factor, penalised_at, now, period)))
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local wait = 0
if count >= capacity then
  local row = redis.call('ZRANGE', KEYS[1], count - capacity, count - capacity, 'WITHSCORES')
  wait = tonumber(row[2]) + window - now
end
if share < 1.0 and wait <= 0 then
  local own = redis.call('ZCARD', KEYS[2])
  local own_capacity = math.max(1, math.floor(capacity * share))
  if count > own and own >= own_capacity then
    local row = redis.call('ZRANGE', KEYS[2], own - own_capacity, own - own_capacity, 'WITHSCORES')
    wait = tonumber(row[2]) + window - now
  end
end
if wait > 0 then
  return {'wait', tostring(wait)}
end
redis.call('ZADD', KEYS[1], now, member)
redis.call('ZADD', KEYS[2], now, member)
local ttl = math.ceil((window + max_block) * 1000)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return {'ok'}
"""

# KEYS: the state hash. ARGV: now ('' = the server's clock), retry_after, max_block, period.
# Returns the end of the block (server clock).
PENALISE = _NOW + _FACTOR + """
local retry, max_block, period = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'factor', 'penalised_at', 'blocked_until')
local factor = tonumber(state[1]) or 1.0
local penalised_at = tonumber(state[2]) or 0.0
local blocked = tonumber(state[3]) or 0.0
local current = effective(factor, penalised_at, now, period)
local wait = math.min(math.max(0, retry), max_block)
if blocked - now > max_block then blocked = 0 end
local block_end = math.max(blocked, now + wait)
redis.call('HSET', KEYS[1], 'factor', tostring(math.max(MIN_FACTOR, current / 2)),
           'penalised_at', tostring(now), 'blocked_until', tostring(block_end))
redis.call('HINCRBY', KEYS[1], 'throttled', 1)
redis.call('EXPIRE', KEYS[1], 86400)
return tostring(block_end)
""".replace("MIN_FACTOR", repr(MIN_FACTOR))


def check_url(url: str, where: str, empty: str = "the state DB's limiter") -> None:
    """Raise ConfigError, naming ``where`` (the setting and its file), unless ``url`` is a Redis
    URL redis-py can use: ``redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]``, ``rediss://...`` (TLS)
    or ``unix:///PATH[?db=N]``. ``empty`` says what ``""`` gives instead. The password is never
    shown."""
    shown = shown_url(url)
    problem = None
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    try:
        port_ok = parts is not None and (parts.port is None or 0 < parts.port < 65536)
    except ValueError:  # not a number, or out of range
        port_ok = False
    if parts is None or parts.scheme not in SCHEMES:
        problem = "it is not a Redis URL"
    elif not port_ok:
        problem = "its port is not a number from 1 to 65535"
    elif parts.scheme == "unix":
        if not parts.path:
            problem = "a unix:// URL needs the socket's path"
    elif not parts.hostname:
        problem = "it names no host"
    elif parts.path.strip("/") and not parts.path.strip("/").isdigit():
        problem = "the database after the host must be a number (redis://HOST:PORT/0)"
    if problem:
        raise ConfigError(f'{where}: {shown!r} cannot be used: {problem}; write '
                          f'"redis://HOST:PORT/DB", or "" for {empty}')


def open_client(url: str) -> Any:
    """A redis-py client for ``url`` (checked by :func:`check_url`) whose connections and replies
    time out after :data:`TIMEOUT`; it connects on its first command."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)


def redis_errors() -> tuple[type[BaseException], ...]:
    """What a redis-py command raises when Redis is down, hangs or answers nonsense."""
    import redis

    return (redis.RedisError, OSError)


def reason(exc: BaseException, url: str) -> str:
    """The first line of ``exc`` for a warning, ``url``'s password replaced by ``***``."""
    text = str(exc) or type(exc).__name__
    secret = urlsplit(url).password
    if secret:
        text = text.replace(secret, "***")
    lines = text.splitlines()
    return lines[0][:200] if lines else "no answer"


def fallback_rate(rate: Rate, hosts: int) -> Rate:
    """``rate`` divided between ``hosts``: what one host may spend while Redis is down."""
    if hosts <= 1:
        return rate
    requests = rate.requests // hosts
    if requests >= 1:
        return Rate(requests, rate.window)
    return Rate(1, rate.window * hosts / rate.requests)


class RedisRateLimiter(RateLimiter):
    """:class:`RateLimiter`'s interface (``try_acquire``, ``penalise``, ``acquire``...) over
    Redis; the inherited state-DB limiter, at :func:`fallback_rate`, is the fall-back."""

    def __init__(self, url: str, db_path: Path | str, rate: Rate, *, expected_hosts: int = 2,
                 owner: str | None = None, share: float = 1.0, max_block: float = 300.0,
                 bucket: str = "tmdb", where: str = "tmdb.limiter") -> None:
        check_url(url, where)
        self.full_rate = rate
        self.expected_hosts = max(1, int(expected_hosts))
        super().__init__(db_path, fallback_rate(rate, self.expected_hosts), bucket=bucket,
                         owner=owner, share=share, max_block=max_block)
        self.url = url
        self.shown = shown_url(url)
        owner_name = f"{socket.gethostname()}/{owner or self.owner}"
        self.keys = [f"{KEY_PREFIX}{bucket}:log", f"{KEY_PREFIX}{bucket}:own:{owner_name}",
                     f"{KEY_PREFIX}{bucket}:state"]
        self.fell_back = False
        self._falling = threading.Lock()
        self.hold_until = 0.0  # after a fall-back mid-run: nothing before this (local clock)
        self._errors = redis_errors()
        self._redis = open_client(url)
        self._acquire = self._redis.register_script(ACQUIRE)
        self._penalise = self._redis.register_script(PENALISE)
        try:
            self._redis.ping()
        except self._errors as exc:
            self._fall_back(exc, started=True)

    @property
    def window(self) -> float:
        # As the local limiter: a token comes back a little after W (requests on the wire).
        return self.full_rate.window + min(0.25, 0.02 * self.full_rate.window)

    def _fall_back(self, exc: BaseException, *, started: bool = False) -> None:
        with self._falling:  # workers meet the error together: one warning, one hold
            if self.fell_back:
                return
            self.fell_back = True
            if not started:  # what the hosts took through Redis leaves TMDB's window first
                self.hold_until = time.time() + self.window
            local = self.rate
            log.warning("TMDB rate limiter: Redis at %s %s (%s): using this host's limiter at "
                        "1/%d of tmdb.rate (%d/%gs, tmdb.expected_hosts = %d)%s", self.shown,
                        "cannot be reached" if started else "stopped answering",
                        reason(exc, self.url),
                        self.expected_hosts, local.requests, local.window, self.expected_hosts,
                        "" if started else f" after waiting {self.window:g} s")

    def try_acquire(self, now: float | None = None) -> float:
        if not self.fell_back:
            try:
                answer = self._acquire(keys=self.keys, args=[
                    "" if now is None else repr(now), repr(self.window),
                    self.full_rate.requests, repr(self.share), uuid.uuid4().hex,
                    repr(self.max_block), repr(self._period)])
            except self._errors as exc:
                self._fall_back(exc)
            else:
                kind = _text(answer[0])
                self.blocked_until = 0.0
                if kind == "ok":
                    return 0.0
                wait = float(_text(answer[1]))
                if kind == "blocked":  # its end on the server's clock: the same for every try
                    self.blocked_until = float(_text(answer[2]))
                return max(wait, 0.001)
        local_now = time.time() if now is None else now
        if local_now < self.hold_until:
            return self.hold_until - local_now
        return super().try_acquire(now)

    @property
    def _period(self) -> float:
        return max(30.0, 3 * self.full_rate.window)

    def penalise(self, retry_after: float, now: float | None = None) -> None:
        if not self.fell_back:
            wait = retry_after if math.isfinite(retry_after) else self.max_block
            try:
                block_end = self._penalise(keys=self.keys[2:], args=[
                    "" if now is None else repr(now), repr(max(0.0, wait)),
                    repr(self.max_block), repr(self._period)])
                self._own_block = float(_text(block_end))  # not announced as another's block
                return
            except self._errors as exc:
                self._fall_back(exc)
        super().penalise(retry_after, now)

    def current_factor(self, now: float | None = None) -> float:
        if self.fell_back:
            return super().current_factor(now)
        try:
            factor, penalised_at = self._redis.hmget(self.keys[2], ["factor", "penalised_at"])
            server_now = now if now is not None else _server_time(self._redis)
        except self._errors:
            return super().current_factor(now)
        if factor is None:
            return 1.0
        return self._effective_factor(float(factor), float(penalised_at or 0.0), server_now)

    def _effective_factor(self, factor: float, penalised_at: float, now: float) -> float:
        if factor >= 1.0:
            return 1.0
        steps = max(0.0, now - penalised_at) / self._period
        return min(1.0, factor + RECOVERY_STEP * int(steps))

    def close(self) -> None:
        try:
            self._redis.close()
        finally:
            super().close()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _server_time(client: Any) -> float:
    seconds, micros = client.time()
    return float(seconds) + float(micros) / 1e6


__all__ = ["RedisRateLimiter", "check_url", "fallback_rate", "open_client", "reason",
           "redis_errors", "shown_url"]
