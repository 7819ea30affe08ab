"""shelver-catalogue: a provider plugin that identifies files from a local JSON catalogue.

People keep lists of what they own: home videos, concert recordings, a tinyMediaManager export.
With ``[catalogue] path = "catalogue.json"`` in a profile, each file is identified against that
list, and shelver gets a :class:`shelver.api.Metadata` built from the entry: naming, the NFO
files, MP4 tags and artwork then work exactly as they do with TMDB. The format is in README.md.

This module imports ``shelver.api`` and nothing else of shelver: that is the whole contract
(docs/plugins.md, "Write a provider").
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from shelver.api import (
    ConfigError,
    Episode,
    Identity,
    Image,
    Item,
    Match,
    Metadata,
    NotFoundError,
    ParsedName,
    Person,
    RunContext,
    Season,
    hookimpl,
)

NAME = "catalogue"  # the entry point's name: Identity.provider, the NFO's default uniqueid type
KINDS = {"movies": "movie", "shows": "tv"}  # the catalogue's lists and the kind of their entries
FLOOR = 0.4  # an entry scoring less is not even offered as a candidate
MARGIN = 0.05  # two entries closer than this: a person decides
MAX_CANDIDATES = 5


@dataclass
class Catalogue:
    path: Path
    image_base: str  # relative artwork URLs are resolved against it
    entries: dict[tuple[str, str], dict[str, Any]]  # (kind, id) -> entry

    def url(self, value: Any) -> str | None:
        return urljoin(self.image_base, str(value)) if value else None


@hookimpl
def shelver_config_schema() -> dict[str, dict[str, Any]]:
    # path "" (the default): no catalogue, and the plugin stays out of the way.
    return {NAME: {"path": "", "min_confidence": 0.8}}


def load(path: Path) -> Catalogue:
    """The catalogue at ``path``; a ValueError says in a few words what is wrong with it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError("no such file") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if not isinstance(data, dict):
        raise ValueError('not a JSON object with "movies" and "shows" lists')
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for key, kind in KINDS.items():
        listed = data.get(key) or []
        if not isinstance(listed, list):
            raise ValueError(f'"{key}" is not a list')
        for index, entry in enumerate(listed):
            where = f"{key}[{index}]"
            if not isinstance(entry, dict) or not entry.get("id") or not entry.get("title"):
                raise ValueError(f'{where} needs an "id" and a "title"')
            if entry.get("year") is not None and not _is_int(entry["year"]):
                raise ValueError(f'{where}: "year" must be a number')
            seasons = (entry.get("seasons") or []) if kind == "tv" else []
            if not isinstance(seasons, list) or not all(
                    isinstance(s, dict) and _is_int(s.get("number"))
                    and isinstance(s.get("episodes") or [], list)
                    and all(isinstance(e, dict) and _is_int(e.get("number"))
                            for e in s.get("episodes") or []) for s in seasons):
                raise ValueError(f'{where}: "seasons" must list seasons and episodes, each with '
                                 f'a "number"')
            if (kind, str(entry["id"])) in entries:
                raise ValueError(f'{where}: the id {entry["id"]!r} is used twice')
            entries[(kind, str(entry["id"]))] = entry
    return Catalogue(path, str(data.get("image_base") or ""), entries)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def catalogue(ctx: RunContext) -> Catalogue | None:
    """The profile's catalogue, read once per run; None when ``catalogue.path`` is not set."""
    if NAME not in ctx.resources:
        value = str(ctx.profile.get(f"{NAME}.path") or "")
        if not value:
            ctx.resources[NAME] = None
            return None
        path = Path(value).expanduser()
        if not path.is_absolute() and ctx.profile.path is not None:
            path = ctx.profile.path.parent / path  # relative to the profile's folder
        try:
            ctx.resources[NAME] = load(path)
        except ValueError as exc:
            raise ConfigError(f"catalogue {path}: {exc} "
                              f"({ctx.profile.where(f'{NAME}.path')})") from None
    found: Catalogue | None = ctx.resources[NAME]
    return found


