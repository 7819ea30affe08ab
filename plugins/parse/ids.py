"""Ids a user wrote: in a file or folder name (``{tmdb-603}``, ``[imdbid-tt0133093]``...) or in
an ``.nfo`` beside the file (the ``parse`` plugin's :func:`~shelver.plugins.parse.name.parse_release`
reads both)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------------------------------------
# Ids written in names
# ---------------------------------------------------------------------------------------------

_SEP = r"\s*[-=:_ ]\s*"
_ID_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("tmdb", re.compile(r"[\[{(]?\btmdb(?:id)?" + _SEP + r"(\d{1,9})\b[\]})]?", re.IGNORECASE)),
    ("tvdb", re.compile(r"[\[{(]?\btvdb(?:id)?" + _SEP + r"(\d{1,9})\b[\]})]?", re.IGNORECASE)),
    ("imdb", re.compile(r"[\[{(]?\bimdb(?:id)?" + _SEP + r"(tt\d{7,9})\b[\]})]?", re.IGNORECASE)),
    ("imdb", re.compile(r"[\[{(]?(?<![a-z0-9])(tt\d{7,9})(?![0-9])[\]})]?", re.IGNORECASE)),
)
_EDITION_TAG = re.compile(r"\{edition-([^}]*)\}", re.IGNORECASE)


def extract_ids(text: str) -> tuple[dict[str, Any], str]:
    """Return the ids written in ``text`` and ``text`` with them removed."""
    ids: dict[str, Any] = {}
    for key, pattern in _ID_PATTERNS:
        found = pattern.search(text)
        if found and key not in ids:
            value = found.group(1)
            ids[key] = value.lower() if key == "imdb" else int(value)
        text = pattern.sub(" ", text)
    return ids, text


# ---------------------------------------------------------------------------------------------
# Ids in an existing .nfo
# ---------------------------------------------------------------------------------------------

_NFO_UNIQUEID = re.compile(
    r"<uniqueid[^>]*\btype\s*=\s*[\"'](tmdb|imdb|tvdb)[\"'][^>]*>\s*([^<\s]+)\s*</uniqueid>",
    re.IGNORECASE,
)
_NFO_TAGS = (
    ("tmdb", re.compile(r"<tmdbid>\s*(\d+)\s*</tmdbid>", re.IGNORECASE)),
    ("imdb", re.compile(r"<imdbid>\s*(tt\d{7,9})\s*</imdbid>", re.IGNORECASE)),
    ("imdb", re.compile(r"<id>\s*(tt\d{7,9})\s*</id>", re.IGNORECASE)),
    ("tvdb", re.compile(r"<tvdbid>\s*(\d+)\s*</tvdbid>", re.IGNORECASE)),
)
_NFO_URLS = (
    ("tmdb", re.compile(r"themoviedb\.org/(movie|tv)/(\d+)", re.IGNORECASE)),
    ("imdb", re.compile(r"imdb\.com/(?:[a-z]{2}/)?title/(tt\d{7,9})", re.IGNORECASE)),
    (
        "tvdb",
        re.compile(
            r"thetvdb\.com/\?tab=series&id=(\d+)|thetvdb\.com/series/(\d+)\b", re.IGNORECASE
        ),
    ),
)
_NFO_MAX_BYTES = 256 * 1024


def nfo_ids(text: str) -> tuple[dict[str, Any], str | None]:
    """Ids in an NFO's text, and the kind its root element or URL implies (or None).

    An ``<episodedetails>`` NFO carries episode-level ids (not the show's): they are ignored.
    """
    root = re.search(r"<\s*(movie|tvshow|episodedetails)\b", text, re.IGNORECASE)
    kind = {"movie": "movie", "tvshow": "episode"}.get(root.group(1).lower()) if root else None
    if root and root.group(1).lower() == "episodedetails":
        return {}, "episode"
    ids: dict[str, Any] = {}
    for m in _NFO_UNIQUEID.finditer(text):
        key, value = m.group(1).lower(), m.group(2)
        if key == "imdb" and re.fullmatch(r"tt\d{7,9}", value, re.IGNORECASE):
            ids.setdefault("imdb", value.lower())
        elif key != "imdb" and value.isdigit():
            ids.setdefault(key, int(value))
    for key, pattern in _NFO_TAGS:
        found = pattern.search(text)
        if found and key not in ids:
            ids[key] = found.group(1).lower() if key == "imdb" else int(found.group(1))
    if root is None:  # plain-text nfo (scene release info): URLs only
        for key, pattern in _NFO_URLS:
            found = pattern.search(text)
            if not found or key in ids:
                continue
            if key == "tmdb":
                ids["tmdb"] = int(found.group(2))
                kind = kind or ("episode" if found.group(1).lower() == "tv" else "movie")
            elif key == "imdb":
                ids["imdb"] = found.group(1).lower()
            else:
                ids["tvdb"] = int(found.group(1) or found.group(2))
    return ids, kind


def _read_nfo(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return fh.read(_NFO_MAX_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None


_VIDEO_EXTS = {".mkv", ".mp4", ".m4v", ".avi", ".mov", ".wmv", ".ts", ".m2ts", ".mpg", ".webm"}


def _nfo_candidates(path: Path, episode_like: bool) -> Iterable[Path]:
    """The NFO files that may describe ``path``, most specific first."""
    folder = path.parent
    yield path.with_suffix(".nfo")
    if not episode_like:
        yield folder / "movie.nfo"
    else:
        yield folder / "tvshow.nfo"
        yield folder.parent / "tvshow.nfo"
    # A release folder's lone info file (``group-release.nfo``), unless it belongs to another video.
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    nfos = [e for e in entries if e.suffix.lower() == ".nfo"]
    video_stems = {e.stem for e in entries if e.suffix.lower() in _VIDEO_EXTS}
    if len(nfos) == 1 and (nfos[0].stem == path.stem or nfos[0].stem not in video_stems):
        yield nfos[0]


def ids_from_nfo(path: Path, episode_like: bool) -> tuple[dict[str, Any], str | None]:
    """Ids from the NFO files beside ``path`` (first one with ids wins, key by key)."""
    ids: dict[str, Any] = {}
    kind: str | None = None
    seen: set[Path] = set()
    for candidate in _nfo_candidates(path, episode_like):
        if candidate in seen or not candidate.is_file():
            continue
        seen.add(candidate)
        text = _read_nfo(candidate)
        if text is None:
            continue
        found, found_kind = nfo_ids(text)
        if found_kind is not None and (found_kind == "episode") != episode_like:
            # A film's TMDB id is no show's (and the reverse); IMDb/TVDB ids go through /find.
            found.pop("tmdb", None)
        for key, value in found.items():
            ids.setdefault(key, value)
        kind = kind or (found_kind if found else None)
    return ids, kind
