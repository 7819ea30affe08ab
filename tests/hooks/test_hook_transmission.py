"""Transmission: script-torrent-done-filename runs hooks/transmission.sh with TR_* variables."""

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
    transmission_env,
    with_hook,
)

SCRIPT = str(HOOKS / "transmission.sh")


def test_done_script_organises_the_torrent(tmp_path: Path, make_profile: Any) -> None:
    profile = make_profile("nd")
    content = download(tmp_path / "tr", MATRIX, MATRIX_SECONDS)
    proc = run([SCRIPT], hook_env(transmission_env(content), SHELVER_PROFILE=str(profile)))
    assert proc.returncode == 0, proc.stderr
    assert [p.parent.name for p in library_files(tmp_path / "library")] == [MATRIX_FOLDER]
    assert not (content / f"{MATRIX}.mkv").exists()


def test_labels_route_and_unmapped_labels_are_ignored(tmp_path: Path, make_profile: Any) -> None:
    profile = with_hook(make_profile("nd"), categories={"Movies": "nd"})
    argv = ["shelver", "hook", "--enqueue-only", "-p", str(profile), "transmission"]
    content = download(tmp_path / "tr", MATRIX, MATRIX_SECONDS)
    proc = run(argv, hook_env(transmission_env(content, labels="4k,movies")))
    assert proc.returncode == 0, proc.stderr
    assert [(r["path"], r["queued_for"]) for r in items(tmp_path / "state.db")] == [
        (str(content / f"{MATRIX}.mkv"), "nd")]
    other = download(tmp_path / "tr", "Heat.1995.1080p.BluRay.x264", 10200)
    for labels in ("", "music"):
        proc = run(argv, hook_env(transmission_env(other, labels=labels)))
        assert proc.returncode == 0 and "ignored" in proc.stdout
    assert len(items(tmp_path / "state.db")) == 1


def test_a_name_that_leaves_its_folder_is_refused(tmp_path: Path, make_profile: Any) -> None:
    profile = make_profile("nd")
    download(tmp_path, MATRIX, MATRIX_SECONDS, folder="outside")
    inner = tmp_path / "tr" / "inner"
    inner.mkdir(parents=True)
    for name in ("../outside", "..", "a/../../outside", ""):
        env = transmission_env(inner / "x", name=name)
        proc = run([SCRIPT], hook_env(env, SHELVER_PROFILE=str(profile)))
        assert proc.returncode in (1, 2), (name, proc.stderr)
        assert "refused" in proc.stderr or "not set" in proc.stderr
    assert items(tmp_path / "state.db") == [] and not (tmp_path / "library").exists()
    proc = run([SCRIPT], hook_env(SHELVER_PROFILE=str(profile)))
    assert proc.returncode == 2 and "TR_TORRENT_DIR" in proc.stderr
