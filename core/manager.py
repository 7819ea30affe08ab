"""Building the plugin manager: specs, entry points, built-ins, a profile's own plugins.

Nothing is loaded at import time; every caller (CLI command, test) builds its own manager.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import Any

import pluggy

from shelver import hookspecs

log = logging.getLogger("shelver.plugins")

ENTRY_POINT_GROUP = "shelver"

# Built-in plugins, registered under their short name. Each is an ordinary plugin module written
# against the same hooks a third party gets.
DEFAULT_PLUGINS: tuple[tuple[str, str], ...] = (
    ("parse", "shelver.plugins.parse"),
    ("mediainfo", "shelver.plugins.mediainfo"),
    ("tmdb", "shelver.plugins.tmdb.plugin"),
    ("naming", "shelver.plugins.naming"),
    ("modes", "shelver.plugins.modes"),
    ("nfo", "shelver.plugins.nfo"),
)


class ShelverPluginManager(pluggy.PluginManager):
    """A pluggy manager that also remembers where each plugin came from and what failed."""

    def __init__(self) -> None:
        super().__init__("shelver")
        self.origins: dict[str, str] = {}
        self.load_errors: list[str] = []

    def register_named(self, plugin: Any, name: str, origin: str) -> None:
        if self.is_blocked(name) or self.has_plugin(name):
            return
        self.register(plugin, name=name)
        self.origins[name] = origin

    def import_and_register(self, name: str, dotted: str, origin: str) -> None:
        if self.is_blocked(name):
            return
        try:
            module = importlib.import_module(dotted)
        except Exception as exc:  # a broken third-party plugin must not stop shelver
            message = f"plugin {name!r} ({dotted}) failed to load: {type(exc).__name__}: {exc}"
            log.warning(message)
            self.load_errors.append(message)
            return
        self.register_named(module, name, origin)


def _entry_points_allowed() -> set[str] | None:
    """``SHELVER_LOAD_PLUGINS`` restricts entry-point loading: unset = all, empty = none."""
    value = os.environ.get("SHELVER_LOAD_PLUGINS")
    if value is None:
        return None
    return {part.strip() for part in value.split(",") if part.strip()}


def get_plugin_manager(load: Iterable[str] = (), disable: Iterable[str] = ()) -> ShelverPluginManager:
    """A fresh manager: specs → blocked names → entry points → built-ins → ``load`` → check.

    ``load`` are dotted module paths (a profile's ``plugins.load``); ``disable`` are plugin names
    (``plugins.disable``), built-in or not.
    """
    pm = ShelverPluginManager()
    pm.add_hookspecs(hookspecs)
    for name in disable:
        pm.set_blocked(name)
    allowed = _entry_points_allowed()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if allowed is not None and ep.name not in allowed:
            continue
        if pm.is_blocked(ep.name):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:
            message = f"plugin {ep.name!r} ({ep.value}) failed to load: {type(exc).__name__}: {exc}"
            log.warning(message)
            pm.load_errors.append(message)
            continue
        dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist else ep.value
        pm.register_named(plugin, ep.name, f"entry point ({dist})")
    for name, dotted in DEFAULT_PLUGINS:
        pm.import_and_register(name, dotted, "built-in")
    for dotted in load:
        pm.import_and_register(dotted, dotted, "profile plugins.load")
    pm.check_pending()
    return pm


def describe_plugins(pm: ShelverPluginManager) -> list[dict[str, Any]]:
    """Every registered plugin with the hooks it implements (for ``shelver plugins``)."""
    out = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda pair: pair[0]):
        if plugin is None:
            continue
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])
        out.append({"name": name, "origin": pm.origins.get(name, "registered"), "hooks": hooks})
    return out
