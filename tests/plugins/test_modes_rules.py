"""What every mode shares: replace-if-better (and its duplicates folder), failed_dir, the
permission settings, reflink, extras placed by the Plex/Jellyfin conventions, clean-up of
emptied release folders, and the record of created files that ``shelver undo`` reverses."""

from __future__ import annotations

import fcntl
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from shelver import fileops as fsops
from shelver.context import RunContext
from shelver.model import Identity, Item, Match, Plan, Status
from shelver.plugins.placement import modes, undo
from shelver.store import StateDB


@pytest.fixture
def make_ctx(make_ctx: Callable[..., RunContext], tmp_path: Path) -> Callable[..., RunContext]:
    """The shared ``make_ctx`` (tests/conftest.py) with this module's defaults: run 7, the
    library in tmp_path/lib, the downloads in tmp_path/in."""

    def make(mode: str = "inplace", **settings: Any) -> RunContext:
        return make_ctx(mode, run_id=7, **{"dest_dir": str(tmp_path / "lib"),
                                           "sources": [str(tmp_path / "in")], **settings})

    return make


def new_item(state: StateDB, path: Path, **fields: Any) -> Item:
    st = os.stat(path)
    item_id = state.observe(str(path), st.st_size, st.st_mtime, st.st_ino, "default")
    return Item(path=path, source=path, size=st.st_size, item_id=item_id, **fields)


# -- replace-if-better ---------------------------------------------------------------------------


def two_copies(tmp_path: Path, state: StateDB, video: Any, mine: tuple[int, int],
               theirs: tuple[int, int]) -> tuple[Item, Plan, bytes, bytes]:
    src = video(tmp_path / "in" / "Heat.1995.mkv", 600, width=mine[0], height=mine[1], seed=1)
    dst = tmp_path / "lib" / "Movies" / "Heat (1995)" / "Heat (1995).mkv"
    video(dst, 600, width=theirs[0], height=theirs[1], seed=2)
    item = new_item(state, src, probe={"height": mine[1], "video_codec": "h264"})
    return item, Plan(destination=dst), src.read_bytes(), dst.read_bytes()


def test_replace_if_better_keeps_the_worse_library_copy_aside(
        tmp_path: Path, state: StateDB, make_ctx: Any, video: Any) -> None:
    item, plan, mine, theirs = two_copies(tmp_path, state, video, (128, 72), (64, 48))
    placement = modes.place(item=item, plan=plan, ctx=make_ctx(conflict="replace-if-better"))
    assert placement.status == Status.ORGANISED and placement.path == plan.destination
    assert plan.destination.read_bytes() == mine
    kept = tmp_path / "lib" / ".duplicates" / "Movies" / "Heat (1995)" / "Heat (1995).mkv"
    assert kept.read_bytes() == theirs  # never deleted


def test_replace_if_better_keeps_a_worse_newcomer_in_the_duplicates_folder(
        tmp_path: Path, state: StateDB, make_ctx: Any, video: Any) -> None:
    item, plan, mine, theirs = two_copies(tmp_path, state, video, (64, 48), (128, 72))
    ctx = make_ctx(conflict="replace-if-better", placement={"duplicates_dir": str(tmp_path / "dupes")})
    placement = modes.place(item=item, plan=plan, ctx=ctx)
    assert placement.status == Status.DUPLICATE
    assert placement.path == tmp_path / "dupes" / "Movies" / "Heat (1995)" / "Heat (1995).mkv"
    assert placement.path.read_bytes() == mine and plan.destination.read_bytes() == theirs
    assert not item.source.exists()


