"""Hostile or malformed TMDB answers, at the unit level: the document check, the limits on an
answer's size and duration, the Retry-After cap, derived names within 255 bytes, and which
image hosts and paths artwork may use. The loopback look-alike serves the hostile answers
(``FakeTMDB.override``); the whole pipeline is covered in tests/e2e/test_tmdb_limits.py."""

from __future__ import annotations

import copy
import json
import logging
import math
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trio
from shelver.errors import ItemError
from shelver.names import fit_name, is_image_path
from shelver.plugins.artwork.images import artwork_targets
from shelver.plugins.mp4tags import tagger as mp4_tagger
from shelver.plugins.nfo import writer as nfo_writer
from shelver.plugins.tmdb.cache import RATE_STATE_TABLE
from shelver.plugins.tmdb.client import TMDBClient
from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB
from shelver.plugins.tmdb.matcher import MOVIE_APPEND, TV_APPEND
from shelver.plugins.tmdb.metadata import to_metadata
from shelver.plugins.tmdb.plugin import image_host_allowed
from shelver.plugins.tmdb.ratelimit import RateLimiter, active_block
from shelver.plugins.tmdb.validate import InvalidDocument, validate_document

KEY = "hostile-test-key-0123"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTMDB]:
    with FakeTMDB(api_key=KEY) as server:
        yield server


@pytest.fixture(autouse=True)
def _clean(fake: FakeTMDB) -> Iterator[None]:
    fake.clear_overrides()
    fake.reset_log()
    yield
    fake.clear_overrides()


def client_for(fake: FakeTMDB, db: Path, **kw: Any) -> TMDBClient:
    kw.setdefault("rate", "1000/1s")
    kw.setdefault("backoff_base", 0.01)
    return TMDBClient(fake.base_url, api_key=KEY, db_path=db, **kw)


def cached_paths(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT key FROM tmdb_cache")]


# ---------------------------------------------------------------------------------------------
# The document check
# ---------------------------------------------------------------------------------------------


def test_wrong_types_are_dropped_or_converted_and_named() -> None:
    body = {"id": 603, "title": None, "genres": ["Action", None, {"id": 1, "name": "Drama"}],
            "vote_average": "high", "popularity": "12.5", "runtime": [136],
            "poster_path": "/abc\x07.jpg", "backdrop_path": "/ok123.jpg",
            "credits": {"cast": [{"id": 1, "name": ["Keanu"], "order": "first"}, 7]},
            "release_dates": {"results": "none"}, "belongs_to_collection": "x",
            "unknown_field": {"anything": [1, "two"]}}
    clean, dropped, coerced = validate_document("/movie/603", body)
    assert dropped == ["genres[1]", "vote_average", "runtime", "poster_path",
                       "credits.cast[0].name", "credits.cast[0].order", "credits.cast[1]",
                       "release_dates.results", "belongs_to_collection"]
    assert coerced == ["genres[0]", "popularity"]
    assert clean["genres"] == [{"name": "Action"}, {"id": 1, "name": "Drama"}]
    assert "vote_average" not in clean and "runtime" not in clean  # a default applies
    assert clean["popularity"] == 12.5 and clean["title"] is None
    assert clean["poster_path"] is None and clean["backdrop_path"] == "/ok123.jpg"
    assert clean["credits"]["cast"] == [{"id": 1, "name": None}]
    assert clean["release_dates"] == {"results": []}
    assert clean["unknown_field"] == {"anything": [1, "two"]}


@pytest.mark.parametrize(("path", "body"), [
    ("/movie/603", ["not", "an", "object"]),
    ("/movie/603", "text"),
    ("/movie/603", {"title": "The Matrix"}),  # no id
    ("/movie/603", {"id": "six hundred"}),
    ("/movie/603", {"id": 604, "title": "The Matrix Reloaded"}),  # another film's
    ("/tv/1396/season/5", {"name": "Season 5", "episodes": []}),
    ("/search/movie", None),
])
def test_unusable_documents_are_rejected(path: str, body: Any) -> None:
    with pytest.raises(InvalidDocument, match=path):
        validate_document(path, body)


def test_the_whole_bundled_snapshot_passes_unchanged(fake: FakeTMDB) -> None:
    catalogue = fake.catalogue
    documents = [(f"/movie/{i}", catalogue.details("movie", i, MOVIE_APPEND))
                 for i in catalogue.movies]
    documents += [(f"/tv/{i}", catalogue.details("tv", i, TV_APPEND)) for i in catalogue.shows]
    documents += [(f"/tv/{s}/season/{n}", catalogue.season(s, n)) for s, n in catalogue.seasons]
    documents.append(("/search/multi", catalogue.search_multi({"query": "the"})))
    for path, body in documents:
        assert validate_document(path, body) == (body, [], []), path


HOSTILE_VALUES: list[Any] = [None, "high", 7.5, True, ["x", None], {"a": None}, "/../x.jpg",
                             math.inf]


def _paths(node: Any, prefix: tuple[Any, ...] = (), depth: int = 0) -> Iterator[tuple[Any, ...]]:
    """Every field path of a document, with only the first entry of each list."""
    if depth > 4:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key), depth + 1)
    elif isinstance(node, list) and node:
        yield (*prefix, 0)
        yield from _paths(node[0], (*prefix, 0), depth + 1)


