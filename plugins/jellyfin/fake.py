"""A loopback look-alike of Jellyfin's API, the part shelver uses, for tests and the demo.

As Jellyfin answers (api.jellyfin.org; "Authorization" in Jellyfin's API docs): the key in
``Authorization: MediaBrowser Token="<key>"`` (other fields such as ``Client=`` may come
before it), 401 when it is missing or wrong; ``GET /System/Info`` describes the server;
``POST /Library/Media/Updated`` with ``{"Updates": [{"Path": ..., "UpdateType":
"Created"|"Modified"|"Deleted"}]}`` answers 204 No Content (400 for a body not of that shape).
Every request is recorded; ``delay`` makes it slow, ``go_down()`` unreachable.
"""

from __future__ import annotations

import re
from typing import Any

from shelver.api import LoopbackRequest, LoopbackServer

TOKEN = re.compile(r'(?:^|[\s,])Token="([^"]*)"')
UPDATE_TYPES = ("Created", "Modified", "Deleted")


class FakeJellyfin(LoopbackServer):
    def __init__(self, *, api_key: str = "jellyfin-key", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.api_key = api_key

    def updates(self) -> list[LoopbackRequest]:
        return [r for r in self.requests if r.path == "/Library/Media/Updated"]

    def answer(self, request: LoopbackRequest) -> tuple[int, dict[str, str], bytes]:
        header = request.header("Authorization") or ""
        found = TOKEN.search(header) if header.startswith("MediaBrowser ") else None
        if found is None or found.group(1) != self.api_key:
            return 401, {"Content-Type": "text/plain"}, b"Unauthorized"
        if request.method == "GET" and request.path == "/System/Info":
            return self.json_answer({"ServerName": "fake-jellyfin", "Version": "10.10.3",
                                     "Id": "f4c3j3llyf1n", "OperatingSystem": "Linux"})
        if request.method == "POST" and request.path == "/Library/Media/Updated":
            try:
                updates = request.json()["Updates"]
                ok = isinstance(updates, list) and all(
                    isinstance(u.get("Path"), str) and u.get("UpdateType") in UPDATE_TYPES
                    for u in updates)
            except (ValueError, KeyError, TypeError, AttributeError):
                ok = False
            if not ok:
                return 400, {"Content-Type": "text/plain"}, b"Bad Request"
            return 204, {}, b""
        return 404, {"Content-Type": "text/plain"}, b"Not Found"
