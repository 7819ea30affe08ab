"""End to end: the real CLI as a subprocess tells loopback look-alikes of Plex, Jellyfin, Emby
and Kodi (each written from its public API docs: auth headers, 401, answer shapes) exactly what
changed, through ``path_map``; a server that is down, slow or refuses the key never fails an
item; what failed waits in the state DB, shows in ``shelver status`` and goes out later
(docs/media-servers.md)."""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from shelver.plugins.emby.fake import FakeEmby
from shelver.plugins.jellyfin.fake import FakeJellyfin
from shelver.plugins.kodi.fake import FakeKodi
from shelver.plugins.plex.fake import FakePlex

from tests.conftest import BIN, json_lines, shelver, stop_daemon
from tests.e2e.test_notifications import Receiver

SECRETS = ("plex-token", "jellyfin-key", "emby-key", "kodi-password")
# Only what these tests look at: the rest of the pipeline has its own tests.
LEAN = {"disable": ["phash", "artwork", "mp4tags", "nfo"]}


@pytest.fixture
def servers() -> Iterator[dict[str, Any]]:
    plex = FakePlex(sections=[
        {"key": "1", "type": "movie", "title": "Movies", "locations": ["/srv/media/Movies"]},
        {"key": "2", "type": "show", "title": "TV Shows", "locations": ["/srv/media/TV"]}])
    with plex, FakeJellyfin() as jellyfin, FakeEmby() as emby, FakeKodi() as kodi:
        yield {"plex": plex, "jellyfin": jellyfin, "emby": emby, "kodi": kodi}


def server_settings(servers: dict[str, Any], library: Path, **changes: dict[str, Any]
                    ) -> dict[str, Any]:
    """Every server on, each seeing the library under another path (path_map)."""
    settings = {
        # Longest prefix wins: the TV folder is mounted elsewhere on the Plex host.
        "plex": {"url": servers["plex"].base_url, "token": "plex-token", "timeout": 2.0,
                 "path_map": {str(library): "/srv/media", str(library / "TV"): "/srv/media/TV"}},
        "jellyfin": {"url": servers["jellyfin"].base_url, "api_key": "jellyfin-key",
                     "timeout": 2.0, "path_map": {str(library): "/media"}},
        "emby": {"url": servers["emby"].base_url, "api_key": "emby-key", "timeout": 2.0,
                 "path_map": {str(library): "/mnt/emby"}},
        "kodi": {"url": servers["kodi"].base_url, "password": "kodi-password", "timeout": 2.0,
                 "path_map": {str(library): "smb://nas/media"}},
    }
    for name, values in changes.items():
        settings[name] = {**settings[name], **values}
    return settings


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def waiting(state_db: Path) -> dict[str, list[dict[str, Any]]]:
    conn = sqlite3.connect(state_db)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM deliveries ORDER BY id")]
    conn.close()
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row["plugin"], []).append(row)
    return found


def make_due(state_db: Path) -> None:
    """As if the backoff had run out (the clock is the DB's, not the test's)."""
    conn = sqlite3.connect(state_db)
    conn.execute("UPDATE deliveries SET next_at = 0")
    conn.commit()
    conn.close()


