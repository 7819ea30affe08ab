"""The first hour of a new user (issue 14, points 14-19): what the command line says."""

from __future__ import annotations

import logging
import os
import pty
import re
import select
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import BIN, json_lines, shelver, stop_daemon, write_profile

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Lines:
    """A pipe read line by line in a thread, each line with the time it arrived."""

    def __init__(self, stream: Any) -> None:
        self.lines: list[tuple[float, str]] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            self.lines.append((time.monotonic(), line.rstrip("\n")))

    def wait_for(self, needle: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for _t, line in list(self.lines):
                if needle in line:
                    return line
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} never came; got {[text for _t, text in self.lines]}")


# -- 14: shelver watch says what it does ---------------------------------------------------------


def test_watch_prints_a_start_line_and_one_line_per_finished_file(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    profile = make_profile(watch={"settle_seconds": 0.3, "sweep_interval": 3600})
    daemon = subprocess.Popen([str(BIN / "shelver"), "watch", "-p", str(profile)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = Lines(daemon.stdout), Lines(daemon.stderr)
    try:
        banner = err.wait_for("watching")
        assert banner == (f"shelver: watching {tmp_path / 'downloads'} for profile test (mode inplace)"
                          f" -> {tmp_path / 'library'}; a file is taken once unchanged for 0.3 s;"
                          f" Ctrl-C stops")
        video(tmp_path / "downloads" / "Amelie.2001.1080p.BluRay.mkv", 7320)
        line = out.wait_for("organised")
        assert line == f"organised  {tmp_path / 'downloads' / 'Amelie.2001.1080p.BluRay.mkv'}"
        target = out.wait_for("->")
        assert "{tmdb-194}" in target and str(tmp_path / "library") in target
    finally:
        stop_daemon(daemon)
    assert daemon.returncode == 0


# -- 15: -v/-q/-p after the command too ----------------------------------------------------------


def _invoke(*args: str) -> Any:
    from shelver.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_global_flags_work_after_the_command(make_profile: Any) -> None:
    profile = str(make_profile())
    result = _invoke("status", "-v", "-p", profile)
    assert result.exit_code == 0, result.output
    assert logging.getLogger("shelver").level == logging.INFO
    result = _invoke("status", "-p", profile, "-vv")
    assert result.exit_code == 0 and logging.getLogger("shelver").level == logging.DEBUG
    result = _invoke("-v", "status", "-q", "-p", profile)
    assert result.exit_code == 0 and logging.getLogger("shelver").level == logging.ERROR
    # A plugin's command (shelver_register_commands) and a group's sub-command get them too.
    result = _invoke("undo", "--list", "-p", profile, "-v")
    assert result.exit_code == 0, result.output
    assert logging.getLogger("shelver").level == logging.INFO
    result = _invoke("profile", "check", "-p", profile, "-q")
    assert result.exit_code == 0, result.output
    assert logging.getLogger("shelver").level == logging.ERROR


def test_review_sub_commands_take_the_profile_after_them(make_profile: Any) -> None:
    profile = str(make_profile())
    result = _invoke("review", "set", "42", "--tmdb", "movie/603", "-p", profile)
    assert "No such option" not in result.output
    # The profile given after `set` was the one opened: its (empty) DB has no item 42.
    assert result.exit_code == 2 and "42" in result.output, result.output
    result = _invoke("review", "accept", "42", "-p", profile, "-v")
    assert "No such option" not in result.output and result.exit_code == 2, result.output


def test_run_takes_flags_after_its_paths(tmp_path: Path, make_profile: Any, video: Any) -> None:
    movie = video(tmp_path / "downloads" / "Se7en.1995.REMASTERED.720p.BluRay.mkv", 7620)
    proc = shelver("run", str(movie), "-q", "--dry-run", "-p", str(make_profile()))
    assert proc.returncode == 0, proc.stderr
    assert "would organise" in proc.stdout and proc.stderr.strip().startswith("shelver: 1 file(s)")


# -- 16: the progress bar and the lines around it ------------------------------------------------


def _run_on_a_terminal(args: list[str], timeout: float = 60) -> list[tuple[float, str]]:
    """Run ``shelver ARGS`` with stdin/stdout/stderr on a pseudo-terminal; returns each screen
    line (ANSI codes dropped, what is left after the last carriage return) with its time."""
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([str(BIN / "shelver"), *args], stdin=terminal, stdout=terminal,
                            stderr=terminal, env={**os.environ, "COLUMNS": "120", "TERM": "xterm"},
                            close_fds=True)
    os.close(terminal)
    buffer, lines = b"", []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([controller], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closed: the process has ended
                break
            if not chunk:
                break
            buffer += chunk
            while b"\n" in buffer:
                raw, buffer = buffer.split(b"\n", 1)
                text = ANSI.sub("", raw.decode("utf-8", "replace")).split("\r")
                visible = [part for part in text if part.strip()]
                lines.append((time.monotonic(), visible[-1] if visible else ""))
        elif proc.poll() is not None:
            break
    os.close(controller)
    proc.wait(timeout=10)
    return lines


def test_on_a_terminal_each_file_is_printed_as_it_finishes_and_warnings_stay_off_the_bar(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    from shelver.plugins.tmdb.fake.tmdb_server import FakeTMDB

    downloads = tmp_path / "downloads"
    video(downloads / "a" / "Se7en.1995.REMASTERED.720p.BluRay.mkv", 7620)
    # Not a video at all: the phash step warns while the bar is shown.
    (downloads / "b").mkdir(parents=True)
    (downloads / "b" / "Inception.2010.1080p.BluRay.mkv").write_bytes(b"not a video\n" * 1000)
    with FakeTMDB(latency=0.4) as slow:
        profile = make_profile(workers=1, tmdb={"base_url": slow.base_url})
        lines = _run_on_a_terminal(["run", str(downloads), "-p", str(profile)])
    texts = [text for _t, text in lines]
    first = next(t for t, text in lines if text.startswith("organised"))
    summary = next(t for t, text in lines if text.startswith("shelver: 2 file(s)"))
    # The first file's line is on screen while the second one is still being identified.
    assert summary - first > 0.5, texts
    warnings = [text for text in texts if "WARNING" in text]
    assert warnings and all(text.startswith("shelver: WARNING:") for text in warnings), texts


def test_log_lines_go_through_the_progress_console() -> None:
    import io

    from rich.console import Console
    from rich.progress import Progress
    from shelver import logs

    logs.setup(0)
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=80)
    with Progress(console=console, redirect_stderr=False) as progress, logs.via_console(console):
        progress.add_task("working", total=2)
        logging.getLogger("shelver").warning("a warning")
    assert "shelver: WARNING: a warning" in ANSI.sub("", buffer.getvalue())


# -- 17: a dry run says it is one -----------------------------------------------------------------


def test_a_dry_run_says_would_and_nothing_moved(tmp_path: Path, make_profile: Any, video: Any) -> None:
    downloads = tmp_path / "downloads"
    movie = video(downloads / "Se7en.1995.REMASTERED.720p.BluRay.mkv", 7620)
    proc = shelver("run", str(downloads), "-p", str(make_profile()), "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == f"would organise {movie}"
    assert "shelver: 1 file(s): 1 would be organised (dry run: nothing moved)" in proc.stderr
    assert "organised " not in proc.stdout.replace("would organise", "")


# -- 18: offline, on one's own files ----------------------------------------------------------------


def test_demo_serve_gives_a_working_profile_snippet_until_ctrl_c(tmp_path: Path, video: Any) -> None:
    server = subprocess.Popen([str(BIN / "shelver"), "demo", "--serve", "--keep", str(tmp_path / "d")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = Lines(server.stdout)
    try:
        served = out.wait_for("served at")
        base_url = re.search(r"(http://127\.0\.0\.1:\d+/3)", served)
        assert base_url, served
        out.wait_for("(only titles")
        snippet = "\n".join(text for _t, text in out.lines
                            if text.startswith(("[tmdb]", "base_url", "api_key")))
        assert snippet == f'[tmdb]\nbase_url = "{base_url.group(1)}"\napi_key = "demo-key"'
        ready = tmp_path / "d" / "offline.toml"
        assert f"profile: {ready}" in [text.split(" (")[0] for _t, text in out.lines]
        assert shelver("profile", "check", "-p", str(ready)).returncode == 0
        # A user's own profile with the snippet pasted in works offline.
        mine = tmp_path / "mine.toml"
        mine.write_text(f'name = "mine"\nmode = "inplace"\ndest_dir = "{tmp_path / "lib"}"\n'
                        f'state_db = "{tmp_path / "s.db"}"\n[filters]\nmin_size_mb = 0\n'
                        f"{snippet}\n", encoding="utf-8")
        movie = video(tmp_path / "mine" / "Heat.1995.1080p.BluRay.mkv", 10200)
        proc = shelver("run", str(movie), "-p", str(mine), "--dry-run", "--json")
        assert proc.returncode == 0, proc.stderr
        assert json_lines(proc.stdout)[0]["tmdb"]["id"] == 949
    finally:
        server.send_signal(signal.SIGINT)
        try:  # 0.4 s here; generous for a CI machine under load (it once took over 10 s)
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            pytest.fail(f"demo --serve still ran 30 s after Ctrl-C: {server.stderr.read()[-500:]!r}")
    assert server.returncode == 0, server.stderr.read()[-500:]


def test_readme_documents_trying_offline() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "shelver demo --serve" in readme and "--keep DIR" in readme


# -- 19: the smaller ones ----------------------------------------------------------------------------


def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path: Path, make_profile: Any) -> None:
    missing = tmp_path / "nope"
    proc = shelver("run", str(missing), "-p", str(make_profile()))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"shelver: error: no such file or folder: {missing}"
    assert not (tmp_path / "state.db").exists()  # nothing started


def test_undo_of_a_run_that_does_not_exist_fails(make_profile: Any) -> None:
    proc = shelver("undo", "9999", "-p", str(make_profile()))
    assert proc.returncode == 2
    assert proc.stderr.startswith("shelver: error: no run 9999")


def test_an_unknown_mode_flag_names_the_flag(tmp_path: Path, make_profile: Any) -> None:
    proc = shelver("run", str(tmp_path), "-p", str(make_profile()), "--mode", "bogus")
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("shelver: error: --mode: unknown mode 'bogus' "
                                   "(known: auto, cache, inplace, metadata-only, selective)")


def test_an_error_line_and_status_name_the_file_once(tmp_path: Path, make_profile: Any,
                                                     video: Any) -> None:
    movie = video(tmp_path / "downloads" / "Heat.1995.1080p.BluRay.mkv", 10200)
    (tmp_path / "library").mkdir()
    (tmp_path / "library" / "Movies").write_text("a file where a folder should be\n")
    profile = str(make_profile())
    proc = shelver("run", str(movie), "-p", profile)
    assert proc.returncode == 1
    (line,) = proc.stdout.splitlines()
    assert line.startswith(f"error      {movie}: ") and "Not a directory" in line
    assert line.count(str(movie)) == 1 and "->" not in proc.stdout
    status = shelver("status", "-p", profile)
    (error,) = [text for text in status.stdout.splitlines() if text.startswith("error:")]
    assert error.startswith(f"error:   {movie}: ") and error.count(str(movie)) == 1


def test_assess_skips_samples_and_says_why(tmp_path: Path, make_profile: Any) -> None:
    release = tmp_path / "downloads" / "Heat.1995.1080p.BluRay"
    (release / "Sample").mkdir(parents=True)
    for name in ("Heat.1995.1080p.BluRay.mkv", "heat-sample.mkv", "Sample/heat.mkv"):
        (release / name).write_bytes(b"\0" * 1000)
    profile = str(make_profile(work_dir=str(tmp_path / "work"), assess={"cache_gb": 400}))
    proc = shelver("assess", str(tmp_path / "downloads"), "-p", profile, "--json")
    assert proc.returncode == 0, proc.stderr
    (collection,) = json_lines(proc.stdout)[0]["collections"]
    assert collection["files"] == 1
    assert collection["reason"] == "3 KB fits the cache's 400 GB free (under 100 GB)"
    proc = shelver("assess", str(tmp_path / "downloads"), "-p", profile)
    assert "cache: 3 KB fits the cache's 400 GB free (under 100 GB)" in proc.stdout


def test_undo_list_shows_date_counts_and_a_sample(tmp_path: Path, make_profile: Any,
                                                  video: Any) -> None:
    video(tmp_path / "downloads" / "Heat.1995.1080p.BluRay.mkv", 10200)
    (tmp_path / "downloads" / "notes.txt").write_text("x\n")
    profile = str(make_profile())
    assert shelver("run", "-p", profile).returncode == 0
    proc = shelver("undo", "--list", "-p", profile)
    (line,) = proc.stdout.splitlines()
    assert re.fullmatch(r"run 1  \d{4}-\d\d-\d\d \d\d:\d\d  run \(inplace, done\)  1 organised, "
                        r"1 skipped  e\.g\. .*/Heat \(1995\) \{tmdb-949\}\.mkv", line), line


def test_profile_check_warns_without_a_tmdb_key(tmp_path: Path) -> None:
    profile = write_profile(tmp_path / "p.toml", {"name": "p", "dest_dir": str(tmp_path / "lib")})
    proc = shelver("profile", "check", "-p", str(profile))
    assert proc.returncode == 0
    assert (f"shelver: warning: no TMDB key: set tmdb.api_key or tmdb.read_token (tmdb in "
            f"{profile}) or export TMDB_API_KEY") in proc.stderr
    keyed = shelver("profile", "check", "-p", str(profile), env={"TMDB_API_KEY": "k" * 32})
    assert "no TMDB key" not in keyed.stderr


def test_phash_of_a_non_video_says_so_in_words(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mkv"
    junk.write_text("not a video\n")
    proc = shelver("phash", str(junk))
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"shelver: phash: {junk}: not a video PyAV can read (invalid data)"


def test_demo_says_where_it_leaves_its_library(tmp_path: Path) -> None:
    proc = shelver("demo", "--keep", str(tmp_path / "demo"), timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert f"the demo library is in {tmp_path / 'demo' / 'library'}" in proc.stdout
