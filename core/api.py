"""The public plugin API: the only part of shelver a plugin imports (docs/plugins.md, "The API").

A plugin, built-in or third-party, imports ``shelver.api`` and its own package, nothing else of
shelver; what it needs from another plugin it asks through a hook. Everything not named in
``__all__`` here is private and may change in any release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shelver.context import RunContext
from shelver.errors import ConfigError, ItemError, NotFoundError, ShelverError
from shelver.metadata import Episode, Image, Metadata, Person, Rating, Season
from shelver.model import (
    DemoService,
    DownloaderHints,
    Identity,
    Item,
    Match,
    ParsedName,
    Placement,
    Plan,
    Priority,
    State,
    Status,
)
from shelver.names import fit_name, is_image_path

if TYPE_CHECKING:
    import pluggy

    hookimpl: pluggy.HookimplMarker

__all__ = [
    "ConfigError", "DemoService", "DownloaderHints", "Episode", "Identity", "Image", "Item", "ItemError", "Match",
    "Metadata", "NotFoundError", "ParsedName", "Person", "Placement", "Plan", "Priority", "Rating",
    "RunContext", "Season", "ShelverError", "State", "Status", "fit_name", "hookimpl",
    "is_image_path",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    if name == "hookimpl":
        import shelver

        return shelver.hookimpl
    raise AttributeError(f"module 'shelver.api' has no attribute {name!r}")
