"""Release-name parsing: what a file name and its folders say about a video.

guessit does the heavy lifting on each path component separately; this module decides which
component to believe (an obfuscated ``abc123.mkv`` inside an informative release folder takes the
folder's title), extracts ids written by users (``{tmdb-603}``, ``[imdbid-tt0133093]``...) or found
in an ``.nfo`` beside the file, and smooths over guessit's odd outputs (lists where one value is
expected, numeric titles such as "1917" or "300" read as years or episode numbers).

:func:`parse_release` runs its steps in order, each a function below: read the file name, then
the folders above it, choose the title, then its year, the season and episodes, the kind, whether
it is an extra, the edition, what a library's layout around a written TMDB id says, and the ids of
an NFO beside the file. One component through guessit is :mod:`~shelver.plugins.parse.components`;
the ids a user wrote are :mod:`~shelver.plugins.parse.ids`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shelver.api import ParsedName
from shelver.plugins.parse.components import (
    _DEVICE_NAME,
    _EXTRA_SUFFIX,
    _GENERIC_TITLES,
    _classify_dir,
    _clean_title,
    _compact,
    _guess,
    _is_obfuscated,
)
from shelver.plugins.parse.extras import _edition, _extra, _is_extra_phrase
from shelver.plugins.parse.fansub import (
    FansubName,
    collection_title,
    is_collection,
    named_episode,
    read_fansub,
    strip_index,
)
from shelver.plugins.parse.ids import _EDITION_TAG, extract_ids, ids_from_nfo, nfo_ids

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
    folder_names = [_readable(f) for f in _folders_of(path, root)]
    box_set = bool(folder_names) and is_collection(folder_names[0])
    ids, file_name, edition_tags, file_guess = _read_file_name(_readable(path.name), box_set)
    folders = _read_folders(folder_names, ids)
    title, alternatives, episode_like, source = _choose_title(file_name, file_guess, folders)
    if file_guess.get("fansub") is not None:
        title, source = file_guess["title"], file_guess  # "Show - Sub/[Grp] Show - Sub - 07"

    title, leaked_editions = _clean_title(title)
    if box_set and title and title != folders.title:
        # "Trilogy/02.The.Two.Towers.2002.mkv": the box set's title may lead the film's.
        boxed = f"{collection_title(folder_names[0])} {title}"
        if re.fullmatch(r"part \w+", title, re.IGNORECASE):
            title = boxed  # "Dune.Collection/01.Part.One.2021.mkv"
        else:
            alternatives.append(boxed)
    part = file_guess["part"] if source is file_guess else source["part"]
    if title and part and source["type"] == "movie":
        title = f"{title} Part {part}"  # not "Dune" alone: that is another film
    year = _year(title, source, file_guess, folders.infos)
    season, episodes, air_date = _numbers(title, file_guess, source, folders, episode_like)
    fansub: FansubName | None = file_guess.get("fansub")
    if fansub is not None:
        # "[Group] Title - 1071": the number may be absolute; only a season folder or the
        # title's own words ("S3", "2nd Season") name a season.
        season = fansub.season if fansub.season is not None else folders.season_dir
        episodes = [fansub.number] if fansub.number is not None else []
    kind = "episode" if fansub is not None else _kind(source, title, year, season, episodes,
                                                       air_date)

    # Non-main content.
    stem = Path(file_name).stem
    extra = _extra(stem, file_guess, folders.extra, episode_like)
    alternatives = [
        a
        for a in alternatives
        if not _is_extra_phrase(a) and not (extra and _EXTRA_SUFFIX.search("-" + a.strip()))
    ]

    editions = edition_tags + file_guess["editions"] + leaked_editions
    if folders.guess and title == folders.title:
        editions += folders.guess["editions"]
    edition, misread_edition = _edition(stem, editions)
    if misread_edition and not episodes and season is None and not air_date and title and year:
        kind = "movie"

    kind, season, episodes, air_date = _library_layout(folders, extra, kind, season, episodes,
                                                       air_date)

    title, episode_title = named_episode(title, file_guess, extra, season, episodes, air_date,
                                         file_name)
    folder_guess = folders.guess
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
        episode_title=episode_title,
        absolute=bool(fansub and episodes and season != 0),
        season_named=fansub.season_named if fansub else None,
    )


_TERMINAL_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _readable(name: str) -> str:
    """A name as it is read: terminal escape sequences dropped, other control characters
    (a newline in a torrent's name) read as spaces. The file keeps its name."""
    return _CONTROL.sub(" ", _TERMINAL_ESCAPE.sub("", name))


def _folders_of(path: Path, root: Path | None) -> list[str]:
    """The folders above ``path`` up to ``root`` (exclusive; without it, the three nearest),
    nearest first."""
    if root is not None:
        try:
            folders = list(path.parent.relative_to(root).parts)
        except ValueError:
            folders = list(path.parent.parts[-3:])
    else:
        folders = list(path.parent.parts[-3:])
    folders = [f for f in folders if f not in ("/", "") and not f.endswith(":\\")]
    folders.reverse()  # nearest first
    return folders


def _read_file_name(
    name: str, box_set: bool = False
) -> tuple[dict[str, Any], str, list[str], dict[str, Any]]:
    """The ids written in the file's ``name``, the name without them, its ``{edition-...}`` tags
    and its index in a box set, those tags, and guessit's reading of the rest (no title, year or
    numbers in a camera's or a phone's counter name; a fansub name's own reading)."""
    ids, file_name = extract_ids(name)
    edition_tags = [e.strip() for e in _EDITION_TAG.findall(file_name) if e.strip()]
    file_name = strip_index(_EDITION_TAG.sub(" ", file_name).strip(), box_set)
    file_guess = _guess(file_name)
    if box_set and not file_guess["title"] and file_guess["part"]:
        file_guess.update(title=f"Part {file_guess['part']}", part=None)
    fansub = read_fansub(file_name)
    if fansub is not None:
        file_guess.update(
            title=fansub.title, alternative_titles=[], year=fansub.year, date=None,
            season=fansub.season, episodes=[fansub.number] if fansub.number else [],
            type="episode", weak_episode=False, bare_number=None, episode_title=None,
            title_after_episode=False, part=None, fansub=fansub,
            release_group=fansub.group or file_guess["release_group"],
        )
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
    return ids, file_name, edition_tags, file_guess


@dataclass
class _Folders:
    """What the folders above a file say (:func:`_read_folders`)."""

    season_dir: int | None = None  # a season folder nearer than any release folder
    extra: str | None = None  # an extras folder ("Featurettes") nearer than any release folder
    infos: list[dict[str, Any]] = field(default_factory=list)  # release folders, nearest first
    roles: list[tuple[str, Any, str]] = field(default_factory=list)  # each folder's role
    # Where the TMDB id was written (-1: the file name) and what the folders around it say.
    id_depth: int | None = None

    @property
    def guess(self) -> dict[str, Any] | None:
        """The nearest release folder's reading."""
        return self.infos[0] if self.infos else None

    @property
    def title(self) -> str | None:
        return self.infos[0]["title"] if self.infos else None

    @property
    def informative(self) -> bool:
        return bool(self.infos and self.infos[0]["informative"])


def _read_folders(folders: list[str], ids: dict[str, Any]) -> _Folders:
    """Classify each folder (nearest first); the ids written in them join ``ids`` (the file
    name's win)."""
    reading = _Folders(id_depth=-1 if "tmdb" in ids else None)
    for depth, folder in enumerate(folders):
        folder_ids, folder_name = extract_ids(folder)
        if "tmdb" in folder_ids and reading.id_depth is None:
            reading.id_depth = depth
        for key, value in folder_ids.items():
            ids.setdefault(key, value)
        role, value = _classify_dir(_EDITION_TAG.sub(" ", folder_name))
        reading.roles.append((role, value, re.sub(r"[._]+", " ", folder_name).strip().casefold()))
        if role == "info" and folder_ids:
            value["informative"] = True
        if role == "season" and reading.season_dir is None and not reading.infos:
            reading.season_dir = value
        elif role == "extra" and not reading.infos and (value == "sample" or depth < len(folders) - 1):
            # "Extras" at the top of a tree is a user's folder, not extras
            reading.extra = reading.extra or value
        elif role == "info":
            reading.infos.append(value)
    return reading


def _choose_title(
    file_name: str, file_guess: dict[str, Any], folders: _Folders
) -> tuple[str | None, list[str], bool, dict[str, Any]]:
    """Which title to believe: (title, alternative titles, whether the file name reads as an
    episode, the reading the title came from: ``file_guess`` or the nearest release folder's).
    A number the file name holds is the title's (``file_guess`` loses its season and episodes)
    or an episode's."""
    season_dir, folder_guess, folder_title = folders.season_dir, folders.guess, folders.title
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
    if folders.extra and folder_title:
        title = folder_title  # "Movie (2010)/Featurettes/Making Of.mkv" belongs to the movie
    elif title and folder_title and _weak_file_title(title, folder_title, file_guess, season_dir):
        if folders.informative or episode_like or season_dir is not None:
            title = folder_title
        else:
            title = None
    elif (
        not title
        and folder_title
        and (folders.informative or episode_like or season_dir is not None)
    ):
        title = folder_title
    elif title and (_is_obfuscated(title) or title.lower() in _GENERIC_TITLES):
        title = None
    source = folder_guess if (folder_guess and title == folder_title) else file_guess
    return title, alternatives, episode_like, source


def _year(title: str | None, source: dict[str, Any], file_guess: dict[str, Any],
          infos: list[dict[str, Any]]) -> int | None:
    """From the name that gave the title; else a folder naming the same title."""
    year: int | None = (
        source["year"] if source is file_guess or not file_guess["year"] else file_guess["year"]
    )
    if year is None and title:
        for info in infos:
            if info["year"] and info["title"] and _compact(info["title"]) == _compact(title):
                year = info["year"]
                break
    return year


def _numbers(title: str | None, file_guess: dict[str, Any], source: dict[str, Any],
             folders: _Folders, episode_like: bool) -> tuple[int | None, list[int], str | None]:
    """(season, episodes, air date): the file name's, completed by its folders'."""
    season_dir, folder_guess, folder_title = folders.season_dir, folders.guess, folders.title
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
    return season, episodes, air_date


def _kind(source: dict[str, Any], title: str | None, year: int | None, season: int | None,
          episodes: list[int], air_date: str | None) -> str | None:
    """The kind: "episode", "movie" or None (not sure)."""
    if episodes or air_date or season is not None:
        return "episode"
    if (
        source["type"] == "movie"
        and title
        and (year or source["editions"] or source["screen_size"] or source["release_group"])
    ):
        return "movie"
    return None


def _library_layout(
    folders: _Folders, extra: str | None, kind: str | None, season: int | None,
    episodes: list[int], air_date: str | None,
) -> tuple[str | None, int | None, list[int], str | None]:
    """(kind, season, episodes, air date) as a library's folders around a written TMDB id say."""
    if folders.id_depth is None:
        return kind, season, episodes, air_date
    layout = _id_layout(folders.roles, folders.id_depth)
    # The matcher reads a TMDB id as a show's when the kind is "episode", else as a film's: in a
    # library layout the folders decide. "TV/Show (2008) {tmdb-1396}/Season 05/Ozymandias.mkv"
    # is an episode of show 1396 (which one, a person decides), never film 1396; a film in
    # "Movies/Blade Runner 2049 (2017) {tmdb-335984}/" is not S20E49 of anything.
    if layout == "tv" and kind != "episode" and not extra:
        return "episode", season if season is not None else folders.season_dir, episodes, air_date
    if layout == "movie" and kind == "episode":
        return "movie", None, [], None
    return kind, season, episodes, air_date


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


__all__ = ["extract_ids", "ids_from_nfo", "nfo_ids", "parse_release"]
