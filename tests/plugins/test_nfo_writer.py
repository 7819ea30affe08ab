"""Kodi NFO writer: documents parsed back, and the never-clobber-the-user's-file rule.

The metadata comes from TMDB-shaped documents through the tmdb plugin's converter (what a run
does), except where a test is about another provider's metadata."""

from __future__ import annotations

import copy
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from shelver.discovery import TEMP_MARKER
from shelver.metadata import Episode, Metadata, Rating
from shelver.plugins.nfo import writer as nfo_writer
from shelver.plugins.nfo.writer import (
    episode_nfo,
    is_user_nfo,
    movie_nfo,
    streamdetails,
    tvshow_nfo,
    write_nfo,
)
from shelver.plugins.tmdb.metadata import to_metadata

IMAGE_BASE = "http://127.0.0.1:9/t/p/"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>'


# ---------------------------------------------------------------------------------------------
# TMDB-shaped documents (trimmed real responses)
# ---------------------------------------------------------------------------------------------


def matrix() -> dict[str, Any]:
    """GET /movie/603?append_to_response=credits,images,release_dates,external_ids,keywords,videos"""
    return {
        "adult": False,
        "backdrop_path": "/fNG7i7RqMErkcqhohV2a6cV1Ehy.jpg",
        "belongs_to_collection": {
            "id": 2344,
            "name": "The Matrix Collection",
            "poster_path": "/bV9qTVHTVf0gkW0j7p7M0ILD4pG.jpg",
            "backdrop_path": "/bRm2DEgUiYciDw3myHuYFInD7la.jpg",
        },
        "budget": 63000000,
        "genres": [{"id": 28, "name": "Action"}, {"id": 878, "name": "Science Fiction"}],
        "id": 603,
        "imdb_id": "tt0133093",
        "original_language": "en",
        "original_title": "The Matrix",
        "overview": "Set in the 22nd century, The Matrix tells the story of a computer hacker "
        "who joins a group of underground insurgents fighting the vast and powerful computers "
        "who now rule the earth.\x0b",
        "popularity": 98.2,
        "poster_path": "/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg",
        "production_companies": [
            {"id": 79, "name": "Village Roadshow Pictures", "origin_country": "US"},
            {"id": 372, "name": "Groucho II Film Partnership", "origin_country": ""},
            {"id": 1885, "name": "Silver Pictures", "origin_country": "US"},
            {"id": 174, "name": "Warner Bros. Pictures", "origin_country": "US"},
        ],
        "production_countries": [{"iso_3166_1": "US", "name": "United States of America"}],
        "release_date": "1999-03-31",
        "runtime": 136,
        "status": "Released",
        "tagline": "Welcome to the Real World.",
        "title": "The Matrix",
        "video": False,
        "vote_average": 8.217,
        "vote_count": 26044,
        "credits": {
            "cast": [
                {
                    "id": 2975,
                    "name": "Laurence Fishburne",
                    "character": "Morpheus",
                    "order": 1,
                    "profile_path": "/2GYpnjNxXmCPRIxcUfkOUCMYfEx.jpg",
                },
                {
                    "id": 6384,
                    "name": "Keanu Reeves",
                    "character": "Thomas A. Anderson / Neo",
                    "order": 0,
                    "profile_path": "/4D0PpNI0kmP58hgrwGC3wCjxhnm.jpg",
                },
                {
                    "id": 530,
                    "name": "Carrie-Anne Moss",
                    "character": "Trinity",
                    "order": 2,
                    "profile_path": None,
                },
            ],
            "crew": [
                {"name": "Lana Wachowski", "department": "Directing", "job": "Director"},
                {"name": "Lilly Wachowski", "department": "Directing", "job": "Director"},
                {"name": "Lana Wachowski", "department": "Writing", "job": "Writer"},
                {"name": "Lilly Wachowski", "department": "Writing", "job": "Writer"},
                {"name": "Joel Silver", "department": "Production", "job": "Producer"},
            ],
        },
        "images": {
            "backdrops": [
                {"file_path": "/fNG7i7RqMErkcqhohV2a6cV1Ehy.jpg", "iso_639_1": None},
                {"file_path": "/tlm8UkiQsitc8rSuIAscQDCnP8d.jpg", "iso_639_1": None},
                {"file_path": "/withtitle.jpg", "iso_639_1": "en"},
            ],
            "logos": [{"file_path": "/logo.png", "iso_639_1": "en"}],
            "posters": [
                {"file_path": "/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg", "iso_639_1": "en"},
                {"file_path": "/dXNAPwY7VrqMAo51EKhhCJfaGb5.jpg", "iso_639_1": "en"},
            ],
        },
        "release_dates": {
            "results": [
                {
                    "iso_3166_1": "GB",
                    "release_dates": [{"certification": "15", "type": 3}],
                },
                {
                    "iso_3166_1": "US",
                    "release_dates": [
                        {"certification": "", "type": 1, "release_date": "1999-03-24"},
                        {"certification": "NR", "type": 5, "release_date": "1999-09-21"},
                        {"certification": "R", "type": 3, "release_date": "1999-03-31"},
                    ],
                },
            ]
        },
        "external_ids": {"imdb_id": "tt0133093", "wikidata_id": "Q83495", "facebook_id": None},
        "keywords": {"keywords": [{"id": 83, "name": "saving the world"}]},
        "videos": {
            "results": [
                {"key": "teaser1", "site": "YouTube", "type": "Teaser", "official": True},
                {"key": "vKQi3bBA1y8", "site": "YouTube", "type": "Trailer", "official": True,
                 "iso_639_1": "en"},
            ]
        },
    }  # fmt: skip


