"""A loopback look-alike of Emby Server's API, the part shelver uses, for tests and the demo.

As Emby answers (Emby's REST API documentation, "API Key Authentication" and
"Library/Media/Updated"): the key in the ``X-Emby-Token`` header or the ``api_key`` query
parameter, 401 when it is missing or wrong; every path also under the ``/emby`` prefix;
``GET /System/Info``; ``POST /Library/Media/Updated`` with ``{"Updates": [{"Path": ...,
"UpdateType": "Created"|"Modified"|"Deleted"}]}`` answers 204 No Content (400 for another
shape). Every request is recorded; ``delay`` makes it slow, ``go_down()`` unreachable.
"""

from __future__ import annotations

from typing import Any

from shelver.api import LoopbackRequest, LoopbackServer

UPDATE_TYPES = ("Created", "Modified", "Deleted")


class FakeEmby(LoopbackServer):
    def __init__(self, *, api_key: str = "emby-key", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.api_key = api_key

    def updates(self) -> list[LoopbackRequest]:
        return [r for r in self.requests if r.path.endswith("/Library/Media/Updated")]

    def answer(self, request: LoopbackRequest) -> tuple[int, dict[str, str], bytes]:
        key = request.header("X-Emby-Token") or (request.query.get("api_key") or [""])[0]
        if key != self.api_key:
            return 401, {"Content-Type": "text/plain"}, b"Access token is invalid or expired."
        path = request.path[len("/emby"):] if request.path.startswith("/emby/") else request.path
        if request.method == "GET" and path == "/System/Info":
            return self.json_answer({"ServerName": "fake-emby", "Version": "4.8.10.0",
                                     "Id": "f4c33mby"})
        if request.method == "POST" and path == "/Library/Media/Updated":
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
