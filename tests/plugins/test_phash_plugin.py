"""The phash plugin: duplicate decisions (distance, duration, policy), move decisions (cheap size
check first, exact phash, identity kept), the on/off switch, and ``shelver phash``.

Library rows are real rows in a real state DB; hashes of library rows are set by hand where the
decision, not the hashing, is under test. Move tests hash real tiny videos.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import trio
from shelver import hookimpl
from shelver.context import RunContext
from shelver.errors import ItemError, NotFoundError
from shelver.metadata import Metadata
from shelver.model import Identity, Item, Match, Plan, State, Status
from shelver.plugins.phash import plugin
from shelver.plugins.phash.plugin import (
    find_duplicates,
    shelver_config_schema,
    shelver_fingerprint,
    shelver_match,
    shelver_register_migrations,
)
from shelver.store import StateDB

from tests.conftest import json_lines, shelver

CLIP_A = Path(__file__).resolve().parents[1] / "data" / "phash" / "clip_a.mp4"
CLIP_A_PHASH = "cb5a4d61328b1d5b"
LIBRARY_PHASH = "a590a21aefe32d78"


def flip(phash: str, bits: int) -> str:
    """``phash`` with its lowest ``bits`` bits inverted: exactly that Hamming distance away."""
    return f"{int(phash, 16) ^ ((1 << bits) - 1):016x}"


@pytest.fixture
def state(plugin_state: StateDB) -> StateDB:
    """The state DB with phash's own migrations (the shared ``make_ctx`` runs on this one)."""
    return plugin_state


@pytest.fixture
def library_item(tmp_path: Path, state: StateDB) -> Callable[..., dict[str, Any]]:
    """Record an organised file (INDEXED unless told) with a phash, a duration and a TMDB id."""
    counter = iter(range(1, 1000))

    def add(phash: str, duration: float | None = 1000.0, *, path: Path | None = None,
            exists: bool = True, size: int | None = None, state_: State = State.INDEXED,
            identity: Identity | None = None, release_date: str | None = None) -> dict[str, Any]:
        path = path or tmp_path / "library" / f"movie-{next(counter)}.mkv"
        if exists and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"x" * 10)
        size = size if size is not None else (path.stat().st_size if path.exists() else 10)
        item_id = state.observe(str(path), size, 1.0, 1, "test")
        assert item_id is not None
        identity = identity or Identity("tmdb", "movie", 603)
        assert state.transition(item_id, State.NEW, state_, phash=phash,
                                probe={"duration": duration} if duration else {},
                                provider=identity.provider, ident_kind=identity.kind,
                                ident=identity.id, release_date=release_date,
                                season=identity.season, episodes=identity.episodes)
        row = state.item(item_id)
        assert row is not None
        return row

    return add


def new_item(path: Path, *, duration: float | None = 1000.0, phash: str | None = None,
             size: int | None = None, item_id: int | None = None) -> Item:
    item = Item(path=path, source=path, size=size if size is not None else (
        path.stat().st_size if path.exists() else 0), item_id=item_id)
    if duration is not None:
        item.probe["duration"] = duration
    if phash is not None:
        item.fingerprint["phash"] = phash  # as if the match phase had hashed it already
    item.match = Match(identity=Identity("tmdb", "movie", 603), confidence=0.9)
    return item


# ---------------------------------------------------------------------------------------------
# Settings and the state DB
# ---------------------------------------------------------------------------------------------


def test_schema_defaults_and_the_indexes_are_used(state: StateDB) -> None:
    assert shelver_config_schema() == {"phash": {"enabled": True, "max_distance": 8}}
    names: list[str] = []
    shelver_register_migrations(register=lambda name, fn: names.append(name))
    assert names == ["phash-001-duration-and-size-indexes",
                     "phash-002-phash-column-follows-fingerprint"]
    # A library-sized lookup stays an index search, whatever share of the library is INDEXED.
    for query, args, index in ((plugin.DUPLICATES_QUERY, (1.0, 2.0, None), "items_phash_duration"),
                               (plugin.MOVES_QUERY, (5, None), "items_phash_size")):
        plan = " ".join(str(tuple(row)) for row in state.conn().execute(
            f"EXPLAIN QUERY PLAN {query}", args))
        assert f"USING INDEX {index}" in plan, plan


