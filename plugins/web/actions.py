"""What a person does from the pages: accept a candidate (or a whole folder), set an item
aside, search the providers, undo a run, stop a run. Every action names items and runs by id;
the checks are the command line's (``shelver review``, ``shelver undo``), through ``shelver.api``
and hooks."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trio
from shelver.api import (
    App,
    ConfigError,
    Identity,
    RunContext,
    StateDB,
    accept_candidate,
    check_profile,
    check_provider,
    check_waiting,
    decide,
    describe_identity,
    ignore,
    open_app,
    parse_identity,
)
from shelver.plugins.web import queries

log = logging.getLogger("shelver")


class NotFound(Exception):
    """An id the state DB does not have (404)."""


@dataclass
class Web:
    """The server's state: the shared state DB, one App per profile (opened on first use), the
    tokens, the posters and search results it keeps in memory."""

    default: App
    token: str | None
    csrf: str
    host: str = "127.0.0.1"
    apps: dict[str, App] = field(default_factory=dict)
    searches: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    posters: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    runs_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def state(self) -> StateDB:
        return self.default.state

    def app_for(self, profile: str | None) -> App:
        """The App of the profile an item or run belongs to (by its name; the profile the
        server was started with when it is that one)."""
        name = profile or self.default.profile.name
        if name == self.default.profile.name:
            return self.default
        if name not in self.apps:
            try:
                self.apps[name] = open_app(name)
            except ConfigError as exc:
                raise ConfigError(f"profile {name!r} cannot be opened here: {exc}") from None
        return self.apps[name]

    def close(self) -> None:
        for app in self.apps.values():
            app.close()


def item_row(web: Web, item_id: int) -> dict[str, Any]:
    row = web.state.item(item_id)
    if row is None:
        raise NotFound(f"no item {item_id}")
    return dict(row)


def identity_from_card(web: Web, row: dict[str, Any], choice: str, season: int | None,
                       episodes: list[int]) -> Identity:
    """``choice``: ``"3"`` (the item's candidate 3), ``"s2"`` (result 2 of the last search
    for this item), or an identity as ``shelver review set --id`` takes it."""
    if choice.isdigit():
        return accept_candidate(row, int(choice), season, episodes)
    if choice.startswith("s") and choice[1:].isdigit():
        found = web.searches.get(int(row["id"])) or []
        number = int(choice[1:])
        if not 1 <= number <= len(found):
            raise ConfigError(f"item {row['id']}: no search result #{number} (search again)")
        return accept_candidate({**row, "candidates": json.dumps([found[number - 1]])}, 1,
                                season, episodes)
    return parse_identity(choice, season, episodes, queries._json(row.get("parsed"), {}),
                          option="id")


def accept(web: Web, item_id: int, choice: str, *, season: int | None = None,
           episodes: list[int] | None = None, whole_folder: bool = False) -> dict[str, Any]:
    """Record a person's identity for an item (or for every REVIEW file of its folder, each
    with its own season and episode from its name) and have it processed: by the profile's
    daemon when one runs, else here and now. Returns where each file went."""
    row = item_row(web, item_id)
    check_waiting(row)
    app = web.app_for(row.get("profile"))
    rows = queries.folder_waiting(web.state, item_id) if whole_folder else [row]
    chosen = identity_from_card(web, row, choice, season, list(episodes or []))
    decided: list[tuple[dict[str, Any], Identity]] = []
    for each in rows:
        if each["id"] == row["id"]:
            identity = chosen
        else:  # the same work; the season and episode each file's name says
            identity = identity_from_card(web, each, _same_work(chosen), None, [])
        check_provider(identity, app.pm, app.profile.where("plugins"))
        decided.append((each, identity))
    check_profile(app.profile, app.pm)
    chosen_text = [{"item": each["id"], "identity": describe_identity(identity)}
                   for each, identity in decided]
    if app.state.daemon_alive(app.profile.name):
        for each, identity in decided:
            decide(app.state, each, identity, app.profile.name)
        return {"processed_by": "daemon", "profile": app.profile.name, "decided": chosen_text,
                "results": []}
    results: list[dict[str, Any]] = []

    def record() -> None:  # once the run has started (credentials checked)
        for each, identity in decided:
            decide(app.state, each, identity, app.profile.name)

    def run_here() -> None:
        engine = app.engine(command="review", on_result=results.append)
        engine.before_work = record
        trio.run(engine.run, [Path(each["path"]) for each, _identity in decided])

    with web.runs_lock:  # one in-process run at a time
        run_here()
    return {"processed_by": "web", "profile": app.profile.name, "decided": chosen_text,
            "results": [{k: r.get(k) for k in ("source", "status", "destination", "error")}
                        for r in results]}


def _same_work(identity: Identity) -> str:
    return f"{identity.provider}:{identity.kind}/{identity.id}"


def set_aside(web: Web, item_id: int, reason: str) -> None:
    row = item_row(web, item_id)
    check_waiting(row)
    ignore(web.state, row, reason)


async def search(web: Web, item_id: int, text: str, year: int | None,
                 kind: str | None) -> list[dict[str, Any]]:
    """Every provider's answer to a person's search for an item; kept (by item) so a result
    can be accepted by its number."""
    row = item_row(web, item_id)
    app = web.app_for(row.get("profile"))
    ctx = RunContext(profile=app.profile, state=app.state, pm=app.pm, run_id=0,
                     mode=str(app.profile.get("mode", "inplace")), dry_run=True, log=log)
    found: list[dict[str, Any]] = []
    for answer in app.pm.hook.shelver_search(text=text, year=year, kind=kind, ctx=ctx):
        if hasattr(answer, "__await__"):
            answer = await answer
        found.extend(c for c in answer or [] if isinstance(c, dict))
    web.searches[item_id] = found[:20]
    if len(web.searches) > 200:  # a bounded memory: the oldest searches go
        web.searches.pop(next(iter(web.searches)))
    return web.searches[item_id]


def undo(web: Web, run_id: int, *, preview: bool) -> dict[str, Any]:
    """The undo preview of a run (nothing touched), or the undo itself."""
    run = queries.run_row(web.state, run_id)
    if run is None:
        raise NotFound(f"no run {run_id}")
    app = web.app_for(run["profile"])
    if preview:
        answer = app.pm.hook.shelver_undo_preview(state=app.state, run_id=run_id, pm=app.pm)
    else:
        answer = app.pm.hook.shelver_undo_run(state=app.state, run_id=run_id, pm=app.pm,
                                              profile=app.profile)
    if answer is None:
        raise ConfigError("no plugin undoes runs (is the placement plugin disabled?)")
    return dict(answer)


def stop(web: Web, run_id: int) -> bool:
    """Ask a running run to stop taking items (a daemon drains), as Ctrl-C does."""
    run = queries.run_row(web.state, run_id)
    if run is None:
        raise NotFound(f"no run {run_id}")
    return web.state.request_stop(run_id, "drain" if run["command"] == "watch" else "cancel")
