"""The per-item pipeline: every phase of an item is a hook (docs/architecture.md, "The pipeline").

:class:`Pipeline` holds one profile's engine settings and takes one item through parse, probe,
match, fingerprint, plan, place, enrich, finalize and done, catching the item's errors once at
its boundary and recording the outcome in the state DB. :class:`shelver.engine.run.Runner` adds
runs and workers to it, :class:`shelver.engine.daemon.Engine` the daemon.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import trio
from shelver.context import RunContext
from shelver.discovery import SYMLINKS, Filters, Settler
from shelver.engine.calls import call_all, call_each, call_enrich, call_first
from shelver.engine.results import Result, ResultCallback, result_of
from shelver.errors import ConfigError, ItemError
from shelver.model import DownloaderHints, Identity, Item, ParsedName, Priority, State, Status
from shelver.profiles import Profile, check_profile
from shelver.store import StateDB, owner_id
from shelver.store.events import EventLog

log = logging.getLogger("shelver")
T = TypeVar("T")

# A file that changed between identification and placement is identified again, this often at
# most: one that keeps changing is still being written, and retried later (ERROR, backoff).
IDENTIFY_ATTEMPTS = 2


class SourceReplaced(Exception):
    """The file changed between its identification and its placement (docs/operations.md)."""


class Pipeline:
    """One profile's engine settings and the phases of one item."""

    def __init__(
        self,
        profile: Profile,
        pm: Any,
        state: StateDB,
        *,
        mode: str | None = None,
        dry_run: bool = False,
        command: str = "run",
        on_result: ResultCallback | None = None,
        on_total: Callable[[int], None] | None = None,
    ) -> None:
        self.profile = profile
        self.pm = pm
        self.state = state
        self.mode = check_profile(profile, pm, mode)
        self.dry_run = dry_run
        self.command = command
        self.on_result = on_result or (lambda result: None)
        # Told how many results the run will print, once the walk is done (progress bar, ETA).
        self.on_total = on_total or (lambda total: None)
        symlinks = str(profile.get("placement.symlinks", "skip"))
        if symlinks not in SYMLINKS:
            raise ConfigError(f"placement.symlinks must be one of {', '.join(SYMLINKS)}, not "
                              f"{symlinks!r} ({profile.where('placement.symlinks')})")
        self.filters = Filters(profile.section("filters"), symlinks=symlinks,
                               inside=profile.sources)
        self.owner = owner_id()
        self.results: list[Result] = []
        self.wakeup = trio.Event()
        self.ctx: RunContext | None = None
        self.accepting = True
        self.roots: dict[str, Path] = {}  # CLI-given folder of each file, for name parsing
        self.interrupted = False  # a one-shot run stopped by Ctrl-C (SIGINT)
        self.given_back = 0  # items handed back to the queue untouched (shutdown, config error)
        self.observing = False  # a one-shot run's walk is still queueing files
        self.walk_reported = 0  # results a one-shot run's walk reported (skipped, missing)
        self.walk_skips: list[Result] = []  # ... waiting to be reported by the event loop
        # Called (in a thread) once the run-start checks passed, before any file is looked at:
        # `shelver review` records a person's choice only when the run that applies it can start.
        self.before_work: Callable[[], None] | None = None
        # Files seen by the watcher or a sweep, taken once stable for watch.settle_seconds.
        self.settler = Settler(float(profile.get("watch.settle_seconds", 30.0)))
        self.links_reported: set[str] = set()
        self.events: EventLog | None = None  # this run's events, once it started
        self.total: int | None = None  # how many results a one-shot run will report
        # Library folders changed since the last announcement (folder -> "created"/"modified"),
        # the results announced so far, and when the last result came (docs/media-servers.md).
        self.changed: dict[str, str] = {}
        self.announced = 0
        self.last_activity = time.monotonic()

    # -- results -------------------------------------------------------------------------------

    def _emit(self, result: Result, item_id: int | None = None) -> None:
        self.results.append(result)
        self.last_activity = time.monotonic()
        if self.events is not None:
            self.events.add("item-done", item_id, status=result["status"], source=result["source"],
                            destination=result["destination"], error=result["error"],
                            reason=result.get("reason"))
            self.events.add("progress", done=len(self.results), total=self.total)
        self.on_result(result)

    def exit_status(self) -> int:
        return 1 if any(r["status"] == Status.ERROR.value for r in self.results) else 0


    async def _process_row(self, ctx: RunContext, row: dict[str, Any]) -> None:
        item = Item(path=Path(row["path"]), source=Path(row["path"]), size=row["size"] or 0,
                    mtime=row["mtime"] or 0.0, inode=row["inode"] or 0, item_id=row["id"],
                    root=self.roots.pop(row["path"], None))
        # A person's decision (`shelver review`) and what a downloader said about the file
        # (`shelver hook radarr/sonarr`): the matcher goes to them instead of searching.
        item.forced = self._stored(row, "forced_identity", Identity.from_json)
        item.hints = self._stored(row, "given_ids", DownloaderHints.from_json)
        try:
            await self._pipeline(ctx, item, persist=True)
        except BaseException:
            # Shut down (or a ConfigError, Ctrl-C) mid-item before its outcome was recorded:
            # give it back to the queue, never leave it PROCESSING.
            with trio.CancelScope(shield=True):
                await trio.to_thread.run_sync(self._give_back, row)
            raise

    def _stored(self, row: dict[str, Any], column: str, decode: Callable[[Any], T]) -> T | None:
        """The typed value of a JSON column of the item (None when empty, or unreadable: then
        the item is identified from its name, and a warning says so)."""
        if not row.get(column):
            return None
        try:
            return decode(json.loads(row[column]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("%s: items.%s of item %s in %s is unreadable (%s): ignored",
                        row["path"], column, row["id"], self.state.path, exc)
            return None

    def _give_back(self, row: dict[str, Any]) -> None:
        if self.state.transition(row["id"], State.PROCESSING, State.NEW, owner=None):
            self.state.enqueue(row["id"], self.profile.name, Priority.HIGH, reason="interrupted")
            self.given_back += 1

    # -- the pipeline of one item --------------------------------------------------------------

    async def _pipeline(self, ctx: RunContext, item: Item, *, persist: bool) -> None:
        timings: dict[str, float] = {}

        async def phase(name: str, coro: Any) -> Any:
            if self.events is not None:
                self.events.add("phase", item.item_id, phase=name)
            started = time.perf_counter()
            try:
                return await coro
            finally:
                timings[name] = round(time.perf_counter() - started, 4)

        if self.events is not None:
            self.events.add("item-started", item.item_id, source=str(item.source))
        try:
            await ctx.to_thread(self._restamp, item, limiter="probe")
            for attempt in range(IDENTIFY_ATTEMPTS):
                try:
                    await self._identify_and_place(ctx, item, phase, persist)
                    break
                except SourceReplaced as replaced:
                    if attempt + 1 == IDENTIFY_ATTEMPTS:
                        raise ItemError(f"{item.source}: {replaced}: left in place, retried "
                                        f"later") from None
                    log.info("%s changed since it was identified (%s): identifying it again",
                             item.source, replaced)
                    item.parsed, item.probe, item.match = ParsedName(), {}, None
                    item.fingerprint, item.plan, item.status = {}, None, None
                    await ctx.to_thread(self._restamp, item, limiter="probe")
        except ConfigError:
            raise  # stops the run: exit 2
        except (trio.Cancelled, KeyboardInterrupt):
            raise
        except Exception as exc:  # the per-item error boundary
            item.status = Status.ERROR
            item.error = _item_error(item, exc)
            log.error("%s", item.error, exc_info=log.isEnabledFor(logging.DEBUG))
        with trio.CancelScope(shield=True):
            if persist:
                try:
                    await ctx.to_thread(self._record, item, timings, limiter="db")
                except Exception as exc:
                    item.status, item.error = Status.ERROR, f"{item.source}: recording the outcome failed: {exc}"
                    log.error("%s", item.error)
                    if item.item_id is not None:
                        await ctx.to_thread(self.state.fail, item.item_id, item.error, limiter="db")
            await call_each(ctx, "shelver_item_done", "db", item=item, ctx=ctx)
        self._note_change(item)
        self._emit(result_of(item, self.mode), item.item_id)

    def _note_change(self, item: Item) -> None:
        """Remember the library folder a placed or described item changed: the media servers
        are told once per run (daemon: per batch) about each folder (docs/media-servers.md)."""
        if self.dry_run or item.placement is None \
                or item.status not in (Status.ORGANISED, Status.METADATA):
            return
        folder = str(Path(item.path).parent)
        if self.changed.get(folder) != "created":
            self.changed[folder] = "created" if item.status == Status.ORGANISED else "modified"

    async def _identify_and_place(self, ctx: RunContext, item: Item, phase: Any,
                                  persist: bool) -> None:
        if os.path.islink(item.path):  # queued by a hook, or by an older version
            target, why = self.filters.link_target(str(item.path))
            if target is None:
                log.warning("%s: %s", item.source, why)
                item.status = Status.SKIPPED
                return
            item.path = Path(target)  # placement.symlinks = "follow": the file it leads to
        parsed = await phase("parse", call_first(ctx, "shelver_parse_name", "probe", item=item, ctx=ctx))
        if parsed is not None:
            item.parsed = parsed
        if item.parsed.extra:
            item.status = Status.EXTRA
            return
        for probe in await phase("probe", call_all(ctx, "shelver_probe", "probe", item=item, ctx=ctx)):
            for key, value in (probe or {}).items():
                item.probe.setdefault(key, value)
        item.match = await phase("match", call_first(ctx, "shelver_match", "probe", item=item, ctx=ctx))
        if item.identity is None:
            item.status = Status.REVIEW
            await self._place_for_review(ctx, item, phase)
        else:
            await self._place(ctx, item, phase, persist)

    async def _place_for_review(self, ctx: RunContext, item: Item, phase: Any) -> None:
        """The place phase of an item left for REVIEW: ``shelver_place(item, plan=None)`` with
        ``item.status == Status.REVIEW``, so that placement, which alone moves files, may put
        it aside (``failed_dir``). Its answer only says where the file is now: the item stays
        REVIEW and unplaced (docs/architecture.md, "The pipeline")."""
        if self.dry_run:
            return
        with trio.CancelScope(shield=True):
            placement = await phase("place", call_first(ctx, "shelver_place", "disk", item=item,
                                                        plan=None, ctx=ctx))
        if placement is not None:
            item.path = placement.path

    @staticmethod
    def _restamp(item: Item) -> None:
        """The (size, mtime, inode) of the file about to be identified: what placement checks
        (the queue's may be older: a file recorded at its destination by recovery)."""
        try:
            st = os.stat(item.path)
        except OSError:
            return  # gone: the pipeline reports it
        item.size, item.mtime, item.inode = st.st_size, st.st_mtime, st.st_ino

    @staticmethod
    def _changed_since_identified(item: Item) -> str | None:
        """How the file differs from what was identified, or None."""
        try:
            st = os.stat(item.path)
        except FileNotFoundError:
            return None  # gone: the placement reports it
        if st.st_ino != item.inode:
            return "replaced by another file"
        if (st.st_size, st.st_mtime) != (item.size, item.mtime):
            if st.st_size != item.size:
                return f"still being written ({item.size} bytes, now {st.st_size})"
            return "rewritten"
        return None

    async def _place(self, ctx: RunContext, item: Item, phase: Any, persist: bool) -> None:
        for fingerprint in await phase("fingerprint", call_all(ctx, "shelver_fingerprint", "hash", item=item, ctx=ctx)):
            item.fingerprint.update(fingerprint or {})
        if self.mode != "metadata-only":
            item.plan = await phase("plan", call_first(ctx, "shelver_plan_destination", "probe", item=item, ctx=ctx))
            if item.plan is None:
                raise RuntimeError("no plugin planned a destination (is the naming plugin disabled?)")
            self._check_inside_dest(item)
        if self.dry_run:
            # What the place phase would make of it; a duplicate (item.duplicate_of) is carried
            # out by the placement plugin by the conflict policy, reported here as a duplicate
            # unless that policy places every copy.
            item.status = Status.ORGANISED if item.plan else Status.METADATA
            if item.duplicate_of is not None and self.profile.conflict != "index":
                item.status = Status.DUPLICATE
            return
        # Never placed (nor described) under an identity found for another version of the file.
        changed = await ctx.to_thread(self._changed_since_identified, item, limiter="probe")
        if changed is not None:
            raise SourceReplaced(changed)
        # Placement and its record are never interrupted halfway: a shutdown waits for them.
        with trio.CancelScope(shield=True):
            item.placement = await phase("place", call_first(ctx, "shelver_place", "disk", item=item, plan=item.plan, ctx=ctx))
            if item.placement is None:
                raise RuntimeError(f"no plugin placed the file for mode {self.mode!r}")
            item.status = item.placement.status
            item.path = item.placement.path
            if persist and item.item_id is not None and item.path != item.source:
                await ctx.to_thread(self.state.set_item_path, item.item_id, str(item.path), limiter="db")
        if item.status not in (Status.ORGANISED, Status.METADATA):
            return  # left in place (e.g. a duplicate): nothing to describe
        for written in await phase("enrich", call_enrich(ctx, item)):
            item.written.extend(Path(p) for p in written or [])
        # A mode that staged the file (cache) moves it, and what enrich wrote, into the library
        # only now; like the placement, this is never interrupted halfway.
        with trio.CancelScope(shield=True):
            await phase("finalize", call_all(ctx, "shelver_finalize", "disk", item=item, ctx=ctx))
            assert item.placement is not None  # the place phase above set it or raised
            if item.placement.path != item.path:
                item.path = item.placement.path
                if persist and item.item_id is not None:
                    await ctx.to_thread(self.state.set_item_path, item.item_id, str(item.path), limiter="db")

    def _check_inside_dest(self, item: Item) -> None:
        assert item.plan is not None
        dest_dir = self.profile.dest_dir
        if dest_dir is None:
            raise ConfigError(f"mode {self.mode!r} needs dest_dir ({self.profile.where('dest_dir')})")
        target = Path(os.path.abspath(item.plan.destination))
        folder = [Path(os.path.abspath(item.plan.folder))] if item.plan.folder else []
        for path in (target, *folder,
                     *map(Path, map(os.path.abspath, item.plan.companions.values()))):
            if not path.is_relative_to(os.path.abspath(dest_dir)):
                raise RuntimeError(f"planned destination {path} is outside dest_dir {dest_dir}")
            self._check_no_link_out(item, path, Path(os.path.abspath(dest_dir)))

    @staticmethod
    def _check_no_link_out(item: Item, path: Path, dest_dir: Path) -> None:
        """Never write through a symbolic link inside dest_dir that leads out of it: each
        existing component of ``path`` below dest_dir must resolve inside dest_dir."""
        real_dest = os.path.realpath(dest_dir)
        component = dest_dir
        for part in path.relative_to(dest_dir).parts:
            component = component / part
            if not os.path.islink(component):
                if not os.path.lexists(component):
                    return  # created by the placement: a real folder
                continue
            real = os.path.realpath(component)
            if real != real_dest and not real.startswith(real_dest.rstrip(os.sep) + os.sep):
                raise ItemError(f"{item.source}: not placed: {component} is a symbolic link to "
                                f"{real}, outside dest_dir {dest_dir}")

    def _record(self, item: Item, timings: dict[str, float]) -> None:
        """Write the item's outcome to the state DB (PROCESSING → its final state)."""
        if item.item_id is None:
            return
        if item.status == Status.ERROR:
            self.state.fail(item.item_id, item.error or "error")
            return
        final = {
            Status.ORGANISED: State.INDEXED, Status.METADATA: State.INDEXED,
            Status.REVIEW: State.REVIEW, Status.EXTRA: State.SKIPPED,
            Status.DUPLICATE: State.SKIPPED, Status.SKIPPED: State.SKIPPED,
        }[item.status or Status.ERROR]
        identity: Identity | None = item.identity
        # The name as the downloader corrected it (what `shelver review` shows and defaults to),
        # a copy: the item is left as shelver_item_done will see it.
        named = item.parsed
        if isinstance(named, ParsedName) and item.hints is not None:
            named = item.hints.applied_to(named)
        parsed = dataclasses.asdict(named) if isinstance(named, ParsedName) else {}
        now = time.time()
        fields: dict[str, Any] = {
            "status": (item.status or Status.ERROR).value,
            "kind": "extra" if item.status == Status.EXTRA else named.kind,
            "mode": self.mode,
            "owner": None,
            "parsed": parsed,
            "probe": item.probe,
            "fingerprint": item.fingerprint,
            "confidence": item.confidence,
            "candidates": item.match.candidates if item.match else [],
            "threshold": item.match.threshold if item.match else None,
            "durations": timings,
            "error_count": 0,
            "last_error": None,
            "next_retry": None,
            "forced_identity": None,
        }
        if identity is not None:
            fields.update(provider=identity.provider, ident_kind=identity.kind, ident=identity.id,
                          season=identity.season, episodes=identity.episodes, indexed_at=now,
                          refreshed_at=now,
                          release_date=item.match.release_date if item.match else None)
        if item.placement is not None:
            stat = os.stat(item.placement.path) if os.path.exists(item.placement.path) else None
            fields.update(path=str(item.placement.path))  # with dir and destination
            if stat is not None:
                fields.update(size=stat.st_size, mtime=stat.st_mtime, inode=stat.st_ino)
        if not self.state.transition(item.item_id, State.PROCESSING, final, **fields):
            log.warning("%s changed state while it was being processed; outcome not recorded", item.source)


def _item_error(item: Item, exc: Exception) -> str:
    """The line an item's failure is recorded and shown with: the file, then what went wrong;
    an error of the system in its own words ("No space left on device", with the file it
    concerned and, for a full disk, the library folder being written), not as "OSError:
    [Errno 28] ..."."""
    if str(exc).startswith(str(item.source)):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        what = exc.strerror + (f": {exc.filename}" if exc.filename else "")
        if exc.errno in (errno.ENOSPC, errno.EDQUOT) and not exc.filename and item.plan:
            what += f" (writing in {item.plan.destination.parent})"
        return f"{item.source}: {what}"
    return f"{item.source}: {type(exc).__name__}: {exc}"
