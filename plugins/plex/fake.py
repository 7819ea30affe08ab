"""A loopback look-alike of Plex Media Server's library API, for tests and ``shelver demo``.

It answers as Plex does (https://www.plexopedia.com/plex-media-server/api/ and Plex's own
"Finding an authentication token" support article): the token in the ``X-Plex-Token`` header
(or query parameter), 401 with an HTML body when it is missing or wrong; ``GET
/library/sections`` lists each library (``key``, ``type``, ``title``) with its folders as
``Location`` entries (``id``, ``path``), as JSON when the request accepts JSON, else XML;
``GET /library/sections/{key}/refresh[?path=FOLDER]`` starts a scan and answers 200 with an
empty body (404 for an unknown key); ``GET /identity`` needs no token. Every request is recorded
(:class:`shelver.api.LoopbackServer`); ``delay`` makes it slow, ``go_down()`` unreachable.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import quoteattr

from shelver.api import LoopbackRequest, LoopbackServer

UNAUTHORIZED = b"<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>"
DEFAULT_SECTIONS: list[dict[str, Any]] = [{"key": "1", "type": "movie", "title": "Movies", "locations": ["/data/Movies"]},
                    {"key": "2", "type": "show", "title": "TV Shows", "locations": ["/data/TV"]}]


class FakePlex(LoopbackServer):
    """``FakePlex(token=..., sections=[{"key", "type", "title", "locations"}], json=True)``."""

    def __init__(self, *, token: str = "plex-token", sections: list[dict[str, Any]] | None = None,
                 json: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token = token
        self.sections = sections if sections is not None else DEFAULT_SECTIONS
        self.json = json  # False: XML whatever the client accepts, as older releases answer

    def refreshes(self) -> list[LoopbackRequest]:
        """The refresh requests received so far."""
        return [r for r in self.requests if r.path.endswith("/refresh")]

    def answer(self, request: LoopbackRequest) -> tuple[int, dict[str, str], bytes]:
        if request.method == "GET" and request.path == "/identity":
            return 200, {"Content-Type": "text/xml"}, (
                b'<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="0" '
                b'machineIdentifier="fake-plex" version="1.41.0.0"/>')
        token = request.header("X-Plex-Token") or (request.query.get("X-Plex-Token") or [""])[0]
        if token != self.token:
            return 401, {"Content-Type": "text/html"}, UNAUTHORIZED
        if request.method == "GET" and request.path == "/library/sections":
            if self.json and "json" in (request.header("Accept") or ""):
                return self.json_answer({"MediaContainer": {
                    "size": len(self.sections), "allowSync": False, "title1": "Plex Library",
                    "Directory": [{"key": s["key"], "type": s["type"], "title": s["title"],
                                   "agent": "tv.plex.agents." + ("movie" if s["type"] == "movie" else "series"),
                                   "refreshing": False,
                                   "Location": [{"id": n + 1, "path": p}
                                                for n, p in enumerate(s["locations"])]}
                                  for s in self.sections]}})
            rows = "".join(
                f'<Directory key={quoteattr(s["key"])} type={quoteattr(s["type"])} '
                f'title={quoteattr(s["title"])}>'
                + "".join(f'<Location id="{n + 1}" path={quoteattr(p)}/>'
                          for n, p in enumerate(s["locations"]))
                + "</Directory>" for s in self.sections)
            body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="'
                    f'{len(self.sections)}" title1="Plex Library">{rows}</MediaContainer>')
            return 200, {"Content-Type": "text/xml;charset=utf-8"}, body.encode()
        match = re.fullmatch(r"/library/sections/([^/]+)/refresh", request.path)
        if request.method == "GET" and match:
            if not any(s["key"] == match.group(1) for s in self.sections):
                return 404, {"Content-Type": "text/html"}, b"<html><body>404 Not Found</body></html>"
            return 200, {"Content-Type": "text/html"}, b""
        return 404, {"Content-Type": "text/html"}, b"<html><body>404 Not Found</body></html>"
