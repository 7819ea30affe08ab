"""A file still being written when ``shelver hook generic FILE`` runs (a download client's hook
can fire on a file another program is still appending to): the writer's bytes are always all
there, in the library or in the downloads, never truncated (issue 14, point 1).

The writer is a real subprocess appending a deterministic pattern; the hook is the real
``shelver hook`` process, processing inline (no daemon), with the library on another filesystem
(a copy, then an unlink of the source: the case that lost the tail of the download)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.hooks.hookhelp import MATRIX, MATRIX_SECONDS, download, hook_env, library_files, run

pytestmark = pytest.mark.slow

# Appends a pattern that depends only on the offset, for SECONDS, each chunk flushed, pausing
# PAUSE between chunks; prints how many bytes it appended.
WRITER = """
import os, sys, time
path, seconds, pause = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
block = bytes(range(251)) * 300
written = 0
with open(path, "ab", buffering=0) as out:
    print("started", flush=True)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = written % 251
        written += out.write(block[start:start + 16384])
        time.sleep(pause)
print(written, flush=True)
"""


def pattern(count: int) -> bytes:
    block = bytes(range(251)) * (count // 251 + 1)
    return block[:count]


@pytest.mark.parametrize("repetition", range(20))
def test_a_file_still_being_written_is_never_moved_half_written(
        tmp_path: Path, make_profile: Any, other_fs: Path, repetition: int) -> None:
    profile = make_profile("growing", dest_dir=str(other_fs / "library"))
    source = download(tmp_path / "dl", MATRIX, MATRIX_SECONDS, folder="", seed=repetition)
    original = source.read_bytes()
    # Different writers hit different phases of the hook: before, during and after the copy.
    seconds = 1.2 + (repetition % 5) * 0.25
    pause = (0.002, 0.02, 0.1)[repetition % 3]
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(source), str(seconds), str(pause)],
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "started"
    started = time.monotonic()
    proc = run(["shelver", "hook", "-p", str(profile), "generic", str(source)], hook_env(),
               cwd=tmp_path)
    hook_seconds = time.monotonic() - started
    appended = int(writer.communicate(timeout=30)[0].strip())
    expected = original + pattern(appended)
    assert appended > 0

    placed = library_files(other_fs / "library")
    copies = [p for p in (*placed, source) if p.exists()]
    assert copies, f"the file is nowhere:\n{proc.stdout}\n{proc.stderr}"
    for copy in copies:  # wherever it is, it is whole: never the first part of the download
        assert copy.read_bytes() == expected, (
            f"{copy} has {copy.stat().st_size} bytes, the writer wrote {len(expected)} "
            f"(hook ran {hook_seconds:.2f} s):\n{proc.stdout}\n{proc.stderr}")
    if source.exists():  # left in place: the hook said why, and does not call it organised
        assert "organised:" not in proc.stdout, proc.stdout + proc.stderr
        assert str(source) in proc.stdout + proc.stderr
        assert "error: error:" not in proc.stderr  # one "error", then the file and why
