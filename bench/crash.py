"""Crash test: SIGKILL a cache-mode run at random instants, again and again, then let it finish.

Run: ``.venv/bin/python bench/crash.py [--files 200] [--kills 20] [--seed N] [--keep DIR]``
(about 2–4 minutes on two cores for the defaults).

The downloads (real tiny videos named like the release-name corpus, a quarter of them MP4s,
which get tagged, padded to 1–6 MB so that kills land inside copies too) live on the disk; the cache (``work_dir``) is a folder in
``/dev/shm``, another filesystem, so every placement is a real copy → flush → verify → rename →
unlink across filesystems, twice (into the cache, out of it). Each round starts ``shelver run
--json`` as a subprocess, waits until it has finished at least one file (so the kill falls in
the middle of the work, not in start-up), sleeps a random instant and sends SIGKILL (every
fourth round a Ctrl-C, SIGINT, instead, on top of the ``--kills`` SIGKILLs). After
every other kill the journal is recovered in this process and checked at once; the others are
left for the next run's own recovery. Throughout the kills a writer process keeps some of the
downloads open and appends to them (a download client still writing: ``--growing``); they must
stay whole at their source (never moved half-written) until the writer is done. Then one last
run goes to completion and everything is checked:

* every input file exists exactly once, byte-identical, at its source path or in the library
  (MP4s are tagged there: for those the original rebuilt from the journal's recipe, as
  ``shelver undo`` would, must be byte-identical); a file the writer appended to, with every
  byte it wrote; and no other video (a truncated copy) is anywhere;
* no temp file or staging folder is left anywhere (downloads, library, cache);
* the state DB agrees with the disk: each item is recorded where its file is, no journal row
  is unfinished, and after the last run no item is left PROCESSING or NEW;
* then ``shelver undo`` of every run, newest first, gives back the downloads exactly as built
  (every video at its source path, byte-identical) and leaves the library without a file.

Prints the figures; exits 1 when a check fails. ``tests/e2e/test_placement.py`` runs a small
campaign (30 files, 5 kills and a Ctrl-C) through :func:`campaign`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus" / "release_names.json"
SHELVER = Path(sys.executable).parent / "shelver"
SHM = Path("/dev/shm")
VIDEO_SUFFIXES = (".mkv", ".avi", ".mp4", ".m4v", ".mov", ".ts", ".webm")
TEMP_MARKERS = (".shelver-tmp", ".shelver-tag-")


@dataclass
class Figures:
    files: int = 0
    kills: int = 0
    interrupts: int = 0
    kills_mid_copy: int = 0
    recovered_in_process: int = 0
    finished_early: bool = False
    growing: int = 0  # downloads a writer appended to during the kills
    appended: int = 0  # bytes it appended
    tagged: int = 0
    runs_undone: int = 0
    untagged: int = 0
    organised: int = 0
    left_at_source: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def corpus_entries(count: int) -> list[dict[str, Any]]:
    """``count`` videos from the corpus, one per TMDB identity (no two share a library name),
    then videos meant for review or extras to fill up."""
    data = json.loads(CORPUS.read_text(encoding="utf-8"))
    entries = data["entries"] if isinstance(data, dict) else data
    seen: set[str] = set()
    chosen: list[dict[str, Any]] = []
    for entry in entries:
        if not entry.get("duration") or not entry["path"].lower().endswith(VIDEO_SUFFIXES):
            continue
        expect = entry["expect"]
        key = json.dumps(expect.get("tmdb"), sort_keys=True) if expect["status"] == "organised" \
            else entry["path"]
        if key in seen or expect["status"] not in ("organised", "review"):
            continue
        seen.add(key)
        chosen.append(entry)
    # Two releases of one title would be a conflict (skip), which is not what this tests.
    chosen.sort(key=lambda e: e["expect"]["status"] != "organised")
    if len(chosen) < count:
        raise SystemExit(f"the corpus has only {len(chosen)} usable videos, {count} asked")
    return chosen[:count]


def digest(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


# A download client still writing: keeps the files open and appends to them in turn (4 KiB
# every 20 ms, about 200 KB/s in all) a pattern that depends only on the offset, until a line
# arrives on stdin; then prints {path: bytes appended}.
WRITER = """
import itertools, json, select, sys
block = bytes(range(251)) * 20
handles = {path: open(path, "ab", buffering=0) for path in sys.argv[1:]}
appended = dict.fromkeys(handles, 0)
print("open", flush=True)
turns = itertools.cycle(handles.items())
while not select.select([sys.stdin], [], [], 0.02)[0]:
    path, out = next(turns)
    start = appended[path] % 251
    appended[path] += out.write(block[start:start + 4096])
