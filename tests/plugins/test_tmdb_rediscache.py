"""``tmdb.cache = "redis://..."``: the TMDB response cache shared by several hosts (each with its
own state DB) through a REAL ``redis-server`` on loopback, in front of the loopback look-alike,
which counts the requests that reach it."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import shelver
from redishelp import PASSWORD, RedisServer, free_port, install_redis, shared_server
from shelver.api import ConfigError, NotFoundError
from shelver.plugins.tmdb.cache import DAY, ResponseCache
from shelver.plugins.tmdb.client import TMDBClient
from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB
from shelver.plugins.tmdb.rediscache import CACHE_PREFIX

WHERE = "tmdb.cache in hosts.toml"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    yield from shared_server(tmp_path_factory)  # one password-protected server (redishelp)


@pytest.fixture
def flushed(redis_server: RedisServer) -> Iterator[Any]:
    """The shared Redis, emptied; yields a redis-py client of it for the test to look inside."""
    import redis

    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def fake() -> Iterator[FakeTMDB]:
    with FakeTMDB() as server:
        yield server


def host(fake: FakeTMDB, db: Path, cache_url: str) -> TMDBClient:
    """The client of one host: its own state DB, the shared Redis cache."""
    return TMDBClient(fake.base_url, api_key=fake.api_key, db_path=db, rate="1000/1s",
                      backoff_base=0.01, cache_url=cache_url, cache_setting=WHERE)


async def test_a_second_host_uses_what_the_first_fetched(
        fake: FakeTMDB, flushed: Any, redis_server: RedisServer, tmp_path: Path) -> None:
    async with host(fake, tmp_path / "seedbox.db", redis_server.url) as first:
        matrix = await first.get("/movie/603", {"language": "en-US"})
        with pytest.raises(NotFoundError):
            await first.get("/movie/999999999")
    assert fake.count() == 2

    async with host(fake, tmp_path / "nas.db", redis_server.url) as second:
        assert await second.get("/movie/603", {"language": "en-US"}) == matrix
        with pytest.raises(NotFoundError):  # a 404 is shared as well
            await second.get("/movie/999999999")
        assert second.requests_made == 0 and second.cache_hits == 2
        assert second.shared is not None and second.shared.hits == 2
    assert fake.count() == 2  # nothing more reached TMDB

    # The value: what the local cache holds, no credential, expiring when it stops being fresh
    # (a 1999 film: 180 days; a 404: a day).
    raw = flushed.get(CACHE_PREFIX + "/movie/603?language=en-US")
    value = json.loads(raw)
    assert value["status"] == 200 and value["body"]["title"] == "The Matrix"
    assert set(value) == {"status", "body", "etag", "fetched_at", "max_age"}
    assert fake.api_key not in raw.decode()
    assert 180 * DAY - 60 < flushed.ttl(CACHE_PREFIX + "/movie/603?language=en-US") <= 180 * DAY
    assert DAY - 60 < flushed.ttl(CACHE_PREFIX + "/movie/999999999") <= DAY

    # The second host kept it in its own state DB, with the age it had: Redis is not asked again.
    local = ResponseCache(tmp_path / "nas.db")
    try:
        entry = local.lookup("/movie/603?language=en-US")
        assert entry is not None and entry.body["title"] == "The Matrix"
        assert entry.fetched_at == value["fetched_at"]
        assert local.find_external("imdb_id", "tt0133093") == ("movie", 603)
    finally:
        local.close()
    flushed.flushdb()
    async with host(fake, tmp_path / "nas.db", redis_server.url) as again:
        await again.get("/movie/603", {"language": "en-US"})
        assert again.requests_made == 0 and again.shared is not None and again.shared.hits == 0
    assert fake.count() == 2


async def test_a_revalidation_is_not_answered_from_redis(
        fake: FakeTMDB, flushed: Any, redis_server: RedisServer, tmp_path: Path) -> None:
    async with host(fake, tmp_path / "a.db", redis_server.url) as first:
        await first.get("/movie/603")
    async with host(fake, tmp_path / "b.db", redis_server.url) as second:
        await second.get("/movie/603", max_age=0)  # a full scan asks TMDB itself
        assert second.requests_made == 1
    assert fake.count() == 2


async def test_redis_stopped_mid_run_warns_once_and_tmdb_answers(
        fake: FakeTMDB, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    why = install_redis()
    if why:
        pytest.skip(why)
    server = RedisServer(tmp_path / "redis", password=PASSWORD).start()
    try:
        async with host(fake, tmp_path / "host.db", server.url) as client:
            await client.get("/movie/603")
            server.stop()
            with caplog.at_level(logging.DEBUG):
                started = time.monotonic()
                for movie in ("/movie/604", "/movie/605", "/movie/604"):
                    assert (await client.get(movie))["id"] == int(movie.rsplit("/", 1)[1])
                took = time.monotonic() - started
            assert client.shared is not None and client.shared.off
            assert client.requests_made == 3  # 603, then 604 and 605 from TMDB; 604 again local
    finally:
        server.stop()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"{WHERE}: Redis at redis://***@127.0.0.1:{server.port}/0 "
                                  "stopped answering (")
    assert "not used for the rest of this run" in warnings[0]
    assert PASSWORD not in caplog.text and "Traceback" not in caplog.text
    assert took < 5.0


async def test_redis_unreachable_at_start_warns_once(
        fake: FakeTMDB, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0"  # nobody listens there
    with caplog.at_level(logging.DEBUG):
        async with host(fake, tmp_path / "host.db", url) as client:
            assert (await client.get("/movie/603"))["title"] == "The Matrix"
            assert (await client.get("/movie/604"))["id"] == 604
            assert (await client.get("/movie/603"))["title"] == "The Matrix"  # this host's cache
            assert client.requests_made == 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, warnings
    assert "cannot be reached" in warnings[0] and "redis://***@127.0.0.1:" in warnings[0]
    assert PASSWORD not in caplog.text


@pytest.mark.parametrize("junk", [b"not json", b'{"status": 200, "body": {}}', b"[1, 2]",
                                  b'{"status": 302, "body": {}, "fetched_at": 1e18}'])
async def test_a_value_that_is_not_an_entry_warns_once_and_is_not_used(
        fake: FakeTMDB, flushed: Any, redis_server: RedisServer, tmp_path: Path,
        caplog: pytest.LogCaptureFixture, junk: bytes) -> None:
    flushed.set(CACHE_PREFIX + "/movie/603", junk)
    flushed.rpush(CACHE_PREFIX + "/movie/604", b"a list, not a string")
    with caplog.at_level(logging.WARNING):
        async with host(fake, tmp_path / "host.db", redis_server.url) as client:
            assert (await client.get("/movie/603"))["title"] == "The Matrix"
            assert (await client.get("/movie/604"))["id"] == 604
            assert client.requests_made == 2 and client.shared is not None and client.shared.off
    assert len(caplog.records) == 1, caplog.text
    assert "answered something that is not a cached TMDB response" in caplog.text
    assert flushed.get(CACHE_PREFIX + "/movie/603") == junk  # off: nothing more written


async def test_a_redis_error_answer_warns_once(fake: FakeTMDB, flushed: Any,
                                               redis_server: RedisServer, tmp_path: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    flushed.rpush(CACHE_PREFIX + "/movie/603", b"a list, not a string")
    with caplog.at_level(logging.WARNING):
        async with host(fake, tmp_path / "host.db", redis_server.url) as client:
            assert (await client.get("/movie/603"))["title"] == "The Matrix"
            assert (await client.get("/movie/604"))["id"] == 604
            assert client.requests_made == 2
    assert len(caplog.records) == 1, caplog.text
    assert "answered with an error (WRONGTYPE" in caplog.text and PASSWORD not in caplog.text
    assert flushed.get(CACHE_PREFIX + "/movie/604") is None  # off: nothing more written


@pytest.mark.parametrize(("url", "problem"), [
    ("http://:pw-not-shown@127.0.0.1:6379/0", "it is not a Redis URL"),
    ("redis://127.0.0.1:6379/zero", "the database after the host must be a number"),
])
def test_a_bad_cache_url_is_a_clear_error(tmp_path: Path, url: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        TMDBClient("http://127.0.0.1:1", api_key="k", db_path=tmp_path / "x.db", cache_url=url,
                   cache_setting=WHERE)
    message = str(caught.value)
    assert message.startswith(f"{WHERE}: ") and problem in message, message
    assert message.endswith("""or "" for this host's cache alone (the state DB)""")
    assert "pw-not-shown" not in message


