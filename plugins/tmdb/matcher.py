"""Identify a parsed release on TMDB, spending as few requests as possible.

Ids written in the name or an NFO go straight to the details (``/find`` for IMDb/TVDB ids).
Otherwise one search (``/search/movie`` or ``/search/tv`` with the name's year, or
``/search/multi`` when the name does not say which: :mod:`shelver.plugins.tmdb.lookup`), scored
candidates, and the details of the winner only: 2 requests per film, 2 + one per season for a
show, the rest coming from the shared cache. A wrong identity is worse than none, so anything short of
``min_confidence`` comes back without one, with its candidates.
The documents of a known identity are fetched by :mod:`shelver.plugins.tmdb.details`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import trio
from shelver.api import Identity, Match, NotFoundError, ParsedName
from shelver.plugins.tmdb.cards import summarise as _summary
from shelver.plugins.tmdb.client import TMDBClient
from shelver.plugins.tmdb.details import (
    MOVIE_APPEND,
    TV_APPEND,
    _daily_episode,
    fetch_documents,
    fetch_metadata,
    matched_release_date,
)
from shelver.plugins.tmdb.episodes import place_episodes, special_by_title
from shelver.plugins.tmdb.known import known_candidate, remember
from shelver.plugins.tmdb.lookup import search as _search
from shelver.plugins.tmdb.metadata import to_metadata
from shelver.plugins.tmdb.scoring import (
    AMBIGUITY_MARGIN,
    candidate_kind,
    choose,
    runtime_contradiction,
    score_candidate,
)

REFINE_DETAILS = 3  # at most this many candidates' details fetched to settle a close call
SURE_TITLE = 0.9  # below this title similarity, the details' alternative titles may help


async def identify(
    client: TMDBClient,
    parsed: ParsedName,
    probe: dict[str, Any],
    *,
    min_confidence: float,
    language: str = "en-US",
) -> Match:
    """Identify ``parsed`` (with ``probe["duration"]`` in seconds when known) on TMDB.

    Returns a :class:`~shelver.model.Match`; its ``identity`` is None (REVIEW) when no candidate
    reaches ``min_confidence``, when two are too close to tell, or when the episode is missing
    from TMDB's season. Raises ConfigError (401) and ItemError (TMDB unreachable) from the client.
    """
    duration = probe.get("duration") if isinstance(probe, dict) else None
    duration = float(duration) if isinstance(duration, (int, float)) and duration > 0 else None
    lang = {"language": language} if language else {}

    by_id = await _by_ids(client, parsed, lang)
    if by_id is not None:
        kind, candidate = by_id
        try:
            return await _resolve_given(client, parsed, kind, candidate, min_confidence, lang,
                                        duration)
        except NotFoundError:
            pass  # a stale or mistyped id: the name may still tell

    if not parsed.title:
        return Match(identity=None, confidence=0.0)
    if (parsed.kind == "episode" and not parsed.episodes and not parsed.air_date
            and not parsed.episode_title):
        return Match(identity=None, confidence=0.0)  # a season folder's file: which episode?

    remembered = await known_candidate(client, parsed, duration, min_confidence, lang)
    if remembered is not None:
        kind, candidate, score, reasons, checked = remembered
        return await _resolve(client, checked, kind, candidate, score,
                              [(candidate, score, reasons)], lang)

    results = await _search(client, parsed, lang)
    if not results and parsed.episode_title and parsed.kind != "episode":
        # "Sherlock - The Abominable Bride (2016)": no such film; a show's special, maybe. The
        # year is the special's, not the show's first: searched without it (scored as before).
        parsed = replace(parsed, kind="episode")
        results = await _search(client, replace(parsed, year=None), lang)
    if not results:
        return Match(identity=None, confidence=0.0)
    scored = []
    for kind, candidate in results:
        score, reasons = score_candidate(parsed, candidate, kind=kind, duration=duration)
        scored.append((candidate, score, reasons))
    scored.sort(key=lambda entry: entry[1], reverse=True)

    best, confidence = choose(parsed, scored, min_confidence)
    if best is None:
        scored = await _refine(client, parsed, scored, duration, lang, min_confidence)
        best, confidence = choose(parsed, scored, min_confidence)
    if best is None:
        return Match(identity=None, confidence=confidence, candidates=_summary(scored, client.image_base))
    kind = candidate_kind(best)
    return await _resolve(client, parsed, kind, best, confidence, scored, lang)


# ---------------------------------------------------------------------------------------------
# Ids
# ---------------------------------------------------------------------------------------------


async def _by_ids(
    client: TMDBClient, parsed: ParsedName, lang: dict[str, str]
) -> tuple[str, dict[str, Any]] | None:
    """The candidate the ids name, as ``(kind, minimal candidate)``; None when there are none."""
    wanted = {"movie": "movie", "episode": "tv"}.get(parsed.kind or "")
    tmdb_id = parsed.ids.get("tmdb")
    if isinstance(tmdb_id, int) or (isinstance(tmdb_id, str) and tmdb_id.isdigit()):
        # A TMDB id alone does not say movie or show: the name does (default: movie). The parser
        # makes the kind "episode" for an id in a TV library layout ("TV/Show {tmdb-1396}/...").
        kind = wanted or "movie"
        return kind, {"id": int(tmdb_id), "media_type": kind}
    for key, source in (("imdb", "imdb_id"), ("tvdb", "tvdb_id")):
        external = parsed.ids.get(key)
        if not external:
            continue
        known = await trio.to_thread.run_sync(client.cache.find_external, source, external)
        if known is not None and (wanted is None or known[0] == wanted):
            return known[0], {"id": known[1], "media_type": known[0]}
        try:
            found = await client.get(f"/find/{external}", {"external_source": source, **lang})
        except NotFoundError:
            continue
        movies = [{**r, "media_type": "movie"} for r in found.get("movie_results") or []]
        shows = [{**r, "media_type": "tv"} for r in found.get("tv_results") or []]
        for episode in found.get("tv_episode_results") or []:
            if episode.get("show_id"):
                shows.append({"id": episode["show_id"], "media_type": "tv"})
        order = [shows, movies] if wanted == "tv" else [movies, shows]
        if wanted is None and parsed.season is None and not parsed.episodes:
            order = [movies, shows]
        for results in order:
            if results:
                return results[0]["media_type"], results[0]
    return None


async def _refine(
    client: TMDBClient,
    parsed: ParsedName,
    scored: list[tuple[dict[str, Any], float, dict[str, Any]]],
    duration: float | None,
    lang: dict[str, str],
    min_confidence: float,
) -> list[tuple[dict[str, Any], float, dict[str, Any]]]:
    """Rescore the leaders of a close or doubtful call with their details: alternative titles,
    running time, the seasons a show has. The winner's details are the ones :func:`_resolve`
    fetches anyway (same request, cached), so only the others cost a request; none is sent
    when no candidate could reach ``min_confidence`` whatever its details say."""
    if not scored:
        return scored
    top = scored[0][1]
    leaders = [e for e in scored[:REFINE_DETAILS] if top - e[1] < AMBIGUITY_MARGIN]
    best_reasons = scored[0][2]
    doubtful_title = best_reasons.get("title", 1.0) < SURE_TITLE
    # A show's year hint that is not its first-air year may be a later season's.
    doubtful_year = (
        candidate_kind(scored[0][0]) == "tv"
        and best_reasons.get("year", {}).get("fit", 1.0) < 1.0
        and parsed.year is not None
    )
    if len(leaders) < 2 and not doubtful_title and not doubtful_year:
        return scored  # one clear candidate, just not good enough: details will not change it
    if (all(score < min_confidence for _, score, _ in scored[len(leaders):])
            and all(_ceiling(parsed, c, duration) < min_confidence for c, _, _ in leaders)):
        return scored  # "Rocky 7 (2030)": no film of that year; no details make one
    rescored = []
    for candidate, _score, _reasons in leaders:
        kind = candidate_kind(candidate)
        try:
            details = await client.get(
                f"/{kind}/{candidate['id']}",
                {"append_to_response": MOVIE_APPEND if kind == "movie" else TV_APPEND, **lang},
            )
        except NotFoundError:
            continue
        new_score, new_reasons = score_candidate(
            parsed, candidate, kind=kind, duration=duration, details=details
        )
        rescored.append((candidate, new_score, new_reasons))
    rest = scored[len(leaders) :]
    return sorted(rescored + rest, key=lambda entry: entry[1], reverse=True)


def _ceiling(parsed: ParsedName, candidate: dict[str, Any], duration: float | None) -> float:
    """The most ``candidate`` could score once its details are known: scored with the details
    most in its favour (the name's own title among its alternative titles, the name's year
    where it has none, a show still on the air, the probed running time, the name's country).
    """
    country = (parsed.country or "").upper()
    best = {"title": parsed.title, "last_air_date": "9999-12-31",
            "release_date": f"{parsed.year}-01-01" if parsed.year else None,
            "runtime": duration / 60 if duration else None,
            "origin_country": ["GB" if country == "UK" else country] if country else []}
    return score_candidate(parsed, candidate, kind=candidate_kind(candidate), duration=duration,
                           details=best)[0]


# ---------------------------------------------------------------------------------------------
# Details of the winner
# ---------------------------------------------------------------------------------------------


async def _resolve_given(
    client: TMDBClient,
    parsed: ParsedName,
    kind: str,
    candidate: dict[str, Any],
    min_confidence: float,
    lang: dict[str, str],
    duration: float | None = None,
) -> Match:
    """An id from the name or an NFO: the user wrote it, so it is trusted whatever the other
    words of the name say (a home rip renamed by its owner), unless the probed running time
    contradicts the record (a mistyped id must not shelve a film under another): then a person
    decides (docs/identification.md, "Explicit ids")."""
    append = MOVIE_APPEND if kind == "movie" else TV_APPEND
    details = await client.get(f"/{kind}/{candidate['id']}", {"append_to_response": append, **lang})
    summary = {**details, "media_type": kind}
    confidence = 1.0
    reasons: dict[str, Any] = {"id": "given"}
    if parsed.title:
        _, checked = score_candidate(parsed, summary, kind=kind, details=details)
        reasons.update(title=checked["title"], year=checked["year"])
    # A special (season 0) has no typical length: a 3-minute minisode of an hour-long show.
    special = kind == "tv" and parsed.season == 0
    contradiction = None if special else runtime_contradiction(kind, details, duration)
    if contradiction:
        reasons["runtime"] = contradiction
        confidence = 0.5
    scored = [(summary, confidence, reasons)]
    if confidence < min_confidence:
        return Match(identity=None, confidence=confidence, candidates=_summary(scored, client.image_base))
    return await _resolve(client, parsed, kind, summary, confidence, scored, lang)


async def _resolve(
    client: TMDBClient,
    parsed: ParsedName,
    kind: str,
    best: dict[str, Any],
    confidence: float,
    scored: list[tuple[dict[str, Any], float, dict[str, Any]]],
    lang: dict[str, str],
) -> Match:
    candidates = _summary(scored, client.image_base)
    item_id = int(best["id"])
    if kind == "movie":
        try:
            details = await client.get(
                f"/movie/{item_id}", {"append_to_response": MOVIE_APPEND, **lang}
            )
        except NotFoundError:
            return Match(identity=None, confidence=0.0, candidates=candidates)
        remember(client, "movie", details)
        return Match(
            identity=Identity("tmdb", "movie", str(item_id)),
            confidence=confidence,
            candidates=candidates,
            metadata=to_metadata({"movie": details}, client.image_base),
            release_date=matched_release_date({"movie": details}),
        )

    try:
        show = await client.get(f"/tv/{item_id}", {"append_to_response": TV_APPEND, **lang})
    except NotFoundError:
        return Match(identity=None, confidence=0.0, candidates=candidates)
    bare = to_metadata({"show": show}, client.image_base)  # what a person reviewing it sees
    if parsed.air_date:
        found = await _daily_episode(client, item_id, show, parsed.air_date, lang)
        if found is None:
            return Match(identity=None, confidence=confidence, candidates=candidates, metadata=bare)
        season, episode = found
        episodes = [episode]
    elif not parsed.episodes and parsed.episode_title:
        # A special named, not numbered: among the season 0 episodes, by its title.
        try:
            season = await client.get(f"/tv/{item_id}/season/0", lang)
        except NotFoundError:
            return Match(identity=None, confidence=confidence, candidates=candidates, metadata=bare)
        special = special_by_title(season, parsed.episode_title)
        if special is None:
            return Match(identity=None, confidence=confidence, candidates=candidates, metadata=bare)
        episodes = [special]
    else:
        placed = place_episodes(parsed, show) if parsed.episodes else None
        if placed is None:  # no number, or an absolute one the show's seasons cannot hold
            return Match(identity=None, confidence=confidence, candidates=candidates, metadata=bare)
        number, wanted = placed
        try:
            season = await client.get(f"/tv/{item_id}/season/{number}", lang)
        except NotFoundError:
            return Match(identity=None, confidence=confidence, candidates=candidates, metadata=bare)
        by_number = {e.get("episode_number"): e for e in season.get("episodes") or []}
        if any(n not in by_number for n in wanted):
            # TMDB does not list this episode: a person decides, nothing is guessed.
            return Match(
                identity=None,
                confidence=confidence,
                candidates=candidates,
                metadata=to_metadata({"show": show, "season": season}, client.image_base),
            )
        episodes = [by_number[n] for n in wanted]
    # TMDB may send a null season_number: the season asked for is the one it is.
    season_number = (int(season["season_number"]) if season.get("season_number") is not None
                     else parsed.season or 0)
    documents = {"show": show, "season": {**season, "season_number": season_number},
                 "episodes": episodes}
    remember(client, "tv", show)
    return Match(
        identity=Identity("tmdb", "tv", str(item_id), season=season_number,
                          episodes=[int(e["episode_number"]) for e in episodes]),
        confidence=confidence,
        candidates=candidates,
        metadata=to_metadata(documents, client.image_base),
        release_date=matched_release_date(documents),
    )


__all__ = ["MOVIE_APPEND", "TV_APPEND", "fetch_documents", "fetch_metadata", "identify",
           "matched_release_date"]
