"""Two instances on one host (new downloads + backlog): a lock each, one state DB, one TMDB cache,
one rate limit, and a burst of hooks while both run: every file processed exactly once, no 429.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.conftest import BIN, shelver, write_profile
from tests.hooks.hookhelp import (
    HOOKS,
    QBT_TEMPLATE,
    hook_env,
    library_files,
    qbittorrent_argv,
    qbt_torrent,
    run,
    sabnzbd_call,
    transmission_env,
    with_hook,
)

BREAKING_BAD = {1: 7, 2: 13, 3: 13, 4: 13, 5: 16}  # 62 episodes
MOVIES = [("Pulp.Fiction.1994", 9192), ("Fight.Club.1999", 8272), ("Toy.Story.1995", 4864),
          ("Mad.Max.Fury.Road.2015", 7273), ("Barbie.2023", 6771), ("Knives.Out.2019", 7865),
          ("The.Social.Network.2010", 7269), ("Arrival.2016", 6930), ("Memento.2000", 6823),
          ("E.T.the.Extra-Terrestrial.1982", 6978), ("Terminator.2.Judgment.Day.1991", 8306),
          ("Casablanca.1942", 6200), ("Goodfellas.1990", 8677), ("Forrest.Gump.1994", 8548),
          ("Heat.1995", 10146), ("Joker.2019", 7294), ("Jaws.1975", 7529), ("The.Godfather.1972", 10426)]


def instances(state_db: Path) -> dict[str, int]:
    if not state_db.exists():
        return {}
    try:
        with sqlite3.connect(state_db, timeout=30) as conn:
            return dict(conn.execute("SELECT profile, pid FROM instances").fetchall())
    except sqlite3.OperationalError:
        return {}


def start_daemons(profiles: dict[str, Path], state_db: Path) -> dict[str, subprocess.Popen[str]]:
    daemons = {name: subprocess.Popen([str(BIN / "shelver"), "watch", "-p", str(path)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      env=hook_env())
               for name, path in profiles.items()}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        alive = instances(state_db)
        if all(alive.get(name) == daemon.pid for name, daemon in daemons.items()):
            return daemons
        for daemon in daemons.values():
            assert daemon.poll() is None, daemon.communicate()[1]
        time.sleep(0.1)
    raise AssertionError(f"daemons did not start: {instances(state_db)}")


def stop(daemons: dict[str, subprocess.Popen[str]]) -> dict[str, int]:
    codes = {}
    for daemon in daemons.values():
        if daemon.poll() is None:
            daemon.send_signal(signal.SIGINT)
    for name, daemon in daemons.items():
        try:
            daemon.wait(timeout=15)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        codes[name] = daemon.returncode
    return codes


def test_burst_of_hooks_with_both_instances_running(tmp_path: Path, video: Any) -> None:
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB

    state_db = tmp_path / "state.db"
    complete = tmp_path / "complete"
    with FakeTMDB(rate_limit=(20, 1.0)) as tmdb:
        common = {"mode": "inplace", "dest_dir": str(tmp_path / "library"), "state_db": str(state_db),
                  "filters": {"min_size_mb": 0}, "plugins": {"disable": ["phash", "artwork"]},
                  "watch": {"settle_seconds": 0.3, "sweep_interval": 3600, "heartbeat_seconds": 1}}
        nd = write_profile(tmp_path / "nd.toml", {
            **common, "name": "nd", "sources": [str(tmp_path / "nd-src")], "workers": 4,
            "tmdb": {"base_url": tmdb.base_url, "api_key": tmdb.api_key, "rate": "16/1s"}})
        backlog = write_profile(tmp_path / "backlog.toml", {
            **common, "name": "backlog", "sources": [str(tmp_path / "bl-src")], "workers": 2,
            "tmdb": {"base_url": tmdb.base_url, "api_key": tmdb.api_key, "rate": "16/1s",
                     "share": 0.3}})
        with_hook(nd, categories={"tv": "nd", "movies": "nd", "archive": "backlog"})
        for folder in ("nd-src", "bl-src"):
            (tmp_path / folder).mkdir()
        calls: list[tuple[list[str], dict[str, str], str]] = []
        template = QBT_TEMPLATE.replace("PROFILE", str(nd))
        for season, count in BREAKING_BAD.items():
            for episode in range(1, count + 1):
                release = f"Breaking.Bad.S{season:02d}E{episode:02d}.720p.HDTV.x264-GRP"
                content = video(complete / release / f"{release}.mkv", 2820, seed=season * 100 + episode).parent
                calls.append((["shelver", "hook", "-p", str(nd), "transmission"],
                              transmission_env(content, labels="tv"), "nd"))
        for number, (title, seconds) in enumerate(MOVIES):
            content = video(complete / f"{title}.1080p.BluRay.x264-GRP.mkv", seconds, seed=number)
            calls.append((qbittorrent_argv(template, qbt_torrent(content, category="movies")), {}, "nd"))
        for episode in range(1, 21):
            release = f"Friends.S01E{episode:02d}.DVDRip.x264-GRP"
            content = video(complete / release / f"{release}.mkv", 1300, seed=episode).parent
            args, env = sabnzbd_call(content, category="archive")
            calls.append(([str(HOOKS / "sabnzbd.sh"), *args], {**env, "SHELVER_PROFILE": str(nd)},
                          "backlog"))
        assert len(calls) == 100

        daemons = start_daemons({"nd": nd, "backlog": backlog}, state_db)
        try:
            second = shelver("watch", "-p", str(backlog), timeout=30)
            assert second.returncode == 2 and "already being watched" in second.stderr
            status = shelver("status", "-p", str(nd))
            assert status.returncode == 0, status.stderr
            daemon_lines = [line for line in status.stdout.splitlines() if line.startswith("daemon:")]
            assert len(daemon_lines) == 2 and all("(alive)" in line for line in daemon_lines)

            started = time.monotonic()
            with ThreadPoolExecutor(10) as pool:
                procs = list(pool.map(lambda call: run(call[0], hook_env(call[1])), calls))
            burst = time.monotonic() - started
            for proc, (_argv, _env, profile) in zip(procs, calls, strict=True):
                assert proc.returncode == 0, proc.stdout + proc.stderr
                assert f"queued 1 file(s) for profile {profile}; the daemon (pid " in proc.stdout

            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with sqlite3.connect(state_db, timeout=30) as conn:
                    states = dict(conn.execute("SELECT state, count(*) FROM items GROUP BY state"))
                if states.get("INDEXED", 0) + states.get("ERROR", 0) + states.get("REVIEW", 0) >= 100:
                    break
                time.sleep(0.5)
            report = json.loads(shelver("status", "-p", str(nd), "--json").stdout)
        finally:
            codes = stop(daemons)
        assert codes == {"nd": 0, "backlog": 0}, [d.stderr.read() for d in daemons.values() if d.stderr]
        print(f"burst of 100 hooks: {burst:.1f} s; then organised in {time.monotonic() - started:.1f} s; "
              f"TMDB requests {tmdb.count()}, 429: {tmdb.count(status=429)}")
        assert tmdb.count(status=429) == 0
        assert {i["profile"] for i in report["instances"]} == {"nd", "backlog"}
        assert set(report["sections"]["tmdb"]["rate"]["by_instance"]) <= {"nd", "backlog"}

    assert states == {"INDEXED": 100}, states
    with sqlite3.connect(state_db) as conn:
        moves = conn.execute("SELECT j.item_id, r.profile FROM journal j JOIN runs r ON r.id = j.run_id"
                             " WHERE j.step='done' AND j.op='move'").fetchall()
        owners = {row[0] for row in conn.execute("SELECT DISTINCT owner FROM tmdb_rate_log")}
        sources = dict(conn.execute("SELECT id, source_path FROM items").fetchall())
    assert len(moves) == 100 and len({item for item, _p in moves}) == 100  # each exactly once
    by_profile = {profile: sum(1 for _i, p in moves if p == profile) for profile in ("nd", "backlog")}
    assert by_profile == {"nd": 80, "backlog": 20}
    assert all(("Friends" in sources[item]) == (profile == "backlog") for item, profile in moves)
    assert owners <= {"nd", "backlog"}  # the rate limiter knows each instance by its profile
    assert len(library_files(tmp_path / "library")) == 100
    assert not any(p.suffix == ".mkv" for p in complete.rglob("*"))


def test_backlog_share_leaves_the_rate_to_new_downloads(tmp_path: Path) -> None:
    """Both want every token they can get for two windows: together they stay within the rate,
    the backlog (share 0.3) never takes more than 30% of any window, new downloads get the rest."""
    from shelver.plugins.tmdb.cache import migrate_tmdb_tables
    from shelver.plugins.tmdb.ratelimit import RateLimiter
    from shelver.store import StateDB

    state_db = tmp_path / "state.db"
    StateDB(state_db, [("tmdb-001-cache-and-rate-limit", migrate_tmdb_tables)]).close()
    limiters = {"nd": RateLimiter(state_db, "10/1s", owner="nd"),
                "backlog": RateLimiter(state_db, "10/1s", owner="backlog", share=0.3)}
    taken: list[tuple[float, str]] = []
    end = time.time() + 2.6
    while time.time() < end:
        for owner in ("backlog", "nd"):  # the backlog asks first every time
            if limiters[owner].try_acquire() == 0:
                taken.append((time.time(), owner))
        time.sleep(0.004)
    for limiter in limiters.values():
        limiter.close()
    for start, _owner in taken:
        window = [owner for at, owner in taken if start <= at < start + 1.0]
        assert len(window) <= 10 and window.count("backlog") <= 3, window
    assert sum(1 for _at, owner in taken if owner == "nd") >= 2 * sum(
        1 for _at, owner in taken if owner == "backlog")
