"""Fansub and batch names: ``[Group] Title - 1071 (1080p) [CRC32].mkv``, ``Title_-_135.mkv``,
``Title S3 - 59``, ``Title 2nd Season - 05``, ``Title - The Final Season - 01``.

guessit reads the number after the dash as an episode of season 1 (or splits "135" into S01E35);
for such names it is the episode's number counted from the show's first episode ("absolute"),
unless it fits within the season the title names. Which one it is, only the provider's season
lengths tell (docs/identification.md, "Anime and absolute numbering"): this module says what
the name holds and marks the number as possibly absolute.

Also the index of a file in a box set (``01.The.Fellowship.of.the.Ring.2001.mkv``) and the
collection words of a box-set folder (``Trilogy``, ``Collection``...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_LEADING_GROUPS = re.compile(r"^\s*(?:\[[^\]]*\]\s*)+")
_DASH_NUMBER = re.compile(
    r"^(?P<title>.*?[^\W\d_].*?)\s+-\s+(?:(?:e|ep|episode)\s*)?(?P<number>\d{1,4})(?:v\d)?"
    r"(?:\s+(?:end|final))?(?P<rest>\s*(?:[\[(].*)?)$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"\bs\d{1,2}e\d{1,4}\b|\b\d{1,2}x\d{1,4}\b|\bep(?:isode)?\b", re.IGNORECASE)
_CRC = re.compile(r"\[[0-9A-F]{8}\]", re.IGNORECASE)
_FINAL_SEASON = re.compile(
    r"(?:\s*-)?\s+(?:the\s+)?final\s+season(?:\s+part\s*(?P<part>\d+))?$", re.IGNORECASE
)
_SEASON_WORDS = (
    re.compile(r"(?:\s*-)?\s+s(?P<n>\d{1,2})$", re.IGNORECASE),
    re.compile(r"(?:\s*-)?\s+season\s*(?P<n>\d{1,2})$", re.IGNORECASE),
    re.compile(r"(?:\s*-)?\s+(?P<n>\d{1,2})(?:st|nd|rd|th)\s+season$", re.IGNORECASE),
)
_YEAR = re.compile(r"\s*\((?P<year>(?:19|20)\d\d)\)$")
_RESOLUTION = re.compile(r"\b(?:\d{3,4}p|bd|bdrip|web(?:-?dl|rip)?|hevc|x26[45])\b", re.IGNORECASE)
_VIDEO_SUFFIX = re.compile(r"\.[A-Za-z0-9]{2,4}$")


@dataclass
class FansubName:
    """What a fansub-style name holds."""

    title: str
    number: int | None  # None: a season part the name cannot place (review)
    season: int | None = None
    season_named: str | None = None
    year: int | None = None
    group: str | None = None


def read_fansub(name: str) -> FansubName | None:
    """The reading of a fansub-style file ``name`` (with its extension), or None when it is
    not one. A number of three or four digits counts only with a fansub's marks (a ``[Group]``,
    a CRC32, a resolution in brackets, ``_-_``): "Movie - 2019.mkv" is no episode 2019, and
    "Friends - 105.mkv" is read by guessit (S01E05)."""
    stem = _VIDEO_SUFFIX.sub("", name)
    text = stem.replace("_", " ")
    groups = re.findall(r"^\s*\[([^\]]*)\]", text)
    body = _LEADING_GROUPS.sub("", text)
    found = _DASH_NUMBER.match(body)
    if found is None:
        return None
    number = int(found.group("number"))
    fansub_marks = bool(groups or _CRC.search(text) or _RESOLUTION.search(found.group("rest"))
                        or "_-_" in stem)
    if len(found.group("number")) >= 3 and not fansub_marks:
        return None  # "Friends - 105" is S01E05 as likely as episode 105: guessit's reading
    title = found.group("title").strip(" -")
    if _NUMBERED.search(title):
        return None  # "Show - 1x10 - Episode 10": numbered already
    reading = FansubName(title=title, number=number, group=groups[0].strip() if groups else None)
    year = _YEAR.search(reading.title)
    if year:
        reading.year = int(year.group("year"))
        reading.title = reading.title[: year.start()].strip(" -")
    final = _FINAL_SEASON.search(reading.title)
    if final:
        reading.season_named = "final"
        reading.title = reading.title[: final.start()].strip(" -")
        if final.group("part") and int(final.group("part")) > 1:
            reading.number = None  # "Part 2 - 05": which of the final season's? A person says.
    else:
        for pattern in _SEASON_WORDS:
            season = pattern.search(reading.title)
            if season:
                reading.season = int(season.group("n"))
                reading.title = reading.title[: season.start()].strip(" -")
                break
    if not re.search(r"[^\W\d_]", reading.title):
        return None
    return reading


# ---------------------------------------------------------------------------------------------
# Box sets
# ---------------------------------------------------------------------------------------------

_COLLECTION_WORDS = re.compile(
    r"\b(?:trilogy|quadrilogy|duology|pentalogy|hexalogy|saga|anthology|collection|box[ ._-]?set"
    r"|complete[ ._-]+(?:series|collection|films|movies))\b",
    re.IGNORECASE,
)
_INDEX = re.compile(r"^(?P<index>\d{1,2})[ ._-]+(?=[^\W\d_])")


def is_collection(folder: str) -> bool:
    """Whether a folder's name is a box set's ("The.Lord.of.the.Rings.Trilogy.EXTENDED")."""
    return bool(_COLLECTION_WORDS.search(folder))


def collection_title(folder: str) -> str:
    """The box set's own title: "Dune.Collection.2160p" → "Dune"."""
    words = re.sub(r"[._]+", " ", folder)
    cut = _COLLECTION_WORDS.search(words)
    return (words[: cut.start()] if cut else words).strip(" -")


