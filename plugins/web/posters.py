"""Posters, proxied: the page asks ``/poster/ITEM/N`` (candidate N of item ITEM, or ``sN``: result
N of the last search for it) and the server fetches the URL the provider stored for that card.
The browser never gets a URL to fetch from elsewhere (the CSP allows images from this server
only) and the client never names a URL or a path: ids only (docs/web.md, "Posters")."""

from __future__ import annotations

import json
from typing import Any

import httpx
from shelver.plugins.web.actions import NotFound, Web, item_row

MAX_BYTES = 5_000_000
KEEP = 300  # posters kept in memory
TIMEOUT = 10.0


def poster_url(web: Web, item_id: int, which: str) -> str:
    """The poster URL of candidate ``which`` (``"2"``; ``"s2"`` a search result) of an item."""
    row = item_row(web, item_id)
    if which.startswith("s") and which[1:].isdigit():
        cards: list[Any] = web.searches.get(item_id) or []
        number = int(which[1:])
    elif which.isdigit():
        try:
            cards = json.loads(row.get("candidates") or "[]")
        except ValueError:
            cards = []
        number = int(which)
    else:
        raise NotFound(f"no poster {which!r} for item {item_id}")
    if not 1 <= number <= len(cards) or not isinstance(cards[number - 1], dict):
        raise NotFound(f"item {item_id} has no candidate {which}")
    url = cards[number - 1].get("poster")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise NotFound(f"candidate {which} of item {item_id} has no poster")
    return url


def fetch(web: Web, url: str) -> tuple[str, bytes]:
    """The image at ``url`` (blocking: called in a thread), kept in memory for the next time.
    Raises NotFound when it is not an image or cannot be had."""
    if url in web.posters:
        return web.posters[url]
    try:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
            with client.stream("GET", url) as answer:
                kind = answer.headers.get("content-type", "").split(";")[0].strip()
                if answer.status_code != 200 or not kind.startswith("image/"):
                    raise NotFound(f"poster: {answer.status_code} {kind or 'no type'}")
                data = b""
                for chunk in answer.iter_bytes():
                    data += chunk
                    if len(data) > MAX_BYTES:
                        raise NotFound("poster: larger than 5 MB")
    except httpx.HTTPError as exc:
        raise NotFound(f"poster: {type(exc).__name__}") from None
    if len(web.posters) >= KEEP:
        web.posters.pop(next(iter(web.posters)))
    web.posters[url] = (kind, data)
    return kind, data
