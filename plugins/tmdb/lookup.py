"""The searches the matcher (:mod:`shelver.plugins.tmdb.matcher`) sends for a name, as few as
finding it allows (docs/identification.md, "Query variants" and "Requests").

One ``/search/multi`` per spelling, without the year or the kind (both are scored): every name
of a work, with its year or without, a film's or a show's, shares one cached search. An answer
that held every match on its one page settles its spelling and every narrower one: a search of
one kind, with the year, or with more words (``rocky iii`` after ``rocky``), could only find
fewer. Only a page cut short (a common title) is searched again of the name's kind with its
year, then without, as an expert narrows a long list.
"""

from __future__ import annotations

import re
from typing import Any

from shelver.api import ParsedName
from shelver.plugins.tmdb.client import TMDBClient
from shelver.plugins.tmdb.scoring import candidate_titles, candidate_year, title_similarity
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
# A search without the title's numbers counts, on a page cut short, only with a result this
# close to the whole title ("Back to the Future Part II" for "back to the future 2": 0.9;
# "Toy Story" for "Toy Story 2" is 0.85).
NUMBERLESS_SURE = 0.88

Found = list[tuple[str, dict[str, Any]]]


async def search(client: TMDBClient, parsed: ParsedName, lang: dict[str, str]) -> Found:
    """Candidates as ``[(kind, result), ...]``.

    The title without its numbers first when it has some (``rocky`` for ``Rocky 3``: TMDB may
    spell them ``III``, and the search is shared with the other films of the series), then the
    title, then, only while nothing of the name's kind and year (±1) is found, other spellings
    (:func:`query_variants`). A spelling whose words include those of an earlier complete
    answer is not sent. A match of another year is kept for the end (a wrong year in the name).
    Each query sent is a request.
    """
    wanted = {"movie": "movie", "episode": "tv"}.get(parsed.kind or "")
    title = query_text(parsed.title or "")
    numberless = without_numbers(title)
    queries = [broad(q) for q in [numberless or "", title, *_variants(parsed)] if q]
    abbreviations = abbreviations_in(parsed.title or "")
    settled: list[set[str]] = []  # the words of complete answers with nothing of the year
    other_year: Found = []
    for query in dict.fromkeys(queries):
        words = set(query.split()) - {"&"}
        if any(done <= words for done in settled):
            continue
        # "law & order" for "Law and Order SVU": only a title that spells "SVU" out counts
        left_out = [a for a in abbreviations if a.lower() not in query.split()]
        found, complete = await _search_multi(client, wanted, query, parsed.year, lang)
        found = _spelling_out(found, left_out)
        if not complete:
            for year in dict.fromkeys((parsed.year, None)):
                narrowed = _spelling_out(await _search_once(client, wanted, query, year, lang),
                                         left_out)
                if narrowed and (query != broad(numberless or "") or _sure(narrowed, parsed)):
                    return narrowed
            continue
        if found and (parsed.year is None or any(_year_fits(r, parsed.year) for _, r in found)):
            return found
        other_year = other_year or found
        settled.append(words)
    return other_year


def _sure(found: Found, parsed: ParsedName) -> bool:
    return any(title_similarity(parsed.title or "", name) >= NUMBERLESS_SURE
               for _, result in found for name in candidate_titles(result))


def _spelling_out(found: Found, abbreviations: list[str]) -> Found:
    return [(kind, result) for kind, result in found
            if all(spells_out(candidate_titles(result), a) for a in abbreviations)]


def _year_fits(result: dict[str, Any], year: int) -> bool:
    found = candidate_year(result)
    return found is not None and abs(found - year) <= 1


async def _search_multi(
    client: TMDBClient, kind: str | None, query: str, year: int | None, lang: dict[str, str]
) -> tuple[Found, bool]:
    """The multi search's films and shows of ``kind`` (both when None), those of ``year`` (±1)
    first, and whether its one page held every match."""
    body = await client.get("/search/multi", {"query": query, **lang})
    raw = body.get("results") or []
    pages = body.get("total_pages")
    complete = pages <= 1 if isinstance(pages, int) else len(raw) < PAGE_SIZE
    kinds = (kind,) if kind else ("movie", "tv")
    results = [r for r in raw if isinstance(r, dict) and "id" in r and r.get("media_type") in kinds]
    if year is not None:
        results.sort(key=lambda r: not _year_fits(r, year))
    return [(r["media_type"], r) for r in results[:MAX_CANDIDATES]], complete


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
) -> Found:
    if kind == "movie":
        body = await client.get("/search/movie", {"query": query, "year": year, **lang})
        return [("movie", {**r, "media_type": "movie"}) for r in _results(body)]
    if kind == "tv":
        body = await client.get("/search/tv", {"query": query, "first_air_date_year": year, **lang})
        return [("tv", {**r, "media_type": "tv"}) for r in _results(body)]
    # The name does not say: the multi search (it has no year filter).
    body = await client.get("/search/multi", {"query": query, **lang})
    return [(r["media_type"], r) for r in _results(body, keep=("movie", "tv"))]


def _results(body: dict[str, Any], keep: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    results = [r for r in body.get("results") or [] if isinstance(r, dict) and "id" in r]
    if keep is not None:
        results = [r for r in results if r.get("media_type") in keep]
    return results[:MAX_CANDIDATES]
