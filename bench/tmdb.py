"""TMDB benchmark: requests against the lower bound, 429s, and the share of the rate budget used.

Run: ``.venv/bin/python bench/tmdb.py`` (about 3 minutes on two cores). Everything goes through
the real CLI (``shelver run --json`` as a subprocess) against the loopback TMDB look-alike
(``shelver.plugins.tmdb.fake.tmdb_server.FakeTMDB``) with real tiny video files:

(a) **corpus**: the 290 names of ``tests/corpus/release_names.json`` end to end; placed right /
    wrong / left for review against the expected outcome; API requests against the lower bound;
    429s; then a second run over a fresh copy of the same releases (same state DB): its requests.
    The server enforces 35 requests per 2 s and the client is set to exactly that (the default
    35/10s on a 5× faster clock, to keep the run short; ``--default-clock`` uses 35/10s).
(b) **backlog**: 1,000 files synthesised from the snapshot (100 films, 6 second releases of
    some, 894 episodes of 10 shows over 60 seasons; ``[phash]`` and ``[artwork]`` off) against
    a server enforcing 35 per 10 s, the client at its default ``tmdb.rate = "35/10s"``: 429s,
    requests per item against the lower bound, and the share of the rate budget used from the
    first API request to the last.
(c) ``--two-profiles`` (about 1 more minute): two profiles at once, each ``10/10s``, one state
    DB, against a server allowing 24 per 10 s, 15 films each: 429s, organised.

Definitions. API requests are the server's answers under ``/3/``; the one ``/3/configuration``
credential check per run is counted apart (it is never cached: it is what makes a wrong key
exit 2 before any file is touched). Lower bound: 2 per distinct film (search + details) and
2 + 1 per season for each distinct show (search + details + each season on disk), over the
titles the corpus expects to be organised (searches for names that rightly end in REVIEW are
requests beyond the bound). Budget used: requests made / (N × elapsed windows), elapsed windows
= (last API request − first) / W, for a limit of N per W seconds; the per-window counts are
printed too (the first window holds one request fewer: the credential check).

Exits 0; prints ``over target`` beside a figure that misses its target instead of failing.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CORPUS = REPO / "tests" / "corpus" / "release_names.json"
VIDEO_EXTS = (".mkv", ".mp4", ".m4v", ".avi", ".mov", ".ts", ".webm")

TARGET_RIGHT = 0.97
TARGET_RATIO = 1.15
TARGET_BUDGET = 0.90


# ---------------------------------------------------------------------------------------------
# Plumbing
# ---------------------------------------------------------------------------------------------


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


def profile_for(work: Path, name: str, server: Any, sources: list[Path], library: Path,
                **sections: dict[str, Any]) -> Path:
    settings: dict[str, Any] = {
        "name": name, "mode": "inplace", "sources": [str(s) for s in sources],
        "dest_dir": str(library), "state_db": str(work / "state.db"),
        "filters": {"min_size_mb": 0},
        "tmdb": {"base_url": server.base_url, "api_key": server.api_key},
    }
    for section, values in sections.items():
        settings[section] = {**settings.get(section, {}), **values}
    return write_profile(work / f"{name}.toml", settings)


def run_cli(args: list[str], env: dict[str, str]) -> tuple[int, list[dict[str, Any]], str, float]:
    started = time.monotonic()
    proc = subprocess.run([str(BIN / "shelver"), *args], capture_output=True, text=True, env=env,
                          timeout=900)
    elapsed = time.monotonic() - started
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return proc.returncode, results, proc.stderr, elapsed


def api_requests(server: Any, since: int = 0) -> list[Any]:
    return [r for r in server.requests[since:] if r.path.startswith("/3/")]


def lower_bound(identities: list[dict[str, Any]]) -> int:
    """2 per distinct film; 2 + 1 per season on disk for each distinct show."""
    films: set[int] = set()
    shows: dict[int, set[int]] = collections.defaultdict(set)
    for identity in identities:
        if identity["type"] == "movie":
            films.add(identity["id"])
        else:
            shows[identity["id"]].add(identity["season"])
    return 2 * len(films) + sum(2 + len(seasons) for seasons in shows.values())


def same_identity(got: dict[str, Any] | None, want: dict[str, Any]) -> bool:
    if got is None or got["type"] != want["type"] or got["id"] != want["id"]:
        return False
    return want["type"] == "movie" or (got.get("season") == want["season"]
                                       and got.get("episodes") == want["episodes"])


def verdict(ok: bool) -> str:
    return "" if ok else "  over target"


class Table:
    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[tuple[str, str, str]] = []

    def add(self, name: str, value: str, note: str = "") -> None:
        self.rows.append((name, value, note))

    def print(self) -> None:
        width = max(len(r[0]) for r in self.rows)
        value_width = max(len(r[1]) for r in self.rows if len(r[1]) <= 16)
        print(f"\n{self.title}")
        print("-" * len(self.title))
        for name, value, note in self.rows:
            print(f"  {name:<{width}}  {value:>{value_width}}  {note}".rstrip())
        sys.stdout.flush()


# ---------------------------------------------------------------------------------------------
# (a) The corpus
# ---------------------------------------------------------------------------------------------


def _make_video(args: tuple[Path, float, int]) -> None:
    from shelver.testing.media import make_video

    make_video(args[0], args[1], seed=args[2])


def build_corpus(downloads: Path, entries: list[dict[str, Any]]) -> None:
    """The corpus as files, as tests/e2e/test_run.py builds its slice (videos on two cores)."""
    videos = []
    for seed, entry in enumerate(entries):
        target = downloads / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix.lower() in VIDEO_EXTS and entry.get("duration"):
            videos.append((target, float(entry["duration"]), seed))
        else:
            target.write_text(f"{target.name}\n", encoding="utf-8")
    with concurrent.futures.ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        list(pool.map(_make_video, videos, chunksize=8))


def corpus_bench(work: Path, env: dict[str, str], *, default_clock: bool) -> Table:
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB

    entries = json.loads(CORPUS.read_text(encoding="utf-8"))
    entries = entries["entries"] if isinstance(entries, dict) else entries
    pristine, downloads = work / "corpus-pristine", work / "downloads"
    started = time.monotonic()
    build_corpus(pristine, entries)
    shutil.copytree(pristine, downloads)
    made_in = time.monotonic() - started
    window = 10.0 if default_clock else 2.0
    with FakeTMDB(rate_limit=(35, window)) as server:
        profile = profile_for(work, "corpus", server, [downloads], work / "library",
                              tmdb={"rate": f"35/{window:g}s"})
        code, results, stderr, elapsed = run_cli(["run", str(downloads), "-p", str(profile),
                                                  "--json"], env)
        if code not in (0, 1):
            raise SystemExit(f"corpus run failed ({code}):\n{stderr[-3000:]}")
        first = api_requests(server)
        by_source = {r["source"]: r for r in results}
        right = wrong = review = expected_organised = 0
        problems = []
        for entry in entries:
            expect = entry["expect"]
            if expect["status"] == "companion":
                continue
            result = by_source.get(str(downloads / entry["path"]))
            if result is None:
                problems.append(f"no result: {entry['path']}")
                continue
            placed = result["status"] in ("organised", "duplicate")
            if expect["status"] == "organised":
                expected_organised += 1
                if result.get("tmdb") is None:
                    review += 1
                    problems.append(f"not identified: {entry['path']} ({result['status']})")
                elif same_identity(result.get("tmdb"), expect["tmdb"]) and placed:
                    right += 1
                elif placed or result.get("tmdb") is not None:
                    wrong += 1
                    problems.append(f"WRONG: {entry['path']} -> {result['tmdb']}")
            elif result.get("tmdb") is not None and placed:
                wrong += 1
                problems.append(f"WRONG: {entry['path']} placed as {result['tmdb']}")
        bound = lower_bound([e["expect"]["tmdb"] for e in entries
                             if e["expect"]["status"] == "organised"])
        checks = sum(1 for r in first if r.path == "/3/configuration")
        lookups = len(first) - checks
        throttled = sum(1 for r in first if r.status == 429)

        # Second run: the same releases again, fresh files in a new folder, same state DB.
        again = work / "downloads-again"
        shutil.copytree(pristine, again)
        mark = len(server.requests)
        code2, results2, stderr2, elapsed2 = run_cli(["run", str(again), "-p", str(profile),
                                                      "--json"], env)
        if code2 not in (0, 1):
            raise SystemExit(f"second corpus run failed ({code2}):\n{stderr2[-3000:]}")
        second = api_requests(server, mark)
        second_checks = sum(1 for r in second if r.path == "/3/configuration")
        same = sum(1 for r in results2 if r.get("tmdb") is not None
                   and by_source.get(r["source"].replace(str(again), str(downloads), 1), {})
                   .get("tmdb") == r.get("tmdb"))
    for problem in problems:
        print(f"  corpus: {problem}")
    share = right / expected_organised
    ratio = lookups / bound
    table = Table(f"(a) corpus: {len(entries)} names end to end; server limit 35/{window:g}s, "
                  f"client tmdb.rate = \"35/{window:g}s\"")
    table.add("files made / run", f"{made_in:.0f} s / {elapsed:.0f} s", f"exit {code}")
    table.add("placed right", f"{right}/{expected_organised}",
              f"{share:.1%} (target >= {TARGET_RIGHT:.0%}){verdict(share >= TARGET_RIGHT)}")
    table.add("placed wrong", str(wrong), f"(target 0){verdict(wrong == 0)}")
    table.add("expected placed, left for review", str(review))
    table.add("API requests (lookups)", str(lookups),
              f"lower bound {bound}: {ratio:.3f}x (target <= {TARGET_RATIO}x)"
              f"{verdict(ratio <= TARGET_RATIO)}")
    table.add("credential checks", str(checks), "/3/configuration, one per run")
    table.add("429", str(throttled), f"(target 0){verdict(throttled == 0)}")
    kinds = collections.Counter(r.path.split("/")[2] if r.path.count("/") > 2 else r.path
                                for r in first if r.path != "/3/configuration")
    table.add("  by endpoint", "", ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    table.add("second run: API requests", str(len(second) - second_checks),
              f"+ {second_checks} credential check; {elapsed2:.0f} s, exit {code2}, "
              f"{same} identified as in run 1{verdict(len(second) == second_checks)}")
    return table


# ---------------------------------------------------------------------------------------------
# (b) A 1,000-item backlog
# ---------------------------------------------------------------------------------------------

# Shows of the snapshot whose names are unambiguous without a year, and the seasons on disk.
BACKLOG_SHOWS = {1396: range(1, 6), 1399: range(1, 9), 1668: range(1, 11), 456: range(1, 11),
                 66732: range(1, 5), 82856: range(1, 4), 94997: range(1, 3), 19885: range(1, 5),
                 45: range(1, 11), 60694: range(1, 5)}
FILM_STYLES = ("{d}.{y}.1080p.BluRay.x264-GRP/{d}.{y}.1080p.BluRay.x264-GRP.mkv",
               "{d}.{y}.720p.WEB-DL.DD5.1.H264-NTG.mkv",
               "{t} ({y})/{t} ({y}).mp4")
SECOND_RELEASE = "{d}.{y}.2160p.UHD.BluRay.x265-TERMiNAL/{d}.{y}.2160p.UHD.BluRay.x265-TERMiNAL.mkv"


def _dotted(title: str) -> str:
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("&", "and").replace("'", "")
    return re.sub(r"[^A-Za-z0-9]+", ".", text).strip(".")


def backlog_items(items: int) -> list[tuple[str, float, dict[str, Any]]]:
    """``(relative path, duration s, expected identity)``: a tenth films, the rest episodes."""
    from shelver.plugins.tmdb.fake.tmdb_server import load_snapshot

    snapshot = load_snapshot()
    films = sorted(snapshot["movies"].values(), key=lambda m: m["id"])[: max(1, items // 10)]
    out: list[tuple[str, float, dict[str, Any]]] = []
    for i, film in enumerate(films):
        year = film["release_date"][:4]
        name = FILM_STYLES[i % 3].format(d=_dotted(film["title"]), y=year,
                                         t=film["title"].replace(":", ""))
        out.append((name, film["runtime"] * 60.0, {"type": "movie", "id": film["id"]}))
    episodes: list[tuple[str, float, dict[str, Any]]] = []
    for show_id, seasons in BACKLOG_SHOWS.items():
        show = snapshot["tv"][str(show_id)]
        dotted = _dotted(show["name"])
        counts = {s["season_number"]: s["episode_count"] for s in show["seasons"]}
        for season in seasons:
            for number in range(1, counts[season] + 1):
                tag = f"S{season:02d}E{number:02d}"
                name = (f"{dotted}.S{season:02d}.1080p.WEB-DL-GRP/{dotted}.{tag}.1080p.WEB-DL-GRP.mkv"
                        if season % 2 else f"{dotted}.{tag}.720p.HDTV.x264-GRP.mkv")
                episodes.append((name, show["episode_run_time"][0] * 60.0,
                                 {"type": "tv", "id": show_id, "season": season,
                                  "episodes": [number]}))
    out += episodes[: max(0, items - len(out))]
    # A few second releases of films already there (a realistic backlog has some).
    for film in films[: max(0, items - len(out))]:
        name = SECOND_RELEASE.format(d=_dotted(film["title"]), y=film["release_date"][:4])
        out.append((name, film["runtime"] * 60.0, {"type": "movie", "id": film["id"]}))
    return out[:items]


def backlog_bench(work: Path, env: dict[str, str], items: int) -> Table:
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB
    from shelver.testing.media import make_video

    planned = backlog_items(items)
    downloads = work / "backlog"
    started = time.monotonic()
    protos: dict[tuple[float, str], Path] = {}
    for name, seconds, _identity in planned:
        suffix = Path(name).suffix
        if (seconds, suffix) not in protos:  # one real video per length, copied (phash is off)
            protos[(seconds, suffix)] = make_video(work / "protos" / f"{seconds:g}{suffix}",
                                                   seconds, seed=len(protos))
        target = downloads / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(protos[(seconds, suffix)], target)
    made_in = time.monotonic() - started
    limit, window = 35, 10.0
    with FakeTMDB(rate_limit=(limit, window)) as server:
        profile = profile_for(work, "backlog", server, [downloads], work / "backlog-library",
                              phash={"enabled": False}, artwork={"enabled": False})
        code, results, stderr, elapsed = run_cli(["run", str(downloads), "-p", str(profile),
                                                  "--json"], env)
        if code not in (0, 1):
            raise SystemExit(f"backlog run failed ({code}):\n{stderr[-3000:]}")
        requests = api_requests(server)
    by_source = {r["source"]: r for r in results}
    right = wrong = 0
    statuses: collections.Counter[str] = collections.Counter()
    for name, _seconds, identity in planned:
        result = by_source.get(str(downloads / name))
        statuses[result["status"] if result else "missing"] += 1
        if result and same_identity(result.get("tmdb"), identity):
            right += 1
        elif result and result.get("tmdb") is not None:
            wrong += 1
    lookups = [r for r in requests if r.path != "/3/configuration"]
    throttled = sum(1 for r in requests if r.status == 429)
    bound = lower_bound([identity for _n, _s, identity in planned])
    span = lookups[-1].time - lookups[0].time if len(lookups) > 1 else 0.0
    windows = span / window
    budget = len(lookups) / (limit * windows) if windows else float("nan")
    first = lookups[0].time if lookups else 0.0
    per_window = collections.Counter(int((r.time - first) // window) for r in lookups)
    counts = [per_window.get(i, 0) for i in range(max(per_window) + 1)] if per_window else []
    ideal = window * (math.ceil(len(requests) / limit) - 1)  # fastest schedule, check included
    table = Table(f"(b) backlog: {len(planned)} files, server limit {limit}/{window:g}s, client "
                  "at the default tmdb.rate (35/10s); phash and artwork off")
    films = sum(1 for _n, _s, i in planned if i["type"] == "movie")
    shows = {i["id"] for _n, _s, i in planned if i["type"] == "tv"}
    seasons = {(i["id"], i["season"]) for _n, _s, i in planned if i["type"] == "tv"}
    distinct_films = len({i["id"] for _n, _s, i in planned if i["type"] == "movie"})
    table.add("mix", "", f"{films} films ({distinct_films} distinct), "
                     f"{len(planned) - films} episodes ({len(shows)} shows, {len(seasons)} seasons)")
    if len(planned) < 1000:
        table.add("scaled down", f"{len(planned)} items", "(--items)")
    table.add("files made / run", f"{made_in:.0f} s / {elapsed:.0f} s", f"exit {code}")
    table.add("outcomes", "", ", ".join(f"{k} {n}" for k, n in sorted(statuses.items()))
              + f"; identified right {right}, wrong {wrong}")
    table.add("429", str(throttled), f"(target 0){verdict(throttled == 0)}")
    table.add("API requests (lookups)", str(len(lookups)),
              f"lower bound {bound}: {len(lookups) / bound:.3f}x")
    table.add("requests per item", f"{len(lookups) / len(planned):.3f}",
              f"lower bound {bound / len(planned):.3f}")
    table.add("first to last API request", f"{span:.1f} s",
              f"{windows:.2f} windows of {window:g} s; fastest possible {ideal:.0f} s")
    table.add("rate budget used", f"{budget:.1%}",
              f"{len(lookups)} / ({limit} x {windows:.2f}) (target >= {TARGET_BUDGET:.0%})"
              f"{verdict(budget >= TARGET_BUDGET)}")
    table.add("requests per 10 s window", "", " ".join(map(str, counts)))
    return table


# ---------------------------------------------------------------------------------------------
# (c) Two profiles at once
# ---------------------------------------------------------------------------------------------


def two_profiles_bench(work: Path, env: dict[str, str]) -> Table:
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB, load_snapshot
    from shelver.testing.media import make_video

    snapshot = load_snapshot()
    films = [m for m in snapshot["movies"].values()
             if sum(1 for o in snapshot["movies"].values() if o["title"] == m["title"]) == 1]
    films = sorted(films, key=lambda m: -m["popularity"])[:30]
    with FakeTMDB(rate_limit=(24, 10.0)) as server:
        commands, expected = [], {}
        for n in range(2):
            downloads = work / f"two-{n}"
            for i, film in enumerate(films[15 * n: 15 * (n + 1)]):
                name = FILM_STYLES[i % 3].format(d=_dotted(film["title"]),
                                                 y=film["release_date"][:4],
                                                 t=film["title"].replace(":", ""))
                make_video(downloads / name, film["runtime"] * 60.0, seed=100 * n + i)
                expected[str(downloads / name)] = {"type": "movie", "id": film["id"]}
            profile = profile_for(work, f"two{n}", server, [downloads], work / f"two-lib-{n}",
                                  tmdb={"rate": "10/10s"})
            commands.append([str(BIN / "shelver"), "run", "-p", str(profile), "--json"])
        started = time.monotonic()
        procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env) for c in commands]
        outs = [p.communicate(timeout=600) for p in procs]
        elapsed = time.monotonic() - started
        requests = api_requests(server)
    results = [json.loads(line) for out, _err in outs for line in out.splitlines() if line]
    organised = sum(1 for r in results if r["status"] == "organised"
                    and expected.get(r["source"]) == r.get("tmdb"))
    throttled = sum(1 for r in requests if r.status == 429)
    times = sorted(r.time for r in requests)
    busiest = max(sum(1 for u in times if t - 10.0 < u <= t) for t in times) if times else 0
    table = Table("(c) two profiles at once, each tmdb.rate = \"10/10s\", server allows 24/10s")
    table.add("exit codes", " ".join(str(p.returncode) for p in procs), f"{elapsed:.0f} s")
    table.add("organised right", f"{organised}/{len(expected)}")
    table.add("429", str(throttled), f"(target 0){verdict(throttled == 0)}")
    table.add("API requests", str(len(requests)), f"busiest 10 s: {busiest} (shared budget 10)")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1000, help="backlog size (default 1000)")
    parser.add_argument("--default-clock", action="store_true",
                        help="run the corpus at 35/10s instead of 35/2s (about 1.5 min more)")
    parser.add_argument("--two-profiles", action="store_true",
                        help="also run (c): two profiles at 10/10s against 24/10s (about 1 min)")
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument("--skip-backlog", action="store_true")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="shelver-bench-tmdb-") as tmp:
        work = Path(tmp)
        env = isolated_env(work / "home")
        tables = []
        if not args.skip_corpus:
            corpus_dir = work / "a"
            corpus_dir.mkdir()
            tables.append(corpus_bench(corpus_dir, env, default_clock=args.default_clock))
            tables[-1].print()
        if not args.skip_backlog:
            backlog_dir = work / "b"
            backlog_dir.mkdir()
            tables.append(backlog_bench(backlog_dir, env, args.items))
            tables[-1].print()
        if args.two_profiles:
            two_dir = work / "c"
            two_dir.mkdir()
            tables.append(two_profiles_bench(two_dir, env))
            tables[-1].print()
    print(f"\ntotal {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
