"""Deliveries to services outside shelver (core/outbox.py, docs/media-servers.md): the hooks
``shelver_library_changed``, ``shelver_run_summary`` and ``shelver_deliver``, what is kept when a
service fails, the backoff, waiting without failing, path mapping and an undo's changes."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from shelver.api import (
    Change,
    Delivery,
    DeliveryDeferred,
    Identity,
    Match,
    Metadata,
    announce,
    delivery_status,
    hookimpl,
    map_path,
    redact,
    removed_changes,
)
from shelver.outbox import backoff, retry_due


class Service:
    """A plugin telling a pretend service; ``down`` makes every delivery fail."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.seen: list[Any] = []
        self.down = False
        self.busy = False
        self.tried = 0

    @hookimpl
    def shelver_library_changed(self, changes: list[Change], ctx: Any) -> list[Delivery]:
        self.seen.append(changes)
        return [Delivery("svc", "svc", f"rescan {c.path}", {"path": c.path, "kind": c.kind})
                for c in changes]

    @hookimpl
    def shelver_run_summary(self, summary: dict[str, Any], ctx: Any) -> list[Delivery]:
        return [Delivery("svc", "svc-chat", "summary", {"counts": summary["counts"]})]

    @hookimpl
    def shelver_deliver(self, delivery: Delivery, ctx: Any) -> str | None:
        if delivery.plugin != "svc":
            return None
        self.tried += 1
        if self.busy:
            raise DeliveryDeferred("the service is busy", retry_seconds=5)
        if self.down:
            raise ConnectionError("refused by svc.example (key s3cr3t-key)")
        self.sent.append(delivery.payload)
        return "200 OK"


@pytest.fixture
def service(pm: Any) -> Service:
    plugin = Service()
    pm.register(plugin, "svc")
    return plugin


def rows(state: Any) -> list[dict[str, Any]]:
    conn = state.conn()
    conn.row_factory = sqlite3.Row
    return [dict(r) for r in conn.execute("SELECT * FROM deliveries ORDER BY id")]


def test_changes_and_summary_are_delivered_by_the_plugin_named(make_ctx: Any,
                                                                service: Service) -> None:
    ctx = make_ctx()
    changes = [Change("/lib/B", "created"), Change("/lib/A", "modified"), Change("/lib/A", "modified")]
    outcomes = announce(ctx, changes, {"counts": {"organised": 2}})
    assert service.seen == [[Change("/lib/A", "modified"), Change("/lib/B", "created")]]
    assert service.sent == [{"path": "/lib/A", "kind": "modified"},
                            {"path": "/lib/B", "kind": "created"}, {"counts": {"organised": 2}}]
    assert [answer for _d, answer, _e in outcomes] == ["200 OK"] * 3
    assert rows(ctx.state) == []


def test_a_failed_delivery_waits_with_backoff_and_its_target_is_tried_once(
        make_ctx: Any, service: Service) -> None:
    ctx = make_ctx()
    redact("s3cr3t-key")
    service.down = True
    announce(ctx, [Change("/lib/A", "created"), Change("/lib/B", "created")])
    assert service.tried == 1  # the second waits without a second timeout
    kept = rows(ctx.state)
    assert [r["label"] for r in kept] == ["rescan /lib/A", "rescan /lib/B"]
    assert all(r["attempts"] == 1 and r["waiting"] == 0 for r in kept)
    assert "ConnectionError: refused by svc.example" in kept[0]["last_error"]
    assert "s3cr3t-key" not in kept[0]["last_error"] and "***" in kept[0]["last_error"]
    assert kept[0]["next_at"] - kept[0]["first_at"] == pytest.approx(backoff(1), abs=1)
    section = delivery_status(ctx.state, ctx.profile.name, "svc", "svc")
    assert section["lines"][0].startswith("svc:     2 waiting deliveries, 2 failed (attempt 1)")
    long_name = delivery_status(ctx.state, ctx.profile.name, "svc", "jellyfin")["lines"][0]
    assert long_name.startswith("jellyfin: 2 waiting deliveries")
    # Not due yet: nothing is tried.
    assert retry_due(ctx) == 0 and rows(ctx.state)[0]["attempts"] == 1
    # Due and still down: one attempt for the target, both postponed, the backoff doubled.
    later = kept[0]["next_at"] + 1
    assert retry_due(ctx, now=later) == 0
    assert service.tried == 2
    again = rows(ctx.state)
    assert [r["attempts"] for r in again] == [2, 2]
    assert again[0]["next_at"] == pytest.approx(later + backoff(2))
    assert backoff(2) == 2 * backoff(1) and backoff(30) == 3600
    # Back up: both go out, in order, and nothing waits any more.
    service.down = False
    assert retry_due(ctx, now=later + backoff(2) + 1) == 2
    assert [p["path"] for p in service.sent] == ["/lib/A", "/lib/B"]
    assert rows(ctx.state) == []
    assert delivery_status(ctx.state, ctx.profile.name, "svc", "svc")["lines"] == [
        "svc:     nothing waiting"]


