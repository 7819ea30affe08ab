"""The refresh scan's release-age rule, end to end (docs/operations.md, "Refresh").

Real runs against the loopback TMDB look-alike. Time is moved by moving the past: every time
the state DB recorded (an item's refresh, the TMDB cache's fetch times) is put back by N days,
which is what the DB would hold N days later; nothing in shelver is told a fake time.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BIN, json_lines, shelver, stop_daemon

DAY = 86400.0


def _release_dates(db: Path) -> dict[str, str | None]:
    with sqlite3.connect(db) as conn:
        return {Path(path).name: date for path, date in conn.execute(
            "SELECT path, release_date FROM items")}


def test_the_matched_release_date_is_recorded(tmp_path: Path, make_profile: Any, video: Any,
                                              tmdb_server: Any) -> None:
    downloads = tmp_path / "downloads"
    video(downloads / "The.Matrix.1999.1080p.BluRay.x264-GRP.mkv", 8160)
    video(downloads / "Breaking.Bad.S05E14.Ozymandias.1080p.WEB-DL.mkv", 2820, seed=1)
    profile = make_profile(plugins={"disable": ["phash"]})
    proc = shelver("run", "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    assert [r["status"] for r in json_lines(proc.stdout)] == ["organised"] * 2
    catalogue = tmdb_server.catalogue
    episode = next(e for e in catalogue.season(1396, 5)["episodes"] if e["episode_number"] == 14)
    assert _release_dates(tmp_path / "state.db") == {
        "The Matrix (1999) {tmdb-603}.mkv": catalogue.movies[603]["release_date"],
        "Breaking Bad (2008) - S05E14 - Ozymandias.mkv": episode["air_date"],
    }


def _move_the_past(db: Path, days: float) -> None:
    """The state DB as it would be ``days`` later: every recorded time put back by that much."""
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE items SET refreshed_at = refreshed_at - ?, indexed_at = indexed_at - ?,"
                     " updated_at = updated_at - ?, first_seen = first_seen - ?", (days * DAY,) * 4)
        conn.execute("UPDATE tmdb_cache SET fetched_at = fetched_at - ?", (days * DAY,))


def _refresh(profile: Path, db: Path) -> set[str]:
    """``shelver scan --refresh``; the names of the items it found STALE."""
    proc = shelver("scan", "--refresh", "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(db) as conn:
        stale = {Path(p).name for (p,) in conn.execute("SELECT path FROM items WHERE state='STALE'")}
    assert json.loads(proc.stdout)["enqueued"] == len(stale)
    return stale


def _serve_until_refreshed(profile: Path, db: Path) -> None:
    """``shelver watch`` until the queue is empty and nothing is STALE, then Ctrl-C."""
    daemon = subprocess.Popen([str(BIN / "shelver"), "watch", "-p", str(profile)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and daemon.poll() is None:
            with sqlite3.connect(db) as conn:
                busy = conn.execute("SELECT (SELECT count(*) FROM queue) + (SELECT count(*) FROM"
                                    " items WHERE state != 'INDEXED')").fetchone()[0]
            if not busy:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the daemon did not refresh the items: " + (
                daemon.stderr.read() if daemon.poll() is not None else "still busy"))
    finally:
        stop_daemon(daemon)
    assert daemon.returncode == 0, daemon.stderr.read()


def _files(folder: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.is_file()}


@pytest.mark.slow
def test_a_new_release_goes_stale_after_3_days_a_classic_after_6_months(
        tmp_path: Path, make_profile: Any, video: Any, tmdb_server: Any) -> None:
    # Inception, as if it came out five days ago; The Matrix, decades old.
    released = dt.date.today() - dt.timedelta(days=5)
    tmdb_server.catalogue.movies[27205]["release_date"] = released.isoformat()
    downloads, db = tmp_path / "downloads", tmp_path / "state.db"
    video(downloads / f"Inception.{released.year}.1080p.WEB-DL.mkv", 8880)
    video(downloads / "The.Matrix.1999.1080p.BluRay.x264-GRP.mkv", 8160, seed=1)
    profile = make_profile(plugins={"disable": ["phash"]},
                           watch={"settle_seconds": 0.3, "sweep_interval": 3600})
    proc = shelver("run", "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    new = f"Inception ({released.year}) {{tmdb-27205}}"
    classic = "The Matrix (1999) {tmdb-603}"
    assert _release_dates(db) == {f"{new}.mkv": released.isoformat(),
                                  f"{classic}.mkv": tmdb_server.catalogue.movies[603]["release_date"]}

    _move_the_past(db, 2)
    assert _refresh(profile, db) == set()
    _move_the_past(db, 2)  # 4 days on: the new release is stale
    assert _refresh(profile, db) == {f"{new}.mkv"}
    _move_the_past(db, 175)  # 179 days on: the classic is not, yet
    assert _refresh(profile, db) == {f"{new}.mkv"}
    _move_the_past(db, 2)  # 181 days on: now it is
    assert _refresh(profile, db) == {f"{new}.mkv", f"{classic}.mkv"}

    # The new release's metadata changed on TMDB since; the classic's did not.
    tmdb_server.catalogue.movies[27205]["tagline"] = "Now on every screen."
    library = tmp_path / "library" / "Movies"
    new_nfo = library / new / f"{new}.nfo"
    assert "Now on every screen." not in new_nfo.read_text(encoding="utf-8")
    classic_before = _files(library / classic)
    tmdb_server.reset_log()
    _serve_until_refreshed(profile, db)

    assert "<tagline>Now on every screen.</tagline>" in new_nfo.read_text(encoding="utf-8")
    # The classic: one conditional request (answered 304 only to a matching If-None-Match),
    # and not a byte written.
    answers = {(r.path, r.status) for r in tmdb_server.requests}
    assert ("/3/movie/603", 304) in answers and ("/3/movie/27205", 200) in answers, answers
    assert _files(library / classic) == classic_before
    assert _refresh(profile, db) == set()  # both refreshed just now
