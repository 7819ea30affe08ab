"""``shelver hook``'s fast path: parse what the client passed, write a durable job, return.

Called by downloaders for every finished download, so it imports neither click's command tree
nor sqlite-utils, trio or any plugin: the profile is read with ``tomllib``, the job is written
with plain ``sqlite3`` in one short transaction (``synchronous=FULL``: the job survives a power
cut once the hook has returned). When a daemon of the profile is alive (a recent heartbeat in the
state DB and a live pid) that is all; otherwise the download is processed right here
(:mod:`shelver.intake.inline`, which imports the engine only then).

Options go before the client's arguments (``shelver hook -p PROFILE CLIENT -- ARGS...``):
whatever follows the client name and its leading options is the client's, verbatim, so a
torrent called ``--enqueue-only`` or ``-p`` is a name, not an option.

Longer than ~400 lines on purpose: everything the hook does before it hands a download over
(options, profile and route, the filters, the durable enqueue, the client's reporter) must live in
modules that import only the standard library, and each module more is paid for on every download.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from shelver.discovery import SYMLINKS, VIDEO_EXTENSIONS, Filters, walk
from shelver.discovery import valid_name as valid_utf8
from shelver.intake.clients import (
    CLIENTS,
    Client,
    HookJob,
    HookRefused,
    HookUsage,
    parse,
    printable,
    route,
)
from shelver.paths import data_home, read_profile_file

# The core migration that added items.given_ids: a DB without it is set up by the full StateDB.
GIVEN_IDS_MIGRATION = "core-hooks-001-given-ids"
# Every core migration of this version (shelver.store.MIGRATIONS, not imported: sqlite-utils is
# slow to import; tests/test_state.py keeps the two equal). A DB with another core migration was
# written by a newer shelver and is refused, as the full StateDB refuses it.
CORE_MIGRATIONS = frozenset({
    "core-001-create_items", "core-002-create_queue", "core-003-create_runs",
    "core-004-create_journal", "core-005-create_instances", "core-006-add_journal_owner",
    "core-007-add_journal_detail", "core-008-create_journal_blobs", GIVEN_IDS_MIGRATION,
    "core-events-001-create", "core-m009_provider_identity", "core-m010_match_threshold",
    "core-m011_deliveries",
    "core-m012_run_controls", "core-m013_review_note_and_item_events",
    "core-m014_scan_folders",
    "core-m015_huge_tree_indexes",
})
PRIORITY_CRITICAL = 50  # shelver.model.Priority.CRITICAL (not imported: it pulls in nothing
PROCESSING = "PROCESSING"  # heavy, but the fast path keeps its imports to the strict minimum)

USAGE = """\
usage: shelver hook [-p PROFILE] [--enqueue-only] CLIENT [--] [ARGS...]

CLIENT is one of: {clients}.
Options go before the client's arguments; docs/downloaders.md has each client's exact setting.

  -p, --profile PROFILE  profile name or path (else $SHELVER_PROFILE, else 'default')
  --enqueue-only         only queue the job; a `shelver watch` daemon does the work
  -h, --help             this help
