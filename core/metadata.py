"""What a provider says about a work, in one shape every reader understands.

A provider plugin (the built-in ``tmdb``, or a third party's) answers ``shelver_match`` and
``shelver_fetch_metadata`` with a :class:`Metadata`; naming, the ``.nfo`` writer, the MP4 tagger,
artwork, review and the web UI read only this model, never a provider's own documents
(docs/architecture.md, "Identity and metadata"; docs/plugins.md, "Write a provider").

For a movie the top-level fields describe the movie. For a series (``kind == "tv"``) they describe
the show; ``season`` is the matched season and ``episodes`` the matched episodes in file order.
Every URL is absolute (the provider resolves its own image base); every date is ISO
``YYYY-MM-DD``. Everything is plain data and round-trips through :meth:`Metadata.as_json`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = ["Episode", "Image", "Metadata", "Person", "Rating", "Season"]

# Person.department values a reader can rely on (a provider may add others).
CAST, GUEST, DIRECTING, WRITING, PRODUCTION = "cast", "guest", "directing", "writing", "production"
# Image.kind values: artwork writes poster/fanart/thumb; the NFO offers all of them.
POSTER, FANART, LOGO, THUMB, SEASON_POSTER = "poster", "fanart", "logo", "thumb", "season-poster"


@dataclass
class Person:
    """One person in the cast or crew. ``role`` is the character played (cast, guest) or the
    job (``"Director"``, ``"Screenplay"``, ``"Executive Producer"``); ``order`` the billing."""

    name: str
    department: str = CAST
    role: str | None = None
    order: int | None = None
    image: str | None = None  # absolute URL of a portrait


@dataclass
class Image:
    """One piece of artwork: ``url`` is the full-size image, ``preview`` a smaller one if the
    provider has it. ``season`` only for season posters and episode stills, ``episode`` only for
    stills (the episode it shows); ``language`` None for text-less art. ``sizes`` maps a width
    in pixels to a smaller rendition of the same image, when the provider offers some
    (``{500: ".../w500/abc.jpg"}``); :meth:`at` picks one."""

    kind: str
    url: str
    preview: str | None = None
    season: int | None = None
    language: str | None = None
    episode: int | None = None
    sizes: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.sizes = {int(width): url for width, url in self.sizes.items()}  # JSON keys are text

    def at(self, width: int | None = None) -> str:
        """The smallest rendition at least ``width`` pixels wide, else the largest one there is
        (``url``, the full size, when ``width`` is None or nothing is that wide)."""
        if width is None:
            return self.url
        wide = sorted(w for w in self.sizes if w >= width)
        return self.sizes[wide[0]] if wide else self.url


@dataclass
class Rating:
    """A rating by one source (``"themoviedb"``, ``"imdb"``...), out of ``max``."""

    source: str
    value: float
    votes: int = 0
    max: float = 10.0


@dataclass
class Season:
    """One season of a show: its number, its own name if it has one, and its poster."""

    number: int
    name: str | None = None
    plot: str | None = None
    premiered: str | None = None
    poster: str | None = None  # absolute URL


@dataclass
class Episode:
    """One episode a file holds. ``ids`` as in :class:`Metadata` (the provider's own key first)."""

    season: int
    number: int
    title: str | None = None
    plot: str | None = None
    aired: str | None = None
    runtime: int | None = None  # minutes
    production_code: str | None = None
    ratings: list[Rating] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)  # crew and guest stars
    thumb: str | None = None  # absolute URL of a still
    ids: dict[str, str] = field(default_factory=dict)


@dataclass
class Metadata:
    """A provider's description of one matched work (see the module docstring).

    ``ids`` maps an id scheme to its value as text, the provider's own first:
    ``{"tmdb": "603", "imdb": "tt0133093", "wikidata": "Q83495"}``; the NFO writes one
    ``<uniqueid>`` per entry, the ``provider``'s as the default. ``certification`` is the
    age rating (``"R"``, ``"TV-MA"``) in ``certification_country``'s system.
    """

    provider: str
    kind: str  # "movie" or "tv"
    title: str
    original_title: str | None = None
    year: int | None = None
    premiered: str | None = None
    plot: str | None = None
    tagline: str | None = None
    runtime: int | None = None  # minutes
    genres: list[str] = field(default_factory=list)
    studios: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    certification: str | None = None
    certification_country: str | None = None
    status: str | None = None  # a show's: "Continuing", "Ended"
    collection: str | None = None  # a movie's set, e.g. "The Matrix Collection"
    collection_plot: str | None = None
    trailer: str | None = None  # a URL a player can open
    ratings: list[Rating] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)
    seasons: list[Season] = field(default_factory=list)  # every season of a show
    season: Season | None = None  # the matched season
    episodes: list[Episode] = field(default_factory=list)  # the matched episodes, file order

    def image(self, kind: str, season: int | None = None, *, episode: int | None = None,
              width: int | None = None) -> str | None:
        """The URL of the first image of ``kind`` (for ``season`` and ``episode`` if given), else
        None. The first image of a kind is the provider's main choice (the poster; a file's
        thumb is the still of its first episode). With ``width``, the smallest rendition at
        least that wide (:meth:`Image.at`)."""
        for image in self.images:
            if (image.kind == kind and (season is None or image.season == season)
                    and (episode is None or image.episode == episode)):
                return image.at(width)
        return None

    def people_in(self, department: str) -> list[Person]:
        return [person for person in self.people if person.department == department]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Metadata:
        """The metadata :meth:`as_json` wrote; unknown keys (a newer release's) are ignored."""
        values = _known(cls, data)
        values["ratings"] = [Rating(**_known(Rating, r)) for r in data.get("ratings") or []]
        values["people"] = [Person(**_known(Person, p)) for p in data.get("people") or []]
        values["images"] = [Image(**_known(Image, i)) for i in data.get("images") or []]
        values["seasons"] = [Season(**_known(Season, s)) for s in data.get("seasons") or []]
        season = data.get("season")
        values["season"] = Season(**_known(Season, season)) if season else None
        values["episodes"] = [_episode(e) for e in data.get("episodes") or []]
        values["ids"] = {str(k): str(v) for k, v in (data.get("ids") or {}).items()}
        return cls(**values)


def _known(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


def _episode(data: Mapping[str, Any]) -> Episode:
    values = _known(Episode, data)
    values["ratings"] = [Rating(**_known(Rating, r)) for r in data.get("ratings") or []]
    values["people"] = [Person(**_known(Person, p)) for p in data.get("people") or []]
    values["ids"] = {str(k): str(v) for k, v in (data.get("ids") or {}).items()}
    return Episode(**values)
