"""The run context handed to every hook."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pluggy
    import trio
    from shelver.model import Trace
    from shelver.profiles import Profile
    from shelver.store import StateDB

T = TypeVar("T")

# Named capacity limiters for blocking work. Sizes are per process; disks do not like many
# concurrent streams, hashing is CPU-bound (2 cores here), tagging is small.
LIMITER_SIZES = {"disk": 2, "hash": 2, "probe": 4, "tag": 2, "db": 4, "item": 4}


@dataclass
class RunContext:
    """What every hook gets as ``ctx``.

    ``resources`` is for plugins: a place to keep per-run objects (an HTTP client, a cache),
    keyed by the plugin's name.
    """

    profile: Profile
    state: StateDB
    pm: pluggy.PluginManager
    run_id: int
    mode: str
    dry_run: bool = False
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("shelver"))
    resources: dict[str, Any] = field(default_factory=dict)
    limiters: dict[str, trio.CapacityLimiter] = field(default_factory=dict)
    # Set by ``shelver explain`` only: plugins record what they did for a person to read.
    trace: Trace | None = None

    def limiter(self, name: str) -> trio.CapacityLimiter:
        """The named capacity limiter (created on first use)."""
        if name not in self.limiters:
            import trio  # not at the top: `shelver status`, `review`, `--help` need no trio

            self.limiters[name] = trio.CapacityLimiter(LIMITER_SIZES.get(name, 2))
        return self.limiters[name]

    async def to_thread(self, fn: Callable[..., T], *args: Any, limiter: str = "disk") -> T:
        """Run blocking ``fn(*args)`` in a worker thread under the named limiter.

        Never abandoned on cancel: a copy or a DB write always finishes or fails by itself.
        """
        import trio

        return await trio.to_thread.run_sync(fn, *args, limiter=self.limiter(limiter))

    @property
    def dest_dir(self) -> Path | None:
        dest: Path | None = self.profile.dest_dir
        return dest
