"""The ``mp4tags`` plugin: tag placed ``.mp4``/``.m4v`` files (how, crash-safely and undoably:
:mod:`shelver.plugins.mp4tags.tagger` and :mod:`shelver.plugins.mp4tags.undo`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shelver.api import Item, RunContext, Status, hookimpl
from shelver.plugins.mp4tags.tagger import TagError, tag_mp4
from shelver.plugins.mp4tags.undo import TagJournal

MP4_SUFFIXES = (".mp4", ".m4v")


@hookimpl
def shelver_register_journal_ops(register: Any) -> None:
    from shelver.plugins.mp4tags import undo

    undo.register_journal_ops(register)  # tag (undone by `shelver undo`), untag


@hookimpl
def shelver_config_schema() -> dict[str, dict[str, Any]]:
    return {"mp4tags": {"enabled": True, "cover": True}}


def _cover(item: Item, ctx: RunContext) -> bytes | None:
    from shelver.api import is_image_path

    # pending: the metadata slice replaces this import of another plugin with a hook
    from shelver.plugins.artwork.images import (
        artwork_cache_dir,
        fetch_image,
        image_client,
        image_url,
    )

    assert item.match is not None
    meta = item.match.metadata
    poster = (meta.get("movie") or meta.get("show") or {}).get("poster_path")
    base = ctx.resources.get("tmdb_image_base")
    if not poster or not base or not ctx.profile.get("mp4tags.cover", True):
        return None
    if not is_image_path(poster):  # only TMDB image paths, from the allowed image host
        ctx.log.warning("no cover for %s: %r is not an image path", item.source, str(poster)[:80])
        return None
    try:
        with image_client(str(base)) as client:
            return fetch_image(image_url(str(base), "w500", poster), client=client,
                               cache_dir=artwork_cache_dir())
    except Exception as exc:  # a missing cover never stops tagging
        ctx.log.warning("no cover for %s: %s", item.source, exc)
        return None


@hookimpl
def shelver_enrich(item: Item, ctx: RunContext) -> list[Path] | None:
    if not ctx.profile.get("mp4tags.enabled", True) or item.match is None or item.placement is None:
        return None
    if item.placement.status != Status.ORGANISED or item.placement.path.suffix.lower() not in MP4_SUFFIXES:
        return None  # metadata-only never re-tags a file
    try:
        tag_mp4(item.placement.path, item.match.metadata, item.probe or None, cover=_cover(item, ctx),
                journal=TagJournal(ctx.state, ctx.run_id, item.item_id))
    except TagError as exc:
        # The file is byte-identical to what it was: report it, keep the item organised.
        ctx.log.warning("%s", exc)
        item.notes.append(str(exc))
    return []
