"""Web UI benchmark: every page with 100,000 items and 1,000 runs, and the live stream of a
1,000-file run.

Run: ``.venv/bin/python bench/web.py`` (about a minute). In a temporary folder it fills a state DB
directly with SQL: 100,000 items (2,000 waiting for review, each with five candidate cards; 500
in error), 1,000 runs with 100 ``item-done`` events each, journal rows for one run. Then:

* **pages**: each page and API answer is requested 20 times through the ASGI app in-process
  (httpx's ASGI transport: the server's own time, no network), after one warm-up; the median
  is compared with the contract's 300 ms and with the cost of a static file (the framework's
  floor) in the same run;
* **stream**: ``shelver web``'s server (Hypercorn on loopback) streams ``/events`` while a real
  engine run organises 1,000 files (a stand-in provider names each file; no network): every
  event the run wrote must arrive, in id order, none twice.

Prints the figures; exits 1 when a page's median is over 300 ms or the stream lost an event.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import trio

ITEMS = 100_000
RUNS = 1_000
REVIEW = 2_000
ERRORS = 500
REQUESTS = 20
TARGET_MS = 300.0
STREAM_FILES = 1_000


def fill(state: Any, root: Path) -> dict[str, int]:
    """Items, runs, events and journal rows, inserted directly (seconds, not hours)."""
    rng = random.Random(7)
    now = time.time()
    card = {"provider": "tmdb", "type": "movie", "title": "Some Film", "year": 2001, "score": 0.61,
            "reasons": {"title": 0.9, "year": {"candidate": 2001, "fit": 1.0}},
            "poster": "http://127.0.0.1:9/t/p/w342/x.jpg", "overview": "A film. " * 20,
            "runtime": 101}
    items = []
    for n in range(1, ITEMS + 1):
        folder = f"{root}/library/Folder {n // 50}"
        state_name = "REVIEW" if n <= REVIEW else "ERROR" if n <= REVIEW + ERRORS else \
            rng.choice(["INDEXED"] * 8 + ["STALE", "MISSING"])
        candidates = json.dumps([{**card, "id": n * 10 + k} for k in range(5)]) \
            if state_name == "REVIEW" else None
        items.append((n, f"{folder}/Film.{n}.2001.1080p.mkv", folder, f"{root}/dl/Film.{n}.mkv",
                      "bench", 1_000_000 + n, now - n, n, state_name, "organised", "movie",
                      "inplace", candidates, json.dumps({"kind": "movie", "title": f"Film {n}",
                                                         "year": 2001}),
                      json.dumps({"duration": 6060.0, "width": 1920, "height": 1080}),
                      now - n, now - n, "tmdb", "movie", str(n), (n % RUNS) + 1,
                      "TMDB unreachable" if state_name == "ERROR" else None,
                      now + 60 if state_name == "ERROR" else None))
    with state.transaction() as write:
        write.executemany(
            "INSERT INTO items (id, path, dir, source_path, profile, size, mtime, inode, state,"
            " status, kind, mode, candidates, parsed, probe, first_seen, updated_at, provider,"
            " ident_kind, ident, run_id, last_error, next_retry) VALUES"
            " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", items)
        write.executemany(
            "INSERT INTO queue (item_id, profile, priority, enqueued_at, not_before, reason)"
            " VALUES (?,?,?,?,?,?)",
            [(n, "bench", rng.choice([10, 20, 30, 40, 50]), now, 0, "bench")
             for n in range(REVIEW + ERRORS + 1, REVIEW + ERRORS + 3001)])
        write.executemany(
            "INSERT INTO runs (id, profile, command, mode, host, pid, started_at, ended_at, status,"
            " counts) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(r, "bench", "run", "inplace", "bench-host", 1, now - 86400 + r, now - 86000 + r,
              "done" if r % 10 else "interrupted", json.dumps({"organised": 95, "review": 5}))
             for r in range(1, RUNS + 1)])
        events = []
        for r in range(1, RUNS + 1):
            for k in range(100):
                n = (r - 1) * 100 + k + 1
                events.append((now - 86000 + r, r, n, "item-done", json.dumps({
                    "status": "review" if k % 20 == 0 else "organised",
                    "source": f"{root}/dl/Film.{n}.mkv",
                    "destination": f"{root}/library/Folder {n // 50}/Film.{n}.2001.1080p.mkv",
                    "error": None, "reason": None})))
        write.executemany("INSERT INTO events (ts, run_id, item_id, kind, payload) VALUES"
                          " (?,?,?,?,?)", events)
        write.executemany(
            "INSERT INTO journal (run_id, item_id, op, src, dst, step, size, created_at,"
            " updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
            [(RUNS, n, "move", f"{root}/dl/Film.{n}.mkv", f"{root}/library/Film.{n}.mkv",
              "done", 1, now, now) for n in range(1, 101)])
    return {"items": ITEMS, "runs": RUNS, "events": len(events)}


async def time_pages(app: Any, paths: list[str]) -> dict[str, float]:
    transport = httpx.ASGITransport(app=app)
    medians: dict[str, float] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8765") as client:
        for path in paths:
            answer = await client.get(path)  # warm-up (templates compiled, caches filled)
            if answer.status_code != 200:
                raise SystemExit(f"{path}: {answer.status_code} {answer.text[:300]}")
            times = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                answer = await client.get(path)
                times.append(time.perf_counter() - started)
                assert answer.status_code == 200
            medians[path] = statistics.median(times) * 1000
    return medians


class Names:
    """A stand-in provider: file N is "Film N" (2001), so every file has its own destination."""

    def shelver_match(self, item: Any, ctx: Any) -> Any:
        from shelver.api import Identity, Match, Metadata

        number = item.path.stem.split(".")[1]
        return Match(identity=Identity("bench", "movie", number), confidence=1.0,
                     metadata=Metadata(provider="bench", kind="movie", title=f"Film {number}",
                                       year=2001, ids={"bench": number}))


async def stream_a_run(root: Path) -> dict[str, Any]:
    """A real 1,000-file run while ``/events`` streams it from the real server."""
    from shelver import hookimpl
    from shelver.engine import Engine
    from shelver.manager import get_plugin_manager
    from shelver.plugins.web import server
    from shelver.profiles import state_migrations, validate
    from shelver.store import StateDB
    from shelver.store.events import latest_event_id

    Names.shelver_match = hookimpl(Names.shelver_match)  # type: ignore[method-assign]
    pm = get_plugin_manager(disable=["tmdb", "artwork", "phash", "mediainfo"])
    pm.register(Names())
    downloads = root / "stream" / "downloads"
    downloads.mkdir(parents=True)
    for n in range(STREAM_FILES):
        (downloads / f"Film.{n}.mkv").write_bytes(b"\0" * 1024)
    profile = validate({"name": "stream", "sources": [str(downloads)],
                        "dest_dir": str(root / "stream" / "library"),
                        "state_db": str(root / "stream" / "state.db"),
                        "filters": {"min_size_mb": 0}}, pm=pm)
    state = StateDB(profile.state_db, state_migrations(pm))
    from shelver.api import App
    from shelver.plugins.web.actions import Web

    web = Web(default=App(profile, pm, state), token=None, csrf="bench")
    start_id = latest_event_id(state)
    received: list[int] = []
    written: list[int] = []
    async with trio.open_nursery() as nursery:
        url = await nursery.start(lambda task_status: server.serve(
            web, "127.0.0.1", 0, task_status=task_status))
        done = trio.Event()

        async def read() -> None:
            async with httpx.AsyncClient(timeout=None) as client:
                async with client.stream("GET", f"{url}events?after={start_id}") as answer:
                    async for line in answer.aiter_lines():
                        if line.startswith("id: "):
                            received.append(int(line[4:]))
                        if done.is_set() and received and received[-1] >= written[-1]:
                            return

        nursery.start_soon(read)
        started = time.perf_counter()
        engine = Engine(profile, pm, state, command="run")
        await engine.run([downloads])
        elapsed = time.perf_counter() - started
        written.extend(r[0] for r in state.conn().execute(
            "SELECT id FROM events WHERE id > ? ORDER BY id", (start_id,)))
        done.set()
        with trio.move_on_after(30):
            while not received or received[-1] < written[-1]:
                await trio.sleep(0.05)
        nursery.cancel_scope.cancel()
    state.close()
    organised = sum(1 for r in engine.results if r["status"] == "organised")
    return {"files": STREAM_FILES, "organised": organised, "events": len(written),
            "received": len(received), "in_order": received == written, "run_seconds": elapsed}


async def main_async(root: Path) -> int:
    from shelver.plugins.web.app import create_app
    from shelver.plugins.web.server import open_web

    profile = root / "bench.toml"
    profile.write_text(f'name = "bench"\nstate_db = "{root / "state.db"}"\n'
                       f'dest_dir = "{root / "library"}"\n', encoding="utf-8")
    web = open_web(str(profile), "127.0.0.1")
    started = time.perf_counter()
    counts = fill(web.state, root)
    print(f"state DB: {counts['items']:,} items, {counts['runs']:,} runs, {counts['events']:,} "
          f"events (filled in {time.perf_counter() - started:.1f} s)")
    paths = ["/", "/fragments/overview", "/review", f"/review?after={REVIEW // 2}", "/review/7",
             "/activity", "/activity?before=500&status=done", f"/runs/{RUNS}",
             "/runs/500?status=review&q=Film.499", "/runs/3?after=250", "/items/4242",
             f"/runs/{RUNS}/undo", "/api/status", "/api/review", "/api/runs", "/api/runs/500",
             "/api/items/4242"]
    floor = await time_pages(create_app(web), ["/static/shelver.css"])
    medians = await time_pages(create_app(web), paths)
    print(f"pages: median of {REQUESTS} requests each (server time, in-process); target "
          f"{TARGET_MS:.0f} ms; a static file costs {floor['/static/shelver.css']:.1f} ms")
    over = 0
    for path, ms in medians.items():
        mark = "" if ms <= TARGET_MS else "  over target"
        over += ms > TARGET_MS
        print(f"  {path:<36} {ms:7.1f} ms  {ms / TARGET_MS:5.2f} × target  "
              f"{ms / floor['/static/shelver.css']:6.1f} × static{mark}")
    web.close()
    web.default.close()
    stream = await stream_a_run(root)
    print(f"stream: a {stream['files']}-file run ({stream['organised']} organised in "
          f"{stream['run_seconds']:.1f} s) wrote {stream['events']} events; /events delivered "
          f"{stream['received']}, {'in order, none missed' if stream['in_order'] else 'NOT IN ORDER'}")
    return 1 if over or not stream["in_order"] or stream["organised"] != STREAM_FILES else 0


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="shelver-bench-web-") as tmp:
        import os

        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            os.environ[name] = str(Path(tmp) / name.lower())  # nothing of the user's touched
        return trio.run(main_async, Path(tmp))


if __name__ == "__main__":
    sys.exit(main())
