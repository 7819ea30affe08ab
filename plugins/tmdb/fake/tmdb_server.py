"""A loopback look-alike of TMDB's v3 API, serving a bundled snapshot.

Tests and ``shelver demo`` talk to this server instead of api.themoviedb.org. It answers the
same paths, parameters, authentication and JSON shapes, with TMDB's error bodies, and can be
made unpleasant the way the real service is: a rolling-window rate limit (429 + Retry-After),
a share of 503s, latency. Search is deliberately no smarter than TMDB's: every query word must
appear in a title (case, diacritics and punctuation ignored), results come sorted by
popularity, so "the office" finds both Offices and "dune" every Dune.

Real-sized answers: the snapshot holds a few hundred works where TMDB holds about a million, so
every search answer here fits on one page. ``FakeTMDB(crowd=300)`` answers like the real service
on volume: every search without a year filter (``/search/multi`` always, ``/search/movie`` and
``/search/tv`` without ``year``/``primary_release_year``/``first_air_date_year``) says it found
``crowd`` more results than the catalogue holds (``total_results``, ``total_pages`` as TMDB counts
them: "heat" reports e.g. 312 results on 16 pages). Page 1 still holds the catalogue's matches,
most popular first, and in ``/search/multi`` people (``media_type: person``) named after the query
fill the page to 20, as TMDB's multi search mixes them in. Year-filtered searches are answered as
the catalogue holds them. What it cannot tell: which real answers are cut short (it assumes every
unfiltered one is, the worst case for a matcher that trusts a complete page), nor the works a
real page 1 would hold besides the catalogue's.

Seasons missing from the snapshot but listed on their show are synthesised with placeholder
episodes ("Episode 3", no air date), as TMDB does for poorly curated seasons.

Hostile or broken answers, for tests: :meth:`FakeTMDB.override` makes one API path answer
something else than the snapshot (a document with wrong field types, no ``id``, a body that is
not an object, a 429 with any ``Retry-After``, a body of many megabytes, a body trickling one
byte at a time, a ``/configuration`` naming another image host)::

    tmdb.override("/movie/603", patch={"genres": ["Action", None], "vote_average": "high"})
    tmdb.override("/movie/603", status=429, headers={"Retry-After": "inf"}, times=1)
    tmdb.override("/movie/603", pad_to=50_000_000)        # the real document, then spaces
    tmdb.override("/movie/603", trickle=0.5)              # one byte every half second
    tmdb.clear_overrides()

Longer than ~400 lines on purpose: it is test equipment, one look-alike of one HTTP API (its
routes, authentication, errors, rate limit and hostile answers side by side, as TMDB has them),
not shelver's code; nothing outside the tests and ``shelver demo`` runs it.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import importlib.resources
import json
import math
import random
import re
import socket
import sys
import threading
import time
import unicodedata
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

PAGE_SIZE = 20
MAX_PAGE = 500
MAX_APPEND = 20

MOVIE_PARTS = ("credits", "images", "release_dates", "external_ids", "keywords", "videos",
               "alternative_titles")
TV_PARTS = ("credits", "images", "external_ids", "keywords", "content_ratings", "videos",
            "alternative_titles")
MOVIE_RESULT_KEYS = ("adult", "backdrop_path", "genre_ids", "id", "original_language",
                     "original_title", "overview", "popularity", "poster_path", "release_date",
                     "title", "video", "vote_average", "vote_count")
TV_RESULT_KEYS = ("adult", "backdrop_path", "genre_ids", "id", "origin_country",
                  "original_language", "original_name", "overview", "popularity", "poster_path",
                  "first_air_date", "name", "vote_average", "vote_count")

IMAGE_SIZES = {
    "backdrop_sizes": ["w300", "w780", "w1280", "original"],
    "logo_sizes": ["w45", "w92", "w154", "w185", "w300", "w500", "original"],
    "poster_sizes": ["w92", "w154", "w185", "w342", "w500", "w780", "original"],
    "profile_sizes": ["w45", "w185", "h632", "original"],
    "still_sizes": ["w92", "w185", "w300", "original"],
}
# Pixel sizes of the generated images, by what the file is used for.
IMAGE_DIMENSIONS = {"poster": (20, 30), "profile": (20, 30), "backdrop": (32, 18),
                    "still": (32, 18), "logo": (32, 12)}


class TMDBError(Exception):
    """An error TMDB answers with ``{"success": false, "status_code": ..., ...}``."""

    def __init__(self, http_status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.http_status, self.code, self.message = http_status, code, message

    def body(self) -> dict[str, Any]:
        return {"success": False, "status_code": self.code, "status_message": self.message}


def _invalid_key() -> TMDBError:
    return TMDBError(401, 7, "Invalid API key: You must be granted a valid key.")


def _not_found() -> TMDBError:
    return TMDBError(404, 34, "The resource you requested could not be found.")


def _invalid_page() -> TMDBError:
    return TMDBError(400, 22, "Invalid page: Pages start at 1 and max at 500. "
                              "They are expected to be an integer.")


def _invalid_params() -> TMDBError:
    return TMDBError(422, 5, "Invalid parameters: Your request parameters are incorrect.")


def load_snapshot(path: str | Path | None = None) -> dict[str, Any]:
    """Load a snapshot file; by default the one bundled with shelver."""
    if path is None:
        text = importlib.resources.files("shelver.plugins.tmdb.fake").joinpath(
            "tmdb_snapshot.json").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def localised(doc: Mapping[str, Any], language: str) -> dict[str, Any]:
    """``doc`` as TMDB answers it for ``language=``: its translated title, name and overview
    where the snapshot has them (``_translations``), else as it is (TMDB's fallback to the
    original); ``original_title``/``original_name`` never change."""
    translation = doc.get("_translations", {}).get(language) or {}
    return {**doc, **{k: v for k, v in translation.items() if v}}


def localised_season(season: Mapping[str, Any], language: str) -> dict[str, Any]:
    """A season document with its episodes' names in ``language`` where known."""
    episodes = [{k: v for k, v in localised(e, language).items() if k != "_translations"}
                for e in season.get("episodes", [])]
    return {**season, "episodes": episodes}


