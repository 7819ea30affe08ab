"""The TMDB plugin as one provider among others: it answers ``shelver_match`` for a person's
decision and ``shelver_fetch_metadata`` only when the identity is TMDB's; another provider's
identity is left to that provider (here ``catalogue``, a test plugin of this module, called after
TMDB so that TMDB's refusal is what lets it answer). Real TMDB client, loopback look-alike."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from shelver import hookimpl
from shelver.context import RunContext
from shelver.manager import get_plugin_manager
from shelver.metadata import Metadata
from shelver.model import Identity, Item, Match
from shelver.plugins.tmdb.client import TMDBClient


class Catalogue:
    """A second provider, registered after TMDB and called after it (``trylast``)."""

    @hookimpl(trylast=True)
    def shelver_match(self, item: Item, ctx: RunContext) -> Match | None:
        if item.forced is None or item.forced.provider != "catalogue":
            return None
        return Match(identity=item.forced, confidence=1.0)

    @hookimpl(trylast=True)
    def shelver_fetch_metadata(self, identity: Identity, ctx: RunContext) -> Metadata | None:
        if identity.provider != "catalogue":
            return None
        return Metadata(provider="catalogue", kind=identity.kind, title="Breaking Bad")


@pytest.fixture
def pm() -> Any:
    """Every built-in but phash, and this module's ``Catalogue`` (tests/conftest.py's ``pm``)."""
    pm = get_plugin_manager(disable=["phash"])
    pm.register(Catalogue(), name="catalogue")
    return pm


@pytest.fixture
def state(plugin_state: Any) -> Any:
    return plugin_state  # with TMDB's own tables: its client caches there


@pytest.fixture
async def ctx(make_ctx: Any, tmdb_server: Any) -> AsyncIterator[RunContext]:
    run = make_ctx(log=logging.getLogger("test-tmdb-provider"))
    async with TMDBClient(tmdb_server.base_url, api_key=tmdb_server.api_key,
                          db_path=run.state.path) as client:
        run.resources["tmdb"] = client
        yield run


async def _answer(value: Any) -> Any:
    import inspect

    return await value if inspect.isawaitable(value) else value


async def test_a_persons_decision_is_matched_by_its_own_provider(ctx: RunContext,
                                                                tmp_path: Path,
                                                                tmdb_server: Any) -> None:
    item = Item(path=tmp_path / "x.mkv", source=tmp_path / "x.mkv")
    item.forced = Identity("catalogue", "tv", "bb", season=5, episodes=[14])
    match = await _answer(ctx.pm.hook.shelver_match(item=item, ctx=ctx))
    assert match == Match(identity=item.forced, confidence=1.0)
    assert tmdb_server.count(path_prefix="/") == 0  # TMDB was never asked for "bb"
    item.forced = Identity("tmdb", "movie", 603)
    match = await _answer(ctx.pm.hook.shelver_match(item=item, ctx=ctx))
    assert match.identity == item.forced and match.metadata is not None and match.metadata.title == "The Matrix"
    assert match.release_date == "1999-03-31"


async def test_shelver_fetch_metadata_answers_for_tmdb_identities_only(ctx: RunContext,
                                                                       tmdb_server: Any) -> None:
    tmdb = ctx.pm.hook.shelver_fetch_metadata(identity=Identity("tmdb", "movie", 603), ctx=ctx)
    assert (await _answer(tmdb)).title == "The Matrix"
    other = ctx.pm.hook.shelver_fetch_metadata(identity=Identity("catalogue", "movie", "bb"),
                                               ctx=ctx)
    assert other == Metadata(provider="catalogue", kind="movie", title="Breaking Bad")
    # Not started (no client: its run check did not run): TMDB answers for nothing.
    ctx.resources.pop("tmdb")
    assert ctx.pm.hook.shelver_fetch_metadata(identity=Identity("tmdb", "movie", 603),
                                              ctx=ctx) is None
