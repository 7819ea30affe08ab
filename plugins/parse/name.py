"""Release-name parsing: what a file name and its folders say about a video.

guessit does the heavy lifting on each path component separately; this module decides which
component to believe (an obfuscated ``abc123.mkv`` inside an informative release folder takes the
folder's title), extracts ids written by users (``{tmdb-603}``, ``[imdbid-tt0133093]``...) or found
in an ``.nfo`` beside the file, and smooths over guessit's odd outputs (lists where one value is
expected, numeric titles such as "1917" or "300" read as years or episode numbers).
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from shelver.api import ParsedName

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


@functools.lru_cache(maxsize=4096)
def _guess_cached(name: str) -> dict[str, Any]:
    import guessit  # heavy import: only when a name is actually parsed

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
    )
    return "info", guess


def _compact(s: str) -> str:
    """Letters and digits only, no leading article: "The.Matrix" → "matrix"."""
    return re.sub(
        r"[\W_]+", "", re.sub(r"^(the|a|an)[\W_]+", "", s.strip(), flags=re.IGNORECASE)
    ).casefold()


# ---------------------------------------------------------------------------------------------
# The whole path
# ---------------------------------------------------------------------------------------------


def parse_release(path: Path, root: Path | None = None) -> ParsedName:
    """Parse ``path`` using its file name and its parent folders up to ``root`` (exclusive).

    Without ``root`` the three nearest folders are considered. Folders only fill what the file
    name lacks or garbles: the title of an obfuscated file, the season of a season-pack file,
    the show of ``Season 2/03 - Title.mkv``.
    """
    path = Path(path)
    if root is not None:
        try:
            folders = list(path.parent.relative_to(root).parts)
        except ValueError:
            folders = list(path.parent.parts[-3:])
    else:
        folders = list(path.parent.parts[-3:])
    folders = [f for f in folders if f not in ("/", "") and not f.endswith(":\\")]
    folders.reverse()  # nearest first

    ids: dict[str, Any] = {}
    file_ids, file_name = extract_ids(path.name)
    ids.update(file_ids)
    edition_tags = [e.strip() for e in _EDITION_TAG.findall(file_name) if e.strip()]
    file_name = _EDITION_TAG.sub(" ", file_name)
    file_guess = _guess(file_name)
    if _DEVICE_NAME.match(file_name):
        file_guess.update(
            title=None,
            year=None,
            date=None,
            season=None,
            episodes=[],
            alternative_titles=[],
            type=None,
            weak_episode=False,
            bare_number=None,
        )

    season_dir: int | None = None
    extra: str | None = None
    infos: list[dict[str, Any]] = []
    # Where the TMDB id was written (-1: the file name) and what the folders around it say.
    id_depth: int | None = -1 if "tmdb" in ids else None
    roles: list[tuple[str, Any, str]] = []
    for depth, folder in enumerate(folders):
        folder_ids, folder_name = extract_ids(folder)
        if "tmdb" in folder_ids and id_depth is None:
            id_depth = depth
        for key, value in folder_ids.items():
            ids.setdefault(key, value)
        role, value = _classify_dir(_EDITION_TAG.sub(" ", folder_name))
        roles.append((role, value, re.sub(r"[._]+", " ", folder_name).strip().casefold()))
        if role == "info" and folder_ids:
            value["informative"] = True
        if role == "season" and season_dir is None and not infos:
            season_dir = value
        elif role == "extra" and not infos and (value == "sample" or depth < len(folders) - 1):
            extra = extra or value  # "Extras" at the top of a tree is a user's folder, not extras
        elif role == "info":
            infos.append(value)
    folder_guess = infos[0] if infos else None
    folder_title = folder_guess["title"] if folder_guess else None
    folder_informative = bool(folder_guess and folder_guess["informative"])

    # Which title to believe.
    title = file_guess["title"]
    alternatives: list[str] = list(file_guess["alternative_titles"])
    episode_like = bool(
        file_guess["season"] is not None or file_guess["episodes"] or file_guess["date"]
    )
    has_context = season_dir is not None or folder_guess is not None
    weak_number = file_guess["bare_number"] if file_guess["weak_episode"] else None
    number_in_title = bool(weak_number) and not (
        season_dir is not None
        or (title and len(weak_number or "") == 3)  # "friends.305": S03E05 after all
        or (len(weak_number or "") <= 2 and has_context)  # "Show/Season 2/14.mkv"
        or (title and re.search(rf"\s-\s+{weak_number}\b", file_name))  # "Frieren - 01"
    )
    if number_in_title:
        # "Blade.Runner.2049.mkv", "300.mkv", "21.mkv": a number in the title, not S20E49.
        title = f"{title} {weak_number}" if title else weak_number
        file_guess["season"], file_guess["episodes"] = None, []
        episode_like = bool(file_guess["date"])
    if weak_number and len(weak_number) <= 2 and not has_context and not title:
        title = weak_number
        file_guess["season"], file_guess["episodes"] = None, []
        episode_like = False
    if extra and folder_title:
        title = folder_title  # "Movie (2010)/Featurettes/Making Of.mkv" belongs to the movie
    elif title and folder_title and _weak_file_title(title, folder_title, file_guess, season_dir):
        if folder_informative or episode_like or season_dir is not None:
            title = folder_title
        else:
            title = None
    elif (
        not title
        and folder_title
        and (folder_informative or episode_like or season_dir is not None)
    ):
        title = folder_title
    elif title and (_is_obfuscated(title) or title.lower() in _GENERIC_TITLES):
        title = None
    source = folder_guess if (folder_guess and title == folder_title) else file_guess

    title, leaked_editions = _clean_title(title)
    part = file_guess["part"] if source is file_guess else source["part"]
    if title and part and source["type"] == "movie":
        title = f"{title} Part {part}"  # not "Dune" alone: that is another film

    # Year: from the name that gave the title; else a folder naming the same title.
    year = source["year"] if source is file_guess or not file_guess["year"] else file_guess["year"]
    if year is None and title:
        for info in infos:
            if info["year"] and info["title"] and _compact(info["title"]) == _compact(title):
                year = info["year"]
                break

    season = file_guess["season"]
    episodes = list(file_guess["episodes"])
    air_date = file_guess["date"] or (folder_guess["date"] if folder_guess else None)
    if source is folder_guess and folder_guess and not episode_like:
        # "Show.S01E07.720p-GRP/a8f3e2b19c.mkv": the release folder names the episode.
        season, episodes = folder_guess["season"], list(folder_guess["episodes"])
    if season is None and episodes:
        season = (
            season_dir
            if season_dir is not None
            else (folder_guess["season"] if folder_guess else None)
        )
    if (
        season is None
        and not episodes
        and not air_date
        and folder_guess
        and not episode_like
        and folder_guess["season"] is not None
        and title == folder_title
    ):
        season = folder_guess["season"]  # a season pack's folder, file name obfuscated
    if episodes and season is None and not air_date:
        season = 1 if season_dir is None else season_dir  # "Show/Episode 3.mkv": one season

    kind: str | None
    if episodes or air_date or season is not None:
        kind = "episode"
    elif (
        source["type"] == "movie"
        and title
        and (year or source["editions"] or source["screen_size"] or source["release_group"])
    ):
        kind = "movie"
    else:
        kind = None

    # Non-main content.
    stem = Path(file_name).stem
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
    if extra is None:
        suffix = _EXTRA_SUFFIX.search(stem)
        if suffix:
            extra = _extra_name(suffix.group(1))
    alternatives = [
        a
        for a in alternatives
        if not _is_extra_phrase(a) and not (extra and _EXTRA_SUFFIX.search("-" + a.strip()))
    ]

    editions = edition_tags + file_guess["editions"] + leaked_editions
    if folder_guess and title == folder_title:
        editions += folder_guess["editions"]
    for name, pattern in _EXTRA_EDITIONS[:2]:  # editions guessit misreads as episode titles
        if pattern.search(stem) and name not in editions:
            editions.append(name)
            if not episodes and season is None and not air_date and title and year:
                kind = "movie"
    edition = " ".join(dict.fromkeys(_EDITION_NAMES.get(e, e) for e in editions)) or None

    layout = _id_layout(roles, id_depth) if id_depth is not None else None
    # The matcher reads a TMDB id as a show's when the kind is "episode", else as a film's: in a
    # library layout the folders decide. "TV/Show (2008) {tmdb-1396}/Season 05/Ozymandias.mkv"
    # is an episode of show 1396 (which one, a person decides), never film 1396; a film in
    # "Movies/Blade Runner 2049 (2017) {tmdb-335984}/" is not S20E49 of anything.
    if layout == "tv" and kind != "episode" and not extra:
        kind = "episode"
        season = season if season is not None else season_dir
    elif layout == "movie" and kind == "episode":
        kind, season, episodes, air_date = "movie", None, [], None

    country = file_guess["country"] or (folder_guess["country"] if folder_guess else None)
    nfo, nfo_kind = ids_from_nfo(path, kind == "episode")
    for key, value in nfo.items():
        ids.setdefault(key, value)
    if kind is None and nfo_kind is not None and title is not None:
        kind = nfo_kind

    return ParsedName(
        kind=kind,
        title=title,
        year=year,
        alternative_titles=[a for a in dict.fromkeys(alternatives) if a and a != title],
        season=season,
        episodes=episodes,
        air_date=air_date,
        country=country,
        edition=edition,
        ids=ids,
        extra=extra,
        screen_size=file_guess["screen_size"] or (folder_guess or {}).get("screen_size"),
        release_group=file_guess["release_group"] or (folder_guess or {}).get("release_group"),
    )


_TV_DIRS = {"tv", "tv shows", "tvshows", "shows", "series"}
_MOVIE_DIRS = {"movies", "movie", "films", "film"}


def _id_layout(roles: list[tuple[str, Any, str]], id_depth: int) -> str | None:
    """``"tv"`` or ``"movie"`` when the folders say what a TMDB id written at ``id_depth``
    (-1: the file name; 0: the nearest folder) belongs to: a season folder below the id's folder
    (``Show {tmdb-1396}/Season 05/``) or a library's ``TV``/``Movies`` folder above it."""
    if any(role == "season" for role, _v, _n in roles[: max(id_depth, 0)]):
        return "tv"
    if id_depth < 0 and any(role == "season" for role, _v, _n in roles[:1]):
        return "tv"  # "Season 05/Show - S05E14 {tmdb-1396}.mkv"
    for role, _value, name in roles[id_depth + 1 :]:
        if role == "generic" and name in _TV_DIRS:
            return "tv"
        if role == "generic" and name in _MOVIE_DIRS:
            return "movie"
    return None


