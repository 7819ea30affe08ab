"""``.plexmatch``: a hint file in each movie and show folder naming the work's id, which Plex
(1.25.9 and later) reads to match without guessing (docs/media-servers.md, ".plexmatch").

It is written in the finalize phase, once the file is in the library (a ``cache`` mode's staged
file has been moved there by then), added to ``item.written`` (journaled by placement, removed by
``shelver undo``), atomically (a temporary name, then a hard link that never replaces a file),
and only when the folder has none: one a person wrote, or an earlier run's, is left alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from shelver.api import Item, Status, temp_name

# The id schemes Plex reads from a .plexmatch, by the name shelver's metadata gives them.
SCHEMES = ("tmdb", "tvdb", "imdb")


def folder_of(item: Item) -> Path | None:
    """The movie's or show's folder where the file is now."""
    if item.placement is None or item.plan is None or item.plan.folder is None:
        return None
    try:
        depth = len(item.plan.destination.relative_to(item.plan.folder).parts)
    except ValueError:
        return None
    folder = item.placement.path
    for _ in range(depth):
        folder = folder.parent
    return folder


def text_for(item: Item) -> str | None:
    identity, meta = item.identity, item.match.metadata if item.match else None
    if identity is None:
        return None
    ids = dict(meta.ids) if meta is not None else {}
    ids.setdefault(identity.provider, identity.id)
    lines = []
    if meta is not None and meta.title:
        lines.append(f"title: {meta.title}")
        if meta.year:
            lines.append(f"year: {meta.year}")
    lines += [f"{scheme}id: {ids[scheme]}" for scheme in SCHEMES if ids.get(scheme)]
    if not any(line.split(":")[0].endswith("id") for line in lines):
        return None  # no id Plex understands
    return "\n".join(lines) + "\n"


def write(item: Item) -> list[Path] | None:
    if item.placement is None or item.placement.status != Status.ORGANISED:
        return None
    folder, text = folder_of(item), text_for(item)
    if folder is None or text is None:
        return None
    target = folder / ".plexmatch"
    if target.exists():
        return None
    temp = temp_name(target, os.getpid())
    temp.write_text(text, encoding="utf-8")
    try:
        os.link(temp, target)  # never replaces one written meanwhile
    except FileExistsError:
        return None
    finally:
        temp.unlink()
    return [target]
