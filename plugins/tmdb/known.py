"""The works a run has identified already, by title and year: a second spelling of a film
("Léon (1994)" after "Leon.The.Professional.1994") needs no new search (docs/identification.md,
"Requests").

Only a name with a year is answered from here, and only when exactly one known work has that
title (its own, original or an alternative one, compared normalised: case, accents,
punctuation, articles, roman numerals) and that year, of the kind the name allows: without a
year a known "Heat" says nothing about the other films named Heat that a search would show.
The memory lives as long as the TMDB client (one run); a later run finds its searches in the
response cache instead.
"""

from __future__ import annotations

import weakref
from dataclasses import replace
from typing import Any

from shelver.api import ParsedName
from shelver.plugins.tmdb.details import MOVIE_APPEND, TV_APPEND
from shelver.plugins.tmdb.scoring import (
    candidate_titles,
    candidate_year,
    normalise_title,
    runtime_contradiction,
    score_candidate,
)

# client -> {(kind, normalised title, year): {work ids}}
_MEMORY: weakref.WeakKeyDictionary[Any, dict[tuple[str, str, int], set[int]]] = (
    weakref.WeakKeyDictionary())


def _key(title: str) -> str:
    return normalise_title(title).replace(" ", "")


def remember(client: Any, kind: str, details: dict[str, Any]) -> None:
    """Note the work of ``details`` (a ``/movie/N`` or ``/tv/N`` document) as identified."""
    year = candidate_year(details)
    work = details.get("id")
    if year is None or not isinstance(work, int):
        return
    memory = _MEMORY.setdefault(client, {})
    for title in candidate_titles(details, details):
        memory.setdefault((kind, _key(title), year), set()).add(work)


def recall(client: Any, parsed: ParsedName) -> tuple[str, int] | None:
    """``(kind, id)`` of the one known work the name's title and year fit; None otherwise."""
    memory = _MEMORY.get(client)
    if not memory or not parsed.title or parsed.year is None:
        return None
    wanted = {"movie": ("movie",), "episode": ("tv",)}.get(parsed.kind or "", ("movie", "tv"))
    if parsed.episode_title:
        wanted = tuple(dict.fromkeys((*wanted, "tv")))
    found = {(kind, work) for kind in wanted
             for work in memory.get((kind, _key(parsed.title), parsed.year), ())}
    return found.pop() if len(found) == 1 else None


async def known_candidate(
    client: Any, parsed: ParsedName, duration: float | None, min_confidence: float,
    lang: dict[str, str],
) -> tuple[str, dict[str, Any], float, dict[str, Any], ParsedName] | None:
    """``(kind, candidate, score, reasons, parsed as checked)`` for the known work a second
    spelling names, its details from the cache, scored like a search result; None (search as
    usual) when there is none, it does not reach ``min_confidence`` or the running time
    contradicts a film."""
    known = recall(client, parsed)
    if known is None:
        return None
    kind, work = known
    append = MOVIE_APPEND if kind == "movie" else TV_APPEND
    details = await client.get(f"/{kind}/{work}", {"append_to_response": append, **lang})
    if kind == "movie" and runtime_contradiction(kind, details, duration):
        return None  # (a show's specials run any length)
    candidate = {**details, "media_type": kind}
    checked = parsed if kind == "movie" else replace(parsed, kind="episode")
    score, reasons = score_candidate(checked, candidate, kind=kind, duration=duration,
                                     details=details)
    if score < min_confidence:
        return None
    reasons["known"] = "identified earlier in this run under this title and year"
    return kind, candidate, score, reasons, checked
