"""TMDB documents checked at the boundary, before anything uses or caches them.

A field of the wrong type (``genres: ["Action", null]``, ``vote_average: "high"``, a list where
a string belongs, an image path with control characters) is coerced when the meaning is plain
(``"7.5"`` → 7.5, ``"Action"`` → ``{"name": "Action"}``) and otherwise replaced by what "absent"
looks like for its type (no key for a number or a flag, so a default applies; None for a text;
``[]`` for a list, ``{}`` for an object), so that no
later step (matching, naming, NFO, artwork, MP4 tags) meets a type it does not expect. Fields
this module does not know pass through untouched.

A document that is not an object, or a details document without its own id, is rejected
(:class:`InvalidDocument`): it is neither used nor cached.
"""

from __future__ import annotations

import math
import re
from typing import Any

from shelver.api import is_image_path

__all__ = ["InvalidDocument", "validate_document"]

# Plain values. ``None`` is always accepted: TMDB sends null for many of them.
_STR = frozenset({
    "title", "original_title", "name", "original_name", "overview", "tagline", "release_date",
    "first_air_date", "last_air_date", "air_date", "imdb_id", "status", "character", "job",
    "department", "known_for_department", "original_language", "homepage", "iso_3166_1",
    "iso_639_1", "certification", "rating", "site", "media_type", "credit_id", "episode_type",
    "production_code", "english_name", "note",
})  # fmt: skip
_FLOAT = frozenset({"vote_average", "popularity", "aspect_ratio"})
_INT = frozenset({
    "vote_count", "runtime", "budget", "revenue", "episode_number", "season_number",
    "episode_count", "order", "gender", "number_of_seasons", "number_of_episodes", "show_id",
    "width", "height", "tvdb_id", "page", "total_pages", "total_results",
})  # fmt: skip
_BOOL = frozenset({"adult", "video", "in_production", "success"})
# Lists of objects, lists of plain values, objects.
_LIST_OF_OBJECTS = frozenset({
    "genres", "cast", "crew", "guest_stars", "results", "episodes", "seasons", "posters",
    "backdrops", "logos", "stills", "profiles", "production_companies", "production_countries",
    "spoken_languages", "networks", "created_by", "titles", "movie_results", "tv_results",
    "tv_episode_results", "tv_season_results", "person_results",
})  # fmt: skip
_LIST_OF = {"origin_country": str, "languages": str, "genre_ids": int,
            "episode_run_time": int}
_OBJECT = frozenset({"credits", "images", "external_ids", "content_ratings", "videos",
                     "alternative_titles"})
_OBJECT_OR_NULL = frozenset({"belongs_to_collection", "next_episode_to_air",
                             "last_episode_to_air"})
# An object at the top of a document (a movie's {"results": [...]}), a list inside it (each
# country's release dates, a movie's keywords).
_OBJECT_OR_LIST = frozenset({"release_dates", "keywords"})
# Entries of these lists (at the top of a search or /find answer) are candidates: useless
# without an integer id. (Elsewhere an ``id`` may be a string: a video's.)
_NEED_ID = frozenset({"results", "movie_results", "tv_results"})
_MAX_DEPTH = 24
_MAX_LISTED = 8

# Details documents: their id must be there (and, for a movie or show, be the one asked for).
_DETAILS = re.compile(r"^/(?:(movie|tv)/(\d+)|tv/\d+/season/\d+(?:/episode/\d+)?)$")


_ABSENT: Any = object()  # a dropped number or flag: the key goes


class InvalidDocument(ValueError):
    """A TMDB answer that cannot be used at all (not an object, no id)."""


