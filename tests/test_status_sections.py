"""``shelver status`` shows the sections plugins answer through ``shelver_status`` (docs/plugins.md):
a third-party plugin's section appears in the text and in ``--json``; with the ``tmdb`` plugin
disabled, status still works and shows no tmdb section, even with a Retry-After block stored."""

from __future__ import annotations

import json
import sqlite3
import textwrap
import time
import uuid
from pathlib import Path

from tests.conftest import shelver, write_profile

PLUGIN = """
from shelver import hookimpl


@hookimpl
def shelver_status(profile, state):
    (items,) = state.conn().execute("SELECT count(*) FROM items").fetchone()
    return {"shelf_watch": {"lines": [f"watch:   {profile.name} has {items} item(s)"],
                            "items": items}}
"""


def status(profile: Path, mods: Path, *args: str) -> str:
    done = shelver("status", "-p", str(profile), *args, env={"PYTHONPATH": str(mods)})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def test_a_plugin_section_is_shown_and_tmdb_can_be_disabled(tmp_path: Path) -> None:
    module = f"status_plugin_{uuid.uuid4().hex[:10]}"
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / f"{module}.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    settings = {"name": "p", "sources": [str(tmp_path / "downloads")],
                "dest_dir": str(tmp_path / "library"), "state_db": str(tmp_path / "state.db"),
                "plugins": {"load": [module]}}
    profile = write_profile(tmp_path / "p.toml", settings)
    assert "watch:   p has 0 item(s)" in status(profile, mods).splitlines()
    # a Retry-After block stored by the tmdb plugin's limiter
    with sqlite3.connect(tmp_path / "state.db") as conn:
        conn.execute("INSERT OR REPLACE INTO tmdb_rate_state (bucket, factor, penalised_at, "
                     "blocked_until, throttled) VALUES ('tmdb', 0.5, ?, ?, 1)",
                     (time.time(), time.time() + 600))
    text = status(profile, mods).splitlines()
    assert "watch:   p has 0 item(s)" in text
    assert [x for x in text if x.startswith("tmdb:")][0].startswith(
        "tmdb:    rate-limited by TMDB (Retry-After): every run waits, ")
    report = json.loads(status(profile, mods, "--json"))
    assert report["sections"]["shelf_watch"] == {"lines": ["watch:   p has 0 item(s)"], "items": 0}
    assert report["sections"]["tmdb"]["block"]["seconds_left"] > 500

    write_profile(profile, {**settings, "plugins": {"load": [module], "disable": ["tmdb"]}})
    text = status(profile, mods).splitlines()
    assert "watch:   p has 0 item(s)" in text
    assert not [x for x in text if x.startswith("tmdb")], text
    report = json.loads(status(profile, mods, "--json"))
    assert set(report["sections"]) == {"shelf_watch"}
    assert report["states"] == {} and report["queued"] == 0


BROKEN = """
from shelver import hookimpl


@hookimpl
def shelver_status(profile, state):
    raise RuntimeError("the shelf fell over")
"""


def test_a_plugin_whose_status_fails_is_named_and_the_others_still_report(tmp_path: Path) -> None:
    module = f"broken_status_{uuid.uuid4().hex[:10]}"
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / f"{module}.py").write_text(textwrap.dedent(BROKEN), encoding="utf-8")
    profile = write_profile(tmp_path / "p.toml", {
        "name": "p", "sources": [str(tmp_path / "downloads")],
        "dest_dir": str(tmp_path / "library"), "state_db": str(tmp_path / "state.db"),
        "plugins": {"load": [module]}})
    done = shelver("status", "-p", str(profile), "--json", env={"PYTHONPATH": str(mods)})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (f"shelver_status of plugin '{module}' failed: RuntimeError: the shelf fell over"
            in done.stderr), done.stderr
    assert "tmdb" in json.loads(done.stdout)["sections"]  # the built-in still reports
