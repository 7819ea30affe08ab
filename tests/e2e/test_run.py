"""End to end: the real CLI as a subprocess, real tiny media files, the loopback TMDB look-alike."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BIN, CORPUS, json_lines, shelver, stop_daemon

VIDEO_EXTS = (".mkv", ".mp4", ".m4v", ".avi", ".mov", ".ts", ".webm")
JSON_FIELDS = {"source", "status", "destination", "mode", "identity", "confidence", "error"}


def build(downloads: Path, entries: list[dict[str, Any]]) -> None:
    from shelver.testing.media import make_video

    for seed, entry in enumerate(entries):
        target = downloads / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix.lower() in VIDEO_EXTS and entry.get("duration"):
            make_video(target, float(entry["duration"]), seed=seed)
        else:
            target.write_text(f"{target.name}\n", encoding="utf-8")


def tree(root: Path) -> dict[str, tuple[int, float]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime)
            for p in root.rglob("*") if p.is_file()}


def nfo_tmdb_id(nfo: Path) -> int | None:
    """The tmdb uniqueid of an NFO's first block (multi-episode NFOs hold several roots)."""
    text = nfo.read_text(encoding="utf-8")
    text = text.split("?>", 1)[1] if text.startswith("<?xml") else text
    node = ET.fromstring(f"<nfo>{text}</nfo>")[0]
    for uid in node.findall("uniqueid"):
        if uid.get("type") == "tmdb":
            return int(uid.text or 0)
    return None


def slice_entries() -> list[dict[str, Any]]:
    entries = json.loads(CORPUS.read_text(encoding="utf-8"))
    entries = entries["entries"] if isinstance(entries, dict) else entries
    chosen = [e for e in entries if "slice" in e.get("tags", [])]
    # A companion travels with its video: bring the video along when only the subtitle is tagged.
    for companion in [e for e in chosen if e["expect"]["status"] == "companion"]:
        folder = str(Path(companion["path"]).parent)
        for entry in entries:
            path = Path(entry["path"])
            if str(path.parent) == folder and entry.get("duration") and entry not in chosen \
                    and Path(companion["path"]).name.startswith(path.stem):
                chosen.append(entry)
    return chosen


