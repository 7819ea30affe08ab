"""Finding files: partial downloads, the profile's filters, walking, companions, settling."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import trio
from shelver.discovery import Filters, Settler, companions_of, is_partial, walk
from shelver.profiles import validate

MB = 1024 * 1024


def filters(symlinks: str = "skip", inside: tuple[Path, ...] = (), **settings: Any) -> Filters:
    return Filters(validate({"filters": {"min_size_mb": 0, **settings}}).section("filters"),
                   symlinks=symlinks, inside=inside)


def touch(path: Path, size: int = 10) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(size)  # sparse: "big" files cost nothing
    return path


# -- partial downloads -------------------------------------------------------------------------


def test_a_marker_inside_a_name_is_not_a_partial_download() -> None:
    # Only a folder that starts with the downloader's marker counts (a user's path once lost
    # every file to a substring match on "_failed_").
    for name in ("/home/me/test_a_failed_item/in/Movie.2010.mkv", "/srv/my_unpack_area/Movie.mkv",
                 "/dl/Bob_Unpack_Shed.2010.mkv", "/dl/not_FAILED_yet/Movie.mkv"):
        assert not is_partial(name), name


@pytest.mark.parametrize("name", [
    "Movie.2010.mkv.part", "Movie.2010.mkv.!qB", "Movie.2010.mkv.!QB", "Movie.mkv.!ut",
    "Movie.mkv.crdownload", "Movie.mkv.tmp", "Movie.MKV.PART", "_UNPACK_Movie.2010/Movie.mkv",
    "downloads/_UNPACK_Show.S01/e01.mkv", ".Movie.mkv.shelver-tmp-12", ".Movie.mkv.shelver-tmp-ab12",
    "_FAILED_Movie.2010/Movie.mkv", "Movie.2010/_unpack/Movie.mkv",
])
def test_partial_names_are_never_taken(tmp_path: Path, name: str) -> None:
    path = touch(tmp_path / name, 200 * MB)
    assert is_partial(path)
    verdict = filters(extensions=["mkv", "part", "tmp", "!qb", "!ut", "crdownload"]).verdict(
        str(path), 200 * MB)
    assert verdict == (False, "partial download")
    found = [f for _d, files in walk(str(tmp_path), filters()) for f in files]
    assert [f.video for f in found] == [False]
    settler = Settler(0)
    settler.seen(str(path), 0.0)
    assert settler.ready(100.0) == []


@pytest.mark.parametrize("name", ["Movie.2010.mkv", "Party.Animals.2010.mkv", "Partial.mkv",
                                  "The.Tmp.Files.mkv", "Unpacked.mkv", "_unpacked/Movie.mkv",
                                  "Movie.part1.mkv"])
def test_ordinary_names_are_not_partial(name: str) -> None:
    assert not is_partial(f"/downloads/{name}")


# -- filters -----------------------------------------------------------------------------------


def test_extensions_are_case_insensitive() -> None:
    check = filters(extensions=["mkv", ".MP4"])
    assert check.verdict("/d/a.MKV", 1) == (True, None)
    assert check.verdict("/d/a.mp4", 1) == (True, None)
    assert check.verdict("/d/a.Mp4", 1) == (True, None)
    video, reason = check.verdict("/d/a.avi", 1)
    assert not video and "filters.extensions" in (reason or "")
    assert not check.verdict("/d/mkv", 1)[0]  # no extension at all


def test_default_extensions_and_min_size() -> None:
    check = Filters(validate({}).section("filters"))  # defaults: video extensions, 50 MB
    assert check.verdict("/d/a.mkv", 50 * MB) == (True, None)
    video, reason = check.verdict("/d/a.mkv", 50 * MB - 1)
    assert not video and "min_size_mb" in (reason or "")
    assert check.verdict("/d/a.srt", 100 * MB)[0] is False
    assert filters(min_size_mb=0.5).verdict("/d/a.mkv", MB // 2) == (True, None)
    assert filters(min_size_mb=0.5).verdict("/d/a.mkv", MB // 2 - 1)[0] is False


def test_ignore_globs_and_regexes() -> None:
    check = filters(ignore=["*sample*", "/d/extras/*", "re:(?i)\\btrailer\\b", "re:^/d/skip/"])
    assert check.verdict("/d/movie-sample.mkv", 1)[1] == "ignored by filters.ignore"
    assert check.verdict("/d/extras/making-of.mkv", 1)[0] is False
    assert check.verdict("/d/Movie.Trailer.mkv", 1)[0] is False
    assert check.verdict("/d/skip/Movie.mkv", 1)[0] is False
    assert check.verdict("/d/Movie.mkv", 1) == (True, None)
    assert check.verdict("/d/Trailers.Of.Doom.mkv", 1) == (True, None)  # \b: not a whole word
    assert check.verdict("/d/not-skip/Movie.mkv", 1) == (True, None)


# -- walking -----------------------------------------------------------------------------------


def test_walk_yields_each_directory_with_its_files(tmp_path: Path) -> None:
    touch(tmp_path / "a.mkv", 100)
    touch(tmp_path / "a.srt", 5)
    touch(tmp_path / "Show" / "S01" / "e01.mkv", 100)
    touch(tmp_path / "Show" / "S01" / "e02.mkv.part", 100)
    (tmp_path / "empty").mkdir()
    (tmp_path / "Show" / "link.mkv").symlink_to(tmp_path / "a.mkv")
    (tmp_path / "loop").symlink_to(tmp_path)  # links are reported, never taken (by default)
    result = {d: {os.path.basename(f.path): f.video for f in files}
              for d, files in walk(str(tmp_path), filters(extensions=["mkv"]))}
    assert result == {
        str(tmp_path): {"a.mkv": True, "a.srt": False, "loop": False},
        str(tmp_path / "empty"): {},
        str(tmp_path / "Show"): {"link.mkv": False},
        str(tmp_path / "Show" / "S01"): {"e01.mkv": True, "e02.mkv.part": False},
    }
    found = next(f for _d, files in walk(str(tmp_path), filters()) for f in files
                 if f.path.endswith("/a.mkv"))
    st = os.stat(tmp_path / "a.mkv")
    assert (found.size, found.mtime, found.inode) == (st.st_size, st.st_mtime, st.st_ino)


def test_walk_does_not_descend_into_ignored_folders(tmp_path: Path) -> None:
    touch(tmp_path / "keep" / "a.mkv")
    touch(tmp_path / "Sample" / "b.mkv")
    dirs = [d for d, _files in walk(str(tmp_path), filters(ignore=["Sample"]))]
    assert sorted(dirs) == sorted([str(tmp_path), str(tmp_path / "keep")])


def test_walk_a_single_file(tmp_path: Path) -> None:
    path = touch(tmp_path / "Movie.mkv", 100)
    result = list(walk(str(path), filters()))
    assert len(result) == 1
    directory, files = result[0]
    assert directory == str(tmp_path)
    assert [(f.path, f.size, f.video) for f in files] == [(str(path), 100, True)]


def test_walk_missing_root_yields_nothing(tmp_path: Path) -> None:
    assert list(walk(str(tmp_path / "nope"), filters())) == []


def test_walk_survives_a_folder_vanishing_mid_walk(tmp_path: Path) -> None:
    touch(tmp_path / "a.mkv")
    touch(tmp_path / "gone" / "b.mkv")
    touch(tmp_path / "gone" / "deeper" / "c.mkv")
    seen = []
    for directory, files in walk(str(tmp_path), filters()):
        seen.append((directory, [os.path.basename(f.path) for f in files]))
        if directory == str(tmp_path):
            shutil.rmtree(tmp_path / "gone")  # deleted between listing and visiting
    assert seen == [(str(tmp_path), ["a.mkv"])]


def test_walk_survives_a_file_vanishing_mid_walk(tmp_path: Path) -> None:
    # A dangling symlink behaves like a file deleted between listing and stat.
    touch(tmp_path / "a.mkv")
    (tmp_path / "dangling.mkv").symlink_to(tmp_path / "deleted.mkv")
    result = [(d, [os.path.basename(f.path) for f in files])
              for d, files in walk(str(tmp_path), filters(symlinks="follow"))]
    assert result == [(str(tmp_path), ["a.mkv"])]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their mode")
def test_walk_skips_unreadable_folders(tmp_path: Path) -> None:
    touch(tmp_path / "a.mkv")
    locked = tmp_path / "locked"
    touch(locked / "b.mkv")
    locked.chmod(0)
    try:
        dirs = [d for d, _files in walk(str(tmp_path), filters())]
    finally:
        locked.chmod(0o755)
    assert dirs == [str(tmp_path)]


# -- companions --------------------------------------------------------------------------------


def test_companions_of_a_video(tmp_path: Path) -> None:
    names = ["Movie.mkv", "Movie.srt", "Movie.en.forced.srt", "Movie-poster.jpg", "Movie.nfo",
             "Movie.en.ass", "OtherMovie.srt", "Movie2.srt", "Movie.txt", "Movie 2.srt",
             "Movies.srt", "movie-fanart.jpg.part"]
    for name in names:
        touch(tmp_path / name)
    expected = sorted(tmp_path / n for n in ("Movie.srt", "Movie.en.forced.srt", "Movie-poster.jpg",
                                             "Movie.nfo", "Movie.en.ass"))
    assert companions_of(tmp_path / "Movie.mkv") == expected
    siblings = [str(tmp_path / n) for n in names]
    assert companions_of(tmp_path / "Movie.mkv", siblings) == expected


def test_companions_go_to_the_video_with_the_longest_matching_stem(tmp_path: Path) -> None:
    for name in ("Movie.mkv", "Movie.Extended.mkv", "Movie.srt", "Movie.Extended.srt",
                 "Movie.Extended.en.srt", "Movie.en.srt"):
        touch(tmp_path / name)
    assert companions_of(tmp_path / "Movie.mkv") == [tmp_path / "Movie.en.srt",
                                                     tmp_path / "Movie.srt"]
    assert companions_of(tmp_path / "Movie.Extended.mkv") == [tmp_path / "Movie.Extended.en.srt",
                                                              tmp_path / "Movie.Extended.srt"]


def test_companions_of_a_video_in_a_vanished_folder(tmp_path: Path) -> None:
    assert companions_of(tmp_path / "gone" / "Movie.mkv") == []


# -- settling ----------------------------------------------------------------------------------


def grow(path: Path, data: bytes) -> None:
    with open(path, "ab") as handle:
        handle.write(data)


async def test_a_growing_file_settles_once_stable(tmp_path: Path, autojump_clock: Any) -> None:
    path = tmp_path / "Movie.mkv"
    path.write_bytes(b"x")
    settler = Settler(30.0)
    start = trio.current_time()
    settler.seen(str(path), start)
    # It grows for 100 s, a write every 10 s: never ready meanwhile.
    for _ in range(10):
        await trio.sleep(10)
        grow(path, b"more data")
        settler.seen(str(path), trio.current_time())
        assert settler.ready(trio.current_time()) == []
    last_change = trio.current_time()
    ready_at = []
    for _ in range(60):
        await trio.sleep(1)
        for ready in settler.ready(trio.current_time()):
            assert ready == str(path)
            ready_at.append(trio.current_time() - last_change)
    assert ready_at == [30.0]  # exactly once, exactly settle_seconds after the last change
    assert settler.pending == {}


async def test_settle_notices_growth_without_new_events(tmp_path: Path, autojump_clock: Any
                                                        ) -> None:
    path = tmp_path / "Movie.mkv"
    path.write_bytes(b"x")
    settler = Settler(10.0)
    settler.seen(str(path), trio.current_time())
    await trio.sleep(8)
    grow(path, b"grown")  # no event: the downloader's writes can be coalesced
    assert settler.ready(trio.current_time()) == []
    await trio.sleep(9)
    assert settler.ready(trio.current_time()) == []
    await trio.sleep(1)
    assert settler.ready(trio.current_time()) == [str(path)]
    # Repeated events for an unchanged file do not restart the clock.
    settler.seen(str(path), trio.current_time())
    await trio.sleep(5)
    settler.seen(str(path), trio.current_time())
    await trio.sleep(5)
    assert settler.ready(trio.current_time()) == [str(path)]


async def test_a_file_deleted_while_settling_is_dropped(tmp_path: Path, autojump_clock: Any) -> None:
    path = tmp_path / "Movie.mkv"
    path.write_bytes(b"x")
    settler = Settler(5.0)
    settler.seen(str(path), trio.current_time())
    path.unlink()
    await trio.sleep(10)
    assert settler.ready(trio.current_time()) == []
    assert settler.pending == {}
    settler.seen(str(tmp_path / "never-existed.mkv"), trio.current_time())
    assert settler.pending == {}


# -- cached folder listings: sidecars of 10,000 files in one folder -----------------------------


def _aged(folder: Path) -> None:
    """Let the folder's ctime age past a timestamp tick, so its listing may be kept."""
    time.sleep(0.05)


