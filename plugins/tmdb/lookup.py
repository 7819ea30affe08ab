"""The searches the matcher (:mod:`shelver.plugins.tmdb.matcher`) sends for a name, as few as
finding it allows (docs/identification.md, "Query variants" and "Requests").

A name with a year and a kind is searched year-filtered first (``/search/movie?year=``,
``/search/tv?first_air_date_year=``): one short, precise page on the real TMDB, where the same
title without its year is a common word with hundreds of results. A name without a year uses
its kind's search without one, a name that does not say its kind ``/search/multi``, as before.
What is saved is only what holds on a real-sized answer: ``and`` sent as ``&`` (one spelling
fewer), a spelling not sent when a complete answer (one page, every match) already held what it
could find, and rivals' details only when they could change the decision (the matcher).
"""

from __future__ import annotations

import re
from typing import Any

from shelver.api import ParsedName
from shelver.plugins.tmdb.client import TMDBClient
from shelver.plugins.tmdb.scoring import candidate_titles, title_similarity
from shelver.plugins.tmdb.variants import (
    MAX_VARIANTS,
    abbreviations_in,
    broad,
    query_text,
    query_variants,
    spells_out,
    without_numbers,
    without_part,
)

MAX_CANDIDATES = 10  # scored per search
PAGE_SIZE = 20  # results per page of a TMDB search
# A search without the title's numbers settles the name only with a result this close to the
# whole title (a complete page that has none is scored as it is) ("Back to the Future Part II" for "back to the future 2": 0.9;
# "Toy Story" for "Toy Story 2" is 0.85).
NUMBERLESS_SURE = 0.88

Found = list[tuple[str, dict[str, Any]]]


async def search(client: TMDBClient, parsed: ParsedName, lang: dict[str, str]) -> Found:
    """Candidates as ``[(kind, result), ...]``.

    The title, with the year when the name has one (a film's or show's search, year-filtered;
    ``/search/multi`` when the name does not say which, its year scored); then, only while that
    finds nothing, other spellings (:func:`query_variants`), with the year; then the title
    without the year. A title with a sequel's number and a year is first searched without the
    number (``rocky`` 1982 finds "Rocky III" however TMDB spells the number); that answer,
    when complete, holds whatever the spellings with the number could find. An answer that
    held every match on its one page settles every narrower spelling of the same search (more
    words, same year): those could only find fewer. Each query sent is a request.
    """
    wanted = {"movie": "movie", "episode": "tv"}.get(parsed.kind or "")
    title = broad(query_text(parsed.title or ""))
    variants = [broad(v) for v in _variants(parsed)]
    numberless = without_numbers(title) if parsed.year is not None and wanted else None
    attempts: list[tuple[str, int | None]] = [(title, parsed.year)]
    if numberless:  # year-filtered: one short page on the real TMDB too (docs: "Requests")
        attempts.insert(0, (numberless, parsed.year))
    if parsed.year is not None and wanted:
        attempts += [(variant, parsed.year) for variant in variants]
        attempts.append((title, None))  # a wrong year; other spellings with it were tried
    else:  # the multi search has no year filter: the year, if any, is scored
        attempts = [(q, None) for q in [title, *variants]]
    abbreviations = abbreviations_in(parsed.title or "")
    settled: list[tuple[set[str], int | None]] = []  # complete answers' words, their year
    tried: set[tuple[str, int | None]] = set()
    for query, year in attempts:
        words = set(query.split()) - {"&"}
        if (not query or (query, year) in tried
                or any(done <= words and y == year for done, y in settled)):
            continue
        tried.add((query, year))
        # "law & order" for "Law and Order SVU": only a title that spells "SVU" out counts
        left_out = [a for a in abbreviations if a.lower() not in query.split()]
        raw, complete = await _search_once(client, wanted, query, year, lang)
        found = _spelling_out(raw, left_out)
        if query == numberless and not _sure(found, parsed):
            if complete:  # what a narrower spelling could find is here: score it
                settled.append((words, year))
                if found:
                    return found
            continue  # cut short: the spellings with the number follow, as before
        if found:
            return found
        if complete:
            settled.append((words, year))
    return []


def _sure(found: Found, parsed: ParsedName) -> bool:
    return any(title_similarity(parsed.title or "", name) >= NUMBERLESS_SURE
               for _, result in found for name in candidate_titles(result))


def _spelling_out(found: Found, abbreviations: list[str]) -> Found:
    return [(kind, result) for kind, result in found
            if all(spells_out(candidate_titles(result), a) for a in abbreviations)]


def _variants(parsed: ParsedName) -> list[str]:
    title = query_text(parsed.title or "")
    variants = query_variants(parsed.title or "")
    for alternative in parsed.alternative_titles:
        # guessit's leftovers ("CHINESE", "03-04 at") are not worth a request, nor the title
        # of an episode the name may hold.
        if (len(re.findall(r"[^\W\d_]{2,}", alternative)) >= 2
                and alternative != parsed.episode_title):
            variants.append(query_text(alternative))
    shorter = without_part(title)
    if shorter:
        variants.append(shorter)
    return [v for v in dict.fromkeys(variants) if v and v != title][:MAX_VARIANTS]


async def _search_once(
    client: TMDBClient, kind: str | None, query: str, year: int | None, lang: dict[str, str]
) -> tuple[Found, bool]:
    """The results of one search (films and shows only), and whether its page held them all."""
    if kind == "movie":
        body = await client.get("/search/movie", {"query": query, "year": year, **lang})
        found = [("movie", {**r, "media_type": "movie"}) for r in _results(body)]
    elif kind == "tv":
        body = await client.get("/search/tv", {"query": query, "first_air_date_year": year, **lang})
        found = [("tv", {**r, "media_type": "tv"}) for r in _results(body)]
    else:  # the name does not say: the multi search (it has no year filter)
        body = await client.get("/search/multi", {"query": query, **lang})
        found = [(r["media_type"], r) for r in _results(body, keep=("movie", "tv"))]
    pages = body.get("total_pages")
    raw = body.get("results") or []
    return found, (pages <= 1 if isinstance(pages, int) else len(raw) < PAGE_SIZE)


def _results(body: dict[str, Any], keep: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    results = [r for r in body.get("results") or [] if isinstance(r, dict) and "id" in r]
    if keep is not None:
        results = [r for r in results if r.get("media_type") in keep]
    return results[:MAX_CANDIDATES]
