"""Profiles: TOML files that say what one shelver instance does.

Resolution of ``--profile NAME``: a path if it is one, else ``./profiles/NAME.toml``, else
``$XDG_CONFIG_HOME/shelver/profiles/NAME.toml``. Relative paths inside a profile are taken
relative to the profile file's folder, and ``~`` is expanded, so a profile means the same thing
whichever directory the daemon or a downloader starts shelver from.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shelver.discovery import VIDEO_EXTENSIONS
from shelver.errors import ConfigError
from shelver.paths import data_home, read_profile_file

if TYPE_CHECKING:
    import pluggy


# The engine's own settings; plugins add their sections through shelver_config_schema.
# A default that is a type means "no default, but this type".
CORE_SCHEMA: dict[str, Any] = {
    "name": str,
    "mode": "inplace",
    "action": "move",
    "sources": [],
    "dest_dir": str,
    "work_dir": str,
    "failed_dir": str,
    "state_db": str,
    "conflict": "skip",
    "workers": 4,
    "watch": {"settle_seconds": 30.0, "sweep_interval": 900.0, "heartbeat_seconds": 10.0,
              "debounce_seconds": 30.0},
    "filters": {"extensions": VIDEO_EXTENSIONS, "min_size_mb": 50.0, "ignore": []},
    "plugins": {"load": [], "disable": []},
    # `shelver hook`: category/label -> profile (empty: take every download), and how long a
    # blocking client (SABnzbd, NZBGet, Radarr, Sonarr) may wait for inline processing (0: no limit).
    "hook": {"categories": {}, "wait_seconds": 0.0},
    # The state DB's events table (docs/operations.md, "Events"): pruned by age and by size.
    "events": {"keep_days": 30.0, "max_rows": 200000},
}

CONFLICT_POLICIES = ("skip", "index", "replace-if-better", "fail")
ACTIONS = ("move", "copy", "hardlink", "symlink", "reflink")
PATH_KEYS = ("dest_dir", "work_dir", "failed_dir", "state_db")
# Lists whose items must be strings (a list default with items says its own item type).
STRING_LISTS = ("sources", "filters.extensions", "filters.ignore", "plugins.load", "plugins.disable")


@dataclass
class Profile:
    """A validated profile: ``data`` holds every section with its defaults filled in."""

    name: str
    path: Path | None
    data: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        return value if isinstance(value, dict) else {}

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def where(self, key: str) -> str:
        """How an error message names a setting: ``tmdb.api_key in /path/p.toml``."""
        return f"{key} in {self.path}" if self.path else f"{key} (profile {self.name!r})"

    def _path(self, key: str) -> Path | None:
        value = self.data.get(key)
        return Path(value) if isinstance(value, str) and value else None

    @property
    def mode(self) -> str:
        return str(self.data.get("mode", "inplace"))

    @property
    def action(self) -> str:
        return str(self.data.get("action", "move"))

    @property
    def conflict(self) -> str:
        return str(self.data.get("conflict", "skip"))

    @property
    def sources(self) -> list[Path]:
        return [Path(s) for s in self.data.get("sources", [])]

    @property
    def dest_dir(self) -> Path | None:
        return self._path("dest_dir")

    @property
    def work_dir(self) -> Path | None:
        return self._path("work_dir")

    @property
    def failed_dir(self) -> Path | None:
        return self._path("failed_dir")

    @property
    def state_db(self) -> Path:
        return self._path("state_db") or data_home() / "state.db"


def _type_name(expected: Any) -> str:
    kind = expected if isinstance(expected, type) else type(expected)
    return {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
            list: "a list", dict: "a table"}.get(kind, kind.__name__)


def _check_value(value: Any, expected: Any, key: str, where: str) -> Any:
    kind = expected if isinstance(expected, type) else type(expected)
    ok = isinstance(value, kind)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value), True
    if kind in (int, float) and isinstance(value, bool):
        ok = False
    if not ok:
        raise ConfigError(f"{key} must be {_type_name(expected)}, not {value!r} ({where})")
    if kind is list:
        item_kind = type(expected[0]) if isinstance(expected, list) and expected else (
            str if key in STRING_LISTS else None)
        for entry in value:
            if item_kind is not None and (not isinstance(entry, item_kind)
                                          or isinstance(entry, bool) and item_kind is not bool):
                raise ConfigError(f"{key} must be a list whose items are each "
                                  f"{_type_name(item_kind)}, not {value!r} ({where})")
    return value


def _merge(schema: dict[str, Any], data: dict[str, Any], prefix: str, where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if key not in schema:
            known = ", ".join(sorted(schema)) or "none"
            raise ConfigError(f"unknown key {dotted!r} in {where} (known here: {known})")
        expected = schema[key]
        if isinstance(expected, dict) and expected:
            if not isinstance(value, dict):
                raise ConfigError(f"{dotted} must be a table [{dotted}] ({where})")
            out[key] = _merge(expected, value, f"{dotted}.", where)
        else:
            out[key] = _check_value(value, expected, dotted, where)
    for key, expected in schema.items():
        if key in out:
            continue
        if isinstance(expected, dict) and expected:
            out[key] = _merge(expected, {}, f"{prefix}{key}.", where)
        elif not isinstance(expected, type):
            out[key] = expected.copy() if isinstance(expected, (list, dict)) else expected
    return out


def full_schema(pm: pluggy.PluginManager | None) -> dict[str, Any]:
    schema = dict(CORE_SCHEMA)
    if pm is not None:
        for contribution in pm.hook.shelver_config_schema():
            for section, keys in (contribution or {}).items():
                if section in schema and section in CORE_SCHEMA:
                    raise ConfigError(f"a plugin declares the core section [{section}]")
                schema[section] = {**schema.get(section, {}), **keys}
    return schema


def load_profile(name: str | None, pm: pluggy.PluginManager | None = None) -> Profile:
    """Load and validate a profile; ``None`` means ``default`` if it exists, else built-ins."""
    path, raw = read_profile_file(name)
    return validate(raw, path=path, name=name, pm=pm)


def load_core_profile(name: str | None) -> Profile:
    """A profile for a command that calls no plugin (``shelver scan``): the core's settings
    validated, the plugins' sections kept as written (unchecked: loading every plugin to check
    them would cost such a command most of its time; a command that loads plugins, and
    ``shelver profile check``, checks them)."""
    path, raw = read_profile_file(name)
    profile = validate({k: v for k, v in raw.items() if k in CORE_SCHEMA}, path=path, name=name)
    profile.data.update({k: v for k, v in raw.items() if k not in CORE_SCHEMA})
    return profile


def validate(raw: dict[str, Any], *, path: Path | None = None, name: str | None = None,
             pm: pluggy.PluginManager | None = None) -> Profile:
    where = str(path) if path else "the built-in default profile"
    data = _merge(full_schema(pm), raw, "", where)
    profile_name = str(data.get("name") or (path.stem if path else name or "default"))
    base = path.parent if path else Path.cwd()

    def absolute(value: str) -> str:
        expanded = Path(os.path.expandvars(value)).expanduser()
        return str(expanded if expanded.is_absolute() else (base / expanded).resolve())

    for key in PATH_KEYS:
        if isinstance(data.get(key), str):
            data[key] = absolute(data[key])
    data["sources"] = [absolute(_check_value(s, str, "sources[]", where)) for s in data["sources"]]
    data["filters"]["extensions"] = [e.lower() if e.startswith(".") else f".{e.lower()}"
                                     for e in data["filters"]["extensions"]]
    for pattern in data["filters"]["ignore"]:
        if pattern.startswith("re:"):
            try:
                re.compile(pattern[3:])
            except re.error as exc:
                raise ConfigError(f"filters.ignore: {pattern!r} is not a valid regular expression "
                                  f"({exc}; {where})") from None
    if data["conflict"] not in CONFLICT_POLICIES:
        raise ConfigError(f"conflict must be one of {', '.join(CONFLICT_POLICIES)}, not "
                          f"{data['conflict']!r} ({where})")
    if data["action"] not in ACTIONS:
        raise ConfigError(f"action must be one of {', '.join(ACTIONS)}, not {data['action']!r} ({where})")
    if data["workers"] < 1:
        raise ConfigError(f"workers must be at least 1 ({where})")
    if data["events"]["keep_days"] <= 0:
        raise ConfigError(f"events.keep_days must be more than 0 ({where})")
    if data["events"]["max_rows"] < 1000:
        raise ConfigError(f"events.max_rows must be at least 1000 ({where})")
    profile = Profile(name=profile_name, path=path, data=data)
    if pm is not None:
        check_mode(profile, pm)
    return profile


def registered_modes(pm: pluggy.PluginManager) -> dict[str, str]:
    modes: dict[str, str] = {}

    def register(name: str, description: str) -> None:
        if name in modes:
            raise ConfigError(f"two plugins register the mode {name!r}")
        modes[name] = description

    pm.hook.shelver_register_modes(register=register)
    return modes


def check_mode(profile: Profile, pm: pluggy.PluginManager, mode: str | None = None) -> str:
    """The mode to run in; a mode no plugin registered is a configuration error."""
    chosen = mode or profile.mode
    modes = registered_modes(pm)
    if chosen not in modes:
        raise ConfigError(
            f"mode {chosen!r} does not exist (available: {', '.join(sorted(modes))}; "
            f"{profile.where('mode')})"
        )
    return chosen


# The one built-in mode that moves nothing (it describes files where they lie): every other mode
# places files under dest_dir.
DESCRIBE_ONLY_MODES = ("metadata-only",)


def check_profile(profile: Profile, pm: pluggy.PluginManager, mode: str | None = None) -> str:
    """Everything a run needs before it touches a file: the mode exists, a mode that places
    files has a ``dest_dir``, and each plugin's own checks pass (``shelver_check_profile``:
    e.g. the naming templates render). Returns the mode; raises ConfigError."""
    chosen = check_mode(profile, pm, mode)
    if chosen not in DESCRIBE_ONLY_MODES and profile.dest_dir is None:
        raise ConfigError(f"mode {chosen!r} places files in the library, but dest_dir is not set "
                          f"({profile.where('dest_dir')})")
    pm.hook.shelver_check_profile(profile=profile, mode=chosen)
    return chosen


def load_with_plugins(name: str | None) -> tuple[Profile, Any]:
    """The profile and a plugin manager built with its ``[plugins]`` section.

    The ``[plugins]`` table is read first (it decides which plugins exist); the whole profile is
    then validated against every plugin's schema.
    """
    from shelver.manager import MERGED_BUILTINS, get_plugin_manager

    path, raw = read_profile_file(name)  # read once: [plugins] first, then all of it
    raw_plugins = raw.get("plugins", {}) or {}
    load = raw_plugins.get("load", []) if isinstance(raw_plugins, dict) else []
    disable = raw_plugins.get("disable", []) if isinstance(raw_plugins, dict) else []
    for old in disable if isinstance(disable, list) else []:
        if str(old) in MERGED_BUILTINS:
            new = MERGED_BUILTINS[str(old)]
            raise ConfigError(
                f"plugins.disable names {old!r}, which is now part of the {new!r} plugin: "
                f"write {new!r} to disable it, or remove {old!r} (plugins.disable in {path})")
    pm = get_plugin_manager(load=[str(x) for x in load], disable=[str(x) for x in disable])
    return validate(raw, path=path, name=name, pm=pm), pm


def state_migrations(pm: Any) -> list[tuple[str, Any]]:
    """Migrations contributed by plugins (``shelver_register_migrations``)."""
    migrations: list[tuple[str, Any]] = []

    def register(name: str, fn: Any) -> None:
        if any(existing == name for existing, _ in migrations):
            raise ConfigError(f"two plugins register the state DB migration {name!r}")
        migrations.append((name, fn))

    pm.hook.shelver_register_migrations(register=register)
    return migrations


# What `shelver profile check` never prints (docs/configuration.md, "Checking a profile"): a
# setting named as a credential, a header's value, a service URL's token or a URL's password.
_SECRET_NAMES = ("key", "token", "password", "secret", "passwd")


def shown_settings(data: Any, key: str = "") -> Any:
    """``data`` (a profile's resolved settings) as it may be shown: credentials as ``***``."""
    from shelver.logs import shown_url

    if isinstance(data, dict):
        if key.lower() == "headers":
            return {name: "***" for name in data}
        return {name: shown_settings(value, str(name)) for name, value in data.items()}
    if isinstance(data, list):
        if key.lower() == "urls":  # service URLs (Apprise) carry their tokens anywhere
            return [f"{u.partition('://')[0]}://***" if isinstance(u, str) and u else u
                    for u in data]
        return [shown_settings(value, key) for value in data]
    if not isinstance(data, str) or not data:
        return data
    if key.lower().replace("-", "_").split("_")[-1] in _SECRET_NAMES:
        return "***"
    return shown_url(data) if "://" in data else data
