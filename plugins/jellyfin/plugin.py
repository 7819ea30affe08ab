"""The ``jellyfin`` plugin's hooks: settings, the run-start check of ``jellyfin.api_key``, one
``POST /Library/Media/Updated`` per batch naming every changed folder (docs/media-servers.md,
"Jellyfin") and its ``shelver status`` section. Off unless ``[jellyfin] url`` is set.

Jellyfin takes the key in ``Authorization: MediaBrowser Token="..."`` (the header it asks
clients for since 10.8; the legacy ``X-Emby-Token`` can be turned off on the server).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from shelver.api import (
    Change,
    ConfigError,
    Delivery,
    Profile,
    RunContext,
    StateDB,
    check_service_section,
    delivery_status,
    hookimpl,
    map_path,
    redact,
)

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("shelver")
NAME = "jellyfin"
TITLE = "Jellyfin"
UPDATE_TYPES = {"created": "Created", "modified": "Modified", "deleted": "Deleted"}


@hookimpl
def shelver_config_schema() -> dict[str, dict[str, Any]]:
    return {NAME: {"url": "", "api_key": "", "path_map": {}, "required": False, "timeout": 10.0}}


def settings(profile: Profile) -> dict[str, Any] | None:
    section = profile.section(NAME)
    if not section.get("url"):
        return None
    redact(section.get("api_key"))
    return section


def headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f'MediaBrowser Token="{api_key}"', "Accept": "application/json"}


def request(section: dict[str, Any], method: str, path: str, timeout: float,
            body: Any = None) -> httpx.Response:
    import httpx  # not at the top: only a command that talks to the server pays for importing it

    response = httpx.request(method, section["url"].rstrip("/") + path,
                             headers=headers(section["api_key"]), json=body, timeout=timeout)
    if response.status_code == 401:
        raise PermissionError(f"401 Unauthorized: {TITLE} refused {NAME}.api_key")
    response.raise_for_status()
    return response


@hookimpl
def shelver_check_profile(profile: Profile) -> list[str] | None:
    """``url``, ``timeout`` and ``path_map`` checked (touching nothing); a warning without a key."""
    return check_service_section(profile, NAME, "api_key") or None


@hookimpl
def shelver_run_check(ctx: RunContext) -> None:
    section = settings(ctx.profile)
    if section is None:
        return
    url = str(section["url"])
    import httpx

    try:
        request(section, "GET", "/System/Info", min(section["timeout"], 5.0))
    except PermissionError:
        problem = f"{NAME}.api_key was refused by {TITLE} at {url} (401 Unauthorized)"
        where = ctx.profile.where(f"{NAME}.api_key")
        if section["required"]:
            raise ConfigError(f"{problem} ({where}; {NAME}.required = true)") from None
        log.warning("%s (%s): updates wait until it is fixed (shelver status)", problem, where)
    except httpx.HTTPError as exc:
        log.warning("%s at %s does not answer (%s): updates wait until it does (shelver status)",
                    TITLE, url, type(exc).__name__)


@hookimpl
def shelver_library_changed(changes: list[Change], ctx: RunContext) -> list[Delivery] | None:
    """One request for the whole batch: every changed folder, as the server sees it."""
    section = settings(ctx.profile)
    if section is None or not changes:
        return None
    updates = [{"Path": map_path(c.path, section["path_map"]), "UpdateType": UPDATE_TYPES[c.kind]}
               for c in changes]
    label = f"{len(updates)} folder(s) updated ({updates[0]['Path']}" + (
        ", ...)" if len(updates) > 1 else ")")
    return [Delivery(NAME, NAME, label, {"Updates": updates})]


@hookimpl
def shelver_deliver(delivery: Delivery, ctx: RunContext) -> str | None:
    if delivery.plugin != NAME:
        return None
    section = settings(ctx.profile)
    if section is None:
        return None
    response = request(section, "POST", "/Library/Media/Updated", section["timeout"],
                       {"Updates": delivery.payload["Updates"]})
    return f"{response.status_code}: {TITLE} told of {len(delivery.payload['Updates'])} folder(s)"


@hookimpl
def shelver_status(profile: Profile, state: StateDB) -> dict[str, Any] | None:
    if settings(profile) is None:
        return None
    return {NAME: delivery_status(state, profile.name, NAME, NAME)}
