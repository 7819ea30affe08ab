"""Plex Media Server's HTTP API, the two calls shelver makes (docs/media-servers.md, "Plex").

``GET /library/sections`` lists the libraries with their folders (``Location`` paths);
``GET /library/sections/{key}/refresh?path=FOLDER`` scans one folder of one library (a partial
scan: minutes for a big library become a second). The token goes in the ``X-Plex-Token``
header, never in the URL (a URL ends up in logs), with the ``X-Plex-Client-Identifier``,
``X-Plex-Product`` and ``X-Plex-Version`` headers Plex asks every client for.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shelver.api import __version__

if TYPE_CHECKING:
    import httpx


class Unauthorized(Exception):
    """Plex answered 401: the token is wrong."""


@dataclass
class Section:
    key: str
    title: str
    kind: str
    locations: list[str]


def headers(token: str) -> dict[str, str]:
    return {"X-Plex-Token": token, "X-Plex-Product": "shelver", "X-Plex-Version": __version__,
            "X-Plex-Client-Identifier": f"shelver-{socket.gethostname()}",
            "Accept": "application/json"}


def _get(url: str, token: str, path: str, timeout: float, params: dict[str, str] | None = None
         ) -> httpx.Response:
    import httpx  # not at the top: a command that talks to no Plex does not import it

    response = httpx.get(url.rstrip("/") + path, headers=headers(token), params=params,
                         timeout=timeout)
    if response.status_code == 401:
        raise Unauthorized("401 Unauthorized: Plex refused plex.token")
    response.raise_for_status()
    return response


def sections(url: str, token: str, timeout: float) -> list[Section]:
    """Every library section with its folders; Plex answers JSON when asked, XML otherwise."""
    response = _get(url, token, "/library/sections", timeout)
    if "json" in response.headers.get("content-type", ""):
        container: Any = response.json().get("MediaContainer") or {}
        return [Section(str(d.get("key")), str(d.get("title", "")), str(d.get("type", "")),
                        [str(loc.get("path")) for loc in d.get("Location") or []])
                for d in container.get("Directory") or []]
    import xml.etree.ElementTree as ET  # only for an answer in XML: not at every start-up

    root = ET.fromstring(response.text)
    return [Section(d.get("key", ""), d.get("title", ""), d.get("type", ""),
                    [loc.get("path", "") for loc in d.findall("Location")])
            for d in root.findall("Directory")]


def section_for(folder: str, known: list[Section]) -> tuple[Section, str] | None:
    """The section whose folder holds ``folder`` (the longest such folder wins), and that folder."""
    best: tuple[Section, str] | None = None
    for section in known:
        for location in section.locations:
            bare = location.rstrip("/")
            if (folder == bare or folder.startswith(bare + "/")) \
                    and (best is None or len(bare) > len(best[1])):
                best = (section, bare)
    return best


def refresh(url: str, token: str, key: str, folder: str | None, timeout: float) -> int:
    """Scan ``folder`` of section ``key`` (None: the whole section); the HTTP status."""
    params = {"path": folder} if folder is not None else None
    return _get(url, token, f"/library/sections/{key}/refresh", timeout, params).status_code
