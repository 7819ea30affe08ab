"""Quick-scan benchmark: an unchanged library tree against ``find -printf '%s %T@\\n'``.

Run: ``.venv/bin/python bench/scan.py`` (about a minute; ``--files N`` for another size,
``--keep DIR`` to build the trees once in DIR and reuse them). What it builds, in a temporary
folder: a tree of 100,000 video files (``--files``) in 10,000 folders (10 per folder, 100
folders of 100), and a second tree of a tenth of that for the memory comparison. Every file is
a **sparse** file of 60 MB apparent size (``truncate``: no data blocks, so the tree costs a few
hundred MB of inodes, not 6 TB); shelver and ``find`` see it as a 60 MB file, which is all a
quick scan looks at (its size, mtime and inode). Each tree is recorded in its own state DB as
organised (INDEXED, with the size, mtime and inode on disk), as after a first run: the scans
measured are of an unchanged library.

Figures (each the median of several runs, page cache warm for all of them, interleaved; wall
clock, and CPU time (user + system) too, which other work on a shared machine disturbs less):

* ``find``: ``find TREE -printf '%s %T@\\n' > /dev/null``, the disk-speed baseline;
* ``sweep``: the daemon's periodic quick scan in-process (``Engine.quick_scan_sync``: no start-up);
  target ≤ 1.5 × find;
* ``scan``: the whole ``shelver scan -p PROFILE`` process (start-up included); target ≤ 2 × find;
* ``start-up``: ``shelver scan`` of an empty source against ``shelver hook --help`` (the
  downloaders' fast path, which imports nothing it does not use);
* ``rss``: the peak resident memory of ``shelver scan`` (``getrusage`` of a child process) on the
  big tree against the small one; target ≤ 1.2 ×.

Before timing, shelver's own modules are compiled (``python -m compileall -q core plugins``, as
``make install`` does): where ``PYTHONDONTWRITEBYTECODE`` is set, every start would otherwise
compile them again. Exits 0; prints ``over target`` next to a ratio above its target instead of
failing.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import PER_FOLDER, build_tree

BIN = Path(sys.executable).parent
APPARENT_SIZE = 60 * 1024 * 1024
RUNS = 5


def write_profile(base: Path, name: str, tree: Path) -> Path:
    profile = base / f"{name}.toml"
    profile.write_text(
        f'name = "{name}"\nstate_db = "{base / (name + ".db")}"\nsources = ["{tree}"]\n'
        f'dest_dir = "{base / (name + "-library")}"\nmode = "inplace"\n', encoding="utf-8")
    return profile


def record_tree(profile: Path, tree: Path) -> None:
    """Set up the profile's state DB (every migration, as ``shelver`` does) and record every
    file of ``tree`` in it as INDEXED with what is on disk."""
    from shelver.app import open_app

    app = open_app(str(profile))
    try:
        if app.state.conn().execute("SELECT count(*) FROM items").fetchone()[0]:
            return
        now = time.time()
        rows = []
        for directory, _dirs, names in os.walk(tree):
            for name in names:
                if not name.endswith(".mkv"):
                    continue
                path = os.path.join(directory, name)
                st = os.stat(path)
                rows.append((path, directory, path, app.profile.name, st.st_size, st.st_mtime,
                             st.st_ino, "INDEXED", "organised", now, now, now))
        with app.state.transaction() as conn:
            conn.executemany(
                "INSERT INTO items (path, dir, source_path, profile, size, mtime, inode, state,"
                " status, first_seen, updated_at, refreshed_at, error_count)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0)", rows)
    finally:
        app.close()


def cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def system(who: int) -> float:
    """The system (kernel) part of :func:`cpu`: the syscalls, which shelver and find share."""
    return resource.getrusage(who).ru_stime


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall-clock, CPU (user + system) and system seconds of one run of ``argv``."""
    kernel = system(resource.RUSAGE_CHILDREN)
    started, used = time.perf_counter(), cpu(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr}")
    return (elapsed, cpu(resource.RUSAGE_CHILDREN) - used,
            system(resource.RUSAGE_CHILDREN) - kernel)