def search_words(text: str) -> set[str]:
    """The words TMDB-like search compares: no case, diacritics, apostrophes or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = bare.casefold().replace("'", "").replace("\u2019", "")
    return set(re.findall(r"[^\W_]+", folded))


def tiny_jpeg(width: int, height: int, level: int) -> bytes:
    """A valid baseline greyscale JPEG of one flat grey ``level`` (0-255)."""

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload

    dc_bits = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)  # the standard luminance DC table
    dc_codes: dict[int, tuple[int, int]] = {}
    code, symbol = 0, 0
    for length, count in enumerate(dc_bits, start=1):
        for _ in range(count):
            dc_codes[symbol] = (code, length)
            code, symbol = code + 1, symbol + 1
        code <<= 1
    bits: list[int] = []

    def put(value: int, length: int) -> None:
        bits.extend((value >> shift) & 1 for shift in range(length - 1, -1, -1))

    # Quantiser 8 on a flat block: the quantised DC is the level-shifted grey itself.
    dc, previous = level - 128, 0
    for _ in range(math.ceil(width / 8) * math.ceil(height / 8)):
        diff, previous = dc - previous, dc
        size = abs(diff).bit_length()
        put(*dc_codes[size])
        if size:
            put(diff if diff > 0 else diff + (1 << size) - 1, size)
        put(0, 1)  # end of block: the only symbol of the AC table
    bits.extend([1] * (-len(bits) % 8))
    scan = bytearray()
    for i in range(0, len(bits), 8):
        byte = int("".join(map(str, bits[i:i + 8])), 2)
        scan += b"\xff\x00" if byte == 0xFF else bytes((byte,))
    return b"".join((
        b"\xff\xd8",
        segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
        segment(0xDB, b"\x00" + bytes([8] * 64)),
        segment(0xC0, b"\x08" + height.to_bytes(2, "big") + width.to_bytes(2, "big")
                + b"\x01\x01\x11\x00"),
        segment(0xC4, b"\x00" + bytes(dc_bits) + bytes(range(12))),
        segment(0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00"),
        segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
        bytes(scan),
        b"\xff\xd9",
    ))


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


def _page_of(results: list[dict[str, Any]], page: int, crowd: int = 0) -> dict[str, Any]:
    start = (page - 1) * PAGE_SIZE
    total = len(results) + crowd
    return {"page": page, "results": results[start:start + PAGE_SIZE],
            "total_pages": max(1, math.ceil(total / PAGE_SIZE)),
            "total_results": total}


def _people(query: str, count: int) -> list[dict[str, Any]]:
    """``count`` people named after ``query``, as a real-sized multi search mixes them in."""
    name = " ".join(w.capitalize() for w in query.split()) or "Nobody"
    seed = zlib.crc32(name.encode())
    return [{"adult": False, "gender": 2, "id": 5_000_000 + (seed + n) % 1_000_000,
             "known_for_department": "Acting", "media_type": "person",
             "name": f"{name} {chr(65 + n % 26)}.", "original_name": f"{name} {chr(65 + n % 26)}.",
             "popularity": round(1.0 / (n + 2), 3), "profile_path": None, "known_for": []}
            for n in range(count)]


def _int_param(params: Mapping[str, str], *names: str) -> int | None:
    for name in names:
        value = params.get(name, "").strip()
        if value:
            if not value.isdigit():
                raise _invalid_params()
            return int(value)
    return None


class Catalogue:
    """The snapshot, indexed, and TMDB's responses built from it (no HTTP here)."""

    def __init__(self, snapshot: Mapping[str, Any]) -> None:
        self.movies = {int(k): v for k, v in snapshot["movies"].items()}
        self.shows = {int(k): v for k, v in snapshot["tv"].items()}
        self.seasons = {(int(show), int(number)): doc
                        for show, by_number in snapshot.get("seasons", {}).items()
                        for number, doc in by_number.items()}
        self.genres = snapshot.get("genres", {"movie": [], "tv": []})
        self._synthesised: dict[tuple[int, int], dict[str, Any]] = {}
        self._lock = threading.Lock()
        self.crowd = 0  # results a real-sized answer has beyond the catalogue's (FakeTMDB(crowd=))
        self._movie_words = {i: self._names(m, "title", "original_title", "titles")
                             for i, m in self.movies.items()}
        self._tv_words = {i: self._names(s, "name", "original_name", "results")
                          for i, s in self.shows.items()}
        self.image_kinds: dict[str, str] = {}
        for doc in [*self.movies.values(), *self.shows.values(), *self.seasons.values()]:
            self._collect_images(doc, None)

    @staticmethod
    def _names(doc: Mapping[str, Any], title: str, original: str, alt_key: str) -> list[set[str]]:
        alternatives = doc.get("alternative_titles", {}).get(alt_key, [])
        names = [doc.get(title, ""), doc.get(original, "")] + [a["title"] for a in alternatives]
        names += [t.get(title, "") for t in doc.get("_translations", {}).values()]
        return [search_words(n) for n in names if n]

    def _collect_images(self, node: Any, kind: str | None) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str) and key.endswith("_path") and value.startswith("/"):
                    self.image_kinds[value] = key.removesuffix("_path") if key != "file_path" \
                        else (kind or "poster")
                else:
                    sub = {"posters": "poster", "backdrops": "backdrop", "logos": "logo",
                           "stills": "still", "profiles": "profile"}.get(key, kind)
                    self._collect_images(value, sub)
        elif isinstance(node, list):
            for value in node:
                self._collect_images(value, kind)

    # -- search -------------------------------------------------------------------------

    def search_movie(self, params: Mapping[str, str]) -> dict[str, Any]:
        page = self._page(params)
        language = params.get("language", "")
        filtered = _int_param(params, "year", "primary_release_year") is not None
        return _page_of([self.movie_result(m, language) for m in self._matching_movies(params)],
                        page, 0 if filtered else self.crowd)

    def search_tv(self, params: Mapping[str, str]) -> dict[str, Any]:
        page = self._page(params)
        language = params.get("language", "")
        filtered = _int_param(params, "first_air_date_year", "year") is not None
        return _page_of([self.tv_result(s, language) for s in self._matching_shows(params)], page,
                        0 if filtered else self.crowd)

    def search_multi(self, params: Mapping[str, str]) -> dict[str, Any]:
        page = self._page(params)
        plain = {k: v for k, v in params.items() if k in ("query", "include_adult")}
        language = params.get("language", "")
        found = [{**self.movie_result(m, language), "media_type": "movie"}
                 for m in self._matching_movies(plain)]
        found += [{**self.tv_result(s, language), "media_type": "tv"}
                  for s in self._matching_shows(plain)]
        found.sort(key=lambda r: (-r["popularity"], r["id"]))
        if self.crowd:  # the people are among the crowd the catalogue does not hold
            people = _people(params.get("query", ""), min(self.crowd, max(0, PAGE_SIZE - len(found))))
            return _page_of(found + people, page, self.crowd - len(people))
        return _page_of(found, page)

    def _matching_movies(self, params: Mapping[str, str]) -> list[dict[str, Any]]:
        words = search_words(params.get("query", ""))
        year = _int_param(params, "year")
        primary_year = _int_param(params, "primary_release_year")
        adult = params.get("include_adult", "false").lower() == "true"
        found = []
        for movie_id, movie in self.movies.items():
            if not words or not any(words <= names for names in self._movie_words[movie_id]):
                continue
            if movie.get("adult") and not adult:
                continue
            if primary_year is not None and _year(movie.get("release_date")) != primary_year:
                continue
            if year is not None and year not in self._release_years(movie):
                continue
            found.append(movie)
        return sorted(found, key=lambda m: (-m.get("popularity", 0.0), m["id"]))

    def _matching_shows(self, params: Mapping[str, str]) -> list[dict[str, Any]]:
        words = search_words(params.get("query", ""))
        first_year = _int_param(params, "first_air_date_year")
        year = _int_param(params, "year")  # TMDB: the first air date or any episode's
        adult = params.get("include_adult", "false").lower() == "true"
        found = []
        for show_id, show in self.shows.items():
            if not words or not any(words <= names for names in self._tv_words[show_id]):
                continue
            if show.get("adult") and not adult:
                continue
            start = _year(show.get("first_air_date"))
            if first_year is not None and start != first_year:
                continue
            end = _year(show.get("last_air_date")) or start
            if year is not None and not (start and end and start <= year <= end):
                continue
            found.append(show)
        return sorted(found, key=lambda s: (-s.get("popularity", 0.0), s["id"]))

    @staticmethod
    def _page(params: Mapping[str, str]) -> int:
        raw = params.get("page", "1").strip() or "1"
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
            raise _invalid_page()
        return int(raw)

    @staticmethod
    def _release_years(movie: Mapping[str, Any]) -> set[int]:
        years = {_year(movie.get("release_date"))}
        for country in movie.get("release_dates", {}).get("results", []):
            years.update(_year(r.get("release_date")) for r in country["release_dates"])
        return {y for y in years if y is not None}

    def movie_result(self, movie: Mapping[str, Any], language: str = "") -> dict[str, Any]:
        full = {**localised(movie, language), "genre_ids": [g["id"] for g in movie.get("genres", [])]}
        return {key: full.get(key) for key in MOVIE_RESULT_KEYS}

    def tv_result(self, show: Mapping[str, Any], language: str = "") -> dict[str, Any]:
        full = {**localised(show, language), "genre_ids": [g["id"] for g in show.get("genres", [])]}
        return {key: full.get(key) for key in TV_RESULT_KEYS}

    # -- details --------------------------------------------------------------------------

    def details(self, kind: str, item_id: int, append: str, language: str = "") -> dict[str, Any]:
        doc, parts = self._doc(kind, item_id)
        body = {k: v for k, v in localised(doc, language).items()
                if k not in parts and not k.startswith("_")}
        for name in [a.strip() for a in append.split(",") if a.strip()][:MAX_APPEND]:
            if name in parts:
                body[name] = doc.get(name, self._empty_part(kind, name))
        return body

    def part(self, kind: str, item_id: int, name: str) -> dict[str, Any]:
        doc, parts = self._doc(kind, item_id)
        if name not in parts:
            raise _not_found()
        return {"id": item_id, **doc.get(name, self._empty_part(kind, name))}

    def _doc(self, kind: str, item_id: int) -> tuple[dict[str, Any], tuple[str, ...]]:
        table, parts = (self.movies, MOVIE_PARTS) if kind == "movie" else (self.shows, TV_PARTS)
        if item_id not in table:
            raise _not_found()
        return table[item_id], parts

    @staticmethod
    def _empty_part(kind: str, name: str) -> dict[str, Any]:
        if name == "credits":
            return {"cast": [], "crew": []}
        if name == "images":
            return {"backdrops": [], "logos": [], "posters": []}
        if name == "external_ids":
            return {"imdb_id": None}
        if name == "keywords" and kind == "movie":
            return {"keywords": []}
        if name == "alternative_titles" and kind == "movie":
            return {"titles": []}
        return {"results": []}

    def season(self, show_id: int, number: int) -> dict[str, Any]:
        if show_id not in self.shows:
            raise _not_found()
        if (show_id, number) in self.seasons:
            season: dict[str, Any] = self.seasons[(show_id, number)]
            return season
        listed = [s for s in self.shows[show_id].get("seasons", []) if s["season_number"] == number]
        if not listed:
            raise _not_found()
        with self._lock:
            if (show_id, number) not in self._synthesised:
                self._synthesised[(show_id, number)] = self._placeholder_season(show_id, listed[0])
            return self._synthesised[(show_id, number)]

    @staticmethod
    def _placeholder_season(show_id: int, listed: Mapping[str, Any]) -> dict[str, Any]:
        number = listed["season_number"]
        episodes = [{
            "air_date": None, "episode_number": n, "episode_type": "standard",
            "id": 9_000_000 + zlib.crc32(f"{show_id}/{number}/{n}".encode()) % 900_000,
            "name": f"Episode {n}", "overview": "", "production_code": "", "runtime": None,
            "season_number": number, "show_id": show_id, "still_path": None,
            "vote_average": 0.0, "vote_count": 0, "crew": [], "guest_stars": [],
        } for n in range(1, listed["episode_count"] + 1)]
        return {"_id": hashlib.md5(f"{show_id}/{number}".encode()).hexdigest()[:24],
                "air_date": listed.get("air_date"), "episodes": episodes, "name": listed["name"],
                "overview": listed.get("overview", ""), "id": listed["id"],
                "poster_path": listed.get("poster_path"), "season_number": number,
                "vote_average": listed.get("vote_average", 0.0)}

    def episode(self, show_id: int, number: int, episode: int) -> dict[str, Any]:
        for found in self.season(show_id, number)["episodes"]:
            if found["episode_number"] == episode:
                return dict(found)
        raise _not_found()

    def find(self, external_id: str, params: Mapping[str, str]) -> dict[str, Any]:
        source = params.get("external_source", "")
        if source not in ("imdb_id", "tvdb_id", "freebase_mid", "freebase_id", "tvrage_id",
                          "facebook_id", "twitter_id", "instagram_id", "wikidata_id"):
            raise _invalid_params()
        wanted = external_id.strip()
        movies = [{**self.movie_result(m), "media_type": "movie"} for m in self.movies.values()
                  if wanted and str(m.get("external_ids", {}).get(source)) == wanted]
        shows = [{**self.tv_result(s), "media_type": "tv"} for s in self.shows.values()
                 if wanted and str(s.get("external_ids", {}).get(source)) == wanted]
        return {"movie_results": movies, "person_results": [], "tv_results": shows,
                "tv_episode_results": [], "tv_season_results": []}