def test_replace_if_better_in_the_cache_mode_swaps_when_finishing(
        tmp_path: Path, state: StateDB, make_ctx: Any, video: Any) -> None:
    from shelver.plugins.placement import cache as cache_modes

    item, plan, mine, theirs = two_copies(tmp_path, state, video, (128, 72), (64, 48))
    ctx = make_ctx("cache", conflict="replace-if-better", work_dir=str(tmp_path / "cache"),
                   cache={"reserve_gb": 0.0})
    item.placement = cache_modes.place(item=item, plan=plan, ctx=ctx)
    assert plan.destination.read_bytes() == theirs  # untouched until the staged file is ready
    ctx.pm.hook.shelver_finalize(item=item, ctx=ctx)
    assert plan.destination.read_bytes() == mine
    assert (tmp_path / "lib" / ".duplicates" / "Movies" / "Heat (1995)" / "Heat (1995).mkv"
            ).read_bytes() == theirs
    # ...and undo swaps them back, in the right order.
    undo.undo_run(state, 7, None)
    assert plan.destination.read_bytes() == theirs and item.source.read_bytes() == mine


def test_quality_order() -> None:
    from shelver.plugins.placement.duplicates import quality

    assert quality({"height": 2160}, 1) > quality({"height": 1080, "video_codec": "av1"}, 10**9)
    assert quality({"height": 1080, "video_codec": "hevc"}, 1) > quality(
        {"height": 1080, "video_codec": "h264"}, 10**9)
    assert quality({}, 1, "720p") > quality({}, 10**9, "480p")


# -- failed_dir ------------------------------------------------------------------------------------


def test_an_unidentified_item_moves_to_failed_dir_with_its_companions(
        tmp_path: Path, state: StateDB, make_ctx: Any) -> None:
    src = tmp_path / "in" / "Some.Release" / "mystery.mkv"
    src.parent.mkdir(parents=True)
    src.write_bytes(b"video")
    (src.parent / "mystery.en.srt").write_text("sub")
    item = new_item(state, src, root=tmp_path / "in", status=Status.REVIEW)
    ctx = make_ctx(failed_dir=str(tmp_path / "failed"))
    # Only placement moves files: never the item_done phase, always the place phase.
    ctx.pm.hook.shelver_item_done(item=item, ctx=ctx)
    assert src.exists()
    placement = ctx.pm.hook.shelver_place(item=item, plan=None, ctx=ctx)
    target = tmp_path / "failed" / "Some.Release" / "mystery.mkv"
    assert placement.path == target and placement.status == Status.REVIEW
    assert target.read_bytes() == b"video" and (target.parent / "mystery.en.srt").exists()
    assert not src.exists() and item.path == target
    assert state.item(item.item_id)["path"] == str(target)  # type: ignore[index]
    # Default: no failed_dir, the file stays (and no mode answers for a review item).
    other = tmp_path / "in" / "other.mkv"
    other.write_bytes(b"x")
    for mode in ("inplace", "metadata-only", "cache"):
        ctx = make_ctx(mode, work_dir=str(tmp_path / "cache"))
        assert ctx.pm.hook.shelver_place(item=new_item(state, other, status=Status.REVIEW),
                                         plan=None, ctx=ctx) is None
    assert other.exists()


# -- what finalize does for every mode ------------------------------------------------------------


def placed_movie(tmp_path: Path, state: StateDB, ctx: RunContext,
                 folder: str = "Heat.1995.1080p", title: str = "Heat (1995)") -> tuple[Item, Path]:
    src = tmp_path / "in" / folder / "Heat.1995.1080p.mkv"
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_bytes(b"heat")
    item = new_item(state, src, root=tmp_path / "in")
    item.match = Match(identity=Identity("tmdb", "movie", 949), confidence=1.0)
    dst = tmp_path / "lib" / "Movies" / title / f"{title}.mkv"
    item.plan = Plan(destination=dst, folder=dst.parent)
    item.placement = modes.place(item=item, plan=item.plan, ctx=ctx)
    nfo = dst.with_suffix(".nfo")
    nfo.write_text("<movie/>")
    item.written = [nfo]
    return item, dst


