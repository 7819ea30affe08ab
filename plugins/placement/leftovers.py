"""What a placed video leaves behind in its release folder: extras and junk.

* ``placement.extras = "place"``: samples, trailers and other extras found beside a placed movie
  (or in its ``Sample/``, ``Trailers/``, ``Extras/``... subfolder) follow it under the names
  Plex and Jellyfin both read: ``<Movie (Year)>-trailer.mkv``, ``-sample``, ``-featurette``,
  ``-behindthescenes``, ``-deleted``, ``-interview``, ``-scene``, ``-short``, ``-other``.
  Beside an episode they go into the season folder's extras subfolders that both read
  (``Trailers/``, ``Featurettes/``, ``Behind The Scenes/``, ``Deleted Scenes/``,
  ``Interviews/``, ``Scenes/``, ``Shorts/``, ``Other/``) under their own names.
  Default ``"skip"``: they stay where they are, reported ``extra``.
* ``placement.cleanup = true`` (off by default; only with ``action = "move"``): once a video has
  left its release folder, files there matching ``placement.junk`` are removed and the folder,
  if it is then empty, too — up to (never including) the folder the file was found under.
  A video is never removed, whatever the patterns say, nor a sidecar of a video still there.
  Removed folders are journaled (``shelver undo`` recreates them); removed junk is not kept.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from shelver import api as fsops  # the crash-safe file operations
from shelver.api import VIDEO_EXTENSIONS, Item, RunContext, Sidecars, Status

DEFAULT_JUNK = ("*.txt", "*.url", "*.website", "*.lnk", "*.exe", "*.sfv", "*.md5", "*.nzb",
                "*.nfo", "*.jpg", "*.png", "RARBG*")
EXTRA_SUFFIX = {"sample": "sample", "trailer": "trailer", "featurette": "featurette",
                "behindthescenes": "behindthescenes", "behind the scenes": "behindthescenes",
                "deleted": "deleted", "deleted scene": "deleted", "interview": "interview",
                "scene": "scene", "short": "short"}
# Season-folder subfolders Plex and Jellyfin both read, by extra kind.
SEASON_EXTRA_FOLDER = {"trailer": "Trailers", "featurette": "Featurettes",
                       "behindthescenes": "Behind The Scenes", "deleted": "Deleted Scenes",
                       "interview": "Interviews", "scene": "Scenes", "short": "Shorts"}
EXTRA_FOLDERS = {"sample", "samples", "trailer", "trailers", "extras", "featurettes",
                 "behind the scenes", "deleted scenes", "interviews", "scenes", "shorts", "other"}


def _is_video(path: Path | str) -> bool:
    return os.path.splitext(str(path))[1].lower() in VIDEO_EXTENSIONS


def _extras_near(video: Path) -> list[Path]:
    folder = video.parent
    found = []
    for entry in [*folder.iterdir(), *(p for d in folder.iterdir() if d.is_dir()
                                       and d.name.lower() in EXTRA_FOLDERS for p in d.iterdir())]:
        if entry.is_file() and _is_video(entry) and entry != video:
            found.append(entry)
    return sorted(found)


def place_extras(item: Item, ctx: RunContext) -> list[Path]:
    """Move the extras of a placed movie beside it, named by the Plex/Jellyfin conventions."""
    if str(ctx.profile.get("placement.extras", "skip")) != "place" or item.placement is None:
        return []
    if item.identity is None or not item.source.parent.is_dir():
        return []
    movie = item.identity.kind == "movie"
    placed: list[Path] = []
    for extra in _extras_near(item.source):
        other = Item(path=extra, source=extra, root=item.root)
        parsed = ctx.pm.hook.shelver_parse_name(item=other, ctx=ctx)
        kind = getattr(parsed, "extra", None)
        if not kind:
            continue  # another main video in the same folder: its own item
        suffix = EXTRA_SUFFIX.get(str(kind).lower(), "other")
        if movie:
            target = item.placement.path.with_name(
                f"{item.placement.path.stem}-{suffix}{extra.suffix.lower()}")
        else:
            folder = SEASON_EXTRA_FOLDER.get(suffix, "Other")
            target = item.placement.path.parent / folder / extra.name
        if os.path.lexists(target):
            target = target.with_name(f"{target.stem} ({len(placed) + 2}){target.suffix}")
        known = ctx.state.item_by_path(extra)
        try:
            placed.append(fsops.place_file(ctx.state, ctx.run_id, known["id"] if known else None,
                                           extra, target, ctx.profile.action))
        except OSError as exc:
            ctx.log.warning("extra %s not placed: %s", extra, exc)
    return placed


def clean_up(item: Item, ctx: RunContext) -> list[Path]:
    """Remove junk and emptied folders the video left behind (``placement.cleanup``)."""
    if not ctx.profile.get("placement.cleanup", False) or ctx.profile.action != "move":
        return []
    if item.placement is None or item.placement.status != Status.ORGANISED:
        return []
    folder = item.source.parent
    stop = Path(item.root) if item.root else None
    if stop is None:
        stop = next((s for s in ctx.profile.sources if folder.is_relative_to(s)), None)
    if stop is None or not folder.is_relative_to(stop) or folder == stop or os.path.exists(item.source):
        return []
    patterns = [str(p) for p in ctx.profile.get("placement.junk", DEFAULT_JUNK)]
    removed: list[Path] = []
    for current in [*sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)),
                    folder]:
        try:
            names = [e.path for e in os.scandir(current) if e.is_file(follow_symlinks=False)]
        except OSError:
            continue
        videos = [n for n in names if _is_video(n)]
        sidecars = Sidecars(names)
        protected = {str(c) for v in videos for c in sidecars.of(v)}
        for name in names:
            base = os.path.basename(name)
            if _is_video(name) or name in protected:
                continue  # never a video, never a sidecar of a video that stays
            if any(fnmatch.fnmatch(base.lower(), p.lower()) for p in patterns):
                os.unlink(name)
                removed.append(Path(name))
        if current != folder and _remove_dir(ctx, item, current):
            removed.append(current)
    while folder != stop and folder.is_relative_to(stop) and _remove_dir(ctx, item, folder):
        removed.append(folder)
        folder = folder.parent
    return removed


def _remove_dir(ctx: RunContext, item: Item, folder: Path) -> bool:
    """rmdir (only ever an empty folder), journaled so that undo can make it again."""
    try:
        os.rmdir(folder)
    except OSError:
        return False  # not empty: something there is not junk
    ctx.state.journal_begin(ctx.run_id, item.item_id, "rmdir", str(folder), str(folder), None, 0,
                            step="done")
    return True
