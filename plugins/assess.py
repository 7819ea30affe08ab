"""Collection assessment (``shelver assess``, and the ``auto`` mode): size, file count and the
recommended processing mode of each top-level collection folder, smallest first.

DESIGN's matrix is written for a 2 TB cache; every threshold is a profile setting (``[assess]``)
scaled by the cache's usable space (the real free space of ``work_dir``'s filesystem minus
``cache.reserve_gb``, or ``assess.cache_gb`` when set) over ``assess.reference_cache_gb``:

=========================  =============  ==============================================
collection size            file count     mode
=========================  =============  ==============================================
any                        > 1000         ``metadata-only`` first (organise later)
< 500 GB                   any            ``cache``
500 GB – 1.5 TB            < 100          ``cache`` (≥ 100 files: ``selective``)
1.5 TB – 5 TB              < 50           ``selective`` (≥ 50 files: ``inplace``)
> 5 TB                     any            ``inplace``
=========================  =============  ==============================================

Without a ``work_dir`` there is no cache: everything is ``inplace`` (or ``metadata-only`` first).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from shelver.profiles import Profile

GB = 1000**3
DEFAULTS: dict[str, Any] = {
    "cache_gb": 0.0,  # 0: measure work_dir's free space
    "reference_cache_gb": 2000.0,
    "cache_below_gb": 500.0,
    "cache_max_gb": 1500.0,
    "cache_max_files": 100,
    "selective_max_gb": 5000.0,
    "selective_max_files": 50,
    "metadata_first_files": 1000,
}


@dataclass
class Collection:
    path: str
    name: str
    size: int
    files: int  # videos (by the profile's filters.extensions)
    mode: str = ""
    order: int = 0


def usable_cache_bytes(profile: Profile) -> int | None:
    """The cache space the thresholds scale with; None without a ``work_dir``."""
    pinned = float(profile.get("assess.cache_gb", 0.0) or 0.0)
    if pinned > 0:
        return int(pinned * GB)
    work_dir = profile.work_dir
    if work_dir is None:
        return None
    probe = work_dir
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent  # a work_dir not made yet: its filesystem all the same
    st = os.statvfs(probe)
    reserve = float(profile.get("cache.reserve_gb", 0.0) or 0.0) * GB
    return max(0, int(st.f_bavail * st.f_frsize - reserve))


def recommend(size: int, files: int, usable: int | None, profile: Profile) -> str:
    """DESIGN's matrix, thresholds scaled to ``usable`` bytes of cache."""
    def setting(key: str) -> float:
        return float(profile.get(f"assess.{key}", DEFAULTS[key]))

    if files > setting("metadata_first_files"):
        return "metadata-only"
    if usable is None:
        return "inplace"
    scale = usable / (setting("reference_cache_gb") * GB)
    gb = size / (GB * scale) if scale > 0 else float("inf")  # in the matrix's own units
    if gb < setting("cache_below_gb"):
        return "cache"
    if gb <= setting("cache_max_gb"):
        return "cache" if files < setting("cache_max_files") else "selective"
    if gb <= setting("selective_max_gb"):
        return "selective" if files < setting("selective_max_files") else "inplace"
    return "inplace"


def measure(path: Path, extensions: tuple[str, ...], *, recursive: bool = True) -> tuple[int, int]:
    """``(bytes, videos)`` under ``path`` (apparent sizes: one ``stat`` per file)."""
    size = videos = 0
    stack = [str(path)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if recursive:
                        stack.append(entry.path)
                    continue
                if not entry.is_file(follow_symlinks=False):
                    continue
                size += entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
            if os.path.splitext(entry.name)[1].lower() in extensions:
                videos += 1
    return size, videos


def assess(root: Path, profile: Profile) -> dict[str, Any]:
    """Every top-level collection folder of ``root`` (and its loose files as one collection),
    with the recommended mode, numbered in processing order (smallest first)."""
    root = Path(root).absolute()
    extensions = tuple(profile.get("filters.extensions", ()))
    usable = usable_cache_bytes(profile)
    found: list[Collection] = []
    if root.is_file():
        size = root.stat().st_size
        found.append(Collection(str(root), root.name, size, int(root.suffix.lower() in extensions)))
    else:
        for entry in sorted(os.scandir(root), key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False):
                size, videos = measure(Path(entry.path), extensions)
                found.append(Collection(entry.path, entry.name, size, videos))
        size, videos = measure(root, extensions, recursive=False)
        if videos or size:
            found.append(Collection(str(root), ".", size, videos))
    for collection in found:
        collection.mode = recommend(collection.size, collection.files, usable, profile)
    found.sort(key=lambda c: (c.size, c.files, c.path))
    for order, collection in enumerate(found, 1):
        collection.order = order
    reference = float(profile.get("assess.reference_cache_gb", DEFAULTS["reference_cache_gb"]))
    return {
        "path": str(root),
        "cache": {"work_dir": str(profile.work_dir) if profile.work_dir else None,
                  "usable_bytes": usable,
                  "scale": None if usable is None else round(usable / (reference * GB), 6)},
        "collections": [asdict(c) for c in found],
    }


def collection_of(path: Path, root: Path) -> tuple[Path, bool]:
    """The collection folder a file belongs to under ``root``: ``(folder, recursive)``; a file
    directly in ``root`` belongs to root's loose files (not recursive)."""
    relative = path.relative_to(root)
    if len(relative.parts) > 1:
        return root / relative.parts[0], True
    return root, False
