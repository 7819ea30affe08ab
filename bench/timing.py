"""What the benchmark scripts share: timing one run of a command (each script is run as
``python bench/NAME.py``, so this folder is on ``sys.path``)."""

from __future__ import annotations

import subprocess
import time


def timed(argv: list[str], env: dict[str, str]) -> float:
    """Wall-clock seconds of one run of ``argv``; a failed run ends the benchmark, saying why."""
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr}{proc.stdout}")
    return elapsed