def breaking_bad() -> dict[str, Any]:
    """GET /tv/1396?append_to_response=credits,images,external_ids,keywords,content_ratings,videos"""
    return {
        "backdrop_path": "/tsRy63Mu5cu8etL1X7ZLyf7UP1M.jpg",
        "created_by": [{"id": 66633, "name": "Vince Gilligan"}],
        "episode_run_time": [45, 47],
        "first_air_date": "2008-01-20",
        "genres": [{"id": 18, "name": "Drama"}, {"id": 80, "name": "Crime"}],
        "id": 1396,
        "name": "Breaking Bad",
        "networks": [{"id": 174, "name": "AMC", "origin_country": "US"}],
        "number_of_seasons": 5,
        "origin_country": ["US"],
        "original_name": "Breaking Bad",
        "overview": "Walter White, a New Mexico chemistry teacher, is diagnosed with Stage III "
        "cancer and given a prognosis of only two years left to live.",
        "poster_path": "/ztkUQFLlC19CCMYHW9o1zWhJRNq.jpg",
        "production_companies": [{"id": 11073, "name": "Sony Pictures Television Studios"}],
        "production_countries": [{"iso_3166_1": "US", "name": "United States of America"}],
        "seasons": [
            {"id": 3577, "name": "Specials", "season_number": 0, "poster_path": "/sp.jpg"},
            {"id": 3572, "name": "Season 1", "season_number": 1, "poster_path": "/s1.jpg"},
            {"id": 3578, "name": "Season 5", "season_number": 5, "poster_path": "/s5.jpg"},
        ],
        "status": "Ended",
        "tagline": "Change the equation.",
        "vote_average": 8.9,
        "vote_count": 14000,
        "credits": {
            "cast": [
                {"name": "Bryan Cranston", "character": "Walter White", "order": 0,
                 "profile_path": "/7Jahy5LZX2Fo8fGJltMreAI49hC.jpg"},
                {"name": "Aaron Paul", "character": "Jesse Pinkman", "order": 1,
                 "profile_path": "/8Ac9uuoYwZoYVAIJfRLzzLsGGJn.jpg"},
            ],
            "crew": [{"name": "Vince Gilligan", "department": "Production",
                      "job": "Executive Producer"}],
        },
        "images": {"backdrops": [], "posters": [], "logos": []},
        "external_ids": {"imdb_id": "tt0903747", "tvdb_id": 81189, "freebase_id": None},
        "content_ratings": {"results": [{"iso_3166_1": "DE", "rating": "16"},
                                        {"iso_3166_1": "US", "rating": "TV-MA"}]},
        "keywords": {"results": []},
        "videos": {"results": []},
    }  # fmt: skip


