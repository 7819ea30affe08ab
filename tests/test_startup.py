"""Start-up: a command that does not use a heavy library does not import it (docs/plugins.md,
"How plugins are found"). ``shelver status``, ``review``, ``undo --list`` and ``--help`` register
every built-in plugin; the plugins import guessit, PyAV and numpy, httpx, Jinja2, mutagen,
sqlite-utils and trio inside the hooks that use them, so these commands start in a fraction of
the time. Checked by what the commands leave in ``sys.modules``, never by timing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import modules_loaded_by, write_profile
from shelver.app import open_app
from shelver.model import State

# What none of these commands uses. sqlite_utils: only a state DB's first migrations need it;
# importlib.metadata: only loading entry points (off here, as in every test); http.server: only
# the look-alikes of services.
HEAVY = ("guessit", "rebulk", "av", "numpy", "httpx", "jinja2", "mutagen", "sqlite_utils",
         "trio", "pymediainfo", "starlette", "redis", "http.server", "importlib.metadata",
         "xml.etree.ElementTree")


def test_status_review_undo_and_help_import_no_heavy_library(tmp_path: Path) -> None:
    profile = write_profile(tmp_path / "p.toml", {
        "name": "p", "sources": [str(tmp_path / "downloads")], "dest_dir": str(tmp_path / "lib"),
        "state_db": str(tmp_path / "state.db")})
    app = open_app(str(profile))  # every migration run: the DB is as a day-to-day command finds it
    try:
        item_id = app.state.observe(str(tmp_path / "downloads" / "x7f3.mkv"), 1, 1.0, 1, "p")
        assert item_id is not None
        assert app.state.transition(item_id, State.NEW, State.REVIEW, candidates=[
            {"provider": "tmdb", "kind": "movie", "id": "603", "title": "The Matrix",
             "year": 1999, "score": 0.5}])
    finally:
        app.close()
    commands = [["status", "-p", str(profile)], ["review", "-p", str(profile)],
                ["undo", "--list", "-p", str(profile)], ["--help"]]
    proc, heavy = modules_loaded_by(commands, HEAVY)
    assert "x7f3.mkv" in proc.stdout  # review listed the item: the commands did their work
    assert heavy == [], heavy


def test_a_run_starts_without_what_its_files_do_not_need(tmp_path: Path,
                                                         make_profile: Any) -> None:
    """A run's start (the TMDB client and its cache, the naming check) on a migrated state DB:
    no sqlite-utils (and numpy with it), and nothing a file's own phases import before there is
    a file (guessit, PyAV, mutagen)."""
    profile = make_profile()
    open_app(str(profile)).close()
    _, loaded = modules_loaded_by([["run", "-p", str(profile)]],
                                  ("sqlite_utils", "numpy", "guessit", "av", "mutagen", "trio"))
    assert loaded == ["trio"], loaded  # trio: the run did run
