"""Artwork beside the media: where Kodi and Jellyfin look for it, and fetching it once.

Names (both Kodi and Jellyfin read these without any setting):

* movie in its own folder: ``poster.jpg``, ``fanart.jpg``; movies sharing a folder (a
  metadata-only pass over an unsorted collection): ``<stem>-poster.jpg``, ``<stem>-fanart.jpg``;
* show folder: ``poster.jpg``, ``fanart.jpg``, ``seasonNN-poster.jpg``
  (``season-specials-poster.jpg`` for season 0);
* episode: ``<stem>-thumb.jpg`` beside the video.

A derived name never exceeds 255 bytes (:func:`shelver.names.fit_name`: the stem is cut, the
suffix kept).
The URLs come from the match's :class:`~shelver.metadata.Metadata` (the provider chose the image
host: the tmdb plugin allows only TMDB's, the look-alike's or ``tmdb.image_base_url``); only
http(s) URLs are fetched, and a redirect to another host is refused. The same fetching answers
``shelver_fetch_image`` for other plugins (the MP4 tagger's cover).

:func:`download` never replaces a file that is already there (it may be the user's own choice),
writes atomically, and keeps a content cache keyed by URL so one poster shared by 200 episodes of
a show (or fetched again on a refresh) crosses the network once.

An image host is trusted with no more than an image's worth: a body over ``MAX_IMAGE_BYTES``
(said in ``Content-Length`` or found while reading) or one still arriving ``IMAGE_DEADLINE``
seconds after the request is refused with an :class:`ArtworkError` naming the URL, and nothing is
written or cached (docs/configuration.md, "artwork").
"""

from __future__ import annotations

import functools
import hashlib
import os
import secrets
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, overload

from shelver.api import (
    ItemError,
    fit_name,
    fsync_dir,
    temp_name,
)

if TYPE_CHECKING:
    import ssl

    import httpx

__all__ = ["ArtworkError", "artwork_targets", "download", "fetch_image", "is_image"]

_KINDS = ("movie", "show", "episode")
class ArtworkError(ItemError):
    """An artwork URL answered with something that is not an image (or too much, or too slowly)."""


# TMDB's largest "original" backdrops are a few MB; 32 MB is far beyond any real poster.
MAX_IMAGE_BYTES = 32 * 1024 * 1024
# Seconds from the request to the last byte; each read alone also times out (the client's 15 s).
IMAGE_DEADLINE = 120.0


class _Body:
    """The bytes of one image answer, refused when there are too many or they come too slowly."""

    def __init__(self, url: str, response: httpx.Response) -> None:
        self.url, self.chunks, self.size = url, list[bytes](), 0
        self.started = time.monotonic()
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_IMAGE_BYTES:
            raise ArtworkError(f"{url} is {int(length):,} bytes: {self._over()}")

    def _over(self) -> str:
        return f"more than the {MAX_IMAGE_BYTES:,} bytes an image may be; not downloaded"

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > MAX_IMAGE_BYTES:
            raise ArtworkError(f"{self.url} sent {self._over()}")
        if time.monotonic() - self.started > IMAGE_DEADLINE:
            raise ArtworkError(f"{self.url} was still sending after {IMAGE_DEADLINE:.0f} s; "
                               "not downloaded")
        self.chunks.append(chunk)

    def image(self) -> bytes:
        return _check_image(self.url, b"".join(self.chunks))


def _get(client: httpx.Client, url: str) -> bytes:
    """The image at ``url`` (following redirects the client allows), checked and bounded."""
    with client.stream("GET", url, follow_redirects=True) as response:
        response.raise_for_status()
        body = _Body(url, response)
        for chunk in response.iter_bytes():
            body.add(chunk)
    return body.image()


async def _get_async(client: httpx.AsyncClient, url: str) -> bytes:
    async with client.stream("GET", url, follow_redirects=True) as response:
        response.raise_for_status()
        body = _Body(url, response)
        async for chunk in response.aiter_bytes():
            body.add(chunk)
    return body.image()


def artwork_targets(
    kind: str,
    folder: Path,
    stem: str,
    season: int | None = None,
    *,
    own_folder: bool = True,
) -> dict[str, Path]:
    """Where each piece of artwork for one item goes, keyed by art type.

    ``kind`` is ``"movie"``, ``"show"`` (``"tv"`` is accepted) or ``"episode"``. ``folder`` is the
    movie folder, the show folder, or the folder holding the episode file; ``stem`` is the video
    file's name without extension (used for episode thumbs and for movies that do not have a
    folder of their own, ``own_folder=False``). For a show, passing ``season`` adds the
    ``"season_poster"`` target for that season.

    Returns e.g. ``{"poster": folder/"poster.jpg", "fanart": folder/"fanart.jpg"}``.
    """
    kind = "show" if kind == "tv" else kind
    if kind not in _KINDS:
        raise ValueError(f"unknown artwork kind {kind!r}; expected one of {', '.join(_KINDS)}")
    folder = Path(folder)
    if kind == "movie":
        if own_folder:
            return {"poster": folder / "poster.jpg", "fanart": folder / "fanart.jpg"}
        return {"poster": folder / fit_name(stem, "-poster.jpg"),
                "fanart": folder / fit_name(stem, "-fanart.jpg")}
    if kind == "episode":
        return {"thumb": folder / fit_name(stem, "-thumb.jpg")}
    targets = {"poster": folder / "poster.jpg", "fanart": folder / "fanart.jpg"}
    if season is not None:
        if season < 0:
            raise ValueError(f"season must be >= 0, not {season}")
        name = "season-specials-poster.jpg" if season == 0 else f"season{season:02d}-poster.jpg"
        targets["season_poster"] = folder / name
    return targets


