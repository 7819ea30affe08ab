"""A run: its context and run-start checks, the durable queue's workers, events written in
batches, and the one-shot ``shelver run`` (walk, record, work, report)."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import trio
from shelver.context import RunContext
from shelver.discovery import Found, Sidecars, walk
from shelver.engine.calls import call_all
from shelver.engine.pipeline import Pipeline
from shelver.engine.results import Result, long_run_line, skipped_result
from shelver.errors import ConfigError, user_facing
from shelver.model import Change, Item, Priority, Status
from shelver.outbox import announce, retry_due
from shelver.store.events import EventLog, prune_for

log = logging.getLogger("shelver")

# A daemon asked to stop gives in-flight items this long before cancelling what is cancellable;
# placements are shielded and always finish.
SHUTDOWN_GRACE_SECONDS = 3.0
# Events (docs/operations.md, "Events") are written in batches this often, and pruned by a daemon
# this often (a one-shot run prunes when it ends).
EVENTS_FLUSH_SECONDS = 0.5
EVENTS_PRUNE_SECONDS = 3600.0
# How often a run looks for a stop asked from outside (the web UI's Cancel: docs/web.md).
CONTROL_POLL_SECONDS = 0.5
# A run walks its paths as it works (docs/operations.md, "Huge trees"): the walk sends its videos
# WALK_BATCH at a time (one DB transaction hop each); up to ORDERED_UP_TO videos the walk ends
# first and the smallest collections go first; a worker finding the queue empty while the walk
# goes on looks again this often.
WALK_BATCH = 500
ORDERED_UP_TO = 2000
QUEUE_POLL_SECONDS = 0.05
def _sigint_receiver() -> Any:
    """SIGINT as a trio signal receiver (None off the main thread, where none can be had)."""
    import contextlib
    import threading

    if threading.current_thread() is not threading.main_thread():
        return contextlib.nullcontext(None)
    return trio.open_signal_receiver(signal.SIGINT)


class Runner(Pipeline):
    """Runs of one profile: one-shot (:meth:`run`) and the workers a daemon starts too."""

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
                await self._announce(ctx, status)

    async def _announce(self, ctx: RunContext, status: str) -> None:
        """Retry the deliveries that wait, then tell the media servers and notification targets
        about the folders changed and the results since the last announcement (never in a dry
        run). A service's failure is logged and kept for later, never raised
        (docs/media-servers.md)."""
        if self.dry_run:
            return
        changes = [Change(path, kind) for path, kind in sorted(self.changed.items())]
        results = self.results[self.announced:]
        self.changed, self.announced = {}, len(self.results)
        summary = None
        if results:
            counts: dict[str, int] = {}
            for result in results:
                counts[result["status"]] = counts.get(result["status"], 0) + 1
            summary = {"run": ctx.run_id, "profile": self.profile.name, "command": self.command,
                       "mode": self.mode, "status": status, "counts": counts, "items": results,
                       "review": [r for r in results if r["status"] == Status.REVIEW.value]}

        def deliver() -> None:
            self.retry_quietly(ctx)
            try:
                announce(ctx, changes, summary)
            except Exception as exc:  # the state DB itself failing: never fails the run
                log.warning("media servers and notifications: %s: %s", type(exc).__name__, exc)

        with trio.CancelScope(shield=True):
            await ctx.to_thread(deliver, limiter="net")

    @staticmethod
    def retry_quietly(ctx: RunContext) -> None:
        """Try the deliveries whose time has come (blocking: call it in a thread); a state DB
        error is a warning, tried again later."""
        try:
            retry_due(ctx)
        except Exception as exc:
            log.warning("media servers and notifications: %s: %s", type(exc).__name__, exc)

    async def _retry_beside_work(self, ctx: RunContext) -> None:
        """A run tries the deliveries that wait (a server that was down) as it starts, beside
        its files, never ahead of them; what is still due is tried again at its end."""
        await ctx.to_thread(self.retry_quietly, ctx, limiter="net")

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
            # The walk feeds the work as it goes (docs/operations.md, "Huge trees").
            send, receive = trio.open_memory_channel[list[Found]](2)
            if self.dry_run:
                await self._work_in_memory(ctx, roots, send, receive)
            else:
                await self._work_queue(ctx, roots, send, receive)
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

    async def _work_queue(self, ctx: RunContext, roots: list[str], send: Any, receive: Any) -> None:
        """Queue the run's files for it as the walk finds them, and work them off meanwhile,
        stopping early on Ctrl-C."""
        with _sigint_receiver() as signals:
            async with trio.open_nursery() as guard:
                async with trio.open_nursery() as workers:
                    if signals is not None:
                        guard.start_soon(self._stop_on_signal, signals, workers)
                    guard.start_soon(self._flush_events_loop, ctx)
                    guard.start_soon(self._retry_beside_work, ctx)
                    guard.start_soon(self._controls_loop, ctx, lambda: self._interrupt(workers))
                    self.observing = True
                    workers.start_soon(self._feed, ctx, roots, send)
                    workers.start_soon(self._observe_all, ctx, receive)
                    for _ in range(int(self.profile.get("workers", 4))):
                        workers.start_soon(self._worker, ctx, ctx.run_id)
                guard.cancel_scope.cancel()

    async def _stop_on_signal(self, signals: Any, workers: trio.Nursery) -> None:
        async for _signum in signals:
            if self.interrupted:  # a second Ctrl-C: cancel now (placements are shielded)
                workers.cancel_scope.cancel()
                continue
            await self._interrupt(workers)

    async def _interrupt(self, workers: trio.Nursery) -> None:
        """Stop taking items; the ones in progress get SHUTDOWN_GRACE_SECONDS (Ctrl-C, Cancel)."""
        if self.interrupted:
            return
        self.interrupted = True
        self.accepting = False
        log.warning("interrupted: finishing the file(s) in progress (at most %.0f s; "
                    "Ctrl-C again to stop now)", SHUTDOWN_GRACE_SECONDS)
        workers.cancel_scope.deadline = trio.current_time() + SHUTDOWN_GRACE_SECONDS

    async def _controls_loop(self, ctx: RunContext, stop: Any) -> None:
        """Stop (``await stop()``) once a stop of this run is asked in the state DB (the web
        UI's Cancel/Drain, :meth:`shelver.store.StateDB.request_stop`): as on Ctrl-C."""
        while True:
            await trio.sleep(CONTROL_POLL_SECONDS)
            asked = await ctx.to_thread(self.state.stop_requested, ctx.run_id, limiter="db")
            if asked is not None:
                log.warning("run %d: %s asked from outside", ctx.run_id, asked)
                await stop()
                return

    def left_queued(self) -> int:
        """How many of this run's files are still queued (not processed, or given back)."""
        if self.ctx is None or self.dry_run:
            return 0
        return int(self.state.queued_count(run_id=self.ctx.run_id)) + self.given_back

    async def _observe_all(self, ctx: RunContext, receive: Any) -> None:
        """Record and queue each batch the walk sends, one thread hop per batch."""
        def observe(batch: list[Found]) -> list[Found]:
            busy = []
            for found in batch:
                if self.accepting and self.state.observe(
                        found.path, found.size, found.mtime, found.inode, self.profile.name,
                        priority=Priority.CRITICAL, run_id=ctx.run_id, force=True) is None:
                    busy.append(found)
            return busy

        try:
            async with receive:
                async for batch in receive:
                    if not self.accepting:
                        return
                    for found in await ctx.to_thread(observe, batch, limiter="db"):
                        self._emit(skipped_result(found.path, "being processed by another "
                                                  "instance", self.mode))
        finally:
            self.observing = False

    async def _feed(self, ctx: RunContext, roots: list[str], send: Any) -> None:
        """Walk the roots in a thread, a batch at a time, and send the videos found. Up to
        ORDERED_UP_TO videos, the whole walk comes first and the smallest collections go
        first; a larger tree is sent in the order of the walk, as it goes."""
        walk = self._walk_batches(roots)
        to_send: list[Found] = []
        ended = False

        async def next_batch() -> list[Found] | None:
            batch = await trio.to_thread.run_sync(next, walk, None)
            # What the walk skipped is reported here, in the event loop's thread, never from the
            # walk's thread while a worker reports a result.
            skipped, self.walk_skips = self.walk_skips, []
            for result in skipped:
                self._emit(result)
            return batch

        async with send:
            try:
                while len(to_send) < ORDERED_UP_TO:
                    batch = await next_batch()
                    if batch is None:
                        ended = True
                        break
                    to_send += batch
                if ended:
                    to_send = self.smallest_collections_first(to_send)
                videos, identified = len(to_send), 0
                while True:
                    if not to_send:
                        batch = None if ended else await next_batch()
                        if batch is None:
                            break
                        videos += len(batch)
                        to_send = batch
                    chunk, to_send = to_send[:WALK_BATCH], to_send[WALK_BATCH:]
                    if not chunk:
                        continue
                    identified += await ctx.to_thread(
                        self.state.identified_count, [f.path for f in chunk], limiter="db")
                    await send.send(chunk)
            except trio.BrokenResourceError:
                return  # the run stopped taking files (Ctrl-C, Cancel)
            self._walked(ctx, videos, videos - identified)

    def _walked(self, ctx: RunContext, videos: int, unidentified: int) -> None:
        """The walk is over: the run's total is known, and a run that will take hours says so."""
        self.total = self.walk_reported + videos
        if self.events is not None:
            self.events.add("progress", done=len(self.results), total=self.total)
        self.on_total(self.total)
        warning = long_run_line(self.pm, self.profile, unidentified)
        if warning is not None:
            log.warning("%s", warning)

    def _walk_batches(self, roots: list[str]) -> Iterator[list[Found]]:
        """The candidate videos under the roots, WALK_BATCH at a time, or fewer when WALK_BATCH
        skipped files wait in :attr:`walk_skips` to be reported."""
        batch: list[Found] = []
        for videos in self._collect(roots):
            batch += videos
            if len(batch) >= WALK_BATCH or len(self.walk_skips) >= WALK_BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    def _collect(self, roots: list[str]) -> Iterator[list[Found]]:
        """Walk the roots: keep what is skipped in :attr:`walk_skips`, yield the candidate
        videos of each folder."""
        for root in roots:
            if not os.path.exists(root):
                self.walk_reported += 1
                self.walk_skips.append({**skipped_result(root, "does not exist", self.mode),
                                        "status": Status.ERROR.value,
                                        "error": f"{root}: no such file or folder"})
                continue
            is_dir = os.path.isdir(root)
            for directory, files in walk(root, self.filters):
                # A link is never a sidecar (nor a followed link's target, in another folder).
                names = [f.path for f in files if not f.link and os.path.dirname(f.path) == directory]
                video_paths = [f.path for f in files if f.video]
                sidecars = Sidecars(names)
                companions = {str(c) for v in video_paths for c in sidecars.of(v)}
                videos: list[Found] = []
                for found in files:
                    if found.video:
                        videos.append(found)
                        if is_dir:
                            self.roots[found.path] = Path(root)
                    elif found.path not in companions:
                        self.walk_reported += 1
                        self.walk_skips.append(skipped_result(found.path,
                                                              found.reason or "filtered", self.mode))
                if videos or len(self.walk_skips) >= WALK_BATCH:
                    yield videos

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

    async def _work_in_memory(self, ctx: RunContext, roots: list[str], send: Any,
                              receive: Any) -> None:
        """Dry run: the same pipeline, nothing recorded, nothing moved."""
        one_send, one_receive = trio.open_memory_channel[Found](0)

        async def spread() -> None:
            async with receive, one_send:
                async for batch in receive:
                    for found in batch:
                        await one_send.send(found)

        async def work() -> None:
            async for found in one_receive:
                item = Item(path=Path(found.path), source=Path(found.path), size=found.size,
                            mtime=found.mtime, inode=found.inode, root=self.roots.pop(found.path, None))
                await self._pipeline(ctx, item, persist=False)

        async with trio.open_nursery() as flusher:
            flusher.start_soon(self._flush_events_loop, ctx)
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._feed, ctx, roots, send)
                nursery.start_soon(spread)
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
                    if not self.observing:
                        return
                    await trio.sleep(QUEUE_POLL_SECONDS)  # the walk is still finding files
                    continue
                with trio.move_on_after(1.0):  # a daemon waits for work (or a wake-up)
                    await self.wakeup.wait()
                continue
            await self._process_row(ctx, row)
