"""The candidates a match keeps for a person: each with its score's breakdown (``shelver
explain``, ``shelver review --json``) and what a card shows (poster, overview, runtime: the web
UI's Review page, docs/web.md)."""

from __future__ import annotations

from typing import Any

from shelver.plugins.tmdb.explain import record_candidates
from shelver.plugins.tmdb.metadata import image_url
from shelver.plugins.tmdb.scoring import candidate_kind, candidate_year


def summarise(
    scored: list[tuple[dict[str, Any], float, dict[str, Any]]], image_base: str | None = None,
    limit: int = 5,
) -> list[dict[str, Any]]:
    """The top candidates for the review queue, each with its score's ``breakdown`` (the
    points of each signal, summing to the score; an id given in the name: ``{"id": score}``).
    ``shelver explain`` gets every one of them.
    ``poster`` is an absolute URL on the image host the run allowed (None without one), for the
    web UI's cards (docs/web.md)."""
    out = []
    for candidate, score, reasons in scored:
        breakdown = reasons.get("breakdown") or {"id": score}
        out.append(
            {
                "provider": "tmdb",
                "type": candidate_kind(candidate),
                "id": candidate.get("id"),
                "title": candidate.get("title") or candidate.get("name"),
                "year": candidate_year(candidate),
                "score": round(score, 4),
                "reasons": {k: v for k, v in reasons.items() if k != "breakdown"},
                "breakdown": {k: round(v, 4) for k, v in breakdown.items()},
                **card_details(candidate, image_base),
            }
        )
    record_candidates(out)
    return out[:limit]


def card_details(candidate: dict[str, Any], image_base: str | None) -> dict[str, Any]:
    """What a person choosing between candidates looks at: poster URL, overview, runtime."""
    poster = candidate.get("poster_path")
    runtime = candidate.get("runtime")
    if not isinstance(runtime, int):  # a show's episode_run_time, when the details have it
        times = candidate.get("episode_run_time")
        runtime = times[0] if isinstance(times, list) and times and isinstance(times[0], int) else None
    return {"poster": image_url(image_base, "w342", poster)
            if image_base and isinstance(poster, str) and poster else None,
            "overview": candidate.get("overview") if isinstance(candidate.get("overview"), str) else None,
            "runtime": runtime}


__all__ = ["card_details", "summarise"]
