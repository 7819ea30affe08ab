"""The movie half of the TMDB snapshot and the movie corpus: shapes, ids, and search through
the loopback look-alike."""

from __future__ import annotations

import collections
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from shelver.plugins.tmdb.fake.snapshot_movies import MOVIES, movies
from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus" / "movies.json"

VIDEO = {"mkv", "mp4", "avi", "mov", "m4v", "ts", "wmv"}
STATUSES = {"organised", "review", "extra", "skipped", "companion"}
DETAIL_KEYS = {
    "adult", "backdrop_path", "belongs_to_collection", "budget", "genres", "homepage", "id",
    "imdb_id", "original_language", "original_title", "overview", "popularity", "poster_path",
    "production_companies", "production_countries", "release_date", "revenue", "runtime",
    "spoken_languages", "status", "tagline", "title", "video", "vote_average", "vote_count",
}
PARTS = {"credits", "images", "release_dates", "external_ids", "keywords", "videos",
         "alternative_titles"}
HARD_CASES = {
    603, 604, 605, 841, 438631, 693134, 1091, 60935, 948, 2082, 424139, 530915, 62, 1271, 8065,
    14160, 152601, 346364, 194, 10681, 101, 807, 120, 161, 13804, 9799, 1366, 1367, 1371, 11,
    671, 146, 129, 1417, 387, 78, 28, 27205, 949, 348, 679, 155, 157329, 496243, 238, 680, 550,
    98, 597, 19995, 862, 8587, 420818, 10020, 321612, 332562, 3111, 861, 64635, 5548, 97020,
    10536, 9654, 620, 43074, 76341, 475557, 872585, 346698, 545611, 546554, 37799, 244786,
    329865, 49047, 77, 578, 601, 105, 280, 289, 426, 539, 694, 769, 424, 13, 278, 557, 634649,
    17473, 264644,
}


@pytest.fixture(scope="module")
def docs() -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = movies()
    return table


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(CORPUS.read_text(encoding="utf-8"))
    return entries


@pytest.fixture(scope="module")
def api(docs: dict[str, dict[str, Any]]) -> Iterator[httpx.Client]:
    with FakeTMDB(snapshot={"movies": docs, "tv": {}, "seasons": {}}) as fake, \
            httpx.Client(base_url=fake.base_url, params={"api_key": "demo-key"}) as client:
        yield client


def _extension(path: str) -> str:
    return path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""


# -- the snapshot ---------------------------------------------------------------------------


def test_ids_are_unique_and_keyed_by_id(docs: dict[str, dict[str, Any]]) -> None:
    ids = [row[0] for row in MOVIES]
    assert len(ids) == len(set(ids)) >= 70
    assert all(key == str(doc["id"]) for key, doc in docs.items())
    imdb = [doc["imdb_id"] for doc in docs.values()]
    assert len(imdb) == len(set(imdb))
    assert HARD_CASES <= {doc["id"] for doc in docs.values()}


