"""The values that travel through the pipeline.

Plugins receive and fill an :class:`Item`; each phase owns its own field, so a plugin never has to
know which other plugin produced a value. Everything here is plain data (dicts, lists, str, int),
so it can be stored as JSON in the state DB and printed by ``--json``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from shelver.metadata import Metadata


class State(str, enum.Enum):
    """Lifecycle of a file in the state DB (DESIGN: Lifecycle states)."""

    NEW = "NEW"
    PROCESSING = "PROCESSING"
    INDEXED = "INDEXED"
    STALE = "STALE"
    CHANGED = "CHANGED"
    MISSING = "MISSING"
    ERROR = "ERROR"
    REVIEW = "REVIEW"
    SKIPPED = "SKIPPED"


class Priority(enum.IntEnum):
    """Queue priorities: a higher number is taken first."""

    VERY_LOW = 10  # full refresh
    LOW = 20  # stale refresh
    MEDIUM = 30  # changed
    HIGH = 40  # new
    CRITICAL = 50  # manual (CLI paths, review decisions, hooks)


class Status(str, enum.Enum):
    """The outcome reported per input file (``--json`` ``status``)."""

    ORGANISED = "organised"
    METADATA = "metadata"
    EXTRA = "extra"
    DUPLICATE = "duplicate"
    REVIEW = "review"
    SKIPPED = "skipped"
    ERROR = "error"


@dataclass
class ParsedName:
    """What the file and folder names say (``shelver_parse_name``).

    ``kind`` is ``"movie"``, ``"episode"`` or ``None`` when the name does not tell.
    ``ids`` holds ids written in the name or found in an existing NFO:
    ``{"tmdb": 603, "imdb": "tt0133093", "tvdb": 81189}`` (only the keys found), and nothing
    else: a person's decision is :attr:`Item.forced`, what a downloader said is
    :attr:`Item.hints`.
    ``extra`` is ``"sample"``, ``"trailer"``, ``"featurette"``... for non-main content, else None.
    """

    kind: str | None = None
    title: str | None = None
    year: int | None = None
    alternative_titles: list[str] = field(default_factory=list)
    season: int | None = None
    episodes: list[int] = field(default_factory=list)
    air_date: str | None = None  # ISO date for daily shows
    country: str | None = None  # ISO 3166 alpha-2 hint, e.g. "US", "GB"
    edition: str | None = None
    ids: dict[str, Any] = field(default_factory=dict)
    extra: str | None = None
    screen_size: str | None = None
    release_group: str | None = None
    # A number counted from the show's first episode (``[Group] Title - 1071``), not within a
    # season: the provider maps it to a season and an episode from the show's season lengths.
    absolute: bool = False
    # A season named in words that only the provider can number: "final" ("The Final Season").
    season_named: str | None = None
    # An episode named, not numbered (``Show.The.Christmas.Invasion``): found by its title.
    episode_title: str | None = None


# Before 0.2 shelver knew one provider and stored its identities without naming it
# ({"type": "movie", "id": 603}; review took ``movie/603``): such an identity is this provider's.
LEGACY_PROVIDER = "tmdb"


@dataclass
class Identity:
    """Which work a file is, provider-neutral (docs/architecture.md, "Identity and metadata").

    ``provider`` is the registered name of the provider plugin that knows the work (``"tmdb"``);
    ``kind`` is ``"movie"`` or ``"tv"`` (a series); ``id`` is the work's id at that provider, as
    text (``"603"``). A series identity also names the ``season`` and ``episodes`` the file holds.
    Written for people as :meth:`key`: ``tmdb:movie/603``, ``tmdb:tv/1396/5/14``.
    """

    provider: str
    kind: str
    id: str
    season: int | None = None
    episodes: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.id = str(self.id)  # a provider with numeric ids may hand over an int

    def key(self) -> str:
        """``provider:kind/id`` (with ``/season/episode...`` for a series)."""
        text = f"{self.provider}:{self.kind}/{self.id}"
        if self.kind != "movie" and self.season is not None:
            text += f"/{self.season}" + "".join(f"/{e}" for e in self.episodes)
        return text

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"provider": self.provider, "kind": self.kind, "id": self.id}
        if self.kind != "movie":
            data.update(season=self.season, episodes=list(self.episodes))
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Identity:
        """The identity :meth:`as_json` wrote (how ``shelver review`` stores a decision); the
        form releases before 0.2 wrote (``{"type": "movie", "id": 603}``, always TMDB) too."""
        kind = data.get("kind", data.get("type"))
        return cls(provider=str(data.get("provider") or LEGACY_PROVIDER), kind=str(kind), id=str(data["id"]),
                   season=None if data.get("season") is None else int(data["season"]),
                   episodes=[int(e) for e in data.get("episodes") or []])


@dataclass
class DownloaderHints:
    """What a downloader said about a file it handed over (``shelver hook radarr/sonarr``).

    ``client`` is the downloader (``"radarr"``, ``"sonarr"``); ``ids`` the ids it knows
    (``{"tmdb": 603, "imdb": "tt0133093"}`` or ``{"tvdb": 81189}``); ``kind`` (``"movie"`` or
    ``"episode"``), ``title``, ``year``, ``season`` and ``episodes`` what it knows of the work.
    Each is None (or empty) when it did not say. A matcher takes them over the name's:
    :meth:`applied_to` gives the name as the downloader corrects it.
    """

    client: str | None = None
    ids: dict[str, Any] = field(default_factory=dict)
    kind: str | None = None
    title: str | None = None
    year: int | None = None
    season: int | None = None
    episodes: list[int] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DownloaderHints:
        """The hints as the hook stores them with the item (``items.given_ids``)."""
        return cls(client=data.get("client") or None, ids=dict(data.get("ids") or {}),
                   kind=data.get("kind") or None, title=data.get("title") or None,
                   year=int(data["year"]) if data.get("year") else None,
                   season=None if data.get("season") is None else int(data["season"]),
                   episodes=[int(e) for e in data.get("episodes") or []])

    def applied_to(self, parsed: ParsedName) -> ParsedName:
        """A new :class:`ParsedName`: ``parsed`` with what the downloader said winning over what
        the name says (its ids added, its kind, title, year and numbers taken). ``parsed`` is
        left as it is."""
        changes: dict[str, Any] = {"ids": {**parsed.ids, **self.ids},
                                   "alternative_titles": list(parsed.alternative_titles),
                                   "episodes": list(self.episodes or parsed.episodes)}
        for key in ("kind", "title", "year", "season"):
            if getattr(self, key) is not None:
                changes[key] = getattr(self, key)
        if self.episodes or self.season is not None:
            changes.update(absolute=False, season_named=None)  # the downloader's numbers
        return replace(parsed, **changes)


@dataclass
class Match:
    """What ``shelver_match`` returns.

    ``identity`` is None when nothing was confident enough (the item goes to REVIEW with
    ``candidates``). ``metadata`` is what the provider knows of the work, in the
    provider-neutral :class:`~shelver.metadata.Metadata` (for a series: the show, the matched
    season and the matched episodes, in file order); the later phases (naming, NFO, MP4 tags,
    artwork) read only that. None when the provider has nothing to say.
    ``release_date`` (ISO ``YYYY-MM-DD``) is when the matched work came out: a movie's release,
    the newest matched episode's air date, else the show's first air date. It is recorded with
    the item and decides how soon ``shelver scan --refresh`` looks at it again
    (docs/operations.md, "Refresh").
    """

    identity: Identity | None
    confidence: float
    candidates: list[dict[str, Any]] = field(default_factory=list)
    metadata: Metadata | None = None
    release_date: str | None = None
    # The confidence the provider needed to decide (its setting, e.g. ``tmdb.min_confidence``):
    # stored with a REVIEW item, shown by ``shelver explain`` and ``shelver review --json``.
    threshold: float | None = None


@dataclass
class Plan:
    """Where a file should go (``shelver_plan_destination``).

    ``destination`` is absolute and inside ``dest_dir``; ``companions`` maps each sidecar
    (subtitle, user NFO, artwork) to its own destination.
    """

    destination: Path
    companions: dict[Path, Path] = field(default_factory=dict)
    folder: Path | None = None  # the movie or show folder (where tvshow.nfo/poster.jpg go)


@dataclass
class Placement:
    """What ``shelver_place`` did: where the file is now, and whether it moved into the library."""

    path: Path
    status: Status
    mode: str
    companions: dict[Path, Path] = field(default_factory=dict)
    note: str | None = None


@dataclass
class Duplicate:
    """A library file the item is another copy of (``Item.duplicate_of``): set by a
    fingerprint plugin, carried out by the place phase by the profile's ``conflict`` policy."""

    path: Path  # the library file this one duplicates
    reason: str  # why, for people: e.g. "phash distance 2, max 8"


