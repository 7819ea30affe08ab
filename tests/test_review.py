"""``shelver review``'s identity syntax: ``PROVIDER:KIND/ID`` (``tmdb:movie/603``), the old
``movie/603`` and ``--tmdb`` still taken as TMDB's; candidates carry their provider; a decision is
stored as ``Identity.as_json()`` and one stored by an older release still counts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from shelver.errors import ConfigError
from shelver.manager import get_plugin_manager
from shelver.model import Identity, State
from shelver.review import accept_candidate, check_provider, describe_identity, parse_identity
from shelver.store import StateDB

from tests.conftest import json_lines, shelver

EPISODE = {"season": 5, "episodes": [14]}  # what the file name said


@pytest.mark.parametrize(("ref", "season", "episodes", "want"), [
    ("tmdb:movie/603", None, [], Identity("tmdb", "movie", "603")),
    ("tmdb:tv/1396", None, [], Identity("tmdb", "tv", "1396", 5, [14])),
    ("tmdb:tv/1396/4/2/1", None, [], Identity("tmdb", "tv", "1396", 4, [1, 2])),
    ("tmdb:tv/1396", 1, [3], Identity("tmdb", "tv", "1396", 1, [3])),
    ("catalogue:tv/bb/5", None, [], Identity("catalogue", "tv", "bb", 5, [14])),
    ("catalogue:movie/tt0133093", None, [], Identity("catalogue", "movie", "tt0133093")),
    ("kodi_nfo:movie/the-matrix_1999.v2", None, [], Identity("kodi_nfo", "movie", "the-matrix_1999.v2")),
    # The form releases before 0.2 took: TMDB's.
    ("movie/603", None, [], Identity("tmdb", "movie", "603")),
    (" tv:1396 ", None, [], Identity("tmdb", "tv", "1396", 5, [14])),
])
def test_identity_references(ref: str, season: int | None, episodes: list[int],
                             want: Identity) -> None:
    assert parse_identity(ref, season, episodes, EPISODE) == want


def test_the_tmdb_option_takes_the_old_form() -> None:
    assert parse_identity("movie/603", None, [], option="--tmdb", provider="tmdb") \
        == Identity("tmdb", "movie", "603")
    assert parse_identity("tmdb:tv/1396/5/14", None, [], option="--tmdb", provider="tmdb") \
        == Identity("tmdb", "tv", "1396", 5, [14])
    with pytest.raises(ConfigError) as raised:
        parse_identity("catalogue:movie/bb", None, [], option="--tmdb", provider="tmdb")
    assert str(raised.value) == "--tmdb must look like movie/603 or tv/1396, not 'catalogue:movie/bb'"


@pytest.mark.parametrize(("ref", "season", "episodes", "message"), [
    ("show/1396", None, [], "--id must look like tmdb:movie/603 or tmdb:tv/1396, not 'show/1396'"),
    ("tmdb:movie/", None, [], "--id must look like tmdb:movie/603 or tmdb:tv/1396, not 'tmdb:movie/'"),
    ("tmdb:movie/../x", None, [], "--id must look like tmdb:movie/603 or tmdb:tv/1396, "
                                  "not 'tmdb:movie/../x'"),
    ("tmdb:movie/6 03", None, [], "--id must look like tmdb:movie/603 or tmdb:tv/1396, "
                                  "not 'tmdb:movie/6 03'"),
    ("tmdb:movie/603", 1, [], "--season/--episode are for tv identities"),
    ("tmdb:movie/603/1/2", None, [], "--season/--episode are for tv identities"),
    ("tmdb:tv/1396/5/14", 5, [], "give the season and episodes in --id or with --season/--episode, "
                                 "not both"),
])
def test_bad_references_are_one_line_naming_the_option(ref: str, season: int | None,
                                                       episodes: list[int], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_identity(ref, season, episodes, EPISODE)
    assert str(raised.value) == message
    with pytest.raises(ConfigError, match="needs --season"):
        parse_identity("tmdb:tv/1396", None, [], {})


def test_identities_are_described_as_review_takes_them() -> None:
    assert describe_identity(Identity("tmdb", "movie", "603")) == "tmdb:movie/603"
    assert describe_identity(Identity("tmdb", "tv", "1396", 5, [14])) == "tmdb:tv/1396 S05E14"
    assert describe_identity(Identity("catalogue", "tv", "bb", 1, [1, 2])) \
        == "catalogue:tv/bb S01E01-E02"


def test_a_candidate_is_accepted_with_its_provider() -> None:
    row = {"id": 7, "parsed": json.dumps(EPISODE), "candidates": json.dumps([
        {"provider": "catalogue", "kind": "tv", "id": "bb", "title": "Breaking Bad"},
        {"provider": "tmdb", "type": "movie", "id": 603, "title": "The Matrix"},
        {"type": "tv", "id": 1396, "title": "Breaking Bad"},  # stored before candidates had one
    ])}
    assert accept_candidate(row, 1, None, []) == Identity("catalogue", "tv", "bb", 5, [14])
    assert accept_candidate(row, 2, None, []) == Identity("tmdb", "movie", "603")
    assert accept_candidate(row, 3, 2, [1]) == Identity("tmdb", "tv", "1396", 2, [1])
    with pytest.raises(ConfigError, match="item 7 has 3 candidate"):
        accept_candidate(row, 4, None, [])


def test_a_provider_that_is_not_loaded_is_refused() -> None:
    pm = get_plugin_manager(disable=["tmdb"])
    with pytest.raises(ConfigError) as raised:
        check_provider(Identity("tmdb", "movie", "603"), pm, "plugins in p.toml")
    assert str(raised.value) == ("tmdb:movie/603: no plugin named 'tmdb' is loaded, so nothing "
                                 "can fetch it (plugins in p.toml)")
    check_provider(Identity("tmdb", "movie", "603"), get_plugin_manager(), "unused")


def test_a_decision_stored_by_an_older_release_still_counts(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    """A person decided before 0.2 ({"type": "movie", "id": 27205}), and the run that was to
    apply it never came: the next run applies it."""
    profile = make_profile()
    source = video(tmp_path / "downloads" / "x7f3.mkv", 8880)
    state = StateDB(tmp_path / "state.db")
    item_id = state.observe(str(source), source.stat().st_size, source.stat().st_mtime,
                            source.stat().st_ino, "test")
    assert item_id is not None
    assert state.transition(item_id, State.NEW, State.NEW,
                            forced_identity=json.dumps({"type": "movie", "id": 27205}))
    state.close()
    proc = shelver("run", str(source), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    (result,) = json_lines(proc.stdout)
    assert result["status"] == "organised" and result["confidence"] == 1.0
    assert result["identity"] == {"provider": "tmdb", "kind": "movie", "id": "27205"}
    assert Path(result["destination"]).name == "Inception (2010) {tmdb-27205}.mkv"


def test_a_decision_is_stored_in_the_new_form_and_candidates_are_listed_by_key(
        tmp_path: Path, make_profile: Any) -> None:
    from shelver.review import decide

    profile = make_profile()
    state = StateDB(tmp_path / "state.db")
    path = tmp_path / "downloads" / "x7f3.mkv"
    item_id = state.observe(str(path), 1, 1.0, 1, "test")
    assert item_id is not None
    assert state.transition(item_id, State.NEW, State.REVIEW, candidates=[
        {"provider": "catalogue", "kind": "tv", "id": "bb", "title": "Breaking Bad", "year": 2008,
         "score": 0.5},
        {"type": "movie", "id": 603, "title": "The Matrix", "year": 1999, "score": 0.4}])
    listed = shelver("review", "-p", str(profile))
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert "     1. catalogue:tv/bb  Breaking Bad (2008)  score 0.5" in lines, lines
    assert "     2. tmdb:movie/603  The Matrix (1999)  score 0.4" in lines, lines
    row = state.item(item_id)
    assert row is not None
    decide(state, row, Identity("catalogue", "tv", "bb", 5, [14]), "test")
    stored = state.item(item_id)
    assert stored is not None and json.loads(stored["forced_identity"]) == {
        "provider": "catalogue", "kind": "tv", "id": "bb", "season": 5, "episodes": [14]}
    state.close()