def test_every_document_has_tmdb_fields(docs: dict[str, dict[str, Any]]) -> None:
    for doc in docs.values():
        where = f"{doc['id']} {doc['title']}"
        assert DETAIL_KEYS | PARTS <= doc.keys(), where
        assert doc["status"] == "Released" and doc["adult"] is False and doc["video"] is False
        assert doc["imdb_id"].startswith("tt") and doc["release_date"][4] == "-", where
        assert isinstance(doc["runtime"], int) and doc["runtime"] > 60, where
        assert doc["overview"] and doc["genres"] and doc["production_countries"], where
        assert all({"id", "name"} <= g.keys() for g in doc["genres"])
        assert all({"id", "name", "origin_country"} <= c.keys()
                   for c in doc["production_companies"])
        assert doc["poster_path"].startswith("/") and doc["poster_path"].endswith(".jpg")
        assert doc["backdrop_path"].startswith("/")
        collection = doc["belongs_to_collection"]
        assert collection is None or {"id", "name", "poster_path"} <= collection.keys()

        cast, crew = doc["credits"]["cast"], doc["credits"]["crew"]
        assert 3 <= len(cast) <= 5, where
        assert all({"id", "name", "character", "order", "profile_path",
                    "known_for_department"} <= c.keys() for c in cast)
        assert [c["order"] for c in cast] == list(range(len(cast)))
        assert {c["job"] for c in crew} >= {"Director", "Screenplay"}, where
        assert all({"id", "name", "job", "department"} <= c.keys() for c in crew)

        posters = doc["images"]["posters"]
        assert posters and posters[0]["file_path"] == doc["poster_path"]
        assert all({"file_path", "width", "height", "iso_639_1", "vote_average"} <= p.keys()
                   for p in posters + doc["images"]["backdrops"])
        assert doc["images"]["logos"] == []

        us = [r for r in doc["release_dates"]["results"] if r["iso_3166_1"] == "US"]
        assert us and any(d["type"] == 3 for d in us[0]["release_dates"]), where
        assert doc["external_ids"]["imdb_id"] == doc["imdb_id"]
        assert {"wikidata_id", "facebook_id", "instagram_id", "twitter_id"} \
            <= doc["external_ids"].keys()
        assert doc["keywords"] == {"keywords": []}
        video = doc["videos"]["results"][0]
        assert video["site"] == "YouTube" and video["type"] == "Trailer" and video["official"]
        assert len(video["key"]) == 11
        assert all(a.keys() == {"iso_3166_1", "title", "type"}
                   for a in doc["alternative_titles"]["titles"])


def test_hard_case_titles(docs: dict[str, dict[str, Any]]) -> None:
    assert docs["194"]["original_title"] == "Le Fabuleux Destin d'Amélie Poulain"
    assert "Amelie" in {a["title"] for a in docs["194"]["alternative_titles"]["titles"]}
    assert docs["101"]["original_title"] == "Léon"
    assert "Seven" in {a["title"] for a in docs["807"]["alternative_titles"]["titles"]}
    assert "Harry Potter and the Sorcerer's Stone" in {
        a["title"] for a in docs["671"]["alternative_titles"]["titles"]}
    assert docs["146"]["original_title"] == "卧虎藏龙"
    assert docs["129"]["original_title"] == "千と千尋の神隠し"
    assert docs["1417"]["original_title"] == "El laberinto del fauno"
    assert docs["496243"]["original_title"] == "기생충"
    assert (docs["27205"]["runtime"], docs["27205"]["release_date"][:4]) == (148, "2010")
    assert (docs["949"]["runtime"], docs["949"]["release_date"][:4]) == (170, "1995")
    # remakes share a title; a naive "most popular" pick is wrong for some of them
    for older, newer in ((841, 438631), (1091, 60935), (948, 424139), (8587, 420818),
                         (10020, 321612), (3111, 332562), (861, 64635), (5548, 97020),
                         (10536, 9654), (620, 43074), (539, 11252)):
        assert docs[str(older)]["title"] == docs[str(newer)]["title"]
    assert docs["424139"]["popularity"] > docs["948"]["popularity"]
    assert docs["420818"]["popularity"] > docs["8587"]["popularity"]


# -- the corpus -----------------------------------------------------------------------------


def test_corpus_shape(corpus: list[dict[str, Any]], docs: dict[str, dict[str, Any]]) -> None:
    assert len(corpus) >= 110
    paths = [e["path"] for e in corpus]
    assert len(paths) == len(set(paths))
    for entry in corpus:
        path, expect, tags = entry["path"], entry["expect"], entry["tags"]
        assert entry.keys() <= {"path", "duration", "expect", "tags"}, path
        assert expect["status"] in STATUSES and tags, path
        if expect["status"] == "organised":
            assert expect["tmdb"]["type"] == "movie", path
            assert str(expect["tmdb"]["id"]) in docs, path
        else:
            assert "tmdb" not in expect, path
        if _extension(path) in VIDEO and expect["status"] in ("organised", "review", "extra"):
            assert isinstance(entry.get("duration"), int) and entry["duration"] > 0, path
        else:
            assert "duration" not in entry, path