@pytest.mark.slow
def test_movie_and_a_50_episode_season_are_one_refresh_per_folder_and_undo_tells_them_too(
        tmp_path: Path, make_profile: Any, video: Any, servers: dict[str, Any]) -> None:
    downloads, library = tmp_path / "downloads", tmp_path / "library"
    (library / "Movies").mkdir(parents=True)  # a media server's libraries exist beforehand
    (library / "TV").mkdir()
    video(downloads / "The.Matrix.1999.1080p.BluRay.x264.mkv", 1.0, seed=1)
    pack = downloads / "The.Daily.Show.S01.720p.HDTV"
    for number in range(1, 51):
        video(pack / f"The.Daily.Show.S01E{number:02d}.720p.HDTV.x264.mkv", 1.0, seed=number + 1)
    profile = make_profile(plugins=LEAN, **server_settings(servers, library,
                                                           plex={"write_plexmatch": True}))
    run = shelver("run", str(downloads), "-p", str(profile), "--json", "-v")
    assert run.returncode == 0, run.stderr
    results = json_lines(run.stdout)
    assert [r["status"] for r in results] == ["organised"] * 51
    movie = "Movies/The Matrix (1999) {tmdb-603}"
    season = "TV/The Daily Show (1996) {tmdb-2224}/Season 01"
    assert (library / season).is_dir() and (library / movie).is_dir()
    plex, jellyfin, emby, kodi = (servers[n] for n in ("plex", "jellyfin", "emby", "kodi"))

    # Plex: the libraries listed (JSON asked for), then one partial refresh per folder, each in
    # the library whose folder holds it, with the token and client headers Plex asks for.
    for request in plex.requests:
        assert request.method == "GET"
        assert request.header("X-Plex-Token") == "plex-token"
        assert request.header("X-Plex-Product") == "shelver"
        assert request.header("X-Plex-Client-Identifier") and request.header("X-Plex-Version")
        assert "X-Plex-Token" not in request.query  # never in a URL
    # The libraries are asked for once (the run-start check), not once per folder.
    assert [r.path for r in plex.requests].count("/library/sections") == 1
    assert "json" in (plex.requests[0].header("Accept") or "")
    refreshes = sorted((r.path, r.query["path"][0]) for r in plex.refreshes())
    assert refreshes == [("/library/sections/1/refresh", f"/srv/media/{movie}"),
                         ("/library/sections/2/refresh", f"/srv/media/{season}")]
    # Jellyfin and Emby: one POST for the run, both folders, each server's own auth header.
    (update,) = jellyfin.updates()
    assert update.method == "POST"
    assert update.header("Authorization") == 'MediaBrowser Token="jellyfin-key"'
    assert update.json() == {"Updates": [
        {"Path": f"/media/{movie}", "UpdateType": "Created"},
        {"Path": f"/media/{season}", "UpdateType": "Created"}]}
    (update,) = emby.updates()
    assert update.header("X-Emby-Token") == "emby-key" and update.header("Authorization") is None
    assert [u["Path"] for u in update.json()["Updates"]] == [f"/mnt/emby/{movie}",
                                                              f"/mnt/emby/{season}"]
    # Kodi: one scan per folder, the directory with its trailing slash, Basic auth.
    scans = kodi.calls("VideoLibrary.Scan")
    assert sorted(s["params"]["directory"] for s in scans) == [
        f"smb://nas/media/{movie}/", f"smb://nas/media/{season}/"]
    assert all(s["jsonrpc"] == "2.0" for s in scans)
    basic = base64.b64encode(b"kodi:kodi-password").decode()
    assert {r.header("Authorization") for r in kodi.requests} == {f"Basic {basic}"}
    # .plexmatch in the movie's folder and the show's (not the season's), with the id.
    hint = (library / movie / ".plexmatch").read_text(encoding="utf-8").splitlines()
    assert hint[:2] == ["title: The Matrix", "year: 1999"] and "tmdbid: 603" in hint
    show_hint = (library / "TV/The Daily Show (1996) {tmdb-2224}/.plexmatch").read_text("utf-8")
    assert "tmdbid: 2224" in show_hint and "title: The Daily Show" in show_hint
    assert not (library / season / ".plexmatch").exists()
    assert_no_secret(run.stdout, run.stderr)
    assert not waiting(tmp_path / "state.db")

    for server in servers.values():
        server.take()
    undo = shelver("undo", "-p", str(profile), "-v")
    assert undo.returncode == 0, undo.stderr
    assert not (library / movie).exists() and not (library / movie).parent.joinpath(
        "The Matrix (1999) {tmdb-603}").exists()
    assert not (library / "TV/The Daily Show (1996) {tmdb-2224}").exists()  # .plexmatch too
    gone = [{"Path": f"/media/{movie}", "UpdateType": "Deleted"},
            {"Path": "/media/TV/The Daily Show (1996) {tmdb-2224}", "UpdateType": "Deleted"}]
    (update,) = jellyfin.updates()
    assert update.json() == {"Updates": gone}
    assert kodi.calls("VideoLibrary.Scan") == []
    (clean,) = kodi.calls("VideoLibrary.Clean")
    assert clean["params"] == {"showdialogs": False}
    # Plex scans the nearest folder still there, in the library that holds it.
    assert sorted((r.path, r.query["path"][0]) for r in plex.refreshes()) == [
        ("/library/sections/1/refresh", "/srv/media/Movies"),
        ("/library/sections/2/refresh", "/srv/media/TV")]
    assert_no_secret(undo.stdout, undo.stderr)


