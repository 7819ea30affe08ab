"""The state DB's core migrations, each under a name of its own (docs/operations.md, "Migrations").

``MIGRATIONS`` lists them in the order they run; :class:`shelver.store.StateDB` runs the ones a DB
has not seen whenever it is opened. Plugins add theirs through ``shelver_register_migrations``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, overload

from shelver.model import LEGACY_PROVIDER

if TYPE_CHECKING:
    import sqlite_utils

# sqlite-utils is imported only when a migration runs (StoreBase.db): it is slow to import.
Migration = Callable[["sqlite_utils.Database"], None]

MIGRATIONS: list[tuple[str, Migration]] = []


@overload
def migration(arg: Migration, /) -> Migration: ...
@overload
def migration(arg: str, /) -> Callable[[Migration], Migration]: ...
def migration(arg: Migration | str, /) -> Migration | Callable[[Migration], Migration]:
    """Register a core migration under a name of its own, never its position in the list
    (docs/operations.md, "Migrations"): ``@migration`` names it ``core-<function name>`` (name
    new ones ``m009_events``-style), ``@migration("core-001-create_items")`` gives the name
    literally. The first releases recorded their migrations by position: those names are frozen
    here as literals, so a DB made by them opens with nothing re-applied, and inserting or
    reordering a migration can never rename another."""

    def register(fn: Migration, name: str) -> Migration:
        if not name.startswith("core-"):  # the newer-DB check counts only core- names
            raise ValueError(f"core migration {name!r}: its name must start with 'core-'")
        if any(name == known for known, _fn in MIGRATIONS):
            raise ValueError(f"core migration {name!r} is registered twice")
        MIGRATIONS.append((name, fn))
        return fn

    if isinstance(arg, str):
        return lambda fn: register(fn, arg)
    return register(arg, f"core-{arg.__name__}")


@migration("core-001-create_items")
def create_items(db: sqlite_utils.Database) -> None:
    db.table("items").create(
        {
            "id": int,
            "path": str,  # where the file is now
            "dir": str,  # its directory, so a scan reads one directory's rows at a time
            "source_path": str,  # where it was first found
            "profile": str,
            "size": int,
            "mtime": float,
            "inode": int,
            "state": str,
            "status": str,  # last reported outcome (organised, review, ...)
            "kind": str,  # movie / episode / extra
            "mode": str,
            "tmdb_type": str,
            "tmdb_id": int,
            "season": int,
            "episodes": str,  # JSON list
            "forced_identity": str,  # JSON, set by `shelver review`
            "confidence": float,
            "candidates": str,  # JSON
            "parsed": str,  # JSON
            "probe": str,  # JSON
            "fingerprint": str,  # JSON
            "phash": str,
            "destination": str,
            "release_date": str,
            "first_seen": float,
            "updated_at": float,
            "indexed_at": float,
            "refreshed_at": float,
            "error_count": int,
            "last_error": str,
            "next_retry": float,
            "owner": str,
            "run_id": int,
            "durations": str,  # JSON {phase: seconds}
        },
        pk="id",
        not_null={"path", "state"},
        defaults={"error_count": 0},
    )
    db.table("items").create_index(["path"], unique=True)
    db.table("items").create_index(["dir"])
    db.table("items").create_index(["state"])
    db.table("items").create_index(["tmdb_type", "tmdb_id"])


@migration("core-002-create_queue")
def create_queue(db: sqlite_utils.Database) -> None:
    db.table("queue").create(
        {
            "item_id": int,
            "profile": str,
            "priority": int,
            "enqueued_at": float,
            "not_before": float,
            "run_id": int,  # a one-shot run takes only its own items; NULL = any worker
            "reason": str,
        },
        pk="item_id",
    )
    db.table("queue").create_index(["profile", "priority", "enqueued_at"])


@migration("core-003-create_runs")
def create_runs(db: sqlite_utils.Database) -> None:
    db.table("runs").create(
        {
            "id": int,
            "profile": str,
            "command": str,
            "mode": str,
            "host": str,
            "pid": int,
            "started_at": float,
            "ended_at": float,
            "status": str,
            "counts": str,
        },
        pk="id",
    )


@migration("core-004-create_journal")
def create_journal(db: sqlite_utils.Database) -> None:
    db.table("journal").create(
        {
            "id": int,
            "run_id": int,
            "item_id": int,
            "op": str,  # move, copy, hardlink, symlink, write
            "src": str,
            "dst": str,
            "tmp": str,
            "step": str,  # planned, copied, placed, done, rolled-back, undone
            "size": int,
            "created_at": float,
            "updated_at": float,
        },
        pk="id",
    )
    db.table("journal").create_index(["run_id"])
    db.table("journal").create_index(["step"])


@migration("core-005-create_instances")
def create_instances(db: sqlite_utils.Database) -> None:
    db.table("instances").create(
        {"profile": str, "host": str, "pid": int, "started_at": float, "heartbeat_at": float},
        pk="profile",
    )


@migration("core-006-add_journal_owner")
def add_journal_owner(db: sqlite_utils.Database) -> None:
    # Which process (host:pid) is placing: recovery must leave a live process's placements alone.
    db.table("journal").add_column("owner", str)


@migration("core-007-add_journal_detail")
def add_journal_detail(db: sqlite_utils.Database) -> None:
    # parent: the staged placement (cache mode) a move out of the cache belongs to; detail: JSON
    # a multi-step placement needs to finish after a crash; dst_size/dst_mtime: the placed file
    # as the run left it, so `shelver undo` can refuse a file changed since. Idempotent: written
    # when core migrations were named by position, and one could be re-applied under a new name.
    have = set(db.table("journal").columns_dict)
    for name, kind in (("parent", int), ("detail", str), ("dst_size", int), ("dst_mtime", float)):
        if name not in have:
            db.table("journal").add_column(name, kind)
    db.table("journal").create_index(["parent"], if_not_exists=True)
    db.table("journal").create_index(["dst"], if_not_exists=True)
    db.table("journal").create_index(["item_id"], if_not_exists=True)


@migration("core-008-create_journal_blobs")
def create_journal_blobs(db: sqlite_utils.Database) -> None:
    # Bytes a journal row needs that do not belong in its JSON detail (the metadata a tagged
    # MP4 had before, so `shelver undo` can give the original back).
    db.table("journal_blobs").create({"entry_id": int, "data": bytes}, pk="entry_id",
                                     if_not_exists=True)


# -- downloader-given ids (``shelver hook radarr`` / ``sonarr``) ------------------------------
# What a downloader knows about a file ({"ids": {"tmdb": 603}, "kind": "movie", ...}, see
# shelver.intake.clients.HookJob.given), read by the engine so the matcher uses those ids instead of
# searching. The hook's fast path checks for this name.


@migration("core-hooks-001-given-ids")
def add_item_given_ids(db: sqlite_utils.Database) -> None:
    db.table("items").add_column("given_ids", str)


# -- events (docs/operations.md, "Events"; written and read by shelver.store.events) ---------------
# AUTOINCREMENT: an id is never reused, even after the newest rows were pruned, so a reader
# resuming from the last id it saw can never be handed an older event under a reused id.


@migration("core-events-001-create")
def create_events(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT,"
               " ts FLOAT NOT NULL, run_id INTEGER, item_id INTEGER, kind TEXT NOT NULL,"
               " payload TEXT)")
    db.execute("CREATE INDEX IF NOT EXISTS events_run_kind ON events (run_id, kind)")


@migration
def m009_provider_identity(db: sqlite_utils.Database) -> None:
    # An item's identity, provider-neutral (docs/architecture.md, "The store"): ``provider`` (the
    # provider plugin's name), ``ident_kind`` ("movie" or "tv"; ``kind`` already names what the
    # file is: movie, episode or extra) and ``ident`` (the id at that provider, as text). Every
    # identity recorded so far came from the first provider: converted here. The old columns stay
    # in the table (SQLite keeps dropped columns' data anyway), unread and unwritten from now on.
    have = set(db.table("items").columns_dict)
    for name in ("provider", "ident_kind", "ident"):
        if name not in have:
            db.table("items").add_column(name, str)
    old_kind, old_id = "tmdb_type", "tmdb_id"  # create_items' columns
    db.execute(f"UPDATE items SET provider=?, ident_kind={old_kind}, ident=CAST({old_id} AS TEXT)"
               f" WHERE {old_id} IS NOT NULL AND provider IS NULL", [LEGACY_PROVIDER])
    db.execute(f"DROP INDEX IF EXISTS idx_items_{old_kind}_{old_id}")
    db.table("items").create_index(["provider", "ident_kind", "ident"], if_not_exists=True)


@migration
def m010_match_threshold(db: sqlite_utils.Database) -> None:
    # The confidence the provider needed (Match.threshold), kept with a REVIEW item beside its
    # candidates: `shelver review --json` and the web UI show what was missing.
    if "threshold" not in db.table("items").columns_dict:
        db.table("items").add_column("threshold", float)


@migration
def m011_deliveries(db: sqlite_utils.Database) -> None:
    # Deliveries to services outside shelver (media-server refreshes, notifications) that failed
    # and wait to be tried again (docs/media-servers.md, "When a server is down"). ``last_error``
    # never holds a secret: it is scrubbed before it is written.
    db.execute("CREATE TABLE IF NOT EXISTS deliveries (id INTEGER PRIMARY KEY AUTOINCREMENT,"
               " profile TEXT NOT NULL, plugin TEXT NOT NULL, target TEXT NOT NULL,"
               " label TEXT NOT NULL, payload TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
               " first_at FLOAT NOT NULL, next_at FLOAT NOT NULL, last_error TEXT,"
               " waiting INTEGER NOT NULL DEFAULT 0)")
    db.execute("CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (profile, next_at)")


@migration
def m012_run_controls(db: sqlite_utils.Database) -> None:
    # A request to stop a run (docs/web.md, "Cancel and drain"): written by a front end, polled
    # by the run's engine between items; the engine then stops as on Ctrl-C.
    db.execute("CREATE TABLE IF NOT EXISTS run_controls (run_id INTEGER PRIMARY KEY,"
               " action TEXT NOT NULL, requested_at FLOAT NOT NULL)")


@migration
def m013_review_note_and_item_events(db: sqlite_utils.Database) -> None:
    # ``note``: why a person set an item aside (the web UI's "not a movie/show", kept with the
    # SKIPPED item); the events index: one item's history (the web UI's Item page) without
    # reading every event; items by profile and state: the counts per state of every profile
    # (the web UI's Overview) from the index alone.
    if "note" not in db.table("items").columns_dict:
        db.table("items").add_column("note", str)
    db.execute("CREATE INDEX IF NOT EXISTS events_item ON events (item_id)")
    db.execute("CREATE INDEX IF NOT EXISTS items_profile_state ON items (profile, state)")


# -- the quick scan's folder records (shelver.sweep; docs/operations.md, "Scans") -----------------
# A folder whose (ctime, digest of its video files' size/mtime/inode) is the one recorded here,
# when every item in it was last seen unchanged, costs a sweep its stats and nothing else. Any
# write to an item of the folder drops its record (the triggers), so the record can only ever
# say "nothing to do" about a folder whose items are exactly as they were when it was written.


@migration
def m014_scan_folders(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS scan_folders (dir TEXT PRIMARY KEY, ctime_ns INTEGER"
               " NOT NULL, digest INTEGER NOT NULL)")
    for event, rows in (("INSERT", ("NEW",)), ("DELETE", ("OLD",)), ("UPDATE", ("OLD", "NEW"))):
        drops = " ".join(f"DELETE FROM scan_folders WHERE dir = {row}.dir;" for row in rows)
        db.execute(f"CREATE TRIGGER IF NOT EXISTS scan_folders_items_{event.lower()} AFTER {event}"
                   f" ON items BEGIN {drops} END")


@migration
def m015_huge_tree_indexes(db: sqlite_utils.Database) -> None:
    # 100,000 items (docs/operations.md, "Huge trees"): a run's workers take its queued items by
    # run (without this index each claim reads the whole queue: a run of n files cost n² row
    # reads), and `shelver undo --list` counts each run's journaled steps from an index.
    db.execute("CREATE INDEX IF NOT EXISTS queue_run ON queue (run_id, priority, enqueued_at)")
    db.execute("CREATE INDEX IF NOT EXISTS journal_run_step ON journal (run_id, step)")
