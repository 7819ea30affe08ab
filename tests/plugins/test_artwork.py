"""Artwork names, URLs, and downloads from a loopback image server (counted, to prove caching)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from shelver.discovery import TEMP_MARKER
from shelver.metadata import FANART, POSTER, Episode, Image, Metadata
from shelver.model import Identity, Item, Match, Placement, Plan, Status
from shelver.plugins.artwork import images
from shelver.plugins.artwork import plugin as artwork
from shelver.plugins.artwork.images import ArtworkError, artwork_targets, download
from shelver.plugins.tmdb.metadata import image_url

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class ImageServer:
    """A stdlib HTTP server on 127.0.0.1:<free port> that serves fixed bytes and counts hits."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, bytes]] = {
            "/t/p/original/poster.jpg": ("image/jpeg", JPEG),
            "/t/p/w500/poster.jpg": ("image/jpeg", JPEG[:100] + b"w500"),
            "/t/p/original/logo.png": ("image/png", PNG),
            "/t/p/original/error-page.jpg": ("text/html", b"<html>Service unavailable</html>"),
        }
        self.redirects: dict[str, str] = {}
        self.unsized: set[str] = set()  # sent without Content-Length, ended by closing
        self.drip: set[str] = set()  # sent 64 bytes every 50 ms
        self.hits: Counter[str] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits[self.path] += 1
                if self.path in server.redirects:
                    self.send_response(302)
                    self.send_header("Location", server.redirects[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path not in server.files:
                    self.send_error(404)
                    return
                content_type, body = server.files[self.path]
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                if self.path not in server.unsized | server.drip:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.path not in server.drip:
                    self.wfile.write(body)
                    return
                for start in range(0, len(body), 64):
                    try:
                        self.wfile.write(body[start:start + 64])
                        self.wfile.flush()
                    except OSError:  # the client gave up: that is the point
                        return
                    time.sleep(0.05)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        host, port = self.httpd.server_address[:2]
        self.base = f"http://{host!s}:{port}/t/p/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server() -> Iterator[ImageServer]:
    image_server = ImageServer()
    yield image_server
    image_server.close()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as http:
        yield http


def no_temp_files(*folders: Path) -> bool:
    return not any(p.name.endswith(".tmp") or TEMP_MARKER in p.name
                   for folder in folders for p in folder.rglob("*"))


# ---------------------------------------------------------------------------------------------
# Names and URLs
# ---------------------------------------------------------------------------------------------


def test_movie_targets(tmp_path: Path) -> None:
    folder = tmp_path / "Movies" / "The Matrix (1999) {tmdb-603}"
    assert artwork_targets("movie", folder, "The Matrix (1999) {tmdb-603}") == {
        "poster": folder / "poster.jpg",
        "fanart": folder / "fanart.jpg",
    }
    shared = tmp_path / "unsorted"
    assert artwork_targets("movie", shared, "matrix.1999", own_folder=False) == {
        "poster": shared / "matrix.1999-poster.jpg",
        "fanart": shared / "matrix.1999-fanart.jpg",
    }


def test_show_and_season_targets(tmp_path: Path) -> None:
    show = tmp_path / "TV" / "Breaking Bad (2008) {tmdb-1396}"
    assert artwork_targets("show", show, "") == {
        "poster": show / "poster.jpg",
        "fanart": show / "fanart.jpg",
    }
    assert artwork_targets("show", show, "", season=5)["season_poster"] == (
        show / "season05-poster.jpg"
    )
    assert artwork_targets("tv", show, "", season=12)["season_poster"] == (
        show / "season12-poster.jpg"
    )
    assert artwork_targets("show", show, "", season=0)["season_poster"] == (
        show / "season-specials-poster.jpg"
    )


def test_episode_targets(tmp_path: Path) -> None:
    season = tmp_path / "Season 05"
    stem = "Breaking Bad (2008) - S05E14 - Ozymandias"
    assert artwork_targets("episode", season, stem) == {"thumb": season / f"{stem}-thumb.jpg"}


def test_bad_targets(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown artwork kind"):
        artwork_targets("album", tmp_path, "x")
    with pytest.raises(ValueError):
        artwork_targets("show", tmp_path, "x", season=-1)


# ---------------------------------------------------------------------------------------------
# Downloads
# ---------------------------------------------------------------------------------------------


def test_download_once_then_from_cache(
    tmp_path: Path, server: ImageServer, client: httpx.Client
) -> None:
    cache = tmp_path / "cache"
    url = image_url(server.base, "original", "/poster.jpg")
    show = tmp_path / "Breaking Bad"
    first = download(url, show / "poster.jpg", client=client, cache_dir=cache)
    assert first == show / "poster.jpg"
    assert first.read_bytes() == JPEG
    # The same poster for another destination (another season, a second profile): no request.
    second = download(url, show / "season05-poster.jpg", client=client, cache_dir=cache)
    assert second is not None and second.read_bytes() == JPEG
    assert server.hits["/t/p/original/poster.jpg"] == 1
    # Another size is another URL.
    small = download(
        image_url(server.base, "w500", "poster.jpg"), tmp_path / "small.jpg",
        client=client, cache_dir=cache,
    )  # fmt: skip
    assert small is not None and small.read_bytes().endswith(b"w500")
    assert server.hits["/t/p/w500/poster.jpg"] == 1
    assert no_temp_files(tmp_path)


def test_existing_file_is_never_overwritten(
    tmp_path: Path, server: ImageServer, client: httpx.Client
) -> None:
    dest = tmp_path / "poster.jpg"
    dest.write_bytes(b"the poster I chose myself")
    url = image_url(server.base, "original", "poster.jpg")
    assert download(url, dest, client=client, cache_dir=tmp_path / "cache") is None
    assert dest.read_bytes() == b"the poster I chose myself"
    assert server.hits["/t/p/original/poster.jpg"] == 0  # not even fetched


def test_png_content_is_kept_as_is(
    tmp_path: Path, server: ImageServer, client: httpx.Client
) -> None:
    dest = tmp_path / "clearlogo.png"
    url = image_url(server.base, "original", "logo.png")
    assert download(url, dest, client=client, cache_dir=tmp_path / "cache") == dest
    assert dest.read_bytes() == PNG


def test_http_error_and_non_image(
    tmp_path: Path, server: ImageServer, client: httpx.Client
) -> None:
    cache = tmp_path / "cache"
    with pytest.raises(httpx.HTTPStatusError):
        download(server.base + "original/missing.jpg", tmp_path / "a.jpg", client=client,
                 cache_dir=cache)  # fmt: skip
    with pytest.raises(ArtworkError, match="did not return an image"):
        download(server.base + "original/error-page.jpg", tmp_path / "b.jpg", client=client,
                 cache_dir=cache)  # fmt: skip
    assert not (tmp_path / "a.jpg").exists() and not (tmp_path / "b.jpg").exists()
    assert not cache.exists() or list(cache.iterdir()) == []  # nothing bad was cached
    assert no_temp_files(tmp_path)


@pytest.mark.parametrize("sized", [True, False], ids=["content-length", "no-length"])
def test_an_image_larger_than_the_cap_is_refused(
    tmp_path: Path, server: ImageServer, client: httpx.Client, monkeypatch: pytest.MonkeyPatch,
    sized: bool
) -> None:
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", 4096)
    server.files["/t/p/original/huge.jpg"] = ("image/jpeg", JPEG[:-2] + b"\x00" * 5000 + JPEG[-2:])
    if not sized:
        server.unsized.add("/t/p/original/huge.jpg")
    cache = tmp_path / "cache"
    with pytest.raises(ArtworkError, match=r"huge\.jpg .*more than the 4,096 bytes"):
        download(server.base + "original/huge.jpg", tmp_path / "a.jpg", client=client,
                 cache_dir=cache)  # fmt: skip
    assert not (tmp_path / "a.jpg").exists()
    assert not cache.exists() or list(cache.iterdir()) == []
    # The same host's images of a sane size still come.
    assert download(server.base + "original/poster.jpg", tmp_path / "b.jpg", client=client,
                    cache_dir=cache) == tmp_path / "b.jpg"  # fmt: skip
    assert no_temp_files(tmp_path)


async def test_an_image_still_arriving_at_the_deadline_is_refused(
    tmp_path: Path, server: ImageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(images, "IMAGE_DEADLINE", 0.3)
    server.files["/t/p/original/drip.jpg"] = ("image/jpeg", JPEG)  # 1 KB: 17 chunks, 0.85 s
    server.drip.add("/t/p/original/drip.jpg")
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=5) as http:
        with pytest.raises(ArtworkError, match=r"drip\.jpg was still sending after 0 s"):
            await download(server.base + "original/drip.jpg", tmp_path / "a.jpg", client=http,
                           cache_dir=tmp_path / "cache")
    assert time.monotonic() - started < 0.8  # gave up at the deadline, not at the last byte
    assert not (tmp_path / "a.jpg").exists() and no_temp_files(tmp_path)


def test_damaged_cache_entry_is_fetched_again(
    tmp_path: Path, server: ImageServer, client: httpx.Client
) -> None:
    cache = tmp_path / "cache"
    url = image_url(server.base, "original", "poster.jpg")
    download(url, tmp_path / "one.jpg", client=client, cache_dir=cache)
    (entry,) = cache.iterdir()
    entry.write_bytes(b"")  # truncated by a crash or a full disk
    assert download(url, tmp_path / "two.jpg", client=client, cache_dir=cache) is not None
    assert (tmp_path / "two.jpg").read_bytes() == JPEG
    assert server.hits["/t/p/original/poster.jpg"] == 2
    assert entry.read_bytes() == JPEG


async def test_download_with_async_client(tmp_path: Path, server: ImageServer) -> None:
    cache = tmp_path / "cache"
    url = image_url(server.base, "original", "poster.jpg")
    async with httpx.AsyncClient(timeout=5) as http:
        written = await download(url, tmp_path / "poster.jpg", client=http, cache_dir=cache)
        again = await download(url, tmp_path / "fanart.jpg", client=http, cache_dir=cache)
        kept = await download(url, tmp_path / "poster.jpg", client=http, cache_dir=cache)
    assert written == tmp_path / "poster.jpg" and again == tmp_path / "fanart.jpg"
    assert kept is None
    assert (tmp_path / "fanart.jpg").read_bytes() == JPEG
    assert server.hits["/t/p/original/poster.jpg"] == 1
    assert no_temp_files(tmp_path)


def test_image_clients_read_the_ca_bundle_once(
    tmp_path: Path, server: ImageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every image gets a client of its own (it refuses other hosts); they share one TLS setup:
    reading the CA bundle for each cost every image about 60 ms."""
    import ssl

    loads: list[object] = []
    original = ssl.SSLContext.load_verify_locations

    def counting(self: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        loads.append(args or kwargs)
        original(self, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counting)
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        with images.image_client(server.base) as http:
            fetched = images.fetch_image(server.base + "original/poster.jpg", client=http,
                                         cache_dir=tmp_path / name)
        assert fetched == JPEG
    assert len(loads) <= 1  # none when an earlier test of this process made the shared one


# ---------------------------------------------------------------------------------------------
# The plugin: URLs from Metadata, and shelver_fetch_image for other plugins
# ---------------------------------------------------------------------------------------------


def test_fetch_image_hook(tmp_path: Path, server: ImageServer, make_ctx: Any) -> None:
    """The artwork plugin answers ``shelver_fetch_image`` (the MP4 cover): cached, http(s)
    only, and a redirect to another host is refused before anything is asked of it."""
    ctx = make_ctx()
    url = server.base + "original/poster.jpg"
    assert ctx.pm.hook.shelver_fetch_image(url=url, ctx=ctx) == JPEG
    assert ctx.pm.hook.shelver_fetch_image(url=url, ctx=ctx) == JPEG
    assert server.hits["/t/p/original/poster.jpg"] == 1  # the second one came from the cache
    (tmp_path / "secret.jpg").write_bytes(JPEG)
    assert ctx.pm.hook.shelver_fetch_image(url=(tmp_path / "secret.jpg").as_uri(), ctx=ctx) is None
    other = ImageServer()
    try:
        server.redirects["/t/p/original/moved.jpg"] = other.base + "original/poster.jpg"
        with pytest.raises(ArtworkError, match="not the image host"):
            ctx.pm.hook.shelver_fetch_image(url=server.base + "original/moved.jpg", ctx=ctx)
        assert other.hits == Counter()
    finally:
        other.close()
    with pytest.raises(ArtworkError, match="did not return an image"):
        ctx.pm.hook.shelver_fetch_image(url=server.base + "original/error-page.jpg", ctx=ctx)


def test_artwork_of_another_providers_metadata(tmp_path: Path, server: ImageServer,
                                               make_ctx: Any) -> None:
    """Artwork reads only the Metadata: the rendition nearest the configured size (w500 here),
    or the full-size image when the provider offers no smaller one."""
    ctx = make_ctx(artwork={"poster_size": "w400"})
    folder = tmp_path / "library" / "Movies" / "Holiday (2019)"
    folder.mkdir(parents=True)
    placed = folder / "Holiday (2019).mkv"
    placed.write_bytes(b"video")
    metadata = Metadata(provider="catalogue", kind="movie", title="Holiday", images=[
        Image(POSTER, url=server.base + "original/poster.jpg",
              sizes={500: server.base + "w500/poster.jpg"}),
        Image(FANART, url=server.base + "original/logo.png")])
    item = Item(path=placed, source=placed, match=Match(
        identity=Identity("catalogue", "movie", "hb"), confidence=1.0, metadata=metadata),
        placement=Placement(path=placed, status=Status.ORGANISED, mode="inplace"),
        plan=Plan(destination=placed, folder=folder))
    assert sorted(artwork.shelver_enrich(item=item, ctx=ctx) or []) == [
        folder / "fanart.jpg", folder / "poster.jpg"]
    assert (folder / "poster.jpg").read_bytes().endswith(b"w500")
    assert (folder / "fanart.jpg").read_bytes() == PNG
    item.match = Match(identity=item.match.identity, confidence=1.0, metadata=None)
    assert artwork.shelver_enrich(item=item, ctx=ctx) == []  # no metadata: nothing to fetch


def test_an_episode_thumb_given_only_as_episode_thumb(tmp_path: Path, server: ImageServer,
                                                      make_ctx: Any) -> None:
    """A provider that gives an episode's still only as ``Episode.thumb`` (no THUMB image)
    still gets ``<stem>-thumb.jpg``."""
    ctx = make_ctx()
    season = tmp_path / "library" / "TV" / "Home Movies" / "Season 01"
    season.mkdir(parents=True)
    placed = season / "Home Movies - S01E02.mkv"
    placed.write_bytes(b"video")
    metadata = Metadata(provider="catalogue", kind="tv", title="Home Movies", episodes=[
        Episode(season=1, number=2, thumb=server.base + "original/poster.jpg")])
    item = Item(path=placed, source=placed, match=Match(
        identity=Identity("catalogue", "tv", "hm", 1, [2]), confidence=1.0, metadata=metadata),
        placement=Placement(path=placed, status=Status.ORGANISED, mode="inplace"),
        plan=Plan(destination=placed, folder=season.parent))
    thumb = season / "Home Movies - S01E02-thumb.jpg"
    assert artwork.shelver_enrich(item=item, ctx=ctx) == [thumb]
    assert thumb.read_bytes() == JPEG
