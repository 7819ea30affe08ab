"""The cache, selective and auto modes, in process: staging through a cache on another
filesystem, recovery of a staged placement at each step, a full cache (checked up front, and a
real ENOSPC from a tiny tmpfs mid-copy), reservations, hardlinks, auto's per-collection modes."""

from __future__ import annotations

import errno
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from shelver import fileops as fsops
from shelver.context import RunContext
from shelver.discovery import TEMP_MARKER
from shelver.errors import ConfigError
from shelver.manager import get_plugin_manager
from shelver.model import Item, Plan, Status
from shelver.plugins.placement import cache as cache_modes
from shelver.plugins.placement import modes, staging
from shelver.store import StateDB

OPS = fsops.journal_ops(get_plugin_manager())  # the stage-* ops are the cache_modes plugin's


@pytest.fixture
def make_ctx(make_ctx: Callable[..., RunContext], tmp_path: Path) -> Callable[..., RunContext]:
    """The shared ``make_ctx`` (tests/conftest.py) with this module's defaults: cache mode, the
    library in tmp_path/lib, no space kept free on the cache."""

    def make(mode: str = "cache", **settings: Any) -> RunContext:
        return make_ctx(mode, **{"dest_dir": str(tmp_path / "lib"), "cache": {"reserve_gb": 0.0},
                                 **settings})

    return make


def make_file(path: Path, size: int = 300_000, seed: int = 0) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = random.Random(seed).randbytes(size)
    path.write_bytes(data)
    return data


def new_item(state: StateDB, path: Path, root: Path | None = None) -> Item:
    st = os.stat(path)
    item_id = state.observe(str(path), st.st_size, st.st_mtime, st.st_ino, "default")
    return Item(path=path, source=path, size=st.st_size, item_id=item_id, root=root)


def movie(tmp_path: Path, state: StateDB, size: int = 300_000,
          title: str = "Movie") -> tuple[Item, Plan, bytes]:
    src = tmp_path / "in" / f"{title}.2000.mkv"
    data = make_file(src, size, seed=11)
    (tmp_path / "in" / f"{title}.2000.en.srt").write_text("subtitle\n")
    dst = tmp_path / "lib" / "Movies" / f"{title} (2000)" / f"{title} (2000).mkv"
    plan = Plan(destination=dst, folder=dst.parent,
                companions={tmp_path / "in" / f"{title}.2000.en.srt": dst.with_name(f"{title} (2000).en.srt")})
    item = new_item(state, src)
    item.plan = plan
    return item, plan, data


def temp_files(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if TEMP_MARKER in p.name]


def journal(state: StateDB) -> list[dict[str, Any]]:
    return [dict(r) for r in state.conn().execute("SELECT * FROM journal ORDER BY id")]


def finalize(item: Item, ctx: RunContext) -> None:
    """What the engine does after enrich: every shelver_finalize, the mode's first."""
    ctx.pm.hook.shelver_finalize(item=item, ctx=ctx)


# -- cache: stage, describe in the cache, finish ----------------------------------------------


def test_cache_stages_then_finalize_moves_file_sidecars_and_descriptions(
        tmp_path: Path, state: StateDB, make_ctx: Any, other_fs: Path) -> None:
    ctx = make_ctx(work_dir=str(other_fs))
    item, plan, data = movie(tmp_path, state)
    placement = cache_modes.place(item=item, plan=plan, ctx=ctx)
    # Staged: a whole copy in the cache, laid out like the library; nothing moved yet.
    assert placement.status == Status.ORGANISED and placement.path.is_relative_to(other_fs)
    assert placement.path.name == "Movie (2000).mkv" and placement.path.read_bytes() == data
    assert item.source.read_bytes() == data and not (tmp_path / "lib").exists()
    assert plan.folder is not None and plan.folder.is_relative_to(other_fs)  # show-level files too
    (stage_row,) = journal(state)
    assert (stage_row["op"], stage_row["step"]) == ("stage-move", "staged")
    # Enrich writes beside the staged copy (as the NFO and artwork plugins do).
    item.placement = placement
    nfo = placement.path.with_suffix(".nfo")
    nfo.write_text("<movie/>")
    poster = plan.folder / "poster.jpg"
    poster.write_bytes(b"\xff\xd8jpeg")
    item.written = [nfo, poster]
    finalize(item, ctx)
    folder = tmp_path / "lib" / "Movies" / "Movie (2000)"
    assert item.placement.path == folder / "Movie (2000).mkv"
    assert item.placement.path.read_bytes() == data
    assert (folder / "Movie (2000).en.srt").read_text() == "subtitle\n"
    assert (folder / "Movie (2000).nfo").read_text() == "<movie/>"
    assert (folder / "poster.jpg").exists() and plan.folder == folder
    assert item.written == [folder / "Movie (2000).nfo", folder / "poster.jpg"]
    assert not item.source.exists() and not (tmp_path / "in" / "Movie.2000.en.srt").exists()
    assert list(other_fs.iterdir()) == [] and temp_files(tmp_path, other_fs) == []
    rows = journal(state)
    assert rows[0]["step"] == "done" and all(r["step"] == "done" for r in rows)
    assert {r["op"] for r in rows} == {"stage-move", "move", "mkdir", "write"}
    assert all(r["parent"] == rows[0]["id"] for r in rows if r["op"] == "move"
               and r["src"].startswith(str(other_fs)))
    assert state.item(item.item_id)["path"] == str(item.placement.path)  # type: ignore[index]


