"""Radarr and Sonarr: hooks/radarr-sonarr.sh as a Custom Script connection (lower-case env).

Their ids identify the file directly: no /search request reaches TMDB.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.hooks.hookhelp import HOOKS, hook_env, items, library_files, radarr_env, run, sonarr_env

SCRIPT = str(HOOKS / "radarr-sonarr.sh")


def test_test_events_answer_0_at_once(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-profile.toml")  # not even read
    for env in ({"radarr_eventtype": "Test"}, {"sonarr_eventtype": "Test"}):
        started = time.monotonic()
        proc = run([SCRIPT], hook_env(env, SHELVER_PROFILE=missing))
        assert proc.returncode == 0 and "test event" in proc.stdout
        assert time.monotonic() - started < 5
    proc = run([SCRIPT], hook_env({"radarr_eventtype": "Grab"}, SHELVER_PROFILE=missing))
    assert proc.returncode == 0 and "nothing to do" in proc.stdout
    proc = run([SCRIPT], hook_env(SHELVER_PROFILE=missing))
    assert proc.returncode == 2


def test_radarr_tmdb_id_identifies_an_unhelpful_name(tmp_path: Path, make_profile: Any,
                                                    video: Any, tmdb_server: Any) -> None:
    profile = make_profile("nd")
    movie = video(tmp_path / "radarr" / "x7f3" / "movie.mkv", 8160)
    env = radarr_env(movie, tmdb="603", imdb="tt0133093")
    proc = run([SCRIPT], hook_env(env, SHELVER_PROFILE=str(profile)))
    assert proc.returncode == 0, proc.stderr
    (placed,) = library_files(tmp_path / "library")
    assert placed.name == "The Matrix (1999) {tmdb-603}.mkv"
    assert tmdb_server.count(path_prefix="/search") == 0
    (row,) = items(tmp_path / "state.db")
    assert row["given_ids"]["ids"] == {"tmdb": 603, "imdb": "tt0133093"}


def test_sonarr_tvdb_id_and_numbers_identify_the_episode(tmp_path: Path, make_profile: Any,
                                                         video: Any, tmdb_server: Any) -> None:
    profile = make_profile("nd")
    episode = video(tmp_path / "sonarr" / "Season 5" / "ep.mkv", 2820)
    env = sonarr_env(episode, tvdb="81189", season="5", episodes="14")
    proc = run([SCRIPT], hook_env(env, SHELVER_PROFILE=str(profile)))
    assert proc.returncode == 0, proc.stderr
    (placed,) = library_files(tmp_path / "library")
    assert placed.name == "Breaking Bad (2008) - S05E14 - Ozymandias.mkv"
    assert tmdb_server.count(path_prefix="/search") == 0
    assert tmdb_server.count(path_prefix="/find/81189") == 1
