"""The installed distribution: one import namespace, one console script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import shelver


def test_only_shelver_is_importable_outside_the_repository(tmp_path: Path) -> None:
    code = ("import importlib.util as u, shelver, shelver.plugins;"
            "print(u.find_spec('core') is None, u.find_spec('plugins') is None)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["True", "True"]


def test_help_lists_the_everyday_commands(tmp_path: Path) -> None:
    proc = shelver("--help", cwd=tmp_path)
    assert proc.returncode == 0
    listed = {line.split()[0] for line in proc.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert {"run", "watch", "scan", "status", "hook", "plugins", "review", "demo"} <= listed


def test_every_package_folder_is_in_the_distribution() -> None:
    """pyproject's ``packages`` names every folder with an ``__init__.py`` under core/ and
    plugins/ (setuptools ships only those), and the package data pattern ships the TMDB
    look-alike's snapshot that ``shelver demo`` serves."""
    import tomllib

    repo = Path(__file__).resolve().parents[1]
    config = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = set()
    for folder, package in (("core", "shelver"), ("plugins", "shelver.plugins")):
        for init in (repo / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(repo / folder).parts
            found.add(".".join([package, *parts]))
    assert set(config["packages"]) == found
    assert "shelver.plugins.tmdb.fake" in found
    assert (repo / "plugins" / "tmdb" / "fake" / "tmdb_snapshot.json").is_file()
    assert "*.json" in config["package-data"]["*"]
