"""File-name helpers any plugin may use (docs/architecture.md, "What a plugin may import today").

* :func:`fit_name`: a name derived from a placed file (``<stem>-thumb.jpg``, ``<stem>.nfo``)
  within the filesystem's 255 bytes, the stem cut between characters and the suffix kept;
* :func:`is_image_path`: whether a provider's image path is one plain ``/name.ext`` component
  with an image extension, so that nothing a provider sends can point a download elsewhere.

They live in core so that the plugins which derive names or fetch images need not import each
other (issue 10's rule: plugins talk through hooks and the public API, never each other's
modules).
"""

from __future__ import annotations

import os
import re
from typing import Any

__all__ = ["MAX_NAME_BYTES", "fit_name", "is_image_path"]

MAX_NAME_BYTES = 255

# One component, an image extension: "/kqjL17yufvn9OVLyXYpvtyrFfak.jpg".
_IMAGE_PATH = re.compile(r"/[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*\.(?:jpe?g|png|webp|gif|svg)",
                         re.IGNORECASE)


def fit_name(stem: str, suffix: str) -> str:
    """``stem + suffix`` within 255 bytes (as the filesystem counts them): the stem is cut
    between characters, never the suffix (``-thumb.jpg``, ``.nfo``)."""
    room = MAX_NAME_BYTES - len(os.fsencode(suffix))
    if len(os.fsencode(stem)) <= room:
        return stem + suffix
    kept, used = [], 0
    for char in stem:
        size = len(os.fsencode(char))
        if used + size > room:
            break
        kept.append(char)
        used += size
    return "".join(kept).rstrip(" .") + suffix


def is_image_path(value: Any) -> bool:
    """True for an image path: one ``/name.ext`` component, an image extension, nothing else
    (no ``..``, no scheme or host, no query, no control characters)."""
    return isinstance(value, str) and len(value) <= 200 and _IMAGE_PATH.fullmatch(value) is not None