@dataclass
class Item:
    """One video file travelling through the pipeline.

    ``probe`` (from ``shelver_probe``) uses these keys when known: ``duration`` (seconds, float),
    ``width``, ``height``, ``resolution`` ("1080p"), ``video_codec``, ``hdr``, ``aspect``,
    ``audio`` (list of ``{"codec", "channels", "language"}``), ``subtitles`` (list of language
    codes), ``container``. ``fingerprint`` holds e.g. ``{"phash": "cb5a4d61328b1d5b"}``.

    The engine sets two fields before the pipeline starts, from what is stored with the item:
    ``forced``, the identity a person chose (``shelver review set``/``accept``), which a matcher
    returns without searching; and ``hints``, what the downloader that handed the file over said
    (:class:`DownloaderHints`), which a matcher prefers to the name. Both are None otherwise.
    """

    path: Path
    source: Path  # the path it was found at (never changes during a run)
    size: int = 0
    mtime: float = 0.0
    inode: int = 0
    item_id: int | None = None
    root: Path | None = None  # the source folder or CLI folder it was found under
    forced: Identity | None = None  # a person's decision (shelver review)
    hints: DownloaderHints | None = None  # what the downloader said (shelver hook radarr/sonarr)
    parsed: ParsedName = field(default_factory=ParsedName)
    probe: dict[str, Any] = field(default_factory=dict)
    match: Match | None = None
    fingerprint: dict[str, Any] = field(default_factory=dict)
    duplicate_of: Duplicate | None = None  # shelver_fingerprint: a library copy of this file
    plan: Plan | None = None
    placement: Placement | None = None
    written: list[Path] = field(default_factory=list)  # files enrich created (NFO, art)
    status: Status | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def identity(self) -> Identity | None:
        return self.match.identity if self.match else None

    @property
    def confidence(self) -> float | None:
        return self.match.confidence if self.match else None


