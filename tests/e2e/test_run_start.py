"""Run start in two steps (docs/plugins.md): a wrong key stops the run before the journal's
recovery of an interrupted placement touches a file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import shelver

# An interrupted cross-filesystem-style placement, left by a process that then died: the copy
# in the temp file is whole and verified ("copied"), not yet linked into the library, the
# source still in downloads. Recovery would link the temp file into place, remove it and unlink
# the source. It is made by a child process so that its owner is dead, as after a crash.
INTERRUPTED = """
import os, random, sys
from pathlib import Path
from shelver.fileops import stamp_of, temp_name
from shelver.store import StateDB

db, src, dst = (Path(a) for a in sys.argv[1:4])
data = random.Random(7).randbytes(300_000)
src.parent.mkdir(parents=True, exist_ok=True)
src.write_bytes(data)
dst.parent.mkdir(parents=True, exist_ok=True)
tmp = temp_name(dst, "crash")
tmp.write_bytes(data)
state = StateDB(db)
st = os.stat(src)
item = state.observe(str(src), st.st_size, st.st_mtime, st.st_ino, "test")
entry = state.journal_begin(None, item, "move", str(src), str(dst), str(tmp), len(data),
                            detail={"src_stamp": list(stamp_of(src))})
state.journal_step(entry, "copied")
state.close()
"""


def listing(*roots: Path) -> dict[str, tuple[bool, int, int, int]]:
    """Every file and folder under the roots, themselves included: (is a folder, size, mtime,
    inode)."""
    found = {}
    for root in roots:
        for path in [root, *root.rglob("*")]:
            st = os.lstat(path)
            found[str(path)] = (path.is_dir(), st.st_size, st.st_mtime_ns, st.st_ino)
    return found


def test_a_wrong_key_exits_2_before_recovery_touches_an_interrupted_placement(
        tmp_path: Path, make_profile: Any) -> None:
    src = tmp_path / "downloads" / "The.Matrix.1999.1080p.BluRay.mkv"
    dst = tmp_path / "library" / "Movies" / "The Matrix (1999)" / "The Matrix (1999).mkv"
    (tmp_path / "work").mkdir()
    profile = make_profile(tmdb={"api_key": "not-the-right-key-12345"},
                           work_dir=str(tmp_path / "work"))
    subprocess.run([sys.executable, "-c", INTERRUPTED, str(tmp_path / "state.db"), str(src),
                    str(dst)], check=True)
    roots = [tmp_path / "downloads", tmp_path / "library", tmp_path / "work"]
    before = listing(*roots)
    assert str(src) in before and any("crash" in name for name in before)  # source + temp file

    proc = shelver("run", str(tmp_path / "downloads"), "-p", str(profile))

    assert proc.returncode == 2, proc.stderr
    assert "tmdb.api_key" in proc.stderr and "Traceback" not in proc.stderr
    assert "not-the-right-key-12345" not in proc.stderr + proc.stdout
    assert listing(*roots) == before  # downloads, library, work_dir: nothing touched
    import sqlite3

    with sqlite3.connect(tmp_path / "state.db") as conn:
        steps = conn.execute("SELECT op, step FROM journal WHERE op = 'move'").fetchall()
    assert steps == [("move", "copied")]  # still unfinished: the next good run recovers it
