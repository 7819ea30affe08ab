"""TMDB's documents as shelver's provider-neutral :class:`~shelver.metadata.Metadata`.

This is the one place that knows TMDB's field names: naming, the NFO writer, the MP4 tagger and
artwork read only the :class:`Metadata` :func:`to_metadata` makes (docs/architecture.md,
"Identity and metadata"). The documents have been through :mod:`.validate` already; image paths
that still do not look like TMDB image paths are left out all the same, so every URL in the
result is on the image host the run allowed.

What comes from where: the US certification from ``release_dates`` (theatrical release first) or
``content_ratings``; people from ``credits`` (a ``Director`` job is :data:`DIRECTING`, the
``Writing`` department :data:`WRITING`, producer jobs :data:`PRODUCTION`) and each episode's
``crew`` and ``guest_stars``; images as full-size URLs with the previews Kodi's NFO offers
(``w500`` for posters and logos, ``w780`` for fanart and stills) and TMDB's standard sizes;
ids in the order TMDB, IMDb, TVDB, Wikidata.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from shelver.api import (
    CAST,
    DIRECTING,
    FANART,
    GUEST,
    LOGO,
    POSTER,
    PRODUCTION,
    SEASON_POSTER,
    THUMB,
    WRITING,
    Episode,
    Image,
    Metadata,
    Person,
    Rating,
    Season,
    is_image_path,
)

__all__ = ["image_url", "to_metadata", "us_certification", "us_tv_rating"]

PROVIDER = "tmdb"
# Which US release to take the certification from: theatrical first, premiere last.
_RELEASE_TYPE_ORDER = (3, 2, 4, 5, 6, 1)
_SHOW_STATUS = {"Returning Series": "Continuing", "In Production": "Continuing"}
_PRODUCER_JOBS = {"Producer", "Executive Producer"}
# TMDB's image sizes (its /configuration), by what an image is used for; "original" is ``url``.
_SIZES = {
    POSTER: (92, 154, 185, 342, 500, 780), SEASON_POSTER: (92, 154, 185, 342, 500, 780),
    FANART: (300, 780, 1280), THUMB: (92, 185, 300), LOGO: (45, 92, 154, 185, 300, 500),
}  # fmt: skip
_PREVIEW = {POSTER: "w500", SEASON_POSTER: "w500", LOGO: "w500", FANART: "w780", THUMB: "w780"}


def to_metadata(documents: Mapping[str, Any], image_base: str | None) -> Metadata:
    """The :class:`Metadata` of TMDB documents as a match holds them: ``{"movie": details}``
    or ``{"show": details[, "season": season][, "episodes": [episode, ...]]}`` (details with
    their ``append_to_response`` parts inline, episodes from the season document, in file
    order).

    ``image_base`` is the image base the run allowed (``https://image.tmdb.org/t/p/``); None
    leaves every image out (no allowed image host: nothing to fetch, nothing to link).
    """
    movie, show = documents.get("movie"), documents.get("show")
    if isinstance(movie, dict):
        return _movie(movie, image_base)
    if isinstance(show, dict):
        season = documents.get("season")
        episodes = [e for e in documents.get("episodes") or [] if isinstance(e, dict)]
        return _show(show, season if isinstance(season, dict) else None, episodes, image_base)
    raise ValueError("TMDB documents need a 'movie' or a 'show'")


def image_url(image_base: str, size: str, file_path: str) -> str:
    """The full URL of a TMDB image: ``image_url("https://image.tmdb.org/t/p/", "w500", "/x.jpg")``.

    ``size`` is one of TMDB's configured sizes (``"w500"``, ``"original"``...); ``file_path`` is a
    ``poster_path``/``backdrop_path``/``still_path``/``profile_path`` value as TMDB returns it.
    """
    if not file_path:
        raise ValueError("image file_path is empty")
    return f"{image_base.rstrip('/')}/{size.strip('/')}/{file_path.lstrip('/')}"


# ---------------------------------------------------------------------------------------------
# Movies and shows
# ---------------------------------------------------------------------------------------------


def _movie(movie: dict[str, Any], base: str | None) -> Metadata:
    external = _dict(movie.get("external_ids"))
    collection = _dict(movie.get("belongs_to_collection"))
    certification = us_certification(movie)
    return Metadata(
        provider=PROVIDER, kind="movie", title=_str(movie.get("title")) or "",
        original_title=_str(movie.get("original_title")),
        year=_year(movie.get("release_date")), premiered=_iso(movie.get("release_date")),
        plot=_str(movie.get("overview")), tagline=_str(movie.get("tagline")),
        runtime=_int(movie.get("runtime")) or None,
        genres=_names(movie.get("genres")), studios=_names(movie.get("production_companies")),
        countries=_names(movie.get("production_countries")),
        certification=certification, certification_country="US" if certification else None,
        collection=_str(collection.get("name")), collection_plot=_str(collection.get("overview")),
        trailer=_trailer(movie), ratings=_ratings(movie),
        people=_credits(_dict(movie.get("credits")), base),
        images=_artwork(movie, base),
        ids=_ids(movie.get("id"), movie.get("imdb_id") or external.get("imdb_id"),
                 external.get("tvdb_id"), external.get("wikidata_id")),
    )  # fmt: skip


def _show(show: dict[str, Any], season: dict[str, Any] | None, episodes: list[dict[str, Any]],
          base: str | None) -> Metadata:
    external = _dict(show.get("external_ids"))
    run_times = show.get("episode_run_time") or []
    status = _str(show.get("status"))
    certification = us_tv_rating(show)
    seasons = [_season(s, base) for s in _dicts(show.get("seasons"))
               if _int(s.get("season_number")) is not None]
    matched = _season(season, base) if season is not None else None
    images = _artwork(show, base)
    if base is not None:
        for listed in _dicts(show.get("seasons")):  # in the show's order, as tvshow.nfo has them
            number, path = _int(listed.get("season_number")), listed.get("poster_path")
            if number is not None and is_image_path(path):
                images.append(_image(SEASON_POSTER, str(path), base, season=number))
        if matched is not None and season is not None and matched.poster and not any(
                i.kind == SEASON_POSTER and i.season == matched.number for i in images):
            images.append(_image(SEASON_POSTER, str(season["poster_path"]), base,
                                 season=matched.number))
    number = matched.number if matched is not None else 0
    converted = [_episode(e, number, base) for e in episodes]
    if base is not None:
        for raw, episode in zip(episodes, converted, strict=True):
            still = raw.get("still_path")
            if is_image_path(still):
                images.append(_image(THUMB, str(still), base, season=episode.season,
                                     episode=episode.number))
    countries = _names(show.get("production_countries")) or [
        str(c) for c in show.get("origin_country") or [] if c]
    return Metadata(
        provider=PROVIDER, kind="tv", title=_str(show.get("name")) or "",
        original_title=_str(show.get("original_name")),
        year=_year(show.get("first_air_date")), premiered=_iso(show.get("first_air_date")),
        plot=_str(show.get("overview")), tagline=_str(show.get("tagline")),
        runtime=_int(run_times[0]) if run_times else None,
        genres=_names(show.get("genres")), studios=_names(show.get("production_companies")),
        networks=_names(show.get("networks")), countries=countries,
        certification=certification, certification_country="US" if certification else None,
        status=_SHOW_STATUS.get(status, status) if status else None,
        trailer=_trailer(show), ratings=_ratings(show),
        people=_credits(_dict(show.get("credits")), base), images=images,
        ids=_ids(show.get("id"), external.get("imdb_id"), external.get("tvdb_id"),
                 external.get("wikidata_id")),
        seasons=seasons, season=matched, episodes=converted,
    )  # fmt: skip


def _season(season: dict[str, Any], base: str | None) -> Season:
    poster = season.get("poster_path")
    return Season(number=_int(season.get("season_number")) or 0, name=_str(season.get("name")),
                  plot=_str(season.get("overview")), premiered=_iso(season.get("air_date")),
                  poster=_url(base, poster))


def _episode(episode: dict[str, Any], season: int, base: str | None) -> Episode:
    external = _dict(episode.get("external_ids"))
    number = _int(episode.get("season_number"))
    people = _crew(_dicts(episode.get("crew")))
    people += [_person(p, GUEST, base) for p in _dicts(episode.get("guest_stars")) if _str(p.get("name"))]
    return Episode(
        season=season if number is None else number,
        number=_int(episode.get("episode_number")) or 0,
        title=_str(episode.get("name")), plot=_str(episode.get("overview")),
        aired=_iso(episode.get("air_date")), runtime=_int(episode.get("runtime")) or None,
        production_code=_str(episode.get("production_code")), ratings=_ratings(episode),
        people=people, thumb=_url(base, episode.get("still_path")),
        ids=_ids(episode.get("id"), external.get("imdb_id"), external.get("tvdb_id"),
                 external.get("wikidata_id")),
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Certifications, ratings, trailer, ids
# ---------------------------------------------------------------------------------------------


def us_certification(movie: Mapping[str, Any]) -> str | None:
    """The US certification (``"R"``, ``"PG-13"``) from ``release_dates``, theatrical first."""
    for country in _dicts(_dict(movie.get("release_dates")).get("results")):
        if country.get("iso_3166_1") != "US":
            continue
        rated = [r for r in _dicts(country.get("release_dates")) if r.get("certification")]
        rated.sort(
            key=lambda r: (
                _RELEASE_TYPE_ORDER.index(r.get("type"))
                if r.get("type") in _RELEASE_TYPE_ORDER
                else len(_RELEASE_TYPE_ORDER)
            )
        )
        if rated:
            return str(rated[0]["certification"]).strip() or None
    return None


def us_tv_rating(show: Mapping[str, Any]) -> str | None:
    """The US TV rating (``"TV-MA"``) from ``content_ratings``."""
    for rating in _dicts(_dict(show.get("content_ratings")).get("results")):
        if rating.get("iso_3166_1") == "US" and rating.get("rating"):
            return str(rating["rating"]).strip() or None
    return None


def _ratings(document: Mapping[str, Any]) -> list[Rating]:
    average, votes = document.get("vote_average"), document.get("vote_count")
    if not votes and not average:
        return []
    return [Rating("themoviedb", float(average or 0), int(votes or 0), 10.0)]


def _trailer(document: Mapping[str, Any]) -> str | None:
    """A YouTube trailer (official, then English first) as the URL Kodi's YouTube add-on plays."""
    videos = [
        v
        for v in _dicts(_dict(document.get("videos")).get("results"))
        if v.get("site") == "YouTube" and v.get("type") == "Trailer" and v.get("key")
    ]
    if not videos:
        return None
    videos.sort(key=lambda v: (not v.get("official", False), v.get("iso_639_1") != "en"))
    return f"plugin://plugin.video.youtube/play/?video_id={videos[0]['key']}"


def _ids(tmdb: Any, imdb: Any, tvdb: Any, wikidata: Any) -> dict[str, str]:
    ids = {"tmdb": tmdb, "imdb": imdb, "tvdb": tvdb, "wikidata": wikidata}
    return {scheme: str(value) for scheme, value in ids.items()
            if value and not isinstance(value, bool)}


# ---------------------------------------------------------------------------------------------
# People and images
# ---------------------------------------------------------------------------------------------


def _credits(credits: dict[str, Any], base: str | None) -> list[Person]:
    cast = [_person(p, CAST, base) for p in _dicts(credits.get("cast")) if _str(p.get("name"))]
    return cast + _crew(_dicts(credits.get("crew")))


def _person(person: dict[str, Any], department: str, base: str | None) -> Person:
    return Person(name=str(person["name"]), department=department,
                  role=_str(person.get("character")), order=_int(person.get("order")),
                  image=_url(base, person.get("profile_path")))


def _crew(crew: Iterable[dict[str, Any]]) -> list[Person]:
    people = []
    for person in crew:
        name, job = _str(person.get("name")), _str(person.get("job"))
        if not name:
            continue
        if job == "Director":
            department = DIRECTING
        elif person.get("department") == "Writing":
            department = WRITING
        elif job in _PRODUCER_JOBS:
            department = PRODUCTION
        else:
            continue
        people.append(Person(name=name, department=department, role=job))
    return people


def _artwork(document: dict[str, Any], base: str | None) -> list[Image]:
    """Posters (the main one first), logos, and clean (text-less) backdrops as fanart."""
    if base is None:
        return []
    images = _dict(document.get("images"))
    posters, logos = _dicts(images.get("posters")), _dicts(images.get("logos"))
    # Backdrops with a language carry text; Kodi's fanart is the clean (language-less) kind.
    backdrops = [b for b in _dicts(images.get("backdrops")) if not b.get("iso_639_1")]
    found = []
    for kind, main, listed in ((POSTER, document.get("poster_path"), posters),
                               (LOGO, None, logos),
                               (FANART, document.get("backdrop_path"), backdrops)):
        languages = {i.get("file_path"): _str(i.get("iso_639_1")) for i in listed}
        for path in _unique([main, *(i.get("file_path") for i in listed)]):
            found.append(_image(kind, path, base, language=languages.get(path)))
    return found


def _image(kind: str, path: str, base: str, *, season: int | None = None,
           episode: int | None = None, language: str | None = None) -> Image:
    return Image(kind=kind, url=image_url(base, "original", path),
                 preview=image_url(base, _PREVIEW[kind], path), season=season, episode=episode,
                 language=language,
                 sizes={width: image_url(base, f"w{width}", path) for width in _SIZES[kind]})


def _url(base: str | None, path: Any) -> str | None:
    return image_url(base, "original", path) if base is not None and is_image_path(path) else None


def _unique(paths: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys(str(p) for p in paths if p and is_image_path(p)))


# ---------------------------------------------------------------------------------------------
# Plain values
# ---------------------------------------------------------------------------------------------


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value)
    return text if text.strip() else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _names(items: Any) -> list[str]:
    return [str(item["name"]) for item in _dicts(items) if _str(item.get("name"))]


def _iso(value: Any) -> str | None:
    text = str(value or "")[:10]
    return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None


def _year(value: Any) -> int | None:
    text = str(value or "")
    return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else None