def test_finalize_records_created_files_and_applies_permissions(
        tmp_path: Path, state: StateDB, make_ctx: Any) -> None:
    ctx = make_ctx(placement={"file_mode": "0640", "dir_mode": "0750", "uid": 1234, "gid": 4321})
    item, dst = placed_movie(tmp_path, state, ctx)
    modes.finalize(item=item, ctx=ctx)
    for path in (dst, dst.with_suffix(".nfo")):
        st = os.stat(path)
        assert stat.S_IMODE(st.st_mode) == 0o640 and (st.st_uid, st.st_gid) == (1234, 4321)
    for folder in (dst.parent, dst.parent.parent, tmp_path / "lib"):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o750
    writes = [r for r in state.journal_of_run(7) if r["op"] == "write"]
    assert [w["dst"] for w in writes] == [str(dst.with_suffix(".nfo"))]
    assert writes[0]["dst_size"] == len("<movie/>")


def test_a_bad_file_mode_is_a_config_error(tmp_path: Path, state: StateDB, make_ctx: Any) -> None:
    from shelver.errors import ConfigError

    ctx = make_ctx(placement={"file_mode": "rw-r--r--"})
    item, _dst = placed_movie(tmp_path, state, ctx)
    with pytest.raises(ConfigError, match="placement.file_mode"):
        modes.finalize(item=item, ctx=ctx)


def filesystem_reflinks(folder: Path) -> bool:
    a, b = folder / ".probe-a", folder / ".probe-b"
    a.write_bytes(b"x")
    try:
        with open(a, "rb") as src, open(b, "wb") as dst:
            fcntl.ioctl(dst.fileno(), fsops.FICLONE, src.fileno())
        return True
    except OSError:
        return False
    finally:
        a.unlink()
        b.unlink(missing_ok=True)


def test_reflink_falls_back_to_a_copy_or_refuses_as_set(tmp_path: Path, state: StateDB) -> None:
    src = tmp_path / "a.mkv"
    src.write_bytes(os.urandom(100_000))
    copied = fsops.place_file(state, 1, None, src, tmp_path / "lib" / "a.mkv", "reflink")
    assert copied.read_bytes() == src.read_bytes() and os.stat(copied).st_ino != os.stat(src).st_ino
    if filesystem_reflinks(tmp_path):
        pytest.skip("this filesystem can reflink: no refusal to see")
    with pytest.raises(fsops.ReflinkUnsupported, match="placement.reflink"):
        fsops.place_file(state, 1, None, src, tmp_path / "lib" / "b.mkv", "reflink",
                         reflink="error")
    assert not (tmp_path / "lib" / "b.mkv").exists() and src.exists()
    assert [r["step"] for r in state.journal_of_run(1) if r["op"] == "reflink"] == [
        "rolled-back", "done"]  # newest first


# -- extras and clean-up ---------------------------------------------------------------------------


def test_extras_are_placed_by_the_plex_and_jellyfin_conventions(
        tmp_path: Path, state: StateDB, make_ctx: Any) -> None:
    ctx = make_ctx(placement={"extras": "place"})
    sample = tmp_path / "in" / "Heat.1995.1080p" / "Sample" / "heat.1995.1080p-sample.mkv"
    sample.parent.mkdir(parents=True)
    sample.write_bytes(b"sample")
    trailer = tmp_path / "in" / "Heat.1995.1080p" / "Heat.1995.Trailer.mkv"
    trailer.write_bytes(b"trailer")
    item, dst = placed_movie(tmp_path, state, ctx)
    modes.finalize(item=item, ctx=ctx)
    assert (dst.parent / "Heat (1995)-sample.mkv").read_bytes() == b"sample"
    assert (dst.parent / "Heat (1995)-trailer.mkv").read_bytes() == b"trailer"
    assert not sample.exists() and not trailer.exists()


