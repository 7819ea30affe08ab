"""The engine in-process, with plugins of the test's own instead of TMDB: lifecycle hooks, the
per-item error boundary, backoff, reclaim, dry run, cancellation."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing
from shelver import hookimpl
from shelver.engine import Engine
from shelver.errors import ConfigError
from shelver.manager import get_plugin_manager
from shelver.metadata import Metadata
from shelver.model import Identity, Match, Priority, State
from shelver.profiles import state_migrations, validate
from shelver.store import StateDB


class KnownTitles:
    """Identifies every file as The Matrix; records the lifecycle hooks it sees."""

    def __init__(self, fail_on: str | None = None, start_error: bool = False) -> None:
        self.calls: list[str] = []
        self.fail_on = fail_on
        self.start_error = start_error

    @hookimpl
    def shelver_run_start(self, ctx: Any) -> None:
        self.calls.append("run_start")
        if self.start_error:
            raise ConfigError("bad.setting in test.toml")

    @hookimpl
    def shelver_run_end(self, ctx: Any) -> None:
        self.calls.append("run_end")

    @hookimpl
    def shelver_match(self, item: Any, ctx: Any) -> Match:
        if self.fail_on and self.fail_on in item.path.name:
            raise RuntimeError("TMDB exploded")
        return Match(identity=Identity("tmdb", "movie", 603), confidence=0.99,
                     metadata=Metadata(provider="tmdb", kind="movie", title="The Matrix", year=1999,
                                       premiered="1999-03-30", ids={"tmdb": "603"}))


class Broken:
    @hookimpl
    def shelver_item_done(self, item: Any, ctx: Any) -> None:
        raise RuntimeError("notification service down")


class Recorder:
    def __init__(self) -> None:
        self.done: list[str] = []

    @hookimpl
    def shelver_item_done(self, item: Any, ctx: Any) -> None:
        self.done.append(item.status.value)


def setup_engine(tmp_path: Path, *plugins: Any, mode: str = "inplace", dry_run: bool = False,
                 **settings: Any) -> tuple[Engine, StateDB]:
    pm = get_plugin_manager(disable=["tmdb", "artwork", "phash"])
    for plugin in plugins:
        pm.register(plugin)
    raw = {"name": "t", "sources": [str(tmp_path / "in")], "dest_dir": str(tmp_path / "lib"),
           "state_db": str(tmp_path / "state.db"), "filters": {"min_size_mb": 0}, **settings}
    profile = validate(raw, pm=pm)
    state = StateDB(profile.state_db, state_migrations(pm))
    return Engine(profile, pm, state, mode=mode, dry_run=dry_run), state


def make_file(path: Path, content: bytes = b"x" * 1000) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


async def test_run_end_follows_every_run_even_one_whose_start_failed(tmp_path: Path) -> None:
    plugin = KnownTitles()
    engine, _state = setup_engine(tmp_path, plugin)
    make_file(tmp_path / "in" / "The.Matrix.1999.mkv")
    await engine.run([tmp_path / "in"])
    assert plugin.calls == ["run_start", "run_end"]

    failing = KnownTitles(start_error=True)
    engine, state = setup_engine(tmp_path, failing)
    waiting = make_file(tmp_path / "in" / "Heat.1995.mkv")
    with pytest.raises(ConfigError):
        await engine.run([tmp_path / "in"])
    assert failing.calls == ["run_start", "run_end"]
    assert waiting.exists() and state.counts() == {"INDEXED": 1}  # the new file untouched
    assert state.conn().execute("SELECT status FROM runs ORDER BY id DESC").fetchone()[0] == "failed"


class TwoStepStart:
    """A sync run_start and an async run_check: the check must finish first."""

    def __init__(self, check_error: bool = False) -> None:
        self.calls: list[str] = []
        self.check_error = check_error

    @hookimpl
    async def shelver_run_check(self, ctx: Any) -> None:
        await trio.sleep(0.05)  # a network round trip
        self.calls.append("run_check")
        if self.check_error:
            raise ConfigError("bad.key in test.toml")

    @hookimpl
    def shelver_run_start(self, ctx: Any) -> None:
        self.calls.append("run_start")


async def test_every_run_check_async_ones_included_finishes_before_run_start(tmp_path: Path) -> None:
    plugin = TwoStepStart()
    engine, _state = setup_engine(tmp_path, plugin)
    make_file(tmp_path / "in" / "The.Matrix.1999.mkv")
    await engine.run([tmp_path / "in"])
    assert plugin.calls == ["run_check", "run_start"]

    failing = TwoStepStart(check_error=True)
    engine, _state = setup_engine(tmp_path, failing)
    with pytest.raises(ConfigError, match="bad.key"):
        await engine.run([tmp_path / "in"])
    assert failing.calls == ["run_check"]  # no run_start (no recovery) after a failed check


async def test_an_item_error_is_caught_recorded_with_backoff_and_the_run_goes_on(tmp_path: Path) -> None:
    engine, state = setup_engine(tmp_path, KnownTitles(fail_on="Broken"))
    make_file(tmp_path / "in" / "Broken.2001.mkv")
    make_file(tmp_path / "in" / "The.Matrix.1999.mkv", b"y" * 999)
    results = await engine.run([tmp_path / "in"])
    by_name = {Path(r["source"]).name: r for r in results}
    assert by_name["The.Matrix.1999.mkv"]["status"] == "organised"
    assert by_name["Broken.2001.mkv"]["status"] == "error"
    assert "TMDB exploded" in by_name["Broken.2001.mkv"]["error"]
    assert "Broken.2001.mkv" in by_name["Broken.2001.mkv"]["error"]
    assert engine.exit_status() == 1
    row = state.item_by_path(str(tmp_path / "in" / "Broken.2001.mkv"))
    assert row is not None and row["state"] == "ERROR" and row["error_count"] == 1
    assert 55 <= row["next_retry"] - time.time() <= 61  # 1 minute, then doubling
    # Not due yet: a sweep does not take it again.
    st = os.stat(row["path"])
    assert state.observe(row["path"], st.st_size, st.st_mtime, st.st_ino, "t") is None


async def test_one_failing_item_done_plugin_does_not_silence_the_others(tmp_path: Path) -> None:
    recorder = Recorder()
    engine, _state = setup_engine(tmp_path, KnownTitles(), Broken(), recorder)
    make_file(tmp_path / "in" / "The.Matrix.1999.mkv")
    results = await engine.run([tmp_path / "in"])
    assert [r["status"] for r in results] == ["organised"]
    assert recorder.done == ["organised"]


async def test_dry_run_records_nothing_and_moves_nothing(tmp_path: Path) -> None:
    engine, state = setup_engine(tmp_path, KnownTitles(), dry_run=True)
    source = make_file(tmp_path / "in" / "The.Matrix.1999.mkv")
    (result,) = await engine.run([tmp_path / "in"])
    assert result["status"] == "organised"
    assert result["destination"].endswith("The Matrix (1999) {tmdb-603}.mkv")
    assert source.exists() and not (tmp_path / "lib").exists()
    assert state.counts() == {}


async def test_items_left_processing_by_a_dead_process_are_reclaimed_and_finished_once(tmp_path: Path) -> None:
    engine, state = setup_engine(tmp_path, KnownTitles())
    source = make_file(tmp_path / "in" / "The.Matrix.1999.mkv")
    st = source.stat()
    item_id = state.observe(str(source), st.st_size, st.st_mtime, st.st_ino, "t")
    assert item_id is not None
    claimed = state.claim_next("t", "somehost:1")
    assert claimed is not None and claimed["state"] == "PROCESSING"
    # Pretend the worker that held it was this host's long-dead pid.
    dead = f"{os.uname().nodename}:999999"
    state.conn().execute("UPDATE items SET owner=? WHERE id=?", (dead, item_id))
    results = await engine.run([tmp_path / "in"])
    assert [r["status"] for r in results] == ["organised"]
    assert state.item(item_id)["state"] == State.INDEXED.value
    assert len(list((tmp_path / "lib").rglob("*.mkv"))) == 1


async def test_a_daemon_finishes_queued_work_and_stops_when_cancelled(tmp_path: Path) -> None:
    engine, state = setup_engine(tmp_path, KnownTitles(), watch={"sweep_interval": 3600.0,
                                                                "settle_seconds": 0.1})
    source = make_file(tmp_path / "in" / "The.Matrix.1999.mkv")
    async with trio.open_nursery() as nursery:
        await nursery.start(engine.serve)
        with trio.fail_after(20):
            while state.counts().get("INDEXED") != 1:
                await trio.sleep(0.05)
        nursery.cancel_scope.cancel()
    assert not source.exists()
    assert state.conn().execute("SELECT count(*) FROM instances").fetchone()[0] == 0
    run = state.conn().execute("SELECT command, status, counts FROM runs").fetchone()
    assert run[0] == "run" and json.loads(run[2]) == {"organised": 1}


async def test_hook_jobs_are_taken_by_priority(tmp_path: Path) -> None:
    _engine, state = setup_engine(tmp_path, KnownTitles())
    ids = {}
    for name, priority in (("low", Priority.LOW), ("manual", Priority.CRITICAL), ("new", Priority.HIGH)):
        path = make_file(tmp_path / "in" / f"{name}.mkv")
        st = path.stat()
        ids[name] = state.observe(str(path), st.st_size, st.st_mtime, st.st_ino, "t", priority=priority)
    order = [state.claim_next("t", "me:1")["path"].rsplit("/", 1)[1] for _ in range(3)]
    assert order == ["manual.mkv", "new.mkv", "low.mkv"]


class FailsOnce:
    """The first attempt at each file fails (TMDB down), later ones succeed."""

    def __init__(self) -> None:
        self.attempts: dict[str, int] = {}

    @hookimpl(tryfirst=True)
    def shelver_match(self, item: Any, ctx: Any) -> None:
        count = self.attempts.get(item.path.name, 0) + 1
        self.attempts[item.path.name] = count
        if count == 1:
            raise RuntimeError("TMDB unreachable")


@pytest.fixture
def jumping_clock() -> trio.testing.MockClock:
    """Virtual time that jumps to the next deadline once everything has been idle for 20 ms of
    real time (not at once, as ``autojump_clock`` does): the engine's short thread calls (SQLite,
    stat) finish before time moves, so timings stay exact."""
    return trio.testing.MockClock(autojump_threshold=0.02)


async def _serve_until(engine: Engine, state: StateDB, predicate: Any, limit: float) -> None:
    async with trio.open_nursery() as nursery:
        await nursery.start(engine.serve)
        with trio.fail_after(limit):
            while not predicate():
                await trio.sleep(1)
        nursery.cancel_scope.cancel()


async def test_a_failed_item_is_retried_after_its_backoff_by_the_daemon(
        tmp_path: Path, jumping_clock: Any) -> None:
    failing = FailsOnce()
    engine, state = setup_engine(tmp_path, failing, KnownTitles(),
                                 watch={"sweep_interval": 86400.0, "settle_seconds": 3600.0})
    state.clock = jumping_clock.current_time  # retry times on the virtual clock (any thread)
    written_long_ago(make_file(tmp_path / "in" / "The.Matrix.1999.mkv"))
    started = trio.current_time()
    await _serve_until(engine, state, lambda: state.counts().get("INDEXED") == 1, limit=600)
    # Failed at once, queued again after the 1-minute backoff, organised on the second attempt:
    # long before the next sweep (a day away).
    assert failing.attempts == {"The.Matrix.1999.mkv": 2}
    assert 60 <= trio.current_time() - started < 125


async def test_a_sweep_finds_files_the_watcher_missed(tmp_path: Path, jumping_clock: Any) -> None:
    engine, state = setup_engine(tmp_path, KnownTitles(),
                                 watch={"sweep_interval": 300.0, "settle_seconds": 3600.0})
    (tmp_path / "in").mkdir()
    async with trio.open_nursery() as nursery:
        await nursery.start(engine.serve)
        await trio.sleep(5)  # the start-up sweep has run: nothing there yet
        written_long_ago(make_file(tmp_path / "in" / "The.Matrix.1999.mkv"))
        await trio.sleep(200)
        assert state.counts() == {}  # no event is ever settled, no sweep yet
        with trio.fail_after(200):
            while state.counts().get("INDEXED") != 1:
                await trio.sleep(1)
        nursery.cancel_scope.cancel()
    assert not (tmp_path / "in" / "The.Matrix.1999.mkv").exists()


def written_long_ago(path: Path) -> Path:
    """A file last written a day ago (longer than any settle time these tests use)."""
    day_ago = time.time() - 86400
    os.utime(path, (day_ago, day_ago))
    return path


async def test_a_file_found_by_a_sweep_settles_before_it_is_taken(
        tmp_path: Path, jumping_clock: Any) -> None:
    # Written to just now (it may still be growing): the start-up sweep hands it to the
    # settler, as an event would, instead of taking it at once (issue 14, point 1).
    engine, state = setup_engine(tmp_path, KnownTitles(), conflict="index",
                                 watch={"sweep_interval": 86400.0, "settle_seconds": 60.0})
    fresh = make_file(tmp_path / "in" / "The.Matrix.1999.mkv")
    old = written_long_ago(make_file(tmp_path / "in" / "Heat.1995.mkv", b"y" * 2000))
    started = trio.current_time()
    async with trio.open_nursery() as nursery:
        await nursery.start(engine.serve)
        with trio.fail_after(30):
            while state.counts().get("INDEXED") != 1:
                await trio.sleep(1)
        assert not old.exists()  # taken at once
        await trio.sleep(30)  # half the settle time
        assert fresh.exists() and state.counts() == {"INDEXED": 1}  # not taken yet
        with trio.fail_after(120):
            while state.counts().get("INDEXED") != 2:
                await trio.sleep(1)
        nursery.cancel_scope.cancel()
    assert trio.current_time() - started >= 60


async def test_a_run_takes_the_smallest_collections_first(tmp_path: Path) -> None:
    engine, _state = setup_engine(tmp_path, KnownTitles(), workers=1, conflict="index")
    make_file(tmp_path / "in" / "Big" / "a.mkv", b"x" * 5000)
    make_file(tmp_path / "in" / "Big" / "b.mkv", b"x" * 5000)
    make_file(tmp_path / "in" / "Small" / "c.mkv", b"x" * 100)
    make_file(tmp_path / "in" / "Medium" / "d.mkv", b"x" * 3000)
    results = await engine.run([tmp_path / "in"])
    order = [Path(r["source"]).parent.name for r in results]
    assert order == ["Small", "Medium", "Big", "Big"]


class ReplacesOnce:
    """Another program renames a different video over the source while it is being identified
    (after its probe, before its placement)."""

    def __init__(self, replacement: Path) -> None:
        self.replacement = replacement
        self.done = False

    @hookimpl
    def shelver_fingerprint(self, item: Any, ctx: Any) -> dict[str, Any]:
        if not self.done:
            self.done = True
            os.replace(self.replacement, item.path)
        return {}


async def test_a_source_replaced_after_identification_is_identified_again(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # Issue 14, point 2: never placed (or described) under the old file's identity and probe.
    import logging

    from shelver.testing.media import make_video

    caplog.set_level(logging.INFO, logger="shelver")
    source = make_video(tmp_path / "in" / "The.Matrix.1999.mkv", 600, seed=1)
    replacement = make_video(tmp_path / "elsewhere" / "other.mkv", 1500, width=96, seed=2)
    new_bytes = replacement.read_bytes()
    engine, state = setup_engine(tmp_path, KnownTitles(), ReplacesOnce(replacement))
    results = await engine.run([source])
    assert [r["status"] for r in results] == ["organised"]
    placed = Path(results[0]["destination"])
    assert placed.read_bytes() == new_bytes
    item = state.item_by_path(placed)
    assert item is not None
    probe = json.loads(item["probe"])
    assert round(probe["duration"]) == 1500 and probe["width"] == 96  # the new file's probe
    assert "changed since it was identified (replaced by another file): identifying it again" \
        in caplog.text


class SeenAtDone:
    """Where each item's file is when ``shelver_item_done`` runs (first, before any other)."""

    def __init__(self) -> None:
        self.paths: list[tuple[str, bool]] = []

    @hookimpl(tryfirst=True)
    def shelver_item_done(self, item: Any, ctx: Any) -> None:
        self.paths.append((str(item.path), item.path.exists()))


