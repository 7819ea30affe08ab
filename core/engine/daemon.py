"""The daemon (``shelver watch``): watcher, sweeps, retries, heartbeat and signals around the
workers of :mod:`shelver.engine.run`."""

from __future__ import annotations

import logging
import os
import signal
import time
from typing import Any

import trio
from shelver.context import RunContext
from shelver.discovery import walk
from shelver.engine.run import EVENTS_PRUNE_SECONDS, SHUTDOWN_GRACE_SECONDS, Runner
from shelver.errors import user_facing
from shelver.model import Priority
from shelver.outbox import RETRY_TICK_SECONDS
from shelver.sweep import QuickScan

log = logging.getLogger("shelver")


class Engine(Runner):
    """One profile's engine, for a one-shot run (:meth:`run`) or a daemon (:meth:`serve`)."""

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
                nursery.start_soon(self._announcer, ctx)
                nursery.start_soon(self._watcher, ctx, stop)
                workers = trio.open_nursery()
                async with workers as worker_nursery:
                    for _ in range(int(self.profile.get("workers", 4))):
                        worker_nursery.start_soon(self._worker, ctx, None)
                    nursery.start_soon(self._signals, worker_nursery, nursery, stop)
                    nursery.start_soon(self._controls_loop, ctx,
                                       lambda: self.shutdown(worker_nursery, nursery, stop))
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
        """The walk of :meth:`quick_scan` (:class:`shelver.sweep.QuickScan`). A new or changed
        file modified within ``watch.settle_seconds`` may still be being written: it is
        appended to ``unsettled`` instead of being enqueued (without a list, left for a later
        scan)."""
        scan = QuickScan.of_profile(self.profile, self.state, self.filters, self.links_reported)
        return scan.run(unsettled)

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

    async def _announcer(self, ctx: RunContext) -> None:
        """Tell the media servers and notification targets about a batch once no file has
        finished for ``watch.debounce_seconds``; retry waiting deliveries every
        RETRY_TICK_SECONDS (docs/media-servers.md)."""
        debounce = float(self.profile.get("watch.debounce_seconds", 30.0))
        retried = time.monotonic()
        while True:
            await trio.sleep(min(1.0, max(debounce / 4, 0.05)))
            now = time.monotonic()
            if (self.changed or len(self.results) > self.announced) \
                    and now - self.last_activity >= debounce:
                await self._announce(ctx, "running")
                retried = now
            elif now - retried >= RETRY_TICK_SECONDS:
                retried = now
                await ctx.to_thread(self.retry_quietly, ctx, limiter="net")

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