@hookimpl
def shelver_run_check(ctx: RunContext) -> None:
    # Read once before any file is touched: a missing or broken catalogue stops the run (exit 2).
    ctx.resources.pop(NAME, None)
    minimum = ctx.profile.get(f"{NAME}.min_confidence")
    if not 0 < float(minimum) <= 1:  # the profile already checked that it is a number
        raise ConfigError(f"{NAME}.min_confidence = {minimum!r} must be a number above 0 and at "
                          f"most 1 ({ctx.profile.where(f'{NAME}.min_confidence')})")
    catalogue(ctx)


# ---------------------------------------------------------------------------------------------
# Matching: how sure is each entry, from what the file name says
# ---------------------------------------------------------------------------------------------


def normalise(title: str) -> str:
    """``"The Café & Co."`` → ``"cafe and co"``: no accents, case, punctuation or leading article."""
    text = "".join(c for c in unicodedata.normalize("NFKD", title) if not unicodedata.combining(c))
    text = re.sub(r"[\W_]+", " ", text.casefold().replace("&", " and "))
    return re.sub(r"^(the|a|an) ", "", " ".join(text.split()))


def similarity(a: str, b: str) -> float:
    a, b = normalise(a), normalise(b)
    if not a or not b:
        return 0.0
    return 1.0 if a == b else SequenceMatcher(None, a, b).ratio()


def score(parsed: ParsedName, kind: str, entry: dict[str, Any]) -> float:
    """How sure it is that ``entry`` (a ``kind``) is the work ``parsed`` names, from 0 to 1: the
    best title similarity (title, original title, ``aka``), less 0.1 for a year one off or
    known on one side only (a movie's), 0.4 for a year further off, 0.4 for the wrong kind."""
    names = [n for n in (parsed.title, *parsed.alternative_titles) if n]
    titles = [t for t in (entry["title"], entry.get("original_title"), *(entry.get("aka") or []))
              if t]
    value = max((similarity(n, str(t)) for n in names for t in titles), default=0.0)
    year = entry.get("year")
    if parsed.year and year:
        gap = abs(parsed.year - int(year))
        value -= 0.0 if gap == 0 else 0.1 if gap == 1 else 0.4
    elif kind == "movie":
        value -= 0.1
    wanted = {"movie": "movie", "episode": "tv"}.get(parsed.kind or "")
    if wanted and wanted != kind:
        value -= 0.4
    return round(max(0.0, value), 4)


def _episode_entries(entry: dict[str, Any], season: int | None) -> dict[int, dict[str, Any]]:
    return {int(e["number"]): e for s in entry.get("seasons") or [] if s.get("number") == season
            for e in s.get("episodes") or []}


def identify(cat: Catalogue, parsed: ParsedName, min_confidence: float) -> Match | None:
    """The entry ``parsed`` names when one is sure; else the candidates, for a person to choose
    (``identity`` None); None when nothing in the catalogue resembles it."""
    if not parsed.title:
        return None
    scored = sorted(((score(parsed, kind, entry), kind, entry)
                     for (kind, _id), entry in cat.entries.items()),
                    key=lambda s: s[0], reverse=True)
    scored = [s for s in scored if s[0] >= FLOOR][:MAX_CANDIDATES]
    if not scored:
        return None  # not ours: another provider may know it
    best, kind, entry = scored[0]
    sure = best >= min_confidence and (len(scored) == 1 or best - scored[1][0] >= MARGIN)
    if sure and kind == "movie":
        return matched(cat, Identity(NAME, "movie", str(entry["id"])), best)
    if sure and parsed.season is not None and parsed.episodes and set(parsed.episodes) <= set(
            _episode_entries(entry, parsed.season)):
        return matched(cat, Identity(NAME, "tv", str(entry["id"]), parsed.season,
                                     list(parsed.episodes)), best)
    candidates = [{"provider": NAME, "type": k, "id": str(e["id"]), "title": e["title"],
                   "year": e.get("year"), "score": s} for s, k, e in scored]
    return Match(identity=None, confidence=best, candidates=candidates)


def matched(cat: Catalogue, identity: Identity, confidence: float) -> Match:
    meta = metadata(cat, identity)
    aired = sorted(e.aired for e in meta.episodes if e.aired)
    return Match(identity=identity, confidence=confidence, metadata=meta,
                 release_date=aired[-1] if aired else meta.premiered)