def test_two_hosts_runs_share_the_cache(flushed: Any, redis_server: RedisServer,
                                        make_profile: Any, tmdb_server: FakeTMDB,
                                        tmp_path: Path, video: Any) -> None:
    """Two profiles with separate state DBs (two hosts) naming one Redis: the second run asks
    TMDB nothing but its key check."""
    for name in ("seedbox", "nas"):
        video(tmp_path / name / "The.Matrix.1999.1080p.BluRay.x264-GRP.mkv", 8160)
        profile = make_profile(name, sources=[str(tmp_path / name)],
                               dest_dir=str(tmp_path / f"{name}-library"),
                               state_db=str(tmp_path / f"{name}.db"),
                               tmdb={"cache": redis_server.url})
        tmdb_server.reset_log()
        proc = shelver("run", "-p", str(profile), "--json")
        assert proc.returncode == 0, proc.stderr
        assert PASSWORD not in proc.stderr + proc.stdout
        lookups = [r.path for r in tmdb_server.requests if not r.path.endswith("/configuration")]
        if name == "seedbox":
            assert lookups, "the first host asks TMDB"
        else:
            assert lookups == [], lookups
    assert flushed.keys(CACHE_PREFIX + "/search/*")


def test_a_run_with_redis_unreachable_warns_once_and_finishes(make_profile: Any, tmp_path: Path,
                                                              video: Any) -> None:
    video(tmp_path / "downloads" / "The.Matrix.1999.1080p.BluRay.x264-GRP.mkv", 8160)
    port = free_port()
    url = f"redis://:{PASSWORD}@127.0.0.1:{port}/0"  # nobody listens there
    profile = make_profile(tmdb={"cache": url})
    proc = shelver("run", "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["status"] == "organised", proc.stdout
    warnings = [line for line in proc.stderr.splitlines() if "WARNING" in line]
    assert warnings == [
        f"shelver: WARNING: tmdb.cache in {profile}: Redis at redis://***@127.0.0.1:{port}/0 "
        f"cannot be reached (Error 111 connecting to 127.0.0.1:{port}. Connection refused.): the "
        "shared TMDB response cache is not used for the rest of this run, only this host's (the "
        "state DB)"], proc.stderr
    assert "Traceback" not in proc.stderr and PASSWORD not in proc.stderr + proc.stdout
