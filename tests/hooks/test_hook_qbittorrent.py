"""qBittorrent: "Run external program on torrent finished", started without a shell.

The argv is built the way qBittorrent builds it on Linux (tests.hooks.hookhelp.qbittorrent_argv:
the current split-then-substitute, and the older substitute-then-split that drops empty
arguments), then executed as a real process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.hooks.hookhelp import (
    MATRIX,
    MATRIX_FOLDER,
    MATRIX_SECONDS,
    QBT_TEMPLATE,
    download,
    hook_env,
    items,
    library_files,
    qbittorrent_argv,
    qbt_torrent,
    run,
    with_hook,
)


def test_finished_torrent_is_organised_inline(tmp_path: Path, make_profile: Any) -> None:
    profile = make_profile("nd")
    content = download(tmp_path / "qbt", MATRIX, MATRIX_SECONDS)
    argv = qbittorrent_argv(QBT_TEMPLATE.replace("PROFILE", str(profile)),
                            qbt_torrent(content, category="", tags=""))
    assert argv[-7:-5] == [str(content), content.name] and argv[-5:-3] == ["", ""]
    proc = run(argv, hook_env())
    assert proc.returncode == 0, proc.stderr
    placed = library_files(tmp_path / "library")
    assert [p.parent.name for p in placed] == [MATRIX_FOLDER]
    assert f"organised: {content / (MATRIX + '.mkv')} -> {placed[0]}" in proc.stdout
    assert proc.stdout.splitlines()[-1] == "shelver nd: 1 organised"


def test_older_qbittorrent_dropping_empty_category_still_routes(tmp_path: Path,
                                                                make_profile: Any) -> None:
    profile = with_hook(make_profile("nd"), categories={"movies": "nd", "tv": "nd"})
    template = QBT_TEMPLATE.replace("PROFILE", str(profile))
    content = download(tmp_path / "qbt", MATRIX, MATRIX_SECONDS, folder="")
    # Older releases: "%L" empty, tags "movies": the empty argument vanishes.
    argv = qbittorrent_argv(template, qbt_torrent(content, category="", tags="4k,movies"),
                            legacy=True)
    assert "" not in argv
    proc = run([*argv[:2], "--enqueue-only", *argv[2:]], hook_env())
    assert proc.returncode == 0, proc.stderr
    (row,) = items(tmp_path / "state.db")
    assert row["path"] == str(content) and row["queued_for"] == "nd" and row["priority"] == 50
    # A category the profile does not map is ignored: exit 0, nothing queued.
    other = download(tmp_path / "qbt", "Heat.1995.1080p.BluRay.x264", 10200)
    argv = qbittorrent_argv(template, qbt_torrent(other, category="music"))
    proc = run(argv, hook_env())
    assert proc.returncode == 0 and "'music' is not in hook.categories" in proc.stdout
    assert [r["path"] for r in items(tmp_path / "state.db")] == [str(content)]


def test_shifted_arguments_are_refused_and_nothing_moves(tmp_path: Path, make_profile: Any) -> None:
    profile = make_profile("nd")
    template = QBT_TEMPLATE.replace("PROFILE", str(profile))
    # An older qBittorrent substitutes before splitting: a quote in the name shifts arguments.
    content = download(tmp_path / "qbt", MATRIX, MATRIX_SECONDS, folder='a" "b c" "d')
    argv = qbittorrent_argv(template, qbt_torrent(content), legacy=True)
    proc = run(argv, hook_env())
    assert proc.returncode == 1
    assert "refused" in proc.stderr
    assert items(tmp_path / "state.db") == []
    assert (content / f"{MATRIX}.mkv").is_file() and not (tmp_path / "library").exists()
    # The current qBittorrent keeps every value in its own argument: processed.
    proc = run(qbittorrent_argv(template, qbt_torrent(content)), hook_env())
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert [p.parent.name for p in library_files(tmp_path / "library")] == [MATRIX_FOLDER]


def test_usage_errors_exit_2(tmp_path: Path, make_profile: Any) -> None:
    profile = make_profile("nd")
    proc = run(qbittorrent_argv(f'shelver hook -p {profile} qbittorrent "%N"',
                                qbt_torrent(tmp_path / "x")), hook_env())
    assert proc.returncode == 1 and "not an absolute path" in proc.stderr
    proc = run(["shelver", "hook", "-p", str(profile), "qbittorrent"], hook_env())
    assert proc.returncode == 2 and '"%F"' in proc.stderr
    proc = run(["shelver", "hook", "-p", str(profile), "utorrent", "x"], hook_env())
    assert proc.returncode == 2 and "unknown client" in proc.stderr
