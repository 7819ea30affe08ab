"""Library naming: DESIGN's default layout, user templates in Jinja2's sandbox.

Templates see plain values (``title``, ``year``, ``show``, ``season``...), each already made safe
for a path component, so no value can add a folder or climb out of ``dest_dir``; the rendered
path is then checked component by component (invalid characters replaced, at most 255 bytes,
no ``.``/``..``).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shelver.api import (
    ConfigError,
    Item,
    Plan,
    RunContext,
    clean_component,
    companions_of,
    hookimpl,
)

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

# ``id_tag`` is "{tmdb-603}" for a TMDB match (the folder name Plex and Jellyfin read), another
# scheme's tag for a provider without a TMDB id, and nothing when there is none.
MOVIE_TEMPLATE = (
    "Movies/{{ title_year }}{% if id_tag %} {{ id_tag }}{% endif %}/"
    "{{ title_year }}{% if id_tag %} {{ id_tag }}{% endif %}{{ ext }}"
)
TV_TEMPLATE = (
    "TV/{{ show_year }}{% if id_tag %} {{ id_tag }}{% endif %}/Season {{ season_nn }}/"
    "{{ show_year }} - S{{ season_nn }}{{ episode_code }}{% if episode_title %} - {{ episode_title }}{% endif %}{{ ext }}"
)
# The id schemes an ``id_tag`` may name, in order of preference (Plex and Jellyfin read all three).
ID_TAG_SCHEMES = ("tmdb", "imdb", "tvdb")

MAX_VALUE_BYTES = 200  # one template value (a title)


@hookimpl
def shelver_config_schema() -> dict[str, dict[str, Any]]:
    return {"naming": {"movie": MOVIE_TEMPLATE, "tv": TV_TEMPLATE}}


def _truncate(text: str, limit: int) -> str:
    """At most ``limit`` bytes of UTF-8, cut between characters."""
    encoded = text.encode("utf-8")
    return text if len(encoded) <= limit else encoded[:limit].decode("utf-8", errors="ignore")


def _value(text: Any) -> str:
    # Capped below 255 bytes so what a template puts around a value (year, id tag, SxxEyy,
    # extension) still fits in the component when the value is very long.
    return _truncate(clean_component(str(text)), MAX_VALUE_BYTES).rstrip(" .") if text not in (
        None, "") else ""


def id_tag(ids: dict[str, str]) -> str:
    """``{tmdb-603}``, else ``{imdb-tt0133093}``, else ``{tvdb-81189}``; "" without any."""
    for scheme in ID_TAG_SCHEMES:
        value = _value(ids.get(scheme))
        if value:
            return f"{{{scheme}-{value}}}"
    return ""


def template_values(item: Item) -> dict[str, Any]:
    """The fields a naming template can use (docs/configuration.md, "[naming]")."""
    assert item.match is not None and item.identity is not None
    meta = item.match.metadata
    identity = item.identity
    ids = dict(meta.ids) if meta is not None else {}
    ids.setdefault(identity.provider, identity.id)  # the identity is the provider's own id
    probe = item.probe
    values: dict[str, Any] = {
        "ext": item.path.suffix.lower(),
        "provider": _value(identity.provider),
        "provider_id": _value(identity.id),
        "id_tag": id_tag(ids),
        "tmdb_id": _value(ids.get("tmdb")),
        "imdb_id": _value(ids.get("imdb")),
        "resolution": probe.get("resolution") or "",
        "vcodec": probe.get("video_codec") or "",
        "hdr": probe.get("hdr") or "",
        "edition": _value(item.parsed.edition),
    }
    title = _value((meta.title if meta is not None else None) or item.parsed.title or "Unknown")
    year = meta.year if meta is not None else None
    title_year = f"{title} ({year})" if year else title
    if identity.kind == "movie":
        values.update(
            title=title, year=year or "", title_year=title_year,
            original_title=_value(meta.original_title if meta is not None else None),
        )
    else:
        season = identity.season if identity.season is not None else 1
        episodes = identity.episodes or [0]
        titles = [e.title for e in meta.episodes if e.title] if meta is not None else []
        values.update(
            show=title, year=year or "", show_year=title_year, title=title, title_year=title_year,
            season=season, season_nn=f"{season:02d}", episode=episodes[0], episodes=episodes,
            episode_code="-".join(f"E{e:02d}" for e in episodes),
            episode_title=_value(" & ".join(dict.fromkeys(titles))) if titles else "",
        )
    return values


@functools.cache
def _environment() -> SandboxedEnvironment:
    """Jinja2's sandbox, imported when a name is first rendered: a command that renders none
    (``shelver status``, ``--help``) does not pay for importing Jinja2."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


@functools.lru_cache(maxsize=32)
def _compiled(template: str) -> Any:
    """A template compiled once (a profile has two; every item renders one)."""
    return _environment().from_string(template)


