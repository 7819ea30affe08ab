"""The ``placement`` plugin: every hook of placement in one place (docs/architecture.md).

It registers the processing modes (``inplace`` and ``metadata-only``:
:mod:`~shelver.plugins.placement.modes`; ``cache``, ``selective`` and ``auto``:
:mod:`~shelver.plugins.placement.cache`, staging in :mod:`~shelver.plugins.placement.staging`),
settles the placement journal at run start, applies the conflict policy (to a taken
destination and to a duplicate a fingerprint plugin found) and ``failed_dir`` in the place
phase, records what a run created, cleans up leftovers, and adds the ``shelver undo`` and
``shelver assess`` commands (:mod:`~shelver.plugins.placement.commands`). Being one plugin,
disabling it turns every mode off together: no mode keeps running without crash recovery.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import click
from shelver.api import Item, Placement, Plan, Profile, RunContext, StateDB, Status, hookimpl
from shelver.plugins.placement import cache, commands, modes, relocate


@hookimpl
def shelver_register_modes(register: Any) -> None:
    cache.register_modes(register)  # cache, selective, auto
    modes.register_modes(register)  # inplace, metadata-only


@hookimpl
def shelver_register_journal_ops(register: Any) -> None:
    cache.register_journal_ops(register)  # stage-move, stage-copy


@hookimpl
def shelver_config_schema() -> dict[str, dict[str, Any]]:
    return {**modes.config_schema(), **cache.config_schema()}  # placement; cache, assess


@hookimpl
def shelver_register_commands(cli: click.Group) -> None:
    commands.register_commands(cli)  # undo, assess


@hookimpl(trylast=True)
def shelver_run_start(ctx: RunContext) -> None:
    # Interrupted placements are settled before anything else touches the disk.
    modes.recover_at_start(ctx)


@hookimpl
def shelver_place(item: Item, plan: Plan | None, ctx: RunContext) -> Placement | None:
    """Only placement moves files (docs/architecture.md): besides the modes' placement, an item
    left for review goes to ``failed_dir`` here, and a duplicate (``item.duplicate_of``) is
    carried out by the ``conflict`` policy before the mode places it."""
    if item.status == Status.REVIEW:
        return modes.move_to_failed_dir(item, ctx)
    if item.duplicate_of is not None:
        done = modes.carry_out_duplicate(item, ctx)
        if done is not None:
            return done
    if relocate.moving_in_library(item, plan, ctx):
        # A library file under another identity (shelver rematch): its old NFO and images
        # are set aside, not carried along.
        assert plan is not None
        old_path = item.path
        plan, left = relocate.without_descriptions(plan)
        placed = cache.place(item, plan, ctx) if ctx.mode in cache.MODES else modes.place(
            item, plan, ctx)
        if placed is not None:
            relocate.after_placement(item, ctx, placed, old_path, left)
        return placed
    if ctx.mode in cache.MODES:
        return cache.place(item, plan, ctx)
    return modes.place(item, plan, ctx)


@hookimpl(wrapper=True)
def shelver_finalize(item: Item, ctx: RunContext) -> Generator[None, list[None], list[None]]:
    """Around every other plugin's finalize, as the two plugins this one replaced were ordered:
    first the cache's move of a staged item (its companions, what enrich wrote) into the
    library; after all of them, the run's record of the files enrich created (undo removes
    them), the permission settings and the clean-up of the source folder."""
    cache.finalize_staged(item, ctx)
    results = yield  # the other implementations' (ignored) answers
    modes.finalize(item, ctx)
    return results


@hookimpl
def shelver_item_done(item: Item, ctx: RunContext) -> None:
    """A staged item that never reached finalize loses its cache copy (moves no file: the
    source is where it was)."""
    cache.discard_staged(item, ctx)


@hookimpl
def shelver_undo_preview(state: StateDB, run_id: int, pm: Any) -> dict[str, Any]:
    """What ``shelver undo RUN --dry-run`` says, for a front end (the web UI's preview)."""
    from shelver.plugins.placement.undo import undo_answer

    return undo_answer(state, run_id, pm, dry_run=True)


@hookimpl
def shelver_undo_run(state: StateDB, run_id: int, pm: Any, profile: Profile) -> dict[str, Any]:
    """``shelver undo RUN``, for a front end (the web UI's confirmed Undo)."""
    from shelver.plugins.placement.undo import undo_answer

    return undo_answer(state, run_id, pm, dry_run=False, profile=profile.name)
