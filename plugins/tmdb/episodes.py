"""Which season and episodes of a show a parsed name means (docs/identification.md).

A fansub number may be counted from the show's first episode ("absolute"): it is mapped to a
season and an episode with the episode counts TMDB lists per season, specials (season 0) left
out. A season named in the title ("S3", "2nd Season", "The Final Season") is honoured: a number
within that season's length is that season's episode; a larger one must map, absolutely, into
that very season, or a person decides. A special named, not numbered, is looked up by its title
among the season 0 episodes.
"""

from __future__ import annotations

from typing import Any

from shelver.api import ParsedName
from shelver.plugins.tmdb.scoring import title_similarity

SPECIAL_TITLE = 0.9  # a special's title must match this well (else: review)


def season_counts(show: dict[str, Any]) -> list[tuple[int, int]]:
    """``[(season number, episode count), ...]`` of the regular seasons, in order."""
    counts = []
    for season in show.get("seasons") or []:
        if not isinstance(season, dict):
            continue
        number, count = season.get("season_number"), season.get("episode_count")
        if isinstance(number, int) and number > 0 and isinstance(count, int) and count > 0:
            counts.append((number, count))
    return sorted(counts)


def named_season(parsed: ParsedName, show: dict[str, Any]) -> int | None:
    """The season the name says, its words ("final") turned into a number."""
    if parsed.season_named == "final":
        counts = season_counts(show)
        return counts[-1][0] if counts else None
    return parsed.season


def place_episodes(parsed: ParsedName, show: dict[str, Any]) -> tuple[int, list[int]] | None:
    """``(season, episodes)`` the name means in ``show``; None when it cannot be placed."""
    episodes = list(parsed.episodes)
    target = named_season(parsed, show)
    if parsed.season_named and target is None:
        return None
    if not parsed.absolute:
        return (target if target is not None else 1), episodes
    counts = season_counts(show)
    length = dict(counts)
    if target is not None and all(n <= length.get(target, 0) for n in episodes):
        return target, episodes
    mapped = [_absolute(n, counts) for n in episodes]
    if any(m is None for m in mapped):
        return None
    seasons = {m[0] for m in mapped if m is not None}
    if len(seasons) != 1:
        return None  # one file over two seasons: a person decides
    season = seasons.pop()
    if target is not None and season != target:
        return None  # "S3 - 80": the third season has no such episode, counted either way
    return season, [m[1] for m in mapped if m is not None]


def _absolute(number: int, counts: list[tuple[int, int]]) -> tuple[int, int] | None:
    start = 0
    for season, count in counts:
        if number <= start + count:
            return season, number - start
        start += count
    return None


def absolute_total(show: dict[str, Any]) -> int:
    """How many regular episodes the show has (0 when TMDB lists none)."""
    return sum(count for _season, count in season_counts(show))


def special_by_title(season: dict[str, Any], title: str) -> dict[str, Any] | None:
    """The season 0 episode named ``title``; None when none fits well or two fit alike."""
    scored: list[tuple[float, dict[str, Any]]] = []
    for episode in season.get("episodes") or []:
        name = episode.get("name") if isinstance(episode, dict) else None
        if isinstance(name, str) and name:
            scored.append((title_similarity(title, name), episode))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    if not scored or scored[0][0] < SPECIAL_TITLE:
        return None
    if len(scored) > 1 and scored[1][0] >= scored[0][0] - 0.02:
        return None
    return scored[0][1]
