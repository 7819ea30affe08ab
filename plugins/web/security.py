"""Who may use the web UI, and how its pages defend themselves (docs/web.md, "Security").

* Loopback binds need no token; any other bind needs the token kept 0600 in the config folder
  (``shelver web --print-token`` makes and prints it) and refuses to start without one. With a
  token, every request carries it (``Authorization: Bearer``, or the ``shelver_token`` cookie a
  visit to ``/?token=...`` sets) or gets 401.
* Every POST carries the CSRF token of this server process (form field ``csrf`` or header
  ``X-CSRF-Token``), except one authenticated by an ``Authorization`` header (a script: a
  browser never adds that header on its own).
* Without a token, a request must name a loopback host (``Host: 127.0.0.1:8765``,
  ``localhost``): a foreign name pointed at 127.0.0.1 (DNS rebinding) gets 403.
* Every answer has a strict Content-Security-Policy: scripts, styles and images from the
  server itself only (posters are proxied), no inline script, no framing.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
from pathlib import Path
from typing import Any

from shelver.api import ConfigError, config_home

TOKEN_FILE = "web-token"
TOKEN_COOKIE = "shelver_token"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff",
           "referrer-policy": "no-referrer", "x-frame-options": "DENY",
           "cache-control": "no-store"}


def token_path() -> Path:
    return config_home() / TOKEN_FILE


def make_token() -> str:
    """The token (created on first use: 0600 in the config folder)."""
    path = token_path()
    existing = read_token()
    if existing:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(token + "\n")
    os.chmod(path, 0o600)
    return token


def read_token() -> str | None:
    try:
        text = token_path().read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{token_path()}: cannot be read ({exc.strerror})") from None
    return text or None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def token_for(host: str) -> str | None:
    """The token a server bound to ``host`` requires (None on loopback); ConfigError when
    another host is asked for and no token was made."""
    if is_loopback(host):
        return None
    token = read_token()
    if token is None:
        raise ConfigError(
            f"serving on {host} (not loopback) needs a token: run `shelver web --print-token` "
            f"(it makes {token_path()}, mode 0600) and open the page with ?token=...; "
            f"nothing was started")
    mode = token_path().stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigError(f"{token_path()} is readable by others (mode {mode:o}): "
                          f"chmod 600 it; nothing was started")
    return token


def same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def bearer(headers: Any) -> str | None:
    value = headers.get("authorization") or ""
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def host_name(header: str | None) -> str:
    """``[::1]:8765`` → ``::1``; ``localhost:8765`` → ``localhost``."""
    value = (header or "").strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def host_allowed(header: str | None, bound: str) -> bool:
    """Without a token, only a request addressed to a loopback name (or the address the server
    listens on) is served: a page elsewhere that points a name of its own at 127.0.0.1 (DNS
    rebinding) is refused."""
    name = host_name(header)
    return name in LOOPBACK_NAMES or name == bound.strip("[]").lower()
