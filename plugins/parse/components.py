"""One path component (a file name or one folder's name) through guessit: flattened to plain
values, numeric titles repaired, folders classified (season, extras, a place, a release), editions
that leaked into a title taken out. :mod:`shelver.plugins.parse.name` decides which component to
believe."""

from __future__ import annotations

import datetime as _dt
import functools
import re
import threading
from typing import Any

# ---------------------------------------------------------------------------------------------
# One path component through guessit
# ---------------------------------------------------------------------------------------------

_SEASON_DIR = re.compile(
    r"^(?:season|series|saison|staffel|temporada|stagione|s)[ ._-]*(\d{1,4})$", re.IGNORECASE
)
_SPECIALS_DIR = re.compile(r"^(?:specials?|season[ ._-]*0+)$", re.IGNORECASE)
# fmt: off
_EXTRA_DIRS = {
    "sample": "sample", "samples": "sample", "trailer": "trailer", "trailers": "trailer",
    "featurette": "featurette", "featurettes": "featurette", "behind the scenes": "behindthescenes",
    "behindthescenes": "behindthescenes", "deleted scenes": "deleted", "deleted": "deleted",
    "interviews": "interview", "interview": "interview", "scenes": "scene", "shorts": "short",
    "extras": "extra", "extra": "extra", "bonus": "extra", "other": "extra", "others": "extra",
}
# Folders that name a place, not a release.
_GENERIC_DIRS = {
    "downloads", "download", "complete", "completed", "incoming", "torrents", "torrent", "movies",
    "movie", "films", "film", "tv", "tv shows", "tvshows", "shows", "series", "video", "videos",
    "media", "data", "mnt", "home", "new", "unsorted", "sorted", "library", "usenet", "nzb",
    "sabnzbd", "nzbget", "qbittorrent", "transmission", "deluge", "rtorrent", "done", "finished",
    "tmp", "temp", "watch", "anime", "4k", "uhd", "hd", "backlog", "inbox", "seeding", "share",
    "storage", "user", "users", "mount", "volumes", "srv", "var", "opt", "disk1", "pool",
    "dcim", "camera", "camera roll", "gopro", "screenshots", "recordings", "home videos",
}
# fmt: on
# Cameras, phones and screen recorders name files by counter or timestamp: never a title.
_DEVICE_NAME = re.compile(
    r"^(?:(?:vid|img|mvi|dsc[fn]?|pxl|mov|gopr|g[phx]\d\d|dji|cimg|mah|wp|video)[ _-]?\d{3,}"
    r"|gopro[ _-]?\d+|\d{8}[ _-]\d{6}|screen[ _-]?(?:recording|shot|cast)\b|screencast\b)",
    re.IGNORECASE,
)
_DCIM_DIR = re.compile(r"^\d{3}[A-Z_]{5}$")
_GENERIC_TITLES = {"sample", "trailer", "movie", "video", "film", "episode", "untitled", "main"}
# File-name suffixes and phrases that mark non-main content (Plex/Jellyfin conventions).
_EXTRA_SUFFIX = re.compile(
    r"[-_](trailer|sample|featurette|behindthescenes|deleted|deletedscene|interview|scene|short"
    r"|other|extra)s?$",
    re.IGNORECASE,
)
_EXTRA_PHRASES = (
    ("behindthescenes", re.compile(r"\bbehind[ ._-]?the[ ._-]?scenes\b", re.IGNORECASE)),
    ("deleted", re.compile(r"\bdeleted[ ._-]?scenes?\b", re.IGNORECASE)),
    ("featurette", re.compile(r"\b(featurettes?|making[ ._-]of)\b", re.IGNORECASE)),
    ("trailer", re.compile(r"\b(trailer|teaser)s?\b", re.IGNORECASE)),
)
# Editions guessit does not know, or leaks into the title ("Blade Runner The Final Cut").
_EXTRA_EDITIONS = (
    ("Final Cut", re.compile(r"\b(?:the[ ._-]+)?final[ ._-]+cut\b", re.IGNORECASE)),
    (
        "Anniversary Edition",
        re.compile(
            r"\b(?:\d+(?:st|nd|rd|th)[ ._-]+)?anniversary(?:[ ._-]+edition)?\b", re.IGNORECASE
        ),
    ),
    ("Extended", re.compile(r"\bextended(?:[ ._-]+(?:cut|edition))?\b", re.IGNORECASE)),
    ("Director's Cut", re.compile(r"\bdirector'?s[ ._-]+cut\b", re.IGNORECASE)),
    ("Theatrical Cut", re.compile(r"\btheatrical(?:[ ._-]+(?:cut|edition))?\b", re.IGNORECASE)),
    ("Unrated", re.compile(r"\bunrated\b", re.IGNORECASE)),
    ("Uncut", re.compile(r"\buncut\b", re.IGNORECASE)),
    ("Remastered", re.compile(r"\bremaster(?:ed)?\b", re.IGNORECASE)),
    ("IMAX", re.compile(r"\bimax\b", re.IGNORECASE)),
)
# fmt: off
_EDITION_NAMES = {
    "Collector": "Collector's Edition", "Special": "Special Edition",
    "Ultimate": "Ultimate Edition", "Theatrical": "Theatrical Cut",
    "Limited": "Limited Edition", "Deluxe": "Deluxe Edition",
}
# fmt: on
_NOT_GROUPS = {"edition", "cut", "remastered", "extended", "version", "proper", "repack"}


