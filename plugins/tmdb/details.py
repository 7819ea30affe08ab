"""Fetching the TMDB documents of a known identity (a film, or a show with its season and
episodes; a daily show's episode by air date), and when the matched work came out. The matcher
(:mod:`shelver.plugins.tmdb.matcher`) asks for them once it has chosen; a person's choice in
``shelver review`` and a moved file's identity are fetched here without a search."""

from __future__ import annotations

import re
from typing import Any

from shelver.api import Identity, Metadata, NotFoundError
from shelver.plugins.tmdb.client import TMDBClient
from shelver.plugins.tmdb.metadata import to_metadata

# DESIGN's parts, plus the alternative titles: scoring a candidate against "Wo Hu Cang Long" or
# "Stephen King's It" needs them, and they cost nothing in the same request.
MOVIE_APPEND = "credits,images,release_dates,external_ids,keywords,videos,alternative_titles"
TV_APPEND = "credits,images,external_ids,keywords,content_ratings,videos,alternative_titles"


async def _daily_episode(
    client: TMDBClient, show_id: int, show: dict[str, Any], air_date: str, lang: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The (season, episode) that aired on ``air_date``.

    Daily shows often number seasons by year on TMDB; otherwise the latest season that had
    begun by then. At most two season requests.
    """
    listed = [s for s in show.get("seasons") or [] if isinstance(s, dict)]
    year = int(air_date[:4])
    order: list[int] = []
    if any(s.get("season_number") == year for s in listed):
        order.append(year)
    dated = sorted(
        (s for s in listed if s.get("air_date") and s.get("season_number")),
        key=lambda s: str(s["air_date"]),
    )
    started = [s["season_number"] for s in dated if str(s["air_date"]) <= air_date]
    if started:
        order.append(started[-1])
    for number in list(dict.fromkeys(order))[:2]:
        try:
            season = await client.get(f"/tv/{show_id}/season/{number}", lang)
        except NotFoundError:
            continue
        for episode in season.get("episodes") or []:
            if episode.get("air_date") == air_date:
                return season, episode
    return None


async def fetch_metadata(
    client: TMDBClient, identity: Identity, *, language: str = "en-US"
) -> Metadata:
    """The :class:`~shelver.metadata.Metadata` of a known identity (one a person chose with
    ``shelver review``, a moved file's): no search. Its image URLs use ``client.image_base``.

    Raises NotFoundError when TMDB has no such id (or season); episodes TMDB does not list are
    left out.
    """
    documents = await fetch_documents(client, identity, language=language)
    return to_metadata(documents, client.image_base)


async def fetch_documents(
    client: TMDBClient, identity: Identity, *, language: str = "en-US"
) -> dict[str, Any]:
    """The TMDB documents of a known identity: ``{"movie": details}`` or
    ``{"show": details, "season": season, "episodes": [...]}`` (see :func:`fetch_metadata`)."""
    lang = {"language": language} if language else {}
    if identity.kind == "movie":
        movie = await client.get(
            f"/movie/{identity.id}", {"append_to_response": MOVIE_APPEND, **lang}
        )
        return {"movie": movie}
    show = await client.get(f"/tv/{identity.id}", {"append_to_response": TV_APPEND, **lang})
    if identity.season is None:
        return {"show": show}
    season = await client.get(f"/tv/{identity.id}/season/{identity.season}", lang)
    if season.get("season_number") is None:  # TMDB may send null: it is the season asked for
        season = {**season, "season_number": identity.season}
    by_number = {e.get("episode_number"): e for e in season.get("episodes") or []}
    episodes = [by_number[n] for n in identity.episodes if n in by_number]
    return {"show": show, "season": season, "episodes": episodes}


def matched_release_date(metadata: dict[str, Any] | Metadata) -> str | None:
    """When the matched work came out (``Match.release_date``): the movie's release date, the
    newest matched episode's air date, else the show's first air date; None when TMDB has none.

    ``metadata`` is a :class:`~shelver.metadata.Metadata` or the TMDB documents it is made of."""

    def iso(value: Any) -> str | None:
        text = str(value or "")[:10]
        return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None

    if isinstance(metadata, Metadata):
        aired = [iso(e.aired) for e in metadata.episodes] if metadata.kind != "movie" else []
        return max([d for d in aired if d], default=None) or iso(metadata.premiered)

    if isinstance(metadata.get("movie"), dict):
        return iso(metadata["movie"].get("release_date"))
    aired = [iso(e.get("air_date")) for e in metadata.get("episodes") or [] if isinstance(e, dict)]
    dates = [date for date in aired if date]
    if dates:
        return max(dates)
    show = metadata.get("show")
    return iso(show.get("first_air_date")) if isinstance(show, dict) else None