def test_the_phash_column_follows_the_stored_fingerprint(state: StateDB) -> None:
    """The engine stores item.fingerprint (JSON) and knows no phash: this plugin's migration
    keeps items.phash, which both lookups read, equal to fingerprint's "phash"."""
    item_id = state.observe("/downloads/a.mkv", 10, 1.0, 1, "test")
    assert item_id is not None
    assert state.transition(item_id, State.NEW, State.PROCESSING, fingerprint={"phash": LIBRARY_PHASH})
    assert state.item(item_id)["phash"] == LIBRARY_PHASH  # type: ignore[index]
    assert state.transition(item_id, State.PROCESSING, State.INDEXED, fingerprint={"phash": None})
    assert state.item(item_id)["phash"] is None  # type: ignore[index]
    assert state.transition(item_id, State.INDEXED, State.STALE, size=11)  # fingerprint untouched
    with state.transaction() as conn:
        conn.execute("INSERT INTO items (path, state, fingerprint) VALUES (?, ?, ?)",
                     ("/downloads/b.mkv", State.NEW.value, f'{{"phash": "{CLIP_A_PHASH}"}}'))
    assert state.item_by_path("/downloads/b.mkv")["phash"] == CLIP_A_PHASH  # type: ignore[index]


# ---------------------------------------------------------------------------------------------
# Duplicates
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bits, max_distance, duplicate", [
    (0, 8, True), (8, 8, True), (9, 8, False), (2, 2, True), (3, 2, False), (20, 8, False),
])
def test_duplicate_threshold(tmp_path: Path, make_ctx: Any, library_item: Any, bits: int,
                             max_distance: int, duplicate: bool) -> None:
    original = library_item(LIBRARY_PHASH)
    ctx = make_ctx(phash={"max_distance": max_distance})
    item = new_item(tmp_path / "downloads" / "copy.mkv", phash=flip(LIBRARY_PHASH, bits))
    assert shelver_fingerprint(item=item, ctx=ctx) == {"phash": flip(LIBRARY_PHASH, bits)}
    assert (item.duplicate_of is not None) is duplicate
    assert item.status is None  # a decision only: placement carries it out
    if item.duplicate_of is not None:
        assert str(item.duplicate_of.path) == original["path"]
        assert item.duplicate_of.reason == f"phash distance {bits}, max {max_distance}"


@pytest.mark.parametrize("duration, duplicate", [
    (1000.0, True), (1010.0, True), (990.0, True), (1010.2, False), (989.0, False),
    (2000.0, False), (None, False),
])
def test_duplicate_needs_durations_within_one_percent(
        tmp_path: Path, make_ctx: Any, library_item: Any, duration: float | None,
        duplicate: bool) -> None:
    library_item(LIBRARY_PHASH, 1000.0)
    item = new_item(tmp_path / "copy.mkv", duration=duration, phash=LIBRARY_PHASH)
    shelver_fingerprint(item=item, ctx=make_ctx())
    assert (item.duplicate_of is not None) is duplicate


def test_what_is_not_a_duplicate(tmp_path: Path, make_ctx: Any, library_item: Any) -> None:
    ctx = make_ctx()
    # Its file is gone; it was never placed (REVIEW); it is the item itself.
    library_item(LIBRARY_PHASH, exists=False)
    library_item(LIBRARY_PHASH, state_=State.REVIEW)
    own = library_item(LIBRARY_PHASH)
    item = new_item(Path(own["path"]), phash=LIBRARY_PHASH, item_id=own["id"])
    assert find_duplicates(item, LIBRARY_PHASH, ctx) == []
    # A hard link of a library file (action = "hardlink" keeps seeding) is the same file.
    linked = tmp_path / "downloads" / "seeding.mkv"
    linked.parent.mkdir()
    os.link(own["path"], linked)
    assert find_duplicates(new_item(linked, phash=LIBRARY_PHASH), LIBRARY_PHASH, ctx) == []
    # The closest comes first.
    other = "0123456789abcdef"
    far, near = library_item(flip(other, 6)), library_item(flip(other, 1))
    found = find_duplicates(new_item(tmp_path / "x.mkv"), other, ctx)
    assert [(row["id"], row["distance"]) for row in found] == [(near["id"], 1), (far["id"], 6)]