def _weak_file_title(
    title: str, folder_title: str, guess: dict[str, Any], season_dir: int | None
) -> bool:
    """Whether the folder's title should replace the file's."""
    compact_file, compact_folder = _compact(title), _compact(folder_title)
    if _is_obfuscated(title) or title.lower() in _GENERIC_TITLES:
        return True
    if guess.get("title_after_episode"):
        return True
    # "dpt-wpl-720p.mkv": an abbreviation without a single vowel is not a title.
    if not re.search(r"[aeiouy\d]", title, re.IGNORECASE):
        return True
    if compact_file == compact_folder:
        return True  # same name: the folder's spelling is usually the tidier one
    # "rovers-breakingbad": a release group glued to the title.
    if " " not in title.strip() and any(
        _compact(p) == compact_folder for p in re.split(r"[-_.]", title) if p
    ):
        return True
    # "Season 2/03 - Title.mkv": the file's "title" is the episode's.
    episodic = guess["episodes"] and guess["season"] is None and not guess["date"]
    return bool(episodic and season_dir is not None)


def _extra_name(word: str) -> str:
    word = word.lower()
    return {"deletedscene": "deleted", "other": "extra"}.get(word, word)


def _is_extra_phrase(text: str) -> bool:
    return any(p.search(text) for _, p in _EXTRA_PHRASES)


__all__ = ["extract_ids", "ids_from_nfo", "nfo_ids", "parse_release"]