def strip_index(name: str, in_collection: bool) -> str:
    """A file name in a box set's folder without its place in the set: "01.Part.One.2001.mkv"
    → "Part.One.2001.mkv" (elsewhere "03 - Title.mkv" is an episode, "10.Things..." a title)."""
    found = _INDEX.match(name)
    if found and in_collection:
        return name[found.end():]
    return name


# ---------------------------------------------------------------------------------------------
# Specials named, not numbered
# ---------------------------------------------------------------------------------------------

_SPECIAL = re.compile(
    r"^(?P<show>.+?)\s+(?P<special>(?:(?:christmas|xmas|holiday|halloween|easter|new years?"
    r"|anniversary|reunion|live)\s+)?special)$", re.IGNORECASE)


def named_episode(title: str | None, file_guess: dict[str, Any], extra: str | None,
                  season: int | None, episodes: list[int], air_date: str | None,
                  file_name: str = "") -> tuple[str | None, str | None]:
    """(title, episode title) of a name without numbers that may name a show's special:
    "Show - The Episode Title", "Show.2005.The.Episode.Title", "Show.Christmas.Special"
    (docs/identification.md, "Specials by name"). The matcher looks for it in season 0 only
    when the title turns out to be a show's."""
    if not title or extra or episodes or air_date or season not in (None, 0):
        return title, None
    special = _SPECIAL.match(title)
    if special:
        return special.group("show"), special.group("special")
    named = [a for a in file_guess["alternative_titles"]
             if re.search(r"[^\W\d_]{2}", a) and not a.isupper()]  # not "CHINESE"
    if not named and file_name:
        # guessit keeps some words to itself ("Show (2005) - Children in Need Special").
        parts = _VIDEO_SUFFIX.sub("", file_name).split(" - ")
        tail = re.sub(r"\s*[\[(][^\])]*[\])]\s*", " ", parts[-1]).strip()
        if len(parts) > 1 and re.search(r"[^\W\d_]{3}", tail):
            named = [tail]
    if not named:
        return title, None
    part = re.match(r"^(?P<show>.+) Part (?P<n>\w+)$", title)
    spaced = re.sub(r"[\s._]+", " ", file_name).casefold()
    if part and f"{named[0]} part {part['n']}".casefold() in spaced:
        # "Show - The Last Watch Part 2": the part is the episode's, not the show's.
        return part["show"], f"{named[0]} Part {part['n']}"
    return title, named[0]
