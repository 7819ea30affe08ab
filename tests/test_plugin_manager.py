"""The plugin manager factory: what it loads, from where, what it refuses, and how it reports.

Third-party plugins here are real: modules written to a temporary folder on ``sys.path`` and,
for entry points, a real ``*.dist-info`` with an ``entry_points.txt`` beside them, found by
``importlib.metadata`` exactly as an installed package is.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, json_lines, shelver, write_profile
from shelver.manager import DEFAULT_PLUGINS, describe_plugins, get_plugin_manager
from shelver.model import Item, ParsedName

BUILTINS = {name for name, _dotted in DEFAULT_PLUGINS}
# the built-ins DESIGN names; more may join them
REQUIRED_BUILTINS = {"parse", "mediainfo", "tmdb", "naming", "placement", "nfo"}

# A valid plugin: declares a settings section named after itself.
VALID = """
from shelver import hookimpl

@hookimpl
def shelver_config_schema():
    return {{"{section}": {{"enabled": True}}}}
"""


def unique(prefix: str) -> str:
    """A module name no other test (or sys.modules) has seen."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def write_module(site: Path, name: str, source: str) -> None:
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")


def install_entry_point(site: Path, ep_name: str, source: str) -> str:
    """A distribution ``shelver-test-<ep_name>`` with the entry point ``ep_name`` in group
    ``shelver``; returns the module name."""
    module = unique(f"shelver_test_{ep_name}".replace("-", "_"))
    write_module(site, module, source)
    info = site / f"shelver_test_{ep_name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: shelver-test-{ep_name}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[shelver]\n{ep_name} = {module}\n", encoding="utf-8")
    return module


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on sys.path holding three installed plugins: alpha, beta, and broken."""
    folder = tmp_path / "site"
    install_entry_point(folder, "alpha", VALID.format(section="alpha"))
    install_entry_point(folder, "beta", VALID.format(section="beta"))
    install_entry_point(folder, "broken", "raise RuntimeError('kaboom at import')\n")
    monkeypatch.syspath_prepend(str(folder))
    return folder


def names(pm: Any) -> set[str]:
    return {entry["name"] for entry in describe_plugins(pm)}


# ----------------------------------------------------------------------------------------------
# Nothing at import time; a fresh manager per call
# ----------------------------------------------------------------------------------------------


def test_importing_the_cli_loads_no_plugin() -> None:
    code = ("import sys, shelver.cli, shelver.manager, shelver.hookspecs; "
            "print(sorted(m for m in sys.modules if m.startswith('shelver.plugins') "
            "or m in ('trio', 'httpx', 'av', 'guessit', 'pymediainfo')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"imported at import time: {done.stdout}"


def test_each_call_builds_a_fresh_manager() -> None:
    first, second = get_plugin_manager(), get_plugin_manager()
    assert first is not second
    first.set_blocked("extra")
    assert not second.is_blocked("extra")
    assert names(first) == names(second) == BUILTINS
    assert all(first.origins[name] == "built-in" for name in BUILTINS)
    assert first.load_errors == []


# ----------------------------------------------------------------------------------------------
# Entry points and SHELVER_LOAD_PLUGINS
# ----------------------------------------------------------------------------------------------


def test_unset_loads_every_entry_point(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHELVER_LOAD_PLUGINS")
    pm = get_plugin_manager()
    assert {"alpha", "beta"} | BUILTINS <= names(pm)
    assert pm.origins["alpha"] == "entry point (shelver-test-alpha 1.0)"
    assert {"alpha": {"enabled": True}} in pm.hook.shelver_config_schema()
    # the broken one is reported by name and skipped; the others still load
    [error] = [e for e in pm.load_errors if "'broken'" in e]
    assert "kaboom at import" in error and "RuntimeError" in error
    assert not pm.has_plugin("broken")


def test_empty_loads_no_entry_point(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELVER_LOAD_PLUGINS", "")
    pm = get_plugin_manager()
    assert names(pm) == BUILTINS
    assert pm.load_errors == []


@pytest.mark.parametrize("value, expected", [
    ("alpha", {"alpha"}),
    (" alpha , beta ", {"alpha", "beta"}),
    ("beta,", {"beta"}),
])
def test_a_list_loads_only_those(site: Path, monkeypatch: pytest.MonkeyPatch, value: str,
                                 expected: set[str]) -> None:
    monkeypatch.setenv("SHELVER_LOAD_PLUGINS", value)
    pm = get_plugin_manager()
    assert names(pm) == BUILTINS | expected
    assert pm.load_errors == []  # broken was not asked for, so it was not even imported


def test_a_name_that_is_not_installed_is_reported(site: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELVER_LOAD_PLUGINS", "alpha,gamma")
    pm = get_plugin_manager()
    assert names(pm) == BUILTINS | {"alpha"}
    assert len(pm.load_errors) == 1 and "'gamma'" in pm.load_errors[0]


# ----------------------------------------------------------------------------------------------
# plugins.disable and plugins.load
# ----------------------------------------------------------------------------------------------


def test_disable_blocks_a_builtin() -> None:
    pm = get_plugin_manager(disable=["nfo"])
    assert not pm.has_plugin("nfo") and pm.is_blocked("nfo")
    assert "nfo" not in names(pm)
    enrichers = {impl.plugin_name for impl in pm.hook.shelver_enrich.get_hookimpls()}
    assert "nfo" not in enrichers
    assert not any("nfo" in schema for schema in pm.hook.shelver_config_schema() if schema)


def test_disable_blocks_an_entry_point(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELVER_LOAD_PLUGINS", "alpha,beta")
    pm = get_plugin_manager(disable=["alpha"])
    assert names(pm) == BUILTINS | {"beta"}


@pytest.mark.parametrize("old", ["modes", "cache_modes", "placement_commands"])
def test_a_merged_builtins_old_name_in_disable_is_a_one_line_config_error(
        tmp_path: Path, old: str) -> None:
    profile = write_profile(tmp_path / "p.toml", {"name": "p", "plugins": {"disable": [old]}})
    done = shelver("profile", "check", "-p", str(profile))
    assert done.returncode == 2
    assert done.stderr == (
        f"shelver: error: plugins.disable names '{old}', which is now part of the 'placement' "
        f"plugin: write 'placement' to disable it, or remove '{old}' (plugins.disable in "
        f"{profile})\n")


def test_placement_is_one_plugin_so_no_mode_runs_without_recovery() -> None:
    from shelver.profiles import registered_modes

    pm = get_plugin_manager()
    modes = {"inplace", "metadata-only", "cache", "selective", "auto"}
    assert set(registered_modes(pm)) == modes
    owners = {impl.plugin_name for hook in ("shelver_register_modes", "shelver_run_start",
                                             "shelver_register_journal_ops", "shelver_place")
              for impl in getattr(pm.hook, hook).get_hookimpls()}
    assert "placement" in owners and not owners & {"modes", "cache_modes", "placement_commands"}
    off = get_plugin_manager(disable=["placement"])
    assert registered_modes(off) == {}
    assert not [impl for impl in off.hook.shelver_run_start.get_hookimpls()
                if impl.plugin_name == "placement"]


def test_every_builtin_is_a_package_named_after_it_with_its_hooks_in_plugin_py() -> None:
    pm = get_plugin_manager()
    for name, dotted in DEFAULT_PLUGINS:
        assert dotted == f"shelver.plugins.{name}.plugin", name
        entry = next(e for e in describe_plugins(pm) if e["name"] == name)
        for implementation in entry["implementations"]:
            assert implementation["location"].startswith(f"shelver/plugins/{name}/plugin.py:"), (
                name, implementation)


def test_load_registers_a_dotted_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = unique("my_hooks")
    write_module(tmp_path / "mods", module, VALID.format(section="mine"))
    monkeypatch.syspath_prepend(str(tmp_path / "mods"))
    pm = get_plugin_manager(load=[module])
    assert pm.has_plugin(module)
    assert pm.origins[module] == "profile plugins.load"
    assert {"mine": {"enabled": True}} in pm.hook.shelver_config_schema()
    described = {entry["name"]: entry for entry in describe_plugins(pm)}
    assert described[module]["hooks"] == ["shelver_config_schema"]


def test_load_of_a_missing_module_is_reported() -> None:
    pm = get_plugin_manager(load=["no_such_module_for_shelver"])
    assert names(pm) == BUILTINS
    [error] = pm.load_errors
    assert "'no_such_module_for_shelver'" in error and "ModuleNotFoundError" in error


def test_a_module_both_installed_and_loaded_is_registered_once(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELVER_LOAD_PLUGINS", "alpha")
    module = next(p.stem for p in site.glob("shelver_test_alpha_*.py"))
    pm = get_plugin_manager(load=[module])
    assert pm.has_plugin("alpha") and not pm.has_plugin(module)
    assert len(pm.load_errors) == 1 and "already registered as 'alpha'" in pm.load_errors[0]


# ----------------------------------------------------------------------------------------------
# Plugins that would break shelver are reported and skipped
# ----------------------------------------------------------------------------------------------


def test_an_implementation_with_a_wrong_argument_is_skipped(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    module = unique("wrong_args")
    write_module(tmp_path / "mods", module, VALID.format(section="wrong") + textwrap.dedent("""
        @hookimpl
        def shelver_item_done(item, context):
            pass
    """))
    monkeypatch.syspath_prepend(str(tmp_path / "mods"))
    pm = get_plugin_manager(load=[module])
    assert not pm.has_plugin(module)
    [error] = pm.load_errors
    assert module in error and "context" in error
    # nothing of it stays registered, not even its valid hook
    assert not any("wrong" in schema for schema in pm.hook.shelver_config_schema() if schema)
    assert names(pm) == BUILTINS


def test_an_unknown_hook_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = unique("typo")
    write_module(tmp_path / "mods", module, """
        from shelver import hookimpl

        @hookimpl
        def shelver_itme_done(item, ctx):
            pass
    """)
    monkeypatch.syspath_prepend(str(tmp_path / "mods"))
    pm = get_plugin_manager(load=[module])
    assert not pm.has_plugin(module)
    [error] = pm.load_errors
    assert "shelver_itme_done" in error and module in error
    pm.check_pending()


def test_an_entry_point_cannot_take_a_builtin_name(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "site"
    install_entry_point(folder, "nfo", VALID.format(section="impostor"))
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("SHELVER_LOAD_PLUGINS", "nfo")
    pm = get_plugin_manager()
    assert pm.origins["nfo"] == "built-in"
    assert pm.get_plugin("nfo").__name__ == "shelver.plugins.nfo.plugin"
    [error] = pm.load_errors
    assert "'nfo'" in error and "built-in" in error


# ----------------------------------------------------------------------------------------------
# Built-ins answer last: a third party overrides them
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("plugin, hook", [
    ("parse", "shelver_parse_name"),
    ("mediainfo", "shelver_probe"),
    ("tmdb", "shelver_match"),
    ("naming", "shelver_plan_destination"),
])
def test_builtin_defaults_are_trylast(plugin: str, hook: str) -> None:
    pm = get_plugin_manager()
    [impl] = [impl for impl in getattr(pm.hook, hook).get_hookimpls() if impl.plugin_name == plugin]
    assert impl.trylast, f"{plugin}.{hook} is a default a third party overrides: make it trylast"


def test_a_third_party_answer_wins_over_the_builtin(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    module = unique("parser")
    write_module(tmp_path / "mods", module, """
        from shelver import hookimpl
        from shelver.model import ParsedName

        @hookimpl
        def shelver_parse_name(item):
            if item.path.stem == "decline":
                return None
            return ParsedName(kind="movie", title="From The Plugin", year=2001)
    """)
    monkeypatch.syspath_prepend(str(tmp_path / "mods"))
    pm = get_plugin_manager(load=[module])
    item = Item(path=tmp_path / "The.Matrix.1999.mkv", source=tmp_path / "The.Matrix.1999.mkv",
                root=tmp_path)
    parsed = pm.hook.shelver_parse_name(item=item, ctx=None)
    assert parsed == ParsedName(kind="movie", title="From The Plugin", year=2001)
    # declining (None) falls back to the built-in parser
    declined = Item(path=tmp_path / "decline.mkv", source=tmp_path / "decline.mkv", root=tmp_path)
    assert pm.hook.shelver_parse_name(item=declined, ctx=None).title == "decline"


# ----------------------------------------------------------------------------------------------
# The command line
# ----------------------------------------------------------------------------------------------


def test_plugins_json_lists_every_builtin() -> None:
    done = shelver("plugins", "--json")
    assert done.returncode == 0, done.stderr
    entries = json_lines(done.stdout)
    assert all(set(entry) == {"name", "origin", "hooks", "implementations"} for entry in entries)
    by_name = {entry["name"]: entry for entry in entries}
    assert set(by_name) == BUILTINS >= REQUIRED_BUILTINS
    assert all(by_name[name]["origin"] == "built-in" for name in BUILTINS)
    assert by_name == {entry["name"]: entry for entry in describe_plugins(get_plugin_manager())}
    assert "shelver_enrich" in by_name["nfo"]["hooks"]


def repository_file(location: str) -> tuple[Path, int]:
    """``shelver/plugins/nfo.py:29`` -> (the repository's plugins/nfo.py, 29)."""
    shown, _colon, line = location.rpartition(":")
    parts = Path(shown).parts
    assert parts[:2] == ("shelver", "plugins"), location
    return REPO / "plugins" / Path(*parts[2:]), int(line)


def defines(path: Path, line: int, hook: str) -> bool:
    """Line ``line`` of ``path`` is the ``def`` of ``hook``."""
    text = path.read_text(encoding="utf-8").splitlines()[line - 1].lstrip()
    return text.startswith((f"def {hook}(", f"async def {hook}("))


def test_plugins_json_says_where_each_builtin_hook_is() -> None:
    done = shelver("plugins", "--json")
    assert done.returncode == 0, done.stderr
    for entry in json_lines(done.stdout):
        assert [impl["hook"] for impl in entry["implementations"]] == entry["hooks"]
        for impl in entry["implementations"]:
            path, line = repository_file(impl["location"])
            assert defines(path, line, impl["hook"]), (entry["name"], impl)


def test_plugins_lists_file_and_line_for_every_hook(site: Path) -> None:
    env = {"PYTHONPATH": str(site), "SHELVER_LOAD_PLUGINS": "alpha"}
    done = shelver("plugins", env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    tmdb = lines.index("tmdb  (built-in)")
    hook, location = lines[tmdb + 1].split()
    assert hook == "shelver_check_profile"
    assert location.startswith("shelver/plugins/tmdb/plugin.py:")
    assert defines(*repository_file(location), hook)
    # a third-party plugin is shown by its absolute path
    alpha = lines.index("alpha  (entry point (shelver-test-alpha 1.0))")
    hook, location = lines[alpha + 1].split()
    path, _colon, line = location.rpartition(":")
    assert hook == "shelver_config_schema" and Path(path).is_absolute()
    assert Path(path).parent == site.resolve() and defines(Path(path), int(line), hook)


def test_plugins_reports_a_broken_plugin_and_exits_0(site: Path) -> None:
    env = {"PYTHONPATH": str(site), "SHELVER_LOAD_PLUGINS": "alpha,broken"}
    done = shelver("plugins", env=env)
    assert done.returncode == 0, done.stderr
    assert "alpha  (entry point (shelver-test-alpha 1.0))" in done.stdout
    assert "broken" in done.stdout and "kaboom at import" in done.stdout
    as_json = shelver("plugins", "--json", env=env)
    assert as_json.returncode == 0, as_json.stderr
    assert {"alpha"} | BUILTINS == {entry["name"] for entry in json_lines(as_json.stdout)}


def test_profile_plugins_section_is_used(tmp_path: Path) -> None:
    module = unique("profile_hooks")
    write_module(tmp_path / "mods", module, VALID.format(section="profile_hooks"))
    profile = write_profile(tmp_path / "p.toml", {
        "name": "p", "plugins": {"load": [module], "disable": ["nfo"]},
        "profile_hooks": {"enabled": False},  # its section is valid because the plugin is loaded
    })
    done = shelver("plugins", "--json", "-p", str(profile),
                   env={"PYTHONPATH": str(tmp_path / "mods")})
    assert done.returncode == 0, done.stderr
    by_name = {entry["name"]: entry for entry in json_lines(done.stdout)}
    assert set(by_name) == (BUILTINS - {"nfo"}) | {module}
    assert by_name[module]["origin"] == "profile plugins.load"
    # without the plugin, its section is an unknown key naming the file
    check = shelver("profile", "check", "-p", str(profile))
    assert check.returncode == 2
    assert "profile_hooks" in check.stderr and str(profile) in check.stderr


def test_help_lists_the_commands() -> None:
    done = shelver("--help")
    assert done.returncode == 0, done.stderr
    listed = {line.split()[0] for line in done.stdout.split("Commands:")[1].splitlines()
              if line.strip()}
    assert {"run", "watch", "scan", "status", "hook", "plugins"} <= listed


def test_a_plugin_cannot_replace_a_builtin_command(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "site"
    install_entry_point(folder, "hijack", """
        import click
        from shelver import hookimpl

        @hookimpl
        def shelver_register_commands(cli):
            @cli.command(name="run")
            def run():
                \"\"\"Hijacked.\"\"\"
    """)
    done = shelver("--help", env={"PYTHONPATH": str(folder), "SHELVER_LOAD_PLUGINS": "hijack"})
    assert "Hijacked" not in done.stdout
    assert done.returncode != 0 and "run" in done.stderr and "hijack" in done.stderr


def test_a_plugin_that_cannot_be_used_is_named_once_by_every_command(
        tmp_path: Path, make_profile: Any) -> None:
    (tmp_path / "hooks_with_a_typo.py").write_text(
        "from shelver.api import hookimpl\n\n@hookimpl\ndef shelver_item_don(item, ctx):\n"
        "    pass\n", encoding="utf-8")
    profile = make_profile(plugins={"load": ["hooks_with_a_typo", "not_installed_here"]})
    env = {"PYTHONPATH": str(tmp_path)}
    typo = ("plugin 'hooks_with_a_typo' (profile plugins.load) is invalid: unknown hook "
            "'shelver_item_don' (not in shelver.hookspecs)")
    missing = "plugin 'not_installed_here' (not_installed_here) failed to load"
    film = tmp_path / "downloads" / "x.mkv"
    film.write_bytes(b"x")
    for args in (["run", "-p", str(profile), "--dry-run"], ["plugins", "-p", str(profile)],
                 ["status", "-p", str(profile)], ["hook", "-p", str(profile), "generic", str(film)]):
        done = shelver(*args, env=env)
        assert done.returncode in (0, 1), done.stderr
        for message in (typo, missing):
            assert done.stderr.count(message) == 1, (args, done.stderr)
    listed = shelver("plugins", "-p", str(profile), env=env)
    assert f"failed: {typo}" in listed.stdout.splitlines()  # and in the listing itself