def is_image(data: bytes) -> bool:
    """True for JPEG, PNG, WebP and GIF content (what TMDB and media servers deal in)."""
    return (
        data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"))
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
        or data[:6] in (b"GIF87a", b"GIF89a")
    )


@overload
def download(url: str, dest: Path, *, client: httpx.Client, cache_dir: Path) -> Path | None: ...


@overload
def download(
    url: str, dest: Path, *, client: httpx.AsyncClient, cache_dir: Path
) -> Awaitable[Path | None]: ...


def download(
    url: str, dest: Path, *, client: httpx.Client | httpx.AsyncClient, cache_dir: Path
) -> Path | None | Awaitable[Path | None]:
    """Fetch ``url`` into ``dest`` unless ``dest`` already exists.

    Returns ``dest`` when this call wrote it and ``None`` when a file was already there (it is
    left untouched: it may be the user's). With an ``httpx.AsyncClient`` the call returns an
    awaitable giving the same answer, and the file work runs in a worker thread (anyio, so it
    works under trio and asyncio alike).

    The bytes are cached in ``cache_dir`` under a hash of the URL; a cached URL is never fetched
    again. A non-2xx answer raises ``httpx.HTTPStatusError``; a body that is not an image raises
    :class:`ArtworkError` and caches nothing.
    """
    import httpx  # not at the top: a command that fetches no image does not import it

    dest = Path(dest)
    cache_dir = Path(cache_dir)
    if isinstance(client, httpx.AsyncClient):
        return _download_async(url, dest, client, cache_dir)
    if dest.exists():
        return None
    data = _read_cache(url, cache_dir)
    if data is None:
        data = _get(client, url)
        _write_cache(url, cache_dir, data)
    return _place(dest, data)


async def _download_async(
    url: str, dest: Path, client: httpx.AsyncClient, cache_dir: Path
) -> Path | None:
    import anyio.to_thread

    if await anyio.to_thread.run_sync(dest.exists):
        return None
    data = await anyio.to_thread.run_sync(_read_cache, url, cache_dir)
    if data is None:
        data = await _get_async(client, url)
        await anyio.to_thread.run_sync(_write_cache, url, cache_dir, data)
    return await anyio.to_thread.run_sync(_place, dest, data)


def cache_path(url: str, cache_dir: Path) -> Path:
    """The cache file that holds (or will hold) the bytes of ``url``."""
    import httpx

    suffix = Path(httpx.URL(url).path).suffix.lower()
    if not (1 < len(suffix) <= 5 and suffix[1:].isalnum()):
        suffix = ""
    return Path(cache_dir) / (hashlib.sha256(url.encode()).hexdigest() + suffix)


def _check_image(url: str, data: bytes) -> bytes:
    if not is_image(data):
        raise ArtworkError(f"{url} did not return an image ({len(data)} bytes)")
    return data


def _read_cache(url: str, cache_dir: Path) -> bytes | None:
    try:
        data = cache_path(url, cache_dir).read_bytes()
    except FileNotFoundError:
        return None
    # A damaged cache entry (disk trouble, a hand edit) is fetched again, not spread around.
    return data if is_image(data) else None


def _write_cache(url: str, cache_dir: Path, data: bytes) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_path(url, cache_dir)
    temp = _write_temp(target.parent, target.name, data)
    try:
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _place(dest: Path, data: bytes) -> Path | None:
    """Atomically create ``dest`` with ``data``; None if something is already there."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    temp = _write_temp(dest.parent, dest.name, data)
    try:
        try:
            # link() fails if dest appeared since the exists() check: a file the user (or
            # another worker) put there in the meantime is never replaced.
            os.link(temp, dest)
        except FileExistsError:
            return None
        except OSError:
            # Filesystems without hard links (FAT, some network shares): a narrower race.
            if dest.exists():
                return None
            os.replace(temp, dest)
        fsync_dir(dest.parent)
        return dest
    finally:
        temp.unlink(missing_ok=True)


def _write_temp(folder: Path, name: str, data: bytes) -> Path:
    # The temp marker is on the watcher's never-take list, so a half-written file is ignored.
    temp: Path = temp_name(folder / name, secrets.token_hex(4))
    try:
        with open(temp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def fetch_image(url: str, *, client: httpx.Client, cache_dir: Path) -> bytes:
    """The bytes of ``url``, from the cache when it has them (fetched and cached otherwise)."""
    data = _read_cache(url, Path(cache_dir))
    if data is None:
        data = _get(client, url)
        _write_cache(url, Path(cache_dir), data)
    return data


def image_client(image_base: str) -> httpx.Client:
    """An HTTP client that only ever asks the host of ``image_base`` (redirects included); it
    refuses anything but an http(s) ``image_base``."""
    import httpx

    base = httpx.URL(image_base)
    if base.scheme not in ("http", "https") or not base.host:
        raise ArtworkError(f"refused to fetch an image from {image_base[:80]!r}: not an http(s) "
                           "URL")

    def same_host(request: httpx.Request) -> None:
        if (request.url.scheme, request.url.netloc) != (base.scheme, base.netloc):
            raise ArtworkError(f"refused to fetch an image from {request.url.host!r}: not the "
                               f"image host {base.host!r}")

    return httpx.Client(timeout=15, event_hooks={"request": [same_host]}, verify=_tls())


@functools.cache
def _tls() -> ssl.SSLContext:
    """The TLS settings every image client shares (httpx's defaults): each client of its own
    read the CA bundle again, about 60 ms per image of every item."""
    import httpx

    return httpx.create_ssl_context()


def artwork_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("shelver", appauthor=False)) / "artwork"

