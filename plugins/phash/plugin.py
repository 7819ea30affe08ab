"""phash: the Stash-compatible perceptual hash of every file shelver places, and what it is for.

* ``shelver_fingerprint`` hashes each identified file (``item.fingerprint["phash"]``; this
  plugin's migration keeps ``items.phash`` equal to it) and says the file duplicates an INDEXED
  library file of the same title (same identity) that looks the same: Hamming distance ≤
  ``phash.max_distance`` and durations within 1 % (``item.duplicate_of``). A look-alike of
  *another* title is only reported (a warning naming both files): phash and the provider
  disagree, and a person has to say which is wrong.
* ``shelver_match`` (``tryfirst``) recognises a file that was moved or renamed: a file whose size
  equals that of a recorded item whose file is gone, and whose phash equals that item's, *is*
  that item. Its identity (and release date) is kept; its metadata comes from the identity's
  provider through ``shelver_fetch_metadata`` (TMDB answers from its response cache: no search).
  No provider answers for that identity (its plugin disabled): the file is identified as usual.
* ``shelver phash FILE... [--json]`` prints the hash of each file, for comparing with Stash.

Hashing decodes 25 frames: it runs in a worker thread under the run's ``hash`` limiter, and a
profile on spinning disks can turn it off (``phash.enabled = false``): then nothing here runs.
(Cache mode, not built yet, should hash the fast cache copy: the copy must then happen before
the fingerprint phase.)

What becomes of a duplicate (the profile's ``conflict`` policy: left in place, placed anyway,
failed, or the better copy kept in the library) is the placement plugin's to carry out in the
place phase: this plugin only decides, never moves a file (docs/architecture.md).

A recognised move replaces the old record: the old row (the path that is gone) is deleted and the
new row carries the identity, the phash and ``fingerprint["moved_from"]`` (the old path).
"""

from __future__ import annotations

import inspect
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from shelver.api import (
    Duplicate,
    Identity,
    Item,
    Match,
    NotFoundError,
    RunContext,
    State,
    StateDB,
    hookimpl,
)

DURATION_TOLERANCE = 0.01
"""Two copies of one video differ in duration by less than this share (1 %)."""

# An item whose file is gone may have moved (MISSING once a scan noticed; the others until then).
_MAYBE_MOVED_STATES = (State.MISSING.value, State.INDEXED.value, State.STALE.value,
                       State.REVIEW.value)
_DURATION = "json_extract(probe, '$.duration')"
# ``+state`` keeps SQLite off the state index (most of a library is INDEXED): the duration and
# size indexes below are the selective ones.
DUPLICATES_QUERY = (
    f"SELECT id, path, phash, provider, ident_kind, ident, season, episodes, {_DURATION} AS duration "
    f"FROM items WHERE phash IS NOT NULL "
    f"AND {_DURATION} BETWEEN ? AND ? AND +state='{State.INDEXED.value}' AND id IS NOT ?")
MOVES_QUERY = (
    f"SELECT id, path, state, phash, provider, ident_kind, ident, season, episodes, release_date, "
    f"{_DURATION} AS duration "
    f"FROM items WHERE size=? AND phash IS NOT NULL AND ident IS NOT NULL AND id IS NOT ? "
    f"AND +state IN ({', '.join(repr(s) for s in _MAYBE_MOVED_STATES)})")


@hookimpl
def shelver_config_schema() -> dict[str, dict[str, Any]]:
    return {"phash": {"enabled": True, "max_distance": 8}}


def _create_indexes(db: Any) -> None:
    # Both lookups stay index searches in a 100k-file library: duplicates by duration (the
    # expression matches the queries below exactly), moves by size.
    db.execute(f"CREATE INDEX IF NOT EXISTS items_phash_duration ON items({_DURATION}) "
               "WHERE phash IS NOT NULL")
    db.execute("CREATE INDEX IF NOT EXISTS items_phash_size ON items(size) "
               "WHERE phash IS NOT NULL")


_PHASH_OF_FINGERPRINT = ("CASE WHEN json_valid(NEW.fingerprint) "
                         "THEN json_extract(NEW.fingerprint, '$.phash') END")


