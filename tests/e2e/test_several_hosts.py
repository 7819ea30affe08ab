"""Several hosts behind one IP sharing TMDB's rate through one real Redis (docs/operations.md,
"Several hosts"): three ``shelver run`` processes, each with its own state DB, downloads and
library, against one TMDB look-alike that enforces one limit for all of them together, as TMDB
does per IP. ``bench/hosts.py`` measures the same at 40/10 s over 300 films; this is its short
form, with a control: the same three hosts on their own limiters do get 429s."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import BIN, write_profile
from redishelp import RedisServer, shared_server
from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB

HOSTS = 3
LIMIT, WINDOW = 8, 2.0  # the look-alike's limit for every host together
RATE = "7/2s"  # tmdb.rate: a margin under the limit, as the default 35/10s is under TMDB's 40
FILMS = [("Pulp.Fiction.1994", 9192, 680), ("Fight.Club.1999", 8272, 550),
         ("Toy.Story.1995", 4864, 862), ("Mad.Max.Fury.Road.2015", 7273, 76341),
         ("Barbie.2023", 6771, 346698), ("Knives.Out.2019", 7865, 546554),
         ("The.Social.Network.2010", 7269, 37799), ("Arrival.2016", 6930, 329865),
         ("Memento.2000", 6823, 77), ("Jaws.1975", 7529, 578),
         ("E.T.the.Extra-Terrestrial.1982", 6978, 601), ("Heat.1995", 10146, 949)]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    yield from shared_server(tmp_path_factory)  # one password-protected server (redishelp)


def run_hosts(root: Path, server: FakeTMDB, films: list[tuple[str, int, int]], video: Any,
              limiter: str) -> list[dict[str, Any]]:
    """The hosts' ``shelver run --json`` at once, each with ``films[host::HOSTS]``; per host,
    its exit status and the TMDB ids it organised."""
    procs = []
    for host in range(HOSTS):
        folder = root / f"host{host + 1}"
        for name, seconds, _id in films[host::HOSTS]:
            video(folder / "downloads" / f"{name}.1080p.BluRay.x264-GRP.mkv", seconds)
        profile = write_profile(folder / "host.toml", {
            "name": f"host{host + 1}", "mode": "inplace", "sources": [str(folder / "downloads")],
            "dest_dir": str(folder / "library"), "state_db": str(folder / "state.db"),
            "filters": {"min_size_mb": 0},
            "tmdb": {"base_url": server.base_url, "api_key": server.api_key,
                     "rate": RATE, "limiter": limiter,
                     "expected_hosts": HOSTS},
            "phash": {"enabled": False}, "artwork": {"enabled": False}})
        procs.append(subprocess.Popen([str(BIN / "shelver"), "run", "-p", str(profile), "--json"],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        ids = sorted(int(r["tmdb"]["id"]) for r in map(json.loads, out.splitlines())
                     if r["status"] == "organised")
        outcomes.append({"code": proc.returncode, "ids": ids, "stderr": err})
    return outcomes


@pytest.mark.slow  # about 14 s: 39 requests at 7 per 2 s, and the control's 429s
def test_three_hosts_share_one_rate_through_redis_and_get_no_429(
        tmp_path: Path, redis_server: RedisServer, video: Any) -> None:
    with FakeTMDB(rate_limit=(LIMIT, WINDOW)) as server:
        outcomes = run_hosts(tmp_path / "shared", server, FILMS, video, redis_server.url)
        requests = [r for r in server.requests if r.path.startswith("/3/")]
    for host, outcome in enumerate(outcomes):
        assert outcome["code"] == 0, outcome["stderr"]
        assert outcome["ids"] == sorted(i for _n, _s, i in FILMS[host::HOSTS])
        assert "Redis" not in outcome["stderr"], outcome["stderr"]  # no fall-back
    assert len(requests) >= HOSTS + 2 * len(FILMS)  # a key check per host, two per film
    assert [r for r in requests if r.status == 429] == []
    # Together they kept to the one rate: never more than LIMIT in any WINDOW.
    times = sorted(r.time for r in requests)
    assert all(later - times[n] >= WINDOW * 0.95
               for n, later in enumerate(times[LIMIT:])), times

    # The control: the same hosts each on their own limiter (the state DB's) together go over
    # the look-alike's limit, which answers 429; they still finish (Retry-After honoured).
    with FakeTMDB(rate_limit=(LIMIT, WINDOW)) as alone:
        controls = run_hosts(tmp_path / "alone", alone, FILMS[:HOSTS * 2], video, "")
        throttled = [r for r in alone.requests if r.status == 429]
    assert throttled, "three hosts at the full rate each should have met the shared limit"
    assert [o["code"] for o in controls] == [0] * HOSTS, [o["stderr"] for o in controls]
