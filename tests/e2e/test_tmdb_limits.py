"""End to end: what shelver asks TMDB, how often, and how it copes when TMDB pushes back.

The real CLI as a subprocess, real tiny video files, the loopback TMDB look-alike. "API
requests" are the ones under ``/3/`` (images under ``/t/p/`` are not TMDB API calls).

About the credential check: a run starts with one ``/3/configuration`` request unless the same
key (an HMAC fingerprint of key, token and base URL under a per-DB salt; never the key) was
accepted within the last day. So a second run whose lookups are all cached makes zero requests,
while a different key (a typo, another profile) is always checked before any file is touched:
a wrong key on a fully cached state DB is checked to still exit 2 with nothing touched.
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BIN, json_lines, shelver

VIDEO_EXTS = (".mkv", ".mp4", ".avi")

# Distinct films of the bundled snapshot, unambiguous with their year: (tmdb id, title, year,
# runtime in minutes).
FILMS = [
    (603, "The Matrix", 1999, 136), (550, "Fight Club", 1999, 139), (597, "Titanic", 1997, 194),
    (862, "Toy Story", 1995, 81), (680, "Pulp Fiction", 1994, 154),
    (27205, "Inception", 2010, 148), (157329, "Interstellar", 2014, 169),
    (98, "Gladiator", 2000, 155), (949, "Heat", 1995, 170), (578, "Jaws", 1975, 124),
    (77, "Memento", 2000, 113), (244786, "Whiplash", 2014, 107), (329865, "Arrival", 2016, 116),
    (19995, "Avatar", 2009, 162), (346698, "Barbie", 2023, 114),
    (289, "Casablanca", 1942, 102), (13, "Forrest Gump", 1994, 142),
    (769, "GoodFellas", 1990, 145), (49047, "Gravity", 2013, 91), (475557, "Joker", 2019, 122),
    (546554, "Knives Out", 2019, 131), (872585, "Oppenheimer", 2023, 181),
    (426, "Vertigo", 1958, 128), (694, "The Shining", 1980, 144),
    (155, "The Dark Knight", 2008, 152), (238, "The Godfather", 1972, 175),
    (105, "Back to the Future", 1985, 116), (28, "Apocalypse Now", 1979, 147),
    (424, "Schindler's List", 1993, 195), (37799, "The Social Network", 2010, 121),
]


def film_name(title: str, year: int, style: int = 0) -> str:
    dotted = title.replace("'", "").replace(" ", ".")
    return [f"{dotted}.{year}.1080p.BluRay.x264-GRP/{dotted}.{year}.1080p.BluRay.x264-GRP.mkv",
            f"{dotted}.{year}.720p.WEB-DL.DD5.1.H264-NTG.mkv",
            f"{title} ({year})/{title} ({year}).mp4"][style % 3]


def make_films(video: Any, downloads: Path, films: list[tuple[int, str, int, int]],
               seed: int = 0) -> dict[str, dict[str, Any]]:
    """The films as release files; ``{absolute path: expected tmdb}``."""
    expected = {}
    for i, (tmdb_id, title, year, minutes) in enumerate(films):
        path = video(downloads / film_name(title, year, i), minutes * 60, seed=seed + i)
        expected[str(path)] = {"type": "movie", "id": tmdb_id}
    return expected


def api(server: Any, since: int = 0) -> list[Any]:
    """API requests (``/3/...``) the server answered, from index ``since`` of its log."""
    return [r for r in server.requests[since:] if r.path.startswith("/3/")]


def files(root: Path) -> dict[str, str]:
    """The videos under ``root`` and a digest of their bytes."""
    return {str(p.relative_to(root)): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file() and p.suffix in VIDEO_EXTS}


def _duration(path: Path) -> float:
    import av

    with av.open(str(path)) as container:
        return float(container.duration or 0) / 1_000_000


def check_organised(results: list[dict[str, Any]], expected: dict[str, dict[str, Any]]) -> None:
    by_source = {r["source"]: r for r in results}
    for source, want in expected.items():
        got = by_source.get(source)
        assert got is not None, f"no result for {source}"
        assert got["status"] == "organised", got
        assert got["tmdb"] == want, (source, got["tmdb"], want)
        assert Path(got["destination"]).is_file()


def test_a_second_run_asks_tmdb_nothing(
        tmp_path: Path, make_profile: Any, tmdb_server: Any, video: Any) -> None:
    """Run 1 organises films, episodes and an unknown title (REVIEW). Then, with the same state
    DB: run 2 over the library (files already in place) and run 3 over fresh copies of the same
    releases in a new downloads folder make no API request at all; run 4 with a
    wrong key on that fully cached state still exits 2 and touches nothing."""
    downloads = tmp_path / "downloads"
    expected = make_films(video, downloads, FILMS[:4])
    episodes = {
        "Breaking.Bad.S05E14.Ozymandias.1080p.WEB-DL/Breaking.Bad.S05E14.Ozymandias.1080p.WEB-DL.mkv":
            {"type": "tv", "id": 1396, "season": 5, "episodes": [14]},
        "Breaking.Bad.S05E13.To'hajiilee.1080p.WEB-DL.mkv":
            {"type": "tv", "id": 1396, "season": 5, "episodes": [13]},
        "Friends.S01E01.720p.HDTV.x264-GRP.mkv":
            {"type": "tv", "id": 1668, "season": 1, "episodes": [1]},
    }
    for i, (name, want) in enumerate(episodes.items()):
        expected[str(video(downloads / name, 2820, seed=100 + i))] = want
    unknown = video(downloads / "Zorgon.vs.the.Moon.Men.1958.DVDRip.mkv", 4800, seed=200)
    durations = {p.relative_to(downloads): _duration(p) for p in downloads.rglob("*")
                 if p.suffix in VIDEO_EXTS}

    profile = make_profile()
    first = shelver("run", "-p", str(profile), "--json")
    assert first.returncode == 0, first.stderr
    results = json_lines(first.stdout)
    check_organised(results, expected)
    assert {r["source"]: r["status"] for r in results}[str(unknown)] == "review"
    assert tmdb_server.count(status=429) == 0
    first_api = len(api(tmdb_server))
    # 4 films × 2, Breaking Bad 2 + 1 season, Friends 2 + 1 season, the unknown title's
    # searches (with the year, then without), and the credential check.
    assert first_api <= 8 + 3 + 3 + 2 + 1, [r.path for r in api(tmdb_server)]

    # Run 2: over the library, where everything already is.
    library = tmp_path / "library"
    before = files(library)
    mark = len(tmdb_server.requests)
    second = shelver("run", str(library), "-p", str(profile), "--json")
    assert second.returncode == 0, second.stderr
    assert [r.path for r in api(tmdb_server, mark)] == []
    videos = [r for r in json_lines(second.stdout) if r["source"].endswith(VIDEO_EXTS)]
    assert len(videos) == len(expected)
    for result in videos:
        assert result["status"] == "organised" and result["destination"] == result["source"]
    assert sorted(r["tmdb"]["id"] for r in videos) == sorted(w["id"] for w in expected.values())
    assert files(library) == before

    # Run 3: the same releases again (new files, same names) in another downloads folder.
    again = tmp_path / "downloads-again"
    for i, (name, seconds) in enumerate(sorted(durations.items())):
        video(again / name, seconds, seed=300 + i)
    mark = len(tmdb_server.requests)
    third = shelver("run", str(again), "-p", str(profile), "--json")
    assert third.returncode == 0, third.stderr
    assert [r.path for r in api(tmdb_server, mark)] == []
    statuses = {Path(r["source"]).relative_to(again).as_posix(): r for r in json_lines(third.stdout)}
    for source, want in expected.items():
        result = statuses[Path(source).relative_to(downloads).as_posix()]
        assert result["tmdb"] == want, result  # identified from the cache, same answer
    assert statuses[unknown.name]["status"] == "review"

    # Run 4: a wrong key, everything it would look up cached: still exit 2, nothing touched.
    again_before = files(again)
    mark = len(tmdb_server.requests)
    wrong = make_profile("wrong", tmdb={"api_key": "not-the-right-key-12345"})
    started = time.monotonic()
    fourth = shelver("run", str(again), "-p", str(wrong), "--json")
    assert fourth.returncode == 2, fourth.stderr
    assert time.monotonic() - started < 15
    assert "tmdb.api_key" in fourth.stderr and "not-the-right-key-12345" not in fourth.stderr
    assert fourth.stdout == ""
    assert len(tmdb_server.requests) - mark <= 3
    assert files(again) == again_before and files(library) == before


def _max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_two_profiles_at_once_stay_under_the_server_limit(tmp_path: Path, make_profile: Any,
                                                          video: Any) -> None:
    """Two instances (two profiles, one state DB, their own downloads and library), each set
    to 10 per window, against a server allowing 24 per window: zero 429, everything organised.

    The issue says 10/10s against 24 per 10 s; the same ratios on a 2 s window keep this test
    short (62 requests take ~12 s instead of ~60 s) and are stricter on timing; the literal
    figures run in ``bench/tmdb.py --two-profiles``. The rate limiter lives in the shared state
    DB, so together the two stay at 10 per window (never the 20 two separate limiters would
    allow, let alone a refilling bucket's 2 × 20 in the first window)."""
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB

    window = 2.0
    with FakeTMDB(rate_limit=(24, window)) as server:
        runs = []
        expected: dict[str, dict[str, Any]] = {}
        for n, films in enumerate((FILMS[:15], FILMS[15:30])):
            downloads = tmp_path / f"downloads-{n}"
            expected.update(make_films(video, downloads, films, seed=50 * n))
            profile = make_profile(f"p{n}", sources=[str(downloads)],
                                   dest_dir=str(tmp_path / f"library-{n}"),
                                   tmdb={"base_url": server.base_url, "rate": f"10/{window:g}s"})
            runs.append(["run", "-p", str(profile), "--json"])
        procs = [subprocess.Popen([str(BIN / "shelver"), *args], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for args in runs]
        outputs = [proc.communicate(timeout=120) for proc in procs]
        for proc, (_out, err) in zip(procs, outputs, strict=True):
            assert proc.returncode == 0, err
        results = [r for out, _err in outputs for r in json_lines(out)]
        check_organised(results, expected)
        requests = api(server)
        assert server.count(status=429) == 0
        # Search + details per film, and the credential check: once, or twice when both runs
        # check the same key at the same instant (the second normally finds the first's check).
        assert 2 * 15 * 2 + 1 <= len(requests) <= 2 * 15 * 2 + 2
        # The two ran at the same time: each one's searches started before the other's ended.
        spans = []
        for films in (FILMS[:15], FILMS[15:30]):
            queries = {t.lower().replace("'", "") for _i, t, _y, _m in films}
            times = [r.time for r in requests if r.params.get("query", "").replace("'", "") in queries]
            spans.append((min(times), max(times)))
        assert spans[0][0] < spans[1][1] and spans[1][0] < spans[0][1], spans
        # One shared budget: 10 per window for both together (a little slack for arrival jitter).
        busiest = _max_in_window([r.time for r in requests], window)
        print(f"busiest {window:g} s window: {busiest} requests; spans {spans}")
        assert busiest <= 12, busiest


def test_a_client_far_above_a_flaky_servers_limit_still_organises_everything(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    """``tmdb.rate = "200/1s"`` against a server allowing 20 per 2 s that answers 10% of
    requests with 503: 429s happen and are waited out (Retry-After, the shared rate halved), 503s
    are retried with backoff; every item is organised and the run exits 0."""
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB

    downloads = tmp_path / "downloads"
    expected = make_films(video, downloads, FILMS[:12])
    for i, (name, want) in enumerate({
        "Breaking.Bad.S05E14.Ozymandias.1080p.WEB-DL.mkv": (1396, 5, 14),
        "Breaking.Bad.S04E13.Face.Off.1080p.WEB-DL.mkv": (1396, 4, 13),
        "Game.of.Thrones.S03E09.The.Rains.of.Castamere.720p.HDTV.mkv": (1399, 3, 9),
        "Sherlock.S02E01.A.Scandal.in.Belgravia.1080p.BluRay.mkv": (19885, 2, 1),
    }.items()):
        path = video(downloads / name, 2820, seed=100 + i)
        expected[str(path)] = {"type": "tv", "id": want[0], "season": want[1], "episodes": [want[2]]}
    with FakeTMDB(rate_limit=(20, 2.0), fail_ratio=0.1, seed=3) as server:
        profile = make_profile(tmdb={"base_url": server.base_url, "rate": "200/1s"})
        proc = shelver("run", "-p", str(profile), "--json", timeout=120)
        assert proc.returncode == 0, proc.stderr
        check_organised(json_lines(proc.stdout), expected)
        assert server.count(status=503) >= 1  # the failures did happen, and were survived
        print(f"429: {server.count(status=429)}, 503: {server.count(status=503)}, "
              f"API requests: {len(api(server))}")


def test_a_tmdb_id_in_a_tv_folder_is_the_shows_never_a_films(
        tmp_path: Path, make_profile: Any, tmdb_server: Any, video: Any) -> None:
    """shelver's own library layout, read back with a fresh state DB and phash off: the
    ``{tmdb-1396}`` of ``TV/Breaking Bad (2008) {tmdb-1396}/Season 05/`` is the show's, the
    episode comes from the file name, and nothing is searched. A file in that folder whose name
    gives no episode number goes to REVIEW (it is some episode of show 1396) instead of being
    looked up as film 1396."""
    library = tmp_path / "library"
    show = library / "TV" / "Breaking Bad (2008) {tmdb-1396}"
    episode = video(show / "Season 05" / "Breaking Bad (2008) - S05E14 - Ozymandias.mkv", 2820)
    special = video(show / "Season 00" / "Breaking Bad (2008) - S00E01 - Good Cop Bad Cop.mkv",
                    180, seed=1)
    unnumbered = video(show / "Season 05" / "Breaking Bad (2008) - Ozymandias.mkv", 2820, seed=2)
    loose = video(show / "Season 04" / "Face Off.mkv", 2820, seed=3)
    film = video(library / "Movies" / "Blade Runner 2049 (2017) {tmdb-335984}"
                 / "Blade Runner 2049 (2017) {tmdb-335984}.mkv", 9840, seed=4)
    profile = make_profile(sources=[str(library)], phash={"enabled": False})
    proc = shelver("run", str(library), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    results = {r["source"]: r for r in json_lines(proc.stdout)}
    assert results[str(episode)]["tmdb"] == {"type": "tv", "id": 1396, "season": 5, "episodes": [14]}
    assert results[str(special)]["tmdb"] == {"type": "tv", "id": 1396, "season": 0, "episodes": [1]}
    assert results[str(film)]["tmdb"] == {"type": "movie", "id": 335984}
    for placed in (episode, special, film):
        assert results[str(placed)]["status"] == "organised"
        assert results[str(placed)]["destination"] == str(placed)
    for unclear in (unnumbered, loose):
        assert results[str(unclear)]["status"] == "review" and unclear.is_file()
    paths = [r.path for r in api(tmdb_server)]
    assert tmdb_server.count(path_prefix="/3/movie/1396") == 0, paths
    assert not [p for p in paths if p.startswith(("/3/search", "/3/find"))], paths
    assert sorted(paths) == sorted(["/3/configuration", "/3/tv/1396", "/3/tv/1396/season/0",
                                    "/3/tv/1396/season/5", "/3/movie/335984"])


def test_library_layout_decides_what_a_tmdb_id_belongs_to() -> None:
    """The parser side of the test above, name by name (no run): in a TV layout the kind is
    "episode" (the matcher then reads the id as a show's); in a Movies layout a film stays a film
    whatever numbers its name holds."""
    from shelver.plugins.parse.name import parse_release

    root = Path("/srv/library")
    show = root / "TV" / "Breaking Bad (2008) {tmdb-1396}"
    for name, season, episodes in (
        ("Season 05/Breaking Bad (2008) - S05E14 - Ozymandias.mkv", 5, [14]),
        ("Season 05/Breaking Bad (2008) - S05E14-E15 - Ozymandias.mkv", 5, [14, 15]),
        ("Season 05/Breaking Bad (2008) - Ozymandias.mkv", 5, []),
        ("Season 05/Ozymandias.mkv", 5, []),
        ("Season 05/14 - Ozymandias.mkv", 5, [14]),
    ):
        parsed = parse_release(show / name, root)
        assert (parsed.kind, parsed.season, parsed.episodes, parsed.ids) == (
            "episode", season, episodes, {"tmdb": 1396}), name
    # Without the TV folder above it, the season folder still tells.
    parsed = parse_release(show / "Season 05" / "Ozymandias.mkv", root / "TV")
    assert parsed.kind == "episode" and parsed.ids == {"tmdb": 1396}
    # Extras stay extras.
    assert parse_release(show / "Extras" / "Making of.mkv", root).extra == "featurette"
    film = root / "Movies" / "Top Gun (1986) {tmdb-744}" / "Top Gun (1986) 1x01 {tmdb-744}.mkv"
    parsed = parse_release(film, root)
    assert (parsed.kind, parsed.season, parsed.episodes, parsed.ids) == ("movie", None, [], {"tmdb": 744})


# ---------------------------------------------------------------------------------------------
# Hostile or malformed answers (the look-alike's FakeTMDB.override), through `shelver run`
# ---------------------------------------------------------------------------------------------

MATRIX = "The.Matrix.1999.1080p.BluRay.x264-GRP.mkv"
MATRIX_DIR = "Movies/The Matrix (1999) {tmdb-603}"


def cached(db: Path, key: str) -> Any:
    """The cached body for ``key`` in the state DB (None when not cached)."""
    import json
    import sqlite3

    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT body FROM tmdb_cache WHERE key LIKE ?", (key + "%",)).fetchone()
    return None if row is None else json.loads(row[0])


def test_a_malformed_document_is_cleaned_said_once_and_the_film_organised(
        tmp_path: Path, make_profile: Any, tmdb_server: Any, video: Any) -> None:
    """Wrong types in the details document (a null genre, a word for a rating, a control
    character in the poster path) used to crash the NFO step after the move (ERROR, the bad
    document cached): now they are dropped, said once, and the film is organised with its NFO."""
    source = video(tmp_path / "downloads" / MATRIX, 60)
    tmdb_server.override("/movie/603", patch={
        "genres": [{"id": 28, "name": "Action"}, None], "vote_average": "high",
        "poster_path": "/bad\x07name.jpg"})
    proc = shelver("run", "-p", str(make_profile()), "--json", timeout=60)
    assert proc.returncode == 0, proc.stderr
    (result,) = json_lines(proc.stdout)
    assert result["status"] == "organised", result
    assert ("shelver: WARNING: TMDB movie/603: dropped 3 malformed field(s): genres[1], "
            "poster_path, vote_average") in proc.stderr.splitlines()
    nfo = tmp_path / "library" / MATRIX_DIR / "The Matrix (1999) {tmdb-603}.nfo"
    assert "<genre>Action</genre>" in nfo.read_text(encoding="utf-8")
    assert not source.exists()
    body = cached(tmp_path / "state.db", "/movie/603")
    assert body["genres"] == [{"id": 28, "name": "Action"}] and "vote_average" not in body
    assert body["poster_path"] is None


def test_a_document_without_its_id_is_not_cached_and_the_next_run_succeeds(
        tmp_path: Path, make_profile: Any, tmdb_server: Any, video: Any) -> None:
    """A details document without its id is refused and not cached: the file stays in the
    downloads with an error naming the document, and once TMDB answers properly the next run
    organises it (an old version cached the broken document for months)."""
    source = video(tmp_path / "downloads" / MATRIX, 60)
    profile = make_profile()
    tmdb_server.override("/movie/603", drop=("id",))
    first = shelver("run", "-p", str(profile), "--json", timeout=60)
    assert first.returncode == 1, first.stderr
    (result,) = json_lines(first.stdout)
    assert result["status"] == "error"
    assert result["error"] == f"{source}: ItemError: TMDB sent /movie/603 without its id: not used"
    assert source.exists() and cached(tmp_path / "state.db", "/movie/603") is None
    tmdb_server.clear_overrides()  # TMDB fixed it
    second = shelver("run", "-p", str(profile), "--json", timeout=60)
    assert second.returncode == 0, second.stderr
    assert [r["status"] for r in json_lines(second.stdout)] == ["organised"]
    assert cached(tmp_path / "state.db", "/movie/603")["id"] == 603


def test_long_show_and_episode_names_keep_every_derived_name_within_255_bytes(
        tmp_path: Path, make_profile: Any, tmdb_server: Any, video: Any) -> None:
    """A long show name and a long episode title (multi-byte characters) make the video's name
    ~255 bytes; the thumb, the NFO and the subtitle beside it used to exceed the limit (ENAMETOOLONG
    after the move: ERROR). Every derived name is now cut on a character, its suffix kept."""
    import copy

    season = copy.deepcopy(tmdb_server.catalogue.season(1396, 5))
    for episode in season["episodes"]:
        episode["name"] = "Ozymandias " + "Ω" * 120
    tmdb_server.override("/tv/1396/season/5", body=season)
    tmdb_server.override("/tv/1396", patch={"name": "Breaking Bad " + "é" * 120})
    name = "Breaking.Bad.S05E14.Ozymandias.1080p.WEB-DL"
    video(tmp_path / "downloads" / f"{name}.mkv", 60)
    (tmp_path / "downloads" / f"{name}.en.forced.srt").write_text("1\n00:00:01,000 --> "
                                                                   "00:00:02,000\nHi\n")
    proc = shelver("run", "-p", str(make_profile()), "--json", timeout=60)
    assert proc.returncode == 0, proc.stderr
    (result,) = json_lines(proc.stdout)
    assert result["status"] == "organised", result
    placed = Path(result["destination"])
    names = {p.name for p in placed.parent.iterdir()}
    assert len(placed.name.encode()) > 245  # the case this is about
    assert all(len(n.encode()) <= 255 for n in names), names
    assert len(names) == 4, names
    for suffix in ("-thumb.jpg", ".en.forced.srt", ".mkv", ".nfo"):
        assert any(n.endswith(suffix) and n.startswith("Breaking Bad é") for n in names), suffix
    assert "WARNING" not in proc.stderr, proc.stderr


def test_an_enrich_failure_never_fails_a_placed_item(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    """The NFO cannot be written (a folder has its name): the film is placed, so it stays
    organised (exit 0) with a warning naming the file and what failed; the artwork is still
    fetched."""
    video(tmp_path / "downloads" / MATRIX, 60)
    folder = tmp_path / "library" / MATRIX_DIR
    (folder / "The Matrix (1999) {tmdb-603}.nfo").mkdir(parents=True)
    proc = shelver("run", "-p", str(make_profile()), "--json", timeout=60)
    assert proc.returncode == 0, proc.stderr
    (result,) = json_lines(proc.stdout)
    assert result["status"] == "organised" and result["error"] is None, result
    placed = folder / "The Matrix (1999) {tmdb-603}.mkv"
    assert placed.is_file() and (folder / "poster.jpg").is_file()
    warning = [line for line in proc.stderr.splitlines() if "WARNING" in line]
    assert warning == [f"shelver: WARNING: {placed}: nfo failed (IsADirectoryError: [Errno 21] "
                       f"Is a directory: '{folder / 'The Matrix (1999) {tmdb-603}.nfo'}'); "
                       "the file stays organised"], proc.stderr


def test_retry_after_inf_is_capped_and_said(
        tmp_path: Path, make_profile: Any, tmdb_server: Any, video: Any) -> None:
    """``Retry-After: inf`` stored an endless block and the run hung silently; the wait is now
    capped at tmdb.max_retry_after and the user told what is being waited for."""
    video(tmp_path / "downloads" / MATRIX, 60)
    tmdb_server.override("/movie/603", status=429, headers={"Retry-After": "inf"}, times=1)
    profile = make_profile(tmdb={"max_retry_after": 1})
    started = time.monotonic()
    proc = shelver("run", "-p", str(profile), "--json", timeout=40)
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - started < 30
    assert [r["status"] for r in json_lines(proc.stdout)] == ["organised"]
    assert ("shelver: WARNING: TMDB asked to wait inf s (Retry-After); waiting 1 s "
            "(tmdb.max_retry_after)") in proc.stderr.splitlines()


@pytest.mark.slow
def test_a_stored_block_is_shown_by_status_and_waited_for_with_a_word(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    """A day-long block in the shared DB (what a ``Retry-After: 86400`` left): `shelver status`
    shows it (and --json), and the next run says what it waits for, waits at most
    tmdb.max_retry_after, and organises the film."""
    import json
    import sqlite3

    profile = make_profile(tmdb={"max_retry_after": 1})
    assert shelver("status", "-p", str(profile)).returncode == 0  # creates the state DB
    with sqlite3.connect(tmp_path / "state.db") as conn:
        conn.execute("INSERT OR REPLACE INTO tmdb_rate_state (bucket, factor, penalised_at, "
                     "blocked_until, throttled) VALUES ('tmdb', 0.5, ?, ?, 1)",
                     (time.time(), time.time() + 86400))
    status = shelver("status", "-p", str(profile))
    assert status.returncode == 0, status.stderr
    line = [x for x in status.stdout.splitlines() if x.startswith("tmdb:")]
    assert len(line) == 1 and line[0].startswith(
        "tmdb:    rate-limited by TMDB (Retry-After): every run waits, 86"), status.stdout
    report = json.loads(shelver("status", "-p", str(profile), "--json").stdout)
    assert report["sections"]["tmdb"]["block"]["seconds_left"] > 86000
    video(tmp_path / "downloads" / MATRIX, 60)
    proc = shelver("run", "-p", str(profile), "--json", timeout=40)
    assert proc.returncode == 0, proc.stderr
    assert [r["status"] for r in json_lines(proc.stdout)] == ["organised"]
    said = [x for x in proc.stderr.splitlines() if "rate-limited" in x]
    assert len(said) == 1 and said[0].startswith(
        "shelver: WARNING: TMDB is rate-limited: waiting 1 s for the Retry-After block stored "
        "in the state DB"), proc.stderr
    after = shelver("status", "-p", str(profile), "--json")
    assert json.loads(after.stdout)["sections"]["tmdb"]["block"] is None


@pytest.mark.slow
def test_a_50_mb_answer_is_refused_and_not_cached(
        tmp_path: Path, make_profile: Any, tmdb_server: Any, video: Any) -> None:
    """A 50 MB details document was read whole and cached; now the answer is dropped past
    tmdb.max_response_mb, the file stays in the downloads, and the next run organises it."""
    source = video(tmp_path / "downloads" / MATRIX, 60)
    profile = make_profile()
    tmdb_server.override("/movie/603", pad_to=50 * 1024 * 1024)
    first = shelver("run", "-p", str(profile), "--json", timeout=60)
    assert first.returncode == 1, first.stderr
    (result,) = json_lines(first.stdout)
    assert result["error"] == (f"{source}: ItemError: TMDB answer for /movie/603 is larger than "
                               "10 MB (tmdb.max_response_mb): not used")
    assert tmdb_server.api_key not in first.stderr + first.stdout
    assert source.exists() and cached(tmp_path / "state.db", "/movie/603") is None
    tmdb_server.clear_overrides()
    second = shelver("run", "-p", str(profile), "--json", timeout=60)
    assert [r["status"] for r in json_lines(second.stdout)] == ["organised"], second.stderr


def test_a_trickling_answer_meets_the_request_deadline(
        tmp_path: Path, make_profile: Any, tmdb_server: Any, video: Any) -> None:
    """An answer trickling one byte every half second never trips the per-read timeout; the
    whole request now has a deadline (tmdb.request_timeout) and nothing is cached."""
    source = video(tmp_path / "downloads" / MATRIX, 60)
    tmdb_server.override("/movie/603", trickle=0.5)
    started = time.monotonic()
    proc = shelver("run", "-p", str(make_profile(tmdb={"request_timeout": 1})), "--json",
                   timeout=40)
    assert time.monotonic() - started < 30
    assert proc.returncode == 1, proc.stderr
    (result,) = json_lines(proc.stdout)
    assert result["error"] == (f"{source}: ItemError: TMDB did not finish answering /movie/603 "
                               "within 1 s (tmdb.request_timeout)")
    assert source.exists() and cached(tmp_path / "state.db", "/movie/603") is None


def test_artwork_comes_only_from_an_allowed_image_host(
        tmp_path: Path, make_profile: Any, tmdb_server: Any, video: Any) -> None:
    """/configuration naming another image host (here a second look-alike on another port):
    nothing is fetched from it, and the user is told. A poster path climbing out of the image
    folder is never requested either."""
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB

    video(tmp_path / "downloads" / MATRIX, 60)
    with FakeTMDB() as elsewhere:
        tmdb_server.override("/configuration", patch={"images": {
            "base_url": elsewhere.image_base_url, "secure_base_url": elsewhere.image_base_url,
            "poster_sizes": ["w780"], "backdrop_sizes": ["w1280"]}})
        proc = shelver("run", "-p", str(make_profile()), "--json", timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert elsewhere.requests == []
    assert [r["status"] for r in json_lines(proc.stdout)] == ["organised"]
    assert (f"shelver: WARNING: TMDB /configuration names the image host "
            f"'{elsewhere.image_base_url}', which is not TMDB's nor that of tmdb.base_url: no "
            "artwork fetched (set tmdb.image_base_url to allow one)") in proc.stderr.splitlines()
    assert not (tmp_path / "library" / MATRIX_DIR / "poster.jpg").exists()


def test_artwork_fetches_only_image_paths(
        tmp_path: Path, make_profile: Any, tmdb_server: Any, video: Any) -> None:
    """A ``poster_path`` climbing out of the image folder (to an API path, without the key)
    is never requested; the well-formed backdrop still is, and the poster is the first of the
    movie's other posters (the one the NFO lists first too)."""
    import re

    video(tmp_path / "downloads" / MATRIX, 60)
    tmdb_server.override("/movie/603", patch={"poster_path": "/../../../3/configuration.jpg"})
    proc = shelver("run", "-p", str(make_profile()), "--json", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert [r["status"] for r in json_lines(proc.stdout)] == ["organised"]
    for request in tmdb_server.requests:
        assert (request.path.startswith("/3/") and request.auth is not None) or re.fullmatch(
            r"/t/p/w\d+/[A-Za-z0-9]+\.jpg", request.path), request
    assert (tmp_path / "library" / MATRIX_DIR / "fanart.jpg").is_file()
    assert (tmp_path / "library" / MATRIX_DIR / "poster.jpg").is_file()
    posters = [r.path for r in tmdb_server.requests if r.path.startswith("/t/p/w780/")]
    assert posters == ["/t/p/w780/oKEseUsoEh4hvq3c4zmFEShszAY.jpg"]  # images.posters[0]


def test_a_null_season_number_in_a_season_document_does_not_fail_the_episode(
        tmp_path: Path, make_profile: Any, tmdb_server: Any, video: Any) -> None:
    """TMDB itself sometimes sends ``"season_number": null``: the matcher used to crash on it
    (``int(None)``); the season asked for is the season it is."""
    tmdb_server.override("/tv/1396/season/5", patch={"season_number": None})
    video(tmp_path / "downloads" / "Breaking.Bad.S05E14.Ozymandias.1080p.WEB-DL.mkv", 60)
    proc = shelver("run", "-p", str(make_profile()), "--json", timeout=60)
    assert proc.returncode == 0, proc.stderr
    (result,) = json_lines(proc.stdout)
    assert result["status"] == "organised", result
    assert result["tmdb"] == {"type": "tv", "id": 1396, "season": 5, "episodes": [14]}