def _value(v: Any) -> Any:
    return v.value if hasattr(v, "value") else v


def _values(v: Any) -> list[Any]:
    """guessit answers a value or a list of values: always get a list."""
    if v is None:
        return []
    if isinstance(v, list):
        return [_value(x) for x in v]
    return [_value(v)]


def _tags(v: Any) -> set[str]:
    tags: set[str] = set()
    for x in v if isinstance(v, list) else [v]:
        tags.update(getattr(x, "tags", None) or [])
    return tags


def _raw_part(v: Any) -> str | None:
    """The part number as written ("Two", "II", "1"), for searching as TMDB spells titles."""
    for x in v if isinstance(v, list) else [v]:
        if x is None:
            continue
        raw = str(getattr(x, "raw", "") or _value(x)).strip(" ._-")
        return raw or None
    return None


def _as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


def _initiator_raw(v: Any) -> str | None:
    """The raw text a guessit match came from ("2049" for S20E49)."""
    for x in v if isinstance(v, list) else [v]:
        initiator = getattr(x, "initiator", None)
        raw = getattr(initiator, "raw", None) or getattr(x, "raw", None)
        if raw:
            digits = re.sub(r"\D", "", str(raw))
            return digits or None
    return None


def _is_obfuscated(title: str) -> bool:
    """Looks like a hash or random id rather than a name (``abc123``, ``a1b2c3d4``)."""
    compact = re.sub(r"[\s._-]", "", title)
    if not compact:
        return True
    if re.fullmatch(r"[0-9a-f]{8,}", compact, re.IGNORECASE) and re.search(r"\d", compact):
        return True
    words = title.split()
    if len(words) <= 2 and any(re.fullmatch(r"\d{5,}", w) for w in words):
        return True  # "tmp 8823119"
    if len(words) > 1:
        return False
    digits = sum(c.isdigit() for c in compact)
    letters = sum(c.isalpha() for c in compact)
    runs = len(re.findall(r"\d+|[^\W\d]+", compact))
    return letters > 0 and (digits >= 3 or runs >= 4)


def _guess(name: str) -> dict[str, Any]:
    """guessit on one component, flattened to plain values, numeric titles repaired.

    Cached: the 200 episodes of a season pack share their folder's name.
    """
    cached = _guess_cached(name)
    return {k: list(v) if isinstance(v, list) else v for k, v in cached.items()}


# One guessit call at a time. guessit builds its rules on its first call (about 0.3 s) in every
# thread that calls before they exist, and the first names of a run come from several workers at
# once: four built them four times over and the run's first result waited for all four. Its API
# object is not thread-safe either; and guessit is pure Python: the GIL let one run at a time anyway.
_GUESSIT_LOCK = threading.Lock()


