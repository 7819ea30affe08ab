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
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from shelver.api import Profile

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
    reason: str = ""  # why this mode, in words


# A release's sample clip ("movie-sample.mkv", "Sample/x.mkv"): shelver skips it, so it is no
# video of the collection.
SAMPLE = re.compile(r"(?i)(^|[-._ \[(])sample([-._ \])]|$)")
SAMPLE_FOLDERS = ("sample", "samples")


def is_sample(path: str) -> bool:
    parent = os.path.basename(os.path.dirname(path)).lower()
    return parent in SAMPLE_FOLDERS or bool(SAMPLE.search(os.path.splitext(os.path.basename(path))[0]))


def human_size(size: float) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.3g} {unit}"
        value /= 1000
    return f"{value:.3g} TB"


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
    return explain(size, files, usable, profile)[0]


def explain(size: int, files: int, usable: int | None, profile: Profile) -> tuple[str, str]:
    """``(mode, why in words)`` by DESIGN's matrix, thresholds scaled to ``usable`` bytes."""
    def setting(key: str) -> float:
        return float(profile.get(f"assess.{key}", DEFAULTS[key]))

    first = setting("metadata_first_files")
    if files > first:
        return "metadata-only", (f"{files} videos is more than assess.metadata_first_files "
                                 f"({first:g}): describe them in place first, organise later")
    if usable is None:
        return "inplace", "no work_dir, so no cache: organised where it lies"
    scale = usable / (setting("reference_cache_gb") * GB)
    gb = size / (GB * scale) if scale > 0 else float("inf")  # in the matrix's own units
    here, free = human_size(size), human_size(usable)

    def limit(key: str) -> str:
        return human_size(setting(key) * GB * scale)

    if gb < setting("cache_below_gb"):
        return "cache", f"{here} fits the cache's {free} free (under {limit('cache_below_gb')})"
    if gb <= setting("cache_max_gb"):
        if files < setting("cache_max_files"):
            return "cache", (f"{here} in {files} videos (fewer than {setting('cache_max_files'):g})"
                             f" fits the cache's {free} free")
        return "selective", (f"{here} in {files} videos (at least {setting('cache_max_files'):g}):"
                             f" too many to stage at once in the cache's {free}, so file by file")
    if gb <= setting("selective_max_gb"):
        if files < setting("selective_max_files"):
            return "selective", (f"{here} is more than the cache's {free} free "
                                 f"(over {limit('cache_max_gb')}): staged file by file")
        return "inplace", (f"{here} in {files} videos (at least "
                           f"{setting('selective_max_files'):g}) is too much to stage "
                           f"in the cache's {free}: in place")
    return "inplace", (f"{here} is over {limit('selective_max_gb')}, too big for the cache's "
                       f"{free} free: in place")


def measure(path: Path, extensions: tuple[str, ...], *, recursive: bool = True) -> tuple[int, int]:
    """``(bytes, videos)`` under ``path`` (apparent sizes: one ``stat`` per file)."""
    size = videos = 0
    stack = [str(path)]
    sample = SAMPLE.search
    while stack:
        folder = stack.pop()
        # is_sample(), a folder at a time: 100,000 files cost it 0.8 s one path at a time.
        in_sample = os.path.basename(folder).lower() in SAMPLE_FOLDERS
        try:
            entries = list(os.scandir(folder))
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
            stem, extension = os.path.splitext(entry.name)
            if extension.lower() in extensions and not in_sample and not sample(stem):
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
        found.append(Collection(str(root), root.name, size,
                                int(root.suffix.lower() in extensions and not is_sample(str(root)))))
    else:
        for entry in sorted(os.scandir(root), key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False):
                size, videos = measure(Path(entry.path), extensions)
                found.append(Collection(entry.path, entry.name, size, videos))
        size, videos = measure(root, extensions, recursive=False)
        if videos or size:
            found.append(Collection(str(root), ".", size, videos))
    for collection in found:
        collection.mode, collection.reason = explain(collection.size, collection.files, usable,
                                                     profile)
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
