"""The TMDB client, its cache and the host-wide rate limiter, against the loopback look-alike."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
import trio
from shelver.errors import ConfigError, ItemError, NotFoundError
from shelver.plugins.tmdb.cache import (
    DAY,
    ResponseCache,
    cache_key,
    max_age_for,
    migrate_tmdb_tables,
    release_date_of,
)
from shelver.plugins.tmdb.client import TMDBClient
from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB
from shelver.plugins.tmdb.ratelimit import RateLimiter, parse_rate

KEY = "s3cret-key-0123456789"
TOKEN = "s3cret-token-abcdefghij"

SNAPSHOT: dict[str, Any] = {
    "movies": {
        "603": {
            "id": 603,
            "title": "The Matrix",
            "original_title": "The Matrix",
            "release_date": "1999-03-30",
            "popularity": 80.0,
            "runtime": 136,
            "external_ids": {"imdb_id": "tt0133093"},
        },
        "604": {
            "id": 604,
            "title": "The Matrix Reloaded",
            "original_title": "The Matrix Reloaded",
            "release_date": "2003-05-15",
            "popularity": 40.0,
            "runtime": 138,
        },
    },
    "tv": {},
    "seasons": {},
}


@pytest.fixture
def fake() -> Iterator[FakeTMDB]:
    with FakeTMDB(SNAPSHOT, api_key=KEY, read_token=TOKEN) as server:
        yield server


def client_for(base_url: str, db: Path, **kw: Any) -> TMDBClient:
    kw.setdefault("api_key", KEY)
    kw.setdefault("rate", "1000/1s")
    kw.setdefault("backoff_base", 0.01)
    return TMDBClient(base_url, db_path=db, **kw)


# ---------------------------------------------------------------------------------------------
# Client
# ---------------------------------------------------------------------------------------------


async def test_get_then_cache_hit(fake: FakeTMDB, tmp_path: Path) -> None:
    async with client_for(fake.base_url, tmp_path / "state.db") as client:
        first = await client.get("/movie/603", {"language": "en-US"})
        second = await client.get("/movie/603", {"language": "en-US"})
    assert first["title"] == second["title"] == "The Matrix"
    assert fake.count() == 1 and client.requests_made == 1 and client.cache_hits == 1


async def test_cache_is_shared_through_the_db(fake: FakeTMDB, tmp_path: Path) -> None:
    async with client_for(fake.base_url, tmp_path / "state.db") as client:
        await client.get("/movie/603")
    async with client_for(fake.base_url, tmp_path / "state.db") as other:
        await other.get("/movie/603")
        assert other.requests_made == 0
    assert fake.count() == 1


async def test_stale_entry_revalidates_with_etag(fake: FakeTMDB, tmp_path: Path) -> None:
    async with client_for(fake.base_url, tmp_path / "state.db") as client:
        body = await client.get("/movie/603")
        again = await client.get("/movie/603", max_age=0)
    assert again == body
    assert fake.count(status=200) == 1 and fake.count(status=304) == 1


async def test_singleflight(fake: FakeTMDB, tmp_path: Path) -> None:
    results: list[dict[str, Any]] = []
    async with client_for(fake.base_url, tmp_path / "state.db") as client:

        async def one() -> None:
            results.append(await client.get("/tv/1396".replace("tv/1396", "movie/604")))

        async with trio.open_nursery() as nursery:
            for _ in range(50):
                nursery.start_soon(one)
    assert len(results) == 50 and all(r["id"] == 604 for r in results)
    assert fake.count() == 1


async def test_bearer_token(fake: FakeTMDB, tmp_path: Path) -> None:
    async with client_for(
        fake.base_url, tmp_path / "state.db", api_key=None, read_token=TOKEN
    ) as client:
        await client.get("/movie/603")
    assert fake.requests[-1].auth == "bearer"


@pytest.mark.parametrize(
    ("kw", "setting"),
    [
        ({"api_key": "wrong-key-xyz"}, "tmdb.api_key"),
        ({"api_key": None, "read_token": "wrong-token-xyz"}, "tmdb.read_token"),
        ({"api_key": "wrong-key-xyz", "setting": "TMDB_API_KEY (environment)"}, "TMDB_API_KEY"),
    ],
)
async def test_401_is_a_config_error_naming_the_setting(
    fake: FakeTMDB, tmp_path: Path, kw: dict[str, Any], setting: str
) -> None:
    async with client_for(fake.base_url, tmp_path / "state.db", **kw) as client:
        with pytest.raises(ConfigError) as info:
            await client.check_credentials()
        assert setting in str(info.value)
        assert "wrong" not in str(info.value)
        assert client.requests_made == 1  # never retried
    assert fake.count(status=401) == 1


async def test_check_credentials_is_one_request(fake: FakeTMDB, tmp_path: Path) -> None:
    async with client_for(fake.base_url, tmp_path / "state.db") as client:
        configuration = await client.check_credentials()
    assert "images" in configuration
    assert fake.count() == 1


async def test_404_is_not_found_and_remembered(fake: FakeTMDB, tmp_path: Path) -> None:
    async with client_for(fake.base_url, tmp_path / "state.db") as client:
        for _ in range(2):
            with pytest.raises(NotFoundError):
                await client.get("/movie/999999")
    assert fake.count(status=404) == 1


async def test_5xx_are_retried(tmp_path: Path) -> None:
    with FakeTMDB(SNAPSHOT, api_key=KEY, fail_ratio=0.5, seed=3) as fake:
        async with client_for(fake.base_url, tmp_path / "state.db", max_retries=8) as client:
            for page in range(1, 11):
                await client.get("/search/movie", {"query": "matrix", "page": page})
        assert fake.count(status=503) > 0
        assert fake.count(status=200) == 10
        assert client.requests_made == fake.count()


async def test_retries_are_bounded(tmp_path: Path) -> None:
    with FakeTMDB(SNAPSHOT, api_key=KEY, fail_ratio=1.0) as fake:
        async with client_for(fake.base_url, tmp_path / "state.db", max_retries=3) as client:
            with pytest.raises(ItemError, match="503"):
                await client.get("/movie/603")
        assert fake.count() == 4


async def test_connection_errors_retry_and_never_show_the_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeTMDB(SNAPSHOT, api_key=KEY)
    base_url = fake.start()
    fake.stop()  # nothing listens there any more
    caplog.set_level(logging.DEBUG)
    async with client_for(base_url, tmp_path / "state.db", max_retries=2) as client:
        with pytest.raises(ItemError) as info:
            await client.get("/movie/603")
        assert client.requests_made == 3
    assert KEY not in str(info.value)
    assert KEY not in caplog.text


async def test_429_honours_retry_after_and_lowers_the_rate(tmp_path: Path) -> None:
    with FakeTMDB(SNAPSHOT, api_key=KEY, rate_limit=(4, 1.0)) as fake:
        async with client_for(fake.base_url, tmp_path / "state.db", rate="50/1s") as client:
            start = time.monotonic()
            async with trio.open_nursery() as nursery:
                for page in range(1, 9):
                    nursery.start_soon(
                        client.get, "/search/movie", {"query": "matrix", "page": page}
                    )
            assert time.monotonic() - start >= 1.0  # waited for Retry-After
            assert client.throttled >= 1
            assert client.limiter.current_factor() < 1.0
        assert fake.count(status=200) == 8


async def test_configured_rate_causes_no_429(tmp_path: Path) -> None:
    # The server counts 5 per 0.9 s where the client sends 5 per 1 s: the client counts when a
    # request leaves, the server when it arrives, and on a busy machine arrivals jitter by tens
    # of milliseconds (at exactly equal rates this failed about one run in ten). The elapsed
    # time below still checks the client keeps to its own rate.
    with FakeTMDB(SNAPSHOT, api_key=KEY, rate_limit=(5, 0.9)) as fake:
        async with client_for(fake.base_url, tmp_path / "state.db", rate="5/1s") as client:
            start = time.monotonic()
            async with trio.open_nursery() as nursery:
                for page in range(1, 13):
                    nursery.start_soon(
                        client.get, "/search/movie", {"query": "matrix", "page": page}
                    )
            elapsed = time.monotonic() - start
        assert fake.count(status=429) == 0
        assert fake.count(status=200) == 12
        assert 2.0 <= elapsed < 6.0  # 12 requests at 5/s: the third window, not much later


async def test_key_never_stored(fake: FakeTMDB, tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    async with client_for(fake.base_url, db) as client:
        await client.get("/movie/603")
        await client.get("/search/movie", {"query": "matrix"})
        with pytest.raises(NotFoundError):
            await client.get("/movie/1")
    for path in tmp_path.iterdir():
        assert KEY.encode() not in path.read_bytes()


# ---------------------------------------------------------------------------------------------
# Cache
# ---------------------------------------------------------------------------------------------


def test_cache_key_drops_credentials_and_sorts() -> None:
    assert (
        cache_key("/search/movie", {"year": 1999, "query": "x", "api_key": KEY})
        == "/search/movie?query=x&year=1999"
    )
    assert cache_key("/movie/603", {}) == "/movie/603"


@pytest.mark.parametrize(
    ("age_days", "expected_days"),
    [(-30, 3), (0, 3), (10, 3), (90, 14), (300, 14), (400, 90), (3000, 180)],
)
def test_max_age_for(age_days: int, expected_days: float) -> None:
    today = dt.date(2024, 6, 1)
    released = today - dt.timedelta(days=age_days)
    assert max_age_for(released.isoformat(), today=today) == expected_days * DAY
    assert max_age_for(None) == 3 * DAY


def test_release_date_of() -> None:
    assert release_date_of({"release_date": "1999-03-30"}) == "1999-03-30"
    assert (
        release_date_of(
            {"first_air_date": "2008-01-20", "last_air_date": "2013-09-29", "in_production": False}
        )
        == "2013-09-29"
    )
    season = {
        "air_date": "2012-07-15",
        "episodes": [{"air_date": "2012-07-15"}, {"air_date": "2013-09-29"}],
    }
    assert release_date_of(season) == "2013-09-29"
    assert release_date_of({"results": []}) is None


def test_cache_roundtrip_and_freshness(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "state.db")
    old = time.time() - 10 * DAY
    cache.store(
        "/movie/603",
        "/movie/603",
        {"api_key": KEY},
        200,
        {"release_date": "1999-03-30"},
        'W/"abc"',
        fetched_at=old,
    )
    entry = cache.lookup("/movie/603")
    assert entry is not None and entry.etag == 'W/"abc"' and entry.status == 200
    assert entry.fresh()  # a 1999 film: months between refreshes
    cache.store(
        "/movie/1",
        "/movie/1",
        {},
        200,
        {"release_date": dt.date.today().isoformat()},
        None,
        fetched_at=old,
    )
    assert not cache.lookup("/movie/1").fresh()  # type: ignore[union-attr]
    cache.touch("/movie/1")
    assert cache.lookup("/movie/1").fresh()  # type: ignore[union-attr]
    rows = list(sqlite_utils.Database(tmp_path / "state.db")["tmdb_cache"].rows)
    assert all(KEY not in json.dumps(row) for row in rows)
    cache.close()


def test_migration_is_idempotent(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "state.db")
    migrate_tmdb_tables(db)
    migrate_tmdb_tables(db)
    assert {"tmdb_cache", "tmdb_rate_log", "tmdb_rate_state"} <= set(db.table_names())


# ---------------------------------------------------------------------------------------------
# Rate limiter
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "requests", "window"),
    [
        ("35/10s", 35, 10.0),
        ("40/1s", 40, 1.0),
        ("100/1m", 100, 60.0),
        ("3/s", 3, 1.0),
        (" 20 / 2 ", 20, 2.0),
        ("1000/1h", 1000, 3600.0),
    ],
)
def test_parse_rate(text: str, requests: int, window: float) -> None:
    rate = parse_rate(text)
    assert (rate.requests, rate.window) == (requests, window)


@pytest.mark.parametrize("text", ["", "35", "abc/10s", "35/10x", "0/1s", "35/0s", "-1/1s"])
def test_parse_rate_errors_name_the_setting(text: str) -> None:
    with pytest.raises(ConfigError, match="tmdb.rate"):
        parse_rate(text)


def test_bucket_window(tmp_path: Path) -> None:
    limiter = RateLimiter(tmp_path / "state.db", "3/10s")
    now = 1_000_000.0
    assert [limiter.try_acquire(now + i * 0.1) for i in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.try_acquire(now + 0.3)
    assert 9.7 <= wait <= 10.0  # the first token comes back W (plus a hair) after it was spent
    assert limiter.try_acquire(now + 10.25) == 0.0
    assert limiter.try_acquire(now + 10.26) == pytest.approx(0.04)


def test_penalty_halves_then_recovers(tmp_path: Path) -> None:
    limiter = RateLimiter(tmp_path / "state.db", "10/1s")
    now = 2_000_000.0
    limiter.penalise(2.0, now=now)
    assert limiter.current_factor(now) == 0.5
    assert limiter.try_acquire(now + 1.0) == pytest.approx(1.0)  # Retry-After holds everyone
    granted = sum(limiter.try_acquire(now + 2.0 + i * 0.001) == 0.0 for i in range(10))
    assert granted == 5
    assert limiter.current_factor(now + 31) == pytest.approx(0.6)
    assert limiter.current_factor(now + 3600) == 1.0


def test_share(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    backlog = RateLimiter(db, "10/1s", owner="backlog", share=0.3)
    new = RateLimiter(db, "10/1s", owner="new")
    now = 3_000_000.0
    # Alone, the backlog may use the whole rate ...
    assert sum(backlog.try_acquire(now) == 0.0 for _ in range(12)) == 10
    # ... but once new downloads use TMDB, it keeps to its share of each window.
    later = now + 2.0
    assert new.try_acquire(later) == 0.0
    assert sum(backlog.try_acquire(later) == 0.0 for _ in range(10)) == 3
    assert sum(new.try_acquire(later) == 0.0 for _ in range(10)) == 6
    with pytest.raises(ConfigError):
        RateLimiter(db, "10/1s", share=1.5)


async def test_acquire_under_trio(tmp_path: Path) -> None:
    limiter = RateLimiter(tmp_path / "state.db", "5/0.5s")
    start = time.monotonic()
    for _ in range(10):
        await limiter.acquire()
    assert time.monotonic() - start >= 0.5


CHILD = textwrap.dedent(
    """
    import sys, time, json
    from shelver.plugins.tmdb.ratelimit import RateLimiter
    limiter = RateLimiter(sys.argv[1], "10/1s", owner=sys.argv[2])
    stamps = []
    while len(stamps) < 15:
        wait = limiter.try_acquire()
        if wait:
            time.sleep(wait)
        else:
            stamps.append(time.time())
    print(json.dumps(stamps))
    """
)


def test_shared_across_processes(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    RateLimiter(db, "10/1s").close()  # tables exist before the race
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db), f"p{i}"], stdout=subprocess.PIPE, text=True
        )
        for i in range(2)
    ]
    stamps = sorted(t for child in children for t in json.loads(child.communicate(timeout=60)[0]))
    assert len(stamps) == 30
    for i, start in enumerate(stamps):
        in_window = [t for t in stamps[i:] if t < start + 0.97]  # stamps are taken late
        assert len(in_window) <= 10
    assert stamps[-1] - stamps[0] >= 2.0
    with sqlite3.connect(db) as conn:  # old tokens are pruned, the log stays small
        assert conn.execute("SELECT COUNT(*) FROM tmdb_rate_log").fetchone()[0] <= 10
