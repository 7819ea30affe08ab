"""Crash-safe placement: move/copy/hardlink/symlink on one and across two filesystems, never
overwriting, and recovery from every step a crash can interrupt (constructed, and by SIGKILL)."""

from __future__ import annotations

import functools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from shelver import fileops as fsops
from shelver.discovery import TEMP_MARKER
from shelver.fileops import DestinationExists, place_file, recover, temp_name
from shelver.store import StateDB, owner_id


def make(path: Path, size: int = 300_000, seed: int = 0) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = random.Random(seed).randbytes(size)
    path.write_bytes(data)
    return data


def temp_files(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if TEMP_MARKER in p.name]


def item_for(state: StateDB, path: Path) -> int:
    st = os.stat(path)
    item_id = state.observe(str(path), st.st_size, st.st_mtime, st.st_ino, "test")
    assert item_id is not None
    return item_id


def journal(state: StateDB) -> list[dict[str, Any]]:
    """The placement rows (the folders place_file creates have rows of their own, for undo)."""
    return [dict(r) for r in state.conn().execute(
        "SELECT * FROM journal WHERE op != 'mkdir' ORDER BY id")]


# -- placing -----------------------------------------------------------------------------------


def test_same_filesystem_move_keeps_the_inode(state: StateDB, tmp_path: Path) -> None:
    src = tmp_path / "downloads" / "a.mkv"
    data = make(src)
    inode = os.stat(src).st_ino
    item_id = item_for(state, src)
    dst = tmp_path / "library" / "Movies" / "A (2000)" / "A (2000).mkv"
    assert place_file(state, 1, item_id, src, dst) == dst
    assert not src.exists()
    assert dst.read_bytes() == data and os.stat(dst).st_ino == inode and os.stat(dst).st_nlink == 1
    rows = journal(state)
    assert [(r["op"], r["step"], r["tmp"], r["src"], r["dst"], r["size"]) for r in rows] == [
        ("move", "done", None, str(src), str(dst), len(data))]
    assert rows[0]["owner"] == owner_id()
    assert state.item(item_id)["path"] == str(dst)  # type: ignore[index]


def test_cross_filesystem_move_copies_verifies_and_unlinks(state: StateDB, tmp_path: Path,
                                                           other_fs: Path) -> None:
    src = tmp_path / "a.mkv"
    data = make(src, 3_000_000)
    os.utime(src, (1_000_000_000, 1_000_000_000))
    item_id = item_for(state, src)
    dst = other_fs / "Movies" / "A" / "a.mkv"
    assert place_file(state, 1, item_id, src, dst) == dst
    assert not src.exists()
    assert dst.read_bytes() == data
    assert os.stat(dst).st_dev == os.stat(other_fs).st_dev
    assert os.stat(dst).st_mtime == 1_000_000_000  # timestamps travel with the file
    (row,) = journal(state)
    assert (row["op"], row["step"]) == ("move", "done")
    assert row["tmp"] and TEMP_MARKER in row["tmp"] and Path(row["tmp"]).parent == dst.parent
    assert temp_files(tmp_path, other_fs) == []
    assert state.item(item_id)["path"] == str(dst)  # type: ignore[index]


def test_cross_filesystem_move_with_hash_verification(state: StateDB, tmp_path: Path,
                                                      other_fs: Path) -> None:
    src = tmp_path / "a.mkv"
    data = make(src, 1_000_000, seed=3)
    dst = other_fs / "a.mkv"
    place_file(state, None, None, src, dst, verify="hash")
    assert dst.read_bytes() == data and not src.exists()
    assert journal(state)[0]["step"] == "done"


def test_an_unknown_action_or_verify_touches_nothing(state: StateDB, tmp_path: Path) -> None:
    src = tmp_path / "a.mkv"
    make(src)
    with pytest.raises(ValueError, match="verify"):
        place_file(state, None, None, src, tmp_path / "b.mkv", verify="sha")
    with pytest.raises(ValueError, match="action"):
        place_file(state, None, None, src, tmp_path / "b.mkv", "teleport")
    assert src.exists() and not (tmp_path / "b.mkv").exists() and journal(state) == []


