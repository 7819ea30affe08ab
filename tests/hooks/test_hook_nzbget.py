"""NZBGet: the extension in hooks/nzbget/Shelver (manifest.json + main.sh), NZBPP_* variables,
exit 93 done / 94 failed / 95 nothing to do, every output line tagged for NZBGet's log."""

from __future__ import annotations

import json
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
    nzbget_env,
    run,
)

EXTENSION = HOOKS / "nzbget" / "Shelver"
MAIN = str(EXTENSION / "main.sh")
TAGS = ("[INFO] ", "[WARNING] ", "[ERROR] ", "[DETAIL] ")


def tagged(stdout: str) -> bool:
    return all(line.startswith(TAGS) for line in stdout.splitlines())


def test_extension_files() -> None:
    manifest = json.loads((EXTENSION / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "POST-PROCESSING" and manifest["name"] == "Shelver"
    assert (EXTENSION / manifest["main"]).stat().st_mode & 0o111
    assert {o["name"] for o in manifest["options"]} == {"Profile", "ShelverCommand"}
    header = (EXTENSION / manifest["main"]).read_text(encoding="utf-8")
    assert "### NZBGET POST-PROCESSING SCRIPT" in header and "#Profile=" in header


def test_successful_download_exits_93(tmp_path: Path, make_profile: Any) -> None:
    profile = make_profile("nd")
    job = download(tmp_path / "nzbget", MATRIX, MATRIX_SECONDS)
    proc = run([MAIN], hook_env(nzbget_env(job, profile=str(profile))))
    assert proc.returncode == 93, proc.stdout + proc.stderr
    assert tagged(proc.stdout) and proc.stdout.splitlines()[-1] == "[INFO] shelver nd: 1 organised"
    assert [p.parent.name for p in library_files(tmp_path / "library")] == [MATRIX_FOLDER]


def test_failed_download_empty_job_and_test_button(tmp_path: Path, make_profile: Any) -> None:
    profile = str(make_profile("nd"))
    job = download(tmp_path / "nzbget", MATRIX, MATRIX_SECONDS)
    for total, status in (("FAILURE", "FAILURE/UNPACK"), ("WARNING", "WARNING/REPAIRABLE"),
                          ("DELETED", "DELETED/MANUAL")):
        proc = run([MAIN], hook_env(nzbget_env(job, total=total, status=status, profile=profile)))
        assert proc.returncode == 95 and tagged(proc.stdout) and status in proc.stdout
    empty = tmp_path / "nzbget" / "Some.Album.2020.FLAC"
    empty.mkdir()
    (empty / "01.flac").write_bytes(b"fLaC")
    proc = run([MAIN], hook_env(nzbget_env(empty, profile=profile)))
    assert proc.returncode == 95 and "no video" in proc.stdout
    proc = run([MAIN], hook_env(NZBCP_COMMAND="ConnectionTest", NZBPO_PROFILE=profile))
    assert proc.returncode == 93 and tagged(proc.stdout)
    assert items(tmp_path / "state.db") == []


def test_a_failure_exits_94(tmp_path: Path, make_profile: Any) -> None:
    profile = str(make_profile("nd", tmdb={"api_key": "wrong-key-1234"}))
    job = download(tmp_path / "nzbget", MATRIX, MATRIX_SECONDS)
    proc = run([MAIN], hook_env(nzbget_env(job, profile=profile)))
    assert proc.returncode == 94 and tagged(proc.stdout), proc.stdout
    assert "tmdb.api_key" in proc.stdout.splitlines()[-1] and "wrong-key-1234" not in proc.stdout
    assert (job / f"{MATRIX}.mkv").is_file()
    proc = run([MAIN], hook_env(NZBPO_PROFILE=profile))  # not called by NZBGet
    assert proc.returncode == 94 and "NZBPP_DIRECTORY" in proc.stdout