def test_cache_with_action_copy_keeps_the_source(tmp_path: Path, state: StateDB, make_ctx: Any,
                                                 other_fs: Path) -> None:
    ctx = make_ctx(work_dir=str(other_fs), action="copy")
    item, plan, data = movie(tmp_path, state)
    item.placement = cache_modes.place(item=item, plan=plan, ctx=ctx)
    finalize(item, ctx)
    assert item.placement.path.read_bytes() == data and item.source.read_bytes() == data
    assert (tmp_path / "in" / "Movie.2000.en.srt").exists()
    assert journal(state)[0]["op"] == "stage-copy"


def test_hardlink_is_never_staged(tmp_path: Path, state: StateDB, make_ctx: Any,
                                  other_fs: Path) -> None:
    ctx = make_ctx(work_dir=str(other_fs), action="hardlink")
    item, plan, _data = movie(tmp_path, state)
    placement = cache_modes.place(item=item, plan=plan, ctx=ctx)
    assert placement.path == plan.destination
    assert os.stat(placement.path).st_ino == os.stat(item.source).st_ino  # still seeding
    assert not any(r["op"].startswith("stage-") for r in journal(state))


def test_an_item_that_fails_after_staging_leaves_nothing_in_the_cache(
        tmp_path: Path, state: StateDB, make_ctx: Any, other_fs: Path) -> None:
    ctx = make_ctx(work_dir=str(other_fs))
    item, plan, data = movie(tmp_path, state)
    item.placement = cache_modes.place(item=item, plan=plan, ctx=ctx)
    state.set_item_path(item.item_id, str(item.placement.path))  # as the engine records it
    item.status, item.error = Status.ERROR, "an enrich plugin failed"
    ctx.pm.hook.shelver_item_done(item=item, ctx=ctx)
    assert list(other_fs.iterdir()) == [] and item.source.read_bytes() == data
    assert journal(state)[0]["step"] == "rolled-back"
    assert state.item(item.item_id)["path"] == str(item.source)  # type: ignore[index]


def test_cache_mode_needs_a_work_dir(tmp_path: Path, state: StateDB, make_ctx: Any) -> None:
    item, plan, data = movie(tmp_path, state)
    with pytest.raises(ConfigError, match="work_dir"):
        cache_modes.place(item=item, plan=plan, ctx=make_ctx())
    assert item.source.read_bytes() == data


# -- recovery of a staged placement at each step ------------------------------------------------


def staged_item(tmp_path: Path, state: StateDB, other_fs: Path) -> tuple[Item, staging.Staged, bytes]:
    item, plan, data = movie(tmp_path, state)
    staged = staging.stage(state, 1, item.item_id, item.path, plan.destination,
                           dest_dir=tmp_path / "lib", work_dir=other_fs, companions=plan.companions)
    state.set_item_path(item.item_id, str(staged.video))
    staged.video.with_suffix(".nfo").write_text("<movie/>")
    return item, staged, data


def test_recovery_before_the_copy_is_whole_removes_it(tmp_path: Path, state: StateDB,
                                                       other_fs: Path) -> None:
    src = tmp_path / "in" / "a.mkv"
    data = make_file(src)
    item = new_item(state, src)
    folder = other_fs / f"{staging.STAGE_PREFIX}crashed"
    video = folder / "Movies" / "a.mkv"
    state.journal_begin(1, item.item_id, "stage-move", str(src), str(tmp_path / "lib" / "a.mkv"),
                        str(folder), len(data), detail={"video": str(video),
                                                        "dest_dir": str(tmp_path / "lib")})
    video.parent.mkdir(parents=True)
    video.write_bytes(data[:1000])  # killed mid-copy
    assert fsops.recover(state, ops=OPS) == 1
    assert not folder.exists() and src.read_bytes() == data
    assert journal(state)[0]["step"] == "rolled-back"


def test_recovery_of_a_staged_copy_rolls_back(tmp_path: Path, state: StateDB, other_fs: Path) -> None:
    item, staged, data = staged_item(tmp_path, state, other_fs)
    assert fsops.recover(state, ops=OPS) == 1
    assert not staged.folder.exists() and item.source.read_bytes() == data
    assert not staged.destination.exists()
    assert state.item(item.item_id)["path"] == str(item.source)  # type: ignore[index]


