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
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from shelver.api import (
    ConfigError,
    Item,
    Plan,
    RunContext,
    clean_component,
    companions_of,
    hookimpl,
)

MOVIE_TEMPLATE = "Movies/{{ title_year }} {tmdb-{{ tmdb_id }}}/{{ title_year }} {tmdb-{{ tmdb_id }}}{{ ext }}"
TV_TEMPLATE = (
    "TV/{{ show_year }} {tmdb-{{ tmdb_id }}}/Season {{ season_nn }}/"
    "{{ show_year }} - S{{ season_nn }}{{ episode_code }}{% if episode_title %} - {{ episode_title }}{% endif %}{{ ext }}"
)

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


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date and len(date) >= 4 and date[:4].isdigit() else None


def template_values(item: Item) -> dict[str, Any]:
    """The fields a naming template can use."""
    assert item.match is not None and item.identity is not None
    meta = item.match.metadata
    probe = item.probe
    values: dict[str, Any] = {
        "ext": item.path.suffix.lower(),
        "tmdb_id": item.identity.id,
        "resolution": probe.get("resolution") or "",
        "vcodec": probe.get("video_codec") or "",
        "hdr": probe.get("hdr") or "",
        "edition": _value(item.parsed.edition),
    }
    if item.identity.kind == "movie":
        movie = meta.get("movie", {})
        title = _value(movie.get("title") or item.parsed.title or "Unknown")
        year = _year(movie.get("release_date"))
        values.update(
            title=title, year=year or "", original_title=_value(movie.get("original_title")),
            title_year=f"{title} ({year})" if year else title,
            imdb_id=(movie.get("external_ids") or {}).get("imdb_id") or movie.get("imdb_id") or "",
        )
    else:
        show = meta.get("show", {})
        name = _value(show.get("name") or item.parsed.title or "Unknown")
        year = _year(show.get("first_air_date"))
        season = item.identity.season if item.identity.season is not None else 1
        episodes = item.identity.episodes or [0]
        episode_docs = meta.get("episodes") or []
        titles = [e.get("name") for e in episode_docs if e.get("name")]
        values.update(
            show=name, year=year or "", show_year=f"{name} ({year})" if year else name,
            title=name, title_year=f"{name} ({year})" if year else name,
            season=season, season_nn=f"{season:02d}", episode=episodes[0], episodes=episodes,
            episode_code="-".join(f"E{e:02d}" for e in episodes),
            episode_title=_value(" & ".join(dict.fromkeys(titles))) if titles else "",
            imdb_id=(show.get("external_ids") or {}).get("imdb_id") or "",
        )
    return values


_environment = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


@functools.lru_cache(maxsize=32)
def _compiled(template: str) -> Any:
    """A template compiled once (a profile has two; every item renders one)."""
    return _environment.from_string(template)


def render(template: str, values: dict[str, Any], dest_dir: Path, setting: str) -> Path:
    """Render a template into a path under ``dest_dir`` (raises ConfigError on a bad template)."""
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
        rest = companion.name[len(item.path.stem):]
        companions[companion] = destination.with_name(
            clean_component(destination.stem + rest, keep_suffix=rest))
    return Plan(destination=destination, companions=companions, folder=folder)


# -- `shelver profile check` / run start: templates rendered against sample data -------------

def _sample_items() -> list[tuple[str, Item]]:
    """A movie, an episode and a multi-episode, with every field a template can use."""
    from shelver.api import Identity, Match, ParsedName

    probe = {"resolution": "1080p", "video_codec": "h264", "hdr": ""}
    movie = Item(path=Path("/downloads/Sample.Movie.1999.mkv"), source=Path("/downloads/s.mkv"),
                 parsed=ParsedName(kind="movie", title="Sample Movie", year=1999), probe=probe)
    movie.match = Match(identity=Identity("tmdb", "movie", "603"), confidence=1.0, metadata={
        "movie": {"title": "Sample Movie", "original_title": "Sample Movie",
                  "release_date": "1999-03-30", "imdb_id": "tt0133093"}})
    show = {"name": "Sample Show", "first_air_date": "2008-01-20",
            "external_ids": {"imdb_id": "tt0903747"}}
    samples = [("movie", movie)]
    for episodes in ([14], [1, 2]):
        item = Item(path=Path("/downloads/Sample.Show.S05E14.mkv"), source=Path("/downloads/s.mkv"),
                    parsed=ParsedName(kind="episode", title="Sample Show", season=5,
                                      episodes=episodes), probe=probe)
        item.match = Match(identity=Identity("tmdb", "tv", "1396", season=5, episodes=episodes),
                           confidence=1.0, metadata={"show": show, "episodes": [
                               {"name": f"Episode {e}", "episode_number": e} for e in episodes]})
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
