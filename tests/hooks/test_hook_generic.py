"""generic: ``shelver hook generic PATH...`` for anything else (scripts, other clients)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.hooks.hookhelp import MATRIX, MATRIX_SECONDS, download, hook_env, items, run


def test_options_before_or_after_and_the_double_dash(tmp_path: Path, make_profile: Any) -> None:
    profile = str(make_profile("nd"))
    first = download(tmp_path / "dl", MATRIX, MATRIX_SECONDS)
    second = download(tmp_path / "dl", "Heat.1995.1080p.BluRay.x264", 10200, folder="-p")
    proc = run(["shelver", "hook", "generic", str(first), "-p", profile, "--enqueue-only"],
               hook_env(), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # After "--" everything is a path, even "-p".
    proc = run(["shelver", "hook", "-p", profile, "--enqueue-only", "generic", "--", "dl/-p"],
               hook_env(), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [r["path"] for r in items(tmp_path / "state.db")] == [
        str(first / f"{MATRIX}.mkv"), str(second / "Heat.1995.1080p.BluRay.x264.mkv")]
    proc = run(["shelver", "hook", "generic"], hook_env())
    assert proc.returncode == 2
    proc = run(["shelver", "hook", "--help"], hook_env())
    assert proc.returncode == 0 and "qbittorrent" in proc.stdout


def test_hook_is_listed_by_shelver_help() -> None:
    proc = run(["shelver", "--help"], hook_env())
    assert proc.returncode == 0 and "hook" in proc.stdout