async def test_an_item_left_for_review_goes_to_failed_dir_in_the_place_phase(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    seen = SeenAtDone()  # no matcher at all: every file is left for review
    engine, state = setup_engine(tmp_path, seen, failed_dir=str(tmp_path / "failed"))
    source = make_file(tmp_path / "in" / "Some.Release" / "mystery.mkv")
    make_file(tmp_path / "in" / "Some.Release" / "mystery.en.srt", b"sub")
    with caplog.at_level("INFO", logger="shelver"):
        (result,) = await engine.run([tmp_path / "in"])
    target = tmp_path / "failed" / "Some.Release" / "mystery.mkv"
    assert result["status"] == "review" and result["destination"] is None
    assert not source.exists() and target.exists() and (target.parent / "mystery.en.srt").exists()
    assert f"{source} could not be identified: moved to {target}" in caplog.text
    # Moved before the outcome was recorded and item_done ran: notifications see where it is.
    assert seen.paths == [(str(target), True)]
    row = state.item_by_path(str(target))
    assert row is not None and row["state"] == "REVIEW"
    # A dry run moves nothing.
    engine, _state = setup_engine(tmp_path, dry_run=True, failed_dir=str(tmp_path / "failed2"))
    other = make_file(tmp_path / "in" / "other.mkv")
    await engine.run([other])
    assert other.exists() and not (tmp_path / "failed2").exists()


class LooksLikeALibraryFile:
    """A third-party fingerprint plugin: decides the file duplicates a library file."""

    def __init__(self, library_file: Path) -> None:
        self.library_file = library_file

    @hookimpl
    def shelver_fingerprint(self, item: Any, ctx: Any) -> dict[str, Any]:
        from shelver.api import Duplicate

        item.duplicate_of = Duplicate(path=self.library_file, reason="same checksum")
        return {"checksum": "abc"}


@pytest.mark.parametrize("policy, status, placed", [
    ("skip", "duplicate", False), ("index", "organised", True), ("fail", "error", False)])
async def test_a_duplicate_a_fingerprint_plugin_found_is_carried_out_by_placement(
        tmp_path: Path, policy: str, status: str, placed: bool) -> None:
    library_file = make_file(tmp_path / "lib" / "elsewhere" / "The Matrix.mkv", b"old")
    decide = LooksLikeALibraryFile(library_file)
    source = make_file(tmp_path / "in" / "The.Matrix.1999.mkv")
    engine, state = setup_engine(tmp_path, KnownTitles(), decide, conflict=policy, dry_run=True)
    (result,) = await engine.run([tmp_path / "in"])
    assert result["status"] == ("organised" if placed else "duplicate")  # what a dry run says
    engine, state = setup_engine(tmp_path, KnownTitles(), decide, conflict=policy)
    (result,) = await engine.run([tmp_path / "in"])
    assert result["status"] == status, result
    assert source.exists() is not placed and library_file.read_bytes() == b"old"
    if policy == "skip":
        assert result["destination"] == str(source)
        assert state.item_by_path(str(source))["state"] == "SKIPPED"  # type: ignore[index]
    if policy == "fail":
        assert f"duplicate: looks like {library_file} (same checksum)" in result["error"]


@pytest.mark.parametrize("dry_run", [False, True])
async def test_a_run_works_while_its_walk_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  dry_run: bool) -> None:
    # docs/operations.md, "Huge trees": past ORDERED_UP_TO videos, the first result comes before
    # the walk is over (a 100,000-file tree used to be walked and queued whole first).
    from shelver.discovery import walk
    from shelver.engine import run as run_module

    monkeypatch.setattr(run_module, "ORDERED_UP_TO", 2)
    monkeypatch.setattr(run_module, "WALK_BATCH", 2)
    seen: list[str] = []

    def slow_walk(root: str, filters: Any) -> Any:
        for directory, files in walk(root, filters):
            time.sleep(0.05)  # a slow disk: the walk takes longer than an item
            seen.append(f"walked {directory}")
            yield directory, files
        seen.append("walk over")

    monkeypatch.setattr(run_module, "walk", slow_walk)
    engine, _state = setup_engine(tmp_path, KnownTitles(), dry_run=dry_run, workers=2)
    engine.on_result = lambda result: seen.append(f"result {result['source']}")
    for index in range(12):
        make_file(tmp_path / "in" / f"Film {index:02d} (2001)" / f"Film.{index:02d}.2001.mkv")
    results = await engine.run([tmp_path / "in"])
    assert len(results) == 12 and engine.total == 12
    first_result = next(i for i, line in enumerate(seen) if line.startswith("result"))
    assert first_result < seen.index("walk over")
