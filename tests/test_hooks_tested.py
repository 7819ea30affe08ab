"""Every hook has a test: its name appears in a test module other than the meta-tests.

A new hook in shelver.hookspecs fails this until some test exercises it by name (the way
datasette's ``test_plugin_hooks_have_tests`` works).
"""

from __future__ import annotations

import re
from pathlib import Path

import pluggy
from shelver import hookspecs

TESTS = Path(__file__).resolve().parent
META_TESTS = {"test_docs.py", "test_hooks_tested.py"}


def hook_names() -> list[str]:
    marker_reader = pluggy.PluginManager("shelver")
    return sorted(name for name in dir(hookspecs)
                  if marker_reader.parse_hookspec_opts(hookspecs, name) is not None)


def modules_to_search() -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in sorted(TESTS.rglob("test_*.py"))
            if path.name not in META_TESTS}


def test_every_hook_has_a_test() -> None:
    modules = modules_to_search()
    where: dict[str, list[str]] = {}
    for name in hook_names():
        pattern = re.compile(rf"\b{name}\b")
        where[name] = [str(path.relative_to(TESTS)) for path, text in modules.items()
                       if pattern.search(text)]
    for name, found in where.items():
        print(f"{name:32} {', '.join(found) or 'NO TEST'}")
    missing = [name for name, found in where.items() if not found]
    assert not missing, f"hooks no test module under tests/ mentions: {', '.join(missing)}"
