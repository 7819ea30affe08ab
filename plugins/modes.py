"""The ``inplace`` and ``metadata-only`` processing modes.

``inplace`` organises a file where it lies: the final move into ``dest_dir`` is a rename on the
same filesystem (or a journaled copy-verify-rename across filesystems). ``metadata-only``
describes the file beside itself and moves nothing. Both answer ``shelver_place`` only for their
own mode, like any third-party mode would.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from shelver import hookimpl
from shelver.context import RunContext
from shelver.errors import ConfigError
from shelver.model import Item, Placement, Plan, Status
from shelver.plugins import fsops


@hookimpl
def shelver_register_modes(register: Any) -> None:
    register("inplace", "organise files where they lie; the move into dest_dir is a rename")
    register("metadata-only", "write .nfo (and artwork) beside each file; move nothing")


@hookimpl
def shelver_config_schema() -> dict[str, dict[str, Any]]:
    return {"placement": {"verify": "size"}}


@hookimpl(trylast=True)
def shelver_run_start(ctx: RunContext) -> None:
    # Interrupted placements are settled before anything else touches the disk.
    if not ctx.dry_run:
        settled = fsops.recover(ctx.state)
        if settled:
            ctx.log.info("recovered %d interrupted placement(s) from the journal", settled)


def free_name(dst: Path) -> Path:
    """``Name (2).ext``, ``Name (3).ext``...: the first free variant (conflict = "index")."""
    for index in range(2, 1000):
        candidate = dst.with_name(f"{dst.stem} ({index}){dst.suffix}")
        if not os.path.lexists(candidate):
            return candidate
    raise fsops.DestinationExists(f"{dst}: no free name")


def place_with_companions(item: Item, plan: Plan, ctx: RunContext, mode: str) -> Placement:
    """Place the video by the profile's action and conflict policy, then its companions."""
    verify = str(ctx.profile.get("placement.verify", "size"))
    if verify not in fsops.VERIFY:
        raise ConfigError(f"placement.verify must be one of {', '.join(fsops.VERIFY)}, not "
                          f"{verify!r} ({ctx.profile.where('placement.verify')})")
    destination = plan.destination
    try:
        placed = fsops.place_file(ctx.state, ctx.run_id, item.item_id, item.path, destination,
                                  ctx.profile.action, verify=verify)
    except fsops.DestinationExists:
        policy = ctx.profile.conflict
        if policy == "index":
            destination = free_name(destination)
            placed = fsops.place_file(ctx.state, ctx.run_id, item.item_id, item.path, destination,
                                      ctx.profile.action, verify=verify)
        elif policy == "fail":
            raise
        else:  # skip (replace-if-better falls back to skip until it can compare)
            return Placement(path=item.path, status=Status.DUPLICATE, mode=mode,
                             note=f"{destination} already exists; left in place")
    companions: dict[Path, Path] = {}
    for src, dst in plan.companions.items():
        if destination != plan.destination:
            dst = dst.with_name(dst.name.replace(plan.destination.stem, destination.stem, 1))
        # The video is in place by now: a sidecar that cannot follow is reported, never a
        # reason to call the item failed (its record would then disagree with the disk).
        try:
            companions[src] = fsops.place_file(ctx.state, ctx.run_id, item.item_id, src, dst,
                                               ctx.profile.action, verify=verify)
        except fsops.DestinationExists:
            ctx.log.warning("companion %s not placed: %s exists", src, dst)
        except OSError as exc:
            ctx.log.warning("companion %s not placed: %s", src, exc)
    return Placement(path=placed, status=Status.ORGANISED, mode=mode, companions=companions)


@hookimpl
def shelver_place(item: Item, plan: Plan | None, ctx: RunContext) -> Placement | None:
    if ctx.mode == "metadata-only":
        return Placement(path=item.path, status=Status.METADATA, mode=ctx.mode)
    if ctx.mode != "inplace" or plan is None:
        return None
    return place_with_companions(item, plan, ctx, ctx.mode)
