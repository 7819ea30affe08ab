"""Serving the UI: Hypercorn's trio worker in the caller's trio process (``shelver web``, and
``shelver watch --web`` beside the daemon)."""

from __future__ import annotations

import functools
import secrets
import signal
import sys
from typing import Any

import trio
from shelver.api import ConfigError, open_app
from shelver.plugins.web import security
from shelver.plugins.web.actions import Web

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def check_bindable(host: str, port: int, where: str) -> None:
    """ConfigError, one line, when ``host:port`` cannot be listened on (taken, no such address):
    said before anything starts rather than as the server's failure."""
    import socket

    if not 0 <= port <= 65535:
        raise ConfigError(f"port {port} is not a port (0 to 65535; 0: any free one) ({where})")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _name, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc} ({where}); "
                          f"nothing was started") from None


def open_web(profile_name: str | None, host: str) -> Web:
    """The server's state for ``profile_name`` (its state DB is the host's shared one).
    Raises ConfigError: a bad profile, or a bind beyond loopback without a token."""
    token = security.token_for(host)
    app = open_app(profile_name)
    return Web(default=app, token=token, csrf=secrets.token_urlsafe(24), host=host)


def url_of(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


async def serve(web: Web, host: str, port: int, *, shutdown_trigger: Any = None,
                task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
    """Serve ``web`` on ``host:port`` until ``shutdown_trigger()`` returns (or cancelled);
    ``task_status.started(url)`` once it listens (port 0: the port it got)."""
    from hypercorn.config import Config
    from hypercorn.trio import serve as hypercorn_serve
    from shelver.plugins.web.app import create_app

    config = Config()
    config.bind = [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
    config.accesslog = None
    config.loglevel = "WARNING"
    config.graceful_timeout = 1.0  # live streams never end on their own
    async with trio.open_nursery() as nursery:
        binds = await nursery.start(lambda task_status: hypercorn_serve(
            create_app(web), config, shutdown_trigger=shutdown_trigger or trio.sleep_forever,
            task_status=task_status))
        bound = binds[0] if binds else url_of(host, port)
        task_status.started(bound.rstrip("/") + "/")


async def until_signal() -> None:
    """Returns on the first SIGINT or SIGTERM (Ctrl-C)."""
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for _signum in signals:
            return


def watch_service(profile: Any, options: dict[str, Any]) -> Any:
    """``shelver watch --web``: the server beside the daemon (``[web]`` host and port)."""
    if not options.get("web"):
        return None
    host = str(profile.get("web.host") or DEFAULT_HOST)
    port = int(profile.get("web.port") if profile.get("web.port") is not None else DEFAULT_PORT)
    check_bindable(host, port, profile.where("web.port"))
    web = open_web(str(profile.path) if profile.path else profile.name, host)

    async def run(*, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        try:
            async with trio.open_nursery() as nursery:
                url = await nursery.start(functools.partial(serve, web, host, port))
                print(f"shelver: web UI on {url}", file=sys.stderr, flush=True)
                task_status.started()
        finally:
            web.close()
            web.default.close()

    return run


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "ConfigError", "open_web", "serve", "until_signal",
           "url_of", "watch_service"]
