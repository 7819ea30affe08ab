"""The trio engine: sources → durable queue → bounded workers → the per-item pipeline.

The engine knows nothing about media, TMDB or disks: every phase of an item is a hook
(``shelver.hookspecs``). It owns discovery, queueing, concurrency, cancellation, the state DB and
the per-item error boundary.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import logging
import os
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import trio
from shelver.context import RunContext
from shelver.discovery import SYMLINKS, Filters, Found, Settler, Sidecars, walk
from shelver.errors import ConfigError, ItemError, user_facing
from shelver.events import EventLog, prune_for
from shelver.model import DownloaderHints, Identity, Item, ParsedName, Priority, State, Status
from shelver.profiles import Profile, check_profile
from shelver.state import StateDB, owner_id

log = logging.getLogger("shelver")
T = TypeVar("T")

Result = dict[str, Any]
ResultCallback = Callable[[Result], None]

# A daemon asked to stop gives in-flight items this long before cancelling what is cancellable;
# placements are shielded and always finish.
SHUTDOWN_GRACE_SECONDS = 3.0
# A file that changed between identification and placement is identified again, this often at
# most: one that keeps changing is still being written, and retried later (ERROR, backoff).
IDENTIFY_ATTEMPTS = 2
# Events (docs/operations.md, "Events") are written in batches this often, and pruned by a daemon
# this often (a one-shot run prunes when it ends).
EVENTS_FLUSH_SECONDS = 0.5
EVENTS_PRUNE_SECONDS = 3600.0


class SourceReplaced(Exception):
    """The file changed between its identification and its placement (docs/operations.md)."""


async def _await_maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def call_first(run: RunContext, hook: str, limiter: str, **kwargs: Any) -> Any:
    """Call a firstresult hook in a worker thread, then await an awaitable answer on trio."""
    caller = getattr(run.pm.hook, hook)
    # Boxed: trio refuses a thread function that returns a coroutine (an async implementation's
    # answer), which we await here on the event loop.
    (answer,) = await run.to_thread(lambda: (caller(**kwargs),), limiter=limiter)
    return await _await_maybe(answer)


async def call_all(run: RunContext, hook: str, limiter: str, **kwargs: Any) -> list[Any]:
    """Call every implementation in a worker thread; await the awaitable answers in order."""
    caller = getattr(run.pm.hook, hook)
    results = await run.to_thread(lambda: caller(**kwargs), limiter=limiter)
    return [await _await_maybe(result) for result in results]


async def call_each(run: RunContext, hook: str, limiter: str, **kwargs: Any) -> None:
    """Call every implementation separately, so one plugin's exception (logged) never keeps the
    others from running: for notification hooks."""
    plugins = [p for _name, p in run.pm.list_name_plugin() if p is not None]
    for impl in getattr(run.pm.hook, hook).get_hookimpls():
        others = [p for p in plugins if p is not impl.plugin]
        caller = run.pm.subset_hook_caller(hook, remove_plugins=others)
        try:
            for result in await run.to_thread(lambda c=caller: c(**kwargs), limiter=limiter):
                await _await_maybe(result)
        except Exception as exc:
            log.warning("%s of plugin %r failed: %s: %s", hook, impl.plugin_name, type(exc).__name__, exc)


async def call_enrich(run: RunContext, item: Item) -> list[Any]:
    """``shelver_enrich``, each implementation on its own and in the usual order: one that
    raises (an NFO, artwork, MP4 tags) is a warning naming the file, never a failed item, since
    the file is already placed."""
    plugins = [p for _name, p in run.pm.list_name_plugin() if p is not None]
    answers: list[Any] = []
    for impl in reversed(run.pm.hook.shelver_enrich.get_hookimpls()):
        others = [p for p in plugins if p is not impl.plugin]
        caller = run.pm.subset_hook_caller("shelver_enrich", remove_plugins=others)
        try:
            for result in await run.to_thread(lambda c=caller: c(item=item, ctx=run), limiter="tag"):
                answers.append(await _await_maybe(result))
        except Exception as exc:
            log.warning("%s: %s failed (%s: %s); the file stays %s", item.path, impl.plugin_name,
                        type(exc).__name__, exc, (item.status or Status.ORGANISED).value)
    return answers


def legacy_identity(identity: Identity) -> dict[str, Any]:
    """The identity as the ``--json`` record has always given it under the provider's name
    (``"tmdb": {"type": "tv", "id": 1396, "season": 5, "episodes": [14]}``, docs/operations.md, "--json")."""
    data: dict[str, Any] = {"type": identity.kind,
                            "id": int(identity.id) if identity.id.isdigit() else identity.id}
    if identity.kind != "movie":
        data.update(season=identity.season, episodes=list(identity.episodes))
    return data


def result_of(item: Item, mode: str) -> Result:
    """The ``--json`` object of one input file (DESIGN: CLI)."""
    identity = item.identity
    destination = None
    if item.placement is not None:
        destination = str(item.placement.path)
    elif item.plan is not None and item.status in (Status.ORGANISED, Status.EXTRA):
        destination = str(item.plan.destination)
    elif item.status == Status.DUPLICATE:
        destination = str(item.path)  # left where it is
    return {
        "source": str(item.source),
        "status": (item.status or Status.ERROR).value,
        "destination": destination,
        "mode": mode,
        "identity": identity.as_json() if identity else None,
        **({identity.provider: legacy_identity(identity)} if identity else {}),
        "confidence": round(item.confidence, 3) if item.confidence is not None else None,
        "error": item.error,
    }


def _sigint_receiver() -> Any:
    """SIGINT as a trio signal receiver (None off the main thread, where none can be had)."""
    import contextlib
    import threading

    if threading.current_thread() is not threading.main_thread():
        return contextlib.nullcontext(None)
    return trio.open_signal_receiver(signal.SIGINT)


def skipped_result(path: str, reason: str, mode: str) -> Result:
    return {"source": path, "status": Status.SKIPPED.value, "destination": None, "mode": mode,
            "identity": None, "confidence": None, "error": None, "reason": reason}


class Engine:
    """One profile's engine, for a one-shot run (:meth:`run`) or a daemon (:meth:`serve`)."""

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
        # Called (in a thread) once the run-start checks passed, before any file is looked at:
        # `shelver review` records a person's choice only when the run that applies it can start.
        self.before_work: Callable[[], None] | None = None
        # Files seen by the watcher or a sweep, taken once stable for watch.settle_seconds.
        self.settler = Settler(float(profile.get("watch.settle_seconds", 30.0)))
        self.links_reported: set[str] = set()
        self.events: EventLog | None = None  # this run's events, once it started
        self.total: int | None = None  # how many results a one-shot run will report

    # -- results -------------------------------------------------------------------------------

    def _emit(self, result: Result, item_id: int | None = None) -> None:
        self.results.append(result)
        if self.events is not None:
            self.events.add("item-done", item_id, status=result["status"], source=result["source"],
                            destination=result["destination"], error=result["error"],
                            reason=result.get("reason"))
            self.events.add("progress", done=len(self.results), total=self.total)
        self.on_result(result)

    def exit_status(self) -> int:
        return 1 if any(r["status"] == Status.ERROR.value for r in self.results) else 0

    # -- run lifecycle -------------------------------------------------------------------------

    async def _new_context(self) -> RunContext:
        run_id = await trio.to_thread.run_sync(
            self.state.start_run, self.profile.name, self.command, self.mode
        )
        self.ctx = RunContext(profile=self.profile, state=self.state, pm=self.pm, run_id=run_id,
                              mode=self.mode, dry_run=self.dry_run, log=log)
        self.events = EventLog(self.state, run_id)
        self.events.add("run-started", profile=self.profile.name, command=self.command,
                        mode=self.mode, dry_run=self.dry_run)
        return self.ctx

    async def _start(self, ctx: RunContext) -> None:
        """Run-start hooks (inside the caller's try: run_end is called even when one fails)."""
        # Checks that touch nothing (credentials, services) all finish, async ones included,
        # before run_start recovers interrupted placements (docs/plugins.md).
        await call_all(ctx, "shelver_run_check", "db", ctx=ctx)
        await call_all(ctx, "shelver_run_start", "db", ctx=ctx)
        if not self.dry_run:
            reclaimed = await ctx.to_thread(self.state.reclaim, limiter="db")
            if reclaimed:
                log.info("reclaimed %d item(s) left PROCESSING by a process that died", len(reclaimed))

    async def _end(self, ctx: RunContext, status: str) -> None:
        with trio.CancelScope(shield=True):
            try:
                await call_all(ctx, "shelver_run_end", "db", ctx=ctx)
            finally:
                counts: dict[str, int] = {}
                for result in self.results:
                    counts[result["status"]] = counts.get(result["status"], 0) + 1
                await trio.to_thread.run_sync(self.state.end_run, ctx.run_id, status, counts)
                if self.events is not None:
                    self.events.add("run-ended", status=status, counts=counts)
                    await trio.to_thread.run_sync(self._flush_events, True)

    def _flush_events(self, prune: bool = False) -> None:
        """Write the buffered events (and prune old ones); a failure is logged, never fatal:
        what was not written is kept for the next flush."""
        assert self.events is not None
        try:
            self.events.flush()
            if prune:
                prune_for(self.state, self.profile.section("events"))
        except sqlite3.Error as exc:
            log.warning("events not recorded in the state DB %s: %s", self.state.path, exc)

    async def _flush_events_loop(self, ctx: RunContext) -> None:
        """Write the run's events every EVENTS_FLUSH_SECONDS, one short transaction each."""
        while True:
            await trio.sleep(EVENTS_FLUSH_SECONDS)
            if self.events is not None and self.events.pending:
                await ctx.to_thread(self._flush_events, limiter="db")

    # -- one-shot ------------------------------------------------------------------------------

    async def run(self, paths: list[Path]) -> list[Result]:
        """Process ``paths`` (files or folders; default: the profile's sources) and return.

        Ctrl-C (SIGINT) stops taking items, lets the ones in progress finish (at most
        SHUTDOWN_GRACE_SECONDS, a second Ctrl-C cancels at once: placements still finish) and
        returns with :attr:`interrupted` set; what was not done stays queued. A ConfigError
        raised by any item ends the run, every held item given back to the queue; exception
        groups are never raised (see :func:`shelver.errors.user_facing`).
        """
        status = "failed"
        ctx = await self._new_context()
        try:
            await self._start(ctx)
            if self.before_work is not None:
                await trio.to_thread.run_sync(self.before_work)
            roots = [str(Path(p).absolute()) for p in (paths or self.profile.sources)]
            if not roots:
                raise ConfigError(f"nothing to do: no paths given and no sources ({self.profile.where('sources')})")
            videos = self.smallest_collections_first(
                await trio.to_thread.run_sync(self._collect, roots))
            self.total = len(self.results) + len(videos)
            if self.events is not None:
                self.events.add("progress", done=len(self.results), total=self.total)
            self.on_total(self.total)
            if self.dry_run:
                await self._work_in_memory(ctx, videos)
            else:
                await self._work_queue(ctx, videos)
            status = "interrupted" if self.interrupted else "done"
        except BaseException as exc:
            shown = user_facing(exc)
            if isinstance(shown, KeyboardInterrupt):
                status = "interrupted"
            if shown is not exc:
                raise shown from None
            raise
        finally:
            await self._end(ctx, status)
        return self.results

    async def _work_queue(self, ctx: RunContext, videos: list[Found]) -> None:
        """Queue the run's files for it, then work them off, stopping early on Ctrl-C."""
        with _sigint_receiver() as signals:
            async with trio.open_nursery() as guard:
                async with trio.open_nursery() as workers:
                    if signals is not None:
                        guard.start_soon(self._stop_on_signal, signals, workers)
                    guard.start_soon(self._flush_events_loop, ctx)
                    await self._observe_all(ctx, videos)
                    for _ in range(int(self.profile.get("workers", 4))):
                        workers.start_soon(self._worker, ctx, ctx.run_id)
                guard.cancel_scope.cancel()

    async def _stop_on_signal(self, signals: Any, workers: trio.Nursery) -> None:
        async for _signum in signals:
            if self.interrupted:  # a second Ctrl-C: cancel now (placements are shielded)
                workers.cancel_scope.cancel()
                continue
            self.interrupted = True
            self.accepting = False
            log.warning("interrupted: finishing the file(s) in progress (at most %.0f s; "
                        "Ctrl-C again to stop now)", SHUTDOWN_GRACE_SECONDS)
            workers.cancel_scope.deadline = trio.current_time() + SHUTDOWN_GRACE_SECONDS

    def left_queued(self) -> int:
        """How many of this run's files are still queued (not processed, or given back)."""
        if self.ctx is None or self.dry_run:
            return 0
        return int(self.state.queued_count(run_id=self.ctx.run_id)) + self.given_back

    async def _observe_all(self, ctx: RunContext, videos: list[Found]) -> None:
        for found in videos:
            if not self.accepting:
                return
            queued = await ctx.to_thread(
                lambda f=found: self.state.observe(
                    f.path, f.size, f.mtime, f.inode, self.profile.name,
                    priority=Priority.CRITICAL, run_id=ctx.run_id, force=True),
                limiter="db")
            if queued is None:
                self._emit(skipped_result(found.path, "being processed by another instance",
                                          self.mode))

    def _collect(self, roots: list[str]) -> list[Found]:
        """Walk the roots: report what is skipped, return the candidate videos."""
        videos: list[Found] = []
        for root in roots:
            if not os.path.exists(root):
                self._emit({**skipped_result(root, "does not exist", self.mode),
                            "status": Status.ERROR.value, "error": f"{root}: no such file or folder"})
                continue
            is_dir = os.path.isdir(root)
            for directory, files in walk(root, self.filters):
                # A link is never a sidecar (nor a followed link's target, in another folder).
                names = [f.path for f in files if not f.link and os.path.dirname(f.path) == directory]
                video_paths = [f.path for f in files if f.video]
                sidecars = Sidecars(names)
                companions = {str(c) for v in video_paths for c in sidecars.of(v)}
                for found in files:
                    if found.video:
                        videos.append(found)
                        if is_dir:
                            self.roots[found.path] = Path(root)
                    elif found.path not in companions:
                        self._emit(skipped_result(found.path, found.reason or "filtered", self.mode))
        return videos

    def smallest_collections_first(self, videos: list[Found]) -> list[Found]:
        """Order a run by collection (each top-level folder of a given path), smallest first, as
        `shelver assess` recommends: small collections finish early, big ones do not hold them up."""
        def collection(found: Found) -> str:
            root = self.roots.get(found.path)
            if root is None:
                return str(found.path)
            top = os.path.relpath(found.path, root).split(os.sep)[0]
            return str(os.path.join(root, top))

        sizes: dict[str, int] = {}
        for found in videos:
            sizes[collection(found)] = sizes.get(collection(found), 0) + found.size
        return sorted(videos, key=lambda f: (sizes[collection(f)], collection(f), f.path))

    async def _work_in_memory(self, ctx: RunContext, videos: list[Found]) -> None:
        """Dry run: the same pipeline, nothing recorded, nothing moved."""
        send, receive = trio.open_memory_channel[Found](0)

        async def feed() -> None:
            async with send:
                for found in videos:
                    await send.send(found)

        async def work() -> None:
            async for found in receive:
                item = Item(path=Path(found.path), source=Path(found.path), size=found.size,
                            mtime=found.mtime, inode=found.inode, root=self.roots.get(found.path))
                await self._pipeline(ctx, item, persist=False)

        async with trio.open_nursery() as flusher:
            flusher.start_soon(self._flush_events_loop, ctx)
            async with trio.open_nursery() as nursery:
                nursery.start_soon(feed)
                for _ in range(int(self.profile.get("workers", 4))):
                    nursery.start_soon(work)
            flusher.cancel_scope.cancel()

    # -- workers -------------------------------------------------------------------------------

    async def _worker(self, ctx: RunContext, run_id: int | None) -> None:
        """Take queued items until the queue (of this run, or of the profile) is empty."""
        while self.accepting:
            row = await ctx.to_thread(
                lambda: self.state.claim_next(self.profile.name, self.owner, run_id=run_id),
                limiter="db")
            if row is None:
                if run_id is not None:
                    return
                with trio.move_on_after(1.0):  # a daemon waits for work (or a wake-up)
                    await self.wakeup.wait()
                continue
            await self._process_row(ctx, row)

    async def _process_row(self, ctx: RunContext, row: dict[str, Any]) -> None:
        item = Item(path=Path(row["path"]), source=Path(row["path"]), size=row["size"] or 0,
                    mtime=row["mtime"] or 0.0, inode=row["inode"] or 0, item_id=row["id"],
                    root=self.roots.get(row["path"]))
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
            item.error = f"{item.source}: {type(exc).__name__}: {exc}" if not str(exc).startswith(
                str(item.source)) else str(exc)
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
        self._emit(result_of(item, self.mode), item.item_id)

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
        else:
            await self._place(ctx, item, phase, persist)

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
        if item.status == Status.DUPLICATE:
            return
        if self.mode != "metadata-only":
            item.plan = await phase("plan", call_first(ctx, "shelver_plan_destination", "probe", item=item, ctx=ctx))
            if item.plan is None:
                raise RuntimeError("no plugin planned a destination (is the naming plugin disabled?)")
            self._check_inside_dest(item)
        if self.dry_run:
            item.status = Status.ORGANISED if item.plan else Status.METADATA
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
            "phash": item.fingerprint.get("phash"),
            "confidence": item.confidence,
            "candidates": item.match.candidates if item.match else [],
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
            fields.update(path=str(item.placement.path), dir=str(item.placement.path.parent),
                          destination=str(item.placement.path))
            if stat is not None:
                fields.update(size=stat.st_size, mtime=stat.st_mtime, inode=stat.st_ino)
        if not self.state.transition(item.item_id, State.PROCESSING, final, **fields):
            log.warning("%s changed state while it was being processed; outcome not recorded", item.source)

    # -- daemon --------------------------------------------------------------------------------

    async def serve(self, *, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        """Watcher + sweeps + workers until SIGINT/SIGTERM or cancellation."""
        status = "failed"
        ctx = await self._new_context()
        try:
            await self._start(ctx)
            async with trio.open_nursery() as nursery:
                stop = trio.Event()
                nursery.start_soon(self._heartbeat, ctx)
                nursery.start_soon(self._flush_events_loop, ctx)
                nursery.start_soon(self._settle_loop)
                nursery.start_soon(self._sweeper, ctx)
                nursery.start_soon(self._retrier)
                nursery.start_soon(self._watcher, ctx, stop)
                workers = trio.open_nursery()
                async with workers as worker_nursery:
                    for _ in range(int(self.profile.get("workers", 4))):
                        worker_nursery.start_soon(self._worker, ctx, None)
                    nursery.start_soon(self._signals, worker_nursery, nursery, stop)
                    task_status.started()
                nursery.cancel_scope.cancel()
            status = "stopped"
        except BaseException as exc:
            shown = user_facing(exc)  # e.g. a ConfigError (a 401) from a worker: one line, exit 2
            if shown is not exc:
                raise shown from None
            raise
        finally:
            await self._end(ctx, status)
            with trio.CancelScope(shield=True):
                await trio.to_thread.run_sync(self.state.clear_heartbeat, self.profile.name)

    async def _signals(self, workers: trio.Nursery, everything: trio.Nursery, stop: trio.Event) -> None:
        with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async for signum in signals:
                log.info("received %s: finishing in-flight items (at most %.0f s)",
                         signal.Signals(signum).name, SHUTDOWN_GRACE_SECONDS)
                await self.shutdown(workers, everything, stop)
                return

    async def shutdown(self, workers: trio.Nursery, everything: trio.Nursery, stop: trio.Event) -> None:
        """Stop taking items, give in-flight ones a bounded grace period, then cancel."""
        self.accepting = False
        stop.set()
        self.wakeup.set()
        with trio.move_on_after(SHUTDOWN_GRACE_SECONDS):
            while workers.child_tasks:
                await trio.sleep(0.05)
        workers.cancel_scope.cancel()

    async def _heartbeat(self, ctx: RunContext) -> None:
        interval = float(self.profile.get("watch.heartbeat_seconds", 10.0))
        pruned = -EVENTS_PRUNE_SECONDS
        while True:
            await trio.to_thread.run_sync(self.state.heartbeat, self.profile.name)
            if self.events is not None and trio.current_time() - pruned >= EVENTS_PRUNE_SECONDS:
                pruned = trio.current_time()
                await ctx.to_thread(self._flush_events, True, limiter="db")
            await trio.sleep(interval)

    async def quick_scan(self, ctx: RunContext) -> int:
        """Compare the sources with the DB and enqueue what is new or changed; returns how many.
        Files written to within ``watch.settle_seconds`` go to the settler (like files an event
        reported) and are taken once stable."""
        unsettled: list[str] = []
        count = await trio.to_thread.run_sync(self.quick_scan_sync, unsettled)
        now = trio.current_time()
        for path in unsettled:
            self.settler.seen(path, now)
        return count

    def quick_scan_sync(self, unsettled: list[str] | None = None) -> int:
        """The walk of :meth:`quick_scan`. A new or changed file modified within
        ``watch.settle_seconds`` may still be being written: it is appended to ``unsettled``
        instead of being enqueued (without a list, left for a later scan)."""
        enqueued = 0
        young = 0
        settle = self.settler.settle_seconds
        now = time.time()
        for root in map(str, self.profile.sources):
            if not os.path.isdir(root):
                log.warning("source %s does not exist (%s)", root, self.profile.where("sources"))
                continue
            walked: set[str] = set()
            for directory, files in walk(root, self.filters):
                walked.add(directory)
                known = self.state.items_in_dir(directory)
                seen = set()
                for found in files:
                    if found.link and found.path not in self.links_reported:
                        self.links_reported.add(found.path)  # once per daemon, not per sweep
                        log.warning("skipped %s: %s", found.path, found.reason)
                    if not found.video:
                        continue
                    seen.add(found.path)
                    record = known.get(found.path)
                    if record is not None and record[1:4] == (found.size, found.mtime, found.inode) \
                            and record[4] not in (State.NEW.value, State.CHANGED.value, State.ERROR.value,
                                                  State.MISSING.value):
                        continue  # unchanged: one stat, no DB write
                    age = now - found.mtime
                    if age < settle or age < 0:  # written to lately (or dated in the future)
                        young += 1
                        if unsettled is not None:
                            unsettled.append(found.path)
                        continue
                    if self.state.observe(found.path, found.size, found.mtime, found.inode,
                                          self.profile.name, known=record) is not None:
                        enqueued += 1
                if set(known) - seen:
                    self.state.mark_missing(directory, seen)
            for directory in self.state.dirs_under(root):
                if directory not in walked:  # a folder that vanished with its files
                    self.state.mark_missing(directory, set())
        if young:
            log.info("%d file(s) written to within watch.settle_seconds (%g s): taken once they "
                     "are stable", young, settle)
        return enqueued

    def _requeue(self, item_id: int) -> None:
        self.state.enqueue(item_id, self.profile.name, Priority.MEDIUM, reason="retry")

    async def _retrier(self) -> None:
        """Queue failed items again when their backoff (1 min doubling to 24 h) runs out."""
        while True:
            due, next_at = await trio.to_thread.run_sync(self.state.due_retries, self.profile.name)
            for item_id in due:
                await trio.to_thread.run_sync(self._requeue, item_id)
            if due:
                self._wake()
            wait = 60.0 if next_at is None else next_at - self.state.clock()
            await trio.sleep(min(max(wait, 0.05), 60.0))

    async def _sweeper(self, ctx: RunContext) -> None:
        interval = float(self.profile.get("watch.sweep_interval", 900.0))
        while True:
            count = await self.quick_scan(ctx)
            if count:
                log.info("sweep: %d file(s) to process", count)
                self._wake()
            await trio.sleep(interval)

    def _wake(self) -> None:
        self.wakeup.set()
        self.wakeup = trio.Event()

    async def _watcher(self, ctx: RunContext, stop: trio.Event) -> None:
        sources = [str(s) for s in self.profile.sources if os.path.isdir(s)]
        if not sources:
            return
        from watchfiles import Change, awatch

        settler = self.settler  # (enqueued by _settle_loop)
        async for changes in awatch(*sources, stop_event=stop, step=200, rust_timeout=1000):
            for change, path in changes:
                if change == Change.deleted:
                    continue
                if os.path.isdir(path):
                    for _d, files in walk(path, self.filters):
                        for found in files:
                            if found.video:
                                settler.seen(found.path, trio.current_time())
                elif self.filters.is_video_name(path):
                    settler.seen(path, trio.current_time())

    async def _settle_loop(self) -> None:
        """Enqueue the files the watcher or a sweep saw once they have been stable for
        ``watch.settle_seconds``."""
        settler = self.settler
        while True:
            await trio.sleep(min(1.0, max(settler.settle_seconds / 4, 0.05)))
            ready = settler.ready(trio.current_time())
            for path in ready:
                await trio.to_thread.run_sync(self._observe_path, path)
            if ready:
                self._wake()

    def _observe_path(self, path: str) -> None:
        if os.path.islink(path):
            target, why = self.filters.link_target(path)
            if target is None:
                log.warning("skipped %s", why)
                return
            path = target
        try:
            st = os.stat(path)
        except OSError:
            return
        video, _reason = self.filters.verdict(path, st.st_size)
        if video:
            self.state.observe(path, st.st_size, st.st_mtime, st.st_ino, self.profile.name)
