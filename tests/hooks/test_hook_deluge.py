"""Deluge: the Execute plugin runs hooks/deluge.sh with torrent id, torrent name, save path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.hooks.hookhelp import (
    HOOKS,
    MATRIX,
    MATRIX_FOLDER,
    MATRIX_SECONDS,
    download,
    hook_env,
    items,
    library_files,
    run,
)

SCRIPT = str(HOOKS / "deluge.sh")


def test_execute_plugin_call_organises_the_torrent(tmp_path: Path, make_profile: Any) -> None:
    profile = make_profile("nd")
    content = download(tmp_path / "deluge", MATRIX, MATRIX_SECONDS)
    argv = [SCRIPT, "d" * 40, content.name, str(content.parent)]
    proc = run(argv, hook_env(SHELVER_PROFILE=str(profile)))
    assert proc.returncode == 0, proc.stderr
    assert [p.parent.name for p in library_files(tmp_path / "library")] == [MATRIX_FOLDER]


def test_bad_calls(tmp_path: Path, make_profile: Any) -> None:
    profile = make_profile("nd")
    env = hook_env(SHELVER_PROFILE=str(profile))
    proc = run([SCRIPT, "d" * 40], env)
    assert proc.returncode == 2 and "torrent id, name and save path" in proc.stderr
    proc = run([SCRIPT, "d" * 40, "gone", str(tmp_path)], env)  # removed before the hook ran
    assert proc.returncode == 1 and "No such file or directory" in proc.stderr
    proc = run([SCRIPT, "d" * 40, "x", "relative/path"], env)
    assert proc.returncode == 1 and "not an absolute path" in proc.stderr
    assert items(tmp_path / "state.db") == []
