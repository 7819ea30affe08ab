"""The ``artwork`` plugin: poster, fanart, season posters and episode thumbs beside placed
files (where Kodi and Jellyfin look for them; the names and the fetching are in
:mod:`shelver.plugins.artwork.images`), and ``shelver_fetch_image`` for any plugin that needs an
image's bytes (the MP4 cover)."""

from __future__ import annotations

import re
from pathlib import Path

from shelver.api import (
    FANART,
    POSTER,
    SEASON_POSTER,
    THUMB,
    Item,
    Metadata,
    RunContext,
    Status,
    hookimpl,
)
from shelver.plugins.artwork.images import (
    ArtworkError,
    artwork_cache_dir,
    artwork_targets,
    download,
    fetch_image,
    image_client,
)


@hookimpl
def shelver_config_schema() -> dict[str, dict[str, object]]:
    return {"artwork": {"enabled": True, "poster_size": "w780", "fanart_size": "w1280",
                        "thumb_size": "w300"}}


_BAD_SIZE = -1


def _width(ctx: RunContext, size_key: str) -> int | None:
    """The width ``artwork.<size_key>`` asks for (``"w780"``: 780 pixels, the smallest
    rendition at least that wide; ``"original"``: None, the full size); ``_BAD_SIZE``, with a
    warning, for a value that is neither."""
    size = str(ctx.profile.section("artwork").get(size_key, "original"))
    if size == "original":
        return None
    found = re.fullmatch(r"w([0-9]{1,5})", size)
    if found is None:
        ctx.log.warning("artwork.%s = %r is not an image size such as w780", size_key, size)
        return _BAD_SIZE
    return int(found.group(1))


def _wanted(item: Item, ctx: RunContext) -> dict[Path, str]:
    """``{destination: url}`` for the artwork of one placed item."""
    assert item.match is not None and item.placement is not None
    meta, placed = item.match.metadata, item.placement
    if meta is None:
        return {}
    organised = placed.status == Status.ORGANISED
    stem = placed.path.stem
    wanted: dict[Path, str] = {}

    def want(target: Path | None, size_key: str, kind: str, season: int | None = None,
             episode: int | None = None, fallback: str | None = None) -> None:
        width = _width(ctx, size_key)
        if target is None or width == _BAD_SIZE:
            return
        url = meta.image(kind, season, episode=episode, width=width) or fallback
        if url:
            wanted[target] = url

    if meta.kind == "movie":
        targets = artwork_targets("movie", placed.path.parent, stem, own_folder=organised)
        want(targets.get("poster"), "poster_size", POSTER)
        want(targets.get("fanart"), "fanart_size", FANART)
        return wanted
    season = _season_of(meta)
    if organised and item.plan is not None and item.plan.folder is not None:
        targets = artwork_targets("show", item.plan.folder, stem, season)
        want(targets.get("poster"), "poster_size", POSTER)
        want(targets.get("fanart"), "fanart_size", FANART)
        want(targets.get("season_poster"), "poster_size", SEASON_POSTER, season)
    if meta.episodes:
        first = meta.episodes[0]
        thumb = artwork_targets("episode", placed.path.parent, stem).get("thumb")
        want(thumb, "thumb_size", THUMB, first.season, first.number, fallback=first.thumb)
    return wanted


def _season_of(meta: Metadata) -> int | None:
    if meta.season is not None:
        return meta.season.number
    return meta.episodes[0].season if meta.episodes else None


@hookimpl
def shelver_enrich(item: Item, ctx: RunContext) -> list[Path] | None:
    if not ctx.profile.get("artwork.enabled", True):
        return None
    if item.match is None or item.placement is None or item.placement.status not in (
            Status.ORGANISED, Status.METADATA):
        return None
    import httpx  # not at the top: a command that fetches no artwork does not import it

    written: list[Path] = []
    cache_dir = artwork_cache_dir()
    for target, url in _wanted(item, ctx).items():
        try:
            with image_client(url) as client:
                placed = download(url, target, client=client, cache_dir=cache_dir)
        except (httpx.HTTPError, ArtworkError, OSError) as exc:
            # Artwork is a nicety: a missing poster never fails the item.
            ctx.log.warning("artwork for %s not fetched: %s", item.source, exc)
            continue
        if placed is not None:
            written.append(placed)
    return written


@hookimpl(trylast=True)
def shelver_fetch_image(url: str, ctx: RunContext) -> bytes | None:
    """The bytes of an http(s) image ``url`` (from the artwork cache when it has them); None
    for any other scheme. Raises when the host answers with an error or something that is not
    an image, or redirects to another host."""
    import httpx

    if httpx.URL(url).scheme not in ("http", "https"):
        return None
    with image_client(url) as client:
        return fetch_image(url, client=client, cache_dir=artwork_cache_dir())
