"""A person's search (the web UI's Review search box, hook ``shelver_search``): a title with
an optional year and kind, or a TMDB id or page URL, answered as review cards."""

from __future__ import annotations

import re
from typing import Any

from shelver.api import NotFoundError
from shelver.plugins.tmdb.cards import card_details
from shelver.plugins.tmdb.client import TMDBClient
from shelver.plugins.tmdb.scoring import candidate_kind, candidate_year

# tmdb:movie/603, movie/603, tv:1396, https://www.themoviedb.org/movie/603-the-matrix
REFERENCE = re.compile(
    r"^\s*(?:(?:tmdb:)?(?P<kind>movie|tv)[/:](?P<id>\d+)"
    r"|https?://(?:www\.)?themoviedb\.org/(?P<url_kind>movie|tv)/(?P<url_id>\d+)[^\s]*)\s*$")
OTHER_PROVIDER = re.compile(r"^\s*[A-Za-z][A-Za-z0-9_-]*:(?:movie|tv)/")
LIMIT = 10


def card(result: dict[str, Any], image_base: str | None, kind: str | None = None) -> dict[str, Any]:
    kind = kind or candidate_kind(result)
    return {"provider": "tmdb", "type": kind, "id": result.get("id"),
            "title": result.get("title") or result.get("name"), "year": candidate_year(result),
            **card_details(result, image_base)}


async def search_cards(client: TMDBClient, text: str, year: int | None, kind: str | None,
                       language: str) -> list[dict[str, Any]] | None:
    """Cards for ``text``; None when it is another provider's id (``catalogue:movie/x``)."""
    lang = {"language": language} if language else {}
    reference = REFERENCE.match(text)
    if reference is not None:
        ref_kind = reference["kind"] or reference["url_kind"]
        ref_id = reference["id"] or reference["url_id"]
        try:
            details = await client.get(f"/{ref_kind}/{ref_id}", lang)
        except NotFoundError:
            return []
        return [card(details, client.image_base, ref_kind)]
    if OTHER_PROVIDER.match(text):
        return None
    query = " ".join(text.split())
    if kind == "movie":
        body = await client.get("/search/movie", {"query": query, "year": year, **lang})
    elif kind == "tv":
        body = await client.get("/search/tv", {"query": query, "first_air_date_year": year, **lang})
    else:
        body = await client.get("/search/multi", {"query": query, **lang})
    results = [r for r in body.get("results") or [] if isinstance(r, dict)
               and (kind is not None or r.get("media_type") in ("movie", "tv"))]
    cards = [card(r, client.image_base, kind) for r in results]
    if year is not None and kind is None:  # /search/multi takes no year: the closest first
        cards.sort(key=lambda c: abs((c["year"] or 0) - year))
    return cards[:LIMIT]
