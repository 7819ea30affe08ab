"""Building the plugin manager: specs, entry points, built-ins, a profile's own plugins.

Nothing is loaded at import time; every caller (CLI command, test) builds its own manager.
A third-party plugin that cannot be used (it fails to import, implements a hook with arguments
the spec does not have, implements a hook that does not exist, or takes a built-in's name) is
reported in ``pm.load_errors`` with its name and skipped: it never stops shelver.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pluggy
from shelver import hookspecs

log = logging.getLogger("shelver.plugins")

ENTRY_POINT_GROUP = "shelver"



def builtin_plugins() -> tuple[tuple[str, str], ...]:
    """The built-in plugins as ``(registered name, module)``, in registration order.

    Core names none of them: the ``shelver.plugins`` package declares its members
    (``shelver.plugins.DEFAULT_PLUGINS``; docs/architecture.md, "Layers"). Read on first use,
    never at import time (importing the CLI must not import the plugins package).
    """
    import shelver.plugins

    return tuple(shelver.plugins.DEFAULT_PLUGINS)


def __getattr__(name: str) -> Any:
    # ``DEFAULT_PLUGINS`` / ``BUILTIN_NAMES`` as module attributes, read when first asked for.
    if name == "DEFAULT_PLUGINS":
        return builtin_plugins()
    if name == "BUILTIN_NAMES":
        return frozenset(plugin for plugin, _dotted in builtin_plugins())
    raise AttributeError(f"module 'shelver.manager' has no attribute {name!r}")

# Built-in plugins that were merged into another: a profile naming the old name in
# ``plugins.disable`` is a configuration error (docs/configuration.md, "[plugins]"), since
# silently disabling nothing, or more than asked, would both surprise.
MERGED_BUILTINS = {"modes": "placement", "cache_modes": "placement", "placement_commands": "placement"}


class ShelverPluginManager(pluggy.PluginManager):
    """A pluggy manager that also remembers where each plugin came from and what failed."""

    def __init__(self) -> None:
        super().__init__("shelver")
        self.origins: dict[str, str] = {}
        self.load_errors: list[str] = []

    def report(self, message: str) -> None:
        """Record a plugin that was skipped (``shelver plugins`` and every command print these)."""
        log.warning("%s", message)
        self.load_errors.append(message)

    def register_named(self, plugin: Any, name: str, origin: str) -> bool:
        """Register ``plugin`` as ``name``; report and skip it when it cannot be used."""
        if self.is_blocked(name):
            return False
        if self.has_plugin(name):
            self.report(f"plugin {name!r} ({origin}) skipped: the name is taken by "
                        f"{self.origins.get(name, 'another plugin')}")
            return False
        if self.is_registered(plugin):
            # e.g. a module installed as an entry point and also named in plugins.load
            self.report(f"plugin {name!r} ({origin}) skipped: already registered as "
                        f"{self.get_name(plugin)!r}")
            return False
        try:
            self.register(plugin, name=name)
            self._check_known_hooks(plugin)
        except pluggy.PluginValidationError as exc:
            if self.is_registered(plugin):
                self.unregister(plugin)  # pluggy may have added some of its hooks already
            self.report(f"plugin {name!r} ({origin}) is invalid: {exc}")
            return False
        self.origins[name] = origin
        return True

    def _check_known_hooks(self, plugin: Any) -> None:
        """The per-plugin part of ``check_pending``: a hook nobody specified is a typo."""
        for caller in self.get_hookcallers(plugin) or []:
            if caller.has_spec():
                continue
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and not impl.optionalhook:
                    raise pluggy.PluginValidationError(
                        plugin, f"unknown hook {caller.name!r} (not in shelver.hookspecs)")

    def import_and_register(self, name: str, dotted: str, origin: str) -> bool:
        """Import the module ``dotted`` and register it as ``name``."""
        if self.is_blocked(name):
            return False
        try:
            module = importlib.import_module(dotted)
        except Exception as exc:  # noqa: BLE001 -- a broken plugin must not stop shelver
            self.report(f"plugin {name!r} ({dotted}) failed to load: {type(exc).__name__}: {exc}")
            return False
        return self.register_named(module, name, origin)


def _entry_points_allowed() -> set[str] | None:
    """``SHELVER_LOAD_PLUGINS`` restricts entry-point loading: unset = all, empty = none."""
    value = os.environ.get("SHELVER_LOAD_PLUGINS")
    if value is None:
        return None
    return {part.strip() for part in value.split(",") if part.strip()}


def _load_entry_points(pm: ShelverPluginManager) -> None:
    allowed = _entry_points_allowed()
    if allowed is not None and not allowed:
        return
    # Here, not at the top: importlib.metadata costs a command ~30 ms, and one that loads no
    # entry point (SHELVER_LOAD_PLUGINS="", as tests run) need not pay it.
    from importlib.metadata import entry_points

    seen: set[str] = set()
    builtin_names = {name for name, _dotted in builtin_plugins()}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if allowed is not None and ep.name not in allowed:
            continue
        seen.add(ep.name)
        if pm.is_blocked(ep.name):
            continue
        dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist else ep.value
        origin = f"entry point ({dist})"
        if ep.name in builtin_names:
            pm.report(f"plugin {ep.name!r} ({origin}) skipped: {ep.name!r} is a built-in "
                      f"plugin's name")
            continue
        try:
            plugin = ep.load()
        except Exception as exc:  # noqa: BLE001 -- a broken plugin must not stop shelver
            pm.report(f"plugin {ep.name!r} ({ep.value}) failed to load: "
                      f"{type(exc).__name__}: {exc}")
            continue
        pm.register_named(plugin, ep.name, origin)
    for name in sorted((allowed or set()) - seen - builtin_names):
        pm.report(f"plugin {name!r} named in SHELVER_LOAD_PLUGINS is not installed "
                  f"(no entry point {name!r} in group {ENTRY_POINT_GROUP!r})")


def get_plugin_manager(
    load: Iterable[str] = (), disable: Iterable[str] = ()
) -> ShelverPluginManager:
    """A fresh manager: specs → blocked names → entry points → built-ins → ``load`` → check.

    ``load`` are dotted module paths (a profile's ``plugins.load``), registered under that dotted
    name; ``disable`` are plugin names (``plugins.disable``), built-in or not.
    """
    pm = ShelverPluginManager()
    pm.add_hookspecs(hookspecs)
    for name in disable:
        pm.set_blocked(name)
    _load_entry_points(pm)
    for name, dotted in builtin_plugins():
        pm.import_and_register(name, dotted, "built-in")
    for dotted in load:
        pm.import_and_register(dotted, dotted, "profile plugins.load")
    pm.check_pending()  # every plugin was checked on registration: this never raises
    return pm


def describe_plugins(pm: ShelverPluginManager) -> list[dict[str, Any]]:
    """Every registered plugin with the hooks it implements (for ``shelver plugins``).

    ``implementations`` says where each is: ``{"hook", "location"}`` with ``location`` as
    ``file:line`` of its ``def`` (see :func:`source_location`), in hook-name order.
    """
    out = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda pair: pair[0]):
        if plugin is None:
            continue
        implementations = sorted(
            ({"hook": caller.name, "location": source_location(impl.function)}
             for caller in pm.get_hookcallers(plugin) or []
             for impl in caller.get_hookimpls() if impl.plugin is plugin),
            key=lambda entry: (entry["hook"], entry["location"]))
        hooks = sorted({entry["hook"] for entry in implementations})
        out.append({"name": name, "origin": pm.origins.get(name, "registered"), "hooks": hooks,
                    "implementations": implementations})
    return out


def source_location(function: Any) -> str:
    """``file:line`` of a hook implementation's ``def`` line (decorators skipped).

    A module of the shelver package is shown by its place in the package
    (``shelver/plugins/tmdb/plugin.py:83``) wherever it is installed; any other plugin by its
    absolute path. ``?`` when Python cannot say (no source file, e.g. a C function).
    """
    function = inspect.unwrap(function)
    try:
        path = inspect.getsourcefile(function)
        lines, first = inspect.getsourcelines(function)
    except (OSError, TypeError):
        return "?"
    if path is None:
        return "?"
    offset = next((index for index, line in enumerate(lines)
                   if line.lstrip().startswith(("def ", "async def "))), 0)
    module = getattr(function, "__module__", None) or ""
    if module == "shelver" or module.startswith("shelver."):
        file = Path(path)
        shown = module.replace(".", "/") + ("/__init__.py" if file.name == "__init__.py"
                                            else file.suffix)
    else:
        shown = str(Path(path).resolve())
    return f"{shown}:{first + offset}"


def builtin_docs_table(pm: ShelverPluginManager) -> str:
    """docs/plugins.md's "Built-in plugins" table, made from ``pm``: each built-in registered in
    it, in ``DEFAULT_PLUGINS`` order, with its module and the hooks it implements.

    ``python -m shelver.manager --docs-table`` prints it; tests/test_docs.py fails when the
    document's table differs.
    """
    described = {entry["name"]: entry for entry in describe_plugins(pm)}
    rows = ["| name | module | hooks |", "| --- | --- | --- |"]
    for name, dotted in builtin_plugins():
        entry = described.get(name)
        if entry is None or entry["origin"] != "built-in":
            continue
        hooks = ", ".join(f"`{hook}`" for hook in entry["hooks"])
        rows.append(f"| `{name}` | `{dotted}` | {hooks} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m shelver.manager --docs-table``: print docs/plugins.md's built-ins table."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m shelver.manager")
    parser.add_argument("--docs-table", action="store_true", required=True,
                        help="print the built-in plugins table of docs/plugins.md")
    parser.parse_args(argv)
    os.environ["SHELVER_LOAD_PLUGINS"] = ""  # the built-ins only
    print(builtin_docs_table(get_plugin_manager()), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
