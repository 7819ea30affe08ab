"""File-name helpers any plugin may use (docs/architecture.md, "What a plugin may import today").

* :func:`fit_name`: a name derived from a placed file (``<stem>-thumb.jpg``, ``<stem>.nfo``)
  within the filesystem's 255 bytes, the stem cut between characters and the suffix kept;
* :func:`clean_component`: any text made one safe path component (what naming templates and
  a plugin's own ``shelver_plan_destination`` put in a path);
* :func:`is_image_path`: whether a provider's image path is one plain ``/name.ext`` component
  with an image extension, so that nothing a provider sends can point a download elsewhere.

They live in core so that the plugins which derive names or fetch images need not import each
other (issue 10's rule: plugins talk through hooks and the public API, never each other's
modules).
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Any

__all__ = ["MAX_NAME_BYTES", "clean_component", "fit_name", "is_image_path"]

MAX_NAME_BYTES = 255
INVALID = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
MAX_SUFFIX_BYTES = 64  # a kept extension such as ``.en.forced.srt``

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


def _replacement(match: re.Match[str]) -> str:
    char = match.group()
    if char in "/\\":
        return "-"
    return "" if ord(char) < 32 or ord(char) == 127 else " "


def _truncate(text: str, limit: int) -> str:
    """At most ``limit`` bytes of UTF-8, cut between characters."""
    encoded = text.encode("utf-8")
    return text if len(encoded) <= limit else encoded[:limit].decode("utf-8", errors="ignore")


def _sanitise(text: str) -> str:
    """Separators become ``-``, control characters go, other invalid characters become spaces."""
    return re.sub(r"\s+", " ", INVALID.sub(_replacement, unicodedata.normalize("NFC", text)))


def clean_component(text: str, *, keep_suffix: str = "") -> str:
    """A safe single path component: no separators or control characters, no leading/trailing
    dots or spaces (SMB and Windows clients choke on them), at most 255 bytes (UTF-8).

    When ``text`` ends with ``keep_suffix`` (an extension such as ``.mkv`` or ``.en.forced.srt``)
    a long name is cut before it, so the extension always survives."""
    suffix = ""
    if keep_suffix and text.endswith(keep_suffix):
        text, suffix = text[: len(text) - len(keep_suffix)], _sanitise(keep_suffix).rstrip(" ")
        if len(suffix.encode("utf-8")) > MAX_SUFFIX_BYTES:
            suffix = suffix.encode("utf-8")[-MAX_SUFFIX_BYTES:].decode("utf-8", errors="ignore")
    body = _sanitise(text).strip(" .")
    body = _truncate(body, MAX_NAME_BYTES - len(suffix.encode("utf-8"))).rstrip(" .")
    return (body or "_") + suffix
