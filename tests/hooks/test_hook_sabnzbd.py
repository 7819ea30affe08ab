"""SABnzbd: hooks/sabnzbd.sh as a post-processing script (8 arguments and SAB_* variables)."""

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
    sabnzbd_call,
    with_hook,
)

SCRIPT = str(HOOKS / "sabnzbd.sh")


def test_completed_job_is_organised_and_the_last_line_says_so(tmp_path: Path,
                                                              make_profile: Any) -> None:
    profile = make_profile("nd")
    job = download(tmp_path / "sab", MATRIX, MATRIX_SECONDS)
    args, env = sabnzbd_call(job)
    proc = run([SCRIPT, *args], hook_env(env, SHELVER_PROFILE=str(profile)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [p.parent.name for p in library_files(tmp_path / "library")] == [MATRIX_FOLDER]
    assert proc.stdout.splitlines()[-1] == "shelver nd: 1 organised"


def test_failed_jobs_and_other_categories_are_left_alone(tmp_path: Path, make_profile: Any) -> None:
    profile = with_hook(make_profile("nd"), categories={"movies": "nd"})
    job = download(tmp_path / "sab", MATRIX, MATRIX_SECONDS)
    for status in ("1", "2", "3", "-1"):
        args, env = sabnzbd_call(job, status=status)
        proc = run([SCRIPT, *args], hook_env(env, SHELVER_PROFILE=str(profile)))
        assert proc.returncode == 0, proc.stdout
        assert "failed" in proc.stdout.splitlines()[-1]
    args, env = sabnzbd_call(job, category="software")
    proc = run([SCRIPT, *args], hook_env(env, SHELVER_PROFILE=str(profile)))
    assert proc.returncode == 0 and "ignored" in proc.stdout.splitlines()[-1]
    assert items(tmp_path / "state.db") == [] and (job / f"{MATRIX}.mkv").is_file()


def test_a_broken_profile_fails_the_job_with_a_readable_last_line(tmp_path: Path) -> None:
    job = download(tmp_path / "sab", MATRIX, MATRIX_SECONDS)
    args, env = sabnzbd_call(job)
    proc = run([SCRIPT, *args], hook_env(env, SHELVER_PROFILE=str(tmp_path / "missing.toml")))
    assert proc.returncode == 2
    assert "not found" in proc.stdout.splitlines()[-1]


def test_a_blocking_client_waits_at_most_hook_wait_seconds(tmp_path: Path, make_profile: Any) -> None:
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB

    with FakeTMDB(latency=1.5) as slow:
        profile = with_hook(make_profile("nd", tmdb={"base_url": slow.base_url}), wait_seconds=0.5)
        job = download(tmp_path / "sab", MATRIX, MATRIX_SECONDS)
        args, env = sabnzbd_call(job)
        proc = run([SCRIPT, *args], hook_env(env, SHELVER_PROFILE=str(profile)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 still queued after hook.wait_seconds (0.5 s)" in proc.stdout.splitlines()[-1]
    (row,) = items(tmp_path / "state.db")  # durable: the next daemon or run takes it
    assert row["state"] == "NEW" and row["queued_for"] == "nd"
    assert (job / f"{MATRIX}.mkv").is_file()