def season_five() -> dict[str, Any]:
    """GET /tv/1396/season/5 (episodes 14 and 15 kept)."""
    return {
        "_id": "52542286760ee313280017f9",
        "air_date": "2012-07-15",
        "id": 3578,
        "name": "Season 5",
        "season_number": 5,
        "poster_path": "/s5.jpg",
        "episodes": [ozymandias(), granite_state()],
    }


def ozymandias() -> dict[str, Any]:
    return {
        "air_date": "2013-09-15",
        "episode_number": 14,
        "id": 62161,
        "name": "Ozymandias",
        "overview": "Everyone copes with radically changed circumstances.",
        "production_code": "",
        "runtime": 48,
        "season_number": 5,
        "show_id": 1396,
        "still_path": "/ozymandias.jpg",
        "vote_average": 9.6,
        "vote_count": 512,
        "crew": [
            {"name": "Rian Johnson", "department": "Directing", "job": "Director"},
            {"name": "Moira Walley-Beckett", "department": "Writing", "job": "Writer"},
        ],
        "guest_stars": [
            {"name": "Steven Michael Quezada", "character": "Steven Gomez", "order": 500,
             "profile_path": None},
        ],
    }  # fmt: skip


def granite_state() -> dict[str, Any]:
    return {
        "air_date": "2013-09-22",
        "episode_number": 15,
        "id": 62162,
        "name": "Granite State",
        "overview": "Events set in motion long ago move toward a conclusion.",
        "runtime": 55,
        "season_number": 5,
        "still_path": "/granite.jpg",
        "vote_average": 9.2,
        "vote_count": 300,
        "crew": [
            {"name": "Peter Gould", "department": "Directing", "job": "Director"},
            {"name": "Peter Gould", "department": "Writing", "job": "Writer"},
        ],
        "guest_stars": [],
    }


PROBE = {
    "duration": 8159.744,
    "width": 1920,
    "height": 800,
    "resolution": "1080p",
    "video_codec": "hevc",
    "aspect": 2.4,
    "hdr": "HDR10",
    "audio": [
        {"codec": "E-AC-3", "channels": 6, "language": "eng"},
        {"codec": "aac", "channels": 2, "language": "fra"},
    ],
    "subtitles": ["eng", "spa"],
    "container": "mkv",
}


def movie_meta(movie: dict[str, Any], image_base: str | None = IMAGE_BASE) -> Metadata:
    return to_metadata({"movie": movie}, image_base)


def show_meta(show: dict[str, Any], season: dict[str, Any] | None = None,
              episodes: list[dict[str, Any]] | None = None,
              image_base: str | None = IMAGE_BASE) -> Metadata:
    return to_metadata({"show": show, "season": season, "episodes": episodes or []}, image_base)


def parse(text: str) -> ET.Element:
    """One NFO document as an element tree (several roots are wrapped in <nfo>)."""
    body = text.split("?>", 1)[1]
    return ET.fromstring(f"<nfo>{body}</nfo>")


# ---------------------------------------------------------------------------------------------
# Movies
# ---------------------------------------------------------------------------------------------


