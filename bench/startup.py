"""Start-up benchmark: the commands every user and every test subprocess starts, against a bare
Python start.

Run: ``.venv/bin/python bench/startup.py`` (about a minute; ``--runs N``). In a temporary folder
it writes a profile whose state DB is already set up (every migration run, as a day-to-day
command finds it) and ten real tiny videos named after films of the TMDB look-alike's snapshot,
then times, interleaved, median of ``--runs``:

* ``bare``: ``python -c "import sqlite3"`` (the venv's Python: the same interpreter start-up);
* ``--help``, ``status``, ``review``, ``undo --list``: whole process, start to exit. Each
  registers every built-in plugin; none needs guessit, PyAV, numpy, httpx, Jinja2, mutagen,
  sqlite-utils or trio (docs/plugins.md, "How plugins are found");
* ``run: first line``: from the start of ``shelver run --json`` to its first JSON line, on a
  fresh copy of the ten videos (a state DB set up, an empty TMDB cache) against the look-alike
  on loopback; ``run: whole`` the same run to its exit.

Compiled modules are cached (in a private ``PYTHONPYCACHEPREFIX``) as for an installed package,
even when ``PYTHONDONTWRITEBYTECODE`` is set. Entry points are scanned as a user's installation
does (``SHELVER_LOAD_PLUGINS`` unset). Prints seconds and ratios to ``bare``; exits 0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from timing import timed

BIN = Path(sys.executable).parent
FILMS = ["Beauty and the Beast (1991)", "Toy Story 3 (2010)", "Back to the Future (1985)",
         "The Italian Job (1969)", "Halloween II (1981)", "WALL-E (2008)", "The Thing (1982)",
         "Star Wars (1977)", "Leon The Professional (1994)", "The Thing from Another World (1951)"]




def first_line(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds to the first stdout line of ``argv`` and to its exit."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    first = time.perf_counter() - started
    proc.stdout.read()
    proc.wait()
    if not line:
        raise SystemExit(f"{' '.join(argv)}: no line on stdout")
    return first, time.perf_counter() - started


def write_profile(root: Path, name: str, sources: Path, tmdb: Any) -> Path:
    profile = root / f"{name}.toml"
    profile.write_text(
        f'name = "{name}"\nstate_db = "{root / (name + ".db")}"\nsources = ["{sources}"]\n'
        f'dest_dir = "{root / (name + "-library")}"\nmode = "inplace"\n[filters]\nmin_size_mb = 0\n'
        f'[tmdb]\nbase_url = "{tmdb.base_url}"\napi_key = "{tmdb.api_key}"\n'
        'rate = "1000/10s"\n', encoding="utf-8")
    return profile


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB
    from shelver.testing.media import make_video

    shelver = str(BIN / "shelver")
    with tempfile.TemporaryDirectory(prefix="shelver-bench-startup-") as tmp, FakeTMDB() as tmdb:
        root = Path(tmp)
        videos = root / "videos"
        for seed, film in enumerate(FILMS):
            make_video(videos / film / f"{film.replace(' ', '.')}.1080p.BluRay.x264.mkv", 30.0,
                       seed=seed)
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONDONTWRITEBYTECODE", "SHELVER_LOAD_PLUGINS")}
        env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        env["XDG_CACHE_HOME"] = str(root / "cache")  # the artwork cache starts empty
        profile = write_profile(root, "bench", root / "empty", tmdb)
        (root / "empty").mkdir()
        commands = {
            "bare": [sys.executable, "-c", "import sqlite3"],
            "--help": [shelver, "--help"],
            "status": [shelver, "status", "-p", str(profile)],
            "review": [shelver, "review", "-p", str(profile)],
            "undo --list": [shelver, "undo", "--list", "-p", str(profile)],
        }
        timed(commands["status"], env)  # sets up the state DB and compiles every module once
        timings: dict[str, list[float]] = {name: [] for name in commands}
        timings.update({"run: first line": [], "run: whole": []})
        for index in range(args.runs):
            for name, argv in commands.items():
                timings[name].append(timed(argv, env))
            tree = root / f"tree{index}"
            shutil.copytree(videos, tree)
            run_profile = write_profile(root, f"run{index}", tree, tmdb)
            timed([shelver, "status", "-p", str(run_profile)], env)  # its state DB set up
            first, whole = first_line([shelver, "run", "--json", "-p", str(run_profile)], env)
            timings["run: first line"].append(first)
            timings["run: whole"].append(whole)
    bare = statistics.median(timings["bare"])
    print(f"{'command':<16} {'median':>8} {'best':>8} {'x bare':>7}")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"{name:<16} {median:>7.3f}s {min(values):>7.3f}s {median / bare:>6.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
