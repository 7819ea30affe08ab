"""Placement benchmark: cache-mode copy throughput against ``cp``, and the in-place organise rate.

Run: ``.venv/bin/python bench/placement.py [--size-mb 1024] [--files 10000]`` (about a minute).

* **Cache copy.** One file of ``--size-mb`` on the disk; in the same run, alternately, best of 3
  (page cache warm for both): ``cp FILE /dev/shm/...`` against shelver's staging copy of the
  same file into a ``work_dir`` on /dev/shm (:func:`shelver.plugins.placement.staging.stage`: journal
  row, kernel fast-path copy, fsync, size check). Target: shelver ≥ 0.9 × cp's throughput.
  For reference, the move out of the cache into the library on the disk (copy, fsync, verify,
  link into place, unlink) against ``cp`` followed by ``sync FILE`` (cp does not flush; shelver
  must before it may unlink anything).
* **In-place organise rate.** ``shelver run`` in ``inplace`` mode over ``--files`` files, each
  in its own release folder as downloads come, with a stub plugin answering parse and match from the file name (no TMDB, no probe,
  no NFO/artwork: what is measured is discovery, the queue, the state DB, naming, the journaled
  placement and the outcome record). Prints files per second; then the same with every file
  in one flat folder (a subtitle beside every tenth), and the ratio flat / a folder each
  (target ≥ 0.7: finding a file's sidecars must not grow with the size of its folder).

Exits 0; prints ``under target`` next to a ratio below 0.9 instead of failing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

TARGET_RATIO = 0.9
FLAT_TARGET = 0.7
REPEATS = 3
SHELVER = Path(sys.executable).parent / "shelver"

STUB = textwrap.dedent('''
    """Benchmark stub: parse and match from names like "Movie 0042 (2000).mkv"."""
    import re

    from shelver import hookimpl
    from shelver.metadata import Metadata
    from shelver.model import Identity, Match, ParsedName

    NAME = re.compile(r"Movie (\\d+) \\((\\d{4})\\)")


    @hookimpl(tryfirst=True)
    def shelver_parse_name(item, ctx):
        found = NAME.search(item.path.name)
        if found:
            return ParsedName(kind="movie", title=f"Movie {found.group(1)}", year=int(found.group(2)))
        return None


    @hookimpl(tryfirst=True)
    def shelver_match(item, ctx):
        found = NAME.search(item.path.name)
        if not found:
            return None
        number = int(found.group(1))
        movie = Metadata(provider="tmdb", kind="movie", title=f"Movie {number}", year=2000,
                         premiered="2000-01-01", ids={"tmdb": str(number + 1)})
        return Match(identity=Identity("tmdb", "movie", number + 1), confidence=1.0,
                     metadata=movie)
''')


def best(fn: object, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        times.append(fn())  # type: ignore[operator]
    return min(times)


def cache_copy(base: Path, cache: Path, size_mb: int) -> None:
    from shelver.plugins.placement import staging
    from shelver.store import StateDB

    source = base / "big.mkv"
    chunk = os.urandom(1 << 20)
    with open(source, "wb") as handle:
        handle.writelines(chunk for _ in range(size_mb))
    size = source.stat().st_size
    state = StateDB(base / "state.db")
    library = base / "library"
    work_dir = cache / "work"
    work_dir.mkdir()
    source.read_bytes()  # warm the page cache once for everybody

    def run_cp() -> float:
        target = cache / f"cp-{uuid.uuid4().hex}.mkv"
        started = time.perf_counter()
        subprocess.run(["cp", str(source), str(target)], check=True)
        elapsed = time.perf_counter() - started
        target.unlink()
        return elapsed

    def run_stage() -> float:
        started = time.perf_counter()
        staged = staging.stage(state, None, None, source, library / "Movies" / "big.mkv",
                               dest_dir=library, work_dir=work_dir, keep_source=True)
        elapsed = time.perf_counter() - started
        staging.roll_back(state, staged.entry)
        return elapsed

    cp_times, stage_times = [], []
    for _ in range(REPEATS):  # interleaved: the same conditions for both
        cp_times.append(run_cp())
        stage_times.append(run_stage())
    cp_rate, stage_rate = size / min(cp_times) / 1e6, size / min(stage_times) / 1e6
    ratio = stage_rate / cp_rate
    print(f"cache copy, {size_mb} MB disk → /dev/shm (best of {REPEATS}):")
    print(f"  cp                 {cp_rate:8.0f} MB/s")
    print(f"  shelver stage      {stage_rate:8.0f} MB/s   ratio {ratio:.2f}"
          f"{'' if ratio >= TARGET_RATIO else '   under target'} (target ≥ {TARGET_RATIO})")

    # The move out of the cache into the library, on the disk, flushed.
    staged_copy = cache / "staged.mkv"
    shutil.copyfile(source, staged_copy)

    def run_cp_sync() -> float:
        target = base / f"cp-{uuid.uuid4().hex}.mkv"
        started = time.perf_counter()
        subprocess.run(["cp", str(staged_copy), str(target)], check=True)
        subprocess.run(["sync", str(target)], check=True)
        elapsed = time.perf_counter() - started
        target.unlink()
        return elapsed

    def run_finish() -> float:
        from shelver.fileops import place_file

        target = library / f"{uuid.uuid4().hex}.mkv"
        started = time.perf_counter()
        place_file(state, None, None, staged_copy, target, "copy")
        elapsed = time.perf_counter() - started
        target.unlink()
        return elapsed

    sync_times, finish_times = [], []
    for _ in range(REPEATS):
        sync_times.append(run_cp_sync())
        finish_times.append(run_finish())
    sync_rate, finish_rate = size / min(sync_times) / 1e6, size / min(finish_times) / 1e6
    print("move out of the cache, /dev/shm → disk, flushed (reference):")
    print(f"  cp + sync FILE     {sync_rate:8.0f} MB/s")
    print(f"  shelver placement  {finish_rate:8.0f} MB/s   ratio {finish_rate / sync_rate:.2f}")
    state.close()


def organise_rate(base: Path, files: int, *, flat: bool = False) -> float | None:
    """Files per second of one ``shelver run`` (None: it failed). ``flat``: every file (and a
    subtitle beside every tenth) in one folder, as an old collection often lies."""
    base = base / ("flat" if flat else "nested")
    downloads, library = base / "downloads", base / "organised"
    downloads.mkdir(parents=True)
    for number in range(files):  # one release folder per file, as downloads come
        release = downloads if flat else downloads / f"Movie.{number:05d}.2000.1080p-GRP"
        release.mkdir(exist_ok=True)
        (release / f"Movie {number:05d} (2000).mkv").write_bytes(b"x")
        if flat and number % 10 == 0:
            (release / f"Movie {number:05d} (2000).en.srt").write_bytes(b"1")
    (base / "stub").mkdir()
    (base / "stub" / "placement_stub.py").write_text(STUB, encoding="utf-8")
    profile = base / "organise.toml"
    profile.write_text("\n".join([
        'name = "bench"', 'mode = "inplace"', f'dest_dir = "{library}"',
        f'state_db = "{base / "organise.db"}"', "[filters]", "min_size_mb = 0",
        "[plugins]", 'load = ["placement_stub"]',
        'disable = ["tmdb", "mediainfo", "phash", "nfo", "artwork", "mp4tags"]',
    ]) + "\n", encoding="utf-8")
    env = {**os.environ, "SHELVER_LOAD_PLUGINS": "", "PYTHONPATH": str(base / "stub"),
           "HOME": str(base / "home"), "XDG_DATA_HOME": str(base / "home" / "data"),
           "XDG_CACHE_HOME": str(base / "home" / "cache")}
    started = time.perf_counter()
    proc = subprocess.run([str(SHELVER), "run", str(downloads), "-p", str(profile), "--json"],
                          check=False, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    organised = proc.stdout.count('"status": "organised"')
    layout = "one flat folder" if flat else "a folder each"
    if proc.returncode != 0 or organised != files:
        print(f"in-place organise ({layout}): FAILED (exit {proc.returncode}, "
              f"{organised}/{files} organised)")
        print(proc.stderr[-2000:])
        return None
    placed = sum(1 for _ in library.rglob("*.mkv"))
    subtitles = sum(1 for _ in library.rglob("*.srt"))
    print(f"in-place organise, {files} files in {layout} (one `shelver run`, start-up included):")
    print(f"  {elapsed:.1f} s, {files / elapsed:.0f} files/s, {placed} placed"
          + (f", {subtitles} subtitles with them" if flat else ""))
    return files / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--files", type=int, default=10_000)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="shelver-placement-"))
    shm = Path("/dev/shm")
    cache = shm / f"shelver-bench-{uuid.uuid4().hex}" if shm.is_dir() else None
    try:
        if cache is not None:
            cache.mkdir()
            if os.stat(cache).st_dev == os.stat(base).st_dev:
                print("cache copy: /dev/shm is on the disk's filesystem here: skipped")
            else:
                cache_copy(base, cache, args.size_mb)
        else:
            print("cache copy: no /dev/shm: skipped")
        nested = organise_rate(base, args.files)
        flat = organise_rate(base, args.files, flat=True)
        if nested and flat:
            ratio = flat / nested
            print(f"  flat / a folder each: {ratio:.2f}"
                  f"{'' if ratio >= FLAT_TARGET else '   under target'} (target ≥ {FLAT_TARGET}: "
                  f"finding sidecars must not cost a scan of the folder per file)")
    finally:
        shutil.rmtree(base, ignore_errors=True)
        if cache is not None:
            shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