@pytest.mark.parametrize("moved_video", [False, True])
def test_recovery_while_finishing_rolls_forward(tmp_path: Path, state: StateDB, other_fs: Path,
                                                moved_video: bool) -> None:
    item, staged, data = staged_item(tmp_path, state, other_fs)
    state.journal_step(staged.entry, "finishing")
    if moved_video:  # killed after the video reached the library, before its sidecars did
        fsops.place_file(state, 1, item.item_id, staged.video, staged.destination, "move",
                         parent=staged.entry)
    assert fsops.recover(state, ops=OPS) == 1
    folder = staged.destination.parent
    assert staged.destination.read_bytes() == data and not item.source.exists()
    assert (folder / "Movie (2000).nfo").exists() and (folder / "Movie (2000).en.srt").exists()
    assert not staged.folder.exists() and temp_files(tmp_path, other_fs) == []
    assert state.item(item.item_id)["path"] == str(staged.destination)  # type: ignore[index]
    assert state.journal_unfinished() == []


def test_recovery_after_placed_unlinks_the_source(tmp_path: Path, state: StateDB,
                                                  other_fs: Path) -> None:
    item, staged, data = staged_item(tmp_path, state, other_fs)
    state.journal_step(staged.entry, "finishing")
    fsops.place_file(state, 1, item.item_id, staged.video, staged.destination, "move",
                     parent=staged.entry)
    state.journal_step(staged.entry, "placed")
    assert fsops.recover(state, ops=OPS) == 1
    assert staged.destination.read_bytes() == data and not item.source.exists()
    assert not staged.folder.exists()


def test_recovery_when_the_destination_was_taken_keeps_the_source(
        tmp_path: Path, state: StateDB, other_fs: Path) -> None:
    item, staged, data = staged_item(tmp_path, state, other_fs)
    state.journal_step(staged.entry, "finishing")
    theirs = make_file(staged.destination, seed=99)
    assert fsops.recover(state, ops=OPS) == 1
    assert staged.destination.read_bytes() == theirs and item.source.read_bytes() == data
    assert not staged.folder.exists() and journal(state)[0]["step"] == "rolled-back"


# -- a full cache ---------------------------------------------------------------------------------


def test_a_file_that_does_not_fit_is_placed_in_place_without_copying(
        tmp_path: Path, state: StateDB, make_ctx: Any, tiny_tmpfs: Path) -> None:
    ctx = make_ctx(work_dir=str(tiny_tmpfs))
    item, plan, data = movie(tmp_path, state, size=3_000_000)
    placement = cache_modes.place(item=item, plan=plan, ctx=ctx)
    assert placement.mode == "inplace" and "does not fit" in (placement.note or "")
    assert placement.path == plan.destination and plan.destination.read_bytes() == data
    assert not any(r["op"].startswith("stage-") for r in journal(state))


@pytest.mark.parametrize("when_full", ["inplace", "retry"])
def test_enospc_mid_copy_loses_nothing(tmp_path: Path, state: StateDB, make_ctx: Any,
                                       tiny_tmpfs: Path, monkeypatch: pytest.MonkeyPatch,
                                       when_full: str) -> None:
    # The free-space check is fooled; the kernel is not: the copy hits a real ENOSPC.
    monkeypatch.setattr(staging, "free_bytes", lambda directory: 10**12)
    ctx = make_ctx(work_dir=str(tiny_tmpfs), cache={"when_full": when_full, "reserve_gb": 0.0})
    item, plan, data = movie(tmp_path, state, size=3_000_000)
    if when_full == "retry":
        with pytest.raises(cache_modes.CacheFull, match="retried later"):
            cache_modes.place(item=item, plan=plan, ctx=ctx)
        assert item.source.read_bytes() == data and not plan.destination.exists()
    else:
        placement = cache_modes.place(item=item, plan=plan, ctx=ctx)
        assert placement.mode == "inplace" and "cache copy failed" in (placement.note or "")
        assert plan.destination.read_bytes() == data and not item.source.exists()
    assert list(tiny_tmpfs.iterdir()) == []  # the partial copy is gone
    stage_row = journal(state)[0]
    assert (stage_row["op"], stage_row["step"]) == ("stage-move", "rolled-back")


def test_stage_reports_enospc_as_a_cache_error(tmp_path: Path, state: StateDB,
                                               tiny_tmpfs: Path) -> None:
    src = tmp_path / "big.mkv"
    make_file(src, 3_000_000)
    with pytest.raises(OSError) as raised:
        staging.stage(state, 1, None, src, tmp_path / "lib" / "big.mkv", dest_dir=tmp_path / "lib",
                      work_dir=tiny_tmpfs)
    assert raised.value.errno == errno.ENOSPC and raised.value.errno in staging.CACHE_ERRORS


