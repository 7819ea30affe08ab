"""The ``kodi`` plugin's hooks: settings, the run-start check of the web server's credentials,
a ``VideoLibrary.Scan`` of each changed folder and a ``VideoLibrary.Clean`` after files were
removed (docs/media-servers.md, "Kodi"), and its ``shelver status`` section. Off unless
``[kodi] url`` is set.

Kodi's JSON-RPC API (kodi.wiki, "JSON-RPC API") answers ``POST /jsonrpc`` with HTTP Basic
authentication ("Allow remote control via HTTP"). ``kodi.skip_while_playing`` asks
``Player.GetActivePlayers`` first and, while a video plays, the delivery waits
(:class:`~shelver.api.DeliveryDeferred`): a daemon sends it once playback stopped, a one-shot
run leaves it for the next run (or a daemon).
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

from shelver.api import (
    Change,
    ConfigError,
    Delivery,
    DeliveryDeferred,
    Profile,
    RunContext,
    StateDB,
    check_service_section,
    delivery_status,
    hookimpl,
    map_path,
    redact,
)

log = logging.getLogger("shelver")
NAME = "kodi"
_ids = itertools.count(1)


@hookimpl
def shelver_config_schema() -> dict[str, dict[str, Any]]:
    return {NAME: {"url": "", "username": "kodi", "password": "", "path_map": {},
                   "skip_while_playing": False, "required": False, "timeout": 10.0,
                   "max_scans": 100}}


def settings(profile: Profile) -> dict[str, Any] | None:
    section = profile.section(NAME)
    if not section.get("url"):
        return None
    redact(section.get("password"))
    return section


class KodiError(Exception):
    """Kodi answered a JSON-RPC error."""


def call(section: dict[str, Any], method: str, params: dict[str, Any] | None = None,
         timeout: float | None = None) -> Any:
    """One JSON-RPC 2.0 call; its ``result``."""
    body: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "id": next(_ids)}
    if params is not None:
        body["params"] = params
    import httpx  # not at the top: only a command that talks to Kodi pays for importing it

    response = httpx.post(section["url"].rstrip("/") + "/jsonrpc", json=body,
                          auth=(section["username"], section["password"]),
                          timeout=timeout or section["timeout"])
    if response.status_code == 401:
        raise PermissionError("401 Unauthorized: Kodi refused kodi.username/kodi.password")
    response.raise_for_status()
    answer = response.json()
    if answer.get("error"):
        error = answer["error"]
        raise KodiError(f"{method}: Kodi answered error {error.get('code')}: {error.get('message')}")
    return answer.get("result")


@hookimpl
def shelver_check_profile(profile: Profile) -> list[str] | None:
    """``url``, ``timeout``, ``path_map`` and ``max_scans`` checked, touching nothing (Kodi's
    web server may have no password: nothing to warn about)."""
    warnings = check_service_section(profile, NAME, None)
    if profile.section(NAME).get("url") and profile.get("kodi.max_scans", 100) < 1:
        raise ConfigError(f"kodi.max_scans must be at least 1 ({profile.where('kodi.max_scans')})")
    return warnings or None


@hookimpl
def shelver_run_check(ctx: RunContext) -> None:
    section = settings(ctx.profile)
    if section is None:
        return
    url = str(section["url"])
    import httpx

    try:
        call(section, "JSONRPC.Ping", timeout=min(section["timeout"], 5.0))
    except PermissionError:
        problem = f"kodi.username/kodi.password were refused by Kodi at {url} (401 Unauthorized)"
        where = ctx.profile.where("kodi.password")
        if section["required"]:
            raise ConfigError(f"{problem} ({where}; kodi.required = true)") from None
        log.warning("%s (%s): scans wait until it is fixed (shelver status)", problem, where)
    except (httpx.HTTPError, ValueError, KodiError) as exc:
        log.warning("Kodi at %s does not answer (%s): scans wait until it does (shelver status)",
                    url, type(exc).__name__)


@hookimpl
def shelver_library_changed(changes: list[Change], ctx: RunContext) -> list[Delivery] | None:
    """A scan of each folder that gained or changed files (a folder inside another scanned one
    left out), then one clean when any was removed."""
    section = settings(ctx.profile)
    if section is None:
        return None
    folders: list[str] = []
    for change in changes:
        if change.kind != "deleted":
            folder = map_path(change.path, section["path_map"]).rstrip("/\\")
            if folder not in folders:
                folders.append(folder)
    kept = [f for f in folders if not any(f.startswith(o + "/") for o in folders)]
    deleted = any(change.kind == "deleted" for change in changes)
    if len(kept) > section["max_scans"]:  # a backlog run: one scan of every source
        return [Delivery(NAME, NAME, f"scan the whole video library ({len(kept)} folders, more "
                         f"than kodi.max_scans)",
                         {"method": "VideoLibrary.Scan", "params": {"showdialogs": False}})] + (
            [_clean()] if deleted else [])
    # Kodi wants a source's folder with its trailing separator.
    deliveries = [Delivery(NAME, NAME, f"scan {folder}/",
                           {"method": "VideoLibrary.Scan",
                            "params": {"directory": folder + ("\\" if "\\" in folder and "/" not in folder else "/"),
                                       "showdialogs": False}})
                  for folder in kept]
    if deleted:
        deliveries.append(_clean())
    return deliveries


def _clean() -> Delivery:
    return Delivery(NAME, NAME, "clean the video library",
                    {"method": "VideoLibrary.Clean", "params": {"showdialogs": False}})


@hookimpl
def shelver_deliver(delivery: Delivery, ctx: RunContext) -> str | None:
    if delivery.plugin != NAME:
        return None
    section = settings(ctx.profile)
    if section is None:
        return None
    if section["skip_while_playing"]:
        players = call(section, "Player.GetActivePlayers") or []
        if any(p.get("type") == "video" for p in players):
            raise DeliveryDeferred("Kodi is playing a video (kodi.skip_while_playing)")
    method = str(delivery.payload["method"])
    result = call(section, method, delivery.payload.get("params"))
    return f"{method}: {result}"


@hookimpl
def shelver_status(profile: Profile, state: StateDB) -> dict[str, Any] | None:
    if settings(profile) is None:
        return None
    return {NAME: delivery_status(state, profile.name, NAME, NAME)}
