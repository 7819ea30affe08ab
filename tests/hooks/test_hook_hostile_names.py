"""Hostile names through every client: ``$(...)``, backticks, quotes, newlines, leading dashes,
long names are queued verbatim (the exact file, the right profile) and processed into the right
place; bytes that are not UTF-8 and names too long for the filesystem are refused cleanly.
Nothing is ever executed: a ``PWNED`` file would say otherwise.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.hooks.hookhelp import (
    HOOKS,
    HOSTILE_NAMES,
    MATRIX,
    MATRIX_SECONDS,
    QBT_TEMPLATE,
    SHELVER,
    download,
    hook_env,
    items,
    library_files,
    nzbget_env,
    qbittorrent_argv,
    qbt_torrent,
    radarr_env,
    rtorrent_argv,
    rtorrent_values,
    run,
    sabnzbd_call,
    transmission_env,
)

CLIENTS = ("qbittorrent", "transmission", "deluge", "rtorrent", "sabnzbd", "nzbget", "radarr",
           "generic")
SUCCESS = {"nzbget": 93}
FAILURE = {"nzbget": 94}


def call(client: str, content: Path, profile: Path) -> tuple[list[str], dict[str, str]]:
    """The exact argv and environment ``client`` starts the hook with for ``content``."""
    env: dict[str, str] = {"SHELVER_PROFILE": str(profile)}
    if client == "qbittorrent":
        return qbittorrent_argv(QBT_TEMPLATE.replace("PROFILE", str(profile)),
                                qbt_torrent(content)), env
    if client == "transmission":
        return [str(HOOKS / "transmission.sh")], {**env, **transmission_env(content)}
    if client == "deluge":
        return [str(HOOKS / "deluge.sh"), "f" * 40, content.name, str(content.parent)], env
    if client == "rtorrent":
        return rtorrent_argv(profile, rtorrent_values(content)), env
    if client == "sabnzbd":
        args, sab = sabnzbd_call(content)
        return [str(HOOKS / "sabnzbd.sh"), *args], {**env, **sab}
    if client == "nzbget":
        return [str(HOOKS / "nzbget" / "Shelver" / "main.sh")], nzbget_env(content, profile=str(profile))
    if client == "radarr":
        movie = content / f"{MATRIX}.mkv" if os.path.isdir(content) else content
        return [str(HOOKS / "radarr-sonarr.sh")], {**env, **radarr_env(movie, tmdb="603",
                                                                       imdb="tt0133093")}
    return [SHELVER, "hook", "-p", str(profile), "generic", "--", str(content)], env


def pretend_daemon(state_db: Path, profile: str) -> None:
    """A live heartbeat (this test's own pid) for ``profile``: the hooks only queue."""
    from shelver.store import StateDB

    state = StateDB(state_db)
    state.heartbeat(profile)
    state.close()


def test_hostile_names_are_queued_verbatim_by_every_client(tmp_path: Path,
                                                          make_profile: Any) -> None:
    profile = make_profile("nd")
    pretend_daemon(tmp_path / "state.db", "nd")
    cases = []
    for client in CLIENTS:
        for label, name in HOSTILE_NAMES.items():
            content = download(tmp_path / "dl" / client, MATRIX, MATRIX_SECONDS, folder=name)
            cases.append((client, label, content))

    def one(case: tuple[str, str, Path]) -> tuple[str, str, Path, Any]:
        client, label, content = case
        argv, env = call(client, content, profile)
        return client, label, content, run(argv, hook_env(env), cwd=tmp_path)

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(one, cases))
    queued = {row["path"]: row for row in items(tmp_path / "state.db")}
    for client, label, content, proc in outcomes:
        assert proc.returncode == SUCCESS.get(client, 0), (client, label, proc.stdout, proc.stderr)
        assert "queued 1 file(s) for profile nd" in proc.stdout, (client, label, proc.stdout)
        row = queued[str(content / f"{MATRIX}.mkv")]
        assert row["queued_for"] == "nd" and row["state"] == "NEW"
        assert not any(line.startswith(("[NZB]", "[ERROR] forged")) for line in proc.stdout.splitlines())
    assert len(queued) == len(cases)
    assert not list(tmp_path.rglob("PWNED")) and not (Path.cwd() / "PWNED").exists()
    assert not (tmp_path / "library").exists()