def test_movie_nfo_fields() -> None:
    text = movie_nfo(movie_meta(matrix()), PROBE)
    assert text.splitlines()[0] == DECLARATION
    (movie,) = parse(text)
    assert movie.tag == "movie"
    assert movie.findtext("title") == "The Matrix"
    assert movie.findtext("originaltitle") == "The Matrix"
    assert movie.findtext("year") == "1999"
    assert movie.findtext("premiered") == "1999-03-31"
    assert movie.findtext("plot", "").startswith("Set in the 22nd century")
    assert movie.findtext("plot", "").endswith("rule the earth.")  # \x0b is not valid XML
    assert movie.findtext("tagline") == "Welcome to the Real World."
    assert movie.findtext("runtime") == "136"
    assert [g.text for g in movie.findall("genre")] == ["Action", "Science Fiction"]
    assert movie.findtext("studio") == "Village Roadshow Pictures"
    assert len(movie.findall("studio")) == 4
    assert [c.text for c in movie.findall("country")] == ["United States of America"]
    assert movie.findtext("mpaa") == "R"  # the US theatrical release, not NR (physical) or GB
    assert movie.findtext("set/name") == "The Matrix Collection"
    assert [c.text for c in movie.findall("credits")] == ["Lana Wachowski", "Lilly Wachowski"]
    assert [d.text for d in movie.findall("director")] == ["Lana Wachowski", "Lilly Wachowski"]
    assert movie.findtext("trailer") == "plugin://plugin.video.youtube/play/?video_id=vKQi3bBA1y8"


def test_movie_uniqueids_and_ratings() -> None:
    (movie,) = parse(movie_nfo(movie_meta(matrix()), None))
    ids = {u.get("type"): u for u in movie.findall("uniqueid")}
    assert ids["tmdb"].text == "603" and ids["tmdb"].get("default") == "true"
    assert ids["imdb"].text == "tt0133093" and ids["imdb"].get("default") is None
    assert ids["wikidata"].text == "Q83495"
    assert [u.get("default") for u in movie.findall("uniqueid")].count("true") == 1
    rating = movie.find("ratings/rating")
    assert rating is not None
    assert rating.attrib == {"name": "themoviedb", "max": "10", "default": "true"}
    assert float(rating.findtext("value", "")) == pytest.approx(8.217)
    assert rating.findtext("votes") == "26044"


def test_movie_artwork_and_actors() -> None:
    (movie,) = parse(movie_nfo(movie_meta(matrix()), None))
    posters = [t for t in movie.findall("thumb") if t.get("aspect") == "poster"]
    assert posters[0].text == IMAGE_BASE + "original/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg"
    assert posters[0].get("preview") == IMAGE_BASE + "w500/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg"
    assert len(posters) == 2  # main poster not repeated from images.posters
    assert [t.get("aspect") for t in movie.findall("thumb")].count("clearlogo") == 1
    fanart = [t.text for t in movie.findall("fanart/thumb")]
    assert fanart == [
        IMAGE_BASE + "original/fNG7i7RqMErkcqhohV2a6cV1Ehy.jpg",
        IMAGE_BASE + "original/tlm8UkiQsitc8rSuIAscQDCnP8d.jpg",
    ]  # the backdrop with a title in English is not fanart
    actors = movie.findall("actor")
    assert [a.findtext("name") for a in actors] == [
        "Keanu Reeves",
        "Laurence Fishburne",
        "Carrie-Anne Moss",
    ]
    assert [a.findtext("order") for a in actors] == ["0", "1", "2"]
    assert actors[0].findtext("role") == "Thomas A. Anderson / Neo"
    assert actors[0].findtext("thumb") == IMAGE_BASE + "original/4D0PpNI0kmP58hgrwGC3wCjxhnm.jpg"
    assert actors[2].find("thumb") is None


def test_streamdetails_numbers_equal_probe() -> None:
    (movie,) = parse(movie_nfo(movie_meta(matrix()), PROBE))
    details = movie.find("fileinfo/streamdetails")
    assert details is not None
    video = details.find("video")
    assert video is not None
    assert video.findtext("codec") == "hevc"
    assert float(video.findtext("aspect", "")) == PROBE["aspect"]
    assert int(video.findtext("width", "")) == PROBE["width"]
    assert int(video.findtext("height", "")) == PROBE["height"]
    assert int(video.findtext("durationinseconds", "")) == round(PROBE["duration"])
    assert video.findtext("hdrtype") == "hdr10"
    audio = details.findall("audio")
    assert [
        (a.findtext("codec"), a.findtext("channels"), a.findtext("language")) for a in audio
    ] == [
        ("eac3", "6", "eng"),
        ("aac", "2", "fra"),
    ]
    assert [s.findtext("language") for s in details.findall("subtitle")] == ["eng", "spa"]


