"""What the benchmark scripts share: timing one run of a command, and the trees of many video
files they time (each script is run as ``python bench/NAME.py``, so this folder is on
``sys.path``)."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

PER_FOLDER = 10  # video files per title folder; title folders are grouped 100 to a parent


def build_tree(root: Path, files: int, size: int = 0) -> None:
    """``files`` video files of ``size`` bytes (sparse: no data blocks) under ``root``, 10 per
    title folder, once: a marker beside the tree (``root.complete``) says it was built whole,
    so ``--keep DIR`` reuses it; a tree left half-built is built again."""
    marker = root.with_suffix(".complete")
    if marker.exists():
        return
    shutil.rmtree(root, ignore_errors=True)
    for index in range(files):
        folder_index = index // PER_FOLDER
        folder = root / f"Group {folder_index // 100:04d}" / f"Title {folder_index:05d} (2001)"
        if index % PER_FOLDER == 0:
            folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"Title {folder_index:05d} (2001) - part{index % PER_FOLDER}.mkv"
        with open(path, "wb") as handle:
            handle.truncate(size)
    root.mkdir(parents=True, exist_ok=True)
    marker.write_text("built\n", encoding="utf-8")


def timed(argv: list[str], env: dict[str, str]) -> float:
    """Wall-clock seconds of one run of ``argv``; a failed run ends the benchmark, saying why."""
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr}{proc.stdout}")
    return elapsed
