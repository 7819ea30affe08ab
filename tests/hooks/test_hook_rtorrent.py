"""rTorrent: event.download.finished runs execute.throw.bg as hooks/rtorrent.rc configures it.

The argv is taken from the shipped snippet itself: each ``$d.xxx=`` becomes one argument.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.hooks.hookhelp import (
    MATRIX,
    MATRIX_FOLDER,
    MATRIX_SECONDS,
    download,
    hook_env,
    items,
    library_files,
    rtorrent_argv,
    rtorrent_values,
    run,
    with_hook,
)


def test_finished_download_is_organised(tmp_path: Path, make_profile: Any) -> None:
    profile = make_profile("nd")
    content = download(tmp_path / "rt", MATRIX, MATRIX_SECONDS)
    proc = run(rtorrent_argv(profile, rtorrent_values(content)), hook_env())
    assert proc.returncode == 0, proc.stderr
    assert [p.parent.name for p in library_files(tmp_path / "library")] == [MATRIX_FOLDER]


def test_rutorrent_label_is_url_decoded_for_routing(tmp_path: Path, make_profile: Any) -> None:
    profile = with_hook(make_profile("nd"), categories={"My Movies": "nd"})
    content = download(tmp_path / "rt", MATRIX, MATRIX_SECONDS)
    argv = rtorrent_argv(profile, rtorrent_values(content, label=quote("My Movies")))
    proc = run([argv[0], "hook", "--enqueue-only", *argv[2:]], hook_env())
    assert proc.returncode == 0, proc.stderr
    assert [r["queued_for"] for r in items(tmp_path / "state.db")] == ["nd"]
    proc = run(rtorrent_argv(profile, rtorrent_values(content, label="")), hook_env())
    assert proc.returncode == 0 and "ignored" in proc.stdout
