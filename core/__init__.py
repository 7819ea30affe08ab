"""shelver: puts downloaded and hoarded video files on the right shelf."""

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("shelver")

__all__ = ["__version__", "hookimpl"]
