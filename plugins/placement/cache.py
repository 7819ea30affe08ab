"""The ``cache``, ``selective`` and ``auto`` processing modes.

* ``cache``: the file is copied into ``work_dir`` (fast storage), tagged and described there,
  then moved into ``dest_dir`` (:mod:`shelver.plugins.placement.staging`: journaled, crash-safe); the
  source goes last (kept with ``action = "copy"``/``"reflink"``). With ``hardlink``/``symlink``
  the library keeps pointing at the download's bytes, so nothing is staged: those place as
  ``inplace`` does.
* ``selective``: per file, the cache path when the file fits (the cache's real free space minus
  ``cache.reserve_gb`` and what other workers are copying right now, and at most
  ``cache.max_file_gb``), else in place.
* ``auto``: per collection folder, the mode ``shelver assess`` recommends
  (:mod:`shelver.plugins.placement.assess`).

A cache that is full before or during the copy (ENOSPC, EDQUOT, EIO...) never costs a file: the
partial copy is removed, the source is untouched, and the item is placed in place
(``cache.when_full = "inplace"``, the default) or fails to be retried later (``"retry"``).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shelver import api as fsops  # the crash-safe file operations
from shelver.api import ConfigError, Item, ItemError, Placement, Plan, RunContext, Status
from shelver.plugins.placement import assess, modes, staging

MODES = ("cache", "selective", "auto")
WHEN_FULL = ("inplace", "retry")
GB = 1000**3


class CacheFull(ItemError):
    """The cache cannot take the file now (``cache.when_full = "retry"``): retried later."""


@dataclass
class CacheState:
    """Per run: bytes being copied into the cache right now, and the staged items."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    reserved: int = 0
    staged: dict[int, staging.Staged] = field(default_factory=dict)
    assessed: dict[tuple[str, bool], str] = field(default_factory=dict)
    folders: dict[int, Path] = field(default_factory=dict)  # plan.folder before staging


def _state(ctx: RunContext) -> CacheState:
    return ctx.resources.setdefault("cache_modes", CacheState())  # type: ignore[no-any-return]


def _key(item: Item) -> int:
    return item.item_id if item.item_id is not None else id(item)


def register_modes(register: Any) -> None:
    register("cache", "copy to work_dir, tag and describe there, then move into dest_dir")
    register("selective", "per file: through the cache when it fits, else in place")
    register("auto", "per collection: the mode `shelver assess` recommends")


def register_journal_ops(register: Any) -> None:
    register("stage-*", settle=staging.settle)  # stage-move, stage-copy


def config_schema() -> dict[str, dict[str, Any]]:
    return {"cache": {"reserve_gb": 10.0, "max_file_gb": 0.0, "when_full": "inplace"},
            "assess": dict(assess.DEFAULTS)}


def work_dir_of(ctx: RunContext) -> Path:
    work_dir = ctx.profile.work_dir
    if work_dir is None:
        raise ConfigError(f"mode {ctx.mode!r} needs work_dir, a folder on the fast cache "
                          f"({ctx.profile.where('work_dir')})")
    work_dir.mkdir(parents=True, exist_ok=True)
    return work_dir


def reserve(ctx: RunContext, size: int) -> str | None:
    """Reserve ``size`` bytes of cache for a copy; the reason it does not fit, or None."""
    work_dir = work_dir_of(ctx)
    max_file = float(ctx.profile.get("cache.max_file_gb", 0.0) or 0.0) * GB
    if max_file and size > max_file:
        return f"larger than cache.max_file_gb ({size / GB:.1f} GB)"
    reserve_bytes = float(ctx.profile.get("cache.reserve_gb", 10.0)) * GB
    state = _state(ctx)
    with state.lock:
        free = staging.free_bytes(work_dir) - reserve_bytes - state.reserved
        if size > free:
            return (f"does not fit the cache ({size / GB:.2f} GB; {max(free, 0) / GB:.2f} GB free "
                    f"in {work_dir} after cache.reserve_gb and copies under way)")
        state.reserved += size
    return None


def release(ctx: RunContext, size: int) -> None:
    state = _state(ctx)
    with state.lock:
        state.reserved = max(0, state.reserved - size)


def when_full(ctx: RunContext, item: Item, plan: Plan, mode: str, reason: str) -> Placement:
    policy = str(ctx.profile.get("cache.when_full", "inplace"))
    if policy not in WHEN_FULL:
        raise ConfigError(f"cache.when_full must be one of {', '.join(WHEN_FULL)}, not {policy!r} "
                          f"({ctx.profile.where('cache.when_full')})")
    if mode == "cache" and policy == "retry":
        raise CacheFull(f"{item.source}: {reason}; retried later (cache.when_full = \"retry\")")
    ctx.log.info("%s: %s: placed in place", item.source, reason)
    placement = modes.place_with_companions(item, plan, ctx, "inplace")
    placement.note = reason
    return placement


