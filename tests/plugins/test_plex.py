"""The ``plex`` plugin against the Plex look-alike, in process: the library list in JSON and in
XML, the library holding a folder, a folder no library holds (reported; a full refresh only
with ``plex.fallback_full``), a refused token (docs/media-servers.md, "Plex")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from shelver.api import Change
from shelver.plugins.plex import client
from shelver.plugins.plex import plugin as plex
from shelver.plugins.plex.fake import FakePlex

SECTIONS = [{"key": "1", "type": "movie", "title": "Movies", "locations": ["/data/Movies"]},
            {"key": "2", "type": "show", "title": "TV & Kids", "locations": ["/data/TV", "/data/TV/Kids"]},
            {"key": "3", "type": "show", "title": "Kids only", "locations": ["/data/TV/Kids/Cartoons"]}]


@pytest.fixture
def server() -> Iterator[FakePlex]:
    with FakePlex(sections=SECTIONS) as fake:
        yield fake


@pytest.mark.parametrize("as_json", [True, False])
def test_the_library_list_is_read_in_json_and_in_xml(as_json: bool) -> None:
    with FakePlex(sections=SECTIONS, json=as_json) as fake:
        known = client.sections(fake.base_url, "plex-token", 2.0)
    assert [(s.key, s.title, s.kind, s.locations) for s in known] == [
        (s["key"], s["title"], s["type"], s["locations"]) for s in SECTIONS]


def test_the_longest_library_folder_holding_a_folder_wins(server: FakePlex) -> None:
    known = client.sections(server.base_url, "plex-token", 2.0)
    assert client.section_for("/data/TV/Kids/Cartoons/Show/Season 01", known)[0].key == "3"
    assert client.section_for("/data/TV/Kids/Other", known)[0].key == "2"
    assert client.section_for("/data/TVx/Show", known) is None


def test_a_folder_no_library_holds_is_reported_and_refreshed_in_full_only_when_asked(
        make_ctx: Any, server: FakePlex) -> None:
    ctx = make_ctx(plex={"url": server.base_url, "token": "plex-token"})
    (delivery,) = plex.shelver_library_changed([Change("/elsewhere/X (1999)", "created")], ctx)
    answer = plex.shelver_deliver(delivery, ctx)
    assert answer is not None and answer.startswith("not refreshed: no Plex library holds "
                                                    "/elsewhere/X (1999)")
    assert "/data/Movies" in answer and server.refreshes() == []
    ctx = make_ctx(plex={"url": server.base_url, "token": "plex-token", "fallback_full": True})
    plex.shelver_deliver(delivery, ctx)
    assert [(r.path, r.query) for r in server.refreshes()] == [
        (f"/library/sections/{n}/refresh", {}) for n in ("1", "2", "3")]


def test_folders_inside_another_changed_folder_are_one_refresh(make_ctx: Any,
                                                                server: FakePlex) -> None:
    ctx = make_ctx(plex={"url": server.base_url, "token": "plex-token"})
    changes = [Change("/data/TV/Show", "created"), Change("/data/TV/Show/Season 01", "created"),
               Change("/data/TV/Show2/Season 01", "created")]
    deliveries = plex.shelver_library_changed(changes, ctx)
    assert [d.payload["folder"] for d in deliveries] == ["/data/TV/Show", "/data/TV/Show2/Season 01"]
    assert plex.shelver_deliver(deliveries[0], ctx) == \
        "200: library 'TV & Kids' scans /data/TV/Show"


def test_a_refused_token_fails_the_delivery_without_showing_it(make_ctx: Any,
                                                               server: FakePlex) -> None:
    ctx = make_ctx(plex={"url": server.base_url, "token": "not-the-token"})
    (delivery,) = plex.shelver_library_changed([Change("/data/Movies/X", "created")], ctx)
    with pytest.raises(client.Unauthorized) as refused:
        plex.shelver_deliver(delivery, ctx)
    assert "not-the-token" not in str(refused.value)
    assert server.requests[-1].header("X-Plex-Token") == "not-the-token"
    assert plex.shelver_deliver(delivery, make_ctx()) is None  # no [plex] url: not ours


def test_a_backlog_run_scans_a_library_whole_rather_than_hundreds_of_folders(
        make_ctx: Any, server: FakePlex) -> None:
    ctx = make_ctx(plex={"url": server.base_url, "token": "plex-token", "max_refreshes": 3})
    changes = [Change(f"/data/Movies/M{n}", "created") for n in range(5)]
    changes += [Change("/data/TV/Show/Season 01", "created"), Change("/nowhere/a", "created"),
                Change("/nowhere/b", "created")]
    (delivery,) = plex.shelver_library_changed(changes, ctx)
    answer = plex.shelver_deliver(delivery, ctx)
    assert [(r.path, r.query) for r in server.refreshes()] == [
        ("/library/sections/1/refresh", {}),
        ("/library/sections/2/refresh", {"path": ["/data/TV/Show/Season 01"]})]
    assert answer is not None and "library 'Movies' scanned whole (5 folders)" in answer
    assert "no Plex library holds /nowhere/a and 1 other folder(s)" in answer
    few = plex.shelver_library_changed(changes[:3], ctx)
    assert [d.payload for d in few] == [{"folder": f"/data/Movies/M{n}"} for n in range(3)]
