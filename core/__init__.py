"""shelver: puts downloaded and hoarded video files on the right shelf."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pluggy

    # What ``__getattr__`` makes: typed here so a plugin's ``@hookimpl`` keeps its signature.
    hookimpl: pluggy.HookimplMarker

__version__ = "0.1.0"

__all__ = ["__version__", "hookimpl"]


def __getattr__(name: str) -> Any:
    # ``hookimpl`` is made on first use: ``shelver hook`` (run by downloaders for every finished
    # download) imports this package but never a plugin, and must not pay for importing pluggy.
    if name == "hookimpl":
        import pluggy

        marker = pluggy.HookimplMarker("shelver")
        globals()["hookimpl"] = marker
        return marker
    raise AttributeError(f"module 'shelver' has no attribute {name!r}")
