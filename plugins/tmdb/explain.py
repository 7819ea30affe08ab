"""What the TMDB plugin tells ``shelver explain``: every request it sent (from the cache or
not), every candidate it scored with its score's breakdown, the threshold and why a file is
left for review (docs/operations.md, "Explain").

The run's :class:`shelver.api.Trace` (``ctx.trace``) is set for the duration of one match in a
context variable, so the client and the matcher record into it without it being passed
through every call, and a match of another item (a daemon's other workers) never writes into
it. Outside ``shelver explain`` it is None and nothing is recorded.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable
from typing import Any

from shelver.api import Match, ParsedName, Trace

PROVIDER = "tmdb"

_TRACE: contextvars.ContextVar[Trace | None] = contextvars.ContextVar("shelver_tmdb_trace",
                                                                      default=None)


def record_query(path: str, params: dict[str, Any], source: str, status: int) -> None:
    """One request of the client: ``source`` is ``"cache"``, ``"redis"`` (the hosts' shared
    cache, ``tmdb.cache``), ``"network"``, ``"revalidated"`` (asked again with its ETag: 304, the
    cached answer used) or ``"shared"`` (the same request, already on the wire for another
    caller, awaited)."""
    trace = _TRACE.get()
    if trace is None:
        return
    shown = " ".join(f"{key}={value!r}" for key, value in params.items())
    trace.query(PROVIDER, f"{path} {shown}".strip(), cached=source in ("cache", "redis", "shared"),
                source=source, status=status)


def record_candidates(candidates: list[dict[str, Any]]) -> None:
    """Every candidate scored for the item, best first (the review record keeps the top few)."""
    trace = _TRACE.get()
    if trace is not None:
        trace.candidates = candidates


async def traced(match: Awaitable[Match], trace: Trace | None, parsed: ParsedName,
                 threshold: float) -> Match:
    """Await the matcher's ``match`` with ``trace`` recording; the Match gets its threshold,
    and the trace the reason a Match without an identity has none."""
    token = _TRACE.set(trace)
    try:
        found = await match
    finally:
        _TRACE.reset(token)
    found.threshold = threshold
    if trace is not None and found.identity is None:
        trace.reason = review_reason(parsed, found, threshold)
    return found


def review_reason(parsed: ParsedName, match: Match, threshold: float) -> str:
    """Why ``match`` (of the file whose name says ``parsed``) has no identity, for people."""
    from shelver.plugins.tmdb.scoring import AMBIGUITY_MARGIN

    candidates = match.candidates
    if not candidates:
        if not parsed.title and not parsed.ids:
            return "the name gives no title to search for"
        if parsed.kind == "episode" and not parsed.episodes and not parsed.air_date:
            return "the name says which show but not which episode"
        return "TMDB found no candidate for the name"
    best = candidates[0]
    score = float(best.get("score") or 0.0)
    label = f"{best.get('title')} ({best.get('year') or '?'})"
    if match.confidence >= threshold:
        return (f"{label} is confident ({match.confidence:.2f}), but TMDB has no such season "
                f"or episode of it")
    if score >= threshold and len(candidates) > 1:
        other = candidates[1]
        return (f"too close to tell: {label} scores {score:.2f}, {other.get('title')} "
                f"({other.get('year') or '?'}) {float(other.get('score') or 0):.2f} (within "
                f"{AMBIGUITY_MARGIN:g}), so the confidence is {match.confidence:.2f}, below "
                f"the threshold {threshold:g}")
    return (f"the best candidate, {label}, scores {match.confidence:.2f}, below the threshold "
            f"{threshold:g}")