def test_streamdetails_edge_cases() -> None:
    assert streamdetails(None) is None
    assert streamdetails({}) is None
    details = streamdetails({"width": 640, "height": 480, "video_codec": "AVC",
                             "hdr": "Dolby Vision", "subtitles": [{"language": "ger"}]})  # fmt: skip
    assert details is not None
    assert details.findtext("video/codec") == "h264"
    assert details.findtext("video/aspect") == "1.333333"  # computed from width/height
    assert details.findtext("video/hdrtype") == "dolbyvision"
    assert details.find("video/durationinseconds") is None
    assert details.findtext("subtitle/language") == "ger"


def test_movie_without_probe_or_optional_parts() -> None:
    bare = {"id": 11, "title": "Star Wars", "release_date": "", "overview": ""}
    (movie,) = parse(movie_nfo(movie_meta(bare), None))
    assert movie.find("fileinfo") is None
    assert movie.find("year") is None and movie.find("plot") is None
    assert movie.find("ratings") is None and movie.find("mpaa") is None
    assert movie.findtext("uniqueid[@type='tmdb']") == "11"


def test_movie_nfo_is_utf8_and_keeps_non_ascii() -> None:
    amelie = dict(matrix(), title="Le Fabuleux Destin d'Amélie Poulain", original_title="“Amélie”")
    text = movie_nfo(movie_meta(amelie), None)
    (movie,) = parse(text.encode("utf-8").decode("utf-8"))
    assert movie.findtext("title") == "Le Fabuleux Destin d'Amélie Poulain"
    assert movie.findtext("originaltitle") == "“Amélie”"
    # ElementTree accepts the document as bytes with its own declaration, too.
    assert ET.fromstring(text.encode("utf-8")).tag == "movie"


# ---------------------------------------------------------------------------------------------
# TV
# ---------------------------------------------------------------------------------------------


def test_tvshow_nfo() -> None:
    text = tvshow_nfo(show_meta(breaking_bad()))
    (show,) = parse(text)
    assert show.tag == "tvshow"
    assert show.findtext("title") == "Breaking Bad"
    assert show.findtext("showtitle") == "Breaking Bad"
    assert show.findtext("premiered") == "2008-01-20"
    assert show.findtext("year") == "2008"
    assert show.findtext("mpaa") == "TV-MA"
    assert show.findtext("studio") == "AMC"
    assert show.findtext("status") == "Ended"
    assert show.findtext("runtime") == "45"
    ids = {u.get("type"): (u.text, u.get("default")) for u in show.findall("uniqueid")}
    assert ids == {"tmdb": ("1396", "true"), "imdb": ("tt0903747", None), "tvdb": ("81189", None)}
    assert json.loads(show.findtext("episodeguide", "")) == {
        "tmdb": "1396",
        "imdb": "tt0903747",
        "tvdb": "81189",
    }
    seasons = {t.get("season"): t.text for t in show.findall("thumb[@type='season']")}
    assert seasons == {
        "0": IMAGE_BASE + "original/sp.jpg",
        "1": IMAGE_BASE + "original/s1.jpg",
        "5": IMAGE_BASE + "original/s5.jpg",
    }
    assert show.find("thumb[@aspect='poster']") is not None
    assert show.findtext("fanart/thumb") == IMAGE_BASE + "original/tsRy63Mu5cu8etL1X7ZLyf7UP1M.jpg"
    assert [a.findtext("name") for a in show.findall("actor")] == ["Bryan Cranston", "Aaron Paul"]
    # "Specials" differs from the default "Season 0" name; "Season 1" needs no namedseason.
    assert [(n.get("number"), n.text) for n in show.findall("namedseason")] == [("0", "Specials")]


