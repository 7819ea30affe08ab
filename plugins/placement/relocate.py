"""A library file placed again under another identity (``shelver rematch``): what describes the
old identity does not travel with it.

When the place phase moves a file that is already inside ``dest_dir`` to another place there
under another identity than the one recorded (a rematch, a full scan that identifies it anew),
its subtitles (and other sidecars) follow it as usual, but the NFO and images named after it
(``<stem>.nfo``, ``<stem>-thumb.jpg``, ``<stem>-poster.jpg``...) describe the identity it is
leaving: they are set aside, and the enrich phase writes the new identity's. Once the video is
out, a folder of the library left with no video in it (the old movie folder; the old show's
season and show folders) has its NFOs and images set aside too, and is removed when empty.

"Set aside" is a journaled move into ``replaced/run-<run>/`` beside the state DB (the path
under ``dest_dir`` kept), and a removed folder is a journaled ``rmdir``: ``shelver undo`` of the
run puts every one of them back, byte for byte, and removes what the run created.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

from shelver import api as fsops  # the crash-safe file operations
from shelver.api import VIDEO_EXTENSIONS, Item, Placement, Plan, RunContext, Status

# What describes a video rather than being part of it: Kodi/Jellyfin NFOs and artwork.
DESCRIPTIONS = (".nfo", ".jpg", ".jpeg", ".png", ".tbn", ".webp")
SET_ASIDE = "replaced"


def moving_in_library(item: Item, plan: Plan | None, ctx: RunContext) -> bool:
    """Whether this placement moves a library file (inside ``dest_dir``) somewhere else under
    another identity than the one it is recorded with (a file renamed under its own identity,
    e.g. an episode title TMDB corrected, keeps its NFO and images: they are rewritten)."""
    dest_dir = ctx.profile.dest_dir
    if plan is None or dest_dir is None or ctx.dry_run or item.identity is None:
        return False
    here = Path(os.path.abspath(item.path))
    if not here.is_relative_to(os.path.abspath(dest_dir)) or \
            os.path.abspath(plan.destination) == str(here):
        return False
    row = ctx.state.item(item.item_id) if item.item_id is not None else None
    if row is None or not row.get("ident"):
        return False
    episodes = row.get("episodes")
    episodes = json.loads(episodes) if isinstance(episodes, str) else episodes
    recorded = (row.get("provider"), row.get("ident_kind"), str(row.get("ident")),
                row.get("season"), [int(e) for e in episodes or []])
    new = item.identity
    return recorded != (new.provider, new.kind, new.id, new.season, list(new.episodes))


def _is_description(path: Path) -> bool:
    return path.suffix.lower() in DESCRIPTIONS


def without_descriptions(plan: Plan) -> tuple[Plan, list[Path]]:
    """The plan with only the companions that are part of the video (subtitles...); and the
    NFOs and images named after it, which stay behind to be set aside."""
    kept = {src: dst for src, dst in plan.companions.items() if not _is_description(src)}
    left = [src for src in plan.companions if _is_description(src)]
    return replace(plan, companions=kept), left


def set_aside(item: Item, ctx: RunContext, paths: list[Path]) -> list[Path]:
    """Move ``paths`` (files under ``dest_dir``) into this run's ``replaced/`` folder beside
    the state DB, journaled: ``shelver undo`` moves them back."""
    dest_dir = Path(os.path.abspath(ctx.profile.dest_dir or "/"))
    holding = Path(ctx.state.path).parent / SET_ASIDE / f"run-{ctx.run_id}"
    moved = []
    for path in paths:
        if not os.path.isfile(path) or os.path.islink(path):
            continue
        target = holding / Path(os.path.abspath(path)).relative_to(dest_dir)
        try:
            moved.append(fsops.place_file(ctx.state, ctx.run_id, item.item_id, path, target,
                                          "move"))
        except OSError as exc:
            ctx.log.warning("%s not set aside: %s", path, exc)
    return moved


def _has_video(folder: Path) -> bool:
    for _here, _dirs, files in os.walk(folder):
        if any(os.path.splitext(name)[1].lower() in VIDEO_EXTENSIONS for name in files):
            return True
    return False


def clear_left_folders(item: Item, ctx: RunContext, old_folder: Path) -> None:
    """The library folders the video left with no video in them: their NFOs and images set
    aside, then each removed when empty (journaled), up to, never including, ``dest_dir``."""
    dest_dir = Path(os.path.abspath(ctx.profile.dest_dir or "/"))
    folder = Path(os.path.abspath(old_folder))
    while folder != dest_dir and folder.is_relative_to(dest_dir) and folder.is_dir():
        if _has_video(folder):
            return
        descriptions = sorted(Path(here) / name for here, _dirs, files in os.walk(folder)
                              for name in files if _is_description(Path(name)))
        set_aside(item, ctx, descriptions)
        for here, _dirs, _files in sorted(os.walk(folder), key=lambda w: -len(w[0])):
            _remove_dir(item, ctx, Path(here))
        if folder.exists():
            return  # something else lives there: kept
        folder = folder.parent


def _remove_dir(item: Item, ctx: RunContext, folder: Path) -> None:
    """rmdir (only ever an empty folder), journaled so that undo makes it again."""
    try:
        os.rmdir(folder)
    except OSError:
        return
    ctx.state.journal_begin(ctx.run_id, item.item_id, "rmdir", str(folder), str(folder), None, 0,
                            step="done")


def after_placement(item: Item, ctx: RunContext, placement: Placement, old_path: Path,
                    left: list[Path]) -> None:
    """Once the video moved (``placement`` organised it elsewhere): set aside what described
    it at ``old_path`` and clear the folders it left."""
    if placement.status != Status.ORGANISED or os.path.abspath(placement.path) == \
            os.path.abspath(old_path):
        return
    set_aside(item, ctx, left)
    clear_left_folders(item, ctx, old_path.parent)
