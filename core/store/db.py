"""The state DB: one object with every table's methods (docs/architecture.md, "The state DB")."""

from __future__ import annotations

from shelver.store.items import ItemStore
from shelver.store.journal import JournalStore
from shelver.store.runs import RunStore


class StateDB(ItemStore, RunStore, JournalStore):
    """The shared state database. Cheap to create; connections are opened per thread."""