@pytest.mark.slow
def test_a_server_down_slow_or_refusing_never_fails_an_item_and_is_retried_later(
        tmp_path: Path, make_profile: Any, video: Any, servers: dict[str, Any]) -> None:
    downloads, library = tmp_path / "downloads", tmp_path / "library"
    (library / "Movies").mkdir(parents=True)
    video(downloads / "The.Matrix.1999.1080p.BluRay.x264.mkv", 1.0, seed=1)
    plex, jellyfin, emby, kodi = (servers[n] for n in ("plex", "jellyfin", "emby", "kodi"))
    plex.go_down()
    jellyfin.delay = 2.0  # longer than jellyfin.timeout
    kodi.playing = True
    settings = server_settings(servers, library, jellyfin={"timeout": 0.5},
                               emby={"api_key": "wrong-emby-key"},
                               kodi={"skip_while_playing": True})
    profile = make_profile(plugins=LEAN, **settings)
    run = shelver("run", str(downloads), "-p", str(profile), "--json")
    assert run.returncode == 0, run.stderr
    (result,) = json_lines(run.stdout)
    assert result["status"] == "organised" and Path(result["destination"]).is_file()
    assert "emby.api_key was refused by Emby" in run.stderr  # the run-start check: a warning
    assert "plex: refresh" in run.stderr and "tried again later" in run.stderr
    assert_no_secret(run.stdout, run.stderr)
    assert "wrong-emby-key" not in run.stdout + run.stderr
    kept = waiting(tmp_path / "state.db")
    assert set(kept) == {"plex", "jellyfin", "emby", "kodi"}
    assert kept["plex"][0]["attempts"] == 1 and "ConnectError" in kept["plex"][0]["last_error"]
    assert "Timeout" in kept["jellyfin"][0]["last_error"]
    assert "401" in kept["emby"][0]["last_error"]
    assert kept["kodi"][0]["waiting"] == 1 and kept["kodi"][0]["attempts"] == 0
    assert kodi.calls("VideoLibrary.Scan") == [] and kodi.calls("Player.GetActivePlayers")

    status = shelver("status", "-p", str(profile))
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    plex_line = next(i for i, line in enumerate(lines) if line.startswith("plex:"))
    assert "1 waiting delivery, 1 failed (attempt 1)" in lines[plex_line]
    assert "last error: ConnectError" in lines[plex_line + 1]
    assert any(line.startswith("kodi:") and "waiting" in line for line in lines)
    assert_no_secret(status.stdout, status.stderr)
    assert "wrong-emby-key" not in status.stdout + status.stderr
    as_json = json.loads(shelver("status", "-p", str(profile), "--json").stdout)
    assert as_json["sections"]["jellyfin"]["waiting"][0]["attempts"] == 1

    # The servers are back, the backoff ran out: the next run (nothing new in it) sends them.
    plex.come_up()
    jellyfin.delay = 0.0
    kodi.playing = False
    make_due(tmp_path / "state.db")
    again = shelver("run", str(downloads), "-p", str(profile), "--json")
    assert again.returncode == 0, again.stderr
    movie = "/Movies/The Matrix (1999) {tmdb-603}"
    assert [r.query["path"][0] for r in plex.refreshes()] == ["/srv/media" + movie]
    assert [u.json()["Updates"][0]["Path"] for u in jellyfin.updates()][-1] == "/media" + movie
    assert [c["params"]["directory"] for c in kodi.calls("VideoLibrary.Scan")] == [
        f"smb://nas/media{movie}/"]
    kept = waiting(tmp_path / "state.db")
    assert set(kept) == {"emby"} and kept["emby"][0]["attempts"] == 2  # the key is still wrong
    assert emby.updates() and all(u.header("X-Emby-Token") == "wrong-emby-key"
                                  for u in emby.updates())


def test_a_refused_key_stops_the_run_naming_the_setting_only_when_required(
        tmp_path: Path, make_profile: Any, video: Any, servers: dict[str, Any]) -> None:
    library = tmp_path / "library"
    video(tmp_path / "downloads" / "The.Matrix.1999.1080p.BluRay.x264.mkv", 1.0, seed=1)
    settings = server_settings(servers, library, plex={"token": "wrong-plex-token",
                                                       "required": True})
    profile = make_profile(plugins=LEAN, plex=settings["plex"])
    run = shelver("run", "-p", str(profile))
    assert run.returncode == 2
    assert "plex.token was refused by Plex" in run.stderr and "plex.required = true" in run.stderr
    assert str(profile) in run.stderr and "Traceback" not in run.stderr
    assert "wrong-plex-token" not in run.stderr + run.stdout
    assert not library.exists() or not any(library.rglob("*.mkv"))  # nothing touched
    assert servers["plex"].refreshes() == []