class _Checker:
    def __init__(self) -> None:
        self.dropped: list[str] = []
        self.coerced: list[str] = []

    def document(self, doc: dict[str, Any], where: str, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in doc.items():
            if not isinstance(key, str):
                continue
            checked = self.field(key, value, f"{where}.{key}" if where else key, depth)
            if checked is not _ABSENT:
                out[key] = checked
        return out

    def field(self, key: str, value: Any, where: str, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            self.dropped.append(where)
            return None
        if key.endswith("_path"):
            if value is None or is_image_path(value):
                return value
            self.dropped.append(where)
            return None
        if key in _STR:
            return self.string(value, where)
        if key in _FLOAT or key in _INT:
            number = self.number(value, where, integer=key in _INT)
            return _ABSENT if number is None and value is not None else number
        if key in _BOOL:
            if value is None or isinstance(value, bool):
                return value
            self.dropped.append(where)
            return _ABSENT
        if key in _LIST_OF_OBJECTS:
            return self.objects(key, value, where, depth)
        if key in _LIST_OF:
            if key == "origin_country" and isinstance(value, str):
                return value  # a company's is one code; a show's a list of them
            return self.plain_list(value, _LIST_OF[key], where)
        if key in _OBJECT or key in _OBJECT_OR_NULL:
            if isinstance(value, dict):
                return self.document(value, where, depth + 1)
            if value is None and key in _OBJECT_OR_NULL:
                return None
            self.dropped.append(where)
            return None if key in _OBJECT_OR_NULL else {}
        if key in _OBJECT_OR_LIST:  # an object at the top of a document, a list inside it
            if depth == 0:
                if isinstance(value, dict):
                    return self.document(value, where, depth + 1)
                self.dropped.append(where)
                return {}
            return self.objects(key, value, where, depth)
        if isinstance(value, dict):
            return self.document(value, where, depth + 1)
        if isinstance(value, list):
            return [self.field("", v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
        if isinstance(value, float) and not math.isfinite(value):
            self.dropped.append(where)
            return None
        return value

    def string(self, value: Any, where: str) -> Any:
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            self.coerced.append(where)
            return str(value)
        self.dropped.append(where)
        return None

    def number(self, value: Any, where: str, *, integer: bool) -> Any:
        if value is None:
            return None
        number: float | None = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                number = None
            if number is not None:
                self.coerced.append(where)
        if number is None or not math.isfinite(number) or (integer and number != int(number)):
            self.dropped.append(where)
            return None
        if integer:
            return int(number)
        return value if isinstance(value, float) else number

    def objects(self, key: str, value: Any, where: str, depth: int) -> list[Any]:
        if not isinstance(value, list):
            self.dropped.append(where)
            return []
        out = []
        for i, entry in enumerate(value):
            here = f"{where}[{i}]"
            if isinstance(entry, str) and key == "genres" and entry.strip():
                self.coerced.append(here)
                out.append({"name": entry})
                continue
            if not isinstance(entry, dict):
                self.dropped.append(here)
                continue
            checked = self.document(entry, here, depth + 1)
            if depth == 0 and key in _NEED_ID and not isinstance(checked.get("id"), int):
                self.dropped.append(here)
                continue
            out.append(checked)
        return out

    def plain_list(self, value: Any, kind: type, where: str) -> list[Any]:
        if not isinstance(value, list):
            self.dropped.append(where)
            return []
        out = []
        for i, entry in enumerate(value):
            if kind is int:
                checked = self.number(entry, f"{where}[{i}]", integer=True)
            else:
                checked = self.string(entry, f"{where}[{i}]")
            if checked is not None:
                out.append(checked)
        return out


def validate_document(path: str, body: Any) -> tuple[dict[str, Any], list[str], list[str]]:
    """``(clean document, dropped fields, coerced fields)`` for the answer to ``path``.

    Raises :class:`InvalidDocument` when the answer is not an object, or is a details document
    (``/movie/N``, ``/tv/N``, a season, an episode) without an integer ``id``, or a movie or
    show document whose id is not the one asked for.
    """
    if not isinstance(body, dict):
        raise InvalidDocument(f"TMDB sent {type(body).__name__} instead of an object for {path}")
    checker = _Checker()
    clean = checker.document(body, "", 0)
    details = _DETAILS.match(path)
    if details is not None:
        got = clean.get("id")
        if not isinstance(got, int) or isinstance(got, bool):
            raise InvalidDocument(f"TMDB sent {path} without its id: not used")
        if details.group(2) is not None and got != int(details.group(2)):
            raise InvalidDocument(f"TMDB sent the document of id {got} for {path}: not used")
    return clean, checker.dropped, checker.coerced


def describe(label: str, dropped: list[str], coerced: list[str]) -> str:
    """``TMDB movie/603: dropped 2 malformed field(s): genres[1], vote_average``."""

    def listed(fields: list[str]) -> str:
        shown = ", ".join(fields[:_MAX_LISTED])
        return shown + (f" and {len(fields) - _MAX_LISTED} more" if len(fields) > _MAX_LISTED else "")

    parts = []
    if dropped:
        parts.append(f"dropped {len(dropped)} malformed field(s): {listed(dropped)}")
    if coerced:
        parts.append(f"converted {len(coerced)} field(s) of the wrong type: {listed(coerced)}")
    return f"TMDB {label}: " + "; ".join(parts)
