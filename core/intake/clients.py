"""What each downloader passes to ``shelver hook CLIENT``: its arguments and environment, parsed.

Pure functions, no I/O beyond reading the given mapping: the fast path imports this module on
every finished download, so it imports nothing heavy. One parser per client, side by side
(a little over ~400 lines): they share the validation of hostile names, one copy of it.

Everything a client passes is data that may be hostile (a torrent's name is chosen by whoever
made the torrent): it is never executed, never given to a shell, and a name is only ever used
as a single path component (``../`` or a ``/`` in a name is refused, not followed).

| client | how it calls | blocking | exit codes (done / failed / nothing to do / usage) |
| --- | --- | --- | --- |
| qbittorrent | ``"%F" "%N" "%L" "%G" "%I" "%D" "%R"`` | no | 0 / 1 / 0 / 2 |
| transmission | ``TR_TORRENT_*`` environment, no arguments | no | 0 / 1 / 0 / 2 |
| deluge | Execute plugin: ``torrent_id torrent_name save_path`` | no | 0 / 1 / 0 / 2 |
| rtorrent | ``execute.throw.bg``: ``$d.base_path= $d.name= $d.custom1= $d.hash= $d.directory=`` | no | 0 / 1 / 0 / 2 |
| sabnzbd | 8 arguments and ``SAB_*`` environment | yes | 0 / 1 / 0 / 2 |
| nzbget | ``NZBPP_*`` environment | yes | 93 / 94 / 95 / 94 |
| radarr, sonarr | Custom Script: lower-case ``radarr_*`` / ``sonarr_*`` environment | yes | 0 / 1 / 0 / 2 |
| generic | ``PATH...`` | no | 0 / 1 / 0 / 2 |
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from shelver.discovery import printable as printable  # re-exported for hooks, fastpath


class HookUsage(Exception):
    """The hook was called the wrong way (a configuration mistake in the client): usage error."""


class HookRefused(Exception):
    """What the client passed cannot be processed safely: refused, nothing touched."""


# Plain classes, not dataclasses: every class a dataclass decorator builds costs the hook about
# a millisecond of start-up, and the hook's start-up is what a downloader waits for.


class ExitCodes:
    """What a client expects the hook to exit with."""

    __slots__ = ("success", "failure", "nothing", "usage")

    def __init__(self, success: int = 0, failure: int = 1, nothing: int = 0, usage: int = 2) -> None:
        self.success = success
        self.failure = failure
        self.nothing = nothing  # nothing to do: a failed download, an ignored category, ...
        self.usage = usage


NZBGET_CODES = ExitCodes(success=93, failure=94, nothing=95, usage=94)


class HookJob:
    """One finished download, as the client described it."""

    def __init__(self, client: str, paths: list[str] | None = None, *, name: str | None = None,
                 category: str | None = None, labels: list[str] | None = None,
                 download_id: str | None = None) -> None:
        self.client = client
        self.paths: list[str] = paths or []  # absolute content paths (file or folder)
        self.name = name
        self.category = category
        self.labels: list[str] = labels or []
        self.download_id = download_id  # info hash, SABnzbd nzo id, NZBGet NZBID, ...
        # What the client already knows about the content (Radarr/Sonarr): {"tmdb": 603, ...}.
        self.ids: dict[str, Any] = {}
        self.kind: str | None = None  # "movie" / "episode" when the client says so
        self.title: str | None = None  # the movie's or show's title, when the client knows it
        self.year: int | None = None
        self.season: int | None = None
        self.episodes: list[int] = []
        self.skip: str | None = None  # why there is nothing to do (failed download, ...)
        self.test = False  # the client's "test" button: answer success at once

    def __repr__(self) -> str:
        return f"HookJob({self.client!r}, {self.paths!r}, category={self.category!r})"

    def given(self) -> dict[str, Any] | None:
        """The identity hints to store with the file (None when the client gave none): the JSON
        of ``items.given_ids``, which the engine reads back as the item's
        :class:`shelver.model.DownloaderHints` (``Item.hints``)."""
        if not (self.ids or self.kind or self.season is not None or self.episodes):
            return None
        hints: dict[str, Any] = {"ids": dict(self.ids), "client": self.client}
        for key in ("kind", "title", "year"):
            if getattr(self, key):
                hints[key] = getattr(self, key)
        if self.season is not None:
            hints["season"] = self.season
        if self.episodes:
            hints["episodes"] = list(self.episodes)
        return hints


Parser = Callable[[list[str], Mapping[str, str]], HookJob]


class Client:
    """A downloader: how it calls the hook and what it expects back.

    ``arity``: the positional arguments it passes (None: any number); ``blocking``: whether it
    waits for the hook and shows its outcome; ``style``: the output protocol, ``plain``,
    ``sabnzbd`` (the last line is shown) or ``nzbget`` (``[INFO] ...`` lines).
    """

    __slots__ = ("name", "parse", "arity", "blocking", "codes", "style")

    def __init__(self, name: str, parse: Parser, *, arity: int | None, blocking: bool,
                 codes: ExitCodes | None = None, style: str = "plain") -> None:
        self.name = name
        self.parse = parse
        self.arity = arity
        self.blocking = blocking
        self.codes = codes or ExitCodes()
        self.style = style


# -- validation ------------------------------------------------------------------------------


def _clean(value: str | None) -> str | None:
    return value if value else None


def component(name: str, what: str) -> str:
    """``name`` as one path component; anything that could leave its folder is refused."""
    if not name or name in (".", "..") or "/" in name or "\0" in name:
        raise HookRefused(f"{what} {printable(name)!s} is not a plain file or folder name")
    return name


def absolute(path: str, what: str) -> str:
    """A client-given path: absolute, without ``..`` (a client never needs it to name a download)."""
    if not path:
        raise HookRefused(f"{what} is empty")
    if "\0" in path or not path.startswith("/"):
        raise HookRefused(f"{what} {printable(path)} is not an absolute path")
    if ".." in path.split("/"):
        raise HookRefused(f"{what} {printable(path)} contains '..'")
    return os.path.normpath(path)


def inside(path: str, folder: str) -> bool:
    folder = os.path.normpath(folder)
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _positive_int(value: str | None) -> int | None:
    text = (value or "").strip()
    if text.isascii() and text.isdigit() and int(text) > 0:
        return int(text)
    return None


def _imdb(value: str | None) -> str | None:
    text = (value or "").strip().lower()
    return text if re.fullmatch(r"tt\d{5,10}", text) else None


def _numbers(value: str | None) -> list[int]:
    numbers = []
    for part in (value or "").split(","):
        number = _positive_int(part)
        if number is not None:
            numbers.append(number)
    return numbers


def _split_labels(value: str | None) -> list[str]:
    return [label.strip() for label in (value or "").split(",") if label.strip()]


def _positional(args: list[str], count: int) -> list[str]:
    """The first ``count`` arguments, missing ones empty (a client may leave trailing ones out)."""
    return [*args[:count], *[""] * (count - len(args[:count]))]


# -- clients ---------------------------------------------------------------------------------


def parse_generic(args: list[str], env: Mapping[str, str]) -> HookJob:
    if not args:
        raise HookUsage("shelver hook generic needs at least one PATH")
    paths = []
    for arg in args:
        if not arg or "\0" in arg:
            raise HookRefused("an empty PATH was given")
        paths.append(os.path.abspath(arg))
    return HookJob("generic", paths, category=_clean(env.get("SHELVER_CATEGORY")))


_INFO_HASH = re.compile(r"[0-9a-fA-F]{40}|-")


def parse_qbittorrent(args: list[str], env: Mapping[str, str]) -> HookJob:
    # "Run external program on torrent finished": shelver hook qbittorrent -- "%F" "%N" "%L"
    # "%G" "%I" "%D" "%R", run without a shell. Recent qBittorrent splits the command line first
    # and substitutes into each argument, so an empty %L or %G arrives as "". Older releases
    # substitute first and split after, which drops empty arguments altogether: the category
    # and tags are then found between the name and the info hash (%I, 40 hex digits or "-").
    if len(args) > 7:
        # Those older releases also turn a name with a double quote into extra arguments: the
        # positions can no longer be trusted.
        raise HookRefused(f"qBittorrent passed {len(args)} arguments where at most 7 were "
                          "expected (a name with a double quote on an older qBittorrent?)")
    content = args[0] if args else ""
    if not content:
        raise HookUsage('qBittorrent passed no content path: the command must start with "%F"')
    name = args[1] if len(args) > 1 else ""
    rest = args[2:]
    hash_at = next((i for i, arg in enumerate(rest) if i <= 2 and _INFO_HASH.fullmatch(arg)), None)
    if hash_at is None:
        category, tags, info_hash, save_path = (_positional(rest, 5)[:4])
    else:
        middle, info_hash = rest[:hash_at], rest[hash_at]
        save_path = rest[hash_at + 1] if len(rest) > hash_at + 1 else ""
        if len(middle) == 2:
            category, tags = middle
        elif len(middle) == 1:  # %L or %G, the other one empty: it may be either
            category = tags = middle[0]
        else:
            category = tags = ""
    path = absolute(content, "the content path (%F)")
    if save_path and not inside(path, absolute(save_path, "the save path (%D)")):
        raise HookRefused(f"the content path {printable(path)} is not inside the save path "
                          f"{printable(save_path)}: the arguments look shifted")
    return HookJob("qbittorrent", [path], name=_clean(name),
                   category=_clean(category), labels=_split_labels(tags),
                   download_id=_clean(info_hash) if info_hash != "-" else None)


def parse_transmission(args: list[str], env: Mapping[str, str]) -> HookJob:
    # script-torrent-done-filename: no arguments, TR_* environment.
    directory = env.get("TR_TORRENT_DIR", "")
    name = env.get("TR_TORRENT_NAME", "")
    if not directory and not name:
        raise HookUsage("TR_TORRENT_DIR and TR_TORRENT_NAME are not set: is this Transmission's "
                        "script-torrent-done-filename?")
    path = os.path.join(absolute(directory, "TR_TORRENT_DIR"), component(name, "TR_TORRENT_NAME"))
    return HookJob("transmission", [path], name=name,
                   labels=_split_labels(env.get("TR_TORRENT_LABELS")),
                   download_id=_clean(env.get("TR_TORRENT_HASH")))


def parse_deluge(args: list[str], env: Mapping[str, str]) -> HookJob:
    # Execute plugin, "Torrent Complete": the script gets torrent_id torrent_name save_path.
    if len(args) < 3:
        raise HookUsage("Deluge's Execute plugin passes torrent id, name and save path: "
                        f"got {len(args)} argument(s)")
    torrent_id, name, save_path = args[:3]
    path = os.path.join(absolute(save_path, "the save path"), component(name, "the torrent name"))
    return HookJob("deluge", [path], name=name, download_id=_clean(torrent_id))


def parse_rtorrent(args: list[str], env: Mapping[str, str]) -> HookJob:
    # execute.throw.bg=shelver,hook,rtorrent,--,$d.base_path=,$d.name=,$d.custom1=,$d.hash=,$d.directory=
    base_path, name, label, info_hash, directory = _positional(args, 5)
    if base_path:
        path = absolute(base_path, "$d.base_path")
    elif directory and name:  # base_path is empty when the torrent is closed
        folder = absolute(directory, "$d.directory")
        path = folder if os.path.basename(folder) == name else os.path.join(
            folder, component(name, "$d.name"))
    else:
        raise HookUsage("rTorrent passed no path: the command needs $d.base_path=")
    # ruTorrent keeps its label URL-encoded in d.custom1.
    return HookJob("rtorrent", [path], name=_clean(name),
                   category=_clean(unquote(label)), download_id=_clean(info_hash))


def parse_sabnzbd(args: list[str], env: Mapping[str, str]) -> HookJob:
    # A post-processing script: 8 arguments (final folder, NZB name, clean name, report number,
    # category, group, status, failure URL) and the same in SAB_* variables; these win.
    final_dir, nzb_name, clean_name, _report, category, _group, status, _url = _positional(args, 8)
    final_dir = env.get("SAB_COMPLETE_DIR") or final_dir
    status = env.get("SAB_PP_STATUS", status)
    name = env.get("SAB_FINAL_NAME") or clean_name or nzb_name
    job = HookJob("sabnzbd", name=_clean(name),
                  category=_clean(env.get("SAB_CAT") or category),
                  download_id=_clean(env.get("SAB_NZO_ID")))
    if status.strip() not in ("", "0"):
        fail = env.get("SAB_FAIL_MSG") or f"status {status}"
        job.skip = f"the download failed ({printable(fail)}): nothing to organise"
        return job
    if not final_dir:
        raise HookUsage("SAB_COMPLETE_DIR is not set and no folder was given: is this SABnzbd's "
                        "post-processing script?")
    job.paths = [absolute(final_dir, "the job folder (SAB_COMPLETE_DIR)")]
    return job


def parse_nzbget(args: list[str], env: Mapping[str, str]) -> HookJob:
    job = HookJob("nzbget", name=_clean(env.get("NZBPP_NZBNAME")),
                  category=_clean(env.get("NZBPP_CATEGORY")),
                  download_id=_clean(env.get("NZBPP_NZBID")))
    if env.get("NZBCP_COMMAND"):  # a button on the extension's settings page
        job.skip = f"command {printable(env['NZBCP_COMMAND'])}: shelver is reachable"
        job.test = True
        return job
    directory = env.get("NZBPP_FINALDIR") or env.get("NZBPP_DIRECTORY", "")
    if "NZBPP_DIRECTORY" not in env:
        raise HookUsage("NZBPP_DIRECTORY is not set: is this NZBGet's post-processing extension?")
    total = env.get("NZBPP_TOTALSTATUS")
    if total is None:  # NZBGet before v13: par and unpack results only
        failed = env.get("NZBPP_PARSTATUS") == "1" or env.get("NZBPP_UNPACKSTATUS") == "1"
        total = "FAILURE" if failed else "SUCCESS"
    if total != "SUCCESS":
        status = env.get("NZBPP_STATUS") or total
        job.skip = f"the download's status is {printable(status)}: nothing to organise"
        return job
    job.paths = [absolute(directory, "NZBPP_DIRECTORY")]
    return job


def _arr(app: str, env: Mapping[str, str]) -> HookJob:
    event = env.get(f"{app}_eventtype", "")
    job = HookJob(app, category=app)
    if not event:
        raise HookUsage(f"{app}_eventtype is not set: is this {app.title()}'s Custom Script "
                        "connection?")
    if event == "Test":
        job.skip = f"{app.title()} test event: shelver is reachable"
        job.test = True
        return job
    if event != "Download":
        job.skip = f"{app.title()} event {printable(event)}: nothing to do"
        return job
    if app == "radarr":
        path = env.get("radarr_moviefile_path", "")
        job.name = job.title = _clean(env.get("radarr_movie_title"))
        job.year = _positive_int(env.get("radarr_movie_year"))
        job.kind = "movie"
        ids = {"tmdb": _positive_int(env.get("radarr_movie_tmdbid")),
               "imdb": _imdb(env.get("radarr_movie_imdbid"))}
        job.download_id = _clean(env.get("radarr_download_id"))
    else:
        path = env.get("sonarr_episodefile_path", "")
        job.name = job.title = _clean(env.get("sonarr_series_title"))
        job.year = _positive_int(env.get("sonarr_series_year"))
        job.kind = "episode"
        ids = {"tmdb": _positive_int(env.get("sonarr_series_tmdbid")),
               "tvdb": _positive_int(env.get("sonarr_series_tvdbid")),
               "imdb": _imdb(env.get("sonarr_series_imdbid"))}
        season = (env.get("sonarr_episodefile_seasonnumber") or "").strip()
        job.season = int(season) if season.isascii() and season.isdigit() else None
        job.episodes = _numbers(env.get("sonarr_episodefile_episodenumbers"))
        job.download_id = _clean(env.get("sonarr_download_id"))
    job.ids = {key: value for key, value in ids.items() if value}
    if not path:
        raise HookUsage(f"{app}_eventtype is Download but the file path is not set")
    job.paths = [absolute(path, f"the {app.title()} file path")]
    return job


def parse_radarr(args: list[str], env: Mapping[str, str]) -> HookJob:
    return _arr("radarr", env)


def parse_sonarr(args: list[str], env: Mapping[str, str]) -> HookJob:
    return _arr("sonarr", env)


CLIENTS: dict[str, Client] = {
    client.name: client for client in (
        Client("generic", parse_generic, arity=None, blocking=False),
        Client("qbittorrent", parse_qbittorrent, arity=7, blocking=False),
        Client("transmission", parse_transmission, arity=0, blocking=False),
        Client("deluge", parse_deluge, arity=3, blocking=False),
        Client("rtorrent", parse_rtorrent, arity=5, blocking=False),
        Client("sabnzbd", parse_sabnzbd, arity=8, blocking=True, style="sabnzbd"),
        Client("nzbget", parse_nzbget, arity=0, blocking=True, codes=NZBGET_CODES, style="nzbget"),
        Client("radarr", parse_radarr, arity=0, blocking=True),
        Client("sonarr", parse_sonarr, arity=0, blocking=True),
    )
}


# -- routing by category -----------------------------------------------------------------------


class Route:
    """Where a job goes: ``profile`` None means the profile the hook was called with."""

    __slots__ = ("profile", "key", "ignored")

    def __init__(self, profile: str | None, key: str | None = None, ignored: bool = False) -> None:
        self.profile = profile
        self.key = key
        self.ignored = ignored


def route(categories: Mapping[str, str], job: HookJob) -> Route:
    """The profile for a job from ``hook.categories``.

    An empty table takes every download. Otherwise the job's category, then each of its labels
    or tags, is looked up (case-insensitively); ``""`` matches a download without any, ``"*"``
    any other; a download that matches nothing is ignored.
    """
    if not categories:
        return Route(None)
    table = {str(key).casefold(): (str(key), str(value)) for key, value in categories.items()}
    wanted = [c for c in (job.category, *job.labels) if c]
    for candidate in wanted:
        found = table.get(candidate.casefold())
        if found is not None:
            return Route(found[1], found[0])
    if not wanted and "" in table:
        return Route(table[""][1], "")
    if "*" in table:
        return Route(table["*"][1], "*")
    return Route(None, None, ignored=True)


def parse(client_name: str, args: list[str], env: Mapping[str, str]) -> tuple[Client, HookJob]:
    """The client and the job its invocation describes; HookUsage/HookRefused on bad input."""
    client = CLIENTS.get(client_name)
    if client is None:
        raise HookUsage(f"unknown client {printable(client_name)!s} "
                        f"(known: {', '.join(sorted(CLIENTS))})")
    return client, client.parse(list(args), env)