@functools.lru_cache(maxsize=4096)
def _guess_cached(name: str) -> dict[str, Any]:
    import guessit  # heavy import: only when a name is actually parsed

    with _GUESSIT_LOCK:
        g = guessit.guessit(name, {"advanced": True})
    out: dict[str, Any] = {k: _values(v) for k, v in g.items()}
    titles = [str(t) for t in out.get("title", []) if str(t).strip()]
    years = [int(y) for y in out.get("year", [])]
    seasons = [int(s) for s in out.get("season", [])]
    episodes = sorted({int(e) for e in out.get("episode", [])})
    weak = "weak-episode" in _tags(g.get("season")) | _tags(g.get("episode"))
    stem = re.sub(r"\.[A-Za-z0-9]{2,4}$", "", name) if out.get("container") else name
    res: dict[str, Any] = {
        "title": titles[0] if titles else None,
        "alternative_titles": titles[1:] + [str(a) for a in out.get("alternative_title", [])],
        "year": None,
        "season": seasons[0] if seasons else None,
        "episodes": episodes,
        "date": None,
        "country": None,
        "editions": [str(e) for e in out.get("edition", [])],
        "other": [str(o) for o in out.get("other", [])],
        "type": _values(g.get("type"))[0],
        "episode_title": (_values(g.get("episode_title")) or [None])[0],
        "screen_size": (_values(g.get("screen_size")) or [None])[0],
        "release_group": (_values(g.get("release_group")) or [None])[0],
        "part": _raw_part(g.get("part")),
        "release_marks": bool(out.get("source") or out.get("video_codec")),
        "weak_episode": False,
        "bare_number": None,
    }
    if not res["title"] and (out.get("country") or out.get("language")):
        # "US.2019.mkv", "FR.2019.mkv": a country or language code that is the whole title.
        lead_words = re.match(
            r"^([^\W\d_]{2,}(?:[ ._-][^\W\d_]{2,})?)[ ._-]+\(?(?:19|20)\d\d", name
        )
        if lead_words:
            res["title"] = re.sub(r"[._]", " ", lead_words.group(1))
            res["title_from_code"] = True
    if str(res["release_group"] or "").lower() in _NOT_GROUPS:
        res["release_group"] = None
    # A daily show's date; guessit also reads "2021-03-04 at 10.15.32" as 2032-10-15.
    today = _dt.date.today()
    dates = [
        d
        for d in out.get("date", [])
        if isinstance(d, _dt.date) and _dt.date(1930, 1, 1) <= d <= today + _dt.timedelta(days=7)
    ]
    if dates:
        res["date"] = dates[0].isoformat()
    elif out.get("date") and res["type"] == "episode" and not seasons and not episodes:
        res["type"] = "movie"
    # "05x14 - Ozymandias.mkv": a title after the episode number is the episode's title.
    starts = [
        m.span[0]
        for key in ("season", "episode", "date")
        for m in _as_list(g.get(key))
        if m is not None and getattr(m, "span", None)
    ]
    title_match = g.get("title")
    title_match = title_match[0] if isinstance(title_match, list) else title_match
    res["title_after_episode"] = bool(
        starts and title_match is not None and getattr(title_match, "span", (0, 0))[0] > min(starts)
    )
    countries = out.get("country", [])
    if countries and res["title"] is not None and not res.pop("title_from_code", False):
        res["country"] = getattr(countries[0], "alpha2", None) or str(countries[0])
    # A leading number is part of the title: "1917.mkv", "2001.A.Space.Odyssey.mkv".
    lead = re.match(r"^(\d{1,4})(?=[ ._-]|$)", stem)
    title = res["title"]
    if (
        lead
        and years
        and years[0] == int(lead.group(1))
        and not (title or "").startswith(lead.group(1))
    ):
        res["title"] = f"{lead.group(1)} {title}".strip() if title else lead.group(1)
        if title:
            res["alternative_titles"].append(title)
        years = years[1:]
    if years:
        # The release year follows the title; a second one belongs to the title ("2012 2009").
        res["year"] = years[-1]
        if res["season"] is not None and res["season"] == res["year"] and not res["date"]:
            res["year"] = None  # "S2024E05": the season is a year, not a year hint
    if weak and (res["season"] is not None or episodes):
        res["weak_episode"] = True
        res["bare_number"] = _initiator_raw(g.get("episode")) or _initiator_raw(g.get("season"))
    return res


def _clean_title(title: str | None) -> tuple[str | None, list[str]]:
    """Strip editions that leaked into the title; returns (title, editions found)."""
    if not title:
        return None, []
    found: list[str] = []
    for edition, pattern in _EXTRA_EDITIONS:
        if pattern.search(title):
            stripped = pattern.sub(" ", title).strip(" -_.")
            if stripped:
                found.append(edition)
                title = re.sub(r"\s{2,}", " ", stripped)
    return title.strip() or None, found


def _classify_dir(name: str) -> tuple[str, Any]:
    """("season", n) | ("extra", kind) | ("generic", None) | ("info", guess)."""
    plain = re.sub(r"[._]+", " ", name).strip()
    low = plain.lower()
    if _SPECIALS_DIR.match(plain):
        return "season", 0
    m = _SEASON_DIR.match(plain)
    if m:
        return "season", int(m.group(1))
    if low in _EXTRA_DIRS:
        return "extra", _EXTRA_DIRS[low]
    if low in _GENERIC_DIRS or _DCIM_DIR.match(plain):
        return "generic", None
    guess = _guess(name)
    if (
        not guess["title"]
        or _is_obfuscated(guess["title"])
        or guess["title"].lower() in _GENERIC_DIRS
    ):
        if guess["season"] is not None and not guess["title"]:
            return "season", guess["season"]
        return "generic", None
    # A lone word ("Matrix", "in") may be a user's folder; a name with more to it is a release.
    guess["informative"] = bool(
        len(guess["title"].split()) >= 2
        or guess["year"]
        or guess["season"] is not None
        or guess["screen_size"]
        or guess["release_group"]
        or guess["editions"]
        or guess["date"]
        or guess["release_marks"]  # "Title.DVDRip.XviD": a release, however short its title
    )
    return "info", guess


def _compact(s: str) -> str:
    """Letters and digits only, no leading article: "The.Matrix" → "matrix"."""
    return re.sub(
        r"[\W_]+", "", re.sub(r"^(the|a|an)[\W_]+", "", s.strip(), flags=re.IGNORECASE)
    ).casefold()
