"""``shelver rematch ITEM``: an organised file moved to another identity (docs/operations.md,
"Rematch").

Everything is checked before anything changes: the item is an organised library file that is
still there, the identity is well formed, its provider is loaded and knows it (fetched once,
through ``shelver_fetch_metadata``, in a context that is no run). Then the rematch is an
ordinary run of the engine over that one file with the identity as a person's decision
(``items.forced_identity``, as ``shelver review set`` stores it): the naming plugin names it,
placement moves it with its sidecars (setting aside the NFO and images of the identity it
leaves: :mod:`shelver.plugins.placement.relocate`), the enrich plugins write the new identity's
NFO, artwork and tags, every step journaled, so ``shelver undo`` reverses it, and whatever
follows a run (media servers told) follows this one.

The run moves the file by itself, whatever the profile says: mode ``inplace`` and action
``move`` (the file is in the library already; a copy or a link would leave the old one there),
conflict ``fail`` (a taken destination fails the run, naming it; nothing is moved), and the
profile's filters do not apply to the file.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from shelver.errors import ConfigError, NotFoundError
from shelver.model import Identity, State, Status
from shelver.profiles import Profile
from shelver.store import StateDB


def check_organised(row: dict[str, Any], profile: Profile) -> None:
    """The item is a file shelver organised into the library, still there (ConfigError
    naming the item otherwise)."""
    where = f"item {row['id']} ({row['path']})"
    if row["state"] not in (State.INDEXED.value, State.STALE.value) or \
            row.get("status") != Status.ORGANISED.value:
        raise ConfigError(f"{where} is {row['state']} ({row.get('status') or 'never placed'}), "
                          "not an organised file: rematch moves a file shelver organised "
                          "(`shelver review` decides a file waiting for review)")
    if not os.path.isfile(row["path"]):
        raise ConfigError(f"{where} is not there any more (run `shelver scan` to record it)")
    dest_dir = profile.dest_dir
    if dest_dir is None or not Path(row["path"]).is_relative_to(os.path.abspath(dest_dir)):
        raise ConfigError(f"{where} is not inside dest_dir ({profile.where('dest_dir')})")


def current_identity(row: dict[str, Any]) -> Identity | None:
    """The identity the item is recorded with (None: none)."""
    if not row.get("provider") or not row.get("ident"):
        return None
    episodes = json.loads(row.get("episodes") or "[]") if isinstance(row.get("episodes"), str) \
        else list(row.get("episodes") or [])
    return Identity(str(row["provider"]), str(row["ident_kind"]), str(row["ident"]),
                    season=row.get("season"), episodes=[int(e) for e in episodes or []])


def check_new(row: dict[str, Any], identity: Identity) -> None:
    """A rematch changes the identity (ConfigError when it is the one recorded)."""
    if current_identity(row) == identity:
        raise ConfigError(f"item {row['id']} already is {identity.key()}: nothing to do")


async def check_known(profile: Profile, pm: Any, state: StateDB, identity: Identity) -> str:
    """The provider knows ``identity`` (and, for a series, its season and episodes): its
    title, for the message. ConfigError otherwise; touches nothing but the provider's cache."""
    from shelver.engine.calls import call_first
    from shelver.explain import checked_context

    async with checked_context(profile, pm, state) as ctx:
        try:
            metadata = await call_first(ctx, "shelver_fetch_metadata", "db", identity=identity,
                                        ctx=ctx)
        except NotFoundError:
            metadata = None
            missing = f"{identity.provider} has no {identity.key()}"
        else:
            missing = f"no plugin answers for {identity.provider} identities"
        if metadata is None:
            raise ConfigError(f"{missing}: nothing changed")
        if identity.kind != "movie" and len(metadata.episodes) != len(identity.episodes):
            raise ConfigError(f"{identity.key()}: {metadata.title} has no season "
                              f"{identity.season} episode(s) "
                              f"{', '.join(map(str, identity.episodes))}: nothing changed")
        return f"{metadata.title} ({metadata.year or '?'})"


def rematch_profile(profile: Profile, path: Path) -> Profile:
    """The profile the rematch runs with: inplace, move, conflict fail, no filter on the file."""
    filters = dict(profile.section("filters"))
    extensions = list(filters.get("extensions") or [])
    if path.suffix.lower() not in extensions:
        extensions.append(path.suffix.lower())
    filters.update(extensions=extensions, min_size_mb=0, ignore=[])
    return dataclasses.replace(profile, data={**profile.data, "mode": "inplace", "action": "move",
                                              "conflict": "fail", "filters": filters})


def settle_failed(state: StateDB, item_id: int) -> bool:
    """A rematch whose run failed before the file moved (a taken destination): the item gets
    its old record back, rather than staying ERROR under the new identity for a later run to
    retry. True when it did."""
    item = state.item(item_id)
    kept = state.conn().execute(
        "SELECT id FROM journal WHERE item_id=? AND op='restore' AND step='done' ORDER BY id DESC"
        " LIMIT 1", (item_id,)).fetchone()
    if item is None or kept is None or item["state"] != State.ERROR.value:
        return False
    return state.journal_restore_record(int(kept[0]))


def record(state: StateDB, row: dict[str, Any], identity: Identity, profile: str) -> None:
    """Store the identity as a person's decision on the organised item (guarded: ConfigError,
    nothing changed, when it changed state meanwhile); the run then takes it. The item's
    record as it is goes into the run's journal first, so that ``shelver undo`` of the
    rematch gives the item its old identity back along with its files."""
    import socket

    run = state.conn().execute(
        "SELECT id FROM runs WHERE profile=? AND command='rematch' AND status='running' AND"
        " host=? AND pid=? ORDER BY id DESC LIMIT 1",
        (profile, socket.gethostname(), os.getpid())).fetchone()
    if not state.transition(row["id"], State(row["state"]), State.NEW,
                            forced_identity=json.dumps(identity.as_json()), profile=profile):
        raise ConfigError(f"item {row['id']} changed while the rematch was being prepared; "
                          "nothing changed")
    if run is not None:  # the record as it was (``row``), for undo
        state.journal_keep_record(int(run[0]), row)
