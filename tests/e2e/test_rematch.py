"""``shelver rematch ITEM``: an organised file moved to another identity with its sidecars, the
new identity's NFO, artwork and MP4 tags (the old ones set aside), journaled, so that
``shelver undo`` of the rematch leaves the library byte-identical to before it; a wrong id, an
unknown item or one that is not organised is one line, exit 2, nothing touched."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import json_lines, shelver

ITEM_COLUMNS = ("id", "path", "state", "status", "provider", "ident_kind", "ident", "season",
                "episodes", "destination", "forced_identity")


def library(root: Path) -> dict[str, str]:
    """Every folder and file under ``root``, each file with the digest of its bytes."""
    found = {}
    for here, dirs, files in os.walk(root):
        for name in dirs:
            found[os.path.join(here, name) + "/"] = "folder"
        for name in files:
            path = os.path.join(here, name)
            found[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return found


def item_row(db: Path, item_id: int) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute(f"SELECT {', '.join(ITEM_COLUMNS)} FROM items WHERE id=?",
                           (item_id,)).fetchone()
        return dict(row)
    finally:
        conn.close()


def all_items(db: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM items ORDER BY id")]
    finally:
        conn.close()


def organise(profile: Path, *paths: Path) -> list[dict[str, Any]]:
    proc = shelver("run", *map(str, paths), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    return json_lines(proc.stdout)


@pytest.mark.slow
def test_rematch_a_movie_then_undo_it(tmp_path: Path, make_profile: Any, video: Any) -> None:
    from mutagen.mp4 import MP4

    profile = make_profile()
    downloads, lib, db = tmp_path / "downloads", tmp_path / "library", tmp_path / "state.db"
    movie = video(downloads / "Heat.1995.1080p.mp4", 170 * 60)
    (downloads / "Heat.1995.1080p.en.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nhi\n")
    unsure = video(downloads / "The.Thing.1080p.mkv", 106 * 60)
    results = {Path(r["source"]).name: r for r in organise(profile, movie, unsure)}
    placed = Path(results[movie.name]["destination"])
    assert results[unsure.name]["status"] == "review"
    heat = lib / "Movies" / "Heat (1995) {tmdb-949}"
    assert placed == heat / "Heat (1995) {tmdb-949}.mp4"
    item_id = next(r["id"] for r in all_items(db) if r["path"] == str(placed))
    review_id = next(r["id"] for r in all_items(db) if r["state"] == "REVIEW")
    taken = lib / "Movies" / "Psycho (1960) {tmdb-539}" / "Psycho (1960) {tmdb-539}.mp4"
    taken.parent.mkdir(parents=True)
    taken.write_bytes(b"someone else's file")
    before, items_before = library(lib), all_items(db)

    # Refused, each in one line, exit 2, nothing touched.
    proc = shelver("rematch", str(placed), "--tmdb", "movie/999999", "-p", str(profile))
    assert (proc.returncode, proc.stderr) == (
        2, "shelver: error: tmdb has no tmdb:movie/999999: nothing changed\n")
    proc = shelver("rematch", "999", "--tmdb", "movie/1091", "-p", str(profile))
    assert proc.returncode == 2 and proc.stderr.startswith("shelver: error: no item '999' in ")
    assert len(proc.stderr.splitlines()) == 1
    proc = shelver("rematch", str(review_id), "--candidate", "1", "-p", str(profile))
    assert (proc.returncode, proc.stderr) == (2, (
        f"shelver: error: item {review_id} ({unsure}) is REVIEW (review), not an organised file: "
        "rematch moves a file shelver organised (`shelver review` decides a file waiting for "
        "review)\n"))
    assert library(lib) == before and all_items(db) == items_before
    # The new place is taken: the run fails (exit 1), nothing moves, the item keeps its record.
    proc = shelver("rematch", str(placed), "--tmdb", "movie/539", "-p", str(profile))
    assert proc.returncode == 1
    assert f"{taken} already exists (conflict = \"fail\")" in proc.stdout
    assert proc.stderr.splitlines()[-1] == f"item {item_id}: left as it was, at {placed}"
    assert library(lib) == before
    kept = next(r for r in items_before if r["id"] == item_id)
    assert item_row(db, item_id) == {k: v for k, v in kept.items() if k in ITEM_COLUMNS}

    proc = shelver("rematch", str(placed), "--tmdb", "movie/1091", "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    (result,) = json_lines(proc.stdout)
    thing = lib / "Movies" / "The Thing (1982) {tmdb-1091}"
    moved = thing / "The Thing (1982) {tmdb-1091}.mp4"
    assert (result["status"], result["destination"]) == ("organised", str(moved))
    assert f"item {item_id}: tmdb:movie/1091 The Thing (1982)" in proc.stderr
    assert not heat.exists()  # its NFO, poster and fanart set aside, the folder removed
    assert sorted(p.name for p in thing.iterdir()) == [
        "The Thing (1982) {tmdb-1091}.en.srt", "The Thing (1982) {tmdb-1091}.mp4",
        "The Thing (1982) {tmdb-1091}.nfo", "fanart.jpg", "poster.jpg"]
    nfo = (thing / "The Thing (1982) {tmdb-1091}.nfo").read_text(encoding="utf-8")
    assert "<title>The Thing</title>" in nfo and ">1091</uniqueid>" in nfo and "Heat" not in nfo
    assert MP4(moved).tags["\xa9nam"] == ["The Thing"]
    row = item_row(db, item_id)
    assert (row["path"], row["state"], row["ident"]) == (str(moved), "INDEXED", "1091")
    assert row["forced_identity"] is None

    proc = shelver("undo", "-p", str(profile))
    assert proc.returncode == 0, proc.stderr
    assert library(lib) == before  # every folder, every file, every byte
    assert not (tmp_path / "replaced").exists()
    # The item is what it was: organised there, as Heat.
    after = {r["id"]: r for r in all_items(db)}
    for row in items_before:
        changed = {k for k in row if row[k] != after[row["id"]][k]}
        # (undo gave the re-tagged MP4 its bytes back in a new file: a new inode)
        assert changed <= {"updated_at", "run_id", "durations", "inode"}, changed


@pytest.mark.slow
def test_rematch_an_episode_then_undo_it(tmp_path: Path, make_profile: Any, video: Any) -> None:
    profile = make_profile()
    lib, db = tmp_path / "library", tmp_path / "state.db"
    episode = video(tmp_path / "downloads" / "The.Office.US.S02E01.720p.HDTV.x264.mkv", 22 * 60)
    (result,) = organise(profile, episode)
    placed = Path(result["destination"])
    us_show = lib / "TV" / "The Office (2005) {tmdb-2316}"
    assert placed == us_show / "Season 02" / "The Office (2005) - S02E01 - The Dundies.mkv"
    (item_id,) = [r["id"] for r in all_items(db)]
    before, record_before = library(lib), item_row(db, item_id)

    # Candidate 2 of the match is the British show (the season and episode: the name's).
    proc = shelver("rematch", str(item_id), "--candidate", "2", "-p", str(profile))
    assert proc.returncode == 0, proc.stderr
    uk_show = lib / "TV" / "The Office (2001) {tmdb-2996}"
    moved = uk_show / "Season 02" / "The Office (2001) - S02E01 - Merger.mkv"
    assert proc.stdout.splitlines() == [f"organised  {placed}", f"           -> {moved}"]
    assert f"item {item_id}: tmdb:tv/2996 S02E01 The Office (2001)" in proc.stderr
    assert not us_show.exists()  # the old show's tvshow.nfo, artwork and folders: set aside
    assert sorted(str(p.relative_to(uk_show)) for p in uk_show.rglob("*") if p.is_file()) == [
        "Season 02/The Office (2001) - S02E01 - Merger-thumb.jpg",
        "Season 02/The Office (2001) - S02E01 - Merger.mkv",
        "Season 02/The Office (2001) - S02E01 - Merger.nfo",
        "fanart.jpg", "poster.jpg", "season02-poster.jpg", "tvshow.nfo"]
    assert "<title>Merger</title>" in (moved.with_suffix(".nfo")).read_text(encoding="utf-8")
    row = item_row(db, item_id)
    assert (row["path"], row["ident"], row["season"], json.loads(row["episodes"])) == (
        str(moved), "2996", 2, [1])

    proc = shelver("undo", "-p", str(profile))
    assert proc.returncode == 0, proc.stderr
    assert library(lib) == before
    assert item_row(db, item_id) == record_before


def test_a_rematch_must_change_the_identity() -> None:
    from shelver.errors import ConfigError
    from shelver.model import Identity
    from shelver.rematch import check_new

    row = {"id": 4, "provider": "tmdb", "ident_kind": "tv", "ident": "2316", "season": 2,
           "episodes": "[1]"}
    check_new(row, Identity("tmdb", "tv", "2316", season=2, episodes=[2]))
    check_new(row, Identity("tmdb", "tv", "2996", season=2, episodes=[1]))
    with pytest.raises(ConfigError) as raised:
        check_new(row, Identity("tmdb", "tv", "2316", season=2, episodes=[1]))
    assert str(raised.value) == "item 4 already is tmdb:tv/2316/2/1: nothing to do"
