"""``tmdb.limiter = "redis://..."``: the TMDB rate shared by several hosts through a REAL
``redis-server`` on loopback (installed with apt-get when missing; skipped, with the reason,
only when it cannot be)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import shelver
from redishelp import PASSWORD, RedisServer, install_redis, shared_server
from shelver.api import ConfigError
from shelver.plugins.tmdb.ratelimit import Rate
from shelver.plugins.tmdb.redislimit import RedisRateLimiter, fallback_rate, shown_url


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    yield from shared_server(tmp_path_factory)  # one password-protected server (redishelp)


@pytest.fixture
def flushed(redis_server: RedisServer) -> RedisServer:
    import redis

    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    client.close()
    return redis_server


# Run in a child process (a host of its own: its own state DB): takes tokens for `seconds`,
# prints the wall-clock time of each.
CHILD = """
import json, sys, time
from shelver.plugins.tmdb.ratelimit import Rate
from shelver.plugins.tmdb.redislimit import RedisRateLimiter
url, db, owner, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
limiter = RedisRateLimiter(url, db, Rate(6, 1.0), owner=owner)
print("ready", flush=True)
start = float(sys.stdin.readline())  # the same instant for both hosts
while time.time() < start:
    time.sleep(0.005)
granted = []
while time.time() < start + seconds:
    wait = limiter.try_acquire()
    if wait <= 0:
        granted.append(time.time())
    else:
        time.sleep(min(wait, 0.05))