def peak_rss_kb(argv: list[str], env: dict[str, str]) -> int:
    """Peak resident memory of ``argv`` (KiB): a fresh child waits for it and reports
    ``RUSAGE_CHILDREN``, which covers that one process only."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True,"
             " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
             " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True,
                         env=env, check=True)
    return int(out.stdout.strip())


def sweep_seconds(profile: Path) -> tuple[float, float, float, int]:
    """One in-process quick scan of the daemon's engine (built once, as the daemon's is):
    wall-clock, CPU and system seconds, files enqueued."""
    from shelver.app import open_app

    app = open_app(str(profile))
    try:
        engine = app.engine(command="watch")
        kernel = system(resource.RUSAGE_SELF)
        started, used = time.perf_counter(), cpu(resource.RUSAGE_SELF)
        enqueued = engine.quick_scan_sync()
        return (time.perf_counter() - started, cpu(resource.RUSAGE_SELF) - used,
                system(resource.RUSAGE_SELF) - kernel, enqueued)
    finally:
        app.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build the trees here once and reuse them")
    args = parser.parse_args()
    tmp = None
    if args.keep:
        base = args.keep.resolve()
        base.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="shelver-bench-scan-")
        base = Path(tmp.name)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SHELVER_LOAD_PLUGINS"] = ""
    # shelver's own modules compiled once, as an installed package's are (make install does
    # the same): with PYTHONDONTWRITEBYTECODE set each start would compile them again.
    repo = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(repo / "core"),
                    str(repo / "plugins")], check=True, stdout=subprocess.DEVNULL, env=env)
    print(f"compiled {repo / 'core'} and {repo / 'plugins'} first (python -m compileall -q)")
    try:
        sizes = {"big": args.files, "small": max(args.files // 10, PER_FOLDER)}
        trees, profiles = {}, {}
        started = time.perf_counter()
        for name, files in sizes.items():
            trees[name] = base / f"tree-{files}"
            build_tree(trees[name], files, APPARENT_SIZE)
            profiles[name] = write_profile(base, f"bench-{name}", trees[name])
            record_tree(profiles[name], trees[name])
        print(f"trees: {sizes['big']:,} and {sizes['small']:,} sparse files of "
              f"{APPARENT_SIZE // 2**20} MB apparent size, {PER_FOLDER} per folder, recorded "
              f"INDEXED ({time.perf_counter() - started:.1f} s to build/record)")
        find = ["find", str(trees["big"]), "-printf", "%s %T@\n"]
        scan = [str(BIN / "shelver"), "scan", "-p", str(profiles["big"])]
        for argv in (find, scan):
            timed(argv, env)  # warm the page cache and the compiled-module cache
        timings: dict[str, list[float]] = {"find": [], "sweep": [], "scan": []}
        cpus: dict[str, list[float]] = {"find": [], "sweep": [], "scan": []}
        kernels: dict[str, list[float]] = {"find": [], "sweep": [], "scan": []}
        for _ in range(RUNS):
            for name, argv in (("find", find), ("scan", scan)):
                wall, used, kernel = timed(argv, env)
                timings[name].append(wall)
                cpus[name].append(used)
                kernels[name].append(kernel)
            wall, used, kernel, enqueued = sweep_seconds(profiles["big"])
            if enqueued:
                raise SystemExit(f"the tree is not unchanged: the sweep enqueued {enqueued}")
            timings["sweep"].append(wall)
            cpus["sweep"].append(used)
            kernels["sweep"].append(kernel)
        medians = {name: statistics.median(values) for name, values in timings.items()}
        cpu_medians = {name: statistics.median(values) for name, values in cpus.items()}
        targets = {"sweep": 1.5, "scan": 2.0}
        print(f"{'run':<8} {'median':>9} {'best':>9} {'ratio':>6} {'cpu':>8} {'ratio':>6}"
              f"  (unchanged tree, {sizes['big']:,} files; cpu = user + system)")
        for name in ("find", "sweep", "scan"):
            values = timings[name]
            ratio = medians[name] / medians["find"]
            cpu_ratio = cpu_medians[name] / cpu_medians["find"]
            flag = "  over target" if ratio > targets.get(name, 99) else ""
            target = f"  (target ≤ {targets[name]:g})" if name in targets else ""
            print(f"{name:<8} {medians[name]:>8.3f}s {min(values):>8.3f}s {ratio:>5.2f}×"
                  f" {cpu_medians[name]:>7.3f}s {cpu_ratio:>5.2f}×{target}{flag}")
        # Where the CPU goes: the syscalls (the same for both) and the rest (find's C against
        # Python's loop and stat objects, and the state DB).
        split = []
        for name in ("find", "sweep"):
            user = statistics.median(c - k for c, k in zip(cpus[name], kernels[name], strict=True))
            split.append(f"{name} user {user:.3f}s system {statistics.median(kernels[name]):.3f}s")
        print("cpu split (median): " + ", ".join(split))
        # Start-up: `shelver scan` of an empty source, against the hook's fast path.
        empty = base / "tree-empty"
        empty.mkdir(exist_ok=True)
        empty_profile = write_profile(base, "bench-empty", empty)
        startup = {"scan": [str(BIN / "shelver"), "scan", "-p", str(empty_profile)],
                   "hook": [str(BIN / "shelver"), "hook", "--help"]}
        timed(startup["scan"], env)  # sets up its state DB
        starts = {name: statistics.median(timed(argv, env)[0] for _ in range(RUNS))
                  for name, argv in startup.items()}
        print(f"start-up `shelver scan` of an empty source {starts['scan']:.3f}s, "
              f"`shelver hook --help` {starts['hook']:.3f}s: {starts['scan'] / starts['hook']:.2f}×")
        rss = {name: peak_rss_kb([str(BIN / "shelver"), "scan", "-p", str(profiles[name])], env)
               for name in sizes}
        ratio = rss["big"] / rss["small"]
        flag = "  over target" if ratio > 1.2 else ""
        print(f"rss      {rss['small'] / 1024:.1f} MB at {sizes['small']:,} files, "
              f"{rss['big'] / 1024:.1f} MB at {sizes['big']:,}: {ratio:.2f}× (target ≤ 1.2){flag}")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