def test_a_look_alike_of_another_title_is_reported_not_a_duplicate(
        tmp_path: Path, make_ctx: Any, library_item: Any, caplog: pytest.LogCaptureFixture) -> None:
    room = library_item(LIBRARY_PHASH, 7080.0, identity=Identity("tmdb", "movie", 264644))
    item = new_item(tmp_path / "1917.2019.mkv", duration=7140.0, phash=flip(LIBRARY_PHASH, 8))
    item.match = Match(identity=Identity("tmdb", "movie", 530915), confidence=0.9)
    with caplog.at_level(logging.WARNING):
        assert shelver_fingerprint(item=item, ctx=make_ctx()) is not None
    assert item.status is None and item.duplicate_of is None
    assert room["path"] in caplog.text and "identified as another title" in caplog.text
    # The same show but another episode is another title too; the same episode is a duplicate.
    show = Identity("tmdb", "tv", 1396, season=5, episodes=[14])
    library_item(LIBRARY_PHASH, 2820.0, identity=show)
    episode = new_item(tmp_path / "e.mkv", duration=2820.0, phash=LIBRARY_PHASH)
    episode.match = Match(identity=Identity("tmdb", "tv", 1396, season=5, episodes=[13]),
                          confidence=0.9)
    shelver_fingerprint(item=episode, ctx=make_ctx())
    assert episode.duplicate_of is None
    episode.match = Match(identity=show, confidence=0.9)
    episode.notes.clear()
    shelver_fingerprint(item=episode, ctx=make_ctx())
    assert episode.duplicate_of is not None


def test_conflict_policy_decides_what_a_duplicate_does(tmp_path: Path, make_ctx: Any,
                                                       library_item: Any, pm: Any) -> None:
    """phash decides (moving nothing); the placement plugin's place phase carries it out."""
    original = library_item(LIBRARY_PHASH)
    copy = tmp_path / "downloads" / "copy.mkv"
    copy.parent.mkdir()
    plan = Plan(destination=tmp_path / "lib" / "Movies" / "The Matrix (1999).mkv")

    def decided(policy: str) -> tuple[Item, RunContext]:
        copy.write_bytes(b"copy")
        item, ctx = new_item(copy, phash=LIBRARY_PHASH), make_ctx(conflict=policy)
        shelver_fingerprint(item=item, ctx=ctx)
        assert item.duplicate_of is not None and item.status is None and copy.is_file()
        return item, ctx

    kept, ctx = decided("index")
    placement = pm.hook.shelver_place(item=kept, plan=plan, ctx=ctx)
    assert placement.status == Status.ORGANISED and plan.destination.read_bytes() == b"copy"
    assert "conflict = index" in kept.notes[0]
    plan.destination.unlink()
    failed, ctx = decided("fail")
    with pytest.raises(ItemError, match="duplicate") as raised:
        pm.hook.shelver_place(item=failed, plan=plan, ctx=ctx)
    assert original["path"] in str(raised.value) and str(failed.source) in str(raised.value)
    skipped, ctx = decided("skip")
    placement = pm.hook.shelver_place(item=skipped, plan=plan, ctx=ctx)
    assert placement.status == Status.DUPLICATE and placement.path == copy and copy.is_file()
    assert not plan.destination.exists()
    assert "left in place" in skipped.notes[0] and original["path"] in skipped.notes[0]


def test_fingerprint_hashes_real_files_and_survives_unreadable_ones(
        tmp_path: Path, make_ctx: Any, caplog: pytest.LogCaptureFixture) -> None:
    ctx = make_ctx()
    item = new_item(CLIP_A, duration=60.0)
    assert shelver_fingerprint(item=item, ctx=ctx) == {"phash": CLIP_A_PHASH}
    assert item.status is None
    broken = tmp_path / "broken.mkv"
    broken.write_bytes(b"\x1a\x45\xdf\xa3" + b"\x00" * 5000)
    item = new_item(broken)
    with caplog.at_level(logging.WARNING):
        assert shelver_fingerprint(item=item, ctx=ctx) is None
    assert "broken.mkv" in caplog.text and "phash" not in item.fingerprint
    assert item.status is None  # placed without a phash, never failed for it


def test_disabled_means_no_hashing_at_all(tmp_path: Path, make_ctx: Any, library_item: Any,
                                          monkeypatch: pytest.MonkeyPatch, video: Any) -> None:
    calls: list[Path] = []
    monkeypatch.setattr(plugin, "hash_file", lambda path: calls.append(Path(path)) or ("0", 0.0))
    ctx = make_ctx(phash={"enabled": False})
    moved = video(tmp_path / "moved.mkv", 30.0, seed=4)
    library_item(CLIP_A_PHASH, 30.0, exists=False, size=moved.stat().st_size)
    item = new_item(moved, duration=30.0)
    assert shelver_match(item=item, ctx=ctx) is None
    assert shelver_fingerprint(item=item, ctx=ctx) is None
    assert calls == [] and item.fingerprint == {} and item.status is None