def test_single_episode_nfo() -> None:
    text = episode_nfo(show_meta(breaking_bad(), season_five(), [ozymandias()]), PROBE)
    (episode,) = parse(text)
    assert episode.tag == "episodedetails"
    assert episode.findtext("title") == "Ozymandias"
    assert episode.findtext("showtitle") == "Breaking Bad"
    assert episode.findtext("season") == "5"
    assert episode.findtext("episode") == "14"
    assert episode.findtext("aired") == "2013-09-15"
    assert episode.findtext("runtime") == "48"
    assert episode.findtext("mpaa") == "TV-MA"
    uid = episode.find("uniqueid")
    assert uid is not None and uid.attrib == {"type": "tmdb", "default": "true"}
    assert uid.text == "62161"
    assert episode.findtext("director") == "Rian Johnson"
    assert episode.findtext("credits") == "Moira Walley-Beckett"
    assert episode.findtext("ratings/rating/votes") == "512"
    thumb = episode.find("thumb")
    assert thumb is not None and thumb.text == IMAGE_BASE + "original/ozymandias.jpg"
    assert episode.findtext("actor/name") == "Steven Michael Quezada"
    assert episode.findtext("fileinfo/streamdetails/video/width") == "1920"


def test_multi_episode_nfo_has_one_block_per_episode() -> None:
    season = season_five()
    text = episode_nfo(show_meta(breaking_bad(), season, season["episodes"]), PROBE)
    assert text.count(DECLARATION) == 1
    assert text.count("<episodedetails>") == 2
    blocks = list(parse(text))
    assert [b.tag for b in blocks] == ["episodedetails", "episodedetails"]
    assert [b.findtext("episode") for b in blocks] == ["14", "15"]
    assert [b.findtext("title") for b in blocks] == ["Ozymandias", "Granite State"]
    assert [b.findtext("uniqueid") for b in blocks] == ["62161", "62162"]
    assert [b.findtext("director") for b in blocks] == ["Rian Johnson", "Peter Gould"]
    assert [b.findtext("fileinfo/streamdetails/video/durationinseconds") for b in blocks] == [
        "8160",
        "8160",
    ]
    with pytest.raises(ValueError):
        episode_nfo(show_meta(breaking_bad(), season, []), None)


# ---------------------------------------------------------------------------------------------
# Another provider's metadata
# ---------------------------------------------------------------------------------------------


def catalogue_movie() -> Metadata:
    return Metadata(provider="catalogue", kind="movie", title="Holiday in Brittany", year=2019,
                    premiered="2019-08-01", ids={"catalogue": "hb-2019", "tmdb": "900001",
                                                 "imdb": "tt9000001"},
                    ratings=[Rating("family", 9.5, 4, 10.0), Rating("imdb", 7.25, 120)])


def test_the_providers_id_is_the_default_uniqueid() -> None:
    (movie,) = parse(movie_nfo(catalogue_movie(), None))
    ids = [(u.get("type"), u.text, u.get("default")) for u in movie.findall("uniqueid")]
    assert ids == [("catalogue", "hb-2019", "true"), ("tmdb", "900001", None),
                   ("imdb", "tt9000001", None)]
    ratings = [(r.get("name"), r.get("max"), r.get("default"), r.findtext("value"),
                r.findtext("votes")) for r in movie.findall("ratings/rating")]
    assert ratings == [("family", "10", "true", "9.5", "4"), ("imdb", "10", None, "7.25", "120")]
    assert movie.findtext("year") == "2019" and movie.findtext("premiered") == "2019-08-01"
    assert movie.find("thumb") is None and movie.find("fanart") is None  # it has no artwork


def test_an_episode_of_another_provider() -> None:
    show = Metadata(provider="catalogue", kind="tv", title="Home Movies", ids={"catalogue": "hm"},
                    episodes=[Episode(season=1, number=2, title="The Beach",
                                      thumb="https://images.example/beach.jpg",
                                      ids={"catalogue": "hm-1-2", "tvdb": "77"})])
    (episode,) = parse(episode_nfo(show, None))
    assert [(u.get("type"), u.text, u.get("default")) for u in episode.findall("uniqueid")] == [
        ("catalogue", "hm-1-2", "true"), ("tvdb", "77", None)]
    thumb = episode.find("thumb")
    assert thumb is not None and thumb.attrib == {"aspect": "thumb"}
    assert thumb.text == "https://images.example/beach.jpg"
    (tvshow,) = parse(tvshow_nfo(show))
    assert json.loads(tvshow.findtext("episodeguide", "")) == {"catalogue": "hm"}
    assert tvshow.find("uniqueid[@type='catalogue']").get("default") == "true"  # type: ignore[union-attr]