def place_through_cache(item: Item, plan: Plan, ctx: RunContext, mode: str) -> Placement:
    """Stage the file in the cache (the rest happens in :func:`finalize_staged`)."""
    if ctx.profile.action in ("hardlink", "symlink"):
        return modes.place_with_companions(item, plan, ctx, mode)
    resolution = modes.resolve_conflict(item, plan, ctx, mode)
    if resolution.done is not None:
        return resolution.done
    if os.path.abspath(item.path) == os.path.abspath(resolution.destination):
        # Already in place (a run interrupted after its move): only to be described again.
        return Placement(path=item.path, status=Status.ORGANISED, mode=mode)
    size = os.stat(item.path).st_size
    reason = reserve(ctx, size)
    if reason is not None:
        return when_full(ctx, item, plan, mode, reason)
    verify = modes.setting(ctx, "verify", fsops.VERIFY)
    companions = modes.companion_targets(plan, resolution.destination)
    try:
        staged = staging.stage(
            ctx.state, ctx.run_id, item.item_id, item.path, resolution.destination,
            dest_dir=ctx.profile.dest_dir or plan.destination.parent, work_dir=work_dir_of(ctx),
            keep_source=ctx.profile.action != "move", verify=verify, companions=companions,
            companion_action="move" if ctx.profile.action == "move" else "copy",
            displace=resolution.displace, expect=modes.identified(item))
    except OSError as exc:
        if exc.errno not in staging.CACHE_ERRORS:
            raise
        return when_full(ctx, item, plan, mode, f"the cache copy failed ({exc.strerror or exc})")
    finally:
        release(ctx, size)
    _state(ctx).staged[_key(item)] = staged
    dest_dir = ctx.profile.dest_dir
    if plan.folder is not None and dest_dir is not None and plan.folder.is_relative_to(dest_dir):
        # Show-level files (tvshow.nfo, posters) are written in the cache too, so that every
        # file and folder this item adds to the library arrives through journaled moves.
        _state(ctx).folders[_key(item)] = plan.folder
        plan.folder = staged.folder / plan.folder.relative_to(dest_dir)
    return Placement(path=staged.video, status=Status.ORGANISED, mode=mode, companions={},
                     note=f"staged in {staged.folder}")


def auto_mode(item: Item, ctx: RunContext) -> str:
    """The mode ``shelver assess`` recommends for the collection ``item`` belongs to."""
    root = item.root
    if root is None or not item.source.is_relative_to(root):
        root = next((s for s in ctx.profile.sources if item.source.is_relative_to(s)),
                    item.source.parent)
    folder, recursive = assess.collection_of(item.source, Path(root))
    state = _state(ctx)
    key = (str(folder), recursive)
    with state.lock:
        if key not in state.assessed:
            extensions = tuple(ctx.profile.get("filters.extensions", ()))
            size, files = assess.measure(folder, extensions, recursive=recursive)
            usable = assess.usable_cache_bytes(ctx.profile)
            state.assessed[key] = assess.recommend(size, files, usable, ctx.profile)
            ctx.log.info("auto: %s (%d files, %.1f GB): %s", folder, files, size / GB,
                         state.assessed[key])
        return state.assessed[key]


def place(item: Item, plan: Plan | None, ctx: RunContext) -> Placement | None:
    if ctx.mode not in MODES:
        return None
    mode = auto_mode(item, ctx) if ctx.mode == "auto" else ctx.mode
    if mode == "metadata-only":
        return Placement(path=item.path, status=Status.METADATA, mode=mode)
    if plan is None:
        return None
    if mode == "inplace":
        return modes.place_with_companions(item, plan, ctx, mode)
    return place_through_cache(item, plan, ctx, mode)


def finalize_staged(item: Item, ctx: RunContext) -> None:
    """Move a staged item, its companions and what enrich wrote into the library."""
    staged = _state(ctx).staged.pop(_key(item), None)
    folder = _state(ctx).folders.pop(_key(item), None)
    if folder is not None and item.plan is not None:
        item.plan.folder = folder
    if staged is None or item.placement is None:
        return
    try:
        moved = staging.finish(ctx.state, staged.entry)
    except Exception:
        # The destination was taken since the file was staged (another instance?), or the
        # library is full or failing: while the staged copy has not left the cache nothing
        # reached the library, so forget it and keep the source (the item is retried later).
        if os.path.lexists(staged.video):
            ctx.state.journal_step(staged.entry, "staged")
            staging.roll_back(ctx.state, staged.entry)
        raise
    item.placement.path = moved.get(staged.video, staged.destination)
    item.placement.companions = {Path(src): Path(dst) for src, dst in _companions(ctx, staged)}
    item.written = [moved.get(p, p) for p in item.written
                    if p in moved or not Path(p).is_relative_to(staged.folder)]


def _companions(ctx: RunContext, staged: staging.Staged) -> list[tuple[str, str]]:
    row = ctx.state.journal_row(staged.entry) or {}
    import json

    planned = json.loads(row.get("detail") or "{}").get("companions", {})
    return [(src, dst) for src, dst in planned.items() if os.path.lexists(dst)]


def discard_staged(item: Item, ctx: RunContext) -> None:
    """A staged item that never reached finalize (an error while describing it): forget the
    cache copy; the source is untouched."""
    staged = _state(ctx).staged.pop(_key(item), None)
    _state(ctx).folders.pop(_key(item), None)
    if staged is not None:
        staging.roll_back(ctx.state, staged.entry)
        ctx.log.info("%s: cache copy discarded (%s)", item.source, item.error or item.status)
