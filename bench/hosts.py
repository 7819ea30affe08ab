"""Several hosts benchmark: three shelver instances sharing TMDB's rate through one Redis.

Run: ``.venv/bin/python bench/hosts.py`` (about 6 minutes: 600 TMDB requests at 40 per 10 s,
twice; ``--titles 60`` for a shorter run). Everything is real but the hosts: a ``redis-server``
on loopback (the Debian package, installed when missing, as the tests do), the TMDB look-alike
(``FakeTMDB``) enforcing **40 requests per 10 s** for everyone together and counting its 429s,
and three ``shelver run --json`` subprocesses standing in for three hosts behind one IP: each
with its own state DB, its own downloads and library, ``tmdb.rate = "40/10s"``,
``tmdb.limiter`` naming the one Redis and ``tmdb.expected_hosts = 3``.

The titles: the look-alike's snapshot has 115 films, so 300 distinct films are synthesised from
one of them (ids 900001..., invented two-word titles, one year each) and served by the same
look-alike; each host gets 100 of them as real tiny video files (one made with PyAV, copied;
``[phash]`` and ``[artwork]`` off). A film costs 2 requests (search + details), a run 1 more
(the credential check).

(a) **shared**: the three runs at once; 429s (target 0) and the rate budget used, requests /
    (40 × windows from the first request to the last) (target ≥ 85 %).
(b) **Redis stopped mid-run**: the same with fresh state DBs and folders, Redis stopped 30 s in;
    each instance says so once, waits a window, goes on at 1/3 of the rate on its own limiter;
    every run must finish, with 0 × 429.

Exits 0; prints ``over target`` beside a figure that misses its target instead of failing.
"""

from __future__ import annotations

import argparse
import collections
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]  # redishelp imports tests.apt
from redishelp import RedisServer, install_redis  # noqa: E402  (the tests' helper, on purpose)

BIN = Path(sys.executable).parent
HOSTS = 3
LIMIT, WINDOW = 40, 10.0
TARGET_BUDGET = 0.85
RUNTIME_MINUTES = 100
SYLLABLES = ["var", "nok", "tel", "ith", "mor", "quen", "dal", "rix", "bel", "sor", "thu", "ga",
             "lem", "pyr", "osk", "wen", "cal", "dro"]


def invented_titles(count: int) -> list[str]:
    """``count`` distinct two-word titles no real film has (syllables joined)."""
    words = [(a + b).capitalize() for a in SYLLABLES for b in SYLLABLES if a != b]
    titles = []
    for n in range(count):
        first, second = words[n % len(words)], words[(n * 7 + 3) % len(words)]
        titles.append(f"{first} {second}")
    if len(set(titles)) != count:
        raise SystemExit("invented titles collide: change the syllables")
    return titles


def snapshot_with_films(count: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The look-alike's snapshot plus ``count`` synthesised films (a copy of one real film each
    under a new id, title and year)."""
    from shelver.plugins.tmdb.fake.tmdb_server import load_snapshot

    snapshot = load_snapshot()
    template = min(snapshot["movies"].values(), key=lambda m: m["id"])
    films = []
    for n, title in enumerate(invented_titles(count)):
        film = copy.deepcopy(template)
        film.update(id=900001 + n, title=title, original_title=title, imdb_id=None,
                    release_date=f"{1960 + n % 60}-0{1 + n % 9}-1{n % 10}",
                    runtime=RUNTIME_MINUTES, alternative_titles={"titles": []},
                    belongs_to_collection=None, popularity=10.0 + n % 7)
        film["external_ids"] = {"imdb_id": None}
        snapshot["movies"][str(film["id"])] = film
        films.append(film)
    return snapshot, films


def write_profile(path: Path, settings: dict[str, Any]) -> Path:
    import tomli_w

    path.write_text(tomli_w.dumps(settings), encoding="utf-8")
    return path


def isolated_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TMDB_API_KEY", "TMDB_READ_TOKEN")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local/share"), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_STATE_HOME=str(home / ".local/state"), SHELVER_LOAD_PLUGINS="")
    return env


def prepare_hosts(work: Path, films: list[dict[str, Any]], proto: Path, server: Any,
                  redis_url: str) -> list[tuple[Path, Path]]:
    """Each host's (profile, downloads): its share of the films as files, its own state DB."""
    hosts = []
    for host in range(HOSTS):
        root = work / f"host{host + 1}"
        downloads = root / "downloads"
        downloads.mkdir(parents=True)
        for film in films[host::HOSTS]:
            name = f"{film['title'].replace(' ', '.')}.{film['release_date'][:4]}.1080p.BluRay.x264-GRP"
            shutil.copyfile(proto, downloads / f"{name}.mkv")
        profile = write_profile(root / "host.toml", {
            "name": f"host{host + 1}", "mode": "inplace", "sources": [str(downloads)],
            "dest_dir": str(root / "library"), "state_db": str(root / "state.db"),
            "filters": {"min_size_mb": 0},
            "tmdb": {"base_url": server.base_url, "api_key": server.api_key,
                     "rate": f"{LIMIT}/{WINDOW:g}s", "limiter": redis_url,
                     "expected_hosts": HOSTS},
            "phash": {"enabled": False}, "artwork": {"enabled": False}})
        hosts.append((profile, downloads))
    return hosts


