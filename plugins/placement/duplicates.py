"""``conflict = "replace-if-better"``: which of two copies of one title is better, and where the
other one is kept (never deleted by default).

Better means, in this order: a higher resolution, then a more efficient codec (AV1 > HEVC/VP9 >
H.264 > older), then a bigger file (more bitrate at the same resolution and codec). A tie keeps
the library's copy. The loser goes to ``placement.duplicates_dir`` (default
``<dest_dir>/.duplicates``: a hidden folder, which Plex, Jellyfin, Emby and Kodi skip), under
the same relative path, with ``(2)``, ``(3)``... when that name is taken.
"""

from __future__ import annotations

import inspect
import os
import re
from pathlib import Path
from typing import Any

from shelver.api import Item, RunContext

CODEC_RANK = {"av1": 4, "hevc": 3, "h265": 3, "vp9": 3, "h264": 2, "avc": 2, "vc1": 1,
              "mpeg4": 1, "xvid": 1, "divx": 1, "vp8": 1, "mpeg2video": 0}
DEFAULT_FOLDER = ".duplicates"


def quality(probe: dict[str, Any], size: int, screen_size: str | None = None) -> tuple[int, int, int]:
    """``(lines, codec rank, bytes)``: compared as a tuple, bigger is better."""
    lines = int(probe.get("height") or 0)
    if not lines:
        label = str(probe.get("resolution") or screen_size or "")
        found = re.match(r"(\d{3,4})[pi]", label)
        lines = int(found.group(1)) if found else 0
    codec = CODEC_RANK.get(str(probe.get("video_codec") or "").lower(), 0)
    return lines, codec, size


def probe_of(path: Path, ctx: RunContext) -> dict[str, Any]:
    """What the probe plugins say about a file that is not the item being processed."""
    other = Item(path=path, source=path, size=os.path.getsize(path))
    merged: dict[str, Any] = {}
    for result in ctx.pm.hook.shelver_probe(item=other, ctx=ctx):
        if inspect.isawaitable(result):  # an async prober: not worth a loop here
            close = getattr(result, "close", None)
            if close:
                close()
            continue
        for key, value in (result or {}).items():
            merged.setdefault(key, value)
    return merged


def is_better(item: Item, existing: Path, ctx: RunContext) -> bool:
    """Whether ``item`` should replace the library's ``existing`` copy."""
    mine = quality(item.probe, os.path.getsize(item.path), item.parsed.screen_size)
    theirs = quality(probe_of(existing, ctx), os.path.getsize(existing))
    ctx.log.info("replace-if-better: %s %s vs %s %s", item.path.name, mine, existing.name, theirs)
    return mine > theirs


def keep_at(ctx: RunContext, destination: Path) -> Path:
    """Where the loser of a comparison for ``destination`` is kept (a free name)."""
    dest_dir = ctx.profile.dest_dir or destination.parent
    folder = Path(str(ctx.profile.get("placement.duplicates_dir", "") or "")) or None
    if folder is None or str(folder) in ("", "."):
        folder = dest_dir / DEFAULT_FOLDER
    elif not folder.is_absolute():
        folder = dest_dir / folder
    try:
        target = folder / destination.relative_to(dest_dir)
    except ValueError:
        target = folder / destination.name
    for index in range(2, 1000):
        if not os.path.lexists(target):
            return target
        base = folder / destination.relative_to(dest_dir) if destination.is_relative_to(dest_dir) \
            else folder / destination.name
        target = base.with_name(f"{base.stem} ({index}){base.suffix}")
    raise FileExistsError(f"no free name for a duplicate of {destination} in {folder}")
