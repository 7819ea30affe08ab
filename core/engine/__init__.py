"""The trio engine: sources → durable queue → bounded workers → the per-item pipeline.

The engine knows nothing about media or disks: every phase of an item is a hook
(``shelver.hookspecs``). It owns discovery, queueing, concurrency, cancellation, the state DB and
the per-item error boundary. One class, :class:`Engine`, built in three layers: the per-item
phases (:mod:`~shelver.engine.pipeline`), runs and workers (:mod:`~shelver.engine.run`), the
daemon (:mod:`~shelver.engine.daemon`); hooks are called through :mod:`~shelver.engine.calls`,
results shaped by :mod:`~shelver.engine.results`.
"""

from __future__ import annotations

from shelver.engine.daemon import Engine

__all__ = ["Engine"]
