"""Helpers for the downloader hook tests: each client's exact way of calling, as real processes.

Nothing here goes through a shell: argv lists and environment mappings are handed to the kernel
the way each client hands them (the ready scripts in hooks/ are executed as files, the way the
clients execute them).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.conftest import BIN, REPO

HOOKS = REPO / "hooks"
SHELVER = str(BIN / "shelver")
CLIENT_PREFIXES = ("TR_", "SAB_", "NZBPP_", "NZBPO_", "NZBCP_", "NZBOP_", "radarr_", "sonarr_")

# Names chosen by whoever made the torrent or the NZB: each must be processed or refused
# cleanly, never executed, never placed anywhere else. (Bytes that are not UTF-8 are in
# test_hook_hostile_names.py: they are refused.)
HOSTILE_NAMES = {
    "command-substitution": "$(touch PWNED)",
    "backticks": "`touch PWNED`",
    "quotes": "it's \"quoted\" 'twice'",
    "newline": "line\n[NZB] FINALDIR=evil\n[ERROR] forged",
    "leading-dashes": "--enqueue-only",
    "short-option": "-p",
    "semicolon": "x; touch PWNED; #",
    "long": "L" + "é" * 126,  # 253 bytes: as long as a file name can be
}


# Compiled modules cached for the processes these tests start, as for an installed package,
# even where PYTHONDONTWRITEBYTECODE is set: otherwise each of the hundreds of hook processes
# recompiles shelver from source. A private folder, so the repository stays clean.
PYCACHE = Path(tempfile.gettempdir()) / f"shelver-tests-pycache-{os.getuid()}"


def hook_env(extra: dict[str, str] | None = None, **more: str) -> dict[str, str]:
    """The test process's environment (isolated HOME/XDG) without any client's variables, with
    shelver on PATH, plus ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(CLIENT_PREFIXES) and k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["SHELVER"] = SHELVER
    env.update(extra or {})
    env.update(more)
    return env