def test_extras_beside_an_episode_go_into_the_season_folders_extras_subfolders(
        tmp_path: Path, state: StateDB, make_ctx: Any) -> None:
    ctx = make_ctx(placement={"extras": "place"})
    pack = tmp_path / "in" / "Breaking.Bad.S05.1080p.BluRay"
    pack.mkdir(parents=True)
    src = pack / "Breaking.Bad.S05E14.1080p.BluRay.mkv"
    src.write_bytes(b"episode")
    (pack / "Featurettes").mkdir()
    featurette = pack / "Featurettes" / "Breaking.Bad.S05.Featurette.Making.Of.mkv"
    featurette.write_bytes(b"featurette")
    item = new_item(state, src, root=tmp_path / "in")
    item.match = Match(identity=Identity("tmdb", "tv", 1396, season=5, episodes=[14]), confidence=1.0)
    season = tmp_path / "lib" / "TV" / "Breaking Bad (2008)" / "Season 05"
    item.plan = Plan(destination=season / "Breaking Bad (2008) - S05E14.mkv", folder=season.parent)
    item.placement = modes.place(item=item, plan=item.plan, ctx=ctx)
    modes.finalize(item=item, ctx=ctx)
    placed = season / "Featurettes" / featurette.name
    assert placed.read_bytes() == b"featurette" and not featurette.exists()


def test_clean_up_removes_junk_and_emptied_folders_never_a_video(
        tmp_path: Path, state: StateDB, make_ctx: Any) -> None:
    ctx = make_ctx(placement={"cleanup": True})
    release = tmp_path / "in" / "Heat.1995.1080p"
    release.mkdir(parents=True)
    (release / "RARBG.txt").write_text("junk")
    (release / "heat.nfo").write_text("release info")
    (release / "Proof").mkdir()
    (release / "Proof" / "proof.jpg").write_bytes(b"jpg")
    item, _dst = placed_movie(tmp_path, state, ctx)
    modes.finalize(item=item, ctx=ctx)
    assert not release.exists() and (tmp_path / "in").is_dir()  # never the source folder itself
    # A folder with a video left in it stays, with that video (whatever the patterns say).
    keep = tmp_path / "in" / "Keep.Release"
    keep.mkdir()
    (keep / "other.mkv").write_bytes(b"other video")
    (keep / "other.en.srt").write_text("its subtitle")
    (keep / "notes.txt").write_text("junk")
    ctx = make_ctx(placement={"cleanup": True, "junk": ["*"]})
    item, _dst = placed_movie(tmp_path, state, ctx, folder="Keep.Release", title="Keep (2000)")
    modes.finalize(item=item, ctx=ctx)
    assert sorted(p.name for p in keep.iterdir()) == ["other.en.srt", "other.mkv"]
    # Undo makes the removed release folder again and moves the video back into it.
    undo.undo_run(state, 7, None)
    assert (release / "Heat.1995.1080p.mkv").read_bytes() == b"heat"


def test_clean_up_is_off_by_default(tmp_path: Path, state: StateDB, make_ctx: Any) -> None:
    ctx = make_ctx()
    release = tmp_path / "in" / "Heat.1995.1080p"
    release.mkdir(parents=True)
    (release / "RARBG.txt").write_text("junk")
    item, _dst = placed_movie(tmp_path, state, ctx)
    modes.finalize(item=item, ctx=ctx)
    assert (release / "RARBG.txt").exists()


def test_undo_of_a_symlink_and_a_copy_removes_them(tmp_path: Path, state: StateDB) -> None:
    src = tmp_path / "a.mkv"
    src.write_bytes(b"a")
    fsops.place_file(state, 3, None, src, tmp_path / "lib" / "link.mkv", "symlink")
    fsops.place_file(state, 3, None, src, tmp_path / "lib" / "copy.mkv", "copy")
    report = undo.undo_run(state, 3, None)
    assert sorted(Path(p).name for p in report.removed) == ["copy.mkv", "link.mkv"]
    assert src.read_bytes() == b"a" and not (tmp_path / "lib").exists()


def test_undo_refuses_when_the_source_of_a_copy_is_gone(tmp_path: Path, state: StateDB) -> None:
    src = tmp_path / "a.mkv"
    src.write_bytes(b"a")
    copy = fsops.place_file(state, 3, None, src, tmp_path / "lib" / "copy.mkv", "copy")
    src.unlink()
    with pytest.raises(undo.UndoRefused, match="only copy"):
        undo.undo_run(state, 3, None)
    assert copy.exists()