MOVIES = [("The.Matrix.1999.1080p.BluRay.x264-GRP", 8160, 603),
          ("Heat.1995.1080p.BluRay.x264-AMIABLE", 10200, 949),
          ("Se7en.1995.REMASTERED.1080p.BluRay.x264-SPARKS", 7620, 807),
          ("Inception.2010.1080p.BluRay.x264-SPARKS", 8880, 27205),
          ("Jaws.1975.1080p.BluRay.x264-AMIABLE", 7529, 578),
          ("Casablanca.1942.1080p.BluRay.x264-CiNEFiLE", 6200, 289),
          ("Goodfellas.1990.1080p.BluRay.x264-CiNEFiLE", 8677, 769),
          ("Whiplash.2014.720p.BluRay.x264-DEPTH", 6435, 244786)]


def test_hostile_names_are_processed_into_the_right_place(tmp_path: Path, make_profile: Any) -> None:
    """One NZBGet job (its folder named with a newline and a forged ``[NZB]`` command) holding
    a download under every hostile name: each is organised under its own TMDB id, and every
    line NZBGet reads is one of shelver's own."""
    profile = make_profile("nd")
    job = tmp_path / "nzbget" / HOSTILE_NAMES["newline"]
    expected = {}
    for name, (release, seconds, tmdb_id) in zip(HOSTILE_NAMES.values(), MOVIES, strict=True):
        content = download(job, release, seconds, folder=name, seed=tmdb_id)
        expected[str(content / f"{release}.mkv")] = tmdb_id
    proc = run([str(HOOKS / "nzbget" / "Shelver" / "main.sh")],
               hook_env(nzbget_env(job, profile=str(profile))), cwd=tmp_path)
    assert proc.returncode == 93, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert all(line.startswith(("[INFO] ", "[WARNING] ")) for line in lines), lines
    assert lines[-1] == f"[INFO] shelver nd: {len(MOVIES)} organised"
    assert not any(line.startswith(("[NZB]", "[ERROR]")) for line in proc.stderr.splitlines())
    placed = library_files(tmp_path / "library")
    assert sorted(int(p.parent.name.rsplit("{tmdb-", 1)[1].rstrip("}")) for p in placed) == sorted(
        expected.values())
    for row in items(tmp_path / "state.db"):
        assert row["state"] == "INDEXED"
        assert f"{{tmdb-{expected[row['source_path']]}}}" in row["destination"]
    assert not any(Path(p).exists() for p in expected)
    assert not list(tmp_path.rglob("PWNED"))


@pytest.mark.parametrize("client", CLIENTS)
def test_names_that_are_not_utf8_or_too_long_are_refused(tmp_path: Path, make_profile: Any,
                                                         client: str) -> None:
    profile = make_profile("nd")
    bad = os.fsdecode(b"Bad.\xff\xfe.Name.\xc3(")
    content = download(tmp_path / "dl", MATRIX, MATRIX_SECONDS, folder=bad)
    argv, env = call(client, content, profile)
    proc = run(argv, hook_env(env), cwd=tmp_path)
    assert proc.returncode == FAILURE.get(client, 1), (proc.stdout, proc.stderr)
    assert "not valid UTF-8" in proc.stdout + proc.stderr
    assert "Bad.\\xff\\xfe.Name.\\xc3(" in proc.stdout + proc.stderr
    too_long = tmp_path / "dl" / ("x" * 300)
    argv, env = call(client, too_long, profile)
    proc = run(argv, hook_env(env), cwd=tmp_path)
    assert proc.returncode == FAILURE.get(client, 1), (proc.stdout, proc.stderr)
    assert "too long" in proc.stdout + proc.stderr
    assert items(tmp_path / "state.db") == [] and (content / f"{MATRIX}.mkv").is_file()
    assert not (tmp_path / "library").exists()
