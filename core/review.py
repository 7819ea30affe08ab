"""``shelver review``: the files shelver would not guess, their candidates, and a person's choice.

A choice is stored on the item as its forced identity; the item is then queued at CRITICAL and
goes through the pipeline like any other (the matcher fetches that identity's documents instead
of searching).
"""

from __future__ import annotations

import json
import re
from typing import Any

from shelver.errors import ConfigError
from shelver.model import Priority, State
from shelver.store import StateDB

TMDB_REF = re.compile(r"^(movie|tv)[/:](\d+)$")


def review_items(state: StateDB, profile: str) -> list[dict[str, Any]]:
    rows = state.conn().execute(
        "SELECT id, path, candidates, parsed, last_error FROM items WHERE state=? AND profile=?"
        " ORDER BY id", (State.REVIEW.value, profile)).fetchall()
    out = []
    for row in rows:
        parsed = json.loads(row["parsed"] or "{}")
        out.append({"item": row["id"], "path": row["path"],
                    "parsed": {k: parsed.get(k) for k in ("kind", "title", "year", "season", "episodes")},
                    "candidates": json.loads(row["candidates"] or "[]")})
    return out


def find_item(state: StateDB, ref: str) -> dict[str, Any]:
    row = state.item(int(ref)) if ref.isdigit() else state.item_by_path(ref)
    if row is None:
        raise ConfigError(f"no item {ref!r} in {state.path} (give an item number from `shelver review` or a path)")
    return dict(row)


def parse_identity(tmdb: str, season: int | None, episodes: list[int],
                   parsed: dict[str, Any] | None = None) -> dict[str, Any]:
    """``movie/603`` or ``tv/1396`` (+ season and episodes) → a forced identity.

    For tv, a season or episodes not given default to what the file name says (``parsed``, the
    item's parsed name)."""
    match = TMDB_REF.match(tmdb.strip())
    if not match:
        raise ConfigError(f"--tmdb must look like movie/603 or tv/1396, not {tmdb!r}")
    kind, tmdb_id = match.group(1), int(match.group(2))
    if kind == "movie":
        if season is not None or episodes:
            raise ConfigError("--season/--episode are for tv identities")
        return {"type": "movie", "id": tmdb_id}
    parsed = parsed or {}
    season = season if season is not None else parsed.get("season")
    episodes = episodes or list(parsed.get("episodes") or [])
    if season is None or not episodes:
        raise ConfigError("a tv identity needs --season and at least one --episode "
                          "(the file name does not say them)")
    return {"type": "tv", "id": tmdb_id, "season": season, "episodes": sorted(episodes)}


def accept_candidate(row: dict[str, Any], number: int, season: int | None,
                     episodes: list[int]) -> dict[str, Any]:
    """The identity of candidate ``number`` (1-based) of a REVIEW item."""
    candidates = json.loads(row.get("candidates") or "[]")
    if not 1 <= number <= len(candidates):
        raise ConfigError(f"item {row['id']} has {len(candidates)} candidate(s); there is no #{number}")
    chosen = candidates[number - 1]
    if chosen.get("type") == "movie":
        return {"type": "movie", "id": int(chosen["id"])}
    return parse_identity(f"tv/{chosen['id']}", season, episodes, parsed_name(row))


def parsed_name(row: dict[str, Any]) -> dict[str, Any]:
    """What the item's file name said (season, episodes...), as recorded."""
    parsed = json.loads(row.get("parsed") or "{}")
    return parsed if isinstance(parsed, dict) else {}


def describe_identity(identity: dict[str, Any]) -> str:
    """``movie/603`` or ``tv/1396 S05E14`` (``S01E01-E02`` for several episodes)."""
    if identity["type"] == "movie":
        return f"movie/{identity['id']}"
    episodes = "-".join(f"E{e:02d}" for e in identity["episodes"])
    return f"tv/{identity['id']} S{identity['season']:02d}{episodes}"


def check_waiting(row: dict[str, Any]) -> None:
    """A person's choice is for an item waiting for review (ConfigError otherwise)."""
    if row["state"] != State.REVIEW.value:
        raise ConfigError(f"item {row['id']} is {row['state']}, not waiting for review "
                          "(`shelver review` lists the items that are)")


def decide(state: StateDB, row: dict[str, Any], identity: dict[str, Any], profile: str) -> None:
    """Store a person's identity on a REVIEW item and queue it, in one transaction (a
    ConfigError, nothing changed, when it is no longer waiting for review)."""
    with state.transaction() as conn:
        cur = conn.execute(
            "UPDATE items SET forced_identity=?, state=?, profile=? WHERE id=? AND state=?",
            (json.dumps(identity), State.NEW.value, profile, row["id"], State.REVIEW.value))
        if cur.rowcount != 1:
            raise ConfigError(f"item {row['id']} is no longer waiting for review; nothing changed")
        state._enqueue(conn, row["id"], profile, Priority.CRITICAL, None, "review")
