"""Logging to stderr, with secrets (API keys, tokens) redacted from every record."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_SECRETS: set[str] = set()


def redact(secret: str | None) -> None:
    """Never let ``secret`` reach a log line: it is replaced by ``***`` wherever it appears."""
    if secret and len(secret) >= 4:
        _SECRETS.add(secret)


def shown_url(url: str) -> str:
    """``url`` with its user and password replaced by ``***``, as messages and ``shelver profile
    check`` show it (``redis://***@nas:6379/0``); ``(not a URL)`` when it cannot be read as one."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return "(not a URL)"
    if parts.password is None and parts.username is None:
        return url
    try:
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:  # not a number: left out, as a message about it says
        port = ""
    netloc = f"***@{parts.hostname or ''}{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def scrub(text: str) -> str:
    for secret in _SECRETS:
        text = text.replace(secret, "***")
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _SECRETS:
            record.msg = scrub(record.getMessage())
            record.args = None
        return True


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """stderr, or a rich console while a progress bar is shown (:func:`via_console`)."""

    console: Any = None

    def emit(self, record: logging.LogRecord) -> None:
        console = self.console
        if console is None:
            super().emit(record)
            return
        try:
            console.print(self.format(record), markup=False, highlight=False, soft_wrap=True)
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)


@contextmanager
def via_console(console: Any) -> Iterator[None]:
    """Log through ``console`` (a rich Console that owns a live progress bar): each line is
    printed above the bar instead of over it."""
    handlers = [h for h in logging.getLogger("shelver").handlers if isinstance(h, _Handler)]
    for handler in handlers:
        handler.console = console
    try:
        yield
    finally:
        for handler in handlers:
            handler.console = None


class _OneLineFormatter(logging.Formatter):
    """Each message on one line: a name's newline or terminal escape written out (printable),
    as every other output of shelver shows it. A traceback (-vv) keeps its lines, unless
    ``whole`` (a hook's: NZBGet reads its scripts' stderr and takes ``[NZB] ...`` lines as
    commands, so nothing a name holds may start a line)."""

    def __init__(self, fmt: str, whole: bool) -> None:
        super().__init__(fmt)
        self.whole = whole

    def formatMessage(self, record: logging.LogRecord) -> str:
        from shelver.discovery import printable

        record.message = printable(record.message)
        return super().formatMessage(record)

    def format(self, record: logging.LogRecord) -> str:
        from shelver.discovery import printable

        text = super().format(record)
        return printable(text) if self.whole else text


def setup(verbosity: int, *, one_line_records: bool = False) -> None:
    """``verbosity``: -1 quiet (errors only), 0 warnings and notices, 1 info, 2 debug.
    ``one_line_records``: a traceback too is written on the record's one line (hooks)."""
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    handler = _Handler(sys.stderr)
    handler.setFormatter(_OneLineFormatter("shelver: %(levelname)s: %(message)s",
                                           one_line_records))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger("shelver")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
