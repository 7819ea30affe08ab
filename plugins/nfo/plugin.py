"""Kodi ``.nfo`` files beside each placed file: ``<movie>``, ``tvshow.nfo`` once per show folder,
``<episodedetails>`` (one block per episode a file holds). A user's own NFO is never clobbered
unless ``nfo.overwrite_user_edited`` says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shelver.api import Item, RunContext, Status, fit_name, hookimpl


@hookimpl
def shelver_config_schema() -> dict[str, dict[str, Any]]:
    return {"nfo": {"enabled": True, "overwrite_user_edited": False}}


@hookimpl
def shelver_enrich(item: Item, ctx: RunContext) -> list[Path] | None:
    if not ctx.profile.get("nfo.enabled", True) or item.placement is None or item.match is None:
        return None
    meta = item.match.metadata
    if meta is None or item.placement.status not in (Status.ORGANISED, Status.METADATA):
        return None
    from shelver.plugins.nfo import writer as nfo_writer  # xml.etree: not for every command

    overwrite = bool(ctx.profile.get("nfo.overwrite_user_edited", False))
    probe = item.probe or None
    placed = item.placement.path
    target = placed.with_name(fit_name(placed.stem, ".nfo"))  # within 255 bytes
    written: list[Path] = []
    if meta.kind == "movie":
        text = nfo_writer.movie_nfo(meta, probe)
        if nfo_writer.write_nfo(target, text, overwrite_user_edited=overwrite):
            written.append(target)
    else:
        if meta.episodes:
            text = nfo_writer.episode_nfo(meta, probe)
            if nfo_writer.write_nfo(target, text, overwrite_user_edited=overwrite):
                written.append(target)
        if item.placement.status == Status.ORGANISED and item.plan and item.plan.folder:
            show_nfo = item.plan.folder / "tvshow.nfo"
            if nfo_writer.write_nfo(show_nfo, nfo_writer.tvshow_nfo(meta),
                                    overwrite_user_edited=overwrite):
                written.append(show_nfo)
    return written
