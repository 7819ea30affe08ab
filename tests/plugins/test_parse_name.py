"""Release-name parsing: real-world names, folders, ids, NFOs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from shelver.plugins.parse.name import extract_ids, nfo_ids, parse_release

ROOT = Path("/downloads")

# (path under ROOT, expected fields). Only the fields named are checked; "title" and "year"
# are always checked (None when absent) so nothing odd leaks into them.
CASES: list[tuple[str, dict[str, Any]]] = [
    # Movies
    (
        "The.Matrix.1999.1080p.BluRay.x264-GROUP.mkv",
        {
            "kind": "movie",
            "title": "The Matrix",
            "year": 1999,
            "screen_size": "1080p",
            "release_group": "GROUP",
        },
    ),
    ("The Matrix (1999).mkv", {"kind": "movie", "title": "The Matrix", "year": 1999}),
    ("Movies/The Matrix (1999)/The Matrix (1999).mkv", {"title": "The Matrix", "year": 1999}),
    (
        "Dune.2021.IMAX.2160p.mkv",
        {"kind": "movie", "title": "Dune", "year": 2021, "edition": "IMAX"},
    ),
    ("Dune.1984.mkv", {"kind": "movie", "title": "Dune", "year": 1984}),
    ("Dune.Part.Two.2024.mkv", {"kind": "movie", "title": "Dune Part Two", "year": 2024}),
    ("The.Godfather.Part.II.1974.mkv", {"title": "The Godfather Part II", "year": 1974}),
    ("Iron Man (2008)/Iron.Man.2.2010.mkv", {"title": "Iron Man 2", "year": 2010}),
    ("Amélie.2001.mkv", {"title": "Amélie", "year": 2001}),
    ("Léon.The.Professional.1994.mkv", {"title": "Léon The Professional", "year": 1994}),
    ("Mr. & Mrs. Smith (2005).mkv", {"title": "Mr & Mrs Smith", "year": 2005}),
    ("WALL·E (2008).mkv", {"title": "WALL·E", "year": 2008}),
    ("Se7en.1995.REMASTERED.mkv", {"title": "Se7en", "year": 1995, "edition": "Remastered"}),
    # Titles guessit likes to drop or misread
    ("It.2017.1080p.mkv", {"kind": "movie", "title": "It", "year": 2017}),
    ("IT.2017.1080p.mkv", {"title": "IT", "year": 2017}),
    ("Us.2019.1080p.BluRay.mkv", {"title": "Us", "year": 2019}),
    ("US.2019.1080p.mkv", {"title": "US", "year": 2019, "country": None}),
    ("Her.2013.mkv", {"title": "Her", "year": 2013}),
    ("1917.2019.1080p.BluRay.mkv", {"kind": "movie", "title": "1917", "year": 2019}),
    ("1917.mkv", {"title": "1917", "year": None, "season": None, "episodes": []}),
    ("2001.A.Space.Odyssey.1968.1080p.mkv", {"title": "2001 A Space Odyssey", "year": 1968}),
    ("2001.A.Space.Odyssey.mkv", {"title": "2001 A Space Odyssey", "year": None}),
    ("300.2006.1080p.mkv", {"kind": "movie", "title": "300", "year": 2006}),
    ("300.mkv", {"title": "300", "year": None, "season": None, "episodes": []}),
    ("2046.mkv", {"title": "2046", "season": None, "episodes": []}),
    ("2012.2009.mkv", {"title": "2012", "year": 2009}),
    ("Blade.Runner.2049.mkv", {"title": "Blade Runner 2049", "season": None, "episodes": []}),
    ("Blade Runner 2049 (2017).mkv", {"title": "Blade Runner 2049", "year": 2017}),
    ("10.Cloverfield.Lane.2016.mkv", {"title": "10 Cloverfield Lane", "year": 2016}),
    ("21.mkv", {"title": "21", "episodes": []}),
    # Editions never enter the title
    (
        "Aliens.1986.EXTENDED.REMASTERED.1080p.mkv",
        {"title": "Aliens", "year": 1986, "edition": "Extended Remastered"},
    ),
    (
        "Apocalypse.Now.1979.Directors.Cut.mkv",
        {"title": "Apocalypse Now", "year": 1979, "edition": "Director's Cut"},
    ),
    (
        "Blade Runner (1982) - The Final Cut.mkv",
        {"kind": "movie", "title": "Blade Runner", "year": 1982, "edition": "Final Cut"},
    ),
    (
        "Blade.Runner.The.Final.Cut.1982.1080p.mkv",
        {"kind": "movie", "title": "Blade Runner", "year": 1982, "edition": "Final Cut"},
    ),
    (
        "Terminator.2.Judgment.Day.1991.Unrated.mkv",
        {"title": "Terminator 2 Judgment Day", "year": 1991, "edition": "Unrated"},
    ),
    (
        "Gladiator.(2000).Extended.Edition.1080p.mkv",
        {"title": "Gladiator", "year": 2000, "edition": "Extended", "release_group": None},
    ),
    (
        "Gladiator.2000.Anniversary.Edition.mkv",
        {"title": "Gladiator", "year": 2000, "edition": "Anniversary Edition"},
    ),
    (
        "The Matrix (1999) {edition-Extended Cut}.mkv",
        {"title": "The Matrix", "year": 1999, "edition": "Extended Cut"},
    ),
    # Ids in names
    (
        "The Matrix (1999) {tmdb-603}.mkv",
        {"title": "The Matrix", "year": 1999, "ids": {"tmdb": 603}},
    ),
    (
        "The Matrix (1999) [tmdbid-603].mkv",
        {"title": "The Matrix", "year": 1999, "ids": {"tmdb": 603}},
    ),
    (
        "The Matrix (1999) tmdbid=603.mkv",
        {"title": "The Matrix", "year": 1999, "ids": {"tmdb": 603}},
    ),
    (
        "The Matrix (1999) [imdbid-tt0133093].mkv",
        {"title": "The Matrix", "year": 1999, "ids": {"imdb": "tt0133093"}},
    ),
    (
        "The Matrix (1999) {imdb-tt0133093}.mkv",
        {"title": "The Matrix", "year": 1999, "ids": {"imdb": "tt0133093"}},
    ),
    (
        "The.Matrix.1999.tt0133093.720p.mkv",
        {"title": "The Matrix", "year": 1999, "ids": {"imdb": "tt0133093"}},
    ),
    (
        "Breaking Bad [tvdbid-81189]/Season 1/S01E01.mkv",
        {"title": "Breaking Bad", "season": 1, "episodes": [1], "ids": {"tvdb": 81189}},
    ),
    (
        "Movies/The Matrix (1999) {tmdb-603}/movie.mkv",
        {"title": "The Matrix", "year": 1999, "ids": {"tmdb": 603}},
    ),
    # Obfuscated files in informative folders
    (
        "The.Matrix.1999.1080p.BluRay.x264-GROUP/abc123.mkv",
        {"kind": "movie", "title": "The Matrix", "year": 1999},
    ),
    (
        "The.Matrix.1999.1080p.BluRay.x264-GROUP/a1b2c3d4e5f6.mkv",
        {"kind": "movie", "title": "The Matrix", "year": 1999},
    ),
    (
        "The.Matrix.1999.1080p.BluRay.x264-GROUP/grp-matrix1080.mkv",
        {"title": "The Matrix", "year": 1999},
    ),
    (
        "complete/The.Matrix.1999.1080p.BluRay.x264-GROUP/9f8e7d6c5b4a39281706.mkv",
        {"title": "The Matrix", "year": 1999},
    ),
    ("abc123.mkv", {"kind": None, "title": None}),
    ("complete/a1b2c3d4e5f6a7b8.mkv", {"kind": None, "title": None}),
    # Episodes
    (
        "Breaking.Bad.S05E14.Ozymandias.720p.mkv",
        {"kind": "episode", "title": "Breaking Bad", "season": 5, "episodes": [14]},
    ),
    ("breaking.bad.503.hdtv-lol.mkv", {"title": "breaking bad", "season": 5, "episodes": [3]}),
    ("Lost - 01x01 - Pilot.mkv", {"title": "Lost", "season": 1, "episodes": [1]}),
    ("Lost.Season.1.Episode.1.mkv", {"title": "Lost", "season": 1, "episodes": [1]}),
    ("Show.S02.1080p/Show.S02E03.mkv", {"title": "Show", "season": 2, "episodes": [3]}),
    (
        "Breaking.Bad.S05.1080p.BluRay.x264-ROVERS/rovers-breakingbad-s05e14.mkv",
        {"kind": "episode", "title": "Breaking Bad", "season": 5, "episodes": [14]},
    ),
    (
        "Breaking.Bad.S05.1080p.BluRay.x264-ROVERS/a8f7e6d5c4b3.mkv",
        {"kind": "episode", "title": "Breaking Bad", "season": 5, "episodes": []},
    ),
    ("Show Name/Season 2/03 - Title.mkv", {"title": "Show Name", "season": 2, "episodes": [3]}),
    ("Breaking Bad/Season 05/14.mkv", {"title": "Breaking Bad", "season": 5, "episodes": [14]}),
    ("Breaking Bad/Season 05/E14.mkv", {"title": "Breaking Bad", "season": 5, "episodes": [14]}),
    ("Breaking Bad/S05/Episode 14.mkv", {"title": "Breaking Bad", "season": 5, "episodes": [14]}),
    (
        "Breaking Bad/Season 5/Breaking Bad - 5x14 - Ozymandias.mkv",
        {"title": "Breaking Bad", "season": 5, "episodes": [14]},
    ),
    ("Planet Earth II/Episode 1.mkv", {"title": "Planet Earth II", "episodes": [1]}),
    ("Friends.s03e05.mkv", {"title": "Friends", "season": 3, "episodes": [5]}),
    ("1883.S01E01.mkv", {"title": "1883", "season": 1, "episodes": [1], "year": None}),
    ("1923.S01E01.mkv", {"title": "1923", "season": 1, "episodes": [1], "year": None}),
    ("24.S01E01.mkv", {"title": "24", "season": 1, "episodes": [1]}),
    ("The.It.Crowd.S01E01.mkv", {"title": "The It Crowd", "season": 1}),
    ("Lost/Season 1/S01E01 - Pilot.mkv", {"title": "Lost", "season": 1, "episodes": [1]}),
    (
        "Breaking Bad/Season 5/05x14 - Ozymandias.mkv",
        {"title": "Breaking Bad", "season": 5, "episodes": [14]},
    ),
    ("[SubsPlease] Frieren - 01 (1080p) [ABCD1234].mkv", {"title": "Frieren", "episodes": [1]}),
    ("Ocean's 11.mkv", {"title": "Ocean's 11", "episodes": []}),
    (
        "Breaking.Bad.S01E07.720p.BluRay.x264-GRP/a8f3e2b19c.mkv",
        {"title": "Breaking Bad", "season": 1, "episodes": [7]},
    ),
    (
        "House.of.the.Dragon.S01E10.2160p.WEB-DL-CMRG/tmp_8823119.mkv",
        {"title": "House of the Dragon", "season": 1, "episodes": [10]},
    ),
    (
        "Whiplash.2014.720p.BluRay.x264-DEPTH/dpt-wpl-720p.mkv",
        {"kind": "movie", "title": "Whiplash", "year": 2014},
    ),
    # Home videos: never a title, so never a search
    ("Camera/VID_20190712_153012.mp4", {"kind": None, "title": None}),
    ("DCIM/100CANON/MVI_1234.MOV", {"kind": None, "title": None}),
    ("GoPro/GOPR0043.MP4", {"kind": None, "title": None}),
    (
        "Screen Recording 2021-03-04 at 10.15.32.mov",
        {"kind": None, "title": None, "air_date": None},
    ),
    # Multi-episodes
    ("Show.S01E01E02.mkv", {"season": 1, "episodes": [1, 2]}),
    ("Show.S01E01-E02.mkv", {"season": 1, "episodes": [1, 2]}),
    ("Show.1x01-02.mkv", {"season": 1, "episodes": [1, 2]}),
    ("Lost.S01E01-E03.mkv", {"season": 1, "episodes": [1, 2, 3]}),
    # Specials
    ("Show.S00E01.Special.mkv", {"title": "Show", "season": 0, "episodes": [1]}),
    (
        "Breaking Bad (2008)/Specials/Breaking Bad - S00E02.mkv",
        {"title": "Breaking Bad", "year": 2008, "season": 0, "episodes": [2]},
    ),
    ("Breaking Bad/Specials/E02.mkv", {"title": "Breaking Bad", "season": 0, "episodes": [2]}),
    # Country and year hints for same-name shows
    ("The.Office.US.S02E01.720p.mkv", {"title": "The Office", "country": "US", "season": 2}),
    ("The Office (UK) - 1x01 - Downsize.avi", {"title": "The Office", "country": "GB"}),
    ("The.Office.UK.S01E01.mkv", {"title": "The Office", "country": "GB"}),
    ("Shameless.US.S01E01.mkv", {"title": "Shameless", "country": "US"}),
    (
        "Doctor.Who.2005.S01E01.Rose.mkv",
        {"kind": "episode", "title": "Doctor Who", "year": 2005, "season": 1, "episodes": [1]},
    ),
    (
        "Doctor Who (2005)/Season 1/Doctor.Who.S01E01.mkv",
        {"title": "Doctor Who", "year": 2005, "season": 1},
    ),
    ("Doctor.Who.1963.S01E01.mkv", {"title": "Doctor Who", "year": 1963}),
    ("House.of.Cards.2013.S01E01.mkv", {"title": "House of Cards", "year": 2013}),
    # Daily shows
    (
        "The.Daily.Show.2024.03.12.Guest.720p.WEB.mkv",
        {
            "kind": "episode",
            "title": "The Daily Show",
            "air_date": "2024-03-12",
            "season": None,
            "episodes": [],
        },
    ),
    ("Jeopardy.2024-03-12.mkv", {"title": "Jeopardy", "air_date": "2024-03-12"}),
    (
        "Last.Week.Tonight.with.John.Oliver.2024.03.10.720p.mkv",
        {"title": "Last Week Tonight with John Oliver", "air_date": "2024-03-10"},
    ),
    ("Show.S2024E05.mkv", {"title": "Show", "season": 2024, "episodes": [5], "year": None}),
    # Extras
    ("The.Matrix.1999.sample.mkv", {"title": "The Matrix", "year": 1999, "extra": "sample"}),
    (
        "The.Matrix.1999.1080p.BluRay.x264-GROUP/Sample/sample.mkv",
        {"title": "The Matrix", "year": 1999, "extra": "sample"},
    ),
    (
        "The.Matrix.1999.1080p.BluRay.x264-GROUP/Sample/grp-matrix-sample.mkv",
        {"title": "The Matrix", "year": 1999, "extra": "sample"},
    ),
    (
        "Breaking.Bad.S05.1080p.BluRay.x264-ROVERS/Sample/rovers-breakingbad-s05e14-sample.mkv",
        {"title": "Breaking Bad", "extra": "sample"},
    ),
    ("The.Matrix.1999.Trailer.mkv", {"title": "The Matrix", "year": 1999, "extra": "trailer"}),
    (
        "The Matrix (1999)/The Matrix (1999)-trailer.mkv",
        {"title": "The Matrix", "year": 1999, "extra": "trailer"},
    ),
    (
        "The Matrix (1999)/The Matrix (1999)-featurette.mkv",
        {"title": "The Matrix", "year": 1999, "extra": "featurette", "alternative_titles": []},
    ),
    (
        "The Matrix (1999)/The Matrix (1999)-deleted.mkv",
        {"title": "The Matrix", "year": 1999, "extra": "deleted", "alternative_titles": []},
    ),
    (
        "The.Matrix.1999.Behind.The.Scenes.mkv",
        {"title": "The Matrix", "year": 1999, "extra": "behindthescenes"},
    ),
    (
        "The.Matrix.1999.Deleted.Scenes.mkv",
        {"title": "The Matrix", "year": 1999, "extra": "deleted"},
    ),
    (
        "The.Matrix.1999.Featurette.mkv",
        {"title": "The Matrix", "year": 1999, "extra": "featurette"},
    ),
    (
        "The.Matrix.1999.1080p.BluRay.x264-GROUP/Featurettes/Making Of.mkv",
        {"title": "The Matrix", "year": 1999, "extra": "featurette"},
    ),
    (
        "The Matrix (1999)/Behind The Scenes/Interview with the cast.mkv",
        {"title": "The Matrix", "year": 1999, "extra": "behindthescenes"},
    ),
    ("Extras/The.Matrix.1999.mkv", {"title": "The Matrix", "year": 1999, "extra": None}),
    ("The.Matrix.1999.mkv", {"extra": None, "edition": None, "country": None, "ids": {}}),
]


@pytest.mark.parametrize(("name", "expected"), CASES, ids=[c[0] for c in CASES])
def test_parse_release(name: str, expected: dict[str, Any]) -> None:
    parsed = parse_release(ROOT / name, ROOT)
    expected = {"title": None, "year": None, **expected} if "title" in expected else expected
    got = {key: getattr(parsed, key) for key in expected}
    assert got == expected
    # Nothing of guessit's odd outputs leaks: one str or None where one is expected.
    for key in ("title", "country", "edition", "extra", "screen_size", "release_group", "air_date"):
        value = getattr(parsed, key)
        assert value is None or isinstance(value, str), (key, value)
    assert parsed.year is None or isinstance(parsed.year, int)
    assert parsed.season is None or isinstance(parsed.season, int)
    assert all(isinstance(e, int) for e in parsed.episodes)
    assert all(isinstance(a, str) for a in parsed.alternative_titles)


def test_without_root_only_near_folders_count() -> None:
    parsed = parse_release(Path("/home/user/downloads/The.Matrix.1999.1080p-GRP/abc123.mkv"))
    assert (parsed.title, parsed.year) == ("The Matrix", 1999)
    # Folders above root say nothing.
    parsed = parse_release(Path("/srv/The.Matrix.1999/in/abc123.mkv"), Path("/srv/The.Matrix.1999"))
    assert parsed.title is None


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("Movie {tmdb-603}", {"tmdb": 603}),
        ("Movie [tmdbid-603]", {"tmdb": 603}),
        ("Movie tmdbid=603", {"tmdb": 603}),
        ("Movie [imdbid-tt0133093]", {"imdb": "tt0133093"}),
        ("Movie {imdb-tt0133093}", {"imdb": "tt0133093"}),
        ("Movie.tt0133093.mkv", {"imdb": "tt0133093"}),
        ("Show [tvdbid-81189]", {"tvdb": 81189}),
        ("Show {tvdb-81189} {tmdb-1396}", {"tvdb": 81189, "tmdb": 1396}),
        ("Movie att0133093x", {}),
        ("Movie 1999", {}),
    ],
)
def test_extract_ids(text: str, ids: dict[str, Any]) -> None:
    found, rest = extract_ids(text)
    assert found == ids
    assert "tmdb" not in rest.lower() or not ids


def test_nfo_kodi_uniqueids() -> None:
    text = """<?xml version="1.0"?><movie><title>The Matrix</title>
    <uniqueid type="tmdb" default="true">603</uniqueid><uniqueid type="imdb">tt0133093</uniqueid>
    </movie>"""
    assert nfo_ids(text) == ({"tmdb": 603, "imdb": "tt0133093"}, "movie")


def test_nfo_old_tags_and_show() -> None:
    assert nfo_ids("<movie><id>tt0133093</id><tmdbid>603</tmdbid></movie>") == (
        {"imdb": "tt0133093", "tmdb": 603},
        "movie",
    )
    assert nfo_ids("<tvshow><imdbid>tt0903747</imdbid><tvdbid>81189</tvdbid></tvshow>") == (
        {"imdb": "tt0903747", "tvdb": 81189},
        "episode",
    )


def test_nfo_episode_ids_are_not_the_shows() -> None:
    text = '<episodedetails><uniqueid type="tmdb">62161</uniqueid></episodedetails>'
    assert nfo_ids(text) == ({}, "episode")


def test_nfo_plain_text_urls() -> None:
    text = "  ░▒▓ GROUP ▓▒░\n IMDb....: https://www.imdb.com/title/tt0133093/\n"
    assert nfo_ids(text) == ({"imdb": "tt0133093"}, None)
    assert nfo_ids("https://www.themoviedb.org/tv/1396-breaking-bad") == ({"tmdb": 1396}, "episode")


def test_nfo_beside_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "Some.Film.1999.1080p-GRP"
    folder.mkdir()
    video = folder / "abc123.mkv"
    video.write_bytes(b"")
    (folder / "grp-somefilm.nfo").write_text(
        "IMDb: http://www.imdb.com/title/tt0133093/\n", encoding="latin-1"
    )
    parsed = parse_release(video, tmp_path)
    assert parsed.ids == {"imdb": "tt0133093"}
    assert parsed.title == "Some Film"


def test_nfo_same_stem_and_tvshow(tmp_path: Path) -> None:
    show = tmp_path / "Breaking Bad"
    season = show / "Season 05"
    season.mkdir(parents=True)
    (show / "tvshow.nfo").write_text(
        '<tvshow><uniqueid type="tmdb">1396</uniqueid></tvshow>', encoding="utf-8"
    )
    episode = season / "Breaking.Bad.S05E14.mkv"
    episode.write_bytes(b"")
    (season / "Breaking.Bad.S05E14.nfo").write_text(
        '<episodedetails><uniqueid type="tmdb">62161</uniqueid></episodedetails>', encoding="utf-8"
    )
    parsed = parse_release(episode, tmp_path)
    assert parsed.ids == {"tmdb": 1396}
    assert (parsed.season, parsed.episodes) == (5, [14])


def test_a_films_nfo_gives_no_tmdb_id_to_an_episode(tmp_path: Path) -> None:
    folder = tmp_path / "Breaking.Bad.S01E01.720p-GRP"
    folder.mkdir()
    video = folder / "Breaking.Bad.S01E01.720p-GRP.mkv"
    video.write_bytes(b"")
    (folder / "info.nfo").write_text("<movie><tmdbid>603</tmdbid><id>tt0903747</id></movie>")
    assert parse_release(video, tmp_path).ids == {"imdb": "tt0903747"}


def test_another_videos_nfo_is_not_ours(tmp_path: Path) -> None:
    (tmp_path / "Other.Film.2001.mkv").write_bytes(b"")
    (tmp_path / "Other.Film.2001.nfo").write_text("<movie><tmdbid>1</tmdbid></movie>")
    video = tmp_path / "The.Matrix.1999.mkv"
    video.write_bytes(b"")
    assert parse_release(video, tmp_path).ids == {}


def test_name_ids_win_over_nfo(tmp_path: Path) -> None:
    video = tmp_path / "The Matrix (1999) {tmdb-603}.mkv"
    video.write_bytes(b"")
    video.with_suffix(".nfo").write_text("<movie><tmdbid>604</tmdbid><id>tt0133093</id></movie>")
    assert parse_release(video, tmp_path).ids == {"tmdb": 603, "imdb": "tt0133093"}


def test_the_first_names_of_a_run_build_guessits_rules_once(tmp_path: Path) -> None:
    """A run's first names reach the parser from several workers at once: guessit's rules are
    built once (not once per thread, which held the run's first result back), and every thread
    gets its own name's answer."""
    import subprocess
    import sys

    names = ["The.Matrix.1999.1080p.mkv", "Heat.1995.720p.mkv", "Alien.1979.mkv",
             "Breaking.Bad.S05E14.720p.mkv"]
    code = (
        "import threading\nfrom pathlib import Path\nimport guessit.api as api\n"
        "built = []\noriginal = api.rebulk_builder\n"
        "def counting(*args, **kwargs):\n    built.append(1)\n    return original(*args, **kwargs)\n"
        "api.rebulk_builder = counting\n"
        "from shelver.plugins.parse.name import parse_release\n"
        f"names = {names!r}\nbarrier = threading.Barrier(len(names))\nanswers = {{}}\n"
        "def parse(name):\n    barrier.wait()\n"
        "    answers[name] = parse_release(Path('/downloads') / name, Path('/downloads')).title\n"
        "threads = [threading.Thread(target=parse, args=(n,)) for n in names]\n"
        "for t in threads: t.start()\nfor t in threads: t.join()\n"
        "print(len(built), [answers[n] for n in names])\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "1 ['The Matrix', 'Heat', 'Alien', 'Breaking Bad']"


@pytest.mark.parametrize("name", [
    "\x1b[2JBreaking.Bad.S05E14\nOzymandias.1080p.WEB-DL.mkv",
    "Breaking.Bad.\x1b[31mS05E14\x1b[0m.Ozymandias.mkv",
    "Breaking\tBad\rS05E14\x00Ozymandias\x7f.mkv",
])
def test_control_characters_and_terminal_escapes_are_not_read_into_the_title(name: str) -> None:
    parsed = parse_release(Path("/downloads") / name, Path("/downloads"))
    assert (parsed.title, parsed.season, parsed.episodes) == ("Breaking Bad", 5, [14])


def test_a_folder_with_a_newline_is_read_without_it() -> None:
    parsed = parse_release(Path("/downloads/The.Matrix\n1999.1080p/abc123.mkv"),
                           Path("/downloads"))
    assert (parsed.title, parsed.year) == ("The Matrix", 1999)
