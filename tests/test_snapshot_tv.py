"""The TV half of the TMDB snapshot and the TV corpus: shapes, consistency, and what the
loopback TMDB look-alike answers from them."""

from __future__ import annotations

import collections
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from shelver.plugins.tmdb.fake.snapshot_tv import seasons, shows
from shelver.plugins.tmdb.fake.tmdb_server import TV_PARTS, FakeTMDB

CORPUS = Path(__file__).resolve().parent / "corpus" / "tv.json"
VIDEO = (".mkv", ".mp4", ".avi", ".m4v", ".ts")
STATUSES = {"organised", "review", "extra", "skipped", "companion"}
TAGS = {"tv", "multi", "pack", "special", "samename", "daily", "id", "obfuscated", "unknown",
        "leftover", "partial", "companion", "extra", "library", "lowercase", "nxnn", "slice"}
SHOW_KEYS = {"id", "name", "original_name", "original_language", "first_air_date",
             "last_air_date", "origin_country", "overview", "tagline", "genres", "networks",
             "production_companies", "created_by", "episode_run_time", "number_of_seasons",
             "number_of_episodes", "status", "type", "popularity", "vote_average", "vote_count",
             "poster_path", "backdrop_path", "in_production", "languages", "seasons",
             *TV_PARTS}
EPISODE_KEYS = {"id", "episode_number", "season_number", "name", "overview", "air_date",
                "runtime", "still_path", "vote_average", "vote_count", "episode_type",
                "production_code", "show_id", "crew", "guest_stars"}


@pytest.fixture(scope="module")
def tv() -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = shows()
    return docs


@pytest.fixture(scope="module")
def tv_seasons() -> dict[str, dict[str, dict[str, Any]]]:
    docs: dict[str, dict[str, dict[str, Any]]] = seasons()
    return docs


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(CORPUS.read_text(encoding="utf-8"))
    return entries


@pytest.fixture(scope="module")
def api(tv: dict[str, Any], tv_seasons: dict[str, Any]) -> Iterator[httpx.Client]:
    snapshot = {"movies": {}, "tv": tv, "seasons": tv_seasons}
    with FakeTMDB(snapshot=snapshot) as fake, \
            httpx.Client(base_url=fake.base_url, params={"api_key": "demo-key"}) as client:
        yield client


# -- the snapshot ---------------------------------------------------------------------------

def test_shows_have_the_required_fields(tv: dict[str, dict[str, Any]]) -> None:
    assert len(tv) >= 18
    for key, show in tv.items():
        assert str(show["id"]) == key
        assert SHOW_KEYS <= show.keys(), (key, SHOW_KEYS - show.keys())
        assert show["type"] in ("Scripted", "Talk Show", "Documentary", "Miniseries", "Reality")
        assert show["first_air_date"] <= show["last_air_date"]
        assert 3 <= len(show["credits"]["cast"]) <= 5 or show["type"] != "Scripted"
        assert show["external_ids"]["imdb_id"].startswith("tt")
        assert show["content_ratings"]["results"][0]["iso_3166_1"] == "US"
        assert all({"iso_3166_1", "title", "type"} <= a.keys()
                   for a in show["alternative_titles"]["results"])
        assert show["images"]["posters"][0]["file_path"] == show["poster_path"]
        assert all({"id", "name", "origin_country"} <= n.keys() for n in show["networks"])
        main = [s for s in show["seasons"] if s["season_number"] > 0]
        assert show["number_of_seasons"] == len(main)
        assert show["number_of_episodes"] == sum(s["episode_count"] for s in main)
        for listed in show["seasons"]:
            assert {"id", "season_number", "name", "episode_count", "air_date",
                    "poster_path", "overview"} <= listed.keys()


def test_ids_are_unique(tv: dict[str, Any], tv_seasons: dict[str, Any]) -> None:
    imdb = [s["external_ids"]["imdb_id"] for s in tv.values()]
    assert len(imdb) == len(set(imdb))
    season_ids = [s["id"] for show in tv.values() for s in show["seasons"]]
    assert len(season_ids) == len(set(season_ids))
    episode_ids = [e["id"] for by_number in tv_seasons.values() for doc in by_number.values()
                   for e in doc["episodes"]]
    assert len(episode_ids) == len(set(episode_ids))


def test_season_documents_agree_with_their_show(tv: dict[str, Any],
                                                tv_seasons: dict[str, Any]) -> None:
    for show_id, by_number in tv_seasons.items():
        listed = {s["season_number"]: s for s in tv[show_id]["seasons"]}
        for number, doc in by_number.items():
            assert doc["season_number"] == int(number)
            assert {"_id", "id", "air_date", "name", "overview", "poster_path",
                    "vote_average"} <= doc.keys()
            assert listed[int(number)]["id"] == doc["id"]
            assert listed[int(number)]["episode_count"] == len(doc["episodes"])
            numbers = [e["episode_number"] for e in doc["episodes"]]
            assert numbers == list(range(1, len(numbers) + 1))
            for episode in doc["episodes"]:
                assert EPISODE_KEYS <= episode.keys()
                assert episode["show_id"] == int(show_id)
                assert episode["season_number"] == int(number)
                assert episode["air_date"] and episode["runtime"] and episode["name"]


