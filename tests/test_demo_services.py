"""``shelver demo`` gets its offline services from plugins (hook ``shelver_demo_services``) and
``shelver profile init`` its plugin sections from them (hook ``shelver_profile_template``): core
names no provider (docs/architecture.md, "Core knows no media")."""

from __future__ import annotations

import contextlib
import os
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import shelver
from shelver.demo import settings_toml, start_services


def _status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 -- loopback only
        return int(response.status)


def test_shelver_demo_services_starts_the_look_alike_and_stops_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMDB_API_KEY", "a-real-key-that-must-not-reach-the-fake")
    with contextlib.ExitStack() as stack:
        (service,) = start_services(stack, serve=False)
        base_url = service.settings["tmdb"]["base_url"]
        assert base_url.startswith("http://127.0.0.1:")
        assert service.note == f"TMDB snapshot served at {base_url}"
        # The demo's own key replaced the exported one; the look-alike answers with it.
        key = os.environ["TMDB_API_KEY"]
        assert key != "a-real-key-that-must-not-reach-the-fake"
        assert _status(f"{base_url}/configuration?api_key={key}") == 200
        assert settings_toml([service]) == f'[tmdb]\nbase_url = "{base_url}"\n'
    with pytest.raises(urllib.error.URLError):  # stopped when the demo ended
        _status(f"{base_url}/configuration?api_key={key}")


def test_shelver_demo_services_serve_mode_takes_the_port_and_a_hint() -> None:
    with contextlib.ExitStack() as stack:
        (service,) = start_services(stack, serve=True, port=0)
        assert service.settings["tmdb"]["api_key"] == "demo-key"
        assert "movies" in service.note and "served at" in service.note
        assert service.hint.startswith("(only titles in the snapshot")


def test_profile_init_writes_the_sections_of_shelver_profile_template(
        tmp_path: Path, isolated_home: Path) -> None:
    target = tmp_path / "new.toml"
    proc = shelver("profile", "init", "new", "--dest", str(tmp_path / "lib"), "--output",
                   str(target), env={"TMDB_API_KEY": "", "TMDB_READ_TOKEN": ""})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"wrote {target}"
    data = tomllib.loads(target.read_text(encoding="utf-8"))
    assert data["tmdb"] == {"api_key": "", "min_confidence": 0.75, "rate": "35/10s"}
    assert proc.stderr.strip() == (
        f"shelver: warning: no TMDB key: set tmdb.api_key or tmdb.read_token (tmdb in "
        f"{target}) or export TMDB_API_KEY; a run stops at start without one")
