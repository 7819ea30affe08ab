"""Placement of a library file under another identity (plugins/placement/relocate.py): only then
are its NFO and images left behind to be set aside; a file renamed under its own identity keeps
them (they are rewritten)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shelver.api import Identity, Item, Match, Plan, State
from shelver.plugins.placement.relocate import moving_in_library, without_descriptions


def test_only_a_library_file_under_another_identity_is_relocated(
        tmp_path: Path, make_ctx: Any, state: Any) -> None:
    ctx = make_ctx()
    library = tmp_path / "library"
    old = library / "TV" / "Show {tmdb-1}" / "Season 01" / "Show - S01E02 - Old.mkv"
    item_id = state.observe(str(old), 1, 1.0, 1, "test")
    assert state.transition(item_id, State.NEW, State.INDEXED, provider="tmdb", ident_kind="tv",
                            ident="1", season=1, episodes=[2])
    item = Item(path=old, source=old, item_id=item_id)
    renamed = Plan(destination=old.with_name("Show - S01E02 - New Title.mkv"))

    item.match = Match(identity=Identity("tmdb", "tv", "1", season=1, episodes=[2]), confidence=1)
    assert not moving_in_library(item, renamed, ctx)  # same identity, a new episode title
    assert not moving_in_library(item, Plan(destination=old), ctx)  # not moving at all
    item.match = Match(identity=Identity("tmdb", "tv", "1", season=1, episodes=[3]), confidence=1)
    assert moving_in_library(item, renamed, ctx)
    item.match = Match(identity=Identity("tmdb", "tv", "9", season=1, episodes=[2]), confidence=1)
    assert moving_in_library(item, renamed, ctx)
    assert not moving_in_library(item, renamed, make_ctx(dry_run=True))
    download = Item(path=tmp_path / "downloads" / "x.mkv", source=tmp_path / "x.mkv",
                    item_id=item_id, match=item.match)
    assert not moving_in_library(download, renamed, ctx)  # a download: placed as ever

    sidecars = {old.with_suffix(".en.srt"): Path("/n.en.srt"), old.with_suffix(".nfo"):
                Path("/n.nfo"), old.with_name(old.stem + "-thumb.jpg"): Path("/n-thumb.jpg")}
    plan, left = without_descriptions(Plan(destination=renamed.destination, companions=sidecars))
    assert list(plan.companions) == [old.with_suffix(".en.srt")]
    assert left == [old.with_suffix(".nfo"), old.with_name(old.stem + "-thumb.jpg")]