@hookimpl
def shelver_match(item: Item, ctx: RunContext) -> Match | None:
    cat = catalogue(ctx)
    if cat is None:
        return None
    if item.forced is not None:  # a person's decision (shelver review): no search
        if item.forced.provider != NAME:
            return None  # another provider's identity
        return matched(cat, item.forced, 1.0)
    # What a downloader said (title, year, numbers) wins over what the name says.
    parsed = item.hints.applied_to(item.parsed) if item.hints is not None else item.parsed
    return identify(cat, parsed, float(ctx.profile.get(f"{NAME}.min_confidence")))


@hookimpl
def shelver_fetch_metadata(identity: Identity, ctx: RunContext) -> Metadata | None:
    if identity.provider != NAME:
        return None  # another provider's identity: not ours to answer
    cat = catalogue(ctx)
    return metadata(cat, identity) if cat is not None else None  # None: no catalogue here


# ---------------------------------------------------------------------------------------------
# An entry as shelver's Metadata
# ---------------------------------------------------------------------------------------------


def _people(cat: Catalogue, listed: Any) -> list[Person]:
    return [Person(name=str(p["name"]), department=str(p.get("department") or "cast"),
                   role=p.get("role"), order=p.get("order", order), image=cat.url(p.get("image")))
            for order, p in enumerate(listed or []) if isinstance(p, dict) and p.get("name")]


def metadata(cat: Catalogue, identity: Identity) -> Metadata:
    """The :class:`Metadata` of ``identity`` from its catalogue entry (NotFoundError if none)."""
    entry = cat.entries.get((identity.kind, identity.id))
    if entry is None:
        raise NotFoundError(f"{identity.key()} is not in the catalogue {cat.path}")
    art = entry.get("artwork") or {}
    images = [Image(kind, url) for kind in ("poster", "fanart", "logo")
              if (url := cat.url(art.get(kind)))]
    seasons = [Season(number=int(s["number"]), name=s.get("name"), plot=s.get("plot"),
                      premiered=s.get("premiered"), poster=cat.url(s.get("poster")))
               for s in entry.get("seasons") or []] if identity.kind == "tv" else []
    images += [Image("season-poster", s.poster, season=s.number) for s in seasons if s.poster]
    premiered = entry.get("premiered")
    start = str(premiered or "")[:4]
    year = entry.get("year") or (int(start) if start.isdigit() else None)
    meta = Metadata(
        provider=NAME, kind=identity.kind, title=str(entry["title"]),
        original_title=entry.get("original_title"), year=year, premiered=premiered,
        plot=entry.get("plot"), tagline=entry.get("tagline"), runtime=entry.get("runtime"),
        genres=list(entry.get("genres") or []), studios=list(entry.get("studios") or []),
        countries=list(entry.get("countries") or []), certification=entry.get("certification"),
        people=_people(cat, entry.get("people")), images=images, seasons=seasons,
        # The provider's own id first, then every external id the catalogue knows.
        ids={NAME: identity.id, **{str(k): str(v) for k, v in (entry.get("ids") or {}).items()
                                   if v and k != NAME}},
    )
    if identity.kind == "tv":
        meta.season = next((s for s in seasons if s.number == identity.season), None)
        known = _episode_entries(entry, identity.season)
        meta.episodes = [_episode(cat, identity, number, known.get(number) or {})
                         for number in identity.episodes]
        meta.images += [_still(e.thumb, e.season, e.number) for e in meta.episodes if e.thumb]
    return meta


def _still(url: str, season: int, number: int) -> Image:
    """An episode's still: artwork writes the first one as the file's ``-thumb.jpg``."""
    still = Image("thumb", url, season=season)
    # Assigned, not passed: a shelver whose Image has no ``episode`` field still loads this.
    still.episode = number
    return still


def _episode(cat: Catalogue, identity: Identity, number: int, entry: dict[str, Any]) -> Episode:
    season = identity.season if identity.season is not None else 1
    own = str(entry.get("id") or f"{identity.id}/{season}/{number}")
    return Episode(season=season, number=number, title=entry.get("title"), plot=entry.get("plot"),
                   aired=entry.get("aired"), runtime=entry.get("runtime"),
                   people=_people(cat, entry.get("people")), thumb=cat.url(entry.get("thumb")),
                   ids={NAME: own, **{str(k): str(v) for k, v in (entry.get("ids") or {}).items()
                                      if v and k != NAME}})