_UNSET: Any = object()


@dataclass
class Override:
    """What one API path answers instead of the snapshot (see :meth:`FakeTMDB.override`)."""

    status: int = 200
    body: Any = _UNSET
    patch: dict[str, Any] | None = None
    drop: tuple[str, ...] = ()
    raw: bytes | None = None
    headers: dict[str, str] | None = None
    pad_to: int = 0
    content_length: bool = True
    trickle: float = 0.0
    times: int | None = None


@dataclass(frozen=True)
class RequestRecord:
    """One answered request. ``time`` is ``time.monotonic()``; ``params`` never hold api_key;
    ``auth`` is ``"api_key"``, ``"bearer"`` or None (none given, or an image)."""

    time: float
    method: str
    path: str
    params: dict[str, str]
    status: int
    auth: str | None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], fake: FakeTMDB) -> None:
        self.fake = fake
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client hanging up is not news
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "openresty"
    sys_version = ""
    timeout = 30

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the default access log would print the api_key in the URL."""

    def do_GET(self) -> None:
        self.server.fake._answer(self, head=False)

    def do_HEAD(self) -> None:
        self.server.fake._answer(self, head=True)


class FakeTMDB:
    """TMDB's v3 API on loopback: ``with FakeTMDB() as tmdb: httpx.get(tmdb.base_url + ...)``."""

    def __init__(self, snapshot: dict[str, Any] | None = None, *, api_key: str = "demo-key",
                 read_token: str | None = "demo-token",
                 rate_limit: tuple[int, float] | None = None,
                 fail_ratio: float = 0.0, seed: int = 0, latency: float = 0.0,
                 host: str = "127.0.0.1", port: int = 0, crowd: int = 0) -> None:
        self.catalogue = Catalogue(snapshot if snapshot is not None else load_snapshot())
        self.catalogue.crowd = crowd  # real-sized search answers (module docstring)
        self.api_key, self.read_token = api_key, read_token
        self.rate_limit, self.fail_ratio, self.latency = rate_limit, fail_ratio, latency
        self.host, self.port = host, port
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._log: list[RequestRecord] = []
        self._window: collections.deque[float] = collections.deque()
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._origin = ""
        self._jpegs: dict[str, bytes] = {}
        self._overrides: dict[str, Override] = {}

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> str:
        """Serve in a daemon thread; returns :attr:`base_url`."""
        if self._server is not None:
            raise RuntimeError("FakeTMDB is already running")
        self._server = _Server((self.host, self.port), self)
        self._origin = f"http://{self.host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="fake-tmdb", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and drop open keep-alive connections; idempotent."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeTMDB:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/3``, the value for ``tmdb.base_url``."""
        if not self._origin:
            raise RuntimeError("FakeTMDB is not started")
        return self._origin + "/3"

    @property
    def image_base_url(self) -> str:
        """``http://127.0.0.1:PORT/t/p/``, as /configuration reports it."""
        if not self._origin:
            raise RuntimeError("FakeTMDB is not started")
        return self._origin + "/t/p/"

    # -- request log ------------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the request log, oldest first."""
        with self._lock:
            return list(self._log)

    def count(self, status: int | None = None, path_prefix: str | None = None) -> int:
        """Logged requests with this status and a path starting with ``path_prefix``
        (given with or without the ``/3`` prefix)."""
        def matches(path: str) -> bool:
            if path_prefix is None:
                return True
            return path.startswith(path_prefix) or (
                path.startswith("/3/") and path[2:].startswith(path_prefix))
        return sum(1 for r in self.requests
                   if (status is None or r.status == status) and matches(r.path))

    def reset_log(self) -> None:
        with self._lock:
            self._log.clear()

    # -- hostile answers (tests) ------------------------------------------------------------

    def override(self, path: str, *, status: int = 200, body: Any = _UNSET,
                 patch: dict[str, Any] | None = None, drop: tuple[str, ...] = (),
                 raw: bytes | None = None, headers: dict[str, str] | None = None,
                 pad_to: int = 0, content_length: bool = True, trickle: float = 0.0,
                 times: int | None = None) -> None:
        """Answer the API path ``path`` (``"/movie/603"``, ``"/configuration"``; with or
        without ``/3``) otherwise, after authentication, whatever the query:

        * ``body``: this JSON value instead of the document (any type: a list, a string...);
        * ``patch`` / ``drop``: the usual document with these fields replaced / removed;
        * ``raw``: these bytes as the body, as they are;
        * ``status`` and ``headers``: e.g. ``status=429, headers={"Retry-After": "86400"}``;
        * ``pad_to``: the body padded with spaces (still valid JSON) to this many bytes, sent
          in 1 MiB chunks (never held in memory whole); ``content_length=False`` leaves out the
          Content-Length header (the body then ends when the connection closes);
        * ``trickle``: seconds between single bytes of the body;
        * ``times``: answer like this that many times, then normally again (None: until
          :meth:`clear_overrides`).
        """
        key = "/" + path.strip("/").removeprefix("3/")
        with self._lock:
            self._overrides[key] = Override(status, body, patch, tuple(drop), raw, headers,
                                            pad_to, content_length, trickle, times)

    def clear_overrides(self) -> None:
        with self._lock:
            self._overrides.clear()

    def _take_override(self, path: str) -> Override | None:
        key = "/" + path.strip("/").removeprefix("3/")
        with self._lock:
            found = self._overrides.get(key)
            if found is None:
                return None
            if found.times is not None:
                found.times -= 1
                if found.times <= 0:
                    del self._overrides[key]
            return found

    # -- serving --------------------------------------------------------------------------

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self._lock:
            (self._connections.add if add else self._connections.discard)(connection)

    def _answer(self, handler: _Handler, *, head: bool) -> None:
        if self.latency:
            time.sleep(self.latency)
        split = urlsplit(handler.path)
        path = unquote(split.path)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        headers = {"Cache-Control": "public, max-age=28800"}
        auth: str | None = None
        override: Override | None = None
        if path.startswith("/t/p/"):
            status, content_type, body = self._image(path)
            headers["Cache-Control"] = "public, max-age=31536000"
        else:
            content_type = "application/json;charset=utf-8"
            try:
                auth = self._check_gates(params, handler.headers.get("Authorization", ""),
                                         headers)
                override = self._take_override(path)
                if override is not None:
                    status, payload = self._overridden(override, path, params)
                    headers.update(override.headers or {})
                else:
                    status, payload = 200, self._route(path, params)
            except TMDBError as error:
                status, payload = error.http_status, error.body()
                headers["Cache-Control"] = "no-store"
            if override is not None and override.raw is not None:
                body = override.raw
            else:
                body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        if override is not None and (override.pad_to or override.trickle):
            self._log_request(handler, path, params, status, auth)
            self._send_slowly(handler, status, content_type, headers, body, override, head)
            return
        if status == 200:
            headers["ETag"] = f'W/"{hashlib.sha1(body).hexdigest()[:32]}"'
            given = handler.headers.get("If-None-Match", "")
            tags = {t.strip().removeprefix("W/") for t in given.split(",")}
            if headers["ETag"].removeprefix("W/") in tags or given.strip() == "*":
                status = 304
        self._log_request(handler, path, params, status, auth)
        try:
            handler.send_response(status)
            if status != 304:
                handler.send_header("Content-Type", content_type)
                handler.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            if not head and status != 304:
                handler.wfile.write(body)
        except OSError:
            handler.close_connection = True

    def _log_request(self, handler: _Handler, path: str, params: Mapping[str, str], status: int,
                     auth: str | None) -> None:
        with self._lock:
            self._log.append(RequestRecord(time.monotonic(), handler.command, path,
                                           {k: v for k, v in params.items() if k != "api_key"},
                                           status, auth))

    def _overridden(self, override: Override, path: str,
                    params: Mapping[str, str]) -> tuple[int, Any]:
        if override.body is not _UNSET:
            return override.status, override.body
        payload: Any = {}
        if override.raw is None:
            try:
                payload = self._route(path, params)
            except TMDBError as error:
                payload = error.body()
            if isinstance(payload, dict):
                payload = {k: v for k, v in {**payload, **(override.patch or {})}.items()
                           if k not in override.drop}
        return override.status, payload

    def _send_slowly(self, handler: _Handler, status: int, content_type: str,
                     headers: dict[str, str], body: bytes, override: Override,
                     head: bool) -> None:
        """A padded (huge) or trickling body; stops quietly when the client hangs up."""
        total = max(len(body), override.pad_to)
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            if override.content_length:
                handler.send_header("Content-Length", str(total))
            else:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            if head:
                return
            if override.trickle:
                padded = body + b" " * (total - len(body))
                for i in range(len(padded)):
                    handler.wfile.write(padded[i:i + 1])
                    handler.wfile.flush()
                    time.sleep(override.trickle)
                return
            handler.wfile.write(body)
            left, chunk = total - len(body), b" " * (1 << 20)
            while left > 0:
                handler.wfile.write(chunk[:left])
                left -= len(chunk)
        except OSError:
            handler.close_connection = True

    def _check_gates(self, params: Mapping[str, str], authorization: str,
                     headers: dict[str, str]) -> str:
        """Rate limit, authentication and injected failures, in the order TMDB's edge and
        backend apply them; returns the kind of authentication used."""
        with self._lock:
            if self.rate_limit is not None:
                limit, window = self.rate_limit
                now = time.monotonic()
                while self._window and self._window[0] <= now - window:
                    self._window.popleft()
                if len(self._window) >= limit:
                    wait = self._window[0] + window - now
                    headers["Retry-After"] = str(max(1, math.ceil(wait)))
                    raise TMDBError(429, 25, f"Your request count ({len(self._window) + 1}) is "
                                             f"over the allowed limit of ({limit}).")
                self._window.append(now)
        if "api_key" in params:
            if params["api_key"] != self.api_key:
                raise _invalid_key()
            auth = "api_key"
        elif authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or self.read_token is None \
                    or token.strip() != self.read_token:
                raise _invalid_key()
            auth = "bearer"
        else:
            raise _invalid_key()
        with self._lock:
            failed = self.fail_ratio > 0 and self._rng.random() < self.fail_ratio
        if failed:
            raise TMDBError(503, 9, "Service offline: This service is temporarily offline, "
                                    "try again later.")
        return auth

    def _route(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        parts = [p for p in path.split("/") if p]
        if not parts or parts[0] != "3":
            raise _not_found()
        parts = parts[1:]
        catalogue = self.catalogue
        match parts:
            case ["configuration"]:
                return {"change_keys": ["adult", "air_date", "also_known_as",
                                        "alternative_titles", "biography", "birthday",
                                        "budget", "cast", "certifications", "crew", "images",
                                        "name", "overview", "release_dates", "runtime",
                                        "title", "videos"],
                        "images": {"base_url": self.image_base_url,
                                   "secure_base_url": self.image_base_url, **IMAGE_SIZES}}
            case ["authentication"]:
                return {"success": True, "status_code": 1, "status_message": "Success."}
            case ["search", "movie"]:
                return catalogue.search_movie(params)
            case ["search", "tv"]:
                return catalogue.search_tv(params)
            case ["search", "multi"]:
                return catalogue.search_multi(params)
            case ["genre", ("movie" | "tv") as kind, "list"]:
                return {"genres": catalogue.genres.get(kind, [])}
            case ["find", external_id]:
                return catalogue.find(external_id, params)
            case [("movie" | "tv") as kind, item_id] if item_id.isdigit():
                return catalogue.details(kind, int(item_id), params.get("append_to_response", ""),
                                         params.get("language", ""))
            case [("movie" | "tv") as kind, item_id, name] if item_id.isdigit():
                return catalogue.part(kind, int(item_id), name)
            case ["tv", show, "season", number] if show.isdigit() and number.isdigit():
                return localised_season(catalogue.season(int(show), int(number)),
                                        params.get("language", ""))
            case ["tv", show, "season", number, "episode", episode] \
                    if show.isdigit() and number.isdigit() and episode.isdigit():
                found = localised(catalogue.episode(int(show), int(number), int(episode)),
                                  params.get("language", ""))
                return {k: v for k, v in found.items() if k != "_translations"}
        raise _not_found()

    def _image(self, path: str) -> tuple[int, str, bytes]:
        match path.split("/"):
            case ["", "t", "p", size, name] if name and any(size in s for s in IMAGE_SIZES.values()):
                kind = self.catalogue.image_kinds.get("/" + name)
                if kind is not None:
                    with self._lock:
                        if name not in self._jpegs:
                            width, height = IMAGE_DIMENSIONS.get(kind, (20, 30))
                            self._jpegs[name] = tiny_jpeg(width, height,
                                                          28 + zlib.crc32(name.encode()) % 200)
                        return 200, "image/jpeg", self._jpegs[name]
        return 404, "text/plain", b"Not Found"


def main(argv: list[str] | None = None) -> None:
    """Serve the bundled snapshot until Ctrl-C (for trying a client by hand)."""
    parser = argparse.ArgumentParser(prog="python -m shelver.plugins.tmdb.fake.tmdb_server",
                                     description=main.__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api-key", default="demo-key")
    parser.add_argument("--read-token", default="demo-token")
    parser.add_argument("--snapshot", type=Path, help="a snapshot JSON file (default: bundled)")
    parser.add_argument("--rate-limit", metavar="N/SECONDS", help='e.g. "40/10"')
    parser.add_argument("--fail-ratio", type=float, default=0.0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    args = parser.parse_args(argv)
    rate = None
    if args.rate_limit:
        count, _, seconds = args.rate_limit.partition("/")
        rate = (int(count), float(seconds or 1))
    fake = FakeTMDB(load_snapshot(args.snapshot), api_key=args.api_key,
                    read_token=args.read_token, rate_limit=rate, fail_ratio=args.fail_ratio,
                    latency=args.latency, host=args.host, port=args.port)
    base_url = fake.start()
    # The key itself is never printed: say where it came from instead.
    print(f"TMDB look-alike at {base_url} (images {fake.image_base_url}); auth: the --api-key "
          "value as api_key, or --read-token as Bearer. Ctrl-C stops.", file=sys.stderr)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
