"""Library naming: DESIGN's default layout, hostile titles, user templates, the sandbox."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from shelver.errors import ConfigError
from shelver.metadata import Episode, Metadata
from shelver.model import Identity, Item, Match
from shelver.plugins.naming.plugin import clean_component, shelver_plan_destination


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    return tmp_path / "library"


@pytest.fixture
def plan(dest: Path, make_ctx: Any) -> Any:
    """``plan(item, **profile_settings)`` → the Plan the naming plugin makes."""

    def make(item: Item, **settings: Any) -> Any:
        return shelver_plan_destination(item=item, ctx=make_ctx(dest_dir=str(dest), **settings))

    return make


def movie(title: str, release_date: str | None = "1999-03-30", tmdb_id: int = 603,
          path: str = "/downloads/The.Matrix.1999.1080p.BluRay.x264.MKV", **probe: Any) -> Item:
    metadata = Metadata(provider="tmdb", kind="movie", title=title, original_title=title,
                        year=int(release_date[:4]) if release_date else None,
                        premiered=release_date, ids={"tmdb": str(tmdb_id), "imdb": "tt0133093"})
    return Item(path=Path(path), source=Path(path), probe=dict(probe),
                match=Match(identity=Identity("tmdb", "movie", tmdb_id), confidence=0.97,
                            metadata=metadata))


def episode(show: str, season: int, episodes: list[int], titles: list[str], tmdb_id: int = 1396,
            first_air_date: str = "2008-01-20", path: str = "/downloads/show.s01e01.mkv") -> Item:
    metadata = Metadata(provider="tmdb", kind="tv", title=show, year=int(first_air_date[:4]),
                        premiered=first_air_date, ids={"tmdb": str(tmdb_id)},
                        episodes=[Episode(season=season, number=n, title=t or None)
                                  for n, t in zip(episodes, titles, strict=True)])
    return Item(path=Path(path), source=Path(path),
                match=Match(identity=Identity("tmdb", "tv", tmdb_id, season, episodes), confidence=0.95,
                            metadata=metadata))


def relative(path: Path, dest: Path) -> str:
    return str(path.relative_to(dest))


# -- the default layout ------------------------------------------------------------------------


def test_movie_default_layout(plan: Any, dest: Path) -> None:
    result = plan(movie("The Matrix"))
    assert relative(result.destination, dest) == (
        "Movies/The Matrix (1999) {tmdb-603}/The Matrix (1999) {tmdb-603}.mkv")
    assert result.folder == dest / "Movies" / "The Matrix (1999) {tmdb-603}"


def test_movie_without_a_release_date(plan: Any, dest: Path) -> None:
    result = plan(movie("Untitled Project", release_date=None, tmdb_id=42))
    assert relative(result.destination, dest) == (
        "Movies/Untitled Project {tmdb-42}/Untitled Project {tmdb-42}.mkv")


def test_tv_episode_default_layout(plan: Any, dest: Path) -> None:
    result = plan(episode("Breaking Bad", 5, [14], ["Ozymandias"]))
    assert relative(result.destination, dest) == (
        "TV/Breaking Bad (2008) {tmdb-1396}/Season 05/"
        "Breaking Bad (2008) - S05E14 - Ozymandias.mkv")
    assert result.folder == dest / "TV" / "Breaking Bad (2008) {tmdb-1396}"


def test_multi_episode_file(plan: Any, dest: Path) -> None:
    result = plan(episode("Breaking Bad", 1, [1, 2], ["Pilot", "Cat's in the Bag..."]))
    assert relative(result.destination, dest) == (
        "TV/Breaking Bad (2008) {tmdb-1396}/Season 01/"
        "Breaking Bad (2008) - S01E01-E02 - Pilot & Cat's in the Bag.mkv")
    three = plan(episode("Show", 2, [3, 4, 5], ["Part 1", "Part 2", "Part 3"], tmdb_id=9,
                         first_air_date="2010-05-01"))
    assert three.destination.name == "Show (2010) - S02E03-E04-E05 - Part 1 & Part 2 & Part 3.mkv"


def test_special_goes_to_season_00(plan: Any, dest: Path) -> None:
    result = plan(episode("Doctor Who", 0, [3], ["The Christmas Invasion"], tmdb_id=57243,
                          first_air_date="2005-03-26"))
    assert relative(result.destination, dest) == (
        "TV/Doctor Who (2005) {tmdb-57243}/Season 00/"
        "Doctor Who (2005) - S00E03 - The Christmas Invasion.mkv")


def test_episode_without_a_title(plan: Any, dest: Path) -> None:
    result = plan(episode("Show", 1, [7], [""], tmdb_id=9, first_air_date="2010-05-01"))
    assert result.destination.name == "Show (2010) - S01E07.mkv"


def other_provider(ids: dict[str, str], kind: str = "movie") -> Item:
    """An item identified by a provider that is not TMDB (a local catalogue)."""
    path = "/downloads/holiday.2019.mkv"
    metadata = Metadata(provider="catalogue", kind=kind, title="Holiday in Brittany", year=2019,
                        ids=ids, episodes=[Episode(season=1, number=2, title="The Beach")]
                        if kind == "tv" else [])
    identity = Identity("catalogue", kind, ids.get("catalogue", "hb"),
                        *((1, [2]) if kind == "tv" else ()))
    return Item(path=Path(path), source=Path(path),
                match=Match(identity=identity, confidence=1.0, metadata=metadata))


@pytest.mark.parametrize(("ids", "tag"), [
    ({"catalogue": "hb", "tmdb": "900001", "imdb": "tt9000001"}, " {tmdb-900001}"),
    ({"catalogue": "hb", "imdb": "tt9000001", "tvdb": "77"}, " {imdb-tt9000001}"),
    ({"catalogue": "hb", "tvdb": "77"}, " {tvdb-77}"),
    ({"catalogue": "hb"}, ""),
])
def test_another_providers_id_tag(plan: Any, dest: Path, ids: dict[str, str], tag: str) -> None:
    """The default layout names the TMDB id when the provider knows one, else the IMDb or TVDB
    id, else none: never an empty ``{tmdb-}``."""
    result = plan(other_provider(ids))
    name = f"Holiday in Brittany (2019){tag}"
    assert relative(result.destination, dest) == f"Movies/{name}/{name}.mkv"
    show = plan(other_provider(ids, kind="tv"))
    assert relative(show.destination, dest) == (
        f"TV/{name}/Season 01/Holiday in Brittany (2019) - S01E02 - The Beach.mkv")


def test_provider_fields(plan: Any, dest: Path) -> None:
    template = "{{ provider }}-{{ provider_id }}/{{ tmdb_id or 'none' }}/{{ id_tag }}{{ ext }}"
    result = plan(other_provider({"catalogue": "hb-1", "imdb": "tt9000001"}),
                  naming={"movie": template})
    assert relative(result.destination, dest) == "catalogue-hb-1/none/{imdb-tt9000001}.mkv"
    assert relative(plan(movie("The Matrix"), naming={"movie": template}).destination, dest) == (
        "tmdb-603/603/{tmdb-603}.mkv")


def test_the_old_default_templates_still_work(plan: Any, dest: Path) -> None:
    """Profiles written before ``id_tag`` spell the TMDB tag out: same paths as before."""
    old_movie = ("Movies/{{ title_year }} {tmdb-{{ tmdb_id }}}/"
                 "{{ title_year }} {tmdb-{{ tmdb_id }}}{{ ext }}")
    assert plan(movie("The Matrix"), naming={"movie": old_movie}).destination == plan(
        movie("The Matrix")).destination


def test_companions_follow_the_new_name(plan: Any, dest: Path, tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    for name in ("Matrix.mkv", "Matrix.en.srt", "Matrix.en.forced.srt", "Matrix-poster.jpg",
                 "Matrix2.srt"):
        (downloads / name).write_bytes(b"x")
    result = plan(movie("The Matrix", path=str(downloads / "Matrix.mkv")))
    folder = dest / "Movies" / "The Matrix (1999) {tmdb-603}"
    assert result.companions == {
        downloads / "Matrix.en.srt": folder / "The Matrix (1999) {tmdb-603}.en.srt",
        downloads / "Matrix.en.forced.srt": folder / "The Matrix (1999) {tmdb-603}.en.forced.srt",
        downloads / "Matrix-poster.jpg": folder / "The Matrix (1999) {tmdb-603}-poster.jpg",
    }


def test_companion_of_a_long_name_keeps_its_extension(plan: Any, tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / "m.mkv").write_bytes(b"x")
    (downloads / "m.en.forced.srt").write_bytes(b"x")
    result = plan(movie("É" * 150, path=str(downloads / "m.mkv")))
    (target,) = result.companions.values()
    assert target.name.endswith(".en.forced.srt") and len(target.name.encode()) <= 255


# -- hostile titles ----------------------------------------------------------------------------

HOSTILE = [
    "../../etc", "..", ".", "/", "Face/Off", "AC/DC: Live", "Back\\slash", "Tab\there\nnewline\r",
    "\x00\x01\x1f\x7f", "$(rm -rf ~)", "`reboot`", "<>:\"|?*", " .hidden. ", "CON",
    "É" * 150, "日本語のタイトル" * 20, "a" * 300, "x/" * 200,
]


def check_component(part: str) -> None:
    assert part not in ("", ".", "..")
    assert "/" not in part and "\x00" not in part
    assert not any(ord(c) < 32 or ord(c) == 127 for c in part)
    assert len(part.encode("utf-8")) <= 255
    part.encode("utf-8").decode("utf-8")  # whole characters only


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_movie_titles_stay_inside_dest(plan: Any, dest: Path, title: str) -> None:
    result = plan(movie(title, path="/downloads/file.mkv"))
    destination = result.destination
    assert os.path.abspath(destination).startswith(str(dest) + os.sep)
    parts = destination.relative_to(dest).parts
    assert len(parts) == 3 and parts[0] == "Movies"
    for part in parts:
        check_component(part)
    assert destination.suffix == ".mkv"
    assert "{tmdb-603}" in parts[1] and parts[2].endswith("{tmdb-603}.mkv")


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_tv_names_stay_inside_dest(plan: Any, dest: Path, title: str) -> None:
    result = plan(episode(title, 1, [1, 2], [title, title + "2"], path="/d/file.MP4"))
    parts = result.destination.relative_to(dest).parts
    assert len(parts) == 4 and parts[0] == "TV" and parts[2] == "Season 01"
    for part in parts:
        check_component(part)
    assert parts[3].endswith(".mp4") and "S01E01-E02" in parts[3]


def test_clean_component() -> None:
    assert clean_component("AC/DC: Live") == "AC-DC Live"
    assert clean_component("Face/Off") == "Face-Off"
    assert clean_component('What? "Me" <worry>*|') == "What Me worry"
    assert clean_component("line\nbreak\x00") == "linebreak"
    assert clean_component("..") == "_"
    assert clean_component("  .trailing dots..  ") == "trailing dots"
    long_name = "é" * 200 + ".mkv"
    cleaned = clean_component(long_name, keep_suffix=".mkv")
    assert cleaned.endswith("é.mkv") and len(cleaned.encode()) <= 255


# -- user templates ----------------------------------------------------------------------------


def test_user_template(plan: Any, dest: Path) -> None:
    template = "Films/{{ title }} [{{ year }}] {{ resolution }} {{ imdb_id }}{{ ext }}"
    result = plan(movie("The Matrix", resolution="1080p"), naming={"movie": template})
    assert relative(result.destination, dest) == "Films/The Matrix [1999] 1080p tt0133093.mkv"
    tv_template = "Shows/{{ show }}/S{{ season_nn }}/{{ show }} {{ episode_code }}{{ ext }}"
    result = plan(episode("Lost", 2, [5], ["x"], tmdb_id=4607), naming={"tv": tv_template})
    assert relative(result.destination, dest) == "Shows/Lost/S02/Lost E05.mkv"


def test_user_template_without_the_extension_keeps_it(plan: Any, dest: Path) -> None:
    result = plan(movie("The Matrix"), naming={"movie": "{{ title }}"})
    assert relative(result.destination, dest) == "The Matrix.mkv"


def test_template_values_cannot_add_folders(plan: Any, dest: Path) -> None:
    result = plan(movie("../../../../tmp/evil"), naming={"movie": "{{ title }}{{ ext }}"})
    assert result.destination.parent == dest
    literal = plan(movie("x"), naming={"movie": "../../../{{ title }}/../..{{ ext }}"})
    assert os.path.abspath(literal.destination).startswith(str(dest) + os.sep)
    absolute = plan(movie("x"), naming={"movie": "/etc/{{ title }}{{ ext }}"})
    assert absolute.destination == dest / "etc" / "x.mkv"


@pytest.mark.parametrize("template", [
    "{{ title ",  # syntax
    "{{ no_such_field }}",  # undefined
    "{% for %}",
    "{{ year + 'x' }}",  # a type error while rendering
    "{{ title | no_such_filter }}",
    "   /  / ",  # renders nothing
])
def test_template_error_names_the_setting(plan: Any, template: str) -> None:
    with pytest.raises(ConfigError, match=r"naming\.movie"):
        plan(movie("The Matrix"), naming={"movie": template})


@pytest.mark.parametrize("template", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ title.__class__.__mro__[-1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('touch {marker}') }}",
    "{{ self.__init__.__globals__.__builtins__.open('{marker}', 'w') }}",
    "{{ ''.__class__.__base__.__subclasses__()[0].__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__['os'].system('touch {marker}') }}",
    "{{ lipsum.__globals__['os'].system('touch {marker}') }}",
])
def test_sandbox_escape_attempts_fail_safely(plan: Any, tmp_path: Path, template: str) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(ConfigError, match=r"naming\.movie"):
        plan(movie("The Matrix"), naming={"movie": template.replace("{marker}", str(marker))})
    assert not marker.exists()