limiter.close()
print(json.dumps({"granted": granted, "fell_back": limiter.fell_back}))
"""


def most_in_any_window(times: list[float], window: float) -> int:
    times = sorted(times)
    most, first = 0, 0
    for last, t in enumerate(times):
        while t - times[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


@pytest.mark.slow
def test_two_processes_sharing_one_redis_never_exceed_the_rate_together(
        flushed: RedisServer, tmp_path: Path) -> None:
    children = [subprocess.Popen(
        [sys.executable, "-c", CHILD, flushed.url, str(tmp_path / f"host{n}.db"), f"host{n}",
         "2.5"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in (1, 2)]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    start = time.time() + 0.1
    for child in children:
        assert child.stdin is not None
        child.stdin.write(f"{start!r}\n")
        child.stdin.close()
    answers = []
    for child in children:
        assert child.stdout is not None and child.stderr is not None
        out, err = child.stdout.read(), child.stderr.read()
        assert child.wait(timeout=60) == 0, err
        answers.append(json.loads(out))
    assert not any(a["fell_back"] for a in answers)
    granted = [t for a in answers for t in a["granted"]]
    assert all(a["granted"] for a in answers)  # both hosts were served
    # Never more than 6 in any second, both hosts together (each alone would take 6 too).
    assert most_in_any_window(granted, 1.0) <= 6
    # And the shared budget was used: 6 at once, 6 more a window later, 6 more (at 2.04 s).
    assert len(granted) >= 12


def test_a_429_blocks_and_slows_every_host(flushed: RedisServer, tmp_path: Path) -> None:
    first = RedisRateLimiter(flushed.url, tmp_path / "a.db", Rate(10, 1.0), owner="a")
    second = RedisRateLimiter(flushed.url, tmp_path / "b.db", Rate(10, 1.0), owner="b")
    try:
        assert second.try_acquire() == 0.0
        first.penalise(2.0)  # TMDB answered 429 with Retry-After: 2 on the first host
        wait = second.try_acquire()
        assert 1.5 < wait <= 2.0  # the other host waits for the same block
        assert second.blocked_until > 0
        assert second.current_factor() == pytest.approx(0.5)
    finally:
        first.close()
        second.close()


def test_redis_stopped_mid_run_falls_back_to_a_share_of_the_rate(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    why = install_redis()
    if why:
        pytest.skip(why)
    server = RedisServer(tmp_path / "redis", password=PASSWORD).start()
    limiter = RedisRateLimiter(server.url, tmp_path / "host.db", Rate(10, 1.0), owner="host",
                               expected_hosts=2)
    try:
        assert [limiter.try_acquire() for _ in range(10)] == [0.0] * 10
        assert limiter.try_acquire() > 0  # Redis counts the window
        server.stop()
        with caplog.at_level(logging.WARNING, logger="shelver.tmdb"):
            # Workers (threads) meet the dead Redis together: one warning, one hold for all.
            holds: list[float] = []
            threads = [threading.Thread(target=lambda: holds.append(limiter.try_acquire()))
                       for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert len(holds) == 4 and all(h > 0.5 for h in holds)
            hold = limiter.try_acquire()
            assert limiter.fell_back
            assert 0.9 < hold <= 1.03  # one window: the tokens taken through Redis expire first
            time.sleep(hold)
            granted = []
            end = time.time() + 2.0
            while time.time() < end:
                wait = limiter.try_acquire()
                if wait <= 0:
                    granted.append(time.time())
                else:
                    time.sleep(min(wait, 0.05))
        assert limiter.rate == Rate(5, 1.0)  # 1/tmdb.expected_hosts of 10/1s
        assert most_in_any_window(granted, 1.0) <= 5
        assert len(granted) >= 8
        lines = [r.getMessage() for r in caplog.records]
        assert len(lines) == 1, lines  # one line, not one per request
        assert "Redis at redis://***@127.0.0.1:" in lines[0]
        assert "stopped answering" in lines[0] and "1/2 of tmdb.rate (5/1s" in lines[0]
        assert PASSWORD not in caplog.text
    finally:
        limiter.close()
        server.stop()


def test_redis_unreachable_at_start_warns_once_and_uses_the_local_share(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from redishelp import free_port

    url = f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0"  # nobody listens there
    with caplog.at_level(logging.WARNING, logger="shelver.tmdb"):
        limiter = RedisRateLimiter(url, tmp_path / "host.db", Rate(40, 10.0), expected_hosts=3)
        try:
            assert limiter.fell_back
            assert limiter.rate == Rate(13, 10.0)
            assert [limiter.try_acquire() for _ in range(13)] == [0.0] * 13  # no hold at start
            assert limiter.try_acquire() > 0
        finally:
            limiter.close()
    assert len(caplog.records) == 1
    assert "cannot be reached" in caplog.text and PASSWORD not in caplog.text


def test_fallback_rate_and_shown_url() -> None:
    assert fallback_rate(Rate(35, 10.0), 2) == Rate(17, 10.0)
    assert fallback_rate(Rate(35, 10.0), 1) == Rate(35, 10.0)
    assert fallback_rate(Rate(2, 1.0), 4) == Rate(1, 2.0)
    assert shown_url("redis://user:pw@host:6379/2") == "redis://***@host:6379/2"
    assert shown_url("redis://host:6379/0") == "redis://host:6379/0"


@pytest.mark.parametrize(("url", "problem"), [
    ("http://127.0.0.1:6379/0", "it is not a Redis URL"),
    ("redis://:pw-not-shown@127.0.0.1:99999/0", "its port is not a number from 1 to 65535"),
    ("redis://127.0.0.1:6379/zero", "the database after the host must be a number"),
    ("redis://", "it names no host"),
])
def test_a_bad_limiter_url_is_a_clear_error(tmp_path: Path, url: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        RedisRateLimiter(url, tmp_path / "x.db", Rate(1, 1.0), where="tmdb.limiter in p.toml")
    message = str(caught.value)
    assert message.startswith("tmdb.limiter in p.toml: ") and problem in message, message
    assert "pw-not-shown" not in message


@pytest.mark.parametrize("setting, url, said", [
    ("limiter", "redis://:pw-not-shown@nas:port/0",
     "'redis://***@nas/0' cannot be used: its port is not a number from 1 to 65535; write "
     '"redis://HOST:PORT/DB", or "" for the state DB\'s limiter'),
    ("cache", "http://:pw-not-shown@nas:6379/0",
     "'http://***@nas:6379/0' cannot be used: it is not a Redis URL; write "
     '"redis://HOST:PORT/DB", or "" for this host\'s cache alone (the state DB)'),
])
def test_profile_check_names_a_bad_redis_url(make_profile: Any, setting: str, url: str,
                                             said: str) -> None:
    profile = make_profile(tmdb={setting: url})
    proc = shelver("profile", "check", "-p", str(profile))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        f"shelver: error: tmdb.{setting} in {profile}: {said}")
    assert "pw-not-shown" not in proc.stderr + proc.stdout


def test_expected_hosts_must_be_a_whole_number(tmp_path: Path, make_profile: Any) -> None:
    profile = make_profile(tmdb={"expected_hosts": 0})
    proc = shelver("profile", "check", "-p", str(profile))
    assert proc.returncode == 2
    assert "tmdb.expected_hosts = 0 must be a whole number of hosts, at least 1" in proc.stderr


def test_a_run_takes_its_tokens_from_redis(flushed: RedisServer, make_profile: Any,
                                           tmp_path: Path, video: Any) -> None:
    import redis

    video(tmp_path / "downloads" / "The.Matrix.1999.1080p.BluRay.x264-GRP.mkv", 8160)
    profile = make_profile(tmdb={"limiter": flushed.url})
    proc = shelver("run", "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    client = redis.Redis.from_url(flushed.url)
    try:
        assert client.zcard("shelver:tmdb:tmdb:log") >= 2  # the search and the details
    finally:
        client.close()
    assert PASSWORD not in proc.stderr + proc.stdout
