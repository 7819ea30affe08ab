"""A person's review decision and a downloader's ids reach the matcher as typed fields of the
item (``Item.forced``, ``Item.hints``), not as magic keys in ``ParsedName.ids``; the engine
leaves the item as the plugins saw it (docs/plugins.md, "The data model").

The decision is made with the real ``shelver review set``, the ids are queued by the real
``shelver hook radarr``/``sonarr`` (``--enqueue-only``), the engine runs in-process with the real
TMDB plugin against the loopback TMDB look-alike and a plugin of the test's own that looks at
each item when it is matched and when it is done.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import trio
from shelver import hookimpl
from shelver.engine import Engine
from shelver.manager import get_plugin_manager
from shelver.model import DownloaderHints, Identity
from shelver.profiles import state_migrations, validate
from shelver.store import StateDB

from tests.conftest import shelver, write_profile
from tests.hooks.hookhelp import SHELVER, hook_env, radarr_env, run, sonarr_env


class Watcher:
    """Notes what each item carries when it is matched (declining to match it) and when done."""

    def __init__(self) -> None:
        self.matched: dict[str, dict[str, Any]] = {}
        self.done: dict[str, dict[str, Any]] = {}

    @hookimpl(tryfirst=True)
    def shelver_match(self, item: Any, ctx: Any) -> None:
        self.matched[item.source.name] = {
            "ids": item.parsed.ids, "ids_then": copy.deepcopy(item.parsed.ids),
            "forced": item.forced, "hints": item.hints}

    @hookimpl
    def shelver_item_done(self, item: Any, ctx: Any) -> None:
        self.done[item.source.name] = {"ids": item.parsed.ids, "ids_then": copy.deepcopy(item.parsed.ids),
                                       "status": item.status.value,
                                       "placed": item.placement.path.name if item.placement else None}


def engine_for(profile_path: Path, raw: dict[str, Any], watcher: Watcher) -> Engine:
    pm = get_plugin_manager(disable=["artwork", "phash"])
    pm.register(watcher)
    profile = validate(raw, path=profile_path, pm=pm)
    state = StateDB(profile.state_db, state_migrations(pm))
    return Engine(profile, pm, state, mode="inplace")


@pytest.mark.slow
async def test_review_decision_and_downloader_ids_reach_the_matcher_as_typed_fields(
        tmp_path: Path, tmdb_server: Any, video: Any) -> None:
    db = tmp_path / "state.db"
    raw = {"name": "t", "mode": "inplace", "sources": [str(tmp_path / "sources")],
           "dest_dir": str(tmp_path / "library"), "state_db": str(db),
           "filters": {"min_size_mb": 0}, "watch": {"sweep_interval": 3600.0, "settle_seconds": 0.1},
           "tmdb": {"base_url": tmdb_server.base_url, "api_key": tmdb_server.api_key}}
    (tmp_path / "sources").mkdir()
    profile = write_profile(tmp_path / "t.toml", raw)
    env = hook_env(SHELVER_PROFILE=str(profile), TMDB_API_KEY=tmdb_server.api_key)

    # A name nothing can be found for goes to review.
    unsure = video(tmp_path / "x7f3" / "x7f3.mkv", 8880)
    first = engine_for(profile, raw, Watcher())
    (result,) = await first.run([unsure])
    assert result["status"] == "review"
    (item_id,) = first.state.conn().execute("SELECT id FROM items WHERE state='REVIEW'").fetchone()
    first.state.close()
    movie = video(tmp_path / "radarr" / "movie.mkv", 8160)
    episode = video(tmp_path / "sonarr" / "Season 5" / "ep.mkv", 2820)
    searches = tmdb_server.count(path_prefix="/search")

    # With a daemon running, a person decides (Inception), and Radarr and Sonarr hand over
    # files whose names say nothing, with the ids they know: all three are queued for it.
    watcher = Watcher()
    engine = engine_for(profile, raw, watcher)
    async with trio.open_nursery() as nursery:
        await nursery.start(engine.serve)
        decided = await trio.to_thread.run_sync(lambda: shelver(
            "review", "-p", str(profile), "set", str(item_id), "--tmdb", "movie/27205", env=env))
        assert decided.returncode == 0 and "queued for the running daemon" in decided.stderr, \
            decided.stderr
        for argv, job in (([SHELVER, "hook", "--enqueue-only", "radarr"],
                           radarr_env(movie, tmdb="603", imdb="tt0133093")),
                          ([SHELVER, "hook", "--enqueue-only", "sonarr"],
                           sonarr_env(episode, tvdb="81189", season="5", episodes="14"))):
            queued = await trio.to_thread.run_sync(run, argv, {**env, **job})
            assert queued.returncode == 0, queued.stderr
        with trio.fail_after(60):
            while len(watcher.done) < 3:
                await trio.sleep(0.05)
        nursery.cancel_scope.cancel()

    assert {name: done["status"] for name, done in watcher.done.items()} == dict.fromkeys(
        ("x7f3.mkv", "movie.mkv", "ep.mkv"), "organised")
    # The matcher got them from the typed fields: the name's ids hold only what the name says.
    seen = watcher.matched
    assert seen["x7f3.mkv"]["forced"] == Identity("tmdb", "movie", 27205)
    assert seen["x7f3.mkv"]["hints"] is None
    assert seen["movie.mkv"]["forced"] is None
    assert seen["movie.mkv"]["hints"] == DownloaderHints(
        client="radarr", ids={"tmdb": 603, "imdb": "tt0133093"}, kind="movie", title="The Matrix",
        year=1999)
    assert seen["ep.mkv"]["hints"] == DownloaderHints(
        client="sonarr", ids={"tvdb": 81189}, kind="episode", title="Breaking Bad", season=5,
        episodes=[14])
    for name in ("x7f3.mkv", "movie.mkv", "ep.mkv"):
        assert seen[name]["ids_then"] == {}, name  # nothing in these names: no id, no magic key
    assert {name: done["placed"] for name, done in watcher.done.items()} == {
        "x7f3.mkv": "Inception (2010) {tmdb-27205}.mkv",
        "movie.mkv": "The Matrix (1999) {tmdb-603}.mkv",
        "ep.mkv": "Breaking Bad (2008) - S05E14 - Ozymandias.mkv"}
    assert tmdb_server.count(path_prefix="/search") == searches  # ids, never a search

    # shelver_item_done sees the very ids the matcher saw, not changed by the engine since.
    for name, done in watcher.done.items():
        assert done["ids"] is seen[name]["ids"], name
        assert done["ids_then"] == seen[name]["ids_then"] == {}, name

    # The DB keeps its formats: the hints as the hook stored them, the decision cleared once
    # done, the recorded name as the downloader corrected it (what `shelver review` shows).
    rows = {Path(path).name: (forced, json.loads(given) if given else None, json.loads(parsed))
            for path, forced, given, parsed in engine.state.conn().execute(
                "SELECT source_path, forced_identity, given_ids, parsed FROM items")}
    assert rows["x7f3.mkv"][:2] == (None, None)
    assert rows["movie.mkv"][1]["ids"] == {"tmdb": 603, "imdb": "tt0133093"}
    assert rows["movie.mkv"][2]["ids"] == {"tmdb": 603, "imdb": "tt0133093"}
    assert (rows["ep.mkv"][2]["title"], rows["ep.mkv"][2]["season"], rows["ep.mkv"][2]["episodes"]) \
        == ("Breaking Bad", 5, [14])


async def test_an_unreadable_stored_decision_or_hint_is_a_warning_not_a_stopped_run(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from tests.test_engine import KnownTitles, make_file, setup_engine

    engine, state = setup_engine(tmp_path, KnownTitles())
    source = make_file(tmp_path / "in" / "The.Matrix.1999.mkv")
    st = source.stat()
    item_id = state.observe(str(source), st.st_size, st.st_mtime, st.st_ino, "t")
    state.conn().execute("UPDATE items SET forced_identity=?, given_ids=? WHERE id=?",
                         ('{"type": "movie"}', "{not json", item_id))
    (result,) = await engine.run([tmp_path / "in"])
    assert result["status"] == "organised"  # identified from its name
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert f"{source}: items.forced_identity of item {item_id} in {state.path} is unreadable " \
           "('id'): ignored" in warnings
    assert any(w.startswith(f"{source}: items.given_ids of item {item_id} in {state.path} is "
                            "unreadable (") for w in warnings), warnings
