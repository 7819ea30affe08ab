"""Non-main content (trailers, featurettes, samples...) and editions, as a file name and its
folders say (:func:`~shelver.plugins.parse.name.parse_release` calls these). A Plex/Jellyfin
suffix (``Movie-trailer.mkv``) makes an extra only on a name that is not a release's: on
``...x264-OTHER`` or ``...x264-SCENE`` the same word is the release group's
(docs/identification.md, "Traps")."""

from __future__ import annotations

from typing import Any

from shelver.plugins.parse.components import (
    _EDITION_NAMES,
    _EXTRA_EDITIONS,
    _EXTRA_PHRASES,
    _EXTRA_SUFFIX,
)


def _extra(stem: str, file_guess: dict[str, Any], folder_extra: str | None,
           episode_like: bool) -> str | None:
    """Which kind of non-main content the file is ("trailer", "deleted"...), or None."""
    extra = folder_extra
    other = {o.lower() for o in file_guess["other"]}
    if "sample" in other:
        extra = "sample"
    elif extra is None and "trailer" in other:
        extra = "trailer"
    if extra in (None, "extra") and not episode_like:  # an episode may be "The Interview"
        tail = " ".join(file_guess["alternative_titles"] + [file_guess["episode_title"] or ""])
        if extra == "extra":  # "Extras/Deleted Scenes.mkv": the file says which kind
            tail += " " + (file_guess["title"] or "")
        for name, pattern in _EXTRA_PHRASES:
            if pattern.search(tail):
                extra = name
                break
    release_name = file_guess["release_marks"] or file_guess["screen_size"]
    if extra is None and not release_name:
        # Plex/Jellyfin suffixes ("Movie-trailer.mkv"); on a release name ("...x264-OTHER",
        # "...x264-SCENE") the same word is the release group's.
        suffix = _EXTRA_SUFFIX.search(stem)
        if suffix:
            extra = _extra_name(suffix.group(1))
    return extra


def _edition(stem: str, editions: list[str]) -> tuple[str | None, bool]:
    """The edition's name from ``editions`` (appended to), and whether the file name holds one
    of the editions guessit misreads as an episode's title."""
    misread = False
    for name, pattern in _EXTRA_EDITIONS[:2]:  # editions guessit misreads as episode titles
        if pattern.search(stem) and name not in editions:
            editions.append(name)
            misread = True
    return " ".join(dict.fromkeys(_EDITION_NAMES.get(e, e) for e in editions)) or None, misread


def _extra_name(word: str) -> str:
    word = word.lower()
    return {"deletedscene": "deleted", "other": "extra"}.get(word, word)


def _is_extra_phrase(text: str) -> bool:
    return any(p.search(text) for _, p in _EXTRA_PHRASES)