def test_corpus_durations_match_runtimes(corpus: list[dict[str, Any]],
                                         docs: dict[str, dict[str, Any]]) -> None:
    for entry in corpus:
        if entry["expect"]["status"] == "organised" and "edition" not in entry["tags"]:
            runtime = docs[str(entry["expect"]["tmdb"]["id"])]["runtime"]
            assert abs(entry["duration"] - runtime * 60) <= 120, entry["path"]


def test_companions_sit_beside_their_video(corpus: list[dict[str, Any]]) -> None:
    videos = {e["path"].rsplit(".", 1)[0] for e in corpus if _extension(e["path"]) in VIDEO}
    for entry in corpus:
        if entry["expect"]["status"] == "companion":
            stem = entry["path"].rsplit(".", 1)[0]
            while stem not in videos and "." in stem.rsplit("/", 1)[-1]:
                stem = stem.rsplit(".", 1)[0]
            assert stem in videos, entry["path"]


def test_corpus_slice_is_a_mix(corpus: list[dict[str, Any]]) -> None:
    sliced = [e for e in corpus if "slice" in e["tags"]]
    assert 35 <= len(sliced) <= 45
    statuses = collections.Counter(e["expect"]["status"] for e in sliced)
    assert statuses["skipped"] >= 3 and statuses["extra"] >= 2 and statuses["companion"] >= 1
    assert sum("unknown" in e["tags"] for e in sliced) >= 3
    tags = collections.Counter(t for e in corpus for t in e["tags"])
    for tag in ("remake", "numeric", "diacritics", "edition", "obfuscated", "id", "foreign",
                "unknown", "extra", "leftover", "partial", "companion", "noyear"):
        assert tags[tag] >= 2, tag


# -- through the look-alike -------------------------------------------------------------------


def _search(api: httpx.Client, query: str, **params: Any) -> list[dict[str, Any]]:
    response = api.get("/search/movie", params={"query": query, **params})
    response.raise_for_status()
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def test_search_finds_every_dune(api: httpx.Client) -> None:
    found = [r["id"] for r in _search(api, "dune")]
    assert {841, 438631, 693134} <= set(found)
    assert found[0] == 693134  # the most popular, not necessarily the one wanted
    assert [r["id"] for r in _search(api, "dune", year=2021)] == [438631]
    assert [r["id"] for r in _search(api, "dune", year=1984)] == [841]


def test_search_folds_diacritics_and_alternative_titles(api: httpx.Client) -> None:
    assert 194 in [r["id"] for r in _search(api, "amelie")]
    assert 807 in [r["id"] for r in _search(api, "seven", year=1995)]
    assert 671 in [r["id"] for r in _search(api, "harry potter sorcerers stone")]
    assert 129 in [r["id"] for r in _search(api, "sen to chihiro no kamikakushi")]
    assert 1271 in [r["id"] for r in _search(api, "300", year=2006)]  # its premiere year


def test_search_halloween_ranks_a_remake_first(api: httpx.Client) -> None:
    found = [r["id"] for r in _search(api, "halloween")]
    assert {948, 2082, 424139, 10676} <= set(found)
    assert found[0] == 424139


def test_details_with_appended_parts(api: httpx.Client) -> None:
    response = api.get("/movie/603", params={"append_to_response": "credits,release_dates"})
    response.raise_for_status()
    body = response.json()
    assert body["title"] == "The Matrix" and body["runtime"] == 136
    assert body["credits"]["cast"][0]["name"] == "Keanu Reeves"
    us = next(r for r in body["release_dates"]["results"] if r["iso_3166_1"] == "US")
    assert "R" in {d["certification"] for d in us["release_dates"]}
    assert "images" not in body  # only what was asked for


def test_find_by_imdb_id(api: httpx.Client) -> None:
    response = api.get("/find/tt0087182", params={"external_source": "imdb_id"})
    assert [r["id"] for r in response.json()["movie_results"]] == [841]
