"""The store: the state DB shared by every profile and process on a host.

``StateDB`` (:mod:`shelver.store.db`) brings together the file and its connections
(:mod:`~shelver.store.connection`), the named migrations (:mod:`~shelver.store.migrations`),
items and the queue (:mod:`~shelver.store.items`), runs and instances (:mod:`~shelver.store.runs`),
the placement journal (:mod:`~shelver.store.journal`) and the events log
(:mod:`~shelver.store.events`).
"""

from __future__ import annotations

from shelver.store.connection import describe_db_error, owner_id, pid_alive, retry_delay
from shelver.store.db import StateDB
from shelver.store.migrations import MIGRATIONS, Migration, migration

__all__ = ["MIGRATIONS", "Migration", "StateDB", "describe_db_error", "migration", "owner_id",
           "pid_alive", "retry_delay"]
