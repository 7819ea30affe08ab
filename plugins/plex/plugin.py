"""The ``plex`` plugin's hooks: settings, the run-start check of ``plex.token``, one partial
refresh per changed folder (docs/media-servers.md, "Plex"), ``.plexmatch`` hint files
(:mod:`~shelver.plugins.plex.plexmatch`, ``plex.write_plexmatch``) and its ``shelver status``
section. The refreshes are off unless ``[plex] url`` is set."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from shelver.api import (
    Change,
    ConfigError,
    Delivery,
    Item,
    Profile,
    RunContext,
    StateDB,
    check_service_section,
    delivery_status,
    hookimpl,
    map_path,
    redact,
)
from shelver.plugins.plex import client, plexmatch

log = logging.getLogger("shelver")
NAME = "plex"
SECTIONS_TTL = 60.0  # seconds the library list is reused within a process


@hookimpl
def shelver_config_schema() -> dict[str, dict[str, Any]]:
    return {NAME: {"url": "", "token": "", "path_map": {}, "required": False,
                   "fallback_full": False, "write_plexmatch": False, "timeout": 10.0,
                   "max_refreshes": 100}}


def settings(profile: Profile) -> dict[str, Any] | None:
    """The ``[plex]`` settings when Plex is configured (``url`` set), else None."""
    section = profile.section(NAME)
    if not section.get("url"):
        return None
    redact(section.get("token"))
    return section


@hookimpl
def shelver_check_profile(profile: Profile) -> list[str] | None:
    """``url``, ``timeout``, ``path_map`` and ``max_refreshes`` checked, touching nothing; a
    warning without a token."""
    warnings = check_service_section(profile, NAME, "token")
    if profile.section(NAME).get("url") and profile.get("plex.max_refreshes", 100) < 1:
        raise ConfigError(f"plex.max_refreshes must be at least 1 "
                          f"({profile.where('plex.max_refreshes')})")
    return warnings or None


@hookimpl
def shelver_run_check(ctx: RunContext) -> None:
    section = settings(ctx.profile)
    if section is None:
        return
    import httpx  # not at the top: only a command that talks to Plex pays for importing it

    problem = None
    try:
        known = client.sections(section["url"], section["token"], min(section["timeout"], 5.0))
        ctx.resources[NAME] = (time.monotonic(), known)  # the run's refreshes reuse the list
    except client.Unauthorized:
        problem = f"plex.token was refused by Plex at {section['url']} (401 Unauthorized)"
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("Plex at %s does not answer (%s): refreshes wait until it does "
                    "(shelver status)", section["url"], type(exc).__name__)
        return
    if problem is None:
        return
    where = ctx.profile.where("plex.token")
    if section["required"]:
        raise ConfigError(f"{problem} ({where}; plex.required = true)")
    log.warning("%s (%s): refreshes wait until it is fixed (shelver status)", problem, where)


def nearest_existing(path: str) -> str:
    while not os.path.isdir(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    return path


@hookimpl
def shelver_library_changed(changes: list[Change], ctx: RunContext) -> list[Delivery] | None:
    """One partial refresh per changed folder, as Plex sees it (``plex.path_map``); a folder
    inside another one refreshed is left out. A removed folder refreshes its nearest folder
    still there (Plex notices what is gone when it scans it)."""
    section = settings(ctx.profile)
    if section is None:
        return None
    folders: list[str] = []
    for change in changes:
        local = nearest_existing(change.path) if change.kind == "deleted" else change.path
        folder = map_path(local, section["path_map"])
        if folder not in folders:
            folders.append(folder)
    kept = [f for f in folders if not any(f.startswith(o.rstrip("/") + "/") for o in folders)]
    if len(kept) > section["max_refreshes"]:  # a backlog run: see shelver_deliver
        return [Delivery(NAME, NAME, f"refresh {len(kept)} folders (more than "
                         f"plex.max_refreshes)", {"folders": kept})]
    return [Delivery(NAME, NAME, f"refresh {folder}", {"folder": folder}) for folder in kept]


def _sections(ctx: RunContext, section: dict[str, Any]) -> list[client.Section]:
    cached = ctx.resources.get(NAME)
    if cached is not None and time.monotonic() - cached[0] < SECTIONS_TTL:
        return list(cached[1])
    known = client.sections(section["url"], section["token"], section["timeout"])
    ctx.resources[NAME] = (time.monotonic(), known)
    return known


@hookimpl
def shelver_deliver(delivery: Delivery, ctx: RunContext) -> str | None:
    if delivery.plugin != NAME:
        return None
    section = settings(ctx.profile)
    if section is None:
        return None
    known = _sections(ctx, section)
    if "folders" in delivery.payload:
        return _refresh_many(ctx, section, known, [str(f) for f in delivery.payload["folders"]])
    folder = str(delivery.payload["folder"])
    found = client.section_for(folder, known)
    if found is not None:
        library, _location = found
        status = client.refresh(section["url"], section["token"], library.key, folder,
                                section["timeout"])
        return f"{status}: library {library.title!r} scans {folder}"
    return _not_held(ctx, section, known, folder)


def _refresh_many(ctx: RunContext, section: dict[str, Any], known: list[client.Section],
                  folders: list[str]) -> str:
    """More folders than ``plex.max_refreshes``: a library with more than that many of them is
    scanned whole (one request, not hundreds); the others folder by folder."""
    held: dict[str, list[str]] = {}
    answers, unheld = [], []
    for folder in folders:
        found = client.section_for(folder, known)
        if found is None:
            unheld.append(folder)
        else:
            held.setdefault(found[0].key, []).append(folder)
    if unheld:  # reported (or refreshed in full) once, not once per folder
        more = f" and {len(unheld) - 1} other folder(s)" if len(unheld) > 1 else ""
        answers.append(_not_held(ctx, section, known, unheld[0] + more))
    for library in known:
        mine = held.get(library.key, [])
        if len(mine) > section["max_refreshes"]:
            client.refresh(section["url"], section["token"], library.key, None, section["timeout"])
            answers.append(f"library {library.title!r} scanned whole ({len(mine)} folders)")
        elif mine:
            for folder in mine:
                client.refresh(section["url"], section["token"], library.key, folder,
                               section["timeout"])
            answers.append(f"library {library.title!r} scans {len(mine)} folder(s)")
    return "; ".join(answers)


def _not_held(ctx: RunContext, section: dict[str, Any], known: list[client.Section],
              folder: str) -> str:
    where = ", ".join(loc for s in known for loc in s.locations) or "none"
    if section["fallback_full"]:
        for library in known:
            client.refresh(section["url"], section["token"], library.key, None, section["timeout"])
        return (f"no library holds {folder}: every library refreshed in full "
                f"(plex.fallback_full; their folders: {where})")
    message = (f"not refreshed: no Plex library holds {folder} (their folders: {where}); "
               f"check plex.path_map ({ctx.profile.where('plex.path_map')})")
    log.warning("plex: %s", message)
    return message


@hookimpl
def shelver_finalize(item: Item, ctx: RunContext) -> None:
    """``.plexmatch`` in the movie's or show's folder (``plex.write_plexmatch``), once the file
    is in the library (a staged file too): added to ``item.written``, which placement records
    after every finalize for ``shelver undo``. A failure is a warning: the file is placed."""
    if not ctx.profile.get("plex.write_plexmatch", False):
        return
    try:
        item.written.extend(plexmatch.write(item) or [])
    except OSError as exc:
        log.warning("%s: .plexmatch not written: %s", item.path, exc)


@hookimpl
def shelver_status(profile: Profile, state: StateDB) -> dict[str, Any] | None:
    if settings(profile) is None:
        return None
    return {NAME: delivery_status(state, profile.name, NAME, NAME)}
