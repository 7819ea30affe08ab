"""The hook's fast path in-process: option parsing, routing, and its light copies of the
profile resolution and the file filters, which must agree with shelver.profiles and
shelver.discovery (the fast path does not import them: they cost start-up time)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from shelver import profiles
from shelver.intake import fastpath
from shelver.intake.clients import HookJob, HookRefused, parse, printable, route
from shelver.model import ParsedName


@pytest.mark.parametrize("argv, client, args, profile, enqueue_only", [
    (["-p", "nd", "qbittorrent", "--", "/d/-p", "-p", "", "", "-", "/d", ""],
     "qbittorrent", ["/d/-p", "-p", "", "", "-", "/d", ""], "nd", False),
    (["qbittorrent", "-p", "nd", "/d/x", "--enqueue-only"], "qbittorrent",
     ["/d/x", "--enqueue-only"], "nd", False),
    (["--enqueue-only", "deluge", "--", "id", "--profile=x", "/d"], "deluge",
     ["id", "--profile=x", "/d"], None, True),
    (["deluge", "--", "id", "n", "/d", "-p", "late"], "deluge", ["id", "n", "/d"], "late", False),
    (["generic", "/a", "-p", "nd", "/b", "--enqueue-only"], "generic", ["/a", "/b"], "nd", True),
    (["generic", "--", "-p", "--enqueue-only"], "generic", ["-p", "--enqueue-only"], None, False),
    (["-vv", "transmission", "-p", "nd"], "transmission", [], "nd", False),
])
def test_options_never_come_from_a_clients_slots(argv: list[str], client: str, args: list[str],
                                                 profile: str | None, enqueue_only: bool) -> None:
    inv = fastpath.parse_invocation(argv)
    assert (inv.client, inv.args, inv.profile, inv.enqueue_only) == (client, args, profile,
                                                                    enqueue_only)


def test_usage_mistakes() -> None:
    from shelver.intake.clients import HookUsage

    for argv in ([], ["--bogus", "generic"], ["-p"]):
        with pytest.raises(HookUsage):
            fastpath.parse_invocation(argv)
    assert fastpath.parse_invocation(["--help"]).help


def test_qbittorrent_argument_shapes() -> None:
    h = "0123456789abcdef0123456789abcdef01234567"
    current = ["/d/x", "x", "", "", h, "/d", ""]
    assert parse("qbittorrent", current, {})[1].category is None
    _, job = parse("qbittorrent", ["/d/x", "x", "movies", h, "/d"], {})  # %G dropped
    assert (job.category, job.labels, job.download_id) == ("movies", ["movies"], h)
    _, job = parse("qbittorrent", ["/d/x", "x", "tv", "a,b", h, "/d", "/d/x"], {})
    assert (job.category, job.labels) == ("tv", ["a", "b"])
    _, job = parse("qbittorrent", ["/d/x", "x", "-", "/d"], {})  # both dropped, no v1 hash
    assert (job.category, job.download_id, job.paths) == (None, None, ["/d/x"])
    with pytest.raises(HookRefused, match="shifted"):
        parse("qbittorrent", ["/d/a", 'b', "/d/a", h, "/elsewhere"], {})
    with pytest.raises(HookRefused, match=r"\.\."):
        parse("qbittorrent", ["/d/../etc", "x"], {})


def test_routing_by_category_and_labels() -> None:
    table = {"Movies": "nd", "tv": "nd", "archive": "backlog", "": "untagged"}
    job = HookJob("x", category=None, labels=["4k", "ARCHIVE"])
    assert route(table, job).profile == "backlog"
    assert route(table, HookJob("x", category="movies")).profile == "nd"
    assert route(table, HookJob("x")).profile == "untagged"
    assert route(table, HookJob("x", category="music")).ignored
    assert route({**table, "*": "other"}, HookJob("x", category="music")).profile == "other"
    assert route({}, HookJob("x", category="music")).profile is None


def test_printable_keeps_one_line_and_shows_bad_bytes() -> None:
    text = "a\nb\r[NZB] x\t" + os.fsdecode(b"\xff") + "é"
    assert printable(text) == "a\\nb\\r[NZB] x\\t\\xffé"


def test_given_ids_go_into_the_parsed_name() -> None:
    from shelver.model import DownloaderHints

    _, job = parse("sonarr", [], {"sonarr_eventtype": "Download",
                                  "sonarr_episodefile_path": "/tv/ep.mkv",
                                  "sonarr_series_title": "Breaking Bad", "sonarr_series_tvdbid": "81189",
                                  "sonarr_series_tmdbid": "0", "sonarr_series_imdbid": "junk",
                                  "sonarr_episodefile_seasonnumber": "5",
                                  "sonarr_episodefile_episodenumbers": "14,15"})
    given = job.given()
    assert given == {"ids": {"tvdb": 81189}, "client": "sonarr", "kind": "episode",
                     "title": "Breaking Bad", "season": 5, "episodes": [14, 15]}
    assert given is not None
    named = ParsedName(kind="movie", title="ep", ids={"tmdb": 1})
    parsed = DownloaderHints.from_json(given).applied_to(named)
    assert (parsed.kind, parsed.title, parsed.season, parsed.episodes) == (
        "episode", "Breaking Bad", 5, [14, 15])
    assert parsed.ids == {"tmdb": 1, "tvdb": 81189}
    assert named == ParsedName(kind="movie", title="ep", ids={"tmdb": 1})  # the name's own


def test_the_fast_path_imports_nothing_heavy(tmp_path: Path) -> None:
    """The hook shares discovery, profile resolution and the filters with the engine (one copy
    of each) while importing none of what a downloader should not wait for."""
    code = ("import sys, shelver.intake.fastpath;"
            "print(' '.join(m for m in ('platformdirs', 'click', 'pluggy', 'dataclasses', "
            "'sqlite_utils', 'trio', 'httpx', 'shelver.profiles', 'shelver.engine') "
            "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, check=True).stdout.strip()
    assert loaded == ""
    assert fastpath.FILTER_DEFAULTS == profiles.CORE_SCHEMA["filters"]


def test_a_marker_inside_a_name_does_not_refuse_a_download(tmp_path: Path) -> None:
    """The hook's filters are discovery's: "_failed_" inside a folder name is not a failed job."""
    release = tmp_path / "test_a_failed_item" / "Movie.2010.1080p"
    release.mkdir(parents=True)
    (release / "Movie.2010.1080p.mkv").write_bytes(b"\0" * 4096)
    (tmp_path / "_FAILED_Other.2011").mkdir()
    (tmp_path / "_FAILED_Other.2011" / "Other.2011.mkv").write_bytes(b"\0" * 4096)
    profile = fastpath.HookProfile("t", None, tmp_path / "state.db", {},
                                   {**fastpath.FILTER_DEFAULTS, "min_size_mb": 0}, 10.0)
    found = fastpath.discover(HookJob("generic", [str(tmp_path)]), profile)
    assert [path for path, _size, _mtime, _inode in found.files] == [
        str(release / "Movie.2010.1080p.mkv")]  # the _FAILED_ job's file is not taken
    assert found.refused == []
