"""The ``mp4tags`` plugin: tag placed ``.mp4``/``.m4v`` files (how, crash-safely and undoably:
:mod:`shelver.plugins.mp4tags.tagger` and :mod:`shelver.plugins.mp4tags.undo`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shelver.api import POSTER, Item, RunContext, Status, hookimpl
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
    """The poster's bytes, through ``shelver_fetch_image`` (the artwork plugin answers it, with
    its cache and its host checks); None when there is no poster or nobody fetched it."""
    from shelver.plugins.mp4tags.tagger import COVER_WIDTH

    assert item.match is not None
    meta = item.match.metadata
    url = meta.image(POSTER, width=COVER_WIDTH) if meta is not None else None
    if not url or not ctx.profile.get("mp4tags.cover", True):
        return None
    try:
        data = ctx.pm.hook.shelver_fetch_image(url=url, ctx=ctx)
    except Exception as exc:  # a missing cover never stops tagging
        ctx.log.warning("no cover for %s: %s", item.source, exc)
        return None
    if data is not None and not isinstance(data, bytes):
        ctx.log.warning("no cover for %s: shelver_fetch_image gave %s, not bytes", item.source,
                        type(data).__name__)
        return None
    return data


@hookimpl
def shelver_enrich(item: Item, ctx: RunContext) -> list[Path] | None:
    if not ctx.profile.get("mp4tags.enabled", True) or item.match is None or item.placement is None:
        return None
    if item.match.metadata is None:
        return None
    if item.placement.status != Status.ORGANISED or item.placement.path.suffix.lower() not in MP4_SUFFIXES:
        return None  # metadata-only never re-tags a file
    # mutagen is imported here, not at the top: a command that tags nothing never waits for it.
    from shelver.plugins.mp4tags.tagger import TagError, tag_mp4

    try:
        tag_mp4(item.placement.path, item.match.metadata, item.probe or None, cover=_cover(item, ctx),
                journal=TagJournal(ctx.state, ctx.run_id, item.item_id))
    except TagError as exc:
        # The file is byte-identical to what it was: report it, keep the item organised.
        ctx.log.warning("%s", exc)
        item.notes.append(str(exc))
    return []
