"""End to end: the cache mode through the real CLI with the cache on another filesystem, the
crash test (SIGKILL at random instants, then a run to completion), and metadata-only followed by
an inplace run that needs nothing more from TMDB."""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, json_lines, shelver


@pytest.fixture
def cache_dir(other_fs: Path) -> Path:
    """A cache folder on another filesystem than the downloads and the library, or skip."""
    return other_fs


def load_bench(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_cache_mode_stages_tags_and_moves_into_the_library(tmp_path: Path, make_profile: Any,
                                                          video: Any, cache_dir: Path) -> None:
    from shelver.plugins.mp4tags.tagger import read_tags

    downloads = tmp_path / "downloads"
    release = downloads / "The.Matrix.1999.1080p.BluRay.x264-GRP"
    matrix = video(release / "The.Matrix.1999.1080p.BluRay.x264-GRP.mkv", 8160)
    matrix_bytes = matrix.read_bytes()
    (release / "The.Matrix.1999.1080p.BluRay.x264-GRP.en.srt").write_text("1\n")
    video(downloads / "Breaking.Bad.S05E14.Ozymandias.1080p.WEB-DL.mp4", 2820, seed=2)
    profile = make_profile(mode="cache", work_dir=str(cache_dir / "work"),
                           cache={"reserve_gb": 0}, plugins={"disable": ["phash"]})
    proc = shelver("run", str(downloads), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    results = {Path(r["source"]).name: r for r in json_lines(proc.stdout)}
    assert {r["status"] for r in results.values()} == {"organised"}
    assert {r["mode"] for r in results.values()} == {"cache"}
    library = tmp_path / "library"
    movie = library / "Movies" / "The Matrix (1999) {tmdb-603}"
    assert (movie / "The Matrix (1999) {tmdb-603}.mkv").read_bytes() == matrix_bytes
    assert (movie / "The Matrix (1999) {tmdb-603}.en.srt").read_text() == "1\n"
    assert (movie / "The Matrix (1999) {tmdb-603}.nfo").is_file() and (movie / "poster.jpg").is_file()
    show = library / "TV" / "Breaking Bad (2008) {tmdb-1396}"
    episode = show / "Season 05" / "Breaking Bad (2008) - S05E14 - Ozymandias.mp4"
    assert read_tags(episode)["tvsh"] == "Breaking Bad"  # tagged in the cache, then moved
    assert (show / "tvshow.nfo").is_file() and (episode.with_suffix(".nfo")).is_file()
    # Nothing stays behind: not in the downloads, not in the cache.
    assert [p for p in downloads.rglob("*") if p.is_file()] == []
    assert list((cache_dir / "work").iterdir()) == []
    with sqlite3.connect(tmp_path / "state.db") as conn:
        items = dict(conn.execute("SELECT path, state FROM items").fetchall())
        staged = conn.execute("SELECT op, step FROM journal WHERE op LIKE 'stage-%'").fetchall()
    assert items == {str(movie / "The Matrix (1999) {tmdb-603}.mkv"): "INDEXED",
                     str(episode): "INDEXED"}
    assert staged == [("stage-move", "done")] * 2


def test_crash_test_small(tmp_path: Path, cache_dir: Path, tmdb_server: Any) -> None:
    """bench/crash.py in small: 30 files, 5 SIGKILLs and a Ctrl-C (SHELVER_CRASH_FULL=1: 200
    files, 20 SIGKILLs and 6 Ctrl-C)."""
    crash = load_bench("crash")
    full = os.environ.get("SHELVER_CRASH_FULL") == "1"
    figures = crash.campaign(tmp_path / "crash", cache_dir, files=200 if full else 30,
                             kills=20 if full else 5, base_url=tmdb_server.base_url,
                             api_key=tmdb_server.api_key,
                             pad=(1_000_000, 6_000_000) if full else (200_000, 1_500_000),
                             window=0.6 if full else 0.15)
    print(figures)
    assert figures.problems == []
    assert figures.kills == (20 if full else 5) and figures.interrupts == (6 if full else 1)
    assert figures.organised >= 0.8 * figures.files
    assert figures.tagged >= 1  # MP4s are tagged, and each checked against its rebuilt original
    assert figures.runs_undone >= 2 and figures.untagged == figures.tagged  # then all undone


def test_metadata_only_then_inplace_needs_nothing_more_from_tmdb(
        tmp_path: Path, make_profile: Any, video: Any, tmdb_server: Any) -> None:
    downloads = tmp_path / "downloads"
    movie = video(downloads / "Inception.2010.1080p.BluRay.x264.mkv", 8880)
    episode = video(downloads / "Show" / "Breaking.Bad.S05E14.Ozymandias.1080p.WEB-DL.mkv", 2820,
                    seed=3)
    described = shelver("run", str(downloads), "-p",
                        str(make_profile(mode="metadata-only", plugins={"disable": ["phash"]})),
                        "--json")
    assert described.returncode == 0, described.stderr
    assert {r["status"] for r in json_lines(described.stdout)} == {"metadata"}
    assert movie.with_suffix(".nfo").is_file() and episode.with_suffix(".nfo").is_file()
    asked = len(tmdb_server.requests)
    organised = shelver("run", str(downloads), "-p",
                        str(make_profile(mode="inplace", plugins={"disable": ["phash"]})), "--json")
    assert organised.returncode == 0, organised.stderr
    results = json_lines(organised.stdout)
    assert {r["status"] for r in results} == {"organised"}
    # No search, no details: only the per-run credential check (and, from the image server,
    # the show-level artwork that only an organised library gets).
    api = [r.path for r in tmdb_server.requests[asked:] if r.path.startswith("/3/")]
    assert api == [], api  # the key was checked by the first run, every lookup is cached
    placed = Path(next(r["destination"] for r in results if "Inception" in r["source"]))
    assert placed.is_file() and placed.with_suffix(".nfo").is_file()
    assert not movie.exists() and not movie.with_suffix(".nfo").exists()  # the NFO travelled


def test_a_full_cache_before_copying_places_in_place(tmp_path: Path, make_profile: Any,
                                                     video: Any, cache_dir: Path) -> None:
    downloads = tmp_path / "downloads"
    movie = video(downloads / "Heat.1995.1080p.BluRay.mkv", 10200)
    data = movie.read_bytes()
    # A reserve larger than the cache: nothing fits, so the file goes in place, not copied.
    profile = make_profile(mode="cache", work_dir=str(cache_dir), cache={"reserve_gb": 10**6},
                           plugins={"disable": ["phash"]})
    proc = shelver("run", str(downloads), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    (result,) = json_lines(proc.stdout)
    assert result["status"] == "organised" and Path(result["destination"]).read_bytes() == data
    assert list(cache_dir.iterdir()) == []
    with sqlite3.connect(tmp_path / "state.db") as conn:
        ops = [row[0] for row in conn.execute("SELECT op FROM journal WHERE op NOT IN ('mkdir', 'write')")]
    assert ops == ["move"]
    assert json.loads(json.dumps(result))["mode"] == "cache"
