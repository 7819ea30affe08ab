"""The ``inplace`` and ``metadata-only`` processing modes, and what every mode shares: conflict
policies (a taken destination, and a duplicate a fingerprint plugin found: ``item.duplicate_of``),
companions, the record of what a run created, permissions, ``failed_dir``.

``inplace`` organises a file where it lies: the final move into ``dest_dir`` is a rename on the
same filesystem (or a journaled copy-verify-rename across filesystems). ``metadata-only``
describes the file beside itself and moves nothing. Both answer ``shelver_place`` only for their
own mode, like any third-party mode would; the cache modes (:mod:`shelver.plugins.placement.cache`)
reuse the helpers here. The hook implementations calling these are in
:mod:`shelver.plugins.placement.plugin`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shelver import api as fsops  # the crash-safe file operations
from shelver.api import (
    ConfigError,
    Item,
    ItemError,
    Placement,
    Plan,
    Priority,
    RunContext,
    Status,
    pid_alive,
)
from shelver.plugins.placement import duplicates, leftovers

REFLINK = ("fallback", "error")


def register_modes(register: Any) -> None:
    register("inplace", "organise files where they lie; the move into dest_dir is a rename")
    register("metadata-only", "write .nfo (and artwork) beside each file; move nothing")


def config_schema() -> dict[str, dict[str, Any]]:
    return {"placement": {
        "verify": "size", "reflink": "fallback", "duplicates_dir": "", "symlinks": "skip",
        "file_mode": "", "dir_mode": "", "uid": -1, "gid": -1,
        "extras": "skip", "cleanup": False, "junk": list(leftovers.DEFAULT_JUNK),
    }}


def recover_at_start(ctx: RunContext) -> None:
    # Interrupted placements are settled before anything else touches the disk.
    if ctx.dry_run:
        return
    settled = fsops.recover(ctx.state, ops=fsops.journal_ops(ctx.pm))
    if settled:
        ctx.log.info("recovered %d interrupted placement(s) from the journal", settled)
    resume_unrecorded(ctx)


def resume_unrecorded(ctx: RunContext) -> None:
    """Items placed by a process that died before recording their outcome: a one-shot run
    takes them along (their file is in the library now, outside the paths it was given), so a
    resumed run ends with every item recorded. A daemon gets them from the queue anyway."""
    run = ctx.state.conn().execute("SELECT command FROM runs WHERE id=?", (ctx.run_id,)).fetchone()
    if run is None or run[0] == "watch":
        return
    for row in ctx.state.journal_placed_unrecorded(ctx.profile.name):
        if row["state"] == "PROCESSING" and pid_alive(row["owner"]):
            continue  # another instance is on it
        ctx.state.enqueue(row["id"], ctx.profile.name, Priority.CRITICAL, run_id=ctx.run_id,
                          reason="placed, not recorded")


def setting(ctx: RunContext, key: str, choices: tuple[str, ...]) -> str:
    value = str(ctx.profile.get(f"placement.{key}", choices[0]))
    if value not in choices:
        raise ConfigError(f"placement.{key} must be one of {', '.join(choices)}, not "
                          f"{value!r} ({ctx.profile.where(f'placement.{key}')})")
    return value


def identified(item: Item) -> tuple[int, float, int] | None:
    """The source's (size, mtime, inode) when it was identified: a placement checks the file
    is still that one (:class:`shelver.fileops.SourceChanged` otherwise)."""
    return (item.size, item.mtime, item.inode) if item.inode else None


def free_name(dst: Path) -> Path:
    """``Name (2).ext``, ``Name (3).ext``...: the first free variant (conflict = "index")."""
    for index in range(2, 1000):
        candidate = dst.with_name(f"{dst.stem} ({index}){dst.suffix}")
        if not os.path.lexists(candidate):
            return candidate
    raise fsops.DestinationExists(f"{dst}: no free name")


@dataclass
class Resolution:
    """Where a file goes after the conflict policy, or the placement that ends it."""

    destination: Path
    displace: tuple[Path, Path] | None = None  # replace-if-better: (worse library file, keep at)
    done: Placement | None = None


def resolve_conflict(item: Item, plan: Plan, ctx: RunContext, mode: str) -> Resolution:
    """Apply ``conflict`` when the planned destination is taken (by a file that is not this one)."""
    destination = plan.destination
    if not os.path.lexists(destination) or os.path.abspath(destination) == os.path.abspath(item.path):
        return Resolution(destination)
    policy = ctx.profile.conflict
    if policy == "index":
        return Resolution(free_name(destination))
    if policy == "fail":
        raise fsops.DestinationExists(f"{destination} already exists (conflict = \"fail\")")
    if policy == "replace-if-better":
        keep_at = duplicates.keep_at(ctx, destination)
        if duplicates.is_better(item, destination, ctx):
            return Resolution(destination, displace=(destination, keep_at))
        placed = set_aside(item, ctx, keep_at)
        return Resolution(destination, done=Placement(
            path=placed, status=Status.DUPLICATE, mode=mode,
            note=f"{destination} is as good or better; this copy is kept as {placed}"))
    return Resolution(destination, done=Placement(
        path=item.path, status=Status.DUPLICATE, mode=mode,
        note=f"{destination} already exists; left in place"))


def set_aside(item: Item, ctx: RunContext, keep_at: Path) -> Path:
    """Put the newcomer that lost a comparison at ``keep_at`` (by the profile's action)."""
    return fsops.place_file(ctx.state, ctx.run_id, item.item_id, item.path, keep_at,
                            ctx.profile.action, verify=setting(ctx, "verify", fsops.VERIFY),
                            expect=identified(item))


def displace(ctx: RunContext, loser: Path, keep_at: Path, *, quiet: bool = False) -> None:
    """Move the library's worse copy aside (replace-if-better), journaled, never deleted."""
    known = ctx.state.item_by_path(loser)
    fsops.place_file(ctx.state, ctx.run_id, known["id"] if known else None, loser, keep_at, "move")
    if not quiet:
        ctx.log.info("replacing %s (kept as %s)", loser, keep_at)


def carry_out_duplicate(item: Item, ctx: RunContext) -> Placement | None:
    """``item.duplicate_of`` (a fingerprint plugin found a library copy of this file) by the
    profile's ``conflict`` policy: a Placement that ends the item, or None to place it as usual
    (``index``; ``replace-if-better`` once the library's worse copy is set aside)."""
    duplicate = item.duplicate_of
    assert duplicate is not None
    existing = duplicate.path
    what = f"looks like {existing} ({duplicate.reason})"
    policy = ctx.profile.conflict
    if policy == "fail":
        raise ItemError(f"{item.source}: duplicate: {what}")
    if policy == "index":
        item.notes.append(f"duplicate kept (conflict = index): {what}")
        return None
    if policy == "replace-if-better" and existing.is_file():
        if duplicates.is_better(item, existing, ctx):
            aside = duplicates.keep_at(ctx, existing)
            displace(ctx, existing, aside, quiet=True)
            item.notes.append(f"better than {existing} (kept as {aside}): {what}")
            ctx.log.info("%s replaces %s (kept as %s)", item.source, existing, aside)
            return None
        moved = set_aside(item, ctx, duplicates.keep_at(
            ctx, existing.with_suffix(item.path.suffix.lower())))
        note = f"duplicate, not better: {what}; kept as {moved}"
        item.notes.append(note)
        ctx.log.warning("%s is a duplicate, not better than %s: kept as %s", item.source,
                        existing, moved)
        return Placement(path=moved, status=Status.DUPLICATE, mode=ctx.mode, note=note)
    note = f"duplicate: {what}; left in place"
    item.notes.append(note)
    ctx.log.warning("%s is a duplicate: it %s; left in place", item.source, what)
    return Placement(path=item.path, status=Status.DUPLICATE, mode=ctx.mode, note=note)


def companion_targets(plan: Plan, destination: Path) -> dict[Path, Path]:
    """The plan's companions, renamed along when the video got another name (conflict index)."""
    targets = {}
    for src, dst in plan.companions.items():
        if destination != plan.destination:
            dst = destination.with_name(dst.name.replace(plan.destination.stem, destination.stem, 1))
        targets[src] = dst
    return targets


def place_with_companions(item: Item, plan: Plan, ctx: RunContext, mode: str) -> Placement:
    """Place the video by the profile's action and conflict policy, then its companions."""
    verify = setting(ctx, "verify", fsops.VERIFY)
    reflink = setting(ctx, "reflink", REFLINK)
    resolution = resolve_conflict(item, plan, ctx, mode)
    if resolution.done is not None:
        return resolution.done
    if resolution.displace is not None:
        displace(ctx, *resolution.displace)
    destination = resolution.destination
    try:
        placed = fsops.place_file(ctx.state, ctx.run_id, item.item_id, item.path, destination,
                                  ctx.profile.action, verify=verify, reflink=reflink,
                                  expect=identified(item))
    except fsops.DestinationExists:
        if ctx.profile.conflict != "index":  # taken since the check: the policy again
            return resolve_conflict(item, plan, ctx, mode).done or Placement(
                path=item.path, status=Status.DUPLICATE, mode=mode,
                note=f"{destination} already exists; left in place")
        destination = free_name(destination)
        placed = fsops.place_file(ctx.state, ctx.run_id, item.item_id, item.path, destination,
                                  ctx.profile.action, verify=verify, reflink=reflink,
                                  expect=identified(item))
    companions: dict[Path, Path] = {}
    for src, dst in companion_targets(plan, destination).items():
        # The video is in place by now: a sidecar that cannot follow is reported, never a
        # reason to call the item failed (its record would then disagree with the disk).
        try:
            companions[src] = fsops.place_file(ctx.state, ctx.run_id, item.item_id, src, dst,
                                               ctx.profile.action, verify=verify, reflink=reflink)
        except fsops.DestinationExists:
            ctx.log.warning("companion %s not placed: %s exists", src, dst)
        except OSError as exc:
            ctx.log.warning("companion %s not placed: %s", src, exc)
    return Placement(path=placed, status=Status.ORGANISED, mode=mode, companions=companions)


def place(item: Item, plan: Plan | None, ctx: RunContext) -> Placement | None:
    if ctx.mode == "metadata-only":
        return Placement(path=item.path, status=Status.METADATA, mode=ctx.mode)
    if ctx.mode != "inplace" or plan is None:
        return None
    return place_with_companions(item, plan, ctx, ctx.mode)


# -- after enrich: the record of what the run created, permissions, leftovers -----------------


def finalize(item: Item, ctx: RunContext) -> None:
    """Runs after every other finalize (the plugin's wrapper): journal the files enrich created (undo
    removes them), then apply the permission settings and clean up the source folder."""
    if item.placement is None:
        return
    for path in item.written:
        if ctx.state.journal_accounts_for(str(path)):
            # Placed by this run (undo moves it back), moved out of the cache (journaled
            # there), or created by an earlier run (a rewrite is not this run's to remove).
            continue
        ctx.state.journal_write(ctx.run_id, item.item_id, str(path))
    apply_permissions(item, ctx)
    if item.placement.status == Status.ORGANISED:
        for entry in ctx.state.journal_of_item(ctx.run_id, item.item_id or -1):
            if entry["step"] == "done" and entry["op"] not in ("mkdir", "write"):
                ctx.state.journal_note_result(entry["id"])  # what undo checks against
        leftovers.place_extras(item, ctx)
        leftovers.clean_up(item, ctx)


def _mode_bits(ctx: RunContext, key: str) -> int | None:
    text = str(ctx.profile.get(f"placement.{key}", "") or "")
    if not text:
        return None
    try:
        return int(text, 8)
    except ValueError:
        raise ConfigError(f"placement.{key} must be octal like \"0644\", not {text!r} "
                          f"({ctx.profile.where(f'placement.{key}')})") from None


def apply_permissions(item: Item, ctx: RunContext) -> None:
    """``placement.file_mode``/``dir_mode``/``uid``/``gid`` on what this item placed or created."""
    file_mode, dir_mode = _mode_bits(ctx, "file_mode"), _mode_bits(ctx, "dir_mode")
    uid, gid = int(ctx.profile.get("placement.uid", -1)), int(ctx.profile.get("placement.gid", -1))
    if file_mode is None and dir_mode is None and uid == -1 and gid == -1:
        return
    assert item.placement is not None
    files = {item.placement.path, *item.placement.companions.values(), *item.written}
    entries = ctx.state.journal_of_item(ctx.run_id, item.item_id or -1)
    folders = {Path(e["dst"]) for e in entries if e["op"] == "mkdir"}
    # What undo gives back to a file that returns to the downloads (or shares their inode).
    returning = {e["dst"]: e for e in entries if e["step"] == "done" and not e.get("parent")
                 and e["op"] in ("move", "stage-move", "hardlink")}
    for path, bits in [*((f, file_mode) for f in files), *((d, dir_mode) for d in folders)]:
        if not os.path.exists(path) or os.path.islink(path):
            continue
        if (entry := returning.get(str(path))) is not None:
            fsops.remember_owner(ctx.state, entry, Path(path))
        if bits is not None:
            os.chmod(path, bits)
        if uid != -1 or gid != -1:
            os.chown(path, uid, gid)


# -- items that cannot be identified -----------------------------------------------------------


def move_to_failed_dir(item: Item, ctx: RunContext) -> Placement | None:
    """``failed_dir``: an item left for review moves there (with its companions), if set.
    Called from the place phase the engine runs for a REVIEW item (``plan`` None); the
    Placement says where the file is now (its status stays REVIEW), None when it stays."""
    failed_dir = ctx.profile.failed_dir
    if failed_dir is None or ctx.dry_run or item.status != Status.REVIEW:
        return None
    if not item.path.is_file() or item.path.is_relative_to(failed_dir):
        return None
    # The release folder comes along (failed_dir/Some.Release/file.mkv) when it was found
    # under a folder; a file given by itself lands at the top.
    root = item.root if item.root and item.path.is_relative_to(item.root) else item.path.parent
    target = failed_dir / item.path.relative_to(root)
    from shelver.api import companions_of

    sidecars = companions_of(item.path)
    placed = fsops.place_file(ctx.state, ctx.run_id, item.item_id, item.path, free_if_taken(target),
                              expect=identified(item))
    for sidecar in sidecars:
        try:
            fsops.place_file(ctx.state, ctx.run_id, item.item_id, sidecar,
                             placed.with_name(placed.stem + sidecar.name[len(item.path.stem):]))
        except OSError as exc:
            ctx.log.warning("companion %s not moved to failed_dir: %s", sidecar, exc)
    item.path = placed
    ctx.log.info("%s could not be identified: moved to %s", item.source, placed)
    return Placement(path=placed, status=Status.REVIEW, mode=ctx.mode, note="failed_dir")


def free_if_taken(path: Path) -> Path:
    return free_name(path) if os.path.lexists(path) else path