""".format(clients=", ".join(sorted(CLIENTS)))


# -- output, in each client's protocol -------------------------------------------------------


class Reporter:
    """Lines for the client's log. Every line is made printable first (a name with a newline
    must not forge a line: NZBGet reads ``[NZB] ...`` lines as commands, SABnzbd shows the last
    line in its History).

    ``plain``: messages on stdout, problems on stderr. ``sabnzbd``: everything on stdout, the
    summary last. ``nzbget``: stdout lines prefixed ``[INFO]`` / ``[WARNING]`` / ``[ERROR]``.
    """

    def __init__(self, style: str, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.style = style
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def _write(self, level: str, text: str) -> None:
        line = printable(text)
        if self.style == "nzbget":
            self.out.write(f"[{level}] {line}\n")
        elif self.style == "sabnzbd" or level == "INFO":
            self.out.write(line + "\n")
        else:
            self.err.write(f"shelver: {level.lower()}: {line}\n")

    def info(self, text: str) -> None:
        self._write("INFO", text)

    def warning(self, text: str) -> None:
        self._write("WARNING", text)

    def error(self, text: str) -> None:
        self._write("ERROR", text)

    def summary(self, text: str, *, failed: bool = False) -> None:
        """The last line (SABnzbd shows it in History): flushed after everything else."""
        self.err.flush()
        if self.style == "plain":
            (self.err if failed else self.out).write(printable(text) + "\n")
        else:
            self._write("ERROR" if failed else "INFO", text)
        self.out.flush()


# -- the command line ------------------------------------------------------------------------


class Invocation:
    """What ``shelver hook ...`` was asked (a plain class: dataclasses cost start-up time)."""

    def __init__(self, verbosity: int = 0) -> None:
        self.client = ""
        self.args: list[str] = []
        self.profile: str | None = None
        self.enqueue_only = False
        self.verbosity = verbosity
        self.help = False


def _take_option(argv: list[str], index: int, inv: Invocation) -> int | None:
    """Consume the option at ``argv[index]``; the next index, or None when it is no option."""
    token = argv[index]
    if token in ("-p", "--profile"):
        if index + 1 >= len(argv):
            raise HookUsage(f"{token} needs a PROFILE")
        inv.profile = argv[index + 1]
        return index + 2
    if token.startswith("--profile="):
        inv.profile = token.split("=", 1)[1]
        return index + 1
    if token == "--enqueue-only":
        inv.enqueue_only = True
        return index + 1
    if token in ("-h", "--help"):
        inv.help = True
        return index + 1
    if token in ("-v", "-vv", "-vvv", "--verbose"):
        inv.verbosity += 1 if token == "--verbose" else len(token) - 1
        return index + 1
    if token in ("-q", "--quiet"):
        inv.verbosity = -1
        return index + 1
    return None


def parse_invocation(argv: list[str], verbosity: int = 0) -> Invocation:
    """Options, the client name, and the client's own arguments (verbatim).

    Options are read before the client name and right after it; then come the client's
    positional arguments (after an optional ``--``), as many as the client passes. Only after
    those (or anywhere but after ``--`` for ``generic``, whose paths the user types) may more
    options follow, so a hostile name in a client's slot is never read as an option.
    """
    inv = Invocation(verbosity)
    index = 0
    while index < len(argv) and not inv.client:
        following = _take_option(argv, index, inv)
        if following is not None:
            index = following
        elif argv[index] == "--" or argv[index].startswith("-"):
            raise HookUsage(f"unknown option {printable(argv[index])!s} before the client name")
        else:
            inv.client, index = argv[index], index + 1
    if inv.help or not inv.client:
        if not inv.help:
            raise HookUsage("which client? (shelver hook CLIENT ...)")
        return inv
    while index < len(argv):  # options right after the client name
        following = _take_option(argv, index, inv)
        if following is None:
            break
        index = following
    separated = index < len(argv) and argv[index] == "--"
    if separated:
        index += 1
    client = CLIENTS.get(inv.client)
    rest = argv[index:]
    if client is not None and client.arity is None and not separated:
        # generic: the user's own paths; options may come anywhere (`hook generic P -p X`).
        position = 0
        while position < len(rest):
            following = _take_option(rest, position, inv)
            if following is None:
                inv.args.append(rest[position])
                position += 1
            else:
                position = following
        return inv
    arity = len(rest) if client is None or client.arity is None else client.arity
    inv.args = rest[:arity]
    position = arity
    while position < len(rest):  # after the client's slots: options, or shifted arguments
        following = _take_option(rest, position, inv) if rest[position] != "--" else position + 1
        if following is None:
            inv.args.append(rest[position])  # the client's parser decides (qBittorrent refuses)
            position += 1
        else:
            position = following
    return inv


# -- profiles, read lightly ------------------------------------------------------------------


class HookProfile:
    """The few settings the fast path needs (the engine validates the whole profile)."""

    def __init__(self, name: str, path: Path | None, state_db: Path, categories: dict[str, str],
                 filters: dict[str, Any], heartbeat_seconds: float,
                 symlinks: str = "skip") -> None:
        self.name = name
        self.path = path
        self.state_db = state_db
        self.categories = categories
        self.filters = filters
        self.heartbeat_seconds = heartbeat_seconds
        self.symlinks = symlinks  # placement.symlinks


FILTER_DEFAULTS: dict[str, Any] = {"extensions": VIDEO_EXTENSIONS, "min_size_mb": 50.0, "ignore": []}


def read_profile(name: str | None, *, near: Path | None = None) -> HookProfile:
    """Read a profile the way ``shelver.profiles`` resolves it (ConfigError when it is broken).

    ``near``: a folder to look in first (the profile that routes to this one by category).
    """
    from shelver.errors import ConfigError

    path = None
    if name and near is not None:
        for candidate in (near / name, near / f"{name}.toml"):
            if candidate.is_file():
                path = candidate.resolve()
                break
    path, raw = read_profile_file(name, path)
    where = str(path) if path else "the built-in default profile"
    base = path.parent if path else Path.cwd()

    def absolute(value: str) -> Path:  # as shelver.profiles.validate resolves paths
        expanded = Path(os.path.expandvars(value)).expanduser()
        return expanded if expanded.is_absolute() else (base / expanded).resolve()

    hook = raw.get("hook") or {}
    categories = hook.get("categories") if isinstance(hook, dict) else None
    if categories is None:
        categories = {}
    if not isinstance(categories, dict) or not all(isinstance(v, str) for v in categories.values()):
        raise ConfigError(f'hook.categories must be a table of category = "profile" ({where})')
    filters = {**FILTER_DEFAULTS, **(raw.get("filters") or {})}
    try:
        filters["extensions"] = [e.lower() if e.startswith(".") else f".{e.lower()}"
                                 for e in filters["extensions"]]
        filters["min_size_mb"] = float(filters["min_size_mb"])
    except (AttributeError, TypeError, ValueError):
        raise ConfigError(f"filters.extensions / filters.min_size_mb are not valid ({where})") from None
    state_db = raw.get("state_db")
    watch = raw.get("watch") or {}
    placement = raw.get("placement") or {}
    symlinks = placement.get("symlinks", "skip") if isinstance(placement, dict) else "skip"
    if symlinks not in SYMLINKS:
        raise ConfigError(f"placement.symlinks must be one of {', '.join(SYMLINKS)}, not "
                          f"{symlinks!r} ({where})")
    return HookProfile(
        name=str(raw.get("name") or (path.stem if path else name or "default")),
        path=path,
        state_db=absolute(state_db) if isinstance(state_db, str) and state_db else
        data_home() / "state.db",
        categories=dict(categories),
        filters=filters,
        heartbeat_seconds=float(watch.get("heartbeat_seconds", 10.0)),
        symlinks=symlinks,
    )


# -- finding the files -----------------------------------------------------------------------


class Discovered:
    """The download's videos, the folder each was found in, and what was refused (messages)."""

    def __init__(self) -> None:
        self.files: list[tuple[str, int, float, int]] = []  # path, size, mtime, inode
        self.roots: dict[str, str] = {}
        self.refused: list[str] = []
        self.skipped: list[str] = []  # symbolic links (placement.symlinks)


