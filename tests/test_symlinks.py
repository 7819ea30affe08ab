"""Symbolic links in the downloads and in the library (issue 14, point 3): a link in the sources
is skipped and reported (``placement.symlinks = "skip"``, the default), never followed out of the
sources; nothing is ever written through a link inside ``dest_dir`` that leads out of it. Each
case runs the real ``shelver`` as a subprocess."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import json_lines, shelver
from tests.hooks.hookhelp import MATRIX, MATRIX_SECONDS, hook_env, run


@pytest.fixture
def secret(tmp_path: Path, video: Any) -> Path:
    """A private file outside the downloads (a real video, so it would be identified)."""
    path = video(tmp_path / "private" / "secret.mkv", MATRIX_SECONDS)
    path.chmod(0o600)
    return path


def library_contents(library: Path) -> list[Path]:
    return sorted(p for p in library.rglob("*") if not p.is_dir()) if library.exists() else []


@pytest.mark.parametrize("cross", [False, True])
def test_a_symlink_to_a_private_file_is_skipped_and_reported(
        tmp_path: Path, make_profile: Any, other_fs: Path, secret: Path, cross: bool) -> None:
    library = (other_fs if cross else tmp_path) / "library"
    profile = make_profile(dest_dir=str(library), placement={"file_mode": "0644"})
    link = tmp_path / "downloads" / f"{MATRIX}.mkv"
    link.symlink_to(secret)
    proc = shelver("run", "-p", str(profile), "--json", str(tmp_path / "downloads"))
    assert proc.returncode == 0, proc.stderr
    (result,) = json_lines(proc.stdout)
    assert result["status"] == "skipped" and result["source"] == str(link)
    assert result["reason"] == f'a symbolic link (to {secret}): skipped (placement.symlinks = "skip")'
    assert library_contents(library) == []  # no copy, no link to it
    assert link.is_symlink() and stat.S_IMODE(secret.stat().st_mode) == 0o600


def test_the_hook_reports_a_symlink_and_takes_nothing_through_it(
        tmp_path: Path, make_profile: Any, secret: Path) -> None:
    profile = make_profile()
    download = tmp_path / "downloads" / MATRIX
    download.mkdir()
    (download / f"{MATRIX}.mkv").symlink_to(secret)
    proc = run(["shelver", "hook", "-p", str(profile), "generic", str(download)], hook_env())
    assert library_contents(tmp_path / "library") == []
    assert (f"shelver: warning: skipped {download / MATRIX}.mkv: a symbolic link (to {secret}): "
            f'skipped (placement.symlinks = "skip")') in proc.stderr


def test_followed_symlinks_stay_inside_the_sources(tmp_path: Path, make_profile: Any,
                                                  secret: Path, video: Any) -> None:
    profile = make_profile(placement={"symlinks": "follow"})
    (tmp_path / "downloads" / f"{MATRIX}.mkv").symlink_to(secret)
    proc = shelver("run", "-p", str(profile), "--json", str(tmp_path / "downloads"))
    (result,) = json_lines(proc.stdout)
    assert result["status"] == "skipped"
    assert result["reason"] == f"a symbolic link to {secret}, outside the sources: never followed"
    assert library_contents(tmp_path / "library") == [] and secret.exists()


def test_a_bad_symlinks_setting_is_a_config_error(tmp_path: Path, make_profile: Any) -> None:
    profile = make_profile(placement={"symlinks": "always"})
    proc = shelver("run", "-p", str(profile), str(tmp_path / "downloads"))
    assert proc.returncode == 2
    assert "placement.symlinks must be one of skip, follow, not 'always'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_nothing_is_written_through_a_symlink_in_dest_dir_that_leads_out(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    library = tmp_path / "library"
    library.mkdir()
    (library / "Movies").symlink_to(elsewhere)
    profile = make_profile()
    source = video(tmp_path / "downloads" / f"{MATRIX}.mkv", MATRIX_SECONDS)
    data = source.read_bytes()
    proc = shelver("run", "-p", str(profile), "--json", str(source))
    assert proc.returncode == 1
    (result,) = json_lines(proc.stdout)
    assert result["status"] == "error"
    assert result["error"] == (f"{source}: not placed: {library / 'Movies'} is a symbolic link "
                               f"to {elsewhere}, outside dest_dir {library}")
    assert list(elsewhere.iterdir()) == []  # nothing written there
    assert source.read_bytes() == data
    assert "Traceback" not in proc.stderr
    # A link that stays inside dest_dir is fine.
    (library / "Movies").unlink()
    (library / "real").mkdir()
    (library / "Movies").symlink_to(library / "real")
    proc = shelver("run", "-p", str(profile), "--json", str(source))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [r["status"] for r in json_lines(proc.stdout)] == ["organised"]
    assert os.path.realpath(json_lines(proc.stdout)[0]["destination"]).startswith(str(library / "real"))


def test_a_symlinked_folder_pointing_outside_is_skipped_and_reported(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    profile = make_profile()
    outside = tmp_path / "outside"
    video(outside / f"{MATRIX}.mkv", MATRIX_SECONDS)
    link = tmp_path / "downloads" / "Release"
    link.symlink_to(outside)
    proc = shelver("run", "-p", str(profile), "--json", str(tmp_path / "downloads"))
    assert proc.returncode == 0, proc.stderr
    (result,) = json_lines(proc.stdout)
    assert result["status"] == "skipped" and result["source"] == str(link)
    assert "symbolic link" in result["reason"]
    assert library_contents(tmp_path / "library") == []
    assert (outside / f"{MATRIX}.mkv").exists()