def test_same_name_pairs_and_popularity(tv: dict[str, Any]) -> None:
    def pop(i: int) -> float:
        return float(tv[str(i)]["popularity"])

    assert tv["2316"]["name"] == tv["2996"]["name"] == "The Office"
    assert tv["121"]["name"] == tv["57243"]["name"] == "Doctor Who"
    assert tv["501"]["name"] == tv["1972"]["name"] == "Battlestar Galactica"
    assert tv["126308"]["name"] == tv["13862"]["name"] == "Shōgun"
    assert pop(2316) > pop(2996) and pop(57243) > pop(121) and pop(1972) > pop(501)
    assert pop(126308) > pop(13862) and pop(58474) > pop(1033) and pop(68595) > pop(1044)
    assert tv["1972"]["first_air_date"] == "2004-10-18"


def test_daily_shows_are_dated(tv_seasons: dict[str, Any]) -> None:
    for show_id, number, year in (("2224", "29", "2024"), ("60694", "11", "2024")):
        dates = [e["air_date"] for e in tv_seasons[show_id][number]["episodes"]]
        assert all(d.startswith(year) for d in dates)
        assert dates == sorted(dates) and len(dates) == len(set(dates))


# -- the corpus -------------------------------------------------------------------------------

def test_corpus_entries_are_well_formed(corpus: list[dict[str, Any]]) -> None:
    assert len(corpus) >= 80
    paths = [e["path"] for e in corpus]
    assert len(paths) == len(set(paths))
    for entry in corpus:
        assert entry["expect"]["status"] in STATUSES, entry
        assert "tv" in entry["tags"] and set(entry["tags"]) <= TAGS, entry
        if entry["path"].lower().endswith(VIDEO):
            assert isinstance(entry.get("duration"), int) and entry["duration"] > 0, entry
    slice_ = [e for e in corpus if "slice" in e["tags"]]
    assert 25 <= len(slice_) <= 40
    assert {e["expect"]["status"] for e in slice_} == STATUSES
    statuses = collections.Counter(e["expect"]["status"] for e in corpus)
    assert statuses["review"] >= 8


def test_corpus_expectations_exist(corpus: list[dict[str, Any]],
                                   tv_seasons: dict[str, Any]) -> None:
    for entry in corpus:
        if entry["expect"]["status"] != "organised":
            assert "tmdb" not in entry["expect"]
            continue
        want = entry["expect"]["tmdb"]
        assert want["type"] == "tv"
        doc = tv_seasons[str(want["id"])][str(want["season"])]
        by_number = {e["episode_number"]: e for e in doc["episodes"]}
        assert want["episodes"] and set(want["episodes"]) <= by_number.keys(), entry
        runtime = sum(by_number[n]["runtime"] for n in want["episodes"]) * 60
        assert abs(entry["duration"] - runtime) <= 60, entry


def test_companions_sit_next_to_their_video(corpus: list[dict[str, Any]]) -> None:
    videos = {e["path"] for e in corpus if e["path"].lower().endswith(VIDEO)
              and e["expect"]["status"] == "organised"}
    for entry in corpus:
        if entry["expect"]["status"] == "companion":
            folder, _, name = entry["path"].rpartition("/")
            assert any(v.rpartition("/")[0] == folder
                       and name.startswith(v.rpartition("/")[2].rsplit(".", 1)[0])
                       for v in videos), entry


def test_daily_entries_match_the_air_date(corpus: list[dict[str, Any]],
                                          tv_seasons: dict[str, Any]) -> None:
    dated = [e for e in corpus if "daily" in e["tags"] and e["expect"]["status"] == "organised"
             and "2024" in e["path"]]
    assert dated
    for entry in dated:
        want = entry["expect"]["tmdb"]
        episode = next(e for e in tv_seasons[str(want["id"])][str(want["season"])]["episodes"]
                       if e["episode_number"] == want["episodes"][0])
        assert episode["air_date"].replace("-", ".") in entry["path"].replace("-", ".")


# -- through the loopback TMDB ---------------------------------------------------------------

def test_search_finds_both_offices(api: httpx.Client) -> None:
    found = api.get("/search/tv", params={"query": "the office"}).json()["results"]
    assert [r["id"] for r in found] == [2316, 2996]  # by popularity: the US one first
    narrowed = api.get("/search/tv", params={"query": "the office",
                                             "first_air_date_year": "2005"}).json()
    assert [r["id"] for r in narrowed["results"]] == [2316]


def test_season_document_is_served(api: httpx.Client) -> None:
    season = api.get("/tv/1396/season/5").json()
    ozymandias = [e for e in season["episodes"] if e["episode_number"] == 14]
    assert ozymandias[0]["name"] == "Ozymandias"
    assert ozymandias[0]["air_date"] == "2013-09-15"
    assert "_id" in season


def test_find_by_imdb_id(api: httpx.Client) -> None:
    found = api.get("/find/tt0903747", params={"external_source": "imdb_id"}).json()
    assert [r["id"] for r in found["tv_results"]] == [1396]
    assert found["tv_results"][0]["name"] == "Breaking Bad"


def test_details_append_parts(api: httpx.Client) -> None:
    show = api.get("/tv/2996", params={"append_to_response": ",".join(TV_PARTS)}).json()
    assert show["origin_country"] == ["GB"]
    assert set(TV_PARTS) <= show.keys()
    assert show["external_ids"]["imdb_id"] == "tt0290978"
    plain = api.get("/tv/2996").json()
    assert not set(TV_PARTS) & plain.keys()