def test_a_kept_listing_sees_files_added_and_removed_by_others(tmp_path: Path) -> None:
    (tmp_path / "Movie.mkv").write_bytes(b"x")
    (tmp_path / "Movie.en.srt").write_text("1")
    _aged(tmp_path)
    assert companions_of(tmp_path / "Movie.mkv") == [tmp_path / "Movie.en.srt"]
    (tmp_path / "Movie.fr.srt").write_text("1")  # the folder's mtime moves: listed again
    assert companions_of(tmp_path / "Movie.mkv") == [tmp_path / "Movie.en.srt",
                                                     tmp_path / "Movie.fr.srt"]
    _aged(tmp_path)
    companions_of(tmp_path / "Movie.mkv")
    st = tmp_path.stat()
    (tmp_path / "Movie.en.srt").unlink()  # gone, the mtime put back (as cp -a or rsync -a do)
    (tmp_path / "Movie.de.srt").write_text("1")
    os.utime(tmp_path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert tmp_path.stat().st_mtime_ns == st.st_mtime_ns
    assert companions_of(tmp_path / "Movie.mkv") == [tmp_path / "Movie.de.srt",
                                                     tmp_path / "Movie.fr.srt"]


def test_shelvers_own_moves_keep_a_flat_folders_listing(tmp_path: Path, state: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from shelver.fileops import place_file

    flat, library = tmp_path / "flat", tmp_path / "library"
    flat.mkdir()
    for n in range(50):
        (flat / f"Movie {n:02d}.mkv").write_bytes(b"x")
        (flat / f"Movie {n:02d}.en.srt").write_text("1")
    _aged(flat)
    listings = 0
    real_scandir = os.scandir

    def counting(path: Any = ".") -> Any:
        nonlocal listings
        listings += os.fspath(path) == str(flat)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", counting)
    for n in range(50):
        video = flat / f"Movie {n:02d}.mkv"
        sidecars = companions_of(video)
        assert sidecars == [flat / f"Movie {n:02d}.en.srt"]
        for path in (video, *sidecars):
            place_file(state, None, None, path, library / path.name, "move")
    assert listings == 1  # listed once, kept current through 100 moves out of it
    assert list(flat.iterdir()) == [] and len(list(library.iterdir())) == 100


def test_listings_of_whole_second_timestamps_wait_longer() -> None:
    from shelver.discovery import Listings

    assert Listings.racy_ns(1_700_000_000 * 10**9) == 2 * 10**9
    assert Listings.racy_ns(1_700_000_000 * 10**9 + 123_456_789) < 10**8


# -- symbolic links in the sources (issue 14, point 3) -----------------------------------------


def test_symlinks_are_skipped_and_reported_by_default(tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "secret"
    touch(secret, 100)
    secret.chmod(0o600)
    downloads = tmp_path / "downloads"
    touch(downloads / "real.mkv", 100)
    (downloads / "Movie.2000.mkv").symlink_to(secret)
    (downloads / "Folder").symlink_to(tmp_path / "outside")
    found = {os.path.basename(f.path): f for _d, files in walk(str(downloads), filters())
             for f in files}
    assert found["real.mkv"].video
    assert not found["Movie.2000.mkv"].video and not found["Folder"].video
    assert found["Movie.2000.mkv"].reason == (
        f'a symbolic link (to {secret}): skipped (placement.symlinks = "skip")')
    # A link given as the path itself (a single-file download) too.
    (only,) = [f for _d, files in walk(str(downloads / "Movie.2000.mkv"), filters()) for f in files]
    assert not only.video and "symbolic link" in str(only.reason)


def test_followed_symlinks_never_lead_outside_the_sources(tmp_path: Path) -> None:
    downloads, other_source = tmp_path / "downloads", tmp_path / "more"
    touch(tmp_path / "outside" / "secret.mkv", 100)
    touch(other_source / "Heat.1995.mkv", 100)
    (downloads / "Season").mkdir(parents=True)
    (downloads / "leak.mkv").symlink_to(tmp_path / "outside" / "secret.mkv")
    (downloads / "leakdir").symlink_to(tmp_path / "outside")
    (downloads / "heat.mkv").symlink_to(other_source / "Heat.1995.mkv")
    (downloads / "Season" / "up").symlink_to(downloads)  # a loop
    check = filters(symlinks="follow", inside=(downloads, other_source))
    found = {f.path: f for _d, files in walk(str(downloads), check) for f in files}
    videos = sorted(p for p, f in found.items() if f.video)
    assert videos == [str(other_source / "Heat.1995.mkv")]  # the link's target, by its real path
    outside = tmp_path / "outside"
    assert found[str(downloads / "leak.mkv")].reason == (
        f"a symbolic link to {outside / 'secret.mkv'}, outside the sources: never followed")
    assert not found[str(downloads / "leakdir")].video
    with pytest.raises(ValueError, match="symlinks"):
        filters(symlinks="sometimes")


def test_a_log_line_shows_a_name_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from shelver import logs

    logs.setup(0)
    try:
        logging.getLogger("shelver").warning("%s: cannot compute phash", "/d/\x1b[2JEvil\nName.mkv")
    finally:
        logging.getLogger("shelver").handlers.clear()
    assert capsys.readouterr().err == (
        "shelver: WARNING: /d/\\x1b[2JEvil\\nName.mkv: cannot compute phash\n")


def test_a_hooks_log_record_is_one_line_traceback_and_all(capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    import logging

    from shelver import logs

    logs.setup(0, one_line_records=True)
    try:
        try:
            raise ValueError("bad\n[NZB] forged")
        except ValueError:
            logging.getLogger("shelver").exception("%s failed", "/d/a\nb.mkv")
    finally:
        logging.getLogger("shelver").handlers.clear()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("shelver: ERROR: /d/a\\nb.mkv failed\\n"), err
    assert "ValueError: bad\\n[NZB] forged" in err