def render(template: str, values: dict[str, Any], dest_dir: Path, setting: str) -> Path:
    """Render a template into a path under ``dest_dir`` (raises ConfigError on a bad template)."""
    from jinja2 import TemplateError

    try:
        rendered = _compiled(template).render(**values)
    except TemplateError as exc:
        raise ConfigError(f"naming.{setting}: template error: {exc}") from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        # e.g. a TypeError from `{{ year + 'x' }}`: still the template's fault
        raise ConfigError(f"naming.{setting}: template error: {type(exc).__name__}: {exc}") from None
    parts = [p for p in rendered.replace("\\", "/").split("/") if p.strip()]
    if not parts:
        raise ConfigError(f"naming.{setting}: the template renders an empty path")
    ext = str(values.get("ext", ""))
    if ext and not parts[-1].endswith(ext):
        parts[-1] += ext  # a file without its extension would be invisible to media servers
    safe = [clean_component(p) for p in parts[:-1]] + [clean_component(parts[-1], keep_suffix=ext)]
    path = Path(dest_dir, *safe)
    if not os.path.abspath(path).startswith(os.path.abspath(dest_dir) + os.sep):
        raise ConfigError(f"naming.{setting}: the template escapes dest_dir")
    return path


@hookimpl(trylast=True)
def shelver_plan_destination(item: Item, ctx: RunContext) -> Plan | None:
    if item.identity is None:
        return None
    dest_dir = ctx.profile.dest_dir
    if dest_dir is None:
        raise ConfigError(f"mode {ctx.mode!r} needs dest_dir ({ctx.profile.where('dest_dir')})")
    kind = "movie" if item.identity.kind == "movie" else "tv"
    template = str(ctx.profile.get(f"naming.{kind}"))
    destination = render(template, template_values(item), dest_dir, kind)
    folder = destination.parent if kind == "movie" else destination.parent.parent
    companions = {}
    for companion in companions_of(item.path):
        if release_notes(companion):
            continue  # a scene .nfo stays behind as a leftover; the nfo plugin writes the NFO
        rest = companion.name[len(item.path.stem):]
        companions[companion] = destination.with_name(
            clean_component(destination.stem + rest, keep_suffix=rest))
    return Plan(destination=destination, companions=companions, folder=folder)


def release_notes(path: Path) -> bool:
    """Whether ``path`` is a ``.nfo`` of release notes (a scene group's text, not Kodi's XML):
    a leftover, never a sidecar (docs/identification.md, "Traps"), or the library would keep
    it as the video's NFO in place of the one shelver writes."""
    if path.suffix.lower() != ".nfo":
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return not head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n").startswith("<")


# -- `shelver profile check` / run start: templates rendered against sample data -------------

def _sample_items() -> list[tuple[str, Item]]:
    """A movie, an episode and a multi-episode, with every field a template can use."""
    from shelver.api import Episode, Identity, Match, Metadata, ParsedName

    probe = {"resolution": "1080p", "video_codec": "h264", "hdr": ""}
    movie = Item(path=Path("/downloads/Sample.Movie.1999.mkv"), source=Path("/downloads/s.mkv"),
                 parsed=ParsedName(kind="movie", title="Sample Movie", year=1999), probe=probe)
    movie.match = Match(identity=Identity("tmdb", "movie", "603"), confidence=1.0, metadata=Metadata(
        provider="tmdb", kind="movie", title="Sample Movie", original_title="Sample Movie",
        year=1999, premiered="1999-03-30", ids={"tmdb": "603", "imdb": "tt0133093"}))
    samples = [("movie", movie)]
    for episodes in ([14], [1, 2]):
        item = Item(path=Path("/downloads/Sample.Show.S05E14.mkv"), source=Path("/downloads/s.mkv"),
                    parsed=ParsedName(kind="episode", title="Sample Show", season=5,
                                      episodes=episodes), probe=probe)
        show = Metadata(provider="tmdb", kind="tv", title="Sample Show", year=2008,
                        premiered="2008-01-20", ids={"tmdb": "1396", "imdb": "tt0903747"},
                        episodes=[Episode(season=5, number=e, title=f"Episode {e}")
                                  for e in episodes])
        item.match = Match(identity=Identity("tmdb", "tv", "1396", season=5, episodes=episodes),
                           confidence=1.0, metadata=show)
        samples.append(("tv", item))
    return samples


@hookimpl
def shelver_check_profile(profile: Any, mode: str) -> None:
    """Render naming.movie and naming.tv against a sample movie, episode and multi-episode, so
    a template that fails at render time is reported by `shelver profile check` and at run
    start, never mid-run."""
    dest_dir = profile.dest_dir or Path("/library")
    for kind, item in _sample_items():
        try:
            render(str(profile.get(f"naming.{kind}")), template_values(item), dest_dir, kind)
        except ConfigError as exc:
            raise ConfigError(f"{exc} (rendering a sample {item.parsed.kind}; "
                              f"{profile.where(f'naming.{kind}')})") from None
