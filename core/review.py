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
from shelver.model import LEGACY_PROVIDER, Identity, Priority, State
from shelver.store import StateDB

# PROVIDER:KIND/ID[/SEASON[/EPISODE...]] (Identity.key()), e.g. ``tmdb:movie/603``,
# ``tmdb:tv/1396/5/14``; an id is text (letters, digits, ``-``, ``_``, ``.``). Without a provider
# (``movie/603``, the form releases before 0.2 took) it is the first provider's: ``tmdb``.
IDENTITY_REF = re.compile(r"^(?:(?P<provider>[A-Za-z][A-Za-z0-9_-]*):)?(?P<kind>movie|tv)[/:]"
                          r"(?P<id>[A-Za-z0-9][A-Za-z0-9._-]*)(?P<numbers>(?:/\d+)*)$")
DEFAULT_PROVIDER = LEGACY_PROVIDER


def review_items(state: StateDB, profile: str) -> list[dict[str, Any]]:
    rows = state.conn().execute(
        "SELECT id, path, candidates, parsed, last_error, threshold FROM items"
        " WHERE state=? AND profile=?"
        " ORDER BY id", (State.REVIEW.value, profile)).fetchall()
    out = []
    for row in rows:
        parsed = json.loads(row["parsed"] or "{}")
        out.append({"item": row["id"], "path": row["path"],
                    "parsed": {k: parsed.get(k) for k in ("kind", "title", "year", "season", "episodes")},
                    "candidates": json.loads(row["candidates"] or "[]"),
                    "threshold": row["threshold"]})
    return out


def find_item(state: StateDB, ref: str) -> dict[str, Any]:
    row = state.item(int(ref)) if ref.isdigit() else state.item_by_path(ref)
    if row is None:
        raise ConfigError(f"no item {ref!r} in {state.path} (give an item number from `shelver review` or a path)")
    return dict(row)


def parse_identity(ref: str, season: int | None, episodes: list[int],
                   parsed: dict[str, Any] | None = None, *, option: str = "--id",
                   provider: str | None = None) -> Identity:
    """``tmdb:movie/603`` or ``tmdb:tv/1396`` (+ season and episodes, in the text as
    ``tmdb:tv/1396/5/14`` or given apart) → a forced identity; ``movie/603`` is TMDB's.
    ``provider`` (``--tmdb``) is the provider when the text names none.

    For tv, a season or episodes not given default to what the file name says (``parsed``, the
    item's parsed name)."""
    found = IDENTITY_REF.match(ref.strip())
    if not found or (provider and found["provider"] not in (None, provider)):
        example = ("movie/603 or tv/1396" if provider
                   else f"{DEFAULT_PROVIDER}:movie/603 or {DEFAULT_PROVIDER}:tv/1396")
        raise ConfigError(f"{option} must look like {example}, not {ref!r}")
    kind, numbers = found["kind"], [int(n) for n in found["numbers"].split("/")[1:]]
    identity = Identity(found["provider"] or provider or DEFAULT_PROVIDER, kind, found["id"])
    if kind == "movie":
        if season is not None or episodes or numbers:
            raise ConfigError("--season/--episode are for tv identities")
        return identity
    if numbers and (season is not None or episodes):
        raise ConfigError(f"give the season and episodes in {option} or with --season/--episode, "
                          "not both")
    if numbers:
        season, episodes = numbers[0], numbers[1:]
    parsed = parsed or {}
    season = season if season is not None else parsed.get("season")
    episodes = episodes or list(parsed.get("episodes") or [])
    if season is None or not episodes:
        raise ConfigError("a tv identity needs --season and at least one --episode "
                          "(the file name does not say them)")
    identity.season, identity.episodes = int(season), sorted(int(e) for e in episodes)
    return identity


