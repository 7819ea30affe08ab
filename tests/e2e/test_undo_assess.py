"""End to end: ``shelver undo`` restores the downloads byte for byte and the library as it was
(inplace and cache runs), refuses when a file changed since; ``shelver assess --json`` gives
DESIGN's matrix of modes, scaled to the cache, smallest collection first."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mutagen.mp4 import MP4

from tests.conftest import json_lines, shelver

SHM = Path("/dev/shm")


@pytest.fixture
def cache_dir(tmp_path: Path) -> Iterator[Path]:
    if not SHM.is_dir() or not os.access(SHM, os.W_OK):
        pytest.skip("/dev/shm is not available for a second filesystem")
    folder = SHM / f"shelver-test-{uuid.uuid4().hex}"
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def snapshot(root: Path) -> dict[str, Any]:
    """Every file (its bytes' digest, mtime and mode) and every folder under ``root``."""
    out: dict[str, Any] = {}
    for path in sorted(root.rglob("*")) if root.exists() else []:
        key = str(path.relative_to(root))
        if path.is_dir():
            out[key] = "dir"
        else:
            out[key] = (hashlib.blake2b(path.read_bytes()).hexdigest(), path.stat().st_mtime,
                        oct(path.stat().st_mode))
    return out


def downloads_and_library(tmp_path: Path, video: Any) -> tuple[Path, Path]:
    downloads, library = tmp_path / "downloads", tmp_path / "library"
    release = downloads / "The.Matrix.1999.1080p.BluRay.x264-GRP"
    video(release / "The.Matrix.1999.1080p.BluRay.x264-GRP.mkv", 8160)
    (release / "The.Matrix.1999.1080p.BluRay.x264-GRP.en.srt").write_text("1\nsubtitle\n")
    (release / "readme.txt").write_text("not a video\n")
    video(downloads / "Breaking.Bad.S05E14.Ozymandias.1080p.WEB-DL.mkv", 2820, seed=1)
    video(downloads / "Totally.Unknown.Home.Video.2031.mkv", 600, seed=2)  # review: stays
    # MP4s get tagged in the library: undo must give them their original bytes back, whether
    # moov comes after mdat (tagging appends) or before it (tagging shifts every media byte).
    video(downloads / "Inception.2010.1080p.WEB.mp4", 8880, seed=5, audio=True)
    video(downloads / "Heat.1995.720p.WEB.m4v", 10200, seed=6, faststart=True)
    # The library already holds a show and a movie: undo must leave them exactly as they are.
    show = library / "TV" / "Breaking Bad (2008) {tmdb-1396}"
    video(show / "Season 05" / "Breaking Bad (2008) - S05E13 - To'hajiilee.mkv", 2820, seed=3)
    (show / "poster.jpg").write_bytes(b"\xff\xd8 the user's own poster")
    (library / "Movies" / "Empty Folder Someone Made").mkdir(parents=True)
    return downloads, library


@pytest.mark.parametrize(("mode", "action"),
                         [("inplace", "move"), ("cache", "move"), ("inplace", "hardlink")])
def test_undo_restores_the_downloads_and_the_library(tmp_path: Path, make_profile: Any,
                                                     video: Any, mode: str, action: str,
                                                     request: pytest.FixtureRequest) -> None:
    downloads, library = downloads_and_library(tmp_path, video)
    before_downloads, before_library = snapshot(downloads), snapshot(library)
    extra: dict[str, Any] = {}
    if mode == "cache":
        extra = {"work_dir": str(request.getfixturevalue("cache_dir") / "work"),
                 "cache": {"reserve_gb": 0}}
    # Placed files get another mode: undo gives the downloads theirs back (a hard link shares
    # its inode with the download, so there the download's own mode changed meanwhile).
    profile = make_profile(mode=mode, action=action, plugins={"disable": ["phash"]},
                           placement={"file_mode": "0600"}, **extra)
    proc = shelver("run", str(downloads), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    statuses = sorted(r["status"] for r in json_lines(proc.stdout))
    assert statuses == ["organised"] * 4 + ["review", "skipped"]
    assert snapshot(library) != before_library
    placed = library / "Movies" / "The Matrix (1999) {tmdb-603}" / "The Matrix (1999) {tmdb-603}.mkv"
    assert placed.stat().st_mode & 0o777 == 0o600
    tagged = sorted(library.rglob("*.mp4")) + sorted(library.rglob("*.m4v"))
    assert [MP4(path).tags["©nam"] for path in tagged] == [["Inception"], ["Heat"]]
    undo = shelver("undo", "-p", str(profile), "--json")
    assert undo.returncode == 0, undo.stderr
    report = json.loads(undo.stdout)
    if action == "move":
        assert len(report["moved_back"]) == 5  # four videos and the subtitle
        assert sorted(report["untagged"]) == sorted(map(str, tagged))
    else:  # the downloads were never touched (tagging gave the library file its own inode)
        assert report["moved_back"] == [] and report["untagged"] == []
        assert set(map(str, tagged)) <= set(report["removed"])
    assert snapshot(downloads) == before_downloads
    assert snapshot(library) == before_library
    with sqlite3.connect(tmp_path / "state.db") as conn:
        rows = conn.execute("SELECT path, status FROM items ORDER BY path").fetchall()
        left = conn.execute("SELECT count(*) FROM journal j JOIN runs r ON j.run_id = r.id"
                            " WHERE r.command = 'run' AND j.step = 'done'").fetchone()[0]
    assert all(Path(path).is_relative_to(downloads) for path, _status in rows)
    assert sorted(status for _p, status in rows) == ["review"] + ["undone"] * 4
    assert left == 0
    # Nothing left to undo now.
    again = shelver("undo", "-p", str(profile))
    assert again.returncode == 1 and "no run to undo" in again.stderr


def test_undo_of_a_crashed_cache_run_gives_back_a_tagged_mp4(tmp_path: Path, make_profile: Any,
                                                             video: Any, cache_dir: Path) -> None:
    """A run killed after tagging a staged MP4 but before noting its outcome: recovery moved it
    into the library, so its placement row knows only the download's size. Undo must still
    accept the tagged file (the run's own tagging explains the size) and give back the bytes.
    Killed, too, between moving what enrich wrote out of the cache and recording it: undo
    removes those files all the same (found by bench/crash.py)."""
    downloads = tmp_path / "downloads"
    movie = video(downloads / "Inception.2010.1080p.WEB.mp4", 8880, seed=5, faststart=True)
    before = snapshot(downloads)
    profile = make_profile(mode="cache", work_dir=str(cache_dir / "work"),
                           cache={"reserve_gb": 0}, plugins={"disable": ["phash"]})
    proc = shelver("run", str(downloads), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    assert not movie.exists()
    with sqlite3.connect(tmp_path / "state.db") as conn:  # as a crash and recovery leave it
        conn.execute("UPDATE journal SET dst_size = NULL, dst_mtime = NULL")
        conn.execute("DELETE FROM journal WHERE op = 'write'")
    library = tmp_path / "library"
    assert {p.name for p in library.rglob("*") if p.is_file()} >= {"poster.jpg", "fanart.jpg"}
    undo = shelver("undo", "-p", str(profile), "--json")
    assert undo.returncode == 0, undo.stderr
    assert len(json.loads(undo.stdout)["untagged"]) == 1
    assert snapshot(downloads) == before
    assert [p for p in library.rglob("*") if p.is_file()] == []


def test_undo_refuses_when_a_placed_file_changed(tmp_path: Path, make_profile: Any,
                                                 video: Any) -> None:
    downloads = tmp_path / "downloads"
    video(downloads / "Heat.1995.1080p.BluRay.mkv", 10200)
    video(downloads / "Amelie.2001.1080p.BluRay.mkv", 7320, seed=4)
    profile = make_profile(plugins={"disable": ["phash"]})
    proc = shelver("run", str(downloads), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    heat = Path(next(r["destination"] for r in json_lines(proc.stdout) if "Heat" in r["source"]))
    with open(heat, "ab") as handle:
        handle.write(b"edited since")
    after_run = snapshot(tmp_path / "library"), snapshot(downloads)
    undo = shelver("undo", "-p", str(profile))
    assert undo.returncode == 1
    assert str(heat) in undo.stderr and "changed since the run" in undo.stderr
    assert (snapshot(tmp_path / "library"), snapshot(downloads)) == after_run  # nothing touched
    listed = shelver("undo", "--list", "-p", str(profile), "--json")
    assert [json.loads(line)["command"] for line in listed.stdout.splitlines()] == ["run"]


def sparse(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(size)  # apparent size only: no disk space used


def test_assess_json_gives_the_matrix_and_smallest_first(tmp_path: Path, make_profile: Any) -> None:
    root = tmp_path / "media"
    mb = 1000**2
    # With a 2 GB cache the matrix's thresholds shrink 1000×: 500 GB → 0.5 GB, 1.5 TB → 1.5 GB,
    # 5 TB → 5 GB.
    layout = {
        "Tiny": (2, 100 * mb, "cache"),  # 0.2 GB
        "Medium": (10, 100 * mb, "cache"),  # 1.0 GB, few files
        "MediumMany": (150, 7 * mb, "selective"),  # 1.05 GB, ≥ 100 files
        "Large": (20, 150 * mb, "selective"),  # 3.0 GB, < 50 files
        "LargeMany": (60, 55 * mb, "inplace"),  # 3.3 GB, ≥ 50 files
        "Huge": (5, 1300 * mb, "inplace"),  # 6.5 GB
        "Thousands": (1001, 1000, "metadata-only"),  # > 1000 files, whatever the size
    }
    for name, (count, size, _mode) in layout.items():
        for n in range(count):
            sparse(root / name / f"Sub{n % 3}" / f"video{n:04d}.mkv", size)
    (root / "Tiny" / "notes.txt").write_text("not a video")
    profile = make_profile(assess={"cache_gb": 2.0})
    proc = shelver("assess", str(root), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    collections = {c["name"]: c for c in report["collections"]}
    assert {name: c["mode"] for name, c in collections.items()} == {
        name: mode for name, (_count, _size, mode) in layout.items()}
    assert {name: c["files"] for name, c in collections.items()} == {
        name: count for name, (count, _size, _mode) in layout.items()}
    assert collections["Tiny"]["size"] == 200 * mb + len("not a video")
    sizes = [c["size"] for c in report["collections"]]
    assert sizes == sorted(sizes) and [c["order"] for c in report["collections"]] == list(
        range(1, len(layout) + 1))
    assert report["cache"]["scale"] == 0.001
    human = shelver("assess", str(root), "-p", str(profile))
    assert human.returncode == 0 and "metadata-only" in human.stdout and "Thousands" in human.stdout


def test_assess_scales_with_the_real_free_space_of_work_dir(tmp_path: Path, make_profile: Any,
                                                            cache_dir: Path) -> None:
    sparse(tmp_path / "media" / "Films" / "a.mkv", 1000)
    proc = shelver("assess", str(tmp_path / "media"), "-p",
                   str(make_profile(work_dir=str(cache_dir), cache={"reserve_gb": 0})), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    st = os.statvfs(cache_dir)
    assert abs(report["cache"]["usable_bytes"] - st.f_bavail * st.f_frsize) < 50 * 1000**2
    assert report["collections"][0]["mode"] == "cache"
    # No cache at all: nothing can go through one.
    proc = shelver("assess", str(tmp_path / "media"), "-p", str(make_profile()), "--json")
    assert json.loads(proc.stdout)["collections"][0]["mode"] == "inplace"


def test_assess_counts_videos_but_not_samples_and_every_byte(tmp_path: Path) -> None:
    from shelver.plugins.placement.assess import measure

    files = {"Movie/movie.mkv": 500, "Movie/movie-sample.mkv": 40, "Movie/Sample/clip.mkv": 30,
             "Movie/Samples/other.mkv": 20, "Movie/notes.txt": 7, "Movie/Extras/EP.MKV": 300,
             "Movie/Sampler.2019.mkv": 200, "Movie/.mkv": 3}
    for name, size in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * size)
    # Sampler.2019 is a film, not a sample; ".mkv" is a hidden file with no extension.
    assert measure(tmp_path / "Movie", (".mkv",)) == (sum(files.values()), 3)
    assert measure(tmp_path / "Movie", (".mkv",), recursive=False) == (500 + 40 + 7 + 200 + 3, 2)
