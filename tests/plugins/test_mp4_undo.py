"""Tagging an MP4 is journaled with a recipe for its original bytes: undo gives them back
byte for byte, a file that cannot be recorded is left untagged, and a process killed mid-tag
is settled by recovery (real SIGKILLs in a subprocess)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path
from typing import Any

import pytest
from shelver import fileops as fsops
from shelver.discovery import TEMP_MARKER
from shelver.manager import get_plugin_manager
from shelver.plugins.mp4tags import undo as mp4_undo
from shelver.plugins.mp4tags.tagger import TagError, read_tags, tag_mp4
from shelver.plugins.mp4tags.undo import TagJournal
from shelver.store import StateDB

from tests.plugins.test_mp4_tagger import episode_metadata, image_bytes, make_mp4, movie_metadata


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if TEMP_MARKER in name]


def tag_rows(state: StateDB, op: str = "tag") -> list[dict[str, Any]]:
    return [dict(r) for r in state.conn().execute(
        "SELECT * FROM journal WHERE op=? ORDER BY id", (op,))]


@pytest.fixture(params=[False, True], ids=["moov-last", "faststart"])
def movie(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    path = make_mp4(tmp_path / "The Matrix (1999).mp4", faststart=request.param)
    os.utime(path, ns=(1_600_000_000_123_456_789, 1_500_000_000_987_654_321))
    return path


def test_untag_gives_back_the_original_bytes_and_mtime(movie: Path, state: StateDB) -> None:
    before, mtime = digest(movie), movie.stat().st_mtime_ns
    tag_mp4(movie, movie_metadata(), {"height": 1080}, cover=image_bytes("JPEG"),
            journal=TagJournal(state, None, None))
    assert read_tags(movie)["©nam"] == "The Matrix" and digest(movie) != before
    [row] = tag_rows(state)
    assert row["step"] == "done" and row["dst_size"] == movie.stat().st_size
    # The recipe is the metadata only: far smaller than the file, which is mostly media.
    blob = state.journal_blob(row["id"])
    assert blob is not None and len(blob) < movie.stat().st_size / 4
    assert mp4_undo.check(row, str(movie)) is None
    assert mp4_undo.untag(state, None, row, str(movie)) is True
    assert digest(movie) == before and movie.stat().st_mtime_ns == mtime
    assert [r["step"] for r in tag_rows(state, "untag")] == ["done"]
    assert leftovers(movie.parent) == []
    assert mp4_undo.untag(state, None, row, str(movie)) is False  # already the original


def test_two_taggings_undone_newest_first(movie: Path, state: StateDB) -> None:
    before = digest(movie)
    tag_mp4(movie, movie_metadata(), None, journal=TagJournal(state, None, None))
    once = digest(movie)
    tag_mp4(movie, episode_metadata((14, 15)), None, cover=image_bytes("PNG"),
            journal=TagJournal(state, None, None))
    first, second = tag_rows(state)
    assert mp4_undo.untag(state, None, second, str(movie)) and digest(movie) == once
    assert mp4_undo.untag(state, None, first, str(movie)) and digest(movie) == before


def test_a_file_changed_since_is_refused_and_left_alone(movie: Path, state: StateDB) -> None:
    tag_mp4(movie, movie_metadata(), None, journal=TagJournal(state, None, None))
    [row] = tag_rows(state)
    with open(movie, "r+b") as handle:  # one media byte edited: same size, other content
        handle.seek(movie.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xFF]))
    edited = digest(movie)
    # (A file this small is sampled whole; a big one is sampled in 32 blocks, and a rebuild
    # is checked against the original's signature anyway: see the test below.)
    problem = mp4_undo.check(row, str(movie))
    assert problem is not None and "changed since the run" in problem
    with pytest.raises(OSError, match="does not match"):
        mp4_undo.untag(state, None, row, str(movie))
    assert digest(movie) == edited and leftovers(movie.parent) == []
    assert mp4_undo.check(row, str(movie.with_name("gone.mp4"))) is not None


def test_a_rebuild_that_does_not_match_changes_nothing(movie: Path, state: StateDB) -> None:
    tag_mp4(movie, movie_metadata(), None, journal=TagJournal(state, None, None))
    [row] = tag_rows(state)
    state.journal_put_blob(row["id"], zlib.compress(b"\0" * 64))  # a wrong recipe
    tagged = digest(movie)
    with pytest.raises(OSError):
        mp4_undo.untag(state, None, row, str(movie))
    assert digest(movie) == tagged and leftovers(movie.parent) == []
    assert [r["step"] for r in tag_rows(state, "untag")] == ["rolled-back"]


def test_a_file_whose_atoms_cannot_be_recorded_is_not_tagged(
        movie: Path, state: StateDB, monkeypatch: pytest.MonkeyPatch) -> None:
    before = digest(movie)
    monkeypatch.setattr(mp4_undo, "LITERAL_LIMIT", 64)  # its moov alone is bigger
    with pytest.raises(TagError, match="cannot be recorded for undo"):
        tag_mp4(movie, movie_metadata(), None, journal=TagJournal(state, None, None))
    assert digest(movie) == before and leftovers(movie.parent) == []
    assert [r["step"] for r in tag_rows(state)] == ["rolled-back"]


def test_bytes_after_the_last_atom_come_back_too(tmp_path: Path, state: StateDB) -> None:
    """Padding after the last atom (some tools append it; a cut-off copy ends mid-atom) is
    kept by mutagen as it is, and by the recipe."""
    movie = make_mp4(tmp_path / "padded.mp4", faststart=True)
    with open(movie, "ab") as handle:
        handle.write(b"\0\0\0\x40free" + os.urandom(3000))  # claims 64 bytes, has 3004
    before = digest(movie)
    tag_mp4(movie, movie_metadata(), None, journal=TagJournal(state, None, None))
    assert read_tags(movie)["©nam"] == "The Matrix"
    [row] = tag_rows(state)
    assert mp4_undo.untag(state, None, row, str(movie)) and digest(movie) == before


def test_no_recipe_when_the_media_does_not_line_up(tmp_path: Path) -> None:
    short, long = make_mp4(tmp_path / "a.mp4"), tmp_path / "b.mp4"
    make_mp4(long, faststart=True)
    with open(long, "ab") as handle:
        handle.write(b"\0\0\0\x10mdat12345678")  # one more media atom
    assert mp4_undo.recipe(short, long) is None
    made = mp4_undo.recipe(short, short)
    assert made is not None
    out = tmp_path / "rebuilt.mp4"
    mp4_undo.rebuild(short, made, out)
    assert digest(out) == digest(short)


CRASHER = textwrap.dedent("""
    import os, signal, sys
    from shelver.plugins.mp4tags.tagger import tag_mp4
    from shelver.plugins.mp4tags.undo import TagJournal
    from shelver.store import StateDB
    sys.path.insert(0, sys.argv[4])
    from tests.plugins.test_mp4_tagger import movie_metadata

    class Killed(TagJournal):
        def ready(self, path, temp):
            super().ready(path, temp)
            if sys.argv[3] == "ready":
                os.kill(os.getpid(), signal.SIGKILL)

        def done(self):
            if sys.argv[3] == "done":
                os.kill(os.getpid(), signal.SIGKILL)
            super().done()

    state = StateDB(sys.argv[1])
    tag_mp4(sys.argv[2], movie_metadata(), None, journal=Killed(state, None, None))