for out in handles.values():
    out.close()
print(json.dumps(appended), flush=True)
"""


def pattern(count: int) -> bytes:
    return (bytes(range(251)) * (count // 251 + 1))[:count]


def start_writer(paths: list[str]) -> subprocess.Popen[str]:
    writer = subprocess.Popen([sys.executable, "-c", WRITER, *paths], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    if writer.stdout.readline().strip() != "open":
        raise SystemExit("crash: the writer did not start")
    return writer


def stop_writer(writer: subprocess.Popen[str]) -> dict[str, int]:
    out, _err = writer.communicate("stop\n", timeout=60)
    return dict(json.loads(out))


def build(downloads: Path, entries: list[dict[str, Any]], rng: random.Random,
          pad: tuple[int, int]) -> dict[str, str]:
    """Write the videos (padded with random bytes, which probing ignores); ``{path: digest}``."""
    from shelver.testing.media import make_video

    expected = {}
    for seed, entry in enumerate(entries):
        target = downloads / entry["path"]
        if seed % 4 == 1 and target.suffix == ".mkv":  # a quarter MP4s: tagged in the cache
            target = target.with_suffix(".mp4")
        make_video(target, float(entry["duration"]), seed=seed, faststart=seed % 8 == 1)
        with open(target, "ab") as handle:
            handle.write(rng.randbytes(rng.randint(*pad)))
        expected[str(target)] = digest(target)
    return expected


def write_profile(path: Path, *, downloads: Path, library: Path, work_dir: Path, state_db: Path,
                  base_url: str, api_key: str) -> Path:
    path.write_text("\n".join([
        'name = "crash"', 'mode = "cache"', f"sources = [{json.dumps(str(downloads))}]",
        f"dest_dir = {json.dumps(str(library))}", f"work_dir = {json.dumps(str(work_dir))}",
        f"state_db = {json.dumps(str(state_db))}", "workers = 4",
        "[filters]", "min_size_mb = 0",
        "[cache]", "reserve_gb = 0",
        "[plugins]", 'disable = ["phash"]',
        "[tmdb]", f"base_url = {json.dumps(base_url)}", f"api_key = {json.dumps(api_key)}",
    ]) + "\n", encoding="utf-8")
    return path


def other_filesystem(near: Path) -> Path | None:
    """A fresh folder in /dev/shm when that is another filesystem than ``near``."""
    if not SHM.is_dir() or not os.access(SHM, os.W_OK):
        return None
    folder = SHM / f"shelver-crash-{uuid.uuid4().hex}"
    folder.mkdir()
    if os.stat(folder).st_dev == os.stat(near).st_dev:
        folder.rmdir()
        return None
    return folder


def is_temp(path: Path) -> bool:
    name = path.name
    return any(marker in name for marker in TEMP_MARKERS) or (
        name.startswith(".") and name.endswith(".tmp"))


def untagged_digests(state_db: Path, problems: list[str]) -> dict[str, str]:
    """``{path: digest of its original}`` for every file the journal says was tagged (an MP4
    tagged in the cache and moved into the library counts where it is now), rebuilt from the
    recipe the journal keeps: a tagged file must be "byte-identical" in the only sense that
    fits, that ``shelver undo`` gives back exactly the download."""
    from shelver.plugins.mp4tags import undo as mp4_undo
    from shelver.store import StateDB

    state = StateDB(state_db)
    originals: dict[str, str] = {}
    try:
        rows = [dict(r) for r in state.conn().execute("SELECT * FROM journal ORDER BY id")]
        runs: dict[Any, list[dict[str, Any]]] = {}
        for row in rows:
            runs.setdefault(row["run_id"], []).append(row)
        chains: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            if row["op"] == "tag" and row["step"] == "done":
                chains.setdefault(mp4_undo.locate(row, runs[row["run_id"]])[0], []).append(row)
        with tempfile.TemporaryDirectory() as scratch:
            for n, (path, chain) in enumerate(chains.items()):
                current = Path(path)
                try:
                    for m, row in enumerate(reversed(chain)):  # newest tagging first
                        rebuilt = Path(scratch) / f"{n}-{m}"
                        mp4_undo.rebuild_original(state, row, current, rebuilt)
                        current = rebuilt
                except OSError as exc:
                    problems.append(f"tagged file without its original: {exc}")
                    continue
                originals[path] = digest(current)
    finally:
        state.close()
    return originals


def check(downloads: Path, library: Path, cache: Path, state_db: Path,
          expected: dict[str, str], *, final: bool = False,
          figures: Figures | None = None, growing: dict[str, bytes] | None = None) -> list[str]:
    """Every invariant of the crash test; the list of what is wrong. ``growing``: files a
    writer is appending to right now, with their bytes before it began: each must be at its
    source, with those bytes first, and nowhere else."""
    problems: list[str] = []
    growing = growing or {}
    for source, before in growing.items():
        try:
            now = Path(source).read_bytes()
        except OSError:
            problems.append(f"{Path(source).name}: moved while a writer was appending to it")
            continue
        if not now.startswith(before) or now[len(before):] != pattern(len(now) - len(before)):
            problems.append(f"{Path(source).name}: its bytes changed other than by the writer")
    where: dict[str, list[Path]] = {}
    originals = untagged_digests(state_db, problems)
    for root in (downloads, library, cache):
        for path in root.rglob("*") if root.exists() else []:
            if is_temp(path):
                problems.append(f"temp file left: {path}")
            elif path.is_file() and path.suffix.lower() in VIDEO_SUFFIXES:
                where.setdefault(originals.get(str(path)) or digest(path), []).append(path)
    if figures is not None:
        figures.tagged = sum(1 for path in originals if os.path.exists(path))
    with sqlite3.connect(state_db, timeout=30) as conn:
        rows = {row[0]: row for row in conn.execute(
            "SELECT source_path, path, state, size FROM items")}
        unfinished = conn.execute(
            "SELECT count(*) FROM journal WHERE step NOT IN ('done','rolled-back','undone')"
        ).fetchone()[0]
    if unfinished:
        problems.append(f"{unfinished} journal row(s) unfinished")
    known = set(expected.values())
    for content, paths in where.items():
        strays = [p for p in paths if str(p) not in growing]
        if content not in known and strays:  # e.g. the first part of a download still written
            problems.append(f"a video that is no input file: {[str(p) for p in strays]}")
    for source, content in expected.items():
        if source in growing:
            continue
        places = where.get(content, [])
        if len(places) != 1:
            problems.append(f"{Path(source).name}: {len(places)} copies {[str(p) for p in places]}")
            continue
        place = places[0]
        if str(place) != source and not place.is_relative_to(library):
            problems.append(f"{Path(source).name}: at {place}, neither its source nor the library")
        row = rows.get(source)
        if row is None:
            if final:
                problems.append(f"{Path(source).name}: no item in the state DB")
            continue
        if row[1] != str(place):
            problems.append(f"{Path(source).name}: DB says {row[1]}, disk {place}")
        if final and row[2] in ("PROCESSING", "NEW", "CHANGED", "ERROR"):
            problems.append(f"{Path(source).name}: left {row[2]} after the final run")
    return problems


def start_run(downloads: Path, profile: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen([str(SHELVER), "run", str(downloads), "-p", str(profile), "--json"],
                                stdout=out, stderr=subprocess.DEVNULL, env=env)


def campaign(base: Path, cache_root: Path, *, files: int, kills: int, base_url: str, api_key: str,
             seed: int | None = None, pad: tuple[int, int] = (1_000_000, 6_000_000),
             window: float = 0.6, say: Any = print, undo: bool = True,
             growing: int | None = None) -> Figures:
    """Build ``files`` downloads under ``base``, kill ``kills`` runs while a writer appends to
    ``growing`` of them (default: one in ten), finish, check; then (``undo``) undo every run,
    newest first, and check the downloads are as they were."""
    from shelver.fileops import journal_ops, recover
    from shelver.manager import get_plugin_manager
    from shelver.store import StateDB

    rng = random.Random(seed)
    ops = journal_ops(get_plugin_manager())  # every built-in's journal ops (stage-*, tag...)
    figures = Figures(files=files)
    downloads, library = base / "downloads", base / "library"
    state_db, work_dir = base / "state.db", cache_root / "work"
    home = base / "home"
    env = {**os.environ, "SHELVER_LOAD_PLUGINS": "", "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local/share"),
           "XDG_CACHE_HOME": str(home / ".cache"), "XDG_STATE_HOME": str(home / ".local/state")}
    env.pop("TMDB_API_KEY", None)
    expected = build(downloads, corpus_entries(files), rng, pad)
    count = max(1, files // 10) if growing is None else growing
    written = {path: Path(path).read_bytes()
               for path in rng.sample(sorted(expected), min(count, len(expected)))}
    figures.growing = len(written)
    writer = start_writer(sorted(written)) if written else None
    profile = write_profile(base / "crash.toml", downloads=downloads, library=library,
                            work_dir=work_dir, state_db=state_db, base_url=base_url, api_key=api_key)
    started = time.monotonic()
    for round_number in range(kills + kills // 3):  # every 4th round is a Ctrl-C instead
        log = base / f"run-{round_number}.jsonl"
        proc = start_run(downloads, profile, env, log)
        while proc.poll() is None and log.stat().st_size == 0:
            time.sleep(0.005)  # until the first file is done: the run is in the thick of it
        time.sleep(rng.uniform(0.0, window))
        if proc.poll() is not None:
            figures.finished_early = True
            say(f"round {round_number}: the run finished before the kill")
            break
        copying = any(p.suffix in (".mkv", ".mp4") for p in cache_root.rglob("*")) or any(
            library.rglob(".*shelver-tmp*"))
        if round_number % 4 == 3:
            # Ctrl-C: the run stops taking files, finishes what it is placing, and exits.
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
                figures.interrupts += 1
            except subprocess.TimeoutExpired:
                figures.problems.append(f"round {round_number}: no exit 60 s after SIGINT")
                proc.kill()
                proc.wait()
        else:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            figures.kills += 1
        figures.kills_mid_copy += copying
        done = len(log.read_text(encoding="utf-8").splitlines())
        if round_number % 2:
            state = StateDB(state_db)
            try:
                settled = recover(state, ops=ops)
            finally:
                state.close()
            figures.recovered_in_process += 1
            problems = check(downloads, library, cache_root, state_db, expected, growing=written)
            figures.problems += [f"after kill {round_number + 1}: {p}" for p in problems]
            say(f"round {round_number + 1}: {done} file(s) reported, {settled} placement(s) "
                f"recovered here, {len(problems)} problem(s)")
        else:
            say(f"round {round_number + 1}: {done} file(s) reported (recovery left to the next run)")
    if writer is not None:
        state = StateDB(state_db)
        try:
            recover(state, ops=ops)  # the last round's, so that the disk can be checked now
        finally:
            state.close()
        problems = check(downloads, library, cache_root, state_db, expected, growing=written)
        figures.problems += [f"with the writer still appending: {p}" for p in problems]
        for path, count in stop_writer(writer).items():
            figures.appended += count
            expected[path] = hashlib.blake2b(written[path] + pattern(count),
                                             digest_size=16).hexdigest()
    final = subprocess.run([str(SHELVER), "run", str(downloads), "-p", str(profile), "--json"],
                           check=False, capture_output=True, text=True, env=env, timeout=1800)
    if final.returncode not in (0, 1):
        figures.problems.append(f"final run exited {final.returncode}: {final.stderr[-2000:]}")
    figures.problems += [f"final: {p}" for p in check(downloads, library, cache_root, state_db,
                                                       expected, final=True, figures=figures)]
    figures.seconds = round(time.monotonic() - started, 1)
    with sqlite3.connect(state_db) as conn:
        figures.organised = conn.execute(
            "SELECT count(*) FROM items WHERE status='organised'").fetchone()[0]
    figures.left_at_source = sum(1 for source in expected if os.path.exists(source))
    if undo:
        figures.problems += undo_everything(downloads, library, profile, env, expected, figures)
    return figures


def undo_everything(downloads: Path, library: Path, profile: Path, env: dict[str, str],
                    expected: dict[str, str], figures: Figures) -> list[str]:
    """``shelver undo`` until no run is left: the downloads must be exactly what was built
    (every file at its source path, byte-identical: tagged MP4s too) and the library empty."""
    problems = []
    for _ in range(200):
        proc = subprocess.run([str(SHELVER), "undo", "-p", str(profile), "--json"], env=env,
                              check=False, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            if "no run to undo" not in proc.stderr:
                problems.append(f"undo failed: {proc.stderr[-2000:]}")
            break
        report = json.loads(proc.stdout)
        figures.runs_undone += 1
        figures.untagged += len(report["untagged"])
    videos = {str(p): digest(p) for p in downloads.rglob("*")
              if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES}
    if videos != expected:
        wrong = sorted(set(videos.items()) ^ set(expected.items()))
        problems.append(f"after undo the downloads differ: {len(wrong)} file(s), e.g. {wrong[:3]}")
    left = [str(p) for p in library.rglob("*") if p.is_file()] if library.exists() else []
    if left:
        problems.append(f"after undo the library still has {len(left)} file(s), e.g. {left[:3]}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--growing", type=int, default=None,
                        help="downloads a writer appends to during the kills (default: 1 in 10)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB

    base = args.keep or Path(tempfile.mkdtemp(prefix="shelver-crash-"))
    base.mkdir(parents=True, exist_ok=True)
    cache = other_filesystem(base)
    if cache is None:
        print("crash: /dev/shm is missing or on the same filesystem as the temp dir: "
              "no cross-filesystem crash test possible here")
        return 0
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    try:
        with FakeTMDB() as server:
            figures = campaign(base, cache, files=args.files, kills=args.kills, seed=seed,
                               base_url=server.base_url, api_key=server.api_key,
                               growing=args.growing)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    print(f"\ncrash test (seed {seed}): {figures.files} files, cache on another filesystem "
          f"(/dev/shm), {figures.kills} SIGKILLs and {figures.interrupts} Ctrl-C (SIGINT) "
          f"({figures.kills_mid_copy} with a cache copy or library temp file under way), "
          f"{figures.recovered_in_process} recovered and "
          f"checked between kills, then one run to completion in {figures.seconds} s total")
    print(f"  {figures.growing} download(s) kept open and appended to by a writer during the "
          f"kills ({figures.appended} bytes): never moved while written, whole at the end")
    print(f"  organised {figures.organised} ({figures.tagged} MP4s tagged, checked against "
          f"the original rebuilt from the journal), left at source (review) "
          f"{figures.left_at_source}")
    if figures.problems:
        print(f"  FAILED: {len(figures.problems)} problem(s)")
        for problem in figures.problems[:50]:
            print(f"    {problem}")
        return 1
    print("  every file exactly once, byte-identical, at its source or final path; "
          "no temp file left; the state DB agrees with the disk")
    print(f"  then `shelver undo` {figures.runs_undone} time(s) (every run, newest first; "
          f"{figures.untagged} MP4s given their original bytes back): the downloads are "
          f"byte-identical to what was built and the library is empty")
    return 0


if __name__ == "__main__":
    sys.exit(main())