def run(argv: list[str], env: dict[str, str], *, cwd: Path | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run exactly ``argv`` with exactly ``env`` (no shell). Output must be valid UTF-8."""
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, timeout=timeout,
                          encoding="utf-8", errors="strict")


def items(state_db: Path) -> list[dict[str, Any]]:
    if not state_db.exists():
        return []
    with sqlite3.connect(state_db, timeout=30) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT i.id, i.path, i.source_path, i.state, i.profile, i.given_ids,"
                            " i.destination,"
                            " q.profile AS queued_for, q.priority FROM items i"
                            " LEFT JOIN queue q ON q.item_id = i.id ORDER BY i.id").fetchall()
    result = [dict(r) for r in rows]
    for row in result:
        row["given_ids"] = json.loads(row["given_ids"]) if row["given_ids"] else None
    return result


def library_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".mkv", ".mp4", ".avi"))


def no_pwned(*folders: Path) -> bool:
    return not any((folder / "PWNED").exists() for folder in folders)


# -- qBittorrent -------------------------------------------------------------------------------

QBT_TEMPLATE = f'{SHELVER} hook -p PROFILE qbittorrent -- "%F" "%N" "%L" "%G" "%I" "%D" "%R"'


def qt_split_command(command: str) -> list[str]:
    """``QProcess::splitCommand``: whitespace separates, double quotes group, three quotes make
    one literal quote, and empty arguments vanish."""
    args: list[str] = []
    token, quotes, quoted = "", 0, False
    for char in command:
        if char == '"':
            quotes += 1
            if quotes == 3:
                quotes = 0
                token += char
            continue
        if quotes:
            if quotes == 1:
                quoted = not quoted
            quotes = 0
        if not quoted and char.isspace():
            if token:
                args.append(token)
            token = ""
        else:
            token += char
    if token:
        args.append(token)
    return args


def qbt_substitute(text: str, torrent: dict[str, str]) -> str:
    """qBittorrent's placeholder replacement (right to left, ``%%`` left alone)."""
    index = len(text) - 2
    while index >= 0:
        if text[index] == "%" and text[index + 1] in torrent:
            text = text[:index] + torrent[text[index + 1]] + text[index + 2:]
            index -= 1
        index -= 1
    return text


def qbittorrent_argv(template: str, torrent: dict[str, str], *, legacy: bool = False) -> list[str]:
    """The argv qBittorrent starts for "Run external program on torrent finished" on Linux.

    Current releases split the template, strip redundant quotes, then substitute into each
    argument; ``legacy`` releases substituted first and split the result.
    """
    if legacy:
        return qt_split_command(qbt_substitute(template, torrent))
    args = []
    for arg in qt_split_command(template):
        if len(arg) >= 2 and arg.startswith('"') and arg.endswith('"'):
            arg = arg[1:-1]
        args.append(qbt_substitute(arg, torrent))
    return args


def qbt_torrent(content: Path, *, name: str | None = None, category: str = "", tags: str = "",
                info_hash: str = "a" * 40) -> dict[str, str]:
    """The placeholder values of a finished torrent whose content is ``content``."""
    return {"F": str(content), "N": name or content.name, "L": category, "G": tags,
            "I": info_hash, "D": str(content.parent), "R": str(content) if os.path.isdir(content) else "",
            "C": "1", "Z": "1000", "T": "", "J": "-", "K": info_hash}


# -- Transmission --------------------------------------------------------------------------------


def transmission_env(content: Path, *, labels: str = "", info_hash: str = "b" * 40,
                     name: str | None = None) -> dict[str, str]:
    """What Transmission 4 puts in the environment of script-torrent-done-filename."""
    return {"TR_APP_VERSION": "4.0.5", "TR_TIME_LOCALTIME": "Fri Nov 21 14:00:00 2025",
            "TR_TORRENT_BYTES_DOWNLOADED": "123456", "TR_TORRENT_DIR": str(content.parent),
            "TR_TORRENT_HASH": info_hash, "TR_TORRENT_ID": "7", "TR_TORRENT_LABELS": labels,
            "TR_TORRENT_NAME": name if name is not None else content.name,
            "TR_TORRENT_PRIORITY": "0", "TR_TORRENT_TRACKERS": "http://127.0.0.1:1/announce"}


# -- rTorrent -----------------------------------------------------------------------------------


def rtorrent_argv(profile: Path, values: dict[str, str]) -> list[str]:
    """What rTorrent executes for the snippet in hooks/rtorrent.rc."""
    text = (HOOKS / "rtorrent.rc").read_text(encoding="utf-8")
    (command,) = re.findall(r'"execute\.throw\.bg\s*=\s*(.*)"', text)
    argv = [part.strip() for part in command.split(",")]
    assert argv[:6] == ["/usr/local/bin/shelver", "hook", "-p", "new-downloads", "rtorrent", "--"]
    argv[0], argv[3] = SHELVER, str(profile)
    return [values[arg] if arg.startswith("$") else arg for arg in argv]


def rtorrent_values(content: Path, label: str = "") -> dict[str, str]:
    return {"$d.base_path=": str(content), "$d.name=": content.name, "$d.custom1=": label,
            "$d.hash=": "E" * 40, "$d.directory=": str(content)}


# -- SABnzbd -------------------------------------------------------------------------------------


def sabnzbd_call(job_dir: Path, *, category: str = "movies", status: str = "0",
                 nzb_name: str | None = None) -> tuple[list[str], dict[str, str]]:
    """The 8 arguments and the SAB_* environment SABnzbd gives a post-processing script."""
    nzb = nzb_name or f"{job_dir.name}.nzb"
    args = [str(job_dir), nzb, job_dir.name, "", category, "alt.binaries.test", status, ""]
    env = {"SAB_SCRIPT": "sabnzbd.sh", "SAB_NZO_ID": "SABnzbd_nzo_abc123", "SAB_FINAL_NAME": job_dir.name,
           "SAB_FILENAME": nzb, "SAB_COMPLETE_DIR": str(job_dir), "SAB_PP_STATUS": status,
           "SAB_CAT": category, "SAB_BYTES": "123456", "SAB_STATUS": "Completed" if status == "0"
           else "Failed", "SAB_FAIL_MSG": "" if status == "0" else "Unpacking failed, CRC error",
           "SAB_PP": "3", "SAB_VERSION": "4.3.2", "SAB_PROGRAM_DIR": "/usr/share/sabnzbdplus"}
    return args, env


# -- NZBGet --------------------------------------------------------------------------------------


def nzbget_env(job_dir: Path, *, category: str = "movies", total: str = "SUCCESS",
               status: str | None = None, profile: str | None = None) -> dict[str, str]:
    """What NZBGet gives a post-processing extension (NZBPP_*, its options as NZBPO_*)."""
    env = {"NZBPP_DIRECTORY": str(job_dir), "NZBPP_FINALDIR": "", "NZBPP_NZBNAME": job_dir.name,
           "NZBPP_NZBFILENAME": f"{job_dir.name}.nzb", "NZBPP_CATEGORY": category,
           "NZBPP_TOTALSTATUS": total, "NZBPP_STATUS": status or f"{total}/ALL",
           "NZBPP_SCRIPTSTATUS": "NONE", "NZBPP_PARSTATUS": "0", "NZBPP_UNPACKSTATUS": "2",
           "NZBPP_NZBID": "42", "NZBPP_DUPEKEY": "", "NZBOP_VERSION": "24.3",
           "NZBOP_SCRIPTDIR": str(HOOKS / "nzbget"), "NZBOP_TEMPDIR": "/tmp"}
    if profile is not None:
        env["NZBPO_Profile"] = env["NZBPO_PROFILE"] = profile
        env["NZBPO_ShelverCommand"] = env["NZBPO_SHELVERCOMMAND"] = SHELVER
    return env


# -- Radarr / Sonarr -----------------------------------------------------------------------------


def radarr_env(movie_file: Path, *, tmdb: str, imdb: str, event: str = "Download") -> dict[str, str]:
    """Radarr's Custom Script environment for "On Import" (lower-case names)."""
    return {"radarr_eventtype": event, "radarr_isupgrade": "False", "radarr_movie_id": "12",
            "radarr_movie_title": "The Matrix", "radarr_movie_year": "1999",
            "radarr_movie_path": str(movie_file.parent), "radarr_movie_imdbid": imdb,
            "radarr_movie_tmdbid": tmdb, "radarr_moviefile_id": "34",
            "radarr_moviefile_relativepath": movie_file.name, "radarr_moviefile_path": str(movie_file),
            "radarr_moviefile_quality": "Bluray-1080p", "radarr_moviefile_releasegroup": "GRP",
            "radarr_moviefile_scenename": "", "radarr_moviefile_sourcepath": "/downloads/x.mkv",
            "radarr_moviefile_sourcefolder": "/downloads", "radarr_download_client": "qBittorrent",
            "radarr_download_id": "C" * 40}


def sonarr_env(episode_file: Path, *, tvdb: str, tmdb: str = "", imdb: str = "", season: str,
               episodes: str, event: str = "Download") -> dict[str, str]:
    """Sonarr's Custom Script environment for "On Import" (lower-case names)."""
    return {"sonarr_eventtype": event, "sonarr_isupgrade": "False", "sonarr_series_id": "3",
            "sonarr_series_title": "Breaking Bad", "sonarr_series_path": str(episode_file.parent.parent),
            "sonarr_series_tvdbid": tvdb, "sonarr_series_tvmazeid": "169",
            "sonarr_series_tmdbid": tmdb, "sonarr_series_imdbid": imdb, "sonarr_series_type": "standard",
            "sonarr_episodefile_id": "56", "sonarr_episodefile_episodecount": str(len(episodes.split(","))),
            "sonarr_episodefile_relativepath": episode_file.name, "sonarr_episodefile_path": str(episode_file),
            "sonarr_episodefile_episodeids": "901", "sonarr_episodefile_seasonnumber": season,
            "sonarr_episodefile_episodenumbers": episodes, "sonarr_episodefile_episodeairdates": "2013-09-15",
            "sonarr_episodefile_episodetitles": "Ozymandias", "sonarr_episodefile_quality": "WEBDL-1080p",
            "sonarr_episodefile_releasegroup": "GRP", "sonarr_episodefile_scenename": "",
            "sonarr_episodefile_sourcepath": "/downloads/x.mkv", "sonarr_episodefile_sourcefolder": "/downloads",
            "sonarr_download_client": "SABnzbd", "sonarr_download_id": "SABnzbd_nzo_x"}


# -- downloads and profiles ----------------------------------------------------------------------


def download(root: Path, release: str, seconds: float, *, folder: str | None = None,
             seed: int = 0) -> Path:
    """A finished download: ``root/FOLDER/RELEASE.mkv`` (a real tiny video); returns the folder,
    or the file itself when ``folder`` is ``""`` (a single-file torrent)."""
    from shelver.testing.media import make_video

    if folder == "":
        return make_video(root / f"{release}.mkv", seconds, seed=seed)
    target = root / (folder or release)
    make_video(target / f"{release}.mkv", seconds, seed=seed)
    return target


def with_hook(profile: Path, **hook: Any) -> Path:
    """Add a [hook] table to a test profile (rewritten with tomli-w)."""
    import tomllib

    import tomli_w

    data = tomllib.loads(profile.read_text(encoding="utf-8"))
    data["hook"] = {**data.get("hook", {}), **hook}
    profile.write_text(tomli_w.dumps(data), encoding="utf-8")
    return profile


MATRIX = "The.Matrix.1999.1080p.BluRay.x264-GRP"
MATRIX_SECONDS = 8160
MATRIX_FOLDER = "The Matrix (1999) {tmdb-603}"