""")


@pytest.mark.parametrize("moment", ["ready", "done"])
def test_killed_mid_tag_is_settled_by_recovery(movie: Path, tmp_path: Path, moment: str) -> None:
    before = digest(movie)
    db = tmp_path / "state.db"
    StateDB(db).close()
    proc = subprocess.run([sys.executable, "-c", CRASHER, str(db), str(movie), moment,
                           str(Path(__file__).parents[2])], capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    state = StateDB(db)
    try:
        [row] = tag_rows(state)
        assert row["step"] == "tagged"
        if moment == "ready":
            assert len(leftovers(movie.parent)) == 1  # the whole tagged copy, not renamed yet
        assert fsops.recover(state, ops=fsops.journal_ops(get_plugin_manager())) == 1
        assert leftovers(movie.parent) == []
        [row] = tag_rows(state)
        if moment == "ready":  # the rename never happened: the file is the original
            assert row["step"] == "rolled-back" and digest(movie) == before
        else:  # renamed into place: tagged, and undo can still give the original back
            assert row["step"] == "done" and read_tags(movie)["©nam"] == "The Matrix"
            assert mp4_undo.untag(state, None, row, str(movie))
            assert digest(movie) == before
    finally:
        state.close()


def test_undo_reverses_tags_through_the_registered_undo_step_and_refuses_without_it(
        movie: Path, state: StateDB) -> None:
    from shelver.plugins.placement import undo

    before = digest(movie)
    run = state.start_run("t", "run", "inplace")
    tag_mp4(movie, movie_metadata(), {"height": 1080}, journal=TagJournal(state, run, None))
    tagged = digest(movie)
    # mp4tags disabled: nobody can reverse its `tag` row, so nothing is undone (not guessed).
    without = fsops.journal_ops(get_plugin_manager(disable=["mp4tags"]))
    with pytest.raises(undo.UndoRefused, match="'tag'"):
        undo.undo_run(state, run, None, ops=without)
    assert digest(movie) == tagged and tag_rows(state)[0]["step"] == "done"
    report = undo.undo_run(state, run, None, ops=fsops.journal_ops(get_plugin_manager()))
    assert report.untagged == [str(movie)] and digest(movie) == before