@pytest.mark.parametrize("cross", [False, True])
def test_copy_keeps_the_source(state: StateDB, tmp_path: Path, other_fs: Path, cross: bool) -> None:
    src = tmp_path / "a.mkv"
    data = make(src)
    dst = (other_fs if cross else tmp_path / "lib") / "a.mkv"
    place_file(state, None, None, src, dst, "copy")
    assert src.read_bytes() == data and dst.read_bytes() == data
    assert os.stat(src).st_ino != os.stat(dst).st_ino or cross
    assert journal(state)[0]["op"] == "copy" and journal(state)[0]["step"] == "done"
    assert temp_files(tmp_path, other_fs) == []


def test_hardlink_same_filesystem_shares_the_inode(state: StateDB, tmp_path: Path) -> None:
    src = tmp_path / "a.mkv"
    data = make(src)
    dst = tmp_path / "lib" / "a.mkv"
    place_file(state, None, None, src, dst, "hardlink")
    assert src.read_bytes() == data and dst.read_bytes() == data
    assert os.stat(src).st_ino == os.stat(dst).st_ino and os.stat(src).st_nlink == 2
    assert [(r["op"], r["step"]) for r in journal(state)] == [("hardlink", "done")]


def test_hardlink_across_filesystems_falls_back_to_copy(state: StateDB, tmp_path: Path,
                                                        other_fs: Path) -> None:
    src = tmp_path / "a.mkv"
    data = make(src)
    dst = other_fs / "a.mkv"
    place_file(state, None, None, src, dst, "hardlink")
    assert src.read_bytes() == data and dst.read_bytes() == data  # the source keeps seeding
    assert [(r["op"], r["step"]) for r in journal(state)] == [("copy", "done")]


