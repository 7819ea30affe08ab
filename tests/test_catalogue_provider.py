"""The example provider in examples/shelver-catalogue: files identified from a local JSON
catalogue through ``shelver.api`` alone (docs/plugins.md, "Write a provider").

Fast: its scoring and the :class:`Metadata` it builds, in process on a real plugin manager; its
run check's one-line errors and a review offering its candidates, as real ``shelver``
subprocesses. Slow (one test body, run for each provider): with ``plugins.disable = ["tmdb"]`` it
organises a folder of movies and episodes end to end (layout, NFOs, artwork from a loopback
server, MP4 tags, review, undo), and the built-in TMDB plugin does the same against the loopback
TMDB look-alike.
The package is installed with pip into a private target, as tests/test_example_plugin.py does.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import re
import sys
import threading
import tomllib
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import REPO, json_lines, shelver, write_profile
from shelver.api import (
    ConfigError,
    DownloaderHints,
    Identity,
    Item,
    NotFoundError,
    ParsedName,
)
from shelver.manager import get_plugin_manager
from test_example_plugin import pip_install

EXAMPLE = REPO / "examples" / "shelver-catalogue"
MODULE = EXAMPLE / "shelver_catalogue" / "__init__.py"


def jpeg(colour: tuple[int, int, int]) -> bytes:
    """A real, tiny JPEG of one colour (each piece of artwork gets its own)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (12, 18), colour).save(out, "JPEG")
    return out.getvalue()


ART = {name: jpeg(colour) for name, colour in {
    "wedding-poster.jpg": (200, 30, 30), "wedding-fanart.jpg": (30, 200, 30),
    "concert-poster.jpg": (30, 30, 200), "party-2016-poster.jpg": (200, 200, 30),
    "garden-poster.jpg": (30, 200, 200), "garden-fanart.jpg": (200, 30, 200),
    "garden-s1-poster.jpg": (120, 60, 0), "garden-s1e1.jpg": (0, 60, 120),
    "garden-s1e2.jpg": (60, 0, 120)}.items()}


def catalogue_data(base: str) -> dict[str, Any]:
    """A catalogue as a person keeps one: relative artwork under ``image_base``, one absolute URL."""
    return {
        "image_base": f"{base}/art/",
        "movies": [
            {"id": "m1", "title": "Our Wedding", "year": 2016, "premiered": "2016-06-18",
             "plot": "From the first dance to the last bus home.", "runtime": 94,
             "genres": ["Family"], "studios": ["Uncle Tom's Camcorder"], "certification": "U",
             "people": [{"name": "Ana Reis", "role": "Bride"},
                        {"name": "Tom Reis", "department": "directing", "role": "Director"}],
             "artwork": {"poster": "wedding-poster.jpg", "fanart": "wedding-fanart.jpg"},
             "ids": {"imdb": "tt9900001"}},
            {"id": "m2", "title": "Lisbon Concert", "original_title": "Concerto de Lisboa",
             "year": 2021, "genres": ["Music"], "artwork": {"poster": "concert-poster.jpg"}},
            {"id": "m3", "title": "Birthday Party", "year": 2015},
            {"id": "m4", "title": "Birthday Party", "year": 2016,
             "artwork": {"poster": "party-2016-poster.jpg"}},
        ],
        "shows": [
            {"id": "s1", "title": "Garden Diaries", "year": 2020, "premiered": "2020-03-01",
             "plot": "A year in a small garden.", "genres": ["Documentary"],
             "certification": "TV-G", "people": [{"name": "Rosa Lima", "role": "Herself"}],
             "artwork": {"poster": "garden-poster.jpg",
                         "fanart": f"{base}/elsewhere/garden-fanart.jpg"},
             "ids": {"tvdb": "70001"},
             "seasons": [{"number": 1, "name": "Spring", "poster": "garden-s1-poster.jpg",
                          "episodes": [
                              {"number": 1, "id": "s1e1", "title": "First Frost",
                               "plot": "Too early.", "aired": "2020-03-01",
                               "thumb": "garden-s1e1.jpg"},
                              {"number": 2, "id": "s1e2", "title": "Planting Bulbs",
                               "aired": "2020-03-08", "thumb": "garden-s1e2.jpg"}]}]},
        ],
    }


