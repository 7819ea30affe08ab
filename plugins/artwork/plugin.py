"""The ``artwork`` plugin: poster, fanart, season posters and episode thumbs beside placed
files (where Kodi and Jellyfin look for them; the names and the fetching are in
:mod:`shelver.plugins.artwork.images`)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from shelver.api import Item, RunContext, Status, hookimpl, is_image_path
from shelver.plugins.artwork.images import (
    ArtworkError,
    artwork_cache_dir,
    artwork_targets,
    download,
    image_client,
    image_url,
)


@hookimpl
def shelver_config_schema() -> dict[str, dict[str, object]]:
    return {"artwork": {"enabled": True, "poster_size": "w780", "fanart_size": "w1280",
                        "thumb_size": "w300"}}


def _wanted(item: Item, ctx: RunContext) -> dict[Path, str]:
    """``{destination: url}`` for the artwork of one placed item."""
    assert item.match is not None and item.placement is not None
    base = str(ctx.resources["tmdb_image_base"])
    sizes = ctx.profile.section("artwork")
    meta, placed = item.match.metadata, item.placement
    organised = placed.status == Status.ORGANISED
    stem = placed.path.stem
    wanted: dict[Path, str] = {}

    def want(target: Path | None, size_key: str, file_path: object) -> None:
        if target is None or not file_path:
            return
        if not is_image_path(file_path):
            # Documents are checked when they arrive; this also covers older cached ones.
            ctx.log.warning("artwork for %s not fetched: %r is not an image path",
                            item.source, str(file_path)[:80])
            return
        size = str(sizes.get(size_key, "original"))
        if not re.fullmatch(r"[a-z0-9]{1,16}", size):
            ctx.log.warning("artwork.%s = %r is not an image size such as w780", size_key, size)
            return
        wanted[target] = image_url(base, size, str(file_path))

    if "movie" in meta:
        movie = meta["movie"]
        targets = artwork_targets("movie", placed.path.parent, stem, own_folder=organised)
        want(targets.get("poster"), "poster_size", movie.get("poster_path"))
        want(targets.get("fanart"), "fanart_size", movie.get("backdrop_path"))
        return wanted
    show, season = meta.get("show") or {}, meta.get("season") or {}
    episodes = meta.get("episodes") or []
    if organised and item.plan is not None and item.plan.folder is not None:
        targets = artwork_targets("show", item.plan.folder, stem, season.get("season_number"))
        want(targets.get("poster"), "poster_size", show.get("poster_path"))
        want(targets.get("fanart"), "fanart_size", show.get("backdrop_path"))
        want(targets.get("season_poster"), "poster_size", season.get("poster_path"))
    if episodes:
        thumb = artwork_targets("episode", placed.path.parent, stem).get("thumb")
        want(thumb, "thumb_size", episodes[0].get("still_path"))
    return wanted


@hookimpl
def shelver_enrich(item: Item, ctx: RunContext) -> list[Path] | None:
    if not ctx.profile.get("artwork.enabled", True) or "tmdb_image_base" not in ctx.resources:
        return None
    if item.match is None or item.placement is None or item.placement.status not in (
            Status.ORGANISED, Status.METADATA):
        return None
    written: list[Path] = []
    cache_dir = artwork_cache_dir()
    with image_client(str(ctx.resources["tmdb_image_base"])) as client:
        for target, url in _wanted(item, ctx).items():
            try:
                placed = download(url, target, client=client, cache_dir=cache_dir)
            except (httpx.HTTPError, ArtworkError, OSError) as exc:
                # Artwork is a nicety: a missing poster never fails the item.
                ctx.log.warning("artwork for %s not fetched: %s", item.source, exc)
                continue
            if placed is not None:
                written.append(placed)
    return written
