"""Huge-tree benchmark: ``shelver run`` / ``assess`` on 100,000 files, and ``status``,
``review`` and ``undo --list`` on a state DB of 100,000 items.

Run: ``.venv/bin/python bench/huge.py`` (a few minutes; ``--files N`` for another size,
``--keep DIR`` to build the trees once in DIR and reuse them). What it builds, in a temporary
folder: a tree of 100,000 empty ``.mkv`` files (``--files``) in 10,000 folders, one of a
tenth of that and one of 10 files; the profile takes every size (``filters.min_size_mb = 0``) and has no TMDB
(``plugins.disable = ["tmdb"]``: every file ends in review at once, so what is measured is the
engine, not the network). A third state DB gets 100,000 items (half INDEXED, a tenth REVIEW with
candidates), 1,000 runs and 100,000 journal entries, inserted with SQL.

Figures:

* ``first``: seconds from the start of ``shelver run [--dry-run] --json`` to its first JSON line
  on stdout (the process is stopped there); and ``shelver assess --json``'s (one line per path:
  the whole walk);
* ``rss``: the peak resident memory (VmHWM) of that process when its first line came and two
  seconds later, at 10, 10,000 and 100,000 files;
* ``status``, ``review``, ``undo --list``: whole-process seconds on the 100,000-item DB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import PER_FOLDER, build_tree, timed

BIN = Path(sys.executable).parent


def write_profile(base: Path, name: str, tree: Path) -> Path:
    profile = base / f"{name}.toml"
    profile.write_text(
        f'name = "{name}"\nstate_db = "{base / (name + ".db")}"\nsources = ["{tree}"]\n'
        f'dest_dir = "{base / (name + "-library")}"\nmode = "inplace"\n'
        '[filters]\nmin_size_mb = 0\n[plugins]\ndisable = ["tmdb"]\n', encoding="utf-8")
    return profile


def first_line(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Seconds to the first stdout line of ``argv``, its VmHWM (MB) then and 2 s later."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - started

    def hwm() -> float:
        try:
            text = Path(f"/proc/{proc.pid}/status").read_text()
        except OSError:
            return float("nan")
        for row in text.splitlines():
            if row.startswith("VmHWM:"):
                return int(row.split()[1]) / 1024
        return float("nan")

    at_first = hwm()
    time.sleep(2.0)
    later = hwm()
    proc.kill()
    proc.wait()
    if not line:
        raise SystemExit(f"{' '.join(argv)}: no line on stdout")
    return elapsed, at_first, later


def fill_state(profile: Path, items: int) -> None:
    """``items`` items (half INDEXED, a tenth REVIEW), 1,000 runs, an op per item journaled."""
    from shelver.app import open_app

    app = open_app(str(profile))
    try:
        conn = app.state.conn()
        if conn.execute("SELECT count(*) FROM items").fetchone()[0]:
            return
        name, now = app.profile.name, time.time()
        candidates = json.dumps([{"provider": "tmdb", "kind": "movie", "id": 603, "title": "X",
                                  "year": 1999, "score": 0.6}])
        with app.state.transaction() as tx:
            tx.executemany(
                "INSERT INTO runs (id, profile, command, mode, started_at, ended_at, status,"
                " counts) VALUES (?,?,?,?,?,?,?,?)",
                [(r, name, "run", "inplace", now - 1000 + r, now - 999 + r, "done",
                  json.dumps({"organised": items // 1000})) for r in range(1, 1001)])
            rows = []
            for index in range(items):
                state = "REVIEW" if index % 10 == 0 else "INDEXED" if index % 2 else "NEW"
                path = f"/lib/Group {index // 1000:04d}/Title {index // 10:05d}/part{index % 10}.mkv"
                rows.append((path, os.path.dirname(path), path, name, 1, now, index + 1, state,
                             "review" if state == "REVIEW" else None, now, now,
                             candidates if state == "REVIEW" else None))
            tx.executemany(
                "INSERT INTO items (path, dir, source_path, profile, size, mtime, inode, state,"
                " status, first_seen, updated_at, candidates, error_count)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0)", rows)
            journal_columns = [r[1] for r in tx.execute("PRAGMA table_info(journal)")]
            if {"run_id", "op", "step"} <= set(journal_columns):
                tx.executemany(
                    "INSERT INTO journal (run_id, op, src, dst, step, created_at)"
                    " VALUES (?,?,?,?,?,?)",
                    [(1 + i % 1000, "move", f"/in/{i}.mkv", f"/lib/{i}.mkv", "done", now)
                     for i in range(items)])
    finally:
        app.close()




def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build the trees here once and reuse them")
    parser.add_argument("--only", choices=("trees", "state"), help="one half of the figures")
    args = parser.parse_args()
    tmp = None
    if args.keep:
        base = args.keep.resolve()
        base.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="shelver-bench-huge-")
        base = Path(tmp.name)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(base / "pycache")
    env["SHELVER_LOAD_PLUGINS"] = ""
    shelver = str(BIN / "shelver")
    try:
        # 10 files: what the first line costs whatever the tree (start-up, the first item).
        sizes = {"tiny": PER_FOLDER, "small": max(args.files // 10, PER_FOLDER), "big": args.files}
        for files in sizes.values():
            build_tree(base / f"tree-{files}", files)
        print(f"{'command':<28} {'files':>8} {'first line':>10} {'rss then':>9} {'rss +2s':>8}")
        for label, extra in () if args.only == "state" else (("run --dry-run --json", ["--dry-run"]), ("run --json", []),
                             ("assess --json", None)):
            for name, files in sizes.items():
                tree = base / f"tree-{files}"
                profile = write_profile(base, f"bench-{name}-{len(extra or [])}", tree)
                if extra is None:
                    argv = [shelver, "assess", "--json", "-p", str(profile), str(tree)]
                else:
                    Path(str(profile)[:-5] + ".db").unlink(missing_ok=True)  # a first run
                    argv = [shelver, "run", *extra, "--json", "-p", str(profile)]
                seconds, rss, later = first_line(argv, env)
                print(f"{label:<28} {files:>8,} {seconds:>9.2f}s {rss:>7.0f}MB {later:>6.0f}MB")
        profile = write_profile(base, "bench-state", base / "tree-empty")
        (base / "tree-empty").mkdir(exist_ok=True)
        fill_state(profile, args.files)
        empty = write_profile(base, "bench-empty", base / "tree-empty")
        timed([shelver, "status", "-p", str(empty)], env)  # creates its state DB
        print(f"{'command':<28} {'items':>8} {'empty DB':>9} {'full DB':>8} {'extra':>7}")
        for label, argv in () if args.only == "trees" else (("status", ["status"]), ("review", ["review"]),
                            ("review --json", ["review", "--json"]),
                            ("undo --list", ["undo", "--list"])):
            seconds = {}
            for which, prof in (("empty", empty), ("full", profile)):
                timed([shelver, *argv, "-p", str(prof)], env)  # warm
                seconds[which] = min(timed([shelver, *argv, "-p", str(prof)], env)
                                     for _ in range(3))
            print(f"{label:<28} {args.files:>8,} {seconds['empty']:>8.2f}s {seconds['full']:>7.2f}s"
                  f" {seconds['full'] - seconds['empty']:>6.2f}s")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