def test_reservations_count_copies_under_way(tmp_path: Path, make_ctx: Any, other_fs: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staging, "free_bytes", lambda directory: 5_000_000)
    ctx = make_ctx(work_dir=str(other_fs), cache={"reserve_gb": 0.001})  # 1 MB kept free
    assert cache_modes.reserve(ctx, 3_000_000) is None
    assert "does not fit" in (cache_modes.reserve(ctx, 1_500_000) or "")
    cache_modes.release(ctx, 3_000_000)
    assert cache_modes.reserve(ctx, 1_500_000) is None


def test_selective_caches_what_fits_and_places_the_rest_in_place(
        tmp_path: Path, state: StateDB, make_ctx: Any, other_fs: Path) -> None:
    ctx = make_ctx("selective", work_dir=str(other_fs), cache={"max_file_gb": 0.001})
    small, small_plan, _ = movie(tmp_path, state, size=200_000, title="Small")
    big, big_plan, big_data = movie(tmp_path, state, size=2_000_000, title="Big")
    assert cache_modes.place(item=small, plan=small_plan, ctx=ctx).path.is_relative_to(other_fs)
    placement = cache_modes.place(item=big, plan=big_plan, ctx=ctx)
    assert placement.mode == "inplace" and "cache.max_file_gb" in (placement.note or "")
    assert big_plan.destination.read_bytes() == big_data


# -- auto ----------------------------------------------------------------------------------------


def test_auto_picks_a_mode_per_collection(tmp_path: Path, state: StateDB, make_ctx: Any,
                                          other_fs: Path) -> None:
    root = tmp_path / "collections"
    small = root / "Small" / "Movie.2000.mkv"
    make_file(small)
    huge = root / "Huge"
    huge.mkdir(parents=True)
    for n in range(1001):
        (huge / f"clip{n:04d}.mkv").touch()
    ctx = make_ctx("auto", work_dir=str(other_fs), assess={"cache_gb": 2000.0})
    huge_item = new_item(state, huge / "clip0000.mkv", root=root)
    assert cache_modes.auto_mode(huge_item, ctx) == "metadata-only"
    placement = cache_modes.place(item=huge_item, plan=None, ctx=ctx)
    assert placement.status == Status.METADATA and placement.path == huge_item.path
    small_item = new_item(state, small, root=root)
    assert cache_modes.auto_mode(small_item, ctx) == "cache"
    dst = tmp_path / "lib" / "Movies" / "M" / "M.mkv"
    placed = cache_modes.place(item=small_item, plan=Plan(destination=dst), ctx=ctx)
    assert placed.mode == "cache" and placed.path.is_relative_to(other_fs)
    # Without a cache the same collection goes in place.
    assert cache_modes.auto_mode(new_item(state, small, root=root), make_ctx("auto")) == "inplace"


def test_the_modes_are_registered(pm: Any) -> None:
    from shelver.profiles import registered_modes

    modes_known = registered_modes(pm)
    assert {"cache", "selective", "auto", "inplace", "metadata-only"} <= set(modes_known)
    assert modes.free_name(Path("/x/a.mkv")) == Path("/x/a (2).mkv")


# -- a source that changes while it is staged (issue 14, points 1 and 2) -----------------------


def test_a_source_grown_after_staging_is_not_moved_into_the_library(
        tmp_path: Path, state: StateDB, other_fs: Path) -> None:
    item, staged, data = staged_item(tmp_path, state, other_fs)
    with open(item.source, "ab") as out:  # the download client was not done
        out.write(b"the rest")
    with pytest.raises(fsops.SourceChanged, match="still being written"):
        staging.finish(state, staged.entry)
    staging.roll_back(state, staged.entry)  # what cache_modes.finalize_staged does
    assert item.source.read_bytes() == data + b"the rest"
    assert not staged.destination.exists() and not staged.folder.exists()
    assert state.journal_unfinished() == []


def test_recovery_never_unlinks_a_source_changed_after_placement(
        tmp_path: Path, state: StateDB, other_fs: Path) -> None:
    item, staged, data = staged_item(tmp_path, state, other_fs)
    state.journal_step(staged.entry, "finishing")
    fsops.place_file(state, 1, item.item_id, staged.video, staged.destination, "move",
                     parent=staged.entry)
    state.journal_step(staged.entry, "placed")
    with open(item.source, "ab") as out:
        out.write(b"more")
    fsops.recover(state, ops=OPS)
    assert staged.destination.read_bytes() == data  # the library's copy
    assert item.source.read_bytes() == data + b"more"  # and the source, kept: nothing lost