def run_hosts(hosts: list[tuple[Path, Path]], env: dict[str, str], *,
              stop_redis: RedisServer | None = None, stop_after: float = 30.0
              ) -> tuple[list[dict[str, Any]], float | None]:
    """The hosts' runs at once; with ``stop_redis``, Redis is stopped ``stop_after`` s in."""
    started = time.monotonic()
    procs = [subprocess.Popen([str(BIN / "shelver"), "run", str(downloads), "-p", str(profile),
                               "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for profile, downloads in hosts]
    stopped_at: list[float] = []
    if stop_redis is not None:
        def stop() -> None:
            time.sleep(stop_after)
            stop_redis.stop()
            stopped_at.append(time.monotonic())  # the look-alike logs monotonic times
        threading.Thread(target=stop, daemon=True).start()
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=1800)
        results = [json.loads(line) for line in out.splitlines() if line.strip().startswith("{")]
        outcomes.append({"code": proc.returncode, "results": results, "stderr": err,
                         "elapsed": time.monotonic() - started})
    return outcomes, (stopped_at[0] if stopped_at else None)


def report(title: str, server: Any, outcomes: list[dict[str, Any]], films: int,
           stopped_at: float | None) -> None:
    requests = [r for r in server.requests if r.path.startswith("/3/")]
    throttled = sum(1 for r in requests if r.status == 429)
    span = requests[-1].time - requests[0].time if len(requests) > 1 else 0.0
    windows = span / WINDOW
    budget = len(requests) / (LIMIT * windows) if windows else float("nan")
    first = requests[0].time if requests else 0.0
    per_window = collections.Counter(int((r.time - first) // WINDOW) for r in requests)
    counts = [per_window.get(i, 0) for i in range(max(per_window) + 1)] if per_window else []
    statuses: collections.Counter[str] = collections.Counter(
        r["status"] for o in outcomes for r in o["results"])
    print(f"\n{title}")
    print(f"  films                 {films} distinct, {films // HOSTS} per host")
    print(f"  runs                  exit {[o['code'] for o in outcomes]}, "
          f"{max(o['elapsed'] for o in outcomes):.0f} s; outcomes "
          + ", ".join(f"{k} {n}" for k, n in sorted(statuses.items())))
    print(f"  429                   {throttled}  (target 0){'' if throttled == 0 else '  over target'}")
    if throttled:
        print("  429 at                " + ", ".join(f"{r.time - first:.1f} s" for r in requests
                                                   if r.status == 429))
    print(f"  API requests          {len(requests)} over {span:.1f} s = {windows:.2f} windows of "
          f"{WINDOW:g} s")
    flag = "" if budget >= TARGET_BUDGET else "  over target"
    print(f"  rate budget used      {budget:.1%}  ({len(requests)} / ({LIMIT} x {windows:.2f}); "
          f"target >= {TARGET_BUDGET:.0%}){'' if stopped_at else flag}")
    print(f"  per {WINDOW:g} s window     {' '.join(map(str, counts))}")
    if stopped_at is not None:
        after = [r for r in requests if r.time >= stopped_at]
        print(f"  Redis stopped         {stopped_at - first:.0f} s in; {len(after)} requests after "
              f"it, at most {max(collections.Counter(int((r.time - stopped_at) // WINDOW) for r in after).values(), default=0)}"
              f" per window (each host's share: {LIMIT // HOSTS})")
        warned = [line for o in outcomes for line in o["stderr"].splitlines()
                  if "TMDB rate limiter: Redis" in line]
        print(f"  fall-back warnings    {len(warned)} (one per host)"
              + (f": {warned[0].strip()[:200]}" if warned else ""))
    for n, outcome in enumerate(outcomes, start=1):
        if outcome["code"] not in (0, 1):
            print(f"  host{n} failed: {outcome['stderr'][-1500:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=300)
    parser.add_argument("--stop-after", type=float, default=30.0,
                        help="seconds into (b) when Redis is stopped")
    parser.add_argument("--phases", nargs="+", default=["shared", "redis-stopped"],
                        choices=["shared", "redis-stopped"])
    args = parser.parse_args()
    why = install_redis()
    if why:
        print(f"bench/hosts: {why}")
        return 0
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB
    from shelver.testing.media import make_video

    snapshot, films = snapshot_with_films(args.titles)
    with tempfile.TemporaryDirectory(prefix="shelver-bench-hosts-") as tmp:
        work = Path(tmp)
        env = isolated_env(work / "home")
        proto = make_video(work / "proto.mkv", RUNTIME_MINUTES * 60.0)
        for phase in args.phases:
            redis_server = RedisServer(work / f"redis-{phase}").start()
            try:
                with FakeTMDB(snapshot, rate_limit=(LIMIT, WINDOW)) as server:
                    hosts = prepare_hosts(work / phase, films, proto, server, redis_server.url)
                    outcomes, stopped_at = run_hosts(
                        hosts, env, stop_redis=redis_server if phase == "redis-stopped" else None,
                        stop_after=args.stop_after)
                    title = ("(a) three hosts sharing one Redis limiter" if phase == "shared" else
                             f"(b) Redis stopped {args.stop_after:g} s into the run")
                    report(f"{title}; look-alike at {LIMIT}/{WINDOW:g}s", server, outcomes,
                           len(films), stopped_at)
            finally:
                redis_server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