def test_without_an_allowed_image_host_the_nfo_links_no_image() -> None:
    """No image base (TMDB's /configuration named a host that is not allowed): the metadata has
    no image URLs, so the NFO names no image host at all."""
    text = movie_nfo(movie_meta(matrix(), image_base=None), None)
    (movie,) = parse(text)
    assert movie.find("thumb") is None and movie.find("fanart") is None
    assert all(actor.find("thumb") is None for actor in movie.findall("actor"))
    assert "http" not in text.split("<trailer>")[0]


# ---------------------------------------------------------------------------------------------
# Writing: atomic, and never over a file the user owns
# ---------------------------------------------------------------------------------------------


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()
                  if p.name.endswith(".tmp") or TEMP_MARKER in p.name)


def test_write_new_and_refresh_own_file(tmp_path: Path) -> None:
    target = tmp_path / "The Matrix (1999) {tmdb-603}.nfo"
    text = movie_nfo(movie_meta(matrix()), PROBE)
    assert write_nfo(target, text) is True
    assert target.read_bytes() == text.encode("utf-8")
    assert is_user_nfo(target) is False
    # Unchanged content is not rewritten (no mtime churn for media servers).
    assert write_nfo(target, text) is False
    # New metadata replaces a file shelver wrote and nobody touched.
    refreshed = copy.deepcopy(matrix())
    refreshed["vote_count"] = 27000
    new_text = movie_nfo(movie_meta(refreshed), PROBE)
    assert write_nfo(target, new_text) is True
    assert target.read_text(encoding="utf-8") == new_text
    assert leftovers(tmp_path) == []


def test_user_edited_nfo_is_not_clobbered(tmp_path: Path) -> None:
    target = tmp_path / "movie.nfo"
    write_nfo(target, movie_nfo(movie_meta(matrix()), None))
    edited = target.read_text(encoding="utf-8").replace(
        "<title>The Matrix</title>", "<title>The Matrix (Director's Cut)</title>"
    )
    target.write_text(edited, encoding="utf-8")  # marker kept: the checksum tells the edit
    assert is_user_nfo(target) is True
    assert write_nfo(target, movie_nfo(movie_meta(matrix()), PROBE)) is False
    assert target.read_text(encoding="utf-8") == edited
    assert write_nfo(target, movie_nfo(movie_meta(matrix()), PROBE), overwrite_user_edited=True) is True
    assert is_user_nfo(target) is False


def test_foreign_nfo_is_users(tmp_path: Path) -> None:
    target = tmp_path / "tvshow.nfo"
    hand_written = "<tvshow><title>Breaking Bad</title></tvshow>\n"
    target.write_text(hand_written, encoding="utf-8")
    assert is_user_nfo(target) is True
    assert write_nfo(target, tvshow_nfo(show_meta(breaking_bad()))) is False
    assert target.read_text(encoding="utf-8") == hand_written
    assert is_user_nfo(tmp_path / "absent.nfo") is False


def test_line_ending_conversion_is_not_an_edit(tmp_path: Path) -> None:
    target = tmp_path / "tvshow.nfo"
    text = tvshow_nfo(show_meta(breaking_bad()))
    target.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    assert is_user_nfo(target) is False


def test_failed_write_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "movie.nfo"
    old = movie_nfo(movie_meta(matrix()), None)
    write_nfo(target, old)

    def no_rename(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(nfo_writer.os, "replace", no_rename)
    with pytest.raises(OSError):
        write_nfo(target, movie_nfo(movie_meta(matrix()), PROBE))
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == old
    assert leftovers(tmp_path) == []
    assert os.listdir(tmp_path) == ["movie.nfo"]