# ---------------------------------------------------------------------------------------------
# Moves
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def hash_calls(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file the plugin hashes (the real hash still runs)."""
    calls: list[Path] = []
    real = plugin.hash_file

    def counting(path: Any) -> tuple[str, float]:
        calls.append(Path(path))
        return real(path)

    monkeypatch.setattr(plugin, "hash_file", counting)
    return calls


def test_move_decisions_check_size_first_then_the_exact_phash(
        tmp_path: Path, make_ctx: Any, library_item: Any, video: Any,
        hash_calls: list[Path]) -> None:
    ctx = make_ctx()  # no provider is asked: every case below declines before that
    moved = video(tmp_path / "new name.mkv", 30.0, seed=4)
    real_phash, _duration = plugin.hash_file(moved)
    hash_calls.clear()
    size = moved.stat().st_size

    def decide() -> Any:
        return shelver_match(item=new_item(moved, duration=30.0), ctx=ctx)

    # Another size: not even hashed.
    library_item(real_phash, 30.0, exists=False, size=size + 1)
    assert decide() is None and hash_calls == []
    # Same size, but that file is still where it was: a copy, not a move (not hashed either).
    library_item(real_phash, 30.0, exists=True, path=tmp_path / "still-here.mkv", size=size)
    assert decide() is None and hash_calls == []
    # Same size, file gone, durations far apart: not hashed.
    library_item(real_phash, 3000.0, exists=False, size=size)
    assert decide() is None and hash_calls == []
    # Same size, file gone, another picture: hashed once, declined.
    library_item(flip(real_phash, 1), 30.0, exists=False, size=size)
    item = new_item(moved, duration=30.0)
    assert shelver_match(item=item, ctx=ctx) is None
    assert hash_calls == [moved] and item.fingerprint["phash"] == real_phash
    # The fingerprint phase reuses that hash instead of decoding the file again.
    assert shelver_fingerprint(item=item, ctx=ctx) == {"phash": real_phash}
    assert hash_calls == [moved]


def match_in_thread(item: Item, ctx: RunContext) -> Any:
    """``shelver_match`` as the engine calls it: in a worker thread of the run."""
    return ctx.to_thread(lambda: shelver_match(item=item, ctx=ctx), limiter="probe")


async def test_a_moved_file_keeps_its_identity(tmp_path: Path, make_ctx: Any, library_item: Any,
                                               video: Any, tmdb_server: Any,
                                               state: StateDB) -> None:
    from shelver.plugins.tmdb.client import TMDBClient

    ctx = make_ctx()
    moved = video(tmp_path / "clip 0042.mkv", 30.0, seed=4)
    real_phash, _duration = plugin.hash_file(moved)
    episode = Identity("tmdb", "tv", 1396, season=5, episodes=[14])
    old = library_item(real_phash, 30.0, exists=False, size=moved.stat().st_size,
                       state_=State.MISSING, identity=episode, release_date="2013-09-15")
    async with TMDBClient(tmdb_server.base_url, api_key=tmdb_server.api_key,
                          db_path=state.path) as client:
        ctx.resources["tmdb"] = client
        item = new_item(moved, duration=30.0)
        # The TMDB plugin answers shelver_fetch_metadata for the recorded TMDB identity.
        match = await match_in_thread(item, ctx)
    assert match is not None
    assert match.identity == episode and match.confidence == 1.0
    assert match.release_date == "2013-09-15"  # kept from the record
    assert match.metadata is not None and match.metadata.title == "Breaking Bad"
    assert [e.title for e in match.metadata.episodes] == ["Ozymandias"]
    assert item.fingerprint == {"phash": real_phash, "moved_from": old["path"]}
    assert state.item(old["id"]) is None  # the old record gave way to the new one
    # It is the library item, not a copy of one.
    assert shelver_fingerprint(item=item, ctx=ctx) == {"phash": real_phash}
    assert item.status is None


class Catalogue:
    """A second provider, ``catalogue``, that knows one work: a test plugin of this module."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    @hookimpl
    def shelver_fetch_metadata(self, identity: Identity, ctx: RunContext) -> Any:
        if identity.provider != "catalogue":
            return None  # another provider's: it may answer
        self.asked.append(identity.key())
        return self.fetch(identity)

    async def fetch(self, identity: Identity) -> Metadata:
        await trio.sleep(0)  # an async answer, awaited on the event loop
        if identity.id != "bb":
            raise NotFoundError(f"catalogue has no {identity.key()}")
        return Metadata(provider="catalogue", kind=identity.kind, title="Breaking Bad")


async def test_a_moved_file_is_recognised_through_whichever_provider_knows_it(
        tmp_path: Path, make_ctx: Any, library_item: Any, video: Any, state: StateDB,
        pm: Any) -> None:
    catalogue = Catalogue()
    pm.register(catalogue, name="catalogue")
    ctx = make_ctx()  # no TMDB client: the tmdb plugin did not start
    moved = video(tmp_path / "clip.mkv", 30.0, seed=4)
    real_phash, _duration = plugin.hash_file(moved)
    size = moved.stat().st_size
    # A file the catalogue provider identified: it answers shelver_fetch_metadata, on trio.
    known = Identity("catalogue", "tv", "bb", season=5, episodes=[14])
    old = library_item(real_phash, 30.0, exists=False, size=size, identity=known,
                       release_date="2013-09-15")
    item = new_item(moved, duration=30.0)
    match = await match_in_thread(item, ctx)
    assert match is not None and match.identity == known and match.release_date == "2013-09-15"
    assert match.metadata == Metadata(provider="catalogue", kind="tv", title="Breaking Bad")
    assert catalogue.asked == ["catalogue:tv/bb/5/14"] and state.item(old["id"]) is None
    # One no provider answers for (TMDB's, its plugin not started; another catalogue id the
    # catalogue no longer knows): not recognised, the record kept, identified as usual.
    for identity in (Identity("tmdb", "movie", 603), Identity("catalogue", "movie", "gone")):
        old = library_item(real_phash, 30.0, exists=False, size=size, identity=identity)
        item = new_item(moved, duration=30.0)
        assert await match_in_thread(item, ctx) is None
        assert "moved_from" not in item.fingerprint and state.item(old["id"]) is not None
        state.conn().execute("DELETE FROM items WHERE id=?", (old["id"],))
    assert catalogue.asked == ["catalogue:tv/bb/5/14", "catalogue:movie/gone"]


async def test_moves_hash_under_the_run_hash_limiter(tmp_path: Path, make_ctx: Any,
                                                     library_item: Any, video: Any,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = make_ctx()
    moved = video(tmp_path / "moved.mkv", 30.0, seed=4)
    library_item(CLIP_A_PHASH, 30.0, exists=False, size=moved.stat().st_size)
    ctx.limiters["hash"] = limiter = trio.CapacityLimiter(1)
    seen: list[int] = []
    real = plugin.hash_file

    def watching(path: Any) -> tuple[str, float]:
        seen.append(limiter.borrowed_tokens)
        return real(path)

    monkeypatch.setattr(plugin, "hash_file", watching)
    item = new_item(moved, duration=30.0)
    # The match phase runs in a worker thread under the "probe" limiter, as the engine does.
    assert await ctx.to_thread(plugin.find_moved, item, ctx, limiter="probe") is None
    assert seen == [1] and limiter.borrowed_tokens == 0


async def test_a_persons_decision_is_never_overridden(tmp_path: Path, make_ctx: Any,
                                                     library_item: Any, video: Any,
                                                     pm: Any) -> None:
    pm.register(Catalogue(), name="catalogue")
    ctx = make_ctx()
    moved = video(tmp_path / "x.mkv", 30.0, seed=4)
    real_phash, _duration = plugin.hash_file(moved)
    library_item(real_phash, 30.0, exists=False, size=moved.stat().st_size,
                 identity=Identity("catalogue", "tv", "bb", season=5, episodes=[14]))
    # A moved file: phash would answer with the old identity...
    assert plugin.find_moved(new_item(moved, duration=30.0), ctx) is not None
    # ...but a person said what it is (`shelver review set`, item.forced): that wins.
    item = new_item(moved, duration=30.0)
    item.forced = Identity("tmdb", "movie", 27205)
    assert await match_in_thread(item, ctx) is None


# ---------------------------------------------------------------------------------------------
# shelver phash
# ---------------------------------------------------------------------------------------------


def test_phash_command_prints_stash_hashes(tmp_path: Path) -> None:
    proc = shelver("phash", str(CLIP_A))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{CLIP_A_PHASH}  {CLIP_A}\n"
    missing = tmp_path / "missing.mkv"
    proc = shelver("phash", "--json", str(CLIP_A), str(missing))
    assert proc.returncode == 1
    good, bad = json_lines(proc.stdout)
    assert good == {"file": str(CLIP_A), "phash": CLIP_A_PHASH, "duration": 60.0}
    assert bad["file"] == str(missing) and bad["phash"] is None and str(missing) in bad["error"]
    assert str(missing) in proc.stderr
