"""Profiles: resolution order, validation against every plugin's schema, path handling, and the
``shelver profile`` / ``shelver run`` commands as real subprocesses."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from shelver.errors import ConfigError
from shelver.paths import resolve_profile_path
from shelver.profiles import VIDEO_EXTENSIONS, load_profile, load_with_plugins, validate

from tests.conftest import shelver, write_profile


@pytest.fixture
def config_profiles(isolated_home: Path) -> Path:
    folder = isolated_home / ".config" / "shelver" / "profiles"
    folder.mkdir(parents=True)
    return folder


# -- resolution --------------------------------------------------------------------------------


def test_resolution_order(tmp_path: Path, config_profiles: Path, monkeypatch: pytest.MonkeyPatch
                          ) -> None:
    work = tmp_path / "work"
    (work / "profiles").mkdir(parents=True)
    monkeypatch.chdir(work)
    in_config = write_profile(config_profiles / "movies.toml", {"workers": 1})
    assert resolve_profile_path("movies") == in_config.resolve()
    assert load_profile("movies").get("workers") == 1

    in_cwd = write_profile(work / "profiles" / "movies.toml", {"workers": 2})
    assert resolve_profile_path("movies") == in_cwd.resolve()  # ./profiles wins over XDG
    assert load_profile("movies").get("workers") == 2

    (tmp_path / "elsewhere").mkdir()
    explicit = write_profile(tmp_path / "elsewhere" / "movies.toml", {"workers": 3})
    assert resolve_profile_path(str(explicit)) == explicit.resolve()  # a path wins over both
    assert load_profile(str(explicit)).get("workers") == 3
    relative = os.path.relpath(explicit, work)
    assert resolve_profile_path(relative) == explicit.resolve()

    # A file named like the profile in cwd is a path too ("a path if it is one").
    write_profile(work / "movies", {"workers": 4})
    assert load_profile("movies").get("workers") == 4


def test_resolution_when_nothing_exists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_profile_path("nope") is None
    with pytest.raises(ConfigError) as info:
        load_profile("nope")
    message = str(info.value)
    assert "nope" in message and "profiles/nope.toml" in message
    # No name and no default profile: the built-in defaults.
    built_in = load_profile(None)
    assert built_in.path is None and built_in.mode == "inplace" and built_in.name == "default"


def test_profile_name_defaults_to_file_stem(tmp_path: Path) -> None:
    path = write_profile(tmp_path / "backlog.toml", {})
    assert load_profile(str(path)).name == "backlog"
    named = write_profile(tmp_path / "other.toml", {"name": "renamed"})
    assert load_profile(str(named)).name == "renamed"


# -- validation --------------------------------------------------------------------------------


def test_defaults_are_filled_in(tmp_path: Path, pm: Any) -> None:
    profile = load_profile(str(write_profile(tmp_path / "p.toml", {})), pm)
    assert (profile.mode, profile.action, profile.conflict) == ("inplace", "move", "skip")
    assert profile.get("watch.settle_seconds") == 30.0
    assert profile.get("filters.min_size_mb") == 50.0
    assert profile.get("filters.extensions") == VIDEO_EXTENSIONS
    assert profile.get("tmdb.base_url") == "https://api.themoviedb.org/3"
    assert profile.get("naming.movie")
    assert profile.state_db == Path(os.environ["XDG_DATA_HOME"]) / "shelver" / "state.db"
    assert profile.dest_dir is None and profile.sources == []
    # The defaults of one profile are not shared with another.
    profile.data["filters"]["extensions"].append(".xyz")
    assert ".xyz" not in load_profile(str(tmp_path / "p.toml"), pm).get("filters.extensions")
    assert ".xyz" not in VIDEO_EXTENSIONS


@pytest.mark.parametrize("settings, key", [
    ({"colour": "blue"}, "colour"),
    ({"tmdb": {"api_kee": "x"}}, "tmdb.api_kee"),
    ({"watch": {"settle": 3}}, "watch.settle"),
    ({"filters": {"min_size": 3}}, "filters.min_size"),
    ({"nosuchplugin": {"a": 1}}, "nosuchplugin"),
])
def test_unknown_key_names_the_key_and_the_file(tmp_path: Path, pm: Any, settings: dict[str, Any],
                                                key: str) -> None:
    path = write_profile(tmp_path / "bad.toml", settings)
    with pytest.raises(ConfigError) as info:
        load_profile(str(path), pm)
    assert repr(key) in str(info.value) or key in str(info.value)
    assert str(path.resolve()) in str(info.value)


@pytest.mark.parametrize("settings, key", [
    ({"workers": "four"}, "workers"),
    ({"workers": True}, "workers"),
    ({"workers": 2.5}, "workers"),
    ({"sources": "/one/path"}, "sources"),
    ({"sources": [1, 2]}, "sources"),
    ({"dest_dir": 5}, "dest_dir"),
    ({"watch": {"settle_seconds": "soon"}}, "watch.settle_seconds"),
    ({"filters": {"extensions": [3]}}, "filters.extensions"),
    ({"filters": {"ignore": "*.nfo"}}, "filters.ignore"),
    ({"filters": {"ignore": [True]}}, "filters.ignore"),
    ({"plugins": {"load": [1]}}, "plugins.load"),
    ({"tmdb": {"min_confidence": "high"}}, "tmdb.min_confidence"),
    ({"tmdb": "key"}, "tmdb"),
])
def test_bad_value_type_names_the_key(tmp_path: Path, pm: Any, settings: dict[str, Any],
                                      key: str) -> None:
    path = write_profile(tmp_path / "bad.toml", settings)
    with pytest.raises(ConfigError) as info:
        load_profile(str(path), pm)
    assert key in str(info.value)
    assert str(path.resolve()) in str(info.value)


def test_bad_filter_regex_is_a_config_error(tmp_path: Path) -> None:
    path = write_profile(tmp_path / "bad.toml", {"filters": {"ignore": ["re:(unclosed"]}})
    with pytest.raises(ConfigError, match="filters.ignore"):
        load_profile(str(path))


def test_ints_are_accepted_where_numbers_are_expected(tmp_path: Path, pm: Any) -> None:
    path = write_profile(tmp_path / "p.toml", {"watch": {"settle_seconds": 5},
                                                "tmdb": {"min_confidence": 1}})
    profile = load_profile(str(path), pm)
    assert profile.get("watch.settle_seconds") == 5.0
    assert isinstance(profile.get("watch.settle_seconds"), float)
    assert profile.get("tmdb.min_confidence") == 1.0


def test_paths_resolve_against_the_profile_folder(tmp_path: Path, isolated_home: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    path = write_profile(folder / "p.toml", {
        "sources": ["downloads", "~/incoming", "/abs/src"],
        "dest_dir": "../library", "work_dir": "~/cache", "state_db": "db/state.db",
        "failed_dir": "/abs/failed",
    })
    monkeypatch.chdir(isolated_home)  # the daemon's cwd does not matter
    profile = load_profile(str(path))
    assert profile.sources == [folder / "downloads", isolated_home / "incoming", Path("/abs/src")]
    assert profile.dest_dir == tmp_path / "library"
    assert profile.work_dir == isolated_home / "cache"
    assert profile.state_db == folder / "db" / "state.db"
    assert profile.failed_dir == Path("/abs/failed")
    assert all(p.is_absolute() for p in profile.sources)


def test_extensions_are_normalised(tmp_path: Path) -> None:
    path = write_profile(tmp_path / "p.toml", {"filters": {"extensions": ["MKV", ".Mp4"]}})
    assert load_profile(str(path)).get("filters.extensions") == [".mkv", ".mp4"]


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("mode = 'inplace\n[watch\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_profile(str(path))
    assert str(path.resolve()) in str(info.value) and "TOML" in str(info.value)
    with pytest.raises(ConfigError, match="broken.toml"):
        load_with_plugins(str(path))


def test_unknown_mode_lists_the_available_ones(tmp_path: Path, pm: Any) -> None:
    path = write_profile(tmp_path / "p.toml", {"mode": "teleport"})
    with pytest.raises(ConfigError) as info:
        load_profile(str(path), pm)
    message = str(info.value)
    assert "teleport" in message and "inplace" in message and "metadata-only" in message
    assert str(path.resolve()) in message
    assert load_profile(str(write_profile(tmp_path / "ok.toml", {"mode": "metadata-only"})),
                        pm).mode == "metadata-only"


@pytest.mark.parametrize("settings, key", [
    ({"conflict": "overwrite"}, "conflict"),
    ({"action": "teleport"}, "action"),
    ({"workers": 0}, "workers"),
])
def test_conflict_action_and_workers_are_checked(tmp_path: Path, settings: dict[str, Any],
                                                 key: str) -> None:
    path = write_profile(tmp_path / "p.toml", settings)
    with pytest.raises(ConfigError) as info:
        load_profile(str(path))
    assert key in str(info.value) and str(path.resolve()) in str(info.value)


@pytest.mark.parametrize("conflict", ["skip", "index", "replace-if-better", "fail"])
@pytest.mark.parametrize("action", ["move", "copy", "hardlink", "symlink", "reflink"])
def test_every_documented_conflict_and_action_is_accepted(conflict: str, action: str) -> None:
    profile = validate({"conflict": conflict, "action": action})
    assert (profile.conflict, profile.action) == (conflict, action)


def test_built_in_default_profile_errors_say_so() -> None:
    with pytest.raises(ConfigError, match="built-in default profile"):
        validate({"colour": "blue"})


def test_profile_where_names_setting_and_file(tmp_path: Path) -> None:
    path = write_profile(tmp_path / "p.toml", {})
    assert load_profile(str(path)).where("tmdb.api_key") == f"tmdb.api_key in {path.resolve()}"


# -- through the command line ------------------------------------------------------------------


def test_profile_init_writes_a_profile_that_check_accepts(tmp_path: Path, isolated_home: Path
                                                          ) -> None:
    source, dest = tmp_path / "downloads", tmp_path / "library"
    result = shelver("profile", "init", "movies", "--source", str(source), "--dest", str(dest))
    assert result.returncode == 0, result.stderr
    written = isolated_home / ".config" / "shelver" / "profiles" / "movies.toml"
    assert written.is_file()
    checked = shelver("profile", "check", "-p", "movies", "--json")
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert report["profile"] == "movies" and report["path"] == str(written.resolve())
    assert report["settings"]["sources"] == [str(source)]
    assert report["settings"]["dest_dir"] == str(dest)
    assert report["settings"]["mode"] == "inplace"
    # A second init does not clobber it.
    again = shelver("profile", "init", "movies", "--source", str(source))
    assert again.returncode == 2 and "exists" in again.stderr


def test_run_with_an_unknown_key_exits_2_naming_key_and_path(tmp_path: Path) -> None:
    path = write_profile(tmp_path / "bad.toml", {"dest_dir": str(tmp_path / "lib"),
                                                 "tmdb": {"api_kee": "x"}})
    result = shelver("run", "-p", str(path), str(tmp_path))
    assert result.returncode == 2
    assert "tmdb.api_kee" in result.stderr and str(path.resolve()) in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("example", sorted((Path(__file__).resolve().parents[1] / "profiles").glob("*.toml")),
                         ids=lambda p: p.name)
def test_the_example_profiles_are_valid(example: Path) -> None:
    from shelver.profiles import load_with_plugins

    profile, _pm = load_with_plugins(str(example))
    assert profile.name == example.stem and profile.dest_dir is not None


def test_a_missing_profile_names_only_the_places_looked_at(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    with pytest.raises(ConfigError) as given_a_path:
        load_profile(str(tmp_path / "gone.toml"))
    assert str(given_a_path.value) == (
        f"profile '{tmp_path / 'gone.toml'}' not found (looked for {tmp_path / 'gone.toml'})")
    with pytest.raises(ConfigError) as given_a_name:
        load_profile("nas")
    assert str(given_a_name.value) == (
        "profile 'nas' not found (looked for ./nas, ./profiles/nas.toml and "
        f"{tmp_path / 'config' / 'shelver' / 'profiles' / 'nas.toml'})")


def test_profile_check_shows_no_credential(make_profile: Any) -> None:
    secrets = {"tmdb": {"api_key": "TMDB-SECRET", "limiter": "redis://:REDIS-SECRET@nas:6379/0",
                        "cache": "redis://u:CACHE-SECRET@nas/1"},
               "plex": {"url": "http://plex:32400", "token": "PLEX-SECRET"},
               "kodi": {"url": "http://kodi:8080", "password": "KODI-SECRET"},
               "jellyfin": {"url": "http://jf:8096", "api_key": "JF-SECRET"},
               "webhook": {"url": "https://hooks.example/x",
                           "headers": {"Authorization": "Bearer HOOK-SECRET"}},
               "notify": {"urls": ["tgram://TG-SECRET/123"]}}
    profile = make_profile(**secrets)
    for args in ([], ["--json"]):
        done = shelver("profile", "check", "-p", str(profile), *args)
        assert done.returncode == 0, done.stderr
        assert "SECRET" not in done.stdout + done.stderr, done.stdout
    settings = json.loads(done.stdout)["settings"]
    assert settings["tmdb"]["limiter"] == "redis://***@nas:6379/0"
    assert settings["tmdb"]["cache"] == "redis://***@nas/1"
    assert (settings["plex"]["token"], settings["plex"]["url"]) == ("***", "http://plex:32400")
    assert settings["webhook"]["headers"] == {"Authorization": "***"}
    assert settings["notify"]["urls"] == ["tgram://***"]
    assert settings["kodi"]["username"] == "kodi"  # not a credential: shown


def test_shown_settings_hides_a_password_whatever_the_rest_of_the_url() -> None:
    from shelver.profiles import shown_settings

    shown = shown_settings({"kodi": {"url": "http://u:PW@kodi:notaport/x"},
                            "notify": {"urls": ["http://[broken"]}})
    assert shown == {"kodi": {"url": "http://***@kodi/x"}, "notify": {"urls": ["http://***"]}}