def _phash_follows_fingerprint(db: Any) -> None:
    # items.phash (the indexed column both queries read) is a copy of fingerprint's "phash":
    # kept here, where phash is known, not by the engine (docs/architecture.md: core knows no
    # media). The engine stores item.fingerprint as JSON text in items.fingerprint.
    for event, when in (("INSERT", "AFTER INSERT"), ("UPDATE", "AFTER UPDATE OF fingerprint")):
        db.execute(f"CREATE TRIGGER IF NOT EXISTS items_phash_on_{event.lower()} {when} ON items "
                   f"BEGIN UPDATE items SET phash = {_PHASH_OF_FINGERPRINT} WHERE id = NEW.id; END")


@hookimpl
def shelver_register_migrations(register: Callable[[str, Callable[[Any], None]], None]) -> None:
    register("phash-001-duration-and-size-indexes", _create_indexes)
    register("phash-002-phash-column-follows-fingerprint", _phash_follows_fingerprint)


# ---------------------------------------------------------------------------------------------
# Hashing
# ---------------------------------------------------------------------------------------------


def hash_file(path: str | os.PathLike[str]) -> tuple[str, float]:
    """``(phash as 16 hex digits, Stash's duration)`` of a video. Raises ``PhashError``."""
    from shelver.plugins.phash.algorithm import (
        build_sprite,
        extract_frames,
        format_phash,
        perception_hash,
    )

    duration, frames = extract_frames(path)
    return format_phash(perception_hash(build_sprite(frames))), duration


def _hash_limited(path: Path, ctx: RunContext) -> tuple[str, float]:
    """Hash from a worker thread that holds another limiter (the match phase): take a token of
    the run's ``hash`` limiter first, so hashing never runs wider than that limiter allows."""
    import trio

    limiter, borrower = ctx.limiter("hash"), object()
    try:
        trio.from_thread.run(limiter.acquire_on_behalf_of, borrower)
    except RuntimeError:  # not a trio worker thread (a direct call): nothing to share
        return hash_file(path)
    try:
        return hash_file(path)
    finally:
        trio.from_thread.run_sync(limiter.release_on_behalf_of, borrower)


def _enabled(ctx: RunContext) -> bool:
    return bool(ctx.profile.get("phash.enabled", True))


def durations_agree(a: float | None, b: float | None) -> bool:
    """Whether two durations are within 1 % of each other (unknown ones never agree)."""
    if not a or not b:
        return False
    return abs(a - b) <= DURATION_TOLERANCE * max(a, b)