def test_slice_corpus_is_organised_right_and_never_wrong(tmp_path: Path, make_profile: Any,
                                                          tmdb_server: Any) -> None:
    entries = slice_entries()
    assert len(entries) >= 60
    downloads = tmp_path / "downloads"
    build(downloads, entries)
    profile = make_profile()
    proc = shelver("run", str(downloads), "-p", str(profile), "--json", timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    results = {r["source"]: r for r in json_lines(proc.stdout)}
    for result in results.values():
        assert set(result) >= JSON_FIELDS
    right = wrong = expected_organised = 0
    problems = []
    for entry in entries:
        source = str(downloads / entry["path"])
        expect = entry["expect"]
        if expect["status"] == "companion":
            assert source not in results
            continue
        result = results.get(source)
        assert result is not None, f"no result for {entry['path']}"
        if expect["status"] == "organised":
            expected_organised += 1
            if result.get("tmdb") is None:
                problems.append(f"not identified: {entry['path']} -> {result['status']} {result['error']}")
                continue
            got = result["tmdb"]
            want = expect["tmdb"]
            same = got["type"] == want["type"] and got["id"] == want["id"] and (
                want["type"] == "movie" or (got["season"] == want["season"]
                                            and got["episodes"] == want["episodes"]))
            if not same:
                wrong += 1
                problems.append(f"WRONG: {entry['path']} -> {got} (want {want})")
                continue
            if result["status"] == "duplicate":
                # A second release of a title already placed: identified right, left in place.
                assert Path(source).is_file()
                right += 1
                continue
            destination = Path(result["destination"])
            assert result["status"] == "organised", result
            assert destination.is_file() and destination.is_relative_to(tmp_path / "library")
            if want["type"] == "movie":
                assert nfo_tmdb_id(destination.with_suffix(".nfo")) == want["id"]
            else:
                assert nfo_tmdb_id(destination.parent.parent / "tvshow.nfo") == want["id"]
                assert destination.with_suffix(".nfo").is_file()
            right += 1
        else:
            if result.get("tmdb") is not None and result["status"] == "organised":
                wrong += 1
                problems.append(f"WRONG: {entry['path']} placed as {result['tmdb']} (want {expect})")
            elif expect["status"] in ("extra", "skipped") and result["status"] != expect["status"]:
                problems.append(f"status: {entry['path']} -> {result['status']} (want {expect['status']})")
    print("\n".join(problems))
    print(f"right {right}/{expected_organised}, wrong {wrong}, requests {len(tmdb_server.requests)}")
    assert wrong == 0, problems
    assert right >= 0.75 * expected_organised, problems
    assert tmdb_server.count(status=429) == 0
    # Library layout: movies and TV shows as DESIGN says, show folders carry tvshow.nfo.
    library = tmp_path / "library"
    assert any(p.name == "tvshow.nfo" for p in (library / "TV").rglob("*"))
    assert all(p.parent.parent == library / "Movies" for p in (library / "Movies").rglob("*.mkv"))


def test_json_stdout_is_only_json_lines(tmp_path: Path, make_profile: Any, video: Any) -> None:
    downloads = tmp_path / "downloads"
    video(downloads / "The.Matrix.1999.1080p.BluRay.x264-GRP" / "The.Matrix.1999.1080p.BluRay.x264-GRP.mkv", 8160)
    (downloads / "The.Matrix.1999.1080p.BluRay.x264-GRP" / "readme.txt").write_text("hi")
    proc = shelver("run", str(downloads), "-p", str(make_profile()), "--json")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    results = [json.loads(line) for line in lines]
    assert len(results) == 2
    by_status = {r["status"]: r for r in results}
    assert by_status["organised"]["tmdb"] == {"type": "movie", "id": 603}
    assert by_status["organised"]["destination"].endswith(
        "library/Movies/The Matrix (1999) {tmdb-603}/The Matrix (1999) {tmdb-603}.mkv")
    assert by_status["organised"]["mode"] == "inplace"
    assert by_status["skipped"]["source"].endswith("readme.txt")
    assert all(set(r) >= JSON_FIELDS for r in results)


def test_wrong_api_key_exits_2_fast_naming_the_setting_and_touches_nothing(
        tmp_path: Path, make_profile: Any, video: Any, tmdb_server: Any) -> None:
    downloads = tmp_path / "downloads"
    video(downloads / "Dune.2021.1080p.WEB-DL.mkv", 9360)
    before = tree(downloads)
    profile = make_profile(tmdb={"api_key": "not-the-right-key-12345"})
    started = time.monotonic()
    proc = shelver("run", str(downloads), "-p", str(profile), "--json")
    elapsed = time.monotonic() - started
    assert proc.returncode == 2
    assert elapsed < 15
    assert "tmdb.api_key" in proc.stderr and str(profile) in proc.stderr
    assert "not-the-right-key-12345" not in proc.stderr + proc.stdout
    assert proc.stdout == ""
    assert tree(downloads) == before
    assert not (tmp_path / "library").exists()
    assert len(tmdb_server.requests) <= 3
    # The environment wins over the profile, and is named as such.
    proc = shelver("run", str(downloads), "-p", str(profile), env={"TMDB_API_KEY": "also-wrong-999"})
    assert proc.returncode == 2 and "TMDB_API_KEY" in proc.stderr and "also-wrong-999" not in proc.stderr


def test_dry_run_moves_nothing(tmp_path: Path, make_profile: Any, video: Any) -> None:
    downloads = tmp_path / "downloads"
    video(downloads / "Se7en.1995.REMASTERED.720p.BluRay.mkv", 7620)
    before = tree(downloads)
    proc = shelver("run", str(downloads), "-p", str(make_profile()), "--dry-run", "--json")
    assert proc.returncode == 0, proc.stderr
    (result,) = json_lines(proc.stdout)
    assert result["status"] == "organised" and result["tmdb"]["id"] == 807
    assert "Se7en (1995) {tmdb-807}" in result["destination"]
    assert tree(downloads) == before and not (tmp_path / "library").exists()


def test_metadata_only_describes_in_place(tmp_path: Path, make_profile: Any, video: Any) -> None:
    downloads = tmp_path / "downloads"
    movie = video(downloads / "Inception.2010.1080p.BluRay.x264.mkv", 8880)
    proc = shelver("run", str(downloads), "-p", str(make_profile(mode="metadata-only")), "--json")
    assert proc.returncode == 0, proc.stderr
    (result,) = json_lines(proc.stdout)
    assert result["status"] == "metadata" and result["destination"] == str(movie)
    assert movie.exists() and nfo_tmdb_id(movie.with_suffix(".nfo")) == 27205


def test_unknown_mode_is_a_configuration_error(tmp_path: Path, make_profile: Any) -> None:
    proc = shelver("run", str(tmp_path), "-p", str(make_profile(mode="teleport")))
    assert proc.returncode == 2 and "teleport" in proc.stderr and "inplace" in proc.stderr


def test_hook_generic_processes_inline_without_a_daemon(tmp_path: Path, make_profile: Any,
                                                        video: Any) -> None:
    downloads = tmp_path / "downloads"
    release = downloads / "Breaking.Bad.S05E14.Ozymandias.1080p.WEB-DL"
    video(release / "Breaking.Bad.S05E14.Ozymandias.1080p.WEB-DL.mkv", 2820)
    (release / "Breaking.Bad.S05E14.Ozymandias.1080p.WEB-DL.en.srt").write_text("1\n")
    proc = shelver("hook", "generic", str(release), "-p", str(make_profile()))
    assert proc.returncode == 0, proc.stderr
    season = tmp_path / "library" / "TV" / "Breaking Bad (2008) {tmdb-1396}" / "Season 05"
    episode = season / "Breaking Bad (2008) - S05E14 - Ozymandias.mkv"
    assert episode.is_file()
    assert (season / "Breaking Bad (2008) - S05E14 - Ozymandias.en.srt").is_file()
    assert nfo_tmdb_id(season.parent / "tvshow.nfo") == 1396
    assert not (release / "Breaking.Bad.S05E14.Ozymandias.1080p.WEB-DL.mkv").exists()


def _db_states(db: Path) -> list[tuple[str, str]]:
    if not db.exists():
        return []
    with sqlite3.connect(db, timeout=10) as conn:
        try:
            return conn.execute("SELECT path, state FROM items").fetchall()
        except sqlite3.OperationalError:
            return []


def test_sigterm_mid_item_exits_fast_and_the_next_start_finishes_it_once(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with FakeTMDB(latency=1.5) as slow:
        profile = make_profile(watch={"settle_seconds": 0.3, "sweep_interval": 3600},
                               tmdb={"base_url": slow.base_url})
        daemon = subprocess.Popen([str(BIN / "shelver"), "watch", "-p", str(profile)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(1.0)
            video(downloads / "Heat.1995.1080p.BluRay.mkv", 10200)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if any(state == "PROCESSING" for _p, state in _db_states(tmp_path / "state.db")):
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the daemon never took the file: " + daemon.stderr.read() if daemon.poll() else "")
            sent = time.monotonic()
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=10)
            assert time.monotonic() - sent < 5
        finally:
            if daemon.poll() is None:
                daemon.kill()
        # Next start: a one-shot run over the sources finishes the interrupted item, once.
        proc = shelver("run", "-p", str(profile), "--json")
        assert proc.returncode == 0, proc.stderr
    placed = list((tmp_path / "library").rglob("*.mkv"))
    assert [p.name for p in placed] == ["Heat (1995) {tmdb-949}.mkv"]
    assert not (downloads / "Heat.1995.1080p.BluRay.mkv").exists()
    states = _db_states(tmp_path / "state.db")
    assert [s for _p, s in states] == ["INDEXED"]
    with sqlite3.connect(tmp_path / "state.db") as conn:
        placements = conn.execute("SELECT count(*) FROM journal WHERE step='done' AND op='move'").fetchone()[0]
    assert placements == 1


def test_watch_picks_up_a_new_file_and_a_second_daemon_refuses(tmp_path: Path, make_profile: Any,
                                                               video: Any) -> None:
    profile = make_profile(watch={"settle_seconds": 0.3, "sweep_interval": 3600})
    daemon = subprocess.Popen([str(BIN / "shelver"), "watch", "-p", str(profile)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        second = shelver("watch", "-p", str(profile), timeout=30)
        assert second.returncode == 2 and "already being watched" in second.stderr
        video(tmp_path / "downloads" / "Amelie.2001.1080p.BluRay.mkv", 7320)
        target = tmp_path / "library" / "Movies"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list(target.rglob("*.mkv")):
            time.sleep(0.1)
        placed = list(target.rglob("*.mkv"))
        assert len(placed) == 1 and "{tmdb-194}" in placed[0].name
        status = shelver("status", "-p", str(profile), "--json")
        report = json.loads(status.stdout)
        assert report["states"].get("INDEXED") == 1
        assert any(i["alive"] for i in report["instances"])
    finally:
        stop_daemon(daemon)
    assert daemon.returncode == 0, daemon.stderr.read()
    assert os.path.exists(tmp_path / "state.db")


def test_a_name_that_is_not_utf8_is_reported_never_processed(tmp_path: Path, make_profile: Any,
                                                             video: Any) -> None:
    downloads = tmp_path / "downloads"
    made = video(downloads / "placeholder.mkv", 7320)
    hostile = os.path.join(os.fsencode(downloads), b"Am\xe9lie.2001.1080p.mkv")
    os.rename(made, hostile)
    proc = shelver("run", str(downloads), "-p", str(make_profile()), "--json")
    assert proc.returncode == 0, proc.stderr
    (result,) = json_lines(proc.stdout)
    assert result["status"] == "skipped" and "UTF-8" in result["reason"]
    assert os.path.exists(hostile) and not (tmp_path / "library").exists()
    human = shelver("run", str(downloads), "-p", str(make_profile()))
    assert human.returncode == 0 and "Am\\xe9lie" in human.stdout


def test_tmdb_unreachable_at_start_is_one_clear_line_and_touches_nothing(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    downloads = tmp_path / "downloads"
    video(downloads / "Heat.1995.1080p.BluRay.mkv", 10200)
    before = tree(downloads)
    profile = make_profile(tmdb={"base_url": "http://127.0.0.1:9/3", "timeout": 1.0})
    proc = shelver("run", str(downloads), "-p", str(profile), "--json", timeout=120)
    assert proc.returncode == 1
    assert "TMDB unreachable" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == "" and tree(downloads) == before
