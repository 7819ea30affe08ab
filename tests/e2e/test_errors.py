"""Errors end a command cleanly: one line naming the file or setting, the right exit status,
nothing left PROCESSING, never a traceback or an exception group (issue 14, points 8-13)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BIN, shelver, write_profile
from tests.hooks.hookhelp import hook_env, nzbget_env
from tests.hooks.hookhelp import run as run_hook

MOVIES = ["The.Matrix.1999.1080p.BluRay.mkv", "Heat.1995.1080p.BluRay.mkv",
          "Se7en.1995.REMASTERED.720p.BluRay.mkv", "Inception.2010.1080p.BluRay.mkv",
          "Amelie.2001.1080p.BluRay.mkv", "Dune.2021.1080p.WEB-DL.mkv"]


def clean(proc: subprocess.CompletedProcess[str]) -> bool:
    """Nothing a person should not see: no traceback, no exception group."""
    text = proc.stdout + proc.stderr
    return "Traceback" not in text and "ExceptionGroup" not in text and "+-+-" not in text


def rows(db: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db, timeout=10) as conn:
        return conn.execute(sql, args).fetchall()


def states(db: Path) -> dict[str, str]:
    return {Path(p).name: s for p, s in rows(db, "SELECT path, state FROM items")}


# -- 8: a ConfigError mid-run ----------------------------------------------------------------


def test_a_401_after_the_cached_check_ends_the_run_with_one_line_and_releases_the_items(
        tmp_path: Path, make_profile: Any, video: Any, tmdb_server: Any) -> None:
    downloads = tmp_path / "downloads"
    profile = make_profile()
    video(downloads / MOVIES[0], 8160)
    first = shelver("run", "-p", str(profile))
    assert first.returncode == 0, first.stderr  # the key is checked and the check remembered
    tmdb_server.api_key = "revoked-since"  # TMDB now refuses the key the DB says was accepted
    for name in MOVIES[1:4]:
        video(downloads / name, 7000)
    proc = shelver("run", "-p", str(profile))
    assert proc.returncode == 2, proc.stderr
    assert clean(proc), proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("shelver: error:")]
    assert len(errors) == 1 and "tmdb.api_key" in errors[0] and str(profile) in errors[0]
    db = tmp_path / "state.db"
    left = {name: state for name, state in states(db).items() if name in MOVIES[1:4]}
    assert left and set(left.values()) <= {"NEW"}, left  # none PROCESSING, none failed
    assert all((downloads / name).exists() for name in MOVIES[1:4])
    queued = rows(db, "SELECT count(*) FROM queue")[0][0]
    assert queued == len(left)
    assert rows(db, "SELECT status FROM runs ORDER BY id DESC LIMIT 1") == [("failed",)]
    # With the key fixed, the next run places them.
    tmdb_server.api_key = "demo-key"
    again = shelver("run", "-p", str(profile))
    assert again.returncode == 0, again.stderr
    assert len(list((tmp_path / "library").rglob("*.mkv"))) == 4


def test_a_401_stops_the_daemon_with_that_message(tmp_path: Path, make_profile: Any,
                                                  video: Any, tmdb_server: Any) -> None:
    downloads = tmp_path / "downloads"
    profile = make_profile(watch={"settle_seconds": 0.2, "sweep_interval": 3600})
    video(downloads / MOVIES[0], 8160)
    assert shelver("run", "-p", str(profile)).returncode == 0
    tmdb_server.api_key = "revoked-since"
    daemon = subprocess.Popen([str(BIN / "shelver"), "watch", "-p", str(profile)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        video(downloads / MOVIES[1], 7000)
        out, err = daemon.communicate(timeout=30)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert daemon.returncode == 2, err
    assert "Traceback" not in err and "ExceptionGroup" not in err, err
    assert err.strip().splitlines()[-1].startswith("shelver: error: TMDB refused")
    assert "tmdb.api_key" in err
    assert states(tmp_path / "state.db")[MOVIES[1]] == "NEW"


def test_a_401_in_an_nzbget_hook_is_an_error_line_and_exit_94(
        tmp_path: Path, make_profile: Any, video: Any, tmdb_server: Any) -> None:
    profile = make_profile("nd")
    video(tmp_path / "downloads" / MOVIES[0], 8160)
    assert shelver("run", "-p", str(profile)).returncode == 0
    tmdb_server.api_key = "revoked-since"
    job = tmp_path / "nzbget" / "Heat.1995.1080p.BluRay"
    video(job / "Heat.1995.1080p.BluRay.mkv", 7000)
    proc = run_hook([str(BIN / "shelver"), "hook", "nzbget"],
                    hook_env(nzbget_env(job, profile=str(profile))))
    assert proc.returncode == 94, proc.stdout + proc.stderr
    assert clean(proc), proc.stdout + proc.stderr
    last = proc.stdout.splitlines()[-1]
    assert last.startswith("[ERROR] shelver: TMDB refused") and "tmdb.api_key" in last
    assert all(state != "PROCESSING" for state in states(tmp_path / "state.db").values())
    assert (job / "Heat.1995.1080p.BluRay.mkv").exists()


def test_a_template_that_fails_to_render_is_caught_by_profile_check(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    # Parses fine; fails only on a single episode (there is no second one).
    profile = make_profile(naming={"tv": "TV/{{ show }}/{{ show }} E{{ episodes[1] }}{{ ext }}"})
    check = shelver("profile", "check", "-p", str(profile))
    assert check.returncode == 2 and clean(check), check.stdout + check.stderr
    assert "naming.tv" in check.stderr and str(profile) in check.stderr
    assert "episode" in check.stderr
    episode = video(tmp_path / "downloads" / "Breaking.Bad.S05E14.1080p.WEB-DL.mkv", 2820)
    proc = shelver("run", "-p", str(profile))
    assert proc.returncode == 2 and clean(proc), proc.stderr
    assert "naming.tv" in proc.stderr and episode.exists()
    assert states(tmp_path / "state.db") == {}  # stopped before any file was looked at
    # A template that renders everywhere still passes.
    good = make_profile("good", naming={"movie": "Films/{{ title }} ({{ year }}){{ ext }}"})
    assert shelver("profile", "check", "-p", str(good)).returncode == 0


def test_a_template_failing_on_a_real_file_ends_the_run_cleanly(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    # Renders the samples (profile check passes) but fails on one real title at run time.
    template = ('Movies/{% if title == "Heat" %}{{ no_such_field }}{% endif %}'
                '{{ title_year }}/{{ title_year }}{{ ext }}')
    profile = make_profile(workers=1, naming={"movie": template})
    assert shelver("profile", "check", "-p", str(profile)).returncode == 0
    for name in MOVIES[:3]:
        video(tmp_path / "downloads" / name, 7000)
    proc = shelver("run", "-p", str(profile))
    assert proc.returncode == 2 and clean(proc), proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("shelver: error: naming.movie: template error")
    found = states(tmp_path / "state.db")
    assert "PROCESSING" not in found.values() and found[MOVIES[1]] == "NEW"
    assert (tmp_path / "downloads" / MOVIES[1]).exists()


# -- 9: no dest_dir --------------------------------------------------------------------------


def test_a_profile_without_dest_dir_is_refused_by_check_and_run(
        tmp_path: Path, make_profile: Any, video: Any, tmdb_server: Any) -> None:
    profile = make_profile()
    settings = {"name": "nodest", "mode": "inplace", "sources": [str(tmp_path / "downloads")],
                "state_db": str(tmp_path / "state.db"), "filters": {"min_size_mb": 0},
                "tmdb": {"base_url": tmdb_server.base_url, "api_key": tmdb_server.api_key}}
    profile = write_profile(tmp_path / "nodest.toml", settings)
    movie = video(tmp_path / "downloads" / MOVIES[0], 8160)
    check = shelver("profile", "check", "-p", str(profile))
    assert check.returncode == 2 and clean(check), check.stdout + check.stderr
    assert "dest_dir" in check.stderr and str(profile) in check.stderr
    for args in (["run"], ["run", "--mode", "cache"], ["watch"]):
        proc = shelver(*args, "-p", str(profile), timeout=30)
        assert proc.returncode == 2 and clean(proc), proc.stderr
        assert "dest_dir" in proc.stderr
    assert movie.exists() and "PROCESSING" not in states(tmp_path / "state.db").values()
    # metadata-only places nothing: it needs no dest_dir.
    describe = write_profile(tmp_path / "describe.toml", {**settings, "mode": "metadata-only"})
    assert shelver("profile", "check", "-p", str(describe)).returncode == 0


# -- 10: Ctrl-C ------------------------------------------------------------------------------


@pytest.mark.slow
def test_ctrl_c_during_a_run_stops_cleanly_and_the_next_run_finishes(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB

    downloads = tmp_path / "downloads"
    for name in MOVIES:
        video(downloads / name, 7000)
    db = tmp_path / "state.db"
    with FakeTMDB(latency=0.4) as slow:
        profile = make_profile(workers=1, tmdb={"base_url": slow.base_url})
        proc = subprocess.Popen([str(BIN / "shelver"), "run", "-p", str(profile)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:  # until the run has placed a file
                try:
                    if db.exists() and "INDEXED" in states(db).values():
                        break
                except sqlite3.OperationalError:
                    pass  # the run is still creating its tables
                time.sleep(0.05)
            else:
                pytest.fail("the run never placed a file")
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 130, err
        assert "Traceback" not in err and "ExceptionGroup" not in err and "KeyboardInterrupt" not in err
        last = err.strip().splitlines()[-1]
        placed = len(list((tmp_path / "library").rglob("*.mkv")))
        left = len(list(downloads.rglob("*.mkv")))
        assert 1 <= placed < len(MOVIES) and placed + left == len(MOVIES)
        assert last == f"interrupted: {placed} placed, {left} left queued; run again to continue"
        assert "PROCESSING" not in states(db).values()
        assert rows(db, "SELECT status FROM runs ORDER BY id DESC LIMIT 1") == [("interrupted",)]
        again = shelver("run", "-p", str(profile))
        assert again.returncode == 0, again.stderr
    assert len(list((tmp_path / "library").rglob("*.mkv"))) == len(MOVIES)
    assert not list(downloads.rglob("*.mkv"))


def _interrupted_while_asking_tmdb(args: list[str], profile_for: Any
                                   ) -> subprocess.CompletedProcess[str]:
    """``shelver ARGS -p PROFILE`` stopped by Ctrl-C while it waits on a TMDB that took the
    connection and never answers (``profile_for(base_url)`` makes the profile)."""
    import socket

    silent = socket.create_server(("127.0.0.1", 0))
    profile = profile_for(f"http://127.0.0.1:{silent.getsockname()[1]}/3")
    argv = [str(BIN / "shelver"), args[0], "-p", str(profile), *args[1:]]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        silent.settimeout(60)
        waiting, _ = silent.accept()  # the command is in its request now
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        waiting.close()
    finally:
        silent.close()
        if proc.poll() is None:
            proc.kill()
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def test_ctrl_c_in_another_command_is_one_line_and_130(tmp_path: Path, make_profile: Any,
                                                        video: Any) -> None:
    film = video(tmp_path / "downloads" / MOVIES[0], 7000)
    proc = _interrupted_while_asking_tmdb(
        ["explain", str(film)], lambda url: make_profile(tmdb={"base_url": url}))
    assert (proc.returncode, proc.stderr, proc.stdout) == (130, "shelver: interrupted\n", "")


def test_ctrl_c_in_a_hook_run_by_hand_leaves_the_download_queued(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    film = video(tmp_path / "downloads" / MOVIES[0], 7000)
    proc = _interrupted_while_asking_tmdb(
        ["hook", "generic", str(film)], lambda url: make_profile(tmdb={"base_url": url}))
    assert proc.returncode == 130 and "Traceback" not in proc.stderr, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.endswith(": interrupted: 0 done, 1 left queued"), proc.stderr
    assert film.exists() and list(states(tmp_path / "state.db").values()) == ["NEW"]


def test_a_full_library_disk_is_one_plain_line_and_the_file_stays(
        tmp_path: Path, make_profile: Any, tiny_tmpfs: Path) -> None:
    import hashlib
    import random

    film = tmp_path / "downloads" / "The.Matrix.1999.1080p.BluRay.x264-GRP.mkv"
    film.parent.mkdir()
    film.write_bytes(random.Random(1).randbytes(3_000_000))  # three times the library's disk
    before = hashlib.sha256(film.read_bytes()).hexdigest()
    profile = make_profile(dest_dir=str(tiny_tmpfs / "library"), phash={"enabled": False})
    proc = shelver("run", "-p", str(profile))
    assert proc.returncode == 1, proc.stderr
    folder = tiny_tmpfs / "library" / "Movies" / "The Matrix (1999) {tmdb-603}"
    assert proc.stdout.splitlines() == [
        f"error      {film}: No space left on device (writing in {folder})"], proc.stdout
    assert "Errno" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert hashlib.sha256(film.read_bytes()).hexdigest() == before
    assert not [p for p in tiny_tmpfs.rglob("*") if p.is_file()]  # no partial copy left
    assert list(states(tmp_path / "state.db").values()) == ["ERROR"]


# -- 11: review checks first, changes after --------------------------------------------------


def _review_setup(tmp_path: Path, tmdb_server: Any, video: Any, name: str,
                  **tmdb: Any) -> tuple[Path, dict[str, str]]:
    """A profile without a key in it (TMDB_API_KEY in the environment for the first run) and
    one file left in REVIEW."""
    settings = {"name": "rv", "mode": "inplace", "sources": [str(tmp_path / "downloads")],
                "dest_dir": str(tmp_path / "library"), "state_db": str(tmp_path / "state.db"),
                "filters": {"min_size_mb": 0}, "tmdb": {"base_url": tmdb_server.base_url, **tmdb}}
    profile = write_profile(tmp_path / "rv.toml", settings)
    video(tmp_path / "downloads" / name, 2820)
    env = {"TMDB_API_KEY": tmdb_server.api_key}
    first = shelver("run", "-p", str(profile), "--json", env=env)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["status"] == "review", first.stdout
    return profile, env


def test_review_set_without_credentials_changes_nothing(tmp_path: Path, tmdb_server: Any,
                                                        video: Any) -> None:
    name = "Breaking.Bad.S05E14.Ozymandias.1080p.WEB-DL.mkv"
    profile, env = _review_setup(tmp_path, tmdb_server, video, name, min_confidence=1.5)
    db = tmp_path / "state.db"
    (item_id,) = rows(db, "SELECT id FROM items WHERE state='REVIEW'")[0]
    for args in (["accept", str(item_id)],
                 ["set", str(item_id), "--tmdb", "tv/1396", "--season", "5", "--episode", "14"],
                 ["set", str(item_id), "--id", "tmdb:tv/1396/5/14"]):
        proc = shelver("review", "-p", str(profile), *args)
        assert proc.returncode == 2 and clean(proc), proc.stderr
        assert "credentials" in proc.stderr and f"item {item_id}:" not in proc.stderr
        assert rows(db, "SELECT state, forced_identity FROM items") == [("REVIEW", None)]
        assert rows(db, "SELECT count(*) FROM queue") == [(0,)]
    # Bad input is refused before anything changes too.
    for args, says in (
            (["set", str(item_id), "--tmdb", "show/1396"], "--tmdb must look like movie/603"),
            (["set", str(item_id), "--id", "tmdb:show/1396"], "--id must look like tmdb:movie/603"),
            (["set", str(item_id), "--id", "kodi_nfo:movie/x1"],
             "kodi_nfo:movie/x1: no plugin named 'kodi_nfo' is loaded, so nothing can fetch it"),
            (["set", str(item_id)], "review set needs --id PROVIDER:KIND/ID"),
            (["set", str(item_id), "--id", "tmdb:movie/603", "--tmdb", "movie/603"],
             "review set needs --id PROVIDER:KIND/ID"),
            (["set", "999", "--id", "tmdb:movie/603"], "no item '999'"),
            (["accept", str(item_id), "9"], "there is no #9")):
        proc = shelver("review", "-p", str(profile), *args, env=env)
        assert proc.returncode == 2 and clean(proc), proc.stderr
        assert says in proc.stderr and len(proc.stderr.splitlines()) == 1, proc.stderr
        assert rows(db, "SELECT state FROM items") == [("REVIEW",)]
    # --tmdb tv/N takes the season and episode the file name says; the line says what was set.
    proc = shelver("review", "-p", str(profile), "set", str(item_id), "--tmdb", "tv/1396", env=env)
    assert proc.returncode == 0, proc.stderr
    assert f"item {item_id}: tmdb:tv/1396 S05E14" in proc.stderr.splitlines()
    assert "{" not in proc.stderr
    assert list((tmp_path / "library").rglob("*S05E14*.mkv"))
    # An item no longer in review is refused, and left as it is.
    again = shelver("review", "-p", str(profile), "accept", str(item_id), env=env)
    assert again.returncode == 2 and "not waiting for review" in again.stderr
    assert rows(db, "SELECT state FROM items") == [("INDEXED",)]


def test_review_accept_prints_the_identity_not_a_dict(tmp_path: Path, tmdb_server: Any,
                                                      video: Any) -> None:
    profile, env = _review_setup(tmp_path, tmdb_server, video, MOVIES[0], min_confidence=1.5)
    (item_id,) = rows(tmp_path / "state.db", "SELECT id FROM items WHERE state='REVIEW'")[0]
    proc = shelver("review", "-p", str(profile), "accept", str(item_id), env=env)
    assert proc.returncode == 0, proc.stderr
    assert f"item {item_id}: tmdb:movie/603" in proc.stderr.splitlines()
    assert "'type'" not in proc.stderr


def test_review_status_and_undo_show_a_hostile_name_on_one_line(tmp_path: Path,
                                                                 tmdb_server: Any, video: Any
                                                                 ) -> None:
    # A newline would forge a line of its own; an escape sequence would drive the terminal.
    name = "\x1b[2JBreaking.Bad.S05E14\nOzymandias.1080p.WEB-DL.mkv"
    profile, env = _review_setup(tmp_path, tmdb_server, video, name, min_confidence=1.5)
    shown = "\\x1b[2JBreaking.Bad.S05E14\\nOzymandias.1080p.WEB-DL.mkv"
    listing = shelver("review", "-p", str(profile), env=env)
    assert listing.returncode == 0 and clean(listing), listing.stderr
    lines = listing.stdout.splitlines()
    assert "\x1b" not in listing.stdout and lines[0].endswith(shown), listing.stdout
    assert lines[0].startswith("#") and all(line.startswith("     ") for line in lines[1:])
    assert any("1. tmdb:tv/1396" in line for line in lines), listing.stdout  # its candidates
    status = shelver("status", "-p", str(profile), env=env)
    assert "\x1b" not in status.stdout and any(
        line.startswith("last:") and line.endswith(shown) for line in status.stdout.splitlines()
    ), status.stdout
    (item_id,) = rows(tmp_path / "state.db", "SELECT id FROM items WHERE state='REVIEW'")[0]
    refused = shelver("rematch", str(item_id), "--tmdb", "tv/1396", "-p", str(profile), env=env)
    assert refused.returncode == 2 and len(refused.stderr.splitlines()) == 1, refused.stderr
    assert "\x1b" not in refused.stderr and shown in refused.stderr  # its path, escaped
    accepted = shelver("review", "-p", str(profile), "accept", str(item_id), env=env)
    assert accepted.returncode == 0, accepted.stderr
    undone = shelver("undo", "-p", str(profile), env=env)
    assert undone.returncode == 0 and "\x1b" not in undone.stdout, undone.stderr
    assert any(line.endswith(shown) for line in undone.stdout.splitlines()), undone.stdout
    assert (tmp_path / "downloads" / name).exists()


# -- 12: a state DB that cannot be used ------------------------------------------------------


def _good_db(tmp_path: Path, profile: Path) -> Path:
    proc = shelver("status", "-p", str(profile))
    assert proc.returncode == 0, proc.stderr
    db = tmp_path / "state.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


COMMANDS = (["run"], ["status"], ["review"], ["scan"], ["undo", "--list"], ["watch"])


@pytest.mark.parametrize("damage", ["random", "truncated", "newer"])
def test_a_state_db_that_cannot_be_used_is_one_line_and_exit_2(
        tmp_path: Path, make_profile: Any, video: Any, damage: str) -> None:
    profile = make_profile()
    movie = video(tmp_path / "downloads" / MOVIES[0], 8160)
    db = _good_db(tmp_path, profile)
    if damage == "random":
        db.write_bytes(os.urandom(64 * 1024))
        expected = f"state DB {db} is not a database (corrupt or truncated)"
    elif damage == "truncated":
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 3])
        expected = f"state DB {db} is not a database (corrupt or truncated)"
    else:
        with sqlite3.connect(db) as conn:
            conn.execute("INSERT INTO _shelver_migrations (name, applied_at) VALUES (?, ?)",
                         ("core-099-from-the-future", time.time()))
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        expected = (f"state DB {db} was written by a newer shelver "
                    "(migration core-099-from-the-future unknown)")
    before = db.read_bytes()
    for args in COMMANDS:
        proc = shelver(*args, "-p", str(profile), timeout=30)
        assert proc.returncode == 2, (args, proc.stderr)
        assert clean(proc), (args, proc.stderr)
        assert proc.stderr.startswith(f"shelver: error: {expected}"), (args, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    for only in ([], ["--enqueue-only"]):  # processed inline, or only queued by the fast path
        hook = shelver("hook", *only, "generic", str(movie), "-p", str(profile), timeout=30)
        assert hook.returncode == 2 and clean(hook), hook.stderr
        assert hook.stderr.startswith(f"shelver: error: {expected}"), hook.stderr
    assert db.read_bytes() == before and movie.exists()


def test_a_read_only_state_db_is_one_line_and_exit_2(tmp_path: Path, make_profile: Any,
                                                     video: Any) -> None:
    profile = make_profile()
    movie = video(tmp_path / "downloads" / MOVIES[0], 8160)
    db = _good_db(tmp_path, profile)
    db.chmod(0o444)
    immutable = False
    if os.access(db, os.W_OK):  # root: permissions do not stop it; an immutable file does
        immutable = subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode == 0
        if not immutable:
            pytest.skip("cannot make a file read-only for this user")
    try:
        for args in COMMANDS:
            proc = shelver(*args, "-p", str(profile), timeout=30)
            assert proc.returncode == 2 and clean(proc), (args, proc.stderr)
            assert proc.stderr.startswith(f"shelver: error: state DB {db} is read-only"), proc.stderr
        hook = shelver("hook", "generic", str(movie), "-p", str(profile), timeout=30)
        assert hook.returncode != 0 and clean(hook) and "is read-only" in hook.stderr, hook.stderr
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(db)], check=True)
        db.chmod(0o644)
    assert movie.exists()


# -- 13: two profiles, one DB, the same sources -----------------------------------------------


def test_the_profile_that_placed_a_file_is_the_one_recorded(tmp_path: Path, make_profile: Any,
                                                            video: Any) -> None:
    # "strict" sees the files first but places none (nothing is confident enough for it);
    # "main" places them. Each file is placed once, recorded under "main".
    strict = make_profile("strict", tmdb={"min_confidence": 1.5})
    main = make_profile("main")
    for name in MOVIES[:2]:
        video(tmp_path / "downloads" / name, 7000)
    first = shelver("run", "-p", str(strict), "--json")
    assert first.returncode == 0, first.stderr
    assert {json.loads(line)["status"] for line in first.stdout.splitlines()} == {"review"}
    second = shelver("run", "-p", str(main), "--json")
    assert second.returncode == 0, second.stderr
    assert {json.loads(line)["status"] for line in second.stdout.splitlines()} == {"organised"}
    recorded = rows(tmp_path / "state.db", "SELECT state, profile FROM items")
    assert recorded == [("INDEXED", "main")] * 2
    assert shelver("review", "-p", str(strict)).stdout.strip() == "nothing waits for review"
    assert len(list((tmp_path / "library").rglob("*.mkv"))) == 2


@pytest.mark.parametrize(("kind", "template", "fails_on"), [
    ("movie", "Movies/{{ title.nope() }}{{ ext }}", "movie"),
    ("tv", "TV/{{ show }} E{{ episodes[1] }}{{ ext }}", "episode"),
    ("tv", "TV/{{ show }}{% if episodes|length > 1 %} {{ episodes[7] }}{% endif %}{{ ext }}",
     "episode"),  # only a multi-episode file fails
])
def test_shelver_check_profile_renders_each_template_against_samples(
        tmp_path: Path, kind: str, template: str, fails_on: str) -> None:
    from shelver.errors import ConfigError
    from shelver.manager import get_plugin_manager
    from shelver.profiles import validate

    pm = get_plugin_manager()
    path = tmp_path / "p.toml"
    profile = validate({"dest_dir": str(tmp_path / "lib"), "naming": {kind: template}},
                       path=path, pm=pm)
    with pytest.raises(ConfigError, match=rf"naming\.{kind}.*sample {fails_on}; naming\.{kind} in {path}"):
        pm.hook.shelver_check_profile(profile=profile, mode="inplace")
    fine = validate({"dest_dir": str(tmp_path / "lib")}, path=path, pm=pm)
    pm.hook.shelver_check_profile(profile=fine, mode="inplace")

