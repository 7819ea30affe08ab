"""What identification leaves in the library, through the real CLI: a scene ``.nfo`` never
becomes the video's NFO (traps), and ``tmdb.language`` decides titles and episode names while
the NFO keeps the original title (language). docs/identification.md."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import json_lines, shelver

SCENE_NFO = """\
            ___  ___  ___  _  _  ___
           / __|/ __|| __|| \\| || __|   presents
           \\__ \\ (__ | _| | .` || _|
           |___/\\___||___||_|\\_||___|

  The Matrix (1999) 1080p BluRay x264
  Size....: 8.2 GB            Runtime.: 2h 16m
  IMDb....: https://www.imdb.com/title/tt0133093/
"""


def nfo_root(path: Path) -> ET.Element:
    return ET.fromstring(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("nfo_name", ["The.Matrix.1999.1080p.BluRay.x264-SCENE.nfo",
                                      "scene-the.matrix.1999.1080p.nfo"],
                         ids=["same-stem", "other-stem"])
def test_traps_scene_nfo_is_a_leftover_and_shelver_writes_its_nfo(
        tmp_path: Path, make_profile: Any, video: Any, nfo_name: str) -> None:
    release = tmp_path / "downloads" / "The.Matrix.1999.1080p.BluRay.x264-SCENE"
    video(release / "The.Matrix.1999.1080p.BluRay.x264-SCENE.mkv", 8160)
    (release / nfo_name).write_text(SCENE_NFO, encoding="utf-8")
    proc = shelver("run", str(tmp_path / "downloads"), "-p", str(make_profile()), "--json")
    assert proc.returncode == 0, proc.stderr
    (result,) = [r for r in json_lines(proc.stdout) if r["source"].endswith(".mkv")]
    # The release group "SCENE" is no Plex "-scene" extra: the film is organised.
    assert result["status"] == "organised" and result["tmdb"]["id"] == 603
    placed = Path(result["destination"])
    nfo = placed.with_suffix(".nfo")
    root = nfo_root(nfo)
    assert root.tag == "movie" and root.findtext("uniqueid[@type='tmdb']") == "603"
    assert "presents" not in nfo.read_text(encoding="utf-8")
    assert not any("SCENE" in p.name or "scene" in p.name for p in placed.parent.iterdir())
    assert (release / nfo_name).read_text(encoding="utf-8") == SCENE_NFO  # left behind, intact


def test_language_decides_library_titles_and_the_nfo_keeps_the_original(
        tmp_path: Path, make_profile: Any, video: Any, tmdb_server: Any) -> None:
    downloads = tmp_path / "downloads"
    video(downloads / "The.Matrix.1999.1080p.BluRay.x264-GRP.mkv", 8160)
    video(downloads / "Breaking.Bad.S01E01.720p.BluRay.x264-GRP.mkv", 3480)
    # A German name finds the film too: TMDB searches translated titles.
    video(downloads / "Die.Verurteilten.1994.German.1080p.BluRay.x264-GRP.mkv", 8520)
    profile = make_profile(tmdb={"language": "de-DE"})
    proc = shelver("run", str(downloads), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    results = {Path(r["source"]).name: r for r in json_lines(proc.stdout)}
    film = Path(results["The.Matrix.1999.1080p.BluRay.x264-GRP.mkv"]["destination"])
    assert film.name == "Matrix (1999) {tmdb-603}.mkv"
    root = nfo_root(film.with_suffix(".nfo"))
    assert (root.findtext("title"), root.findtext("originaltitle")) == ("Matrix", "The Matrix")
    assert root.findtext("plot", "").startswith("Ein Hacker")
    episode = Path(results["Breaking.Bad.S01E01.720p.BluRay.x264-GRP.mkv"]["destination"])
    assert episode.name == "Breaking Bad (2008) - S01E01 - Der Einstieg.mkv"
    shawshank = results["Die.Verurteilten.1994.German.1080p.BluRay.x264-GRP.mkv"]
    assert shawshank["tmdb"]["id"] == 278
    assert Path(shawshank["destination"]).name == "Die Verurteilten (1994) {tmdb-278}.mkv"
    searches = [r for r in tmdb_server.requests if r.path.startswith("/3/search")]
    assert searches and all(r.params.get("language") == "de-DE" for r in searches)
