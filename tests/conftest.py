"""Shared fixtures: an isolated home, a plugin manager and run contexts, a loopback TMDB
look-alike, profiles, real media files."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CORPUS = REPO / "tests" / "corpus" / "release_names.json"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own HOME and XDG dirs, no entry-point plugins, no real TMDB key."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                     ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("SHELVER_LOAD_PLUGINS", "")
    monkeypatch.delenv("TMDB_API_KEY", raising=False)
    monkeypatch.delenv("TMDB_READ_TOKEN", raising=False)
    return home


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Any]:
    """A fresh state DB (core migrations only)."""
    from shelver.store import StateDB

    db = StateDB(tmp_path / "state.db")
    yield db
    db.close()


@pytest.fixture
def pm() -> Any:
    """A real plugin manager with every built-in, fresh for each test (a test may register more).
    A module that needs another set overrides this fixture; ``make_ctx`` uses whichever it gets."""
    from shelver.manager import get_plugin_manager

    return get_plugin_manager()


@pytest.fixture
def plugin_state(tmp_path: Path, pm: Any) -> Iterator[Any]:
    """A fresh state DB with the migrations of every plugin in ``pm`` too (tmdb's cache...).
    A module whose contexts need them overrides ``state`` with this one."""
    from shelver.profiles import state_migrations
    from shelver.store import StateDB

    db = StateDB(tmp_path / "state.db", state_migrations(pm))
    yield db
    db.close()


@pytest.fixture
def make_ctx(tmp_path: Path, state: Any, pm: Any) -> Callable[..., Any]:
    """``make_ctx(mode="inplace", *, run_id=1, dry_run=False, profile_path=None, log=None,
    **settings)`` → a :class:`RunContext` on the ``pm`` fixture and the ``state`` DB.

    Its profile is ``{"dest_dir": tmp_path/"library", "mode": mode, **settings}`` validated
    against every plugin's schema in ``pm``, as if read from ``profile_path`` (relative paths and
    error messages name that file; none: the built-in default profile)."""
    from shelver.context import RunContext
    from shelver.profiles import validate

    def make(mode: str = "inplace", *, run_id: int = 1, dry_run: bool = False,
             profile_path: Path | None = None, log: logging.Logger | None = None,
             **settings: Any) -> RunContext:
        raw = {"dest_dir": str(tmp_path / "library"), "mode": mode, **settings}
        profile = validate(raw, path=profile_path, pm=pm)
        ctx = RunContext(profile=profile, state=state, pm=pm, run_id=run_id, mode=mode,
                         dry_run=dry_run)
        if log is not None:
            ctx.log = log
        return ctx

    return make


@pytest.fixture
def other_fs(tmp_path: Path) -> Iterator[Path]:
    """A folder on another filesystem than tmp_path (/dev/shm, a tmpfs), or skip."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK):
        pytest.skip("/dev/shm is not available for a second filesystem")
    folder = shm / f"shelver-test-{uuid.uuid4().hex}"
    folder.mkdir()
    try:
        if os.stat(folder).st_dev == os.stat(tmp_path).st_dev:
            pytest.skip("/dev/shm is on the same filesystem as the temp dir: no cross-fs test")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def tmdb_server() -> Iterator[Any]:
    """The TMDB look-alike on loopback, serving the bundled snapshot."""
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB

    with FakeTMDB() as server:
        yield server


@pytest.fixture
def video() -> Callable[..., Path]:
    """``video(path, seconds, **kw)`` writes a real tiny video file."""
    from shelver.testing.media import make_video

    return make_video


def write_profile(path: Path, settings: dict[str, Any]) -> Path:
    """A TOML profile from a dict: ``{"mode": ..., "tmdb": {...}}``."""
    import tomli_w

    path.write_text(tomli_w.dumps(settings), encoding="utf-8")
    return path


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs (a disk that fills up for real), or skip when mounting is not allowed."""
    folder = tmp_path / "tiny-disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
                             check=False, capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a size-limited tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


@pytest.fixture
def make_profile(tmp_path: Path, tmdb_server: Any) -> Callable[..., Path]:
    """A profile for a test run: downloads → library under tmp_path, the loopback TMDB."""

    def make(name: str = "test", **overrides: Any) -> Path:
        settings: dict[str, Any] = {
            "name": name, "mode": "inplace", "sources": [str(tmp_path / "downloads")],
            "dest_dir": str(tmp_path / "library"), "state_db": str(tmp_path / "state.db"),
            "filters": {"min_size_mb": 0},
            # The look-alike has no limit unless a test gives it one; a test of the client's
            # rate limiting sets tmdb.rate itself (tests/e2e/test_tmdb_limits.py).
            "tmdb": {"base_url": tmdb_server.base_url, "api_key": tmdb_server.api_key,
                     "rate": "1000/10s"},
        }
        for key, value in overrides.items():
            if isinstance(value, dict) and isinstance(settings.get(key), dict):
                settings[key] = {**settings[key], **value}
            else:
                settings[key] = value
        (tmp_path / "downloads").mkdir(exist_ok=True)
        return write_profile(tmp_path / f"{name}.toml", settings)

    return make


def shelver(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 120, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``shelver`` console script as a real subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([str(BIN / "shelver"), *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=timeout, input=input)


def modules_loaded_by(commands: list[list[str]], watched: tuple[str, ...]
                      ) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run each of ``commands`` (``shelver`` arguments) in turn in one fresh Python, as the
    console script would, and say which of ``watched`` it left in ``sys.modules``: what a
    command imports, checked without timing it. Each command must exit 0."""
    code = ("import json, sys\nfrom shelver.entry import main\n"
            f"for argv in {commands!r}:\n"
            "    sys.argv = ['shelver', *argv]\n"
            "    try:\n        main()\n    except SystemExit as exc:\n"
            "        assert not exc.code, (argv, exc.code)\n"
            f"print('loaded:', json.dumps(sorted(m for m in {watched!r} if m in sys.modules)))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "SHELVER_LOAD_PLUGINS": ""})
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.splitlines()[-1]
    assert last.startswith("loaded: "), proc.stdout
    return proc, json.loads(last.removeprefix("loaded: "))


def stop_daemon(daemon: subprocess.Popen[str]) -> None:
    """Stop a ``shelver watch`` subprocess as a person would (Ctrl-C); kill it if it hangs."""
    daemon.send_signal(signal.SIGINT)
    try:
        daemon.wait(timeout=10)
    except subprocess.TimeoutExpired:
        daemon.kill()


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
