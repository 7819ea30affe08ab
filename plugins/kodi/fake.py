"""A loopback look-alike of Kodi's JSON-RPC API over HTTP, for tests and the demo.

As Kodi answers (kodi.wiki, "JSON-RPC API" v12/v13): ``POST /jsonrpc`` with a JSON-RPC 2.0
request and HTTP Basic authentication ("Allow remote control via HTTP", the web server's
username and password), 401 with ``WWW-Authenticate: Basic realm="XBMC"`` when they are
missing or wrong. Methods: ``JSONRPC.Ping`` ("pong"), ``VideoLibrary.Scan`` (optional
``directory``, ``showdialogs``; "OK"), ``VideoLibrary.Clean`` (optional ``showdialogs``,
``content``, ``directory``; "OK"), ``Player.GetActivePlayers`` (``[]``, or the video player
while :attr:`FakeKodi.playing`); another method is error -32601, a parameter of the wrong
type -32602. Every request is recorded; ``delay`` makes it slow, ``go_down()`` unreachable.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from shelver.api import LoopbackRequest, LoopbackServer


class FakeKodi(LoopbackServer):
    def __init__(self, *, username: str = "kodi", password: str = "kodi-password",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.username, self.password = username, password
        self.playing = False

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """The JSON-RPC requests received (of ``method``)."""
        found = []
        for request in self.requests:
            if request.path == "/jsonrpc" and request.method == "POST":
                try:
                    body = request.json()
                except ValueError:
                    continue
                if method is None or body.get("method") == method:
                    found.append(body)
        return found

    def answer(self, request: LoopbackRequest) -> tuple[int, dict[str, str], bytes]:
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        if request.header("Authorization") != f"Basic {expected}":
            return 401, {"WWW-Authenticate": 'Basic realm="XBMC"', "Content-Type": "text/html"}, \
                b"<html><body>401 Unauthorized</body></html>"
        if request.path != "/jsonrpc" or request.method != "POST":
            return 404, {"Content-Type": "text/html"}, b"<html><body>404 Not Found</body></html>"
        try:
            body = request.json()
        except ValueError:
            return self._rpc(None, error=(-32700, "Parse error."))
        rid, method, params = body.get("id"), body.get("method"), body.get("params") or {}
        if body.get("jsonrpc") != "2.0" or not isinstance(method, str):
            return self._rpc(rid, error=(-32600, "Invalid request."))
        if method == "JSONRPC.Ping":
            return self._rpc(rid, "pong")
        if method == "Player.GetActivePlayers":
            return self._rpc(rid, [{"playerid": 1, "playertype": "internal", "type": "video"}]
                             if self.playing else [])
        if method in ("VideoLibrary.Scan", "VideoLibrary.Clean"):
            if not isinstance(params, dict) or not isinstance(params.get("directory", ""), str) \
                    or not isinstance(params.get("showdialogs", True), bool):
                return self._rpc(rid, error=(-32602, "Invalid params."))
            return self._rpc(rid, "OK")
        return self._rpc(rid, error=(-32601, "Method not found."))

    def _rpc(self, rid: Any, result: Any = None, error: tuple[int, str] | None = None
             ) -> tuple[int, dict[str, str], bytes]:
        body: dict[str, Any] = {"id": rid, "jsonrpc": "2.0"}
        if error is not None:
            body["error"] = {"code": error[0], "message": error[1]}
        else:
            body["result"] = result
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()
