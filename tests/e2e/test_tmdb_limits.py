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
    from shelver.testing.tmdb_server import FakeTMDB

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
    from shelver.testing.tmdb_server import FakeTMDB

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
    from shelver.plugins.parse_name import parse_release

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