def accept_candidate(row: dict[str, Any], number: int, season: int | None,
                     episodes: list[int]) -> Identity:
    """The identity of candidate ``number`` (1-based) of a REVIEW item. A candidate is what its
    provider listed: ``provider`` (TMDB's from before 0.2 have none), ``kind`` or ``type``, ``id``."""
    candidates = json.loads(row.get("candidates") or "[]")
    if not 1 <= number <= len(candidates):
        raise ConfigError(f"item {row['id']} has {len(candidates)} candidate(s); there is no #{number}")
    chosen = candidates[number - 1]
    kind = chosen.get("kind") or chosen.get("type")
    identity = Identity(str(chosen.get("provider") or DEFAULT_PROVIDER), str(kind), str(chosen["id"]))
    if kind == "movie":
        return identity
    return parse_identity(f"{identity.provider}:tv/{identity.id}", season, episodes,
                          parsed_name(row))


def check_provider(identity: Identity, pm: Any, where: str) -> None:
    """The identity's provider is a plugin this profile loads (ConfigError otherwise): nothing
    else could fetch what it names."""
    if pm.get_plugin(identity.provider) is None:
        raise ConfigError(f"{identity.key()}: no plugin named {identity.provider!r} is loaded, so "
                          f"nothing can fetch it ({where})")


def parsed_name(row: dict[str, Any]) -> dict[str, Any]:
    """What the item's file name said (season, episodes...), as recorded."""
    parsed = json.loads(row.get("parsed") or "{}")
    return parsed if isinstance(parsed, dict) else {}


def candidate_key(candidate: dict[str, Any]) -> str:
    """A review candidate as ``shelver review set --id`` takes it (``tmdb:movie/603``)."""
    kind = candidate.get("kind") or candidate.get("type")
    return f"{candidate.get('provider') or DEFAULT_PROVIDER}:{kind}/{candidate.get('id')}"


def describe_identity(identity: Identity) -> str:
    """``tmdb:movie/603`` or ``tmdb:tv/1396 S05E14`` (``S01E01-E02`` for several episodes)."""
    text = f"{identity.provider}:{identity.kind}/{identity.id}"
    if identity.kind == "movie" or identity.season is None:
        return text
    episodes = "-".join(f"E{e:02d}" for e in identity.episodes)
    return f"{text} S{identity.season:02d}{episodes}"


def check_waiting(row: dict[str, Any]) -> None:
    """A person's choice is for an item waiting for review (ConfigError otherwise)."""
    if row["state"] != State.REVIEW.value:
        raise ConfigError(f"item {row['id']} is {row['state']}, not waiting for review "
                          "(`shelver review` lists the items that are)")


def decide(state: StateDB, row: dict[str, Any], identity: Identity, profile: str) -> None:
    """Store a person's identity on a REVIEW item and queue it, in one transaction (a
    ConfigError, nothing changed, when it is no longer waiting for review)."""
    with state.transaction() as conn:
        cur = conn.execute(
            "UPDATE items SET forced_identity=?, state=?, profile=? WHERE id=? AND state=?",
            (json.dumps(identity.as_json()), State.NEW.value, profile, row["id"], State.REVIEW.value))
        if cur.rowcount != 1:
            raise ConfigError(f"item {row['id']} is no longer waiting for review; nothing changed")
        state._enqueue(conn, row["id"], profile, Priority.CRITICAL, None, "review")


def ignore(state: StateDB, row: dict[str, Any], reason: str) -> None:
    """Set a REVIEW item aside (not a movie or a show a provider knows): SKIPPED, with the
    person's reason kept in ``note``; a later scan leaves it alone while it is unchanged. A
    ConfigError, nothing changed, when it is no longer waiting for review."""
    reason = " ".join(reason.split())[:500] or "set aside by a person"
    with state.transaction() as conn:
        cur = conn.execute("UPDATE items SET state=?, status=?, note=? WHERE id=? AND state=?",
                           (State.SKIPPED.value, "skipped", reason, row["id"], State.REVIEW.value))
        if cur.rowcount != 1:
            raise ConfigError(f"item {row['id']} is no longer waiting for review; nothing changed")
        conn.execute("DELETE FROM queue WHERE item_id=?", (row["id"],))