@dataclass
class DemoService:
    """An offline stand-in a plugin runs for ``shelver demo`` (hook ``shelver_demo_services``)."""

    settings: dict[str, dict[str, Any]]  # profile sections pointing the plugin at the stand-in
    note: str  # one line: what is served where
    hint: str = ""  # ``shelver demo --serve``: what a person trying it on their own files should know


@dataclass
class Trace:
    """What identifying one file took, for a person to read (``shelver explain``): set as
    ``ctx.trace`` while ``shelver explain`` runs the match phase (None in every other run).

    A provider records each request it sent in ``queries`` (:meth:`query`), every candidate it
    scored in ``candidates`` (the dicts of :attr:`Match.candidates`, all of them, not only the
    few kept for review), and, when it returns no identity, why not in ``reason``; ``notes`` is
    for anything else worth saying (an id written in the name, a close call re-scored).
    """

    queries: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] | None = None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)

    def query(self, provider: str, request: str, *, cached: bool, **details: Any) -> None:
        """Record one request: ``request`` as a person would read it (``/search/movie
        query='heat' year=1995``, never a credential), ``cached`` when the answer came from a
        cache instead of the network; ``details`` (``status``, ``results``...) as plain data."""
        self.queries.append({"provider": provider, "request": request, "cached": cached,
                             **details})


CHANGE_KINDS = ("created", "modified", "deleted")


@dataclass(frozen=True)
class Change:
    """A folder (or file) of the library that a run or an undo changed (hook
    ``shelver_library_changed``): ``kind`` is ``"created"``, ``"modified"`` or ``"deleted"``."""

    path: str
    kind: str


@dataclass
class Delivery:
    """One message for a service outside shelver (a media server's refresh, a notification),
    sent by the plugin named ``plugin`` through ``shelver_deliver`` (docs/media-servers.md).

    ``target`` is what ``shelver status`` and ``shelver notify test`` call it (``"plex"``);
    ``label`` says what it does in one line, without any secret; ``payload`` is JSON-able and
    is all the plugin needs to send it again later (a failed delivery waits in the state DB).
    """

    plugin: str
    target: str
    label: str
    payload: dict[str, Any]