def wait_for(condition: Any, seconds: float, daemon: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if daemon.poll() is not None:
            pytest.fail(f"the daemon stopped: {daemon.stderr.read() if daemon.stderr else ''}")
        time.sleep(0.05)
    pytest.fail("timed out")


@pytest.mark.slow
def test_a_daemon_tells_the_server_once_per_quiet_batch(tmp_path: Path, make_profile: Any,
                                                        video: Any) -> None:
    downloads, library = tmp_path / "downloads", tmp_path / "library"
    with FakeJellyfin() as jellyfin, Receiver() as webhook:
        profile = make_profile(
            plugins=LEAN, watch={"settle_seconds": 0.2, "sweep_interval": 3600,
                                 "debounce_seconds": 1.0},
            jellyfin={"url": jellyfin.base_url, "api_key": "jellyfin-key"},
            webhook={"url": webhook.base_url})
        for number in (1, 2, 3):
            video(downloads / f"Breaking.Bad.S01E0{number}.720p.mkv", 1.0, seed=number)
        time.sleep(0.3)  # settled: the daemon's first sweep takes them
        daemon = subprocess.Popen([str(BIN / "shelver"), "watch", "-p", str(profile)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            season = library / "TV" / "Breaking Bad (2008) {tmdb-1396}" / "Season 01"
            wait_for(lambda: len(list(season.glob("*.mkv"))) == 3, 30, daemon)
            placed = time.monotonic()
            wait_for(lambda: jellyfin.updates(), 10, daemon)
            assert time.monotonic() - placed >= 0.8  # waited for the batch to be quiet
            time.sleep(1.5)
            (update,) = jellyfin.updates()  # three episodes, one folder, one request
            assert update.json() == {"Updates": [{"Path": str(season), "UpdateType": "Created"}]}
            video(downloads / "Breaking.Bad.S01E04.720p.mkv", 1.0, seed=4)
            wait_for(lambda: len(jellyfin.updates()) == 2, 30, daemon)
        finally:
            stop_daemon(daemon)
        assert daemon.returncode == 0, daemon.stderr.read() if daemon.stderr else ""
        assert len(jellyfin.updates()) == 2  # nothing left to send at the stop
        # One summary per batch, each with that batch's files.
        summaries = [r.json() for r in webhook.requests]
        assert [(s["command"], s["status"], s["counts"]) for s in summaries] == [
            ("watch", "running", {"organised": 3}), ("watch", "running", {"organised": 1})]


def test_plexmatch_in_cache_mode_is_written_once_in_the_library_show_folder(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    downloads, library = tmp_path / "downloads", tmp_path / "library"
    for number in (1, 2):
        video(downloads / f"Breaking.Bad.S01E0{number}.720p.mkv", 1.0, seed=number)
    profile = make_profile(mode="cache", work_dir=str(tmp_path / "cache"), plugins=LEAN,
                           plex={"write_plexmatch": True})
    run = shelver("run", "-p", str(profile), "--json")
    assert run.returncode == 0, run.stderr
    assert [r["status"] for r in json_lines(run.stdout)] == ["organised", "organised"]
    show = library / "TV" / "Breaking Bad (2008) {tmdb-1396}"
    assert "tmdbid: 1396" in (show / ".plexmatch").read_text(encoding="utf-8")
    assert not list((tmp_path / "cache").rglob(".plexmatch"))


def test_profile_check_names_a_wrong_server_setting_and_warns_of_a_missing_key(
        tmp_path: Path, make_profile: Any) -> None:
    profile = make_profile(plex={"url": "plex.local:32400", "token": "plex-token"})
    check = shelver("profile", "check", "-p", str(profile))
    assert check.returncode == 2
    assert f"plex.url must start with http:// or https://, not 'plex.local:32400' (plex.url in " \
           f"{profile})" in check.stderr
    profile = make_profile(jellyfin={"url": "http://127.0.0.1:8096"},
                           kodi={"url": "http://127.0.0.1:8080", "path_map": {"media": "/x"}})
    check = shelver("profile", "check", "-p", str(profile))
    assert check.returncode == 2 and "kodi.path_map: each key must be an absolute path" in check.stderr
    profile = make_profile(jellyfin={"url": "http://127.0.0.1:8096"})
    check = shelver("profile", "check", "-p", str(profile))
    assert check.returncode == 0, check.stderr
    assert f"shelver: warning: jellyfin.api_key is not set: the server will refuse shelver " \
           f"(jellyfin.api_key in {profile})" in check.stderr
