"""A recording HTTP server on loopback, the base of the plugins' look-alikes of the services
they talk to (a media server's API), for tests and ``shelver demo``.

Each request is recorded (method, path, query, headers, body) before it is answered by
:meth:`LoopbackServer.answer`, which a look-alike overrides. The server can be made slow
(``delay`` seconds before every answer) and taken down and brought back on the same port
(:meth:`LoopbackServer.go_down`, :meth:`LoopbackServer.come_up`), as a real one is when it
restarts. It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Request:
    """One request as the look-alike received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""
    at: float = field(default_factory=time.time)

    def header(self, name: str) -> str | None:
        """A header's value, its name in any case."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    def json(self) -> Any:
        return json.loads(self.body or b"null")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a slow answer in progress never holds up go_down()
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], owner: LoopbackServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass  # quiet: tests read owner.requests instead

    def _handle(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = Request(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                          dict(self.headers.items()), body)
        with owner.lock:
            owner.requests.append(request)
        if owner.delay:
            time.sleep(owner.delay)
        status, headers, payload = owner.answer(request)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle


class LoopbackServer:
    """``with MyLookAlike() as server: httpx.get(server.base_url + ...); server.requests``."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, delay: float = 0.0) -> None:
        self.host, self.port, self.delay = host, port, delay
        self.lock = threading.Lock()
        self.requests: list[Request] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def answer(self, request: Request) -> Answer:
        """The answer to ``request``: ``(status, headers, body)``. Override it."""
        return 404, {"Content-Type": "text/plain"}, b"Not Found"

    @staticmethod
    def json_answer(data: Any, status: int = 200) -> Answer:
        return status, {"Content-Type": "application/json"}, json.dumps(data).encode()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        """Listen (on the port of an earlier start, if any) in a daemon thread."""
        if self._server is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")
        self._server = _Server((self.host, self.port), self)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=type(self).__name__, daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop listening (idempotent)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    go_down = stop

    def come_up(self) -> None:
        """Listen again on the same port, after :meth:`go_down`."""
        self.start()

    def take(self) -> list[Request]:
        """The requests recorded so far, forgetting them."""
        with self.lock:
            taken, self.requests = self.requests, []
        return taken

    def __enter__(self) -> LoopbackServer:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