def _replaced(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    node: Any = changed
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return changed


def test_no_malformed_field_reaches_nfo_or_mp4_tags_as_a_crash(fake: FakeTMDB) -> None:
    """Any field of a real movie and episode document, replaced by a value of any wrong type,
    is either dropped or converted: the NFO and the MP4 tags are still written."""
    catalogue = fake.catalogue
    movie = catalogue.details("movie", 603, MOVIE_APPEND)
    show = catalogue.details("tv", 1396, TV_APPEND)
    season = catalogue.season(1396, 5)
    for path in _paths(movie):
        for value in HOSTILE_VALUES:
            try:
                clean = validate_document("/movie/603", _replaced(movie, path, value))[0]
            except InvalidDocument:
                assert path == ("id",)
                continue
            metadata = to_metadata({"movie": clean}, fake.image_base_url)
            nfo_writer.movie_nfo(metadata, None)
            mp4_tagger.tag_values(metadata, None)
    for path in _paths(season):
        for value in HOSTILE_VALUES:
            try:
                clean = validate_document("/tv/1396/season/5", _replaced(season, path, value))[0]
            except InvalidDocument:
                assert path == ("id",)
                continue
            episodes = clean.get("episodes") or [{}]
            metadata = to_metadata({"show": show, "season": clean, "episodes": episodes[:1]},
                                   fake.image_base_url)
            if metadata.episodes:
                nfo_writer.episode_nfo(metadata, None)
                mp4_tagger.tag_values(metadata, None)
    for path in _paths(show):
        for value in HOSTILE_VALUES:
            try:
                clean = validate_document("/tv/1396", _replaced(show, path, value))[0]
            except InvalidDocument:
                assert path == ("id",)
                continue
            nfo_writer.tvshow_nfo(to_metadata({"show": clean}, fake.image_base_url))
            nfo_writer.episode_nfo(to_metadata({"show": clean, "season": season,
                                                "episodes": season["episodes"][:1]},
                                               fake.image_base_url), None)


@pytest.mark.parametrize(("value", "ok"), [
    ("/kqjL17yufvn9OVLyXYpvtyrFfak.jpg", True), ("/a-b_c.PNG", True), ("/x.webp", True),
    ("/../x.jpg", False), ("/a/../../x.jpg", False), ("x.jpg", False),
    ("http://evil.example/x.jpg", False), ("//evil.example/x.jpg", False),
    ("/x.jpg?u=http://evil", False), ("/x.jpg#f", False), ("/x\x00.jpg", False),
    ("/x\n.jpg", False), ("/x.exe", False), ("/x", False), ("", False), (None, False),
    ("/" + "a" * 300 + ".jpg", False),
])
def test_image_paths(value: Any, ok: bool) -> None:
    assert is_image_path(value) is ok


# ---------------------------------------------------------------------------------------------
# The client: nothing that failed the check is cached; size and time limits
# ---------------------------------------------------------------------------------------------


async def test_a_document_without_its_id_is_not_cached(fake: FakeTMDB, tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    fake.override("/movie/603", drop=("id",), times=1)
    async with client_for(fake, db) as client:
        with pytest.raises(ItemError, match="without its id"):
            await client.get("/movie/603")
        assert cached_paths(db) == []
        again = await client.get("/movie/603")  # the server fixed it: asked again
    assert again["id"] == 603 and cached_paths(db) == ["/movie/603"]


async def test_a_malformed_document_is_logged_once_and_cached_clean(
        fake: FakeTMDB, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "state.db"
    fake.override("/movie/603", patch={"genres": [{"id": 28, "name": "Action"}, None],
                                       "vote_average": "high"})
    with caplog.at_level(logging.WARNING, logger="shelver.tmdb"):
        async with client_for(fake, db) as client:
            body = await client.get("/movie/603")
            assert await client.get("/movie/603") == body  # from the cache, no second line
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["TMDB movie/603: dropped 2 malformed field(s): genres[1], vote_average"]
    with sqlite3.connect(db) as conn:
        (stored,) = conn.execute("SELECT body FROM tmdb_cache").fetchone()
    assert json.loads(stored)["genres"] == [{"id": 28, "name": "Action"}]
    assert "vote_average" not in json.loads(stored)


async def test_a_poisoned_entry_from_an_older_version_is_fetched_again(
        fake: FakeTMDB, tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    async with client_for(fake, db) as client:
        client.cache.store("/movie/603", "/movie/603", {}, 200, {"title": "no id"}, None)
        body = await client.get("/movie/603")
    assert body["id"] == 603 and fake.count(path_prefix="/movie/603") == 1


@pytest.mark.parametrize("content_length", [True, False])
async def test_an_answer_over_the_size_limit_is_refused_and_not_cached(
        fake: FakeTMDB, tmp_path: Path, content_length: bool) -> None:
    db = tmp_path / "state.db"
    fake.override("/movie/603", pad_to=3 * 1024 * 1024, content_length=content_length)
    async with client_for(fake, db, max_response_mb=1) as client:
        with pytest.raises(ItemError) as caught:
            await client.get("/movie/603")
    assert str(caught.value) == (
        "TMDB answer for /movie/603 is larger than 1 MB (tmdb.max_response_mb): not used")
    assert KEY not in str(caught.value) and cached_paths(db) == []


async def test_a_trickling_answer_meets_the_overall_deadline(
        fake: FakeTMDB, tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    fake.override("/movie/603", trickle=0.2)
    started = time.monotonic()
    async with client_for(fake, db, request_timeout=1.0, timeout=5.0) as client:
        with pytest.raises(ItemError) as caught:
            await client.get("/movie/603")
    assert time.monotonic() - started < 5
    assert str(caught.value) == (
        "TMDB did not finish answering /movie/603 within 1 s (tmdb.request_timeout)")
    assert cached_paths(db) == []


@pytest.mark.parametrize(("header", "said"), [
    ("86400", "86400"), ("inf", "inf"), ("Infinity", "inf"), ("1e308", "1e+308"),
    ("Wed, 21 Oct 2099 07:28:00 GMT", None)])
async def test_a_huge_retry_after_is_capped_and_said(fake: FakeTMDB, tmp_path: Path, header: str,
                                                     said: str | None,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "state.db"
    fake.override("/movie/603", status=429, headers={"Retry-After": header}, times=1)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="shelver.tmdb"), trio.fail_after(20):
        async with client_for(fake, db, max_retry_after=0.5) as client:
            body = await client.get("/movie/603")
    assert body["id"] == 603 and time.monotonic() - started < 10
    (line,) = [r.getMessage() for r in caplog.records if "Retry-After" in r.getMessage()]
    assert line.endswith(" s (Retry-After); waiting 0.5 s (tmdb.max_retry_after)"), line
    if said is not None:
        assert line.startswith(f"TMDB asked to wait {said} s"), line


@pytest.mark.parametrize("header", ["-5", "nan", "soon", "\x00\x01"])
async def test_a_garbage_retry_after_is_a_short_backoff(
        fake: FakeTMDB, tmp_path: Path, header: str) -> None:
    fake.override("/movie/603", status=429, headers={"Retry-After": header}, times=1)
    with trio.fail_after(10):
        async with client_for(fake, tmp_path / "state.db") as client:
            assert (await client.get("/movie/603"))["id"] == 603


def test_the_limiter_never_stores_a_block_past_the_cap(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    limiter = RateLimiter(db, "10/1s")  # the default cap: 300 s
    now = time.time()
    for asked in (86400.0, math.inf):
        limiter.penalise(asked, now=now)
        block = active_block(db, now=now)
        assert block is not None and block["seconds_left"] == 300.0
    limiter.close()


def test_an_endless_block_stored_before_the_cap_is_cut_down(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    limiter = RateLimiter(db, "10/1s", max_block=2.0)
    with sqlite3.connect(db) as conn:
        conn.execute(f"INSERT INTO {RATE_STATE_TABLE} (bucket, factor, penalised_at, "
                     "blocked_until, throttled) VALUES ('tmdb', 0.5, 0, 1e999, 1)")
    assert active_block(db) == {"until": None, "seconds_left": None, "throttled": 1}
    wait = limiter.try_acquire()
    assert 0 < wait <= 2.0
    block = active_block(db)
    assert block is not None and block["seconds_left"] is not None
    assert block["seconds_left"] <= 2.0
    limiter.close()


# ---------------------------------------------------------------------------------------------
# Names within 255 bytes; image hosts
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stem", ["a" * 251, "é" * 126, "Ω" * 127 + "a", "日本" * 60 + "x",
                                  "short"])
def test_derived_names_fit_in_255_bytes(stem: str) -> None:
    for suffix in ("-thumb.jpg", "-poster.jpg", "-fanart.jpg", ".nfo", ".en.forced.srt"):
        name = fit_name(stem, suffix)
        assert len(name.encode("utf-8")) <= 255 and name.endswith(suffix)
        assert stem.startswith(name.removesuffix(suffix))  # cut between characters
    thumb = artwork_targets("episode", Path("/lib"), stem)["thumb"]
    assert len(thumb.name.encode()) <= 255
    poster = artwork_targets("movie", Path("/lib"), stem, own_folder=False)["poster"]
    assert len(poster.name.encode()) <= 255


@pytest.mark.parametrize(("url", "ok"), [
    ("https://image.tmdb.org/t/p/", True),
    ("http://127.0.0.1:8080/t/p/", True),  # the host of tmdb.base_url (the look-alike)
    ("http://127.0.0.1:9999/t/p/", False),  # another port: another server
    ("https://evil.example/t/p/", False),
    ("https://image.tmdb.org@evil.example/t/p/", False),
    ("file:///etc/", False), ("ftp://image.tmdb.org/t/p/", False),
    ("https://image.tmdb.org/t/p/?x=1", False), ("https://image.tmdb.org/t/p/\n", False),
])
def test_image_hosts(url: str, ok: bool) -> None:
    assert image_host_allowed(url, "http://127.0.0.1:8080/3") is ok


def test_a_configured_image_host_is_allowed() -> None:
    mirror = "https://images.example.net/tmdb/"
    assert image_host_allowed(mirror, "https://api.themoviedb.org/3", mirror)
    assert not image_host_allowed(mirror, "https://api.themoviedb.org/3")


def test_the_image_client_asks_no_other_host(fake: FakeTMDB) -> None:
    """Artwork and MP4 covers use a client bound to the allowed image host: a URL (or a
    redirect) to another host is refused before anything is sent."""
    from shelver.plugins.artwork.images import ArtworkError, image_client

    with FakeTMDB() as other, image_client(fake.image_base_url) as client:
        with pytest.raises(ArtworkError, match="not the image host"):
            client.get(other.image_base_url + "w780/x.jpg")
        assert other.requests == []
