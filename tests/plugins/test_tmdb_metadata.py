"""The tmdb plugin's converter: TMDB documents (the look-alike's snapshot) → provider-neutral
Metadata, the only shape naming, NFO, MP4 tags and artwork read."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from shelver.metadata import (
    CAST,
    DIRECTING,
    FANART,
    POSTER,
    PRODUCTION,
    SEASON_POSTER,
    THUMB,
    WRITING,
    Metadata,
)
from shelver.plugins.tmdb.fake.tmdb_server import load_snapshot
from shelver.plugins.tmdb.matcher import matched_release_date
from shelver.plugins.tmdb.metadata import image_url, to_metadata
from shelver.plugins.tmdb.validate import validate_document

BASE = "https://images.example.net/tmdb/"
SNAPSHOT = load_snapshot()


def document(path: str, raw: dict[str, Any]) -> dict[str, Any]:
    """A snapshot document as the client hands it over: checked by the validator first."""
    return validate_document(path, copy.deepcopy(raw))[0]


def matrix() -> dict[str, Any]:
    return document("/movie/603", SNAPSHOT["movies"]["603"])


def ozymandias(base: str | None = BASE) -> Metadata:
    show = document("/tv/1396", SNAPSHOT["tv"]["1396"])
    season = document("/tv/1396/season/5", SNAPSHOT["seasons"]["1396"]["5"])
    episode = next(e for e in season["episodes"] if e["episode_number"] == 14)
    return to_metadata({"show": show, "season": season, "episodes": [episode]}, base)


def test_a_movie() -> None:
    movie = matrix()
    # A physical release rated NR listed before the theatrical R: the theatrical one counts.
    us = movie["release_dates"]["results"][0]["release_dates"]
    us.insert(0, {"certification": "NR", "type": 5})
    movie["credits"]["crew"].append({"name": "Joel Silver", "department": "Production",
                                     "job": "Producer"})
    movie["credits"]["crew"].append({"name": "Bill Pope", "department": "Camera",
                                     "job": "Director of Photography"})
    meta = to_metadata({"movie": movie}, BASE)
    assert (meta.provider, meta.kind, meta.title, meta.year, meta.premiered) == (
        "tmdb", "movie", "The Matrix", 1999, "1999-03-31")
    assert (meta.certification, meta.certification_country) == ("R", "US")
    assert list(meta.ids) == ["tmdb", "imdb", "wikidata"]
    assert meta.ids == {"tmdb": "603", "imdb": "tt0133093", "wikidata": "Q83495"}
    assert [(p.name, p.role) for p in meta.people_in(DIRECTING)] == [("Lana Wachowski", "Director")]
    assert [(p.name, p.role) for p in meta.people_in(WRITING)] == [("Lilly Wachowski", "Screenplay")]
    assert [p.name for p in meta.people_in(PRODUCTION)] == ["Joel Silver"]
    assert "Bill Pope" not in [p.name for p in meta.people]  # a job no reader uses
    cast = meta.people_in(CAST)
    assert (cast[0].name, cast[0].role, cast[0].order) == ("Keanu Reeves", "Thomas A. Anderson / Neo", 0)
    assert cast[0].image == BASE + "original/ZwzLePzxYEJZyAqKLLLdVjpVos2.jpg"
    assert meta.ratings[0].source == "themoviedb" and meta.ratings[0].votes == 25800
    assert meta.trailer == "plugin://plugin.video.youtube/play/?video_id=hFnppZMKbmU"
    assert meta.collection == movie["belongs_to_collection"]["name"]
    # Images: absolute URLs on the configured base; the main poster first, then the others.
    posters = [image for image in meta.images if image.kind == POSTER]
    assert [p.url for p in posters] == [BASE + "original/oKEseUsoEh4hvq3c4zmFEShszAY.jpg",
                                        BASE + "original/Yv97ufZztSNovao5zxbKLbjMBf9.jpg"]
    assert posters[0].preview == BASE + "w500/oKEseUsoEh4hvq3c4zmFEShszAY.jpg"
    assert meta.image(POSTER, width=780) == BASE + "w780/oKEseUsoEh4hvq3c4zmFEShszAY.jpg"
    assert meta.image(POSTER, width=400) == BASE + "w500/oKEseUsoEh4hvq3c4zmFEShszAY.jpg"
    assert meta.image(POSTER, width=4000) == posters[0].url  # nothing that wide: full size
    assert meta.image(FANART) == BASE + "original/XOH1oSe7WKH5MM6KQyCJ7AXCLyC.jpg"
    assert matched_release_date(meta) == "1999-03-31" == matched_release_date({"movie": movie})
    # It is plain data: JSON and back give the same metadata.
    assert Metadata.from_json(json.loads(json.dumps(meta.as_json()))) == meta


def test_an_episode() -> None:
    meta = ozymandias()
    assert (meta.kind, meta.title, meta.year, meta.certification, meta.status) == (
        "tv", "Breaking Bad", 2008, "TV-MA", "Ended")
    assert meta.networks == ["AMC"]
    assert list(meta.ids) == ["tmdb", "imdb", "tvdb", "wikidata"]
    assert meta.ids["tvdb"] == "81189"
    assert [p.name for p in meta.people_in(PRODUCTION)] == ["Vince Gilligan"]  # the show's crew
    assert meta.season is not None and meta.season.number == 5
    (episode,) = meta.episodes
    assert (episode.season, episode.number, episode.title, episode.aired) == (
        5, 14, "Ozymandias", "2013-09-15")
    assert episode.ids == {"tmdb": "3705412"}
    assert [(p.name, p.department) for p in episode.people] == [
        ("Rian Johnson", DIRECTING), ("Moira Walley-Beckett", WRITING)]
    still = BASE + "original/8Zvna7qt8dlZFtrSaqc7ufJbg41.jpg"
    assert episode.thumb == still
    assert meta.image(THUMB, 5, episode=14) == still
    assert meta.image(THUMB, 5, episode=14, width=300) == BASE + "w300/8Zvna7qt8dlZFtrSaqc7ufJbg41.jpg"
    season_posters = {i.season: i.url for i in meta.images if i.kind == SEASON_POSTER}
    assert set(season_posters) == {s.number for s in meta.seasons} and 5 in season_posters
    assert meta.image(SEASON_POSTER, 5) == season_posters[5]
    assert matched_release_date(meta) == "2013-09-15"


def test_no_image_base_means_no_image_urls() -> None:
    meta = ozymandias(base=None)
    assert meta.images == [] and meta.episodes[0].thumb is None
    assert all(person.image is None for person in meta.people)
    assert all(season.poster is None for season in meta.seasons)


def test_image_paths_that_are_not_image_paths_are_left_out() -> None:
    movie = matrix()
    movie["poster_path"] = "/../../../3/configuration.jpg"  # as if cached before validation
    meta = to_metadata({"movie": movie}, BASE)
    assert all(".." not in image.url for image in meta.images)
    assert meta.image(POSTER) == BASE + "original/oKEseUsoEh4hvq3c4zmFEShszAY.jpg"


def test_documents_without_a_movie_or_a_show() -> None:
    with pytest.raises(ValueError, match="'movie' or a 'show'"):
        to_metadata({"episodes": []}, BASE)


def test_image_url() -> None:
    expected = "https://image.tmdb.org/t/p/w500/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg"
    assert image_url("https://image.tmdb.org/t/p/", "w500", "/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg") == (
        expected
    )
    assert image_url("https://image.tmdb.org/t/p", "w500", "f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg") == (
        expected
    )
    with pytest.raises(ValueError):
        image_url("https://image.tmdb.org/t/p/", "w500", "")