def discover(job: HookJob, profile: HookProfile) -> Discovered:
    """The videos of the download, by the profile's filters; names that cannot be handled
    safely (not UTF-8, too long, gone) are refused with a message, never guessed at."""
    filters = Filters(profile.filters, symlinks=profile.symlinks)
    found = Discovered()
    for path in job.paths:
        try:
            os.stat(path)
        except OSError as exc:
            found.refused.append(f"{printable(path)}: {exc.strerror or exc}")
            continue
        if not valid_utf8(path):
            found.refused.append(f"{printable(path)}: the name is not valid UTF-8; rename it")
            continue
        is_dir = os.path.isdir(path)
        for _directory, files in walk(path, filters):
            for file in files:
                if not valid_utf8(file.path):
                    found.refused.append(
                        f"{printable(file.path)}: the name is not valid UTF-8; rename it")
                elif file.video:
                    found.files.append((file.path, file.size, file.mtime, file.inode))
                    if is_dir:
                        found.roots[file.path] = path
                elif file.link:
                    found.skipped.append(f"{printable(file.path)}: {printable(str(file.reason))}")
    return found


# -- the durable job -------------------------------------------------------------------------


def connect(state_db: Path) -> sqlite3.Connection:
    """The state DB, set up by the full StateDB the first time (migrations need sqlite-utils)."""
    state_db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(state_db, timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=30000")
    try:
        ready = conn.execute("SELECT 1 FROM _shelver_migrations WHERE name=?",
                             (GIVEN_IDS_MIGRATION,)).fetchone() is not None
    except sqlite3.OperationalError:
        ready = False
    if ready:
        newer = [row[0] for row in conn.execute(
            "SELECT name FROM _shelver_migrations WHERE name LIKE 'core-%'")
            if row[0] not in CORE_MIGRATIONS]
        if newer:
            conn.close()
            from shelver.errors import StateDBError, newer_db_message

            raise StateDBError(newer_db_message(state_db, newer))
    if not ready:
        conn.close()
        from shelver.store import StateDB

        StateDB(state_db).close()
        conn = sqlite3.connect(state_db, timeout=30, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA journal_mode=WAL")
    # FULL: the commit is on disk when the hook returns, even in WAL mode.
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def enqueue(conn: sqlite3.Connection, files: list[tuple[str, int, float, int]], profile: str,
            given: dict[str, Any] | None, command: str) -> tuple[list[int], list[str]]:
    """Record the files and queue them at CRITICAL for ``profile``, in one transaction.

    The same rules as ``StateDB.observe(force=True)``: a new file is NEW, one whose size, mtime
    or inode changed is CHANGED (a MISSING one NEW again), one a worker holds is left to it.
    The queue row is (re)assigned to ``profile``: the hook's routing is explicit.
    Returns the queued item ids and the paths held by a worker.
    """
    now = time.time()
    queued: list[int] = []
    busy: list[str] = []
    given_json = json.dumps(given, sort_keys=True) if given else None
    conn.execute("BEGIN IMMEDIATE")
    try:
        for path, size, mtime, inode in files:
            row = conn.execute("SELECT id, size, mtime, inode, state FROM items WHERE path=?",
                               (path,)).fetchone()
            if row is None:
                cursor = conn.execute(
                    "INSERT INTO items (path, dir, source_path, profile, size, mtime, inode, state,"
                    " first_seen, updated_at, error_count, given_ids)"
                    " VALUES (?,?,?,?,?,?,?,'NEW',?,?,0,?)",
                    (path, os.path.dirname(path), path, profile, size, mtime, inode, now, now,
                     given_json))
                item_id = int(cursor.lastrowid or 0)
            else:
                item_id, state = row[0], row[4]
                if state == PROCESSING:
                    busy.append(path)
                    continue
                changed = (row[1], row[2], row[3]) != (size, mtime, inode)
                new_state = "NEW" if state == "MISSING" else "CHANGED" if changed else state
                conn.execute(
                    "UPDATE items SET state=?, size=?, mtime=?, inode=?, updated_at=?,"
                    " given_ids=coalesce(?, given_ids) WHERE id=? AND state=?",
                    (new_state, size, mtime, inode, now, given_json, item_id, state))
            conn.execute(
                "INSERT INTO queue (item_id, profile, priority, enqueued_at, not_before, run_id,"
                " reason) VALUES (?,?,?,?,0,NULL,'hook') ON CONFLICT(item_id) DO UPDATE SET"
                " profile=excluded.profile, priority=max(priority, excluded.priority),"
                " not_before=0",
                (item_id, profile, PRIORITY_CRITICAL, now))
            queued.append(item_id)
        conn.execute(
            "INSERT INTO runs (profile, command, mode, host, pid, started_at, ended_at, status,"
            " counts) VALUES (?,?,NULL,?,?,?,?,'queued',?)",
            (profile, command, hostname(), os.getpid(), now, now,
             json.dumps({"queued": len(queued)})))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return queued, busy


def hostname() -> str:
    """``socket.gethostname()`` without importing socket (the same value: the node name)."""
    return os.uname().nodename


def _pid_alive(host: str, pid: int) -> bool:
    # As shelver.store.pid_alive (not imported: shelver.store pulls in sqlite-utils).
    if host != hostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


def daemon_alive(conn: sqlite3.Connection, profile: HookProfile) -> int | None:
    """The pid of a live daemon of ``profile``: a heartbeat within 3 intervals and its pid."""
    row = conn.execute("SELECT host, pid, heartbeat_at FROM instances WHERE profile=?",
                       (profile.name,)).fetchone()
    if row is None or time.time() - row[2] > 3 * profile.heartbeat_seconds:
        return None
    return int(row[1]) if _pid_alive(row[0], row[1]) else None


# -- the hook --------------------------------------------------------------------------------


def hook_main(argv: list[str], *, verbosity: int = 0,
              environ: Mapping[str, str] | None = None) -> int:
    """``shelver hook ...``: returns the exit status the client expects."""
    env = os.environ if environ is None else environ
    try:
        inv = parse_invocation(argv, verbosity)
    except HookUsage as exc:
        sys.stderr.write(f"shelver hook: {printable(str(exc))}\n{USAGE}")
        return 2
    if inv.help:
        sys.stdout.write(USAGE)
        return 0
    client_spec = CLIENTS.get(inv.client)
    report = Reporter(client_spec.style if client_spec else "plain")
    try:
        client, job = parse(inv.client, inv.args, env)
    except HookUsage as exc:
        report.summary(f"shelver: {exc}", failed=True)
        return client_spec.codes.usage if client_spec else 2
    except HookRefused as exc:
        report.summary(f"shelver: refused: {exc}", failed=True)
        return client_spec.codes.failure if client_spec else 1
    if job.skip:
        report.summary(f"shelver: {job.skip}")
        return int(client.codes.success if job.test else client.codes.nothing)
    return _run_job(client, job, inv, env, report)


def _run_job(client: Client, job: HookJob, inv: Invocation, env: Mapping[str, str],
             report: Reporter) -> int:
    from shelver.errors import ConfigError

    # NZBPO_PROFILE: the "Profile" option of shelver's NZBGet extension.
    profile_name = inv.profile or env.get("SHELVER_PROFILE") or env.get("NZBPO_PROFILE") or None
    try:
        entry = read_profile(profile_name)
        chosen = route(entry.categories, job)
        if chosen.ignored:
            what = ", ".join(repr(c) for c in (job.category, *job.labels) if c) or "no category"
            report.summary(f"shelver: {printable(what)} is not in hook.categories of profile "
                           f"{entry.name}: ignored")
            return int(client.codes.nothing)
        target = entry if chosen.profile is None else read_profile(
            chosen.profile, near=entry.path.parent if entry.path else None)
    except ConfigError as exc:
        report.summary(f"shelver: {exc}", failed=True)
        return int(client.codes.usage)
    found = discover(job, target)
    for message in found.refused:
        report.error(f"refused: {message}")
    for message in found.skipped:
        report.warning(f"skipped {message}")
    if not found.files:
        if found.refused:
            report.summary(f"shelver: nothing organised: {len(found.refused)} refused", failed=True)
            return int(client.codes.failure)
        where = ", ".join(printable(p) for p in job.paths)
        report.summary(f"shelver: no video to organise in {where}")
        return int(client.codes.nothing)
    try:
        conn = connect(target.state_db)
        try:
            queued, busy = enqueue(conn, found.files, target.name, job.given(),
                                   f"hook {client.name}")
            daemon = daemon_alive(conn, target)
        finally:
            conn.close()
    except ConfigError as exc:  # the full StateDB refused it (corrupt, read-only, newer)
        report.summary(f"shelver: error: {exc}", failed=True)
        return int(client.codes.usage)
    except (OSError, sqlite3.Error) as exc:  # a corrupt or read-only file, full disk...
        from shelver.store import describe_db_error

        # A corrupt or read-only DB is the user's to fix (exit as for a configuration error);
        # a full disk or a lock held too long may pass by itself.
        broken = isinstance(exc, sqlite3.DatabaseError) and (
            not isinstance(exc, sqlite3.OperationalError) or "readonly" in str(exc))
        report.summary(f"shelver: error: {describe_db_error(target.state_db, exc)}", failed=True)
        return int(client.codes.usage if broken else client.codes.failure)
    for path in busy:
        report.info(f"already being processed: {printable(path)}")
    failed = bool(found.refused)
    if daemon is not None or inv.enqueue_only:
        by = f"the daemon (pid {daemon})" if daemon is not None else "a daemon"
        report.summary(f"shelver: queued {len(queued)} file(s) for profile {target.name}; "
                       f"{by} organises them" + (f"; {len(found.refused)} refused" if failed else ""),
                       failed=failed)
        return int(client.codes.failure if failed else client.codes.success)
    from shelver.intake.inline import process_inline

    return int(process_inline(client, target, [f[0] for f in found.files], found.roots, report,
                              verbosity=inv.verbosity, refused=len(found.refused)))