# ---------------------------------------------------------------------------------------------
# In process: the module from the example's source, on a real plugin manager
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plugin() -> ModuleType:
    spec = importlib.util.spec_from_file_location("shelver_catalogue", MODULE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["shelver_catalogue"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def pm(plugin: ModuleType) -> Any:
    """tests/conftest.py's ``pm`` for this module: tmdb disabled, the catalogue plugin registered
    as "catalogue" (the shared ``make_ctx`` builds its contexts on it)."""
    pm = get_plugin_manager(disable=["tmdb"])
    pm.register(plugin, name="catalogue")
    return pm


@pytest.fixture
def cat(tmp_path: Path, plugin: ModuleType) -> Any:
    (tmp_path / "catalogue.json").write_text(json.dumps(catalogue_data("http://art.test")))
    return plugin.load(tmp_path / "catalogue.json")


def test_titles_compare_without_accents_case_punctuation_or_article(plugin: ModuleType) -> None:
    assert plugin.normalise("The Café & Co.") == "cafe and co"
    assert plugin.similarity("Lisbon.Concert", "lisbon concert") == 1.0
    assert 0.9 < plugin.similarity("Lisbon Concerts", "Lisbon Concert") < 1.0
    assert plugin.similarity("Our Wedding", "Garden Diaries") < 0.4


def test_scores_title_year_and_kind(plugin: ModuleType, cat: Any) -> None:
    wedding, concert = cat.entries[("movie", "m1")], cat.entries[("movie", "m2")]
    garden = cat.entries[("tv", "s1")]

    def score(entry_kind: str, entry: dict[str, Any], **parsed: Any) -> float:
        return float(plugin.score(ParsedName(**parsed), entry_kind, entry))

    assert score("movie", wedding, kind="movie", title="Our Wedding", year=2016) == 1.0
    assert score("movie", wedding, kind="movie", title="Our Wedding", year=2017) == 0.9
    assert score("movie", wedding, kind="movie", title="Our Wedding", year=2019) == 0.6
    assert score("movie", wedding, title="Our Wedding") == 0.9  # a movie's year unknown
    assert score("movie", wedding, kind="episode", title="Our Wedding", year=2016) == 0.6
    assert score("movie", concert, kind="movie", title="Concerto de Lisboa", year=2021) == 1.0
    assert score("tv", garden, kind="episode", title="Garden Diaries", season=1,
                 episodes=[2]) == 1.0  # a show's year is rarely in an episode's name
    assert score("tv", garden, kind="episode", title="Garden Diary", season=1) < 1.0


def test_identifies_a_sure_entry_else_offers_candidates(plugin: ModuleType, cat: Any) -> None:
    movie = plugin.identify(cat, ParsedName(kind="movie", title="Our Wedding", year=2016), 0.8)
    assert movie.identity == Identity("catalogue", "movie", "m1")
    assert movie.confidence == 1.0 and movie.release_date == "2016-06-18"
    assert movie.metadata.provider == "catalogue" and movie.metadata.title == "Our Wedding"

    episode = plugin.identify(cat, ParsedName(kind="episode", title="Garden Diaries", season=1,
                                              episodes=[2]), 0.8)
    assert episode.identity == Identity("catalogue", "tv", "s1", 1, [2])
    assert episode.release_date == "2020-03-08"  # the matched episode's air date

    # Two entries equally sure: a person decides between them.
    party = plugin.identify(cat, ParsedName(title="Birthday Party"), 0.8)
    assert party.identity is None and party.confidence == 0.9
    assert [(c["provider"], c["type"], c["id"], c["year"]) for c in party.candidates] == [
        ("catalogue", "movie", "m3", 2015), ("catalogue", "movie", "m4", 2016)]
    # Sure of the show, but the catalogue lacks the episode: review, the show as candidate.
    missing = plugin.identify(cat, ParsedName(kind="episode", title="Garden Diaries", season=1,
                                              episodes=[9]), 0.8)
    assert missing.identity is None and [c["id"] for c in missing.candidates] == ["s1"]
    # Below min_confidence: review.
    assert plugin.identify(cat, ParsedName(kind="movie", title="Our Wedding", year=2017),
                           0.95).identity is None
    # Nothing like it in the catalogue: not this provider's to answer.
    assert plugin.identify(cat, ParsedName(kind="movie", title="Zyxw Qrst"), 0.8) is None


def test_metadata_is_built_from_the_entry(plugin: ModuleType, cat: Any) -> None:
    movie = plugin.metadata(cat, Identity("catalogue", "movie", "m1"))
    assert (movie.kind, movie.title, movie.year, movie.premiered, movie.runtime) == (
        "movie", "Our Wedding", 2016, "2016-06-18", 94)
    assert list(movie.ids.items()) == [("catalogue", "m1"), ("imdb", "tt9900001")]
    assert [(i.kind, i.url) for i in movie.images] == [
        ("poster", "http://art.test/art/wedding-poster.jpg"),
        ("fanart", "http://art.test/art/wedding-fanart.jpg")]
    assert [(p.name, p.department, p.role, p.order) for p in movie.people] == [
        ("Ana Reis", "cast", "Bride", 0), ("Tom Reis", "directing", "Director", 1)]
    assert movie.genres == ["Family"] and movie.certification == "U"

    show = plugin.metadata(cat, Identity("catalogue", "tv", "s1", 1, [1, 2]))
    assert show.ids == {"catalogue": "s1", "tvdb": "70001"}
    assert show.image("fanart") == "http://art.test/elsewhere/garden-fanart.jpg"  # absolute kept
    assert show.image("season-poster", season=1) == "http://art.test/art/garden-s1-poster.jpg"
    # Each matched episode's still, as an image of that episode (the file's -thumb.jpg).
    assert [(i.url, i.season, getattr(i, "episode", None)) for i in show.images
            if i.kind == "thumb"] == [("http://art.test/art/garden-s1e1.jpg", 1, 1),
                                      ("http://art.test/art/garden-s1e2.jpg", 1, 2)]
    assert show.season is not None and (show.season.number, show.season.name) == (1, "Spring")
    assert [(e.season, e.number, e.title, e.aired, e.thumb, e.ids) for e in show.episodes] == [
        (1, 1, "First Frost", "2020-03-01", "http://art.test/art/garden-s1e1.jpg",
         {"catalogue": "s1e1"}),
        (1, 2, "Planting Bulbs", "2020-03-08", "http://art.test/art/garden-s1e2.jpg",
         {"catalogue": "s1e2"})]
    with pytest.raises(NotFoundError, match="catalogue:movie/m9"):
        plugin.metadata(cat, Identity("catalogue", "movie", "m9"))


def test_hooks_answer_for_the_catalogue_only(tmp_path: Path, make_ctx: Any) -> None:
    (tmp_path / "catalogue.json").write_text(json.dumps(catalogue_data("http://art.test")))
    ctx = make_ctx(profile_path=tmp_path / "home.toml",
                   catalogue={"path": "catalogue.json"})  # relative to the profile's folder
    ctx.pm.hook.shelver_run_check(ctx=ctx)
    hook = ctx.pm.hook
    # A person's review decision: that identity, without a search, with confidence 1.0.
    item = Item(path=tmp_path / "Birthday.Party.mkv", source=tmp_path / "Birthday.Party.mkv",
                parsed=ParsedName(title="Birthday Party"),
                forced=Identity("catalogue", "movie", "m4"))
    match = hook.shelver_match(item=item, ctx=ctx)
    assert match.identity == Identity("catalogue", "movie", "m4") and match.confidence == 1.0
    assert (match.metadata.title, match.metadata.year) == ("Birthday Party", 2016)
    # Another provider's decision is that provider's to answer (tmdb is disabled here).
    item.forced = Identity("tmdb", "movie", "603")
    assert hook.shelver_match(item=item, ctx=ctx) is None
    found = hook.shelver_fetch_metadata(identity=Identity("catalogue", "tv", "s1", 1, [1]),
                                        ctx=ctx)
    assert found.title == "Garden Diaries" and [e.title for e in found.episodes] == ["First Frost"]
    assert hook.shelver_fetch_metadata(identity=Identity("tmdb", "movie", "603"), ctx=ctx) is None
    # What a downloader said wins over an unreadable name.
    item.forced = None
    item.parsed = ParsedName(title="a8f3c2d1e0")
    item.hints = DownloaderHints(client="radarr", kind="movie", title="Our Wedding", year=2016)
    assert hook.shelver_match(item=item, ctx=ctx).identity == Identity("catalogue", "movie", "m1")
    # Without catalogue.path the plugin stays out of the way.
    idle = make_ctx(profile_path=tmp_path / "home.toml")
    idle.pm.hook.shelver_run_check(ctx=idle)
    assert idle.pm.hook.shelver_match(item=item, ctx=idle) is None
    assert idle.pm.hook.shelver_fetch_metadata(identity=Identity("catalogue", "movie", "m1"),
                                               ctx=idle) is None


@pytest.mark.parametrize(("content", "problem"), [
    (None, "no such file"),
    ('{"movies": [{"id": "m1", "title": "Our Wedding",}]}', "not valid JSON"),
    ('[1, 2]', 'not a JSON object with "movies" and "shows" lists'),
    ('{"movies": [{"title": "Our Wedding"}]}', 'movies[0] needs an "id" and a "title"'),
    ('{"shows": [{"id": "s1", "title": "G", "seasons": [{"episodes": []}]}]}',
     'shows[0]: "seasons" must list seasons and episodes, each with a "number"'),
    ('{"movies": [{"id": "m1", "title": "A"}, {"id": "m1", "title": "B"}]}',
     "movies[1]: the id 'm1' is used twice"),
])
def test_a_bad_catalogue_is_one_line_naming_the_file(tmp_path: Path, make_ctx: Any,
                                                     content: str | None, problem: str) -> None:
    if content is not None:
        (tmp_path / "catalogue.json").write_text(content)
    ctx = make_ctx(profile_path=tmp_path / "home.toml", catalogue={"path": "catalogue.json"})
    with pytest.raises(ConfigError) as raised:
        ctx.pm.hook.shelver_run_check(ctx=ctx)
    message = str(raised.value)
    assert message.startswith(f"catalogue {tmp_path / 'catalogue.json'}: {problem}")
    assert message.endswith(f"(catalogue.path in {tmp_path / 'home.toml'})")
    assert "\n" not in message


def test_min_confidence_must_be_a_share(tmp_path: Path, make_ctx: Any) -> None:
    ctx = make_ctx(profile_path=tmp_path / "home.toml", catalogue={"min_confidence": 1.5})
    with pytest.raises(ConfigError, match=r"catalogue.min_confidence = 1.5 must be .* at most 1"):
        ctx.pm.hook.shelver_run_check(ctx=ctx)


# ---------------------------------------------------------------------------------------------
# Installed with pip, run as a user runs it
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example installed with pip into a private target folder; returns that folder."""
    return pip_install(EXAMPLE, tmp_path_factory, "catalogue")


def env_with(installed: Path) -> dict[str, str]:
    return {"PYTHONPATH": str(installed), "SHELVER_LOAD_PLUGINS": "catalogue"}


def home_profile(tmp_path: Path, **catalogue: Any) -> Path:
    """downloads → library under tmp_path, TMDB disabled, the catalogue beside the profile."""
    (tmp_path / "downloads").mkdir(exist_ok=True)
    return write_profile(tmp_path / "home.toml", {
        "name": "home", "mode": "inplace", "sources": [str(tmp_path / "downloads")],
        "dest_dir": str(tmp_path / "library"), "state_db": str(tmp_path / "state.db"),
        "filters": {"min_size_mb": 0}, "plugins": {"disable": ["tmdb"]},
        "catalogue": {"path": "catalogue.json", **catalogue}})


def test_pyproject_declares_the_provider() -> None:
    meta = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["entry-points"]["shelver"] == {"catalogue": "shelver_catalogue"}
    imports = re.findall(r"^\s*(?:from|import) (shelver\S*)", MODULE.read_text(encoding="utf-8"),
                         re.MULTILINE)
    assert imports == ["shelver.api"]  # the public API, nothing else of shelver


@pytest.mark.parametrize(("content", "problem"), [
    (None, "no such file"), ('{"movies": [', "not valid JSON (Expecting value, line 1 column 13)")])
def test_a_missing_or_broken_catalogue_stops_the_run(installed: Path, tmp_path: Path, video: Any,
                                                     content: str | None, problem: str) -> None:
    profile = home_profile(tmp_path)
    if content is not None:
        (tmp_path / "catalogue.json").write_text(content)
    source = video(tmp_path / "downloads" / "Our.Wedding.2016.mp4", 60)
    done = shelver("run", "-p", str(profile), env=env_with(installed))
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"shelver: error: catalogue {tmp_path / 'catalogue.json'}: {problem} "
        f"(catalogue.path in {profile})"]
    assert source.is_file() and not (tmp_path / "library").exists()


def test_an_unsure_file_waits_for_review_with_the_catalogue_candidates(
        installed: Path, tmp_path: Path, video: Any) -> None:
    profile = home_profile(tmp_path)
    (tmp_path / "catalogue.json").write_text(json.dumps(catalogue_data("http://art.test")))
    source = video(tmp_path / "downloads" / "Birthday.Party.mkv", 60)
    listed = shelver("plugins", "-p", str(profile), "--json", env=env_with(installed))
    plugins = {entry["name"]: entry for entry in json_lines(listed.stdout)}
    assert "tmdb" not in plugins and "shelver-catalogue 0.1.0" in plugins["catalogue"]["origin"]
    assert {"shelver_match", "shelver_fetch_metadata", "shelver_run_check"} <= set(
        plugins["catalogue"]["hooks"])

    done = shelver("run", "-p", str(profile), "--json", env=env_with(installed))
    assert done.returncode == 0, done.stderr
    [record] = json_lines(done.stdout)
    assert record["status"] == "review" and record["identity"] is None
    review = shelver("review", "-p", str(profile), "--json", env=env_with(installed))
    [waiting] = json_lines(review.stdout)
    assert waiting["path"] == str(source)
    assert [(c["provider"], c["type"], c["id"], c["title"], c["year"])
            for c in waiting["candidates"]] == [
        ("catalogue", "movie", "m3", "Birthday Party", 2015),
        ("catalogue", "movie", "m4", "Birthday Party", 2016)]


# ---------------------------------------------------------------------------------------------
# End to end: a folder of movies and episodes, by the catalogue and by TMDB
# ---------------------------------------------------------------------------------------------


class ArtServer:
    """The catalogue's artwork on loopback: ``ART`` under /art/, the show's fanart elsewhere."""

    def __init__(self) -> None:
        served = {f"/art/{name}": data for name, data in ART.items()}
        served["/elsewhere/garden-fanart.jpg"] = served.pop("/art/garden-fanart.jpg")
        self.requested: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                outer.requested.append(self.path)
                body = served.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "image/jpeg" if body else "text/plain")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)


@pytest.fixture
def art_server() -> Iterator[ArtServer]:
    server = ArtServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def uniqueids(nfo: Path) -> tuple[str, dict[str, str]]:
    """The NFO's root tag and its ``{type: id}`` uniqueids, the default one under "default"."""
    root = ET.parse(nfo).getroot()
    ids = {u.get("type") or "": u.text or "" for u in root.findall("uniqueid")}
    [default] = [(u.get("type"), u.text) for u in root.findall("uniqueid")
                 if u.get("default") == "true"]
    return root.tag, {**ids, "default": f"{default[0]}:{default[1]}"}


def served(url: str) -> bytes:
    """The bytes a loopback image server sends for ``url``."""
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (a loopback http URL)
        return bytes(answer.read())


@dataclass
class Provider:
    """One provider's side of the end-to-end test: its profile settings, downloads named for works
    it knows, and what it must make of each (every expectation of the test body)."""

    name: str
    settings: dict[str, Any]  # the profile's settings beside sources, dest_dir and state_db
    env: dict[str, str]
    movie: str  # an MP4 with an audio track, at the top of the downloads
    release: str  # a folder holding "<release>.mkv" and "<release>.en.srt"
    episodes: tuple[str, str]  # two episodes of one season: an MKV, then an MP4
    unsure: str  # a name the provider leaves for review, with candidates
    identities: dict[str, dict[str, Any] | None]  # by source file name
    candidates: list[tuple[str, str]]  # (provider, id) of the unsure file's candidates, in order
    choice: str  # the ``--id`` a person settles the unsure file with
    layout: dict[str, str]  # library-relative destination by source name (unsure: after review)
    movie_ids: dict[str, str]  # the MP4 movie's NFO uniqueids, the default one under "default"
    show_ids: dict[str, str]  # tvshow.nfo's
    episode_default: str  # the first episode's default uniqueid, "type:id"
    episode_title: str
    plot: str  # the MP4 movie's
    choice_default: str  # the settled file's default uniqueid
    art: dict[str, bytes]  # the served bytes of each piece of artwork, by role
    movie_tags: tuple[str, str, list[str]]  # ©nam, the year ©day starts with, ©gen
    episode_tags: tuple[str, str, int, int]  # the MP4 episode's ©nam, tvsh, tvsn, tves


def catalogue_provider(tmp_path: Path, installed: Path, art: ArtServer) -> Provider:
    """The example catalogue, TMDB disabled, artwork from the loopback ``ArtServer``."""
    (tmp_path / "catalogue.json").write_text(json.dumps(catalogue_data(art.base_url)))
    wedding = "Our Wedding (2016) {imdb-tt9900001}"
    garden = "TV/Garden Diaries (2020) {tvdb-70001}/Season 01/Garden Diaries (2020)"
    return Provider(
        name="catalogue", settings={"plugins": {"disable": ["tmdb"]},
                                    "catalogue": {"path": "catalogue.json"}},
        env=env_with(installed), movie="Our.Wedding.2016.1080p.mp4",
        release="Lisbon.Concert.2021",
        episodes=("Garden.Diaries.S01E01.mkv", "Garden.Diaries.S01E02.Planting.Bulbs.mp4"),
        unsure="Birthday.Party.mkv",  # two catalogue entries fit
        identities={
            "Our.Wedding.2016.1080p.mp4": {"provider": "catalogue", "kind": "movie", "id": "m1"},
            "Lisbon.Concert.2021.mkv": {"provider": "catalogue", "kind": "movie", "id": "m2"},
            "Garden.Diaries.S01E01.mkv": {"provider": "catalogue", "kind": "tv", "id": "s1",
                                          "season": 1, "episodes": [1]},
            "Garden.Diaries.S01E02.Planting.Bulbs.mp4": {
                "provider": "catalogue", "kind": "tv", "id": "s1", "season": 1, "episodes": [2]},
            "Birthday.Party.mkv": None},
        candidates=[("catalogue", "m3"), ("catalogue", "m4")], choice="catalogue:movie/m4",
        layout={"Our.Wedding.2016.1080p.mp4": f"Movies/{wedding}/{wedding}.mp4",
                "Lisbon.Concert.2021.mkv": "Movies/Lisbon Concert (2021)/Lisbon Concert (2021).mkv",
                "Garden.Diaries.S01E01.mkv": f"{garden} - S01E01 - First Frost.mkv",
                "Garden.Diaries.S01E02.Planting.Bulbs.mp4": f"{garden} - S01E02 - Planting Bulbs.mp4",
                "Birthday.Party.mkv": "Movies/Birthday Party (2016)/Birthday Party (2016).mkv"},
        movie_ids={"catalogue": "m1", "imdb": "tt9900001", "default": "catalogue:m1"},
        show_ids={"catalogue": "s1", "tvdb": "70001", "default": "catalogue:s1"},
        episode_default="catalogue:s1e1", episode_title="First Frost",
        plot="From the first dance to the last bus home.", choice_default="catalogue:m4",
        art={"movie-poster": ART["wedding-poster.jpg"], "movie-fanart": ART["wedding-fanart.jpg"],
             "show-poster": ART["garden-poster.jpg"], "show-fanart": ART["garden-fanart.jpg"],
             "season-poster": ART["garden-s1-poster.jpg"], "thumb": ART["garden-s1e1.jpg"],
             "choice-poster": ART["party-2016-poster.jpg"]},
        movie_tags=("Our Wedding", "2016", ["Family"]),
        episode_tags=("Planting Bulbs", "Garden Diaries", 1, 2))


def tmdb_provider(tmdb: Any) -> Provider:
    """The built-in TMDB plugin against the loopback look-alike (plugins/tmdb/fake/): works from
    its snapshot, artwork served by it too."""
    image = f"{tmdb.image_base_url}original"
    matrix, dune = "The Matrix (1999) {tmdb-603}", "Dune (2021) {tmdb-438631}"
    show = "TV/Breaking Bad (2008) {tmdb-1396}/Season 05/Breaking Bad (2008)"
    return Provider(
        name="tmdb", settings={"tmdb": {"base_url": tmdb.base_url, "api_key": tmdb.api_key}},
        env={}, movie="The.Matrix.1999.1080p.mp4", release="Inception.2010",
        episodes=("Breaking.Bad.S05E13.mkv", "Breaking.Bad.S05E14.Ozymandias.mp4"),
        unsure="Dune.mkv",  # three films and a documentary: no year to tell them apart
        identities={
            "The.Matrix.1999.1080p.mp4": {"provider": "tmdb", "kind": "movie", "id": "603"},
            "Inception.2010.mkv": {"provider": "tmdb", "kind": "movie", "id": "27205"},
            "Breaking.Bad.S05E13.mkv": {"provider": "tmdb", "kind": "tv", "id": "1396",
                                        "season": 5, "episodes": [13]},
            "Breaking.Bad.S05E14.Ozymandias.mp4": {"provider": "tmdb", "kind": "tv",
                                                   "id": "1396", "season": 5, "episodes": [14]},
            "Dune.mkv": None},
        candidates=[("tmdb", "693134"), ("tmdb", "438631"), ("tmdb", "841"), ("tmdb", "209403")],
        choice="tmdb:movie/438631",
        layout={"The.Matrix.1999.1080p.mp4": f"Movies/{matrix}/{matrix}.mp4",
                "Inception.2010.mkv": "Movies/Inception (2010) {tmdb-27205}/"
                                      "Inception (2010) {tmdb-27205}.mkv",
                "Breaking.Bad.S05E13.mkv": f"{show} - S05E13 - To'hajiilee.mkv",
                "Breaking.Bad.S05E14.Ozymandias.mp4": f"{show} - S05E14 - Ozymandias.mp4",
                "Dune.mkv": f"Movies/{dune}/{dune}.mkv"},
        movie_ids={"tmdb": "603", "imdb": "tt0133093", "wikidata": "Q83495",
                   "default": "tmdb:603"},
        show_ids={"tmdb": "1396", "imdb": "tt0903747", "tvdb": "81189", "wikidata": "Q1079",
                  "default": "tmdb:1396"},
        episode_default="tmdb:3940957", episode_title="To'hajiilee",
        plot="A hacker learns that the world he lives in is a simulation run by machines and "
             "joins the rebellion against them.", choice_default="tmdb:438631",
        art={"movie-poster": served(f"{image}/oKEseUsoEh4hvq3c4zmFEShszAY.jpg"),
             "movie-fanart": served(f"{image}/XOH1oSe7WKH5MM6KQyCJ7AXCLyC.jpg"),
             "show-poster": served(f"{image}/STF0Qhcs7UzagTwwvoA0fSnkQMT.jpg"),
             "show-fanart": served(f"{image}/DJnFf0u4CC5MzrI0XK9EM8nWZ88.jpg"),
             "season-poster": served(f"{image}/iKr0Dm3N0GHqExqFNfUEMYpAFE3.jpg"),
             "thumb": served(f"{image}/0zDcCy0iRZW0JCi4gXLsEFAEAZ3.jpg"),
             "choice-poster": served(f"{image}/fhtguQEa5WTi7IsXssY5JcL0G2O.jpg")},
        movie_tags=("The Matrix", "1999", ["Action"]),
        episode_tags=("Ozymandias", "Breaking Bad", 5, 14))


@pytest.fixture(params=["catalogue", "tmdb"])
def provider(request: pytest.FixtureRequest, tmp_path: Path) -> Provider:
    if request.param == "catalogue":
        return catalogue_provider(tmp_path, request.getfixturevalue("installed"),
                                  request.getfixturevalue("art_server"))
    return tmdb_provider(request.getfixturevalue("tmdb_server"))


@pytest.mark.slow
def test_a_folder_organised_reviewed_and_undone(tmp_path: Path, video: Any,
                                                provider: Provider) -> None:
    """The "Done when" of a second provider, run for the catalogue (TMDB disabled) and for TMDB."""
    from mutagen.mp4 import MP4

    downloads, library = tmp_path / "downloads", tmp_path / "library"
    profile = write_profile(tmp_path / "home.toml", {
        "name": "home", "mode": "inplace", "sources": [str(downloads)],
        "dest_dir": str(library), "state_db": str(tmp_path / "state.db"),
        "filters": {"min_size_mb": 0}, **provider.settings})
    video(downloads / provider.movie, 5640, seed=1, audio=True)
    release = downloads / provider.release
    video(release / f"{provider.release}.mkv", 4200, seed=2)
    (release / f"{provider.release}.en.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nOlá\n")
    video(downloads / provider.episodes[0], 1500, seed=3)
    video(downloads / provider.episodes[1], 1500, seed=4)
    video(downloads / provider.unsure, 900, seed=5)
    before = digests(downloads)
    env = provider.env

    done = shelver("run", "-p", str(profile), "--json", env=env)
    records = {Path(r["source"]).name: r for r in json_lines(done.stdout)}
    # Identification: what the provider decided, file by file.
    assert {name: r["identity"] for name, r in records.items()} == provider.identities, done.stderr
    review = shelver("review", "-p", str(profile), "--json", env=env)
    [waiting] = json_lines(review.stdout)
    assert [(c["provider"], str(c["id"])) for c in waiting["candidates"]] == provider.candidates

    # Everything else was organised into the Plex/Jellyfin layout.
    assert done.returncode == 0, done.stderr
    assert {name: r["status"] for name, r in records.items()} == {
        **{name: "organised" for name in records}, provider.unsure: "review"}, done.stderr
    placed = {name: Path(r["destination"]).relative_to(library).as_posix()
              for name, r in records.items() if r["status"] == "organised"}
    assert placed == {name: path for name, path in provider.layout.items()
                      if name != provider.unsure}
    movie = library / placed[provider.movie]
    first, second = (library / placed[name] for name in provider.episodes)
    movie_dir, show_dir = movie.parent, first.parent.parent
    concert_video = library / placed[f"{provider.release}.mkv"]
    assert concert_video.with_name(concert_video.stem + ".en.srt").is_file()

    # NFOs: the provider's id is the default uniqueid, the external ids follow.
    assert uniqueids(movie.with_suffix(".nfo")) == ("movie", provider.movie_ids)
    assert uniqueids(show_dir / "tvshow.nfo") == ("tvshow", provider.show_ids)
    episode_nfo = first.with_suffix(".nfo")
    assert uniqueids(episode_nfo)[1]["default"] == provider.episode_default
    assert ET.parse(episode_nfo).getroot().findtext("title") == provider.episode_title
    assert ET.parse(movie.with_suffix(".nfo")).getroot().findtext("plot") == provider.plot

    # Artwork: the served bytes, from the provider's URLs.
    season = provider.episode_tags[2]
    assert (movie_dir / "poster.jpg").read_bytes() == provider.art["movie-poster"]
    assert (movie_dir / "fanart.jpg").read_bytes() == provider.art["movie-fanart"]
    assert (show_dir / "poster.jpg").read_bytes() == provider.art["show-poster"]
    assert (show_dir / "fanart.jpg").read_bytes() == provider.art["show-fanart"]
    assert (show_dir / f"season{season:02d}-poster.jpg").read_bytes() == provider.art[
        "season-poster"]
    assert first.with_name(f"{first.stem}-thumb.jpg").read_bytes() == provider.art["thumb"]

    # MP4 tags, read back with mutagen.
    title, year, genres = provider.movie_tags
    movie_tags = MP4(movie).tags
    assert movie_tags["©nam"] == [title] and movie_tags["©day"][0].startswith(year)
    assert movie_tags["stik"] == [9] and movie_tags["©gen"] == genres
    assert bytes(movie_tags["covr"][0]) == provider.art["movie-poster"]
    episode_title, show, season, number = provider.episode_tags
    episode_tags = MP4(second).tags
    assert episode_tags["©nam"] == [episode_title] and episode_tags["stik"] == [10]
    assert episode_tags["tvsh"] == [show]
    assert episode_tags["tvsn"] == [season] and episode_tags["tves"] == [number]

    # A person settles the unsure file; it is organised under that identity.
    chosen = shelver("review", "-p", str(profile), "set", str(waiting["item"]),
                     "--id", provider.choice, env=env)
    assert chosen.returncode == 0, chosen.stderr
    settled = library / provider.layout[provider.unsure]
    assert settled.is_file()
    assert uniqueids(settled.with_suffix(".nfo"))[1]["default"] == provider.choice_default
    assert (settled.parent / "poster.jpg").read_bytes() == provider.art["choice-poster"]
    assert not (downloads / provider.unsure).exists()

    # Undo every run, newest first: the downloads come back byte for byte, no media is left.
    undone = 0
    while (undo := shelver("undo", "-p", str(profile), env=env)).returncode == 0:
        undone += 1
    assert undone == 2 and "no run to undo" in undo.stderr, undo.stderr
    assert digests(downloads) == before
    assert not [p for p in library.rglob("*") if p.is_file()]