def _rows(ctx: RunContext, sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [dict(row) for row in ctx.state.conn().execute(sql, args)]


# ---------------------------------------------------------------------------------------------
# Moves: the same file under a new name
# ---------------------------------------------------------------------------------------------


def find_moved(item: Item, ctx: RunContext) -> dict[str, Any] | None:
    """The recorded item ``item`` is a moved copy of, or None.

    Cheap first: only an item whose file is gone and whose size equals this file's is a
    candidate (durations must agree too when both are known); only then is the file hashed, and
    its phash must equal the recorded one exactly.
    """
    if not item.size:
        return None
    candidates = [
        row for row in _rows(ctx, MOVES_QUERY, (item.size, item.item_id))
        if row["path"] != str(item.path) and not os.path.lexists(row["path"])
        and (not row["duration"] or not item.probe.get("duration")
             or durations_agree(row["duration"], item.probe["duration"]))
    ]
    if not candidates:
        return None
    phash = _phash_of(item, ctx, limited=True)
    if phash is None:
        return None
    for row in candidates:
        if row["phash"] == phash:
            return row
    return None


def _phash_of(item: Item, ctx: RunContext, *, limited: bool) -> str | None:
    """The item's phash, computed once per item (kept in ``item.fingerprint``)."""
    from shelver.plugins.phash.algorithm import PhashError

    if "phash" in item.fingerprint:  # hashed (or failed to) earlier in this item's pipeline
        known = item.fingerprint["phash"]
        return str(known) if known else None
    try:
        phash, _duration = _hash_limited(item.path, ctx) if limited else hash_file(item.path)
    except PhashError as exc:
        # No phash is no reason to fail the item: it is identified and placed without one.
        ctx.log.warning("%s", exc)
        item.fingerprint["phash"] = None
        return None
    item.fingerprint["phash"] = phash
    return phash


def _identity_of(row: dict[str, Any]) -> Identity:
    episodes = json.loads(row["episodes"]) if row.get("episodes") else []
    return Identity(row["provider"], row["ident_kind"], row["ident"], season=row.get("season"),
                    episodes=[int(e) for e in episodes])


def forget_moved(state: StateDB, row: dict[str, Any]) -> bool:
    """Delete the record of a file that moved, unless a worker took it or it moved meanwhile."""
    return state.forget_item(row["id"], path=row["path"],
                             states=[State(s) for s in _MAYBE_MOVED_STATES])


def fetch_metadata(identity: Identity, ctx: RunContext) -> Any:
    """The metadata of ``identity`` from whichever provider answers ``shelver_fetch_metadata``
    (None: no provider answers for it). Called from the match phase's worker thread: the hook is
    called, and an async answer awaited, on the run's event loop (as the hookspec promises)."""
    import trio

    async def ask() -> Any:
        answer = ctx.pm.hook.shelver_fetch_metadata(identity=identity, ctx=ctx)
        return await answer if inspect.isawaitable(answer) else answer

    return trio.from_thread.run(ask)


def _moved_match(item: Item, ctx: RunContext, row: dict[str, Any]) -> Match | None:
    identity = _identity_of(row)
    try:
        metadata = fetch_metadata(identity, ctx)
    except NotFoundError as exc:
        metadata = None
        ctx.log.info("%s: %s", item.source, exc)
    if metadata is None:
        ctx.log.info("%s looks like %s (same size and phash) but no provider knows %s: "
                     "identified as usual", item.source, row["path"], identity.key())
        return None
    item.fingerprint["moved_from"] = row["path"]
    item.notes.append(f"moved from {row['path']}")
    ctx.log.info("%s is %s, moved or renamed (same size and phash %s): identity kept",
                 item.source, row["path"], row["phash"])
    if not ctx.dry_run:
        # The old record goes before placement: the file may go back to the very path it had.
        forget_moved(ctx.state, row)
    return Match(identity=identity, confidence=1.0, metadata=metadata,
                 release_date=row.get("release_date"))


@hookimpl(tryfirst=True)
def shelver_match(item: Item, ctx: RunContext) -> Match | None:
    """Answer only for a moved file whose identity's provider still knows it; else None.
    Runs in the match phase's worker thread (it hashes the file)."""
    if not _enabled(ctx) or item.forced is not None:
        return None  # a person's decision (shelver review) always wins
    row = find_moved(item, ctx)
    if row is None:
        return None
    return _moved_match(item, ctx, row)


# ---------------------------------------------------------------------------------------------
# Duplicates: another copy of something already in the library
# ---------------------------------------------------------------------------------------------


def find_duplicates(item: Item, phash: str, ctx: RunContext) -> list[dict[str, Any]]:
    """INDEXED items (their files still there) within ``phash.max_distance`` whose duration is
    within 1 % of the item's, closest first, each with its ``distance``."""
    from shelver.plugins.phash.algorithm import hamming_distance, parse_phash

    duration = item.probe.get("duration")
    if not duration:
        return []
    max_distance = int(ctx.profile.get("phash.max_distance", 8))
    value = parse_phash(phash)
    near: list[dict[str, Any]] = []
    window = (duration * (1 - DURATION_TOLERANCE), duration / (1 - DURATION_TOLERANCE))
    for row in _rows(ctx, DUPLICATES_QUERY, (*window, item.item_id)):
        if row["path"] == str(item.path) or not durations_agree(row["duration"], duration):
            continue
        try:
            distance = hamming_distance(value, parse_phash(row["phash"]))
        except ValueError:
            continue
        if distance > max_distance:
            continue
        if not os.path.exists(row["path"]) or _same_file(row["path"], item.path):
            continue  # gone (not a copy any more) or the very same file (a hard link)
        near.append({**row, "distance": distance})
    return sorted(near, key=lambda row: row["distance"])


def same_identity(row: dict[str, Any], identity: Identity | None) -> bool:
    """Whether a recorded item is the same title (and for TV the same episodes) as ``identity``."""
    return identity is not None and row.get("ident") is not None \
        and _identity_of(row).as_json() == identity.as_json()


def _same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@hookimpl
def shelver_fingerprint(item: Item, ctx: RunContext) -> dict[str, Any] | None:
    if not _enabled(ctx):
        return None
    phash = _phash_of(item, ctx, limited=False)  # this hook already runs under "hash"
    if phash is None:
        item.fingerprint.pop("phash", None)
        return None
    if "moved_from" in item.fingerprint:
        return {"phash": phash}  # it *is* the library item, not a copy of it
    try:
        near = find_duplicates(item, phash, ctx)
    except sqlite3.Error as exc:
        ctx.log.warning("%s: duplicate check skipped: %s", item.source, exc)
        near = []
    same = [row for row in near if same_identity(row, item.identity)]
    if same:
        _decide_duplicate(item, ctx, same[0])
    elif near:
        # The picture says one title, TMDB another: one of them is wrong, and a person can
        # tell which. Placing the file is the recoverable choice (undo, review); a false
        # "duplicate" would hold back a correctly identified file on every run.
        what = (f"looks like {near[0]['path']} (phash distance {near[0]['distance']}) but was "
                f"identified as another title; placed anyway")
        item.notes.append(what)
        ctx.log.warning("%s %s", item.source, what)
    return {"phash": phash}


def _decide_duplicate(item: Item, ctx: RunContext, duplicate: dict[str, Any]) -> None:
    """Say which library file ``item`` duplicates; the placement plugin carries the profile's
    ``conflict`` policy out in the place phase (docs/architecture.md: only placement moves files)."""
    item.duplicate_of = Duplicate(
        path=Path(duplicate["path"]),
        reason=(f"phash distance {duplicate['distance']}, "
                f"max {ctx.profile.get('phash.max_distance', 8)}"))


# ---------------------------------------------------------------------------------------------
# shelver phash FILE...
# ---------------------------------------------------------------------------------------------


def _hash_for_cli(path: str) -> tuple[str, str | None, float | None, str | None]:
    from shelver.plugins.phash.algorithm import PhashError

    try:
        phash, duration = hash_file(path)
    except PhashError as exc:
        import av

        cause = exc.__cause__
        if isinstance(cause, FileNotFoundError):
            return path, None, None, f"{path}: no such file"
        if isinstance(cause, av.FFmpegError):  # not "[Errno 1094995529] Invalid data ..."
            why = str(getattr(cause, "strerror", None) or "unreadable").lower()
            if why.startswith("invalid data"):
                why = "invalid data"
            return path, None, None, f"{path}: not a video PyAV can read ({why})"
        return path, None, None, str(exc)
    except OSError as exc:
        return path, None, None, f"{path}: {exc.strerror or exc}"
    return path, phash, duration, None


@hookimpl
def shelver_register_commands(cli: click.Group) -> None:
    @cli.command("phash")
    @click.argument("files", nargs=-1, required=True)
    @click.option("--json", "as_json", is_flag=True, help="One JSON object per file on stdout.")
    def phash_command(files: tuple[str, ...], as_json: bool) -> None:
        """Print the Stash-compatible phash of each FILE (16 hex digits)."""
        import sys
        from concurrent.futures import ThreadPoolExecutor

        from shelver.api import LIMITER_SIZES

        failed = False
        with ThreadPoolExecutor(max_workers=LIMITER_SIZES["hash"]) as pool:
            for path, phash, duration, error in pool.map(_hash_for_cli, files):
                if error is not None:
                    failed = True
                    click.echo(f"shelver: phash: {error}", err=True)
                if as_json:
                    click.echo(json.dumps({"file": path, "phash": phash, "duration": duration,
                                           **({"error": error} if error else {})}))
                elif phash is not None:
                    click.echo(f"{phash}  {path}")
        sys.exit(1 if failed else 0)