def test_symlink(state: StateDB, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "a.mkv"
    data = make(src)
    dst = tmp_path / "lib" / "a.mkv"
    place_file(state, None, None, Path("a.mkv"), dst, "symlink")
    assert dst.is_symlink() and os.readlink(dst) == str(src)  # absolute, whatever the cwd
    assert dst.read_bytes() == data and src.exists()
    assert [(r["op"], r["step"]) for r in journal(state)] == [("symlink", "done")]


def test_long_utf8_names_cross_filesystem(state: StateDB, tmp_path: Path, other_fs: Path) -> None:
    name = "日本語のタイトル" * 10 + ".mkv"  # 244 bytes: a temp name must still fit
    assert len(name.encode()) <= 255
    src = tmp_path / "a.mkv"
    data = make(src)
    dst = other_fs / name
    assert len(temp_name(dst, "abcdef").name.encode()) <= 255
    place_file(state, None, None, src, dst)
    assert dst.read_bytes() == data and not src.exists()


@pytest.mark.parametrize("action", ["move", "copy", "hardlink", "symlink", "reflink"])
@pytest.mark.parametrize("cross", [False, True])
def test_an_existing_destination_is_never_overwritten(state: StateDB, tmp_path: Path,
                                                      other_fs: Path, action: str,
                                                      cross: bool) -> None:
    src = tmp_path / "a.mkv"
    data = make(src, seed=1)
    dst = (other_fs if cross else tmp_path / "lib") / "a.mkv"
    theirs = make(dst, seed=2)
    with pytest.raises(DestinationExists):
        place_file(state, None, None, src, dst, action)
    assert src.read_bytes() == data and dst.read_bytes() == theirs
    assert state.journal_unfinished() == []
    assert temp_files(tmp_path, other_fs) == []
    # A dangling symlink is a taken name too.
    dangling = dst.with_name("dangling.mkv")
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(DestinationExists):
        place_file(state, None, None, src, dangling, action)
    assert src.read_bytes() == data and dangling.is_symlink()


def test_placing_a_file_onto_itself_is_a_no_op(state: StateDB, tmp_path: Path) -> None:
    src = tmp_path / "a.mkv"
    data = make(src)
    assert place_file(state, None, None, src, src) == src
    assert src.read_bytes() == data and journal(state) == []


def test_a_move_already_linked_finishes_without_a_copy(state: StateDB, tmp_path: Path) -> None:
    # Left by a crash after the link (both names, one inode): the move completes.
    src = tmp_path / "a.mkv"
    data = make(src)
    dst = tmp_path / "lib" / "a.mkv"
    dst.parent.mkdir()
    os.link(src, dst)
    assert place_file(state, None, None, src, dst) == dst
    assert not src.exists() and dst.read_bytes() == data and os.stat(dst).st_nlink == 1
    # ...but a symlink pointing at the source is not the file: the source stays.
    other = tmp_path / "b.mkv"
    make(other, seed=5)
    link = tmp_path / "lib" / "b.mkv"
    link.symlink_to(other)
    place_file(state, None, None, other, link)
    assert other.exists() and link.read_bytes() == other.read_bytes()


# -- crash recovery: each interrupted step, constructed ----------------------------------------


class Crash:
    """The disk and journal an interrupted ``place_file`` leaves, built step by step."""

    def __init__(self, state: StateDB, src: Path, dst: Path, op: str = "move", *,
                 cross: bool = True, size: int = 400_000) -> None:
        self.state, self.src, self.dst, self.op = state, src, dst, op
        self.data = make(src, size, seed=hash(str(src)) % 1000)
        self.item_id = item_for(state, src)
        dst.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = temp_name(dst, "crash") if cross else None
        self.entry = state.journal_begin(1, self.item_id, op, str(src), str(dst),
                                         str(self.tmp) if self.tmp else None, len(self.data),
                                         detail={"src_stamp": list(fsops.stamp_of(src))})
        self.copied = self.data  # what the copy (or the link) holds

    def grow_src(self) -> Crash:
        """The source gets more bytes after it was copied (a writer still appending)."""
        with open(self.src, "ab") as out:
            out.write(b"more bytes")
        self.data += b"more bytes"
        return self

    def partial_tmp(self) -> Crash:
        assert self.tmp is not None
        self.tmp.write_bytes(self.data[: len(self.data) // 3])
        return self

    def whole_tmp(self) -> Crash:
        assert self.tmp is not None
        self.tmp.write_bytes(self.data)
        return self

    def step(self, name: str) -> Crash:
        self.state.journal_step(self.entry, name)
        return self

    def link(self, source: Path | None = None) -> Crash:
        os.link(source or self.tmp or self.src, self.dst)
        return self

    def drop_tmp(self) -> Crash:
        assert self.tmp is not None
        self.tmp.unlink()
        return self

    def unlink_src(self) -> Crash:
        self.src.unlink()
        return self

    def recover_and_check(self, where: str, roots: list[Path]) -> None:
        assert recover(self.state) == 1
        assert self.state.journal_unfinished() == []
        assert temp_files(*roots) == []
        item = self.state.item(self.item_id)
        assert item is not None
        if where == "src":
            assert self.src.read_bytes() == self.data
            assert not os.path.lexists(self.dst) or self.dst.read_bytes() != self.data
            assert item["path"] == str(self.src)
        elif where == "src only":  # a copy or link of an older version of the source is gone
            assert self.src.read_bytes() == self.data and not os.path.lexists(self.dst)
            assert item["path"] == str(self.src)
        elif where == "dst":
            assert self.dst.read_bytes() == self.data and not os.path.lexists(self.src)
            assert item["path"] == str(self.dst)
        else:  # both: a copy or a hard link
            assert self.src.read_bytes() == self.data and self.dst.read_bytes() == self.data
            assert item["path"] == str(self.dst)
        # Recovery is idempotent.
        assert recover(self.state) == 0


CROSS_CASES = {
    # step reached in the journal / what is on disk → where the file must end up
    "planned, copy just begun": (lambda c: c, "src"),
    "planned, partial temp file": (lambda c: c.partial_tmp(), "src"),
    "planned, whole but unverified temp": (lambda c: c.whole_tmp(), "src"),
    "copied, not yet linked": (lambda c: c.whole_tmp().step("copied"), "dst"),
    "copied, linked": (lambda c: c.whole_tmp().step("copied").link(), "dst"),
    "placed, source not yet unlinked": (
        lambda c: c.whole_tmp().step("copied").link().step("placed"), "dst"),
    "placed, temp removed": (
        lambda c: c.whole_tmp().step("copied").link().step("placed").drop_tmp(), "dst"),
    "placed, source unlinked, not yet done": (
        lambda c: c.whole_tmp().step("copied").link().step("placed").drop_tmp().unlink_src(),
        "dst"),
    # The source grew after the copy and before the check that would have caught it:
    "copied, source grown since, not yet linked": (
        lambda c: c.whole_tmp().step("copied").grow_src(), "src only"),
    "copied, linked, source grown since": (
        lambda c: c.whole_tmp().step("copied").link().grow_src(), "src only"),
}


@pytest.mark.parametrize("case", list(CROSS_CASES))
def test_recover_cross_filesystem_move(state: StateDB, tmp_path: Path, other_fs: Path,
                                       case: str) -> None:
    build, where = CROSS_CASES[case]
    crash = build(Crash(state, tmp_path / "in" / "a.mkv", other_fs / "lib" / "a.mkv"))
    crash.recover_and_check(where, [tmp_path, other_fs])


@pytest.mark.parametrize("case", ["planned, partial temp file", "copied, not yet linked",
                                  "placed, temp removed"])
def test_recover_cross_filesystem_copy(state: StateDB, tmp_path: Path, other_fs: Path,
                                       case: str) -> None:
    build, where = CROSS_CASES[case]
    crash = build(Crash(state, tmp_path / "in" / "a.mkv", other_fs / "a.mkv", "copy"))
    crash.recover_and_check("src" if where == "src" else "both", [tmp_path, other_fs])


SAME_FS_CASES = {
    "planned, link not made": (lambda c: c, "src"),
    "planned, link made": (lambda c: c.link(), "dst"),
    "placed, source not yet unlinked": (lambda c: c.link().step("placed"), "dst"),
    "placed, source unlinked, not yet done": (lambda c: c.link().step("placed").unlink_src(), "dst"),
    "planned, link made, source grown since": (lambda c: c.link().grow_src(), "src"),
}


@pytest.mark.parametrize("case", list(SAME_FS_CASES))
def test_recover_same_filesystem_move(state: StateDB, tmp_path: Path, case: str) -> None:
    build, where = SAME_FS_CASES[case]
    crash = build(Crash(state, tmp_path / "in" / "a.mkv", tmp_path / "lib" / "a.mkv", cross=False))
    crash.recover_and_check(where, [tmp_path])


def test_recover_same_filesystem_hardlink(state: StateDB, tmp_path: Path) -> None:
    crash = Crash(state, tmp_path / "a.mkv", tmp_path / "lib" / "a.mkv", "hardlink",
                  cross=False).link()
    crash.recover_and_check("both", [tmp_path])
    assert os.stat(crash.src).st_ino == os.stat(crash.dst).st_ino


@pytest.mark.parametrize("cross", [False, True])
def test_recover_never_trusts_a_foreign_destination(state: StateDB, tmp_path: Path,
                                                    other_fs: Path, cross: bool) -> None:
    # Someone else's file of the same size took the name in the race before the link: the
    # source must survive, and so must their file.
    root = other_fs if cross else tmp_path / "lib"
    crash = Crash(state, tmp_path / "a.mkv", root / "a.mkv", cross=cross)
    if cross:
        crash.whole_tmp().step("copied")
    theirs = make(crash.dst, len(crash.data), seed=99)
    assert recover(state) == 1
    assert crash.src.read_bytes() == crash.data and crash.dst.read_bytes() == theirs
    assert temp_files(tmp_path, other_fs) == [] and state.journal_unfinished() == []
    assert state.item(crash.item_id)["path"] == str(crash.src)  # type: ignore[index]


def test_recover_keeps_the_source_when_the_destination_vanished(state: StateDB, tmp_path: Path,
                                                                other_fs: Path) -> None:
    crash = Crash(state, tmp_path / "a.mkv", other_fs / "a.mkv")
    crash.whole_tmp().step("copied").link().step("placed").drop_tmp()
    crash.dst.unlink()
    recover(state)
    assert crash.src.read_bytes() == crash.data
    assert state.item(crash.item_id)["path"] == str(crash.src)  # type: ignore[index]


def test_recover_symlinks(state: StateDB, tmp_path: Path) -> None:
    made = Crash(state, tmp_path / "a.mkv", tmp_path / "lib" / "a.mkv", "symlink", cross=False)
    made.dst.symlink_to(made.src)
    not_made = Crash(state, tmp_path / "b.mkv", tmp_path / "lib" / "b.mkv", "symlink", cross=False)
    assert recover(state) == 2
    steps = {r["src"]: r["step"] for r in journal(state)}
    assert steps == {str(made.src): "done", str(not_made.src): "rolled-back"}
    assert made.src.exists() and not_made.src.exists() and made.dst.is_symlink()


def test_recover_moves_the_item_only_for_its_own_file(state: StateDB, tmp_path: Path) -> None:
    video = Crash(state, tmp_path / "in" / "a.mkv", tmp_path / "lib" / "a.mkv", cross=False)
    video.link().step("placed")
    subtitle = tmp_path / "in" / "a.en.srt"
    subtitle.write_text("1\n00:00:01,000 --> 00:00:02,000\nhi\n")
    sub_dst = tmp_path / "lib" / "a.en.srt"
    state.journal_begin(1, video.item_id, "move", str(subtitle), str(sub_dst), None,
                        subtitle.stat().st_size)
    os.link(subtitle, sub_dst)
    assert recover(state) == 2
    assert not subtitle.exists() and sub_dst.exists() and not video.src.exists()
    assert state.item(video.item_id)["path"] == str(video.dst)  # type: ignore[index]


def test_recover_leaves_a_live_process_placement_alone(state: StateDB, tmp_path: Path,
                                                       other_fs: Path) -> None:
    crash = Crash(state, tmp_path / "a.mkv", other_fs / "a.mkv").partial_tmp()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        owner = f"{socket.gethostname()}:{sleeper.pid}"
        state.conn().execute("UPDATE journal SET owner=? WHERE id=?", (owner, crash.entry))
        assert recover(state) == 0  # another instance is copying right now
        assert crash.tmp is not None and crash.tmp.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    crash.recover_and_check("src", [tmp_path, other_fs])


# -- crash recovery: SIGKILL at random instants ------------------------------------------------

PLACER = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from shelver.fileops import place_file
    from shelver.store import StateDB
    state = StateDB(Path(sys.argv[1]))
    jobs = json.loads(sys.argv[2])
    print("ready", flush=True)
    for item_id, src, dst, verify in jobs:
        place_file(state, 1, item_id, Path(src), Path(dst), "move", verify=verify)
    print("finished", flush=True)
""")


def run_and_kill(state_path: Path, jobs: list[Any], delay: float) -> None:
    proc = subprocess.Popen([sys.executable, "-c", PLACER, str(state_path), json.dumps(jobs)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)


def check_each_file_once(state: StateDB, files: dict[int, tuple[Path, Path, bytes]],
                         roots: list[Path], context: str) -> None:
    for item_id, (src, dst, data) in files.items():
        present = [p for p in (src, dst) if os.path.lexists(p)]
        assert len(present) == 1, f"{context}: {src.name} exists {len(present)} times"
        assert present[0].read_bytes() == data, f"{context}: {present[0]} differs"
        assert state.item(item_id)["path"] == str(present[0]), context  # type: ignore[index]
    assert temp_files(*roots) == [], context
    assert state.journal_unfinished() == [], context


def test_sigkill_during_a_big_cross_filesystem_move(state: StateDB, tmp_path: Path,
                                                    other_fs: Path) -> None:
    rng = random.Random()
    chunk = os.urandom(1 << 20)
    for attempt in range(6):
        src = tmp_path / f"in{attempt}" / "big.mkv"
        src.parent.mkdir()
        data = chunk * 24 + attempt.to_bytes(4, "big")  # 24 MB
        src.write_bytes(data)
        item_id = item_for(state, src)
        dst = other_fs / f"lib{attempt}" / "big.mkv"
        delay = rng.uniform(0.0, 0.35)
        run_and_kill(state.path, [[item_id, str(src), str(dst), "hash"]], delay)
        recover(state)
        context = f"attempt {attempt}, killed after {delay:.3f}s"
        check_each_file_once(state, {item_id: (src, dst, data)}, [tmp_path, other_fs], context)


def test_sigkill_during_a_batch_of_moves(state: StateDB, tmp_path: Path, other_fs: Path) -> None:
    rng = random.Random()
    for attempt in range(3):
        files: dict[int, tuple[Path, Path, bytes]] = {}
        jobs = []
        for n in range(40):
            src = tmp_path / f"batch{attempt}" / f"f{n:02d}.mkv"
            data = make(src, 20_000 + n, seed=attempt * 100 + n)
            item_id = item_for(state, src)
            # Alternate: a rename on this filesystem, a copy onto the other one.
            dst = (other_fs if n % 2 else tmp_path) / f"lib{attempt}" / f"f{n:02d}.mkv"
            files[item_id] = (src, dst, data)
            jobs.append([item_id, str(src), str(dst), "size"])
        delay = rng.uniform(0.0, 0.08)
        run_and_kill(state.path, jobs, delay)
        recover(state)
        check_each_file_once(state, files, [tmp_path, other_fs],
                             f"batch {attempt}, killed after {delay:.3f}s")


# -- a source that changes while it is placed (issue 14, points 1 and 2) ----------------------

HOLDER = textwrap.dedent("""
    import sys, time
    with open(sys.argv[1], "ab") as out:
        print("open", flush=True)
        sys.stdin.readline()
""")


@pytest.mark.parametrize("cross", [False, True])
def test_a_file_open_for_writing_by_another_program_is_not_placed(
        state: StateDB, tmp_path: Path, other_fs: Path, cross: bool) -> None:
    src = tmp_path / "in" / "a.mkv"
    data = make(src)
    dst = (other_fs if cross else tmp_path) / "lib" / "a.mkv"
    writer = subprocess.Popen([sys.executable, "-c", HOLDER, str(src)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline().strip() == "open"
    try:
        with pytest.raises(fsops.SourceChanged, match="open for writing by another program"):
            place_file(state, 1, item_for(state, src), src, dst, "move")
    finally:
        writer.communicate("\n", timeout=10)
    assert src.read_bytes() == data and not dst.exists()
    assert temp_files(tmp_path, other_fs) == [] and state.journal_unfinished() == []
    # Once the writer is done, the same placement goes through.
    place_file(state, 1, item_for(state, src), src, dst, "move")
    assert dst.read_bytes() == data and not src.exists()


@pytest.mark.parametrize("cross", [False, True])
@pytest.mark.parametrize("change", ["grown", "replaced"])
def test_a_source_that_is_no_longer_the_identified_file_is_not_placed(
        state: StateDB, tmp_path: Path, other_fs: Path, cross: bool, change: str) -> None:
    src = tmp_path / "in" / "a.mkv"
    make(src)
    st = src.stat()
    identified = (st.st_size, st.st_mtime, st.st_ino)
    if change == "grown":
        with open(src, "ab") as out:
            out.write(b"the rest of the download")
    else:  # another file renamed over the same name
        make(tmp_path / "in" / "other.mkv", seed=5)
        os.replace(tmp_path / "in" / "other.mkv", src)
    now = src.read_bytes()
    dst = (other_fs if cross else tmp_path) / "lib" / "a.mkv"
    with pytest.raises(fsops.SourceChanged, match=str(src)):
        place_file(state, 1, item_for(state, src), src, dst, "move", expect=identified)
    assert src.read_bytes() == now and not dst.exists()
    assert state.journal_unfinished() == []


def test_fsops_module_exports() -> None:
    assert fsops.ACTIONS == ("move", "copy", "hardlink", "symlink", "reflink")
    assert fsops.VERIFY == ("size", "hash")


# -- the inplace / metadata-only modes: conflicts and companions -------------------------------


@pytest.fixture
def mode_ctx(tmp_path: Path, make_ctx: Any) -> Any:
    """The shared ``make_ctx`` (tests/conftest.py) with the library in tmp_path/lib."""
    return functools.partial(make_ctx, dest_dir=str(tmp_path / "lib"))


def video_with_subtitle(tmp_path: Path, state: StateDB) -> tuple[Any, Any, bytes]:
    from shelver.model import Item, Plan

    src = tmp_path / "in" / "Movie.mkv"
    data = make(src, seed=11)
    subtitle = tmp_path / "in" / "Movie.en.srt"
    subtitle.write_text("subtitle")
    item = Item(path=src, source=src, item_id=item_for(state, src))
    dst = tmp_path / "lib" / "Movie (2000)" / "Movie (2000).mkv"
    plan = Plan(destination=dst, companions={subtitle: dst.with_name("Movie (2000).en.srt")})
    return item, plan, data


@pytest.mark.parametrize("conflict", ["skip"])  # replace-if-better: tests/plugins/test_modes_rules.py
def test_conflict_skip_leaves_the_file_in_place(tmp_path: Path, state: StateDB, mode_ctx: Any,
                                                 conflict: str) -> None:
    from shelver.model import Status
    from shelver.plugins.placement.plugin import shelver_place

    item, plan, data = video_with_subtitle(tmp_path, state)
    theirs = make(plan.destination, seed=12)
    placement = shelver_place(item=item, plan=plan, ctx=mode_ctx(conflict=conflict))
    assert placement.status == Status.DUPLICATE and placement.path == item.path
    assert item.path.read_bytes() == data and plan.destination.read_bytes() == theirs
    assert (tmp_path / "in" / "Movie.en.srt").exists()


def test_conflict_index_picks_a_free_name_for_video_and_companions(tmp_path: Path, state: StateDB,
                                                                   mode_ctx: Any) -> None:
    from shelver.model import Status
    from shelver.plugins.placement.plugin import shelver_place

    item, plan, data = video_with_subtitle(tmp_path, state)
    make(plan.destination, seed=12)
    placement = shelver_place(item=item, plan=plan, ctx=mode_ctx(conflict="index"))
    folder = plan.destination.parent
    assert placement.status == Status.ORGANISED
    assert placement.path == folder / "Movie (2000) (2).mkv"
    assert placement.path.read_bytes() == data and not item.path.exists()
    assert placement.companions == {tmp_path / "in" / "Movie.en.srt":
                                    folder / "Movie (2000) (2).en.srt"}
    assert state.item(item.item_id)["path"] == str(placement.path)  # type: ignore[index]


def test_conflict_fail_raises_and_touches_nothing(tmp_path: Path, state: StateDB,
                                                  mode_ctx: Any) -> None:
    from shelver.plugins.placement.plugin import shelver_place

    item, plan, data = video_with_subtitle(tmp_path, state)
    make(plan.destination, seed=12)
    with pytest.raises(DestinationExists):
        shelver_place(item=item, plan=plan, ctx=mode_ctx(conflict="fail"))
    assert item.path.read_bytes() == data


def test_a_companion_that_cannot_follow_does_not_fail_the_item(tmp_path: Path, state: StateDB,
                                                               mode_ctx: Any) -> None:
    from shelver.model import Status
    from shelver.plugins.placement.plugin import shelver_place

    item, plan, data = video_with_subtitle(tmp_path, state)
    (tmp_path / "in" / "Movie.en.srt").unlink()  # vanished between planning and placing
    placement = shelver_place(item=item, plan=plan, ctx=mode_ctx())
    assert placement.status == Status.ORGANISED and placement.path.read_bytes() == data
    assert placement.companions == {}


def test_bad_placement_verify_is_a_config_error(tmp_path: Path, state: StateDB,
                                                mode_ctx: Any) -> None:
    from shelver.errors import ConfigError
    from shelver.plugins.placement.plugin import shelver_place

    item, plan, data = video_with_subtitle(tmp_path, state)
    with pytest.raises(ConfigError, match="placement.verify"):
        shelver_place(item=item, plan=plan, ctx=mode_ctx(placement={"verify": "sha1"}))
    assert item.path.read_bytes() == data


def test_metadata_only_moves_nothing(tmp_path: Path, state: StateDB, mode_ctx: Any) -> None:
    from shelver.model import Status
    from shelver.plugins.placement.plugin import shelver_place

    item, plan, data = video_with_subtitle(tmp_path, state)
    placement = shelver_place(item=item, plan=None, ctx=mode_ctx("metadata-only"))
    assert placement.status == Status.METADATA and placement.path == item.path
    assert item.path.read_bytes() == data and not plan.destination.exists()
    assert shelver_place(item=item, plan=plan, ctx=mode_ctx("inplace", conflict="skip")
                         ).status == Status.ORGANISED