def test_a_deferred_delivery_waits_without_counting_as_a_failure(make_ctx: Any,
                                                                 service: Service) -> None:
    ctx = make_ctx()
    service.busy = True
    announce(ctx, [Change("/lib/A", "created")])
    (row,) = rows(ctx.state)
    assert row["waiting"] == 1 and row["attempts"] == 0
    assert row["next_at"] - row["first_at"] == pytest.approx(5, abs=1)
    assert retry_due(ctx, now=row["next_at"] + 1) == 0  # still busy
    assert rows(ctx.state)[0]["attempts"] == 0
    service.busy = False
    assert retry_due(ctx, now=row["next_at"] + 10) == 1
    assert service.sent == [{"path": "/lib/A", "kind": "created"}]


def test_a_delivery_no_plugin_answers_any_more_is_dropped(make_ctx: Any, pm: Any,
                                                          service: Service) -> None:
    ctx = make_ctx()
    service.down = True
    announce(ctx, [Change("/lib/A", "created")])
    pm.unregister(name="svc")
    assert retry_due(ctx, now=rows(ctx.state)[0]["next_at"] + 1) == 0
    assert rows(ctx.state) == []


def test_one_plugins_broken_hook_leaves_the_others_delivering(make_ctx: Any, pm: Any,
                                                              service: Service) -> None:
    class Broken:
        @hookimpl
        def shelver_library_changed(self, changes: Any, ctx: Any) -> Any:
            raise RuntimeError("broken")

    pm.register(Broken(), "broken")
    announce(make_ctx(), [Change("/lib/A", "created")])
    assert service.sent == [{"path": "/lib/A", "kind": "created"}]


def test_path_map_longest_prefix_wins_on_whole_components() -> None:
    mapping = {"/mnt/user/media": "/data/media", "/mnt/user/media/TV/": "/tv",
               "/mnt/user/med": "/wrong"}
    assert map_path("/mnt/user/media/Movies/X (1999)", mapping) == "/data/media/Movies/X (1999)"
    assert map_path("/mnt/user/media/TV/Show/Season 01", mapping) == "/tv/Show/Season 01"
    assert map_path("/mnt/user/media", mapping) == "/data/media"
    assert map_path("/mnt/user/media2/X", mapping) == "/mnt/user/media2/X"
    assert map_path("/elsewhere/X", mapping) == "/elsewhere/X"
    assert map_path("/mnt/user/media/Movies/X", {"/mnt/user/media": "D:\\Media"}) == \
        "D:\\Media\\Movies\\X"
    assert map_path("/a/b", {"/a": "smb://nas/share/"}) == "smb://nas/share/b"


def test_an_undos_removed_files_become_one_change_per_vanished_folder(tmp_path: Path) -> None:
    library = tmp_path / "library"
    (library / "TV" / "Show" ).mkdir(parents=True)  # the show stays: another season is there
    (library / "TV" / "Show" / "Season 02").mkdir()
    (library / "Movies").mkdir()
    removed = [str(library / "TV/Show/Season 01" / f"e{n}.mkv") for n in range(1, 20)]
    removed += [str(library / "Movies/X (1999)/X (1999).mkv"), str(library / "Movies/X (1999)/X.nfo"),
                str(library / "TV/Show/tvshow.nfo")]
    assert removed_changes(removed, str(library)) == [
        Change(str(library / "Movies/X (1999)"), "deleted"),
        Change(str(library / "TV/Show/Season 01"), "deleted"),
        Change(str(library / "TV/Show/tvshow.nfo"), "deleted")]


class SlowFile:
    """Identifies every file, and takes its time over it until a waiting delivery went out."""

    def __init__(self) -> None:
        self.sent = threading.Event()
        self.sent_while_working: bool | None = None

    @hookimpl
    def shelver_match(self, item: Any, ctx: Any) -> Match:
        self.sent_while_working = self.sent.wait(5)
        return Match(identity=Identity("tmdb", "movie", 603), confidence=0.99,
                     metadata=Metadata(provider="tmdb", kind="movie", title="The Matrix",
                                       year=1999, ids={"tmdb": "603"}))

    @hookimpl
    def shelver_deliver(self, delivery: Delivery, ctx: Any) -> str | None:
        if delivery.plugin != "svc":
            return None
        self.sent.set()
        return "200 OK"


async def test_a_run_retries_waiting_deliveries_as_it_starts_beside_its_files(
        tmp_path: Path) -> None:
    from shelver.engine import Engine
    from shelver.manager import get_plugin_manager
    from shelver.profiles import state_migrations, validate
    from shelver.store import StateDB

    plugin = SlowFile()
    pm = get_plugin_manager(disable=["tmdb", "artwork", "phash", "nfo", "mp4tags"])
    pm.register(plugin)
    profile = validate({"name": "t", "dest_dir": str(tmp_path / "lib"),
                        "state_db": str(tmp_path / "state.db"), "filters": {"min_size_mb": 0}},
                       pm=pm)
    state = StateDB(profile.state_db, state_migrations(pm))
    with state.transaction() as conn:  # a refresh that failed in an earlier run, now due
        conn.execute("INSERT INTO deliveries (profile, plugin, target, label, payload, attempts,"
                     " first_at, next_at, last_error) VALUES ('t','svc','svc','rescan /lib/A',"
                     " '{}', 1, ?, 0, 'ConnectError')", (time.time() - 120,))
    source = tmp_path / "in" / "The.Matrix.1999.mkv"
    source.parent.mkdir()
    source.write_bytes(b"x" * 1000)
    results = await Engine(profile, pm, state).run([source])
    assert [r["status"] for r in results] == ["organised"]
    assert plugin.sent_while_working is True  # not held back until the run's end
    assert rows(state) == []
    state.close()
