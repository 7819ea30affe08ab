"""``shelver explain FILE``: what was read, probed and asked, every candidate's score broken
down into the points of each signal (summing to the score), the threshold and the decision,
moving and recording nothing; the same breakdown and the threshold kept for review items
(``shelver review --json``)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from shelver.api import Match, hookimpl
from shelver.app import open_app
from shelver.explain import explain_file, human_lines

from tests.conftest import json_lines, shelver

CLEAR = "Heat.1995.1080p.BluRay.x264-GROUP.mkv"  # one film of that name and year
REMAKE = "The.Thing.1080p.BluRay.mkv"  # 1982 and 2011, no year, a running time between
UNKNOWN = "Zzqx.Vorple.2019.1080p.WEB.mkv"  # TMDB knows nothing of it
CORE_TABLES = ("items", "queue", "runs", "journal", "journal_blobs", "events")


def tree(*roots: Path) -> dict[str, str]:
    """Every file under ``roots`` with the digest of its bytes."""
    found = {}
    for root in roots:
        for here, _dirs, files in os.walk(root):
            for name in files:
                path = Path(here, name)
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def core_rows(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in CORE_TABLES}
    finally:
        conn.close()


def assert_breakdowns_sum(candidates: list[dict[str, Any]]) -> None:
    for candidate in candidates:
        breakdown = candidate["breakdown"]
        assert {"title", "year", "kind", "country", "runtime", "popularity"} <= set(breakdown)
        assert sum(breakdown.values()) == pytest.approx(candidate["score"], abs=1e-3), candidate


@pytest.fixture
def downloads(tmp_path: Path, make_profile: Any, video: Any) -> tuple[Path, Path]:
    profile = make_profile()
    folder = tmp_path / "downloads"
    video(folder / CLEAR, 170 * 60)
    video(folder / REMAKE, 106 * 60)  # 3 minutes from each film's running time
    video(folder / UNKNOWN, 100 * 60)
    return profile, folder


@pytest.mark.slow
def test_explain_shows_queries_candidates_breakdown_threshold_and_decision(
        tmp_path: Path, downloads: tuple[Path, Path]) -> None:
    profile, folder = downloads
    before = tree(folder)
    proc = shelver("explain", str(folder / REMAKE), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    (remake,) = json_lines(proc.stdout)
    reports = {REMAKE: remake}
    app = open_app(str(profile))  # the same report, in process (each subprocess costs a second)
    try:
        for name in (CLEAR, UNKNOWN):
            reports[name] = json.loads(json.dumps(explain_file(app.profile, app.pm, app.state,
                                                               folder / name)))
    finally:
        app.close()

    clear = reports[CLEAR]
    assert clear["parsed"]["title"] == "Heat" and clear["parsed"]["year"] == 1995
    assert clear["probe"]["duration"] == pytest.approx(170 * 60, abs=1)
    assert clear["queries"][0]["request"].startswith("/search/movie query='heat' year=1995")
    assert not any(q["cached"] for q in clear["queries"])
    assert clear["threshold"] == 0.75
    assert clear["decision"] == "organise" and clear["reason"] is None
    assert clear["identity"] == {"provider": "tmdb", "kind": "movie", "id": "949"}
    assert clear["destination"] == str(
        tmp_path / "library" / "Movies" / "Heat (1995) {tmdb-949}" / "Heat (1995) {tmdb-949}.mkv")
    assert clear["candidates"][0]["breakdown"]["title"] == pytest.approx(0.6)
    assert clear["candidates"][0]["breakdown"]["year"] == pytest.approx(0.4)

    assert remake["decision"] == "review" and remake["identity"] is None
    years = sorted(c["year"] for c in remake["candidates"] if c["title"] == "The Thing")
    assert years == [1982, 2011]
    assert remake["confidence"] < remake["threshold"] <= remake["candidates"][0]["score"]
    assert remake["reason"].startswith("too close to tell: The Thing (")
    # No year in the name: each film gets only part of the year's points; the running time
    # (106 min against 109 and 103) gives both the same.
    for candidate in remake["candidates"][:2]:
        assert candidate["breakdown"]["year"] == pytest.approx(0.24)
        assert candidate["breakdown"]["runtime"] > 0

    unknown = reports[UNKNOWN]
    assert unknown["decision"] == "review" and unknown["candidates"] == []
    assert unknown["reason"] == "TMDB found no candidate for the name"
    assert [q["request"].split(" language")[0] for q in unknown["queries"]] == [
        "/search/movie query='zzqx vorple' year=2019", "/search/movie query='zzqx vorple'"]

    for report in reports.values():
        assert_breakdowns_sum(report["candidates"])
    # Nothing moved, nothing recorded: no run, item, queue row, journal row or event.
    assert tree(folder) == before and not (tmp_path / "library").exists()
    assert core_rows(tmp_path / "state.db") == dict.fromkeys(CORE_TABLES, 0)

    # Asked again, the answers come from the cache, and it says so.
    proc = shelver("explain", str(folder / REMAKE), "-p", str(profile))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "queries:    3 (3 from the cache)" in lines
    assert "  cache  tmdb /search/movie query='the thing' language='en-US' -> 200" in lines
    assert "candidates: 3; threshold 0.75" in lines
    first = remake["candidates"][0]
    assert f"  1. tmdb:movie/{first['id']}  The Thing ({first['year']})  score {first['score']}" \
        in lines
    assert lines[lines.index(next(line for line in lines if line.startswith("  1. "))) + 1] == (
        "       = title 0.6000 + year 0.2400 + kind 0.0000 + country 0.0000 + runtime "
        f"{first['breakdown']['runtime']:.4f} + popularity {first['breakdown']['popularity']:.4f}")
    assert lines[-1].startswith("decision:   review because too close to tell: The Thing (")
    proc = shelver("explain", str(folder / CLEAR), "-p", str(profile))
    assert proc.stdout.splitlines()[-2:] == [
        "decision:   organise as tmdb:movie/949 Heat (1995)",
        f"            -> {clear['destination']}"]
    assert "read:       movie, 'Heat', year 1995, screen size 1080p, release group GROUP" \
        in proc.stdout.splitlines()
    assert "probed:     duration 170.0 min" in proc.stdout
    assert tree(folder) == before
    assert core_rows(tmp_path / "state.db") == dict.fromkeys(CORE_TABLES, 0)


def test_review_items_keep_the_breakdown_and_the_threshold(downloads: tuple[Path, Path]) -> None:
    profile, folder = downloads
    proc = shelver("run", str(folder / REMAKE), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json_lines(proc.stdout)[0]["status"] == "review"
    proc = shelver("review", "-p", str(profile), "--json")
    (entry,) = json_lines(proc.stdout)
    assert entry["threshold"] == 0.75
    assert len(entry["candidates"]) == 3
    assert_breakdowns_sum(entry["candidates"])


def test_explain_refuses_what_is_not_one_file(tmp_path: Path, downloads: tuple[Path, Path]) -> None:
    profile, folder = downloads
    proc = shelver("explain", str(folder), "-p", str(profile))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"shelver: error: explain takes one video file: {folder} is a folder"


class ShelfProvider:
    """A provider that is not TMDB: explain shows what it records in ``ctx.trace``."""

    @hookimpl(tryfirst=True)
    def shelver_match(self, item: Any, ctx: Any) -> Any:
        if ctx.trace is not None:
            ctx.trace.query("shelf", f"lookup {item.path.name!r}", cached=True, found=False)
            ctx.trace.candidates = [{"provider": "shelf", "kind": "movie", "id": "x", "title": "X",
                                     "year": 2001, "score": 0.5,
                                     "breakdown": {"folder": 0.3, "size": 0.2}}]
            ctx.trace.reason = "not on the shelf"
        return Match(identity=None, confidence=0.5, threshold=0.9)


def test_explain_shows_any_providers_trace(downloads: tuple[Path, Path]) -> None:
    profile, folder = downloads
    app = open_app(str(profile))
    app.pm.register(ShelfProvider(), name="shelf")
    try:
        report = explain_file(app.profile, app.pm, app.state, folder / CLEAR)
    finally:
        app.close()
    assert report["queries"] == [{"provider": "shelf", "request": f"lookup {CLEAR!r}",
                                  "cached": True, "found": False}]
    assert report["threshold"] == 0.9 and report["confidence"] == 0.5
    assert (report["decision"], report["reason"]) == ("review", "not on the shelf")
    lines = human_lines(report)
    assert "  1. shelf:movie/x  X (2001)  score 0.5" in lines
    assert "       = folder 0.3000 + size 0.2000" in lines
    assert "  cache  shelf lookup 'Heat.1995.1080p.BluRay.x264-GROUP.mkv'" in lines
    assert lines[-1] == "decision:   review because not on the shelf"


def test_explain_with_the_provider_unreachable_is_one_line(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    from click.testing import CliRunner
    from shelver.cli import cli

    profile = make_profile(tmdb={"base_url": "http://127.0.0.1:9/3"})  # nothing listens there
    clip = video(tmp_path / "downloads" / CLEAR, 60)
    result = CliRunner().invoke(cli, ["explain", str(clip), "-p", str(profile)])
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert line.startswith(f"shelver: error: {clip}: TMDB unreachable for /configuration")
    assert line.endswith("; nothing was changed")
