"""The placement journal: one row per step of a placement, recorded before the disk is touched
and after it is done, and the bytes a row needs (``journal_blobs``)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from typing import Any

from shelver.model import State
from shelver.store.connection import StoreBase, _dumps, owner_id
from shelver.store.items import move_item

# What a ``restore`` row keeps of an item (identity, outcome, what was recorded of its match).
RESTORED = ("state", "status", "kind", "mode", "provider", "ident_kind", "ident", "season",
            "episodes", "confidence", "candidates", "threshold", "parsed", "release_date",
            "indexed_at", "refreshed_at", "forced_identity", "error_count", "last_error",
            "next_retry")


class JournalStore(StoreBase):
    """The placement journal's rows; what recovery settles and ``shelver undo`` reverses."""

    # -- placement journal ---------------------------------------------------------------------
    # A step is recorded before the disk is touched and after it is done, so recovery can tell
    # exactly how far any placement got (see shelver.fileops).

    def journal_begin(self, run_id: int | None, item_id: int | None, op: str, src: str, dst: str,
                      tmp: str | None, size: int, *, parent: int | None = None,
                      detail: dict[str, Any] | None = None, step: str = "planned") -> int:
        now = time.time()
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO journal (run_id, item_id, op, src, dst, tmp, step, size, created_at,"
                " updated_at, owner, parent, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (run_id, item_id, op, src, dst, tmp, step, size, now, now, owner_id(), parent,
                 _dumps(detail)),
            )
            return int(cur.lastrowid or 0)

    def journal_step(self, entry_id: int, step: str) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE journal SET step=?, updated_at=? WHERE id=?", (step, time.time(), entry_id))

    def journal_finish(self, entry_id: int) -> None:
        """Mark a placement done and, in the same transaction, record its item at the
        destination, so the DB never disagrees with the disk whenever the process dies.

        Only the item's own file moves the item (companions are journaled with their video's
        item id, but their source is not the item's path)."""
        with self.transaction() as conn:
            row = conn.execute("SELECT item_id, src, dst FROM journal WHERE id=?",
                               (entry_id,)).fetchone()
            conn.execute("UPDATE journal SET step='done', updated_at=? WHERE id=?",
                         (time.time(), entry_id))
            if row is None or row[0] is None:
                return
            item = conn.execute("SELECT path FROM items WHERE id=?", (row[0],)).fetchone()
            if item is not None and item[0] == row[1]:
                move_item(conn, row[0], row[2])

    def journal_unfinished(self) -> list[dict[str, Any]]:
        rows = self.conn().execute(
            "SELECT * FROM journal WHERE step NOT IN ('done', 'rolled-back', 'undone') ORDER BY id"
        )
        return [dict(r) for r in rows]

    def journal_of_run(self, run_id: int) -> list[dict[str, Any]]:
        rows = self.conn().execute("SELECT * FROM journal WHERE run_id=? ORDER BY id DESC", (run_id,))
        return [dict(r) for r in rows]

    def journal_row(self, entry_id: int) -> dict[str, Any] | None:
        row = self.conn().execute("SELECT * FROM journal WHERE id=?", (entry_id,)).fetchone()
        return dict(row) if row else None

    def journal_set_detail(self, entry_id: int, detail: dict[str, Any]) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE journal SET detail=?, updated_at=? WHERE id=?",
                         (_dumps(detail), time.time(), entry_id))

    def journal_roll_back_under(self, folder: str, op: str) -> None:
        """Mark ``op`` rows for files under ``folder`` rolled back (the folder was removed)."""
        prefix = folder.rstrip("/") + "/"
        with self.transaction() as conn:
            conn.execute("UPDATE journal SET step='rolled-back', updated_at=? WHERE op=? AND"
                         " substr(dst, 1, length(?)) = ? AND step != 'rolled-back'",
                         (time.time(), op, prefix, prefix))

    def journal_put_blob(self, entry_id: int, data: bytes) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO journal_blobs (entry_id, data) VALUES (?, ?)",
                         (entry_id, data))

    def journal_blob(self, entry_id: int) -> bytes | None:
        row = self.conn().execute("SELECT data FROM journal_blobs WHERE entry_id=?",
                                  (entry_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def journal_settle(self, entry_id: int, step: str, *, item_from: Iterable[str] = (),
                       item_to: str | None = None) -> None:
        """Set a row's step and, in the same transaction, record its item at ``item_to`` when
        the item is recorded at one of ``item_from`` (a multi-step placement: the item may be
        recorded at its source or at an intermediate copy when the process dies)."""
        with self.transaction() as conn:
            row = conn.execute("SELECT item_id FROM journal WHERE id=?", (entry_id,)).fetchone()
            conn.execute("UPDATE journal SET step=?, updated_at=? WHERE id=?",
                         (step, time.time(), entry_id))
            if row is None or row[0] is None or item_to is None:
                return
            item = conn.execute("SELECT path FROM items WHERE id=?", (row[0],)).fetchone()
            if item is not None and item[0] in set(item_from) and item[0] != item_to:
                move_item(conn, row[0], item_to)

    def journal_write(self, run_id: int | None, item_id: int | None, path: str, *,
                      parent: int | None = None) -> int:
        """Record a file the run created (an NFO, artwork): ``shelver undo`` removes it."""
        entry = self.journal_begin(run_id, item_id, "write", "", path, None, 0, parent=parent,
                                   step="done")
        self.journal_note_result(entry)
        return entry

    def journal_accounts_for(self, path: str) -> bool:
        """Whether a finished row (of any run, not undone) already accounts for ``path``: it
        was placed there, or created by an earlier run (a later rewrite is not a creation)."""
        row = self.conn().execute(
            "SELECT 1 FROM journal WHERE dst=? AND step='done' LIMIT 1", (path,)).fetchone()
        return row is not None

    def journal_note_result(self, entry_id: int) -> None:
        """Remember the size and mtime of a row's destination as the run leaves it, so undo
        can tell a file changed since (tags written after placement are part of the run)."""
        row = self.journal_row(entry_id)
        if row is None:
            return
        try:
            st = os.lstat(row["dst"])
        except OSError:
            return
        with self.transaction() as conn:
            conn.execute("UPDATE journal SET dst_size=?, dst_mtime=? WHERE id=?",
                         (st.st_size, st.st_mtime, entry_id))

    def journal_of_item(self, run_id: int, item_id: int) -> list[dict[str, Any]]:
        rows = self.conn().execute(
            "SELECT * FROM journal WHERE run_id=? AND item_id=? ORDER BY id", (run_id, item_id))
        return [dict(r) for r in rows]

    def journal_placed_unrecorded(self, profile: str) -> list[dict[str, Any]]:
        """Items whose placement is done (the journal says the file is where the item is
        recorded) but whose outcome never was: the process died in between."""
        rows = self.conn().execute(
            "SELECT DISTINCT i.id, i.state, i.owner FROM items i JOIN journal j"
            " ON j.item_id = i.id AND j.dst = i.path AND j.step = 'done'"
            " AND j.op NOT IN ('write', 'mkdir', 'rmdir', 'tag', 'untag', 'restore')"
            " WHERE i.profile = ? AND i.state IN (?, ?, ?)",
            (profile, State.NEW.value, State.CHANGED.value, State.PROCESSING.value))
        return [dict(r) for r in rows]

    def journal_runs(self, profile: str | None = None) -> list[dict[str, Any]]:
        """Runs with placements or writes not undone yet, newest first (``shelver undo``)."""
        # Counted per run from the journal's (run_id, step) index: 100,000 journaled steps are
        # not read row by row (docs/operations.md, "Huge trees").
        sql = ("SELECT * FROM (SELECT r.id, r.profile, r.command, r.mode, r.started_at,"
               " r.ended_at, r.status, (SELECT count(*) FROM journal j WHERE j.run_id = r.id"
               " AND j.step = 'done') AS entries FROM runs r")
        args: list[Any] = []
        if profile is not None:
            sql += " WHERE r.profile = ?"
            args.append(profile)
        sql += ") WHERE entries > 0 ORDER BY id DESC"
        return [dict(r) for r in self.conn().execute(sql, args)]

    def journal_undone(self, entry_id: int, *, item_to: str | None = None) -> None:
        """Mark a row undone; its item (recorded at the row's destination) goes to ``item_to``."""
        with self.transaction() as conn:
            row = conn.execute("SELECT item_id, dst FROM journal WHERE id=?",
                               (entry_id,)).fetchone()
            conn.execute("UPDATE journal SET step='undone', updated_at=? WHERE id=?",
                         (time.time(), entry_id))
            if row is None or row[0] is None or item_to is None:
                return
            item = conn.execute("SELECT path FROM items WHERE id=?", (row[0],)).fetchone()
            if item is not None and item[0] in (row[1], item_to):
                cur = conn.execute("UPDATE items SET state=?, status='undone', updated_at=?"
                                   " WHERE id=? AND state!=?",
                                   (State.SKIPPED.value, time.time(), row[0],
                                    State.PROCESSING.value))
                if cur.rowcount or item[0] != item_to:
                    # Back where it was found: no longer placed (unless a worker holds it).
                    move_item(conn, row[0], item_to, placed=not cur.rowcount)

    def journal_keep_record(self, run_id: int, item: dict[str, Any]) -> int:
        """Remember an item's record as it is before a run changes it (``shelver rematch``): a
        done ``restore`` row, which ``shelver undo`` of the run reverses last, putting the
        record back (:meth:`journal_restore_record`)."""
        kept = {key: item.get(key) for key in RESTORED}
        return self.journal_begin(run_id, item["id"], "restore", item["path"], item["path"], None,
                                  0, detail=kept, step="done")

    def journal_restore_record(self, entry_id: int) -> bool:
        """The record a ``restore`` row kept, put back on its item if the item is where it
        was then (the run's placements undone); the row is marked undone either way."""
        row = self.journal_row(entry_id)
        with self.transaction() as conn:
            conn.execute("UPDATE journal SET step='undone', updated_at=? WHERE id=?",
                         (time.time(), entry_id))
            if row is None or row["item_id"] is None:
                return False
            kept = json.loads(row["detail"] or "{}")
            fields = {k: v for k, v in kept.items() if k in RESTORED}
            assignments = ", ".join(f"{k}=?" for k in fields)
            cur = conn.execute(f"UPDATE items SET {assignments}, updated_at=? WHERE id=? AND"
                               " path=? AND state!=?",
                               (*fields.values(), time.time(), row["item_id"], row["src"],
                                State.PROCESSING.value))
            if not cur.rowcount:
                return False
            move_item(conn, row["item_id"], row["src"])
            try:  # as the file is now (undo rebuilt a re-tagged file): a scan sees no change
                st = os.stat(row["src"])
            except OSError:
                return True
            conn.execute("UPDATE items SET size=?, mtime=?, inode=? WHERE id=?",
                         (st.st_size, st.st_mtime, st.st_ino, row["item_id"]))
            return True

    def set_item_path(self, item_id: int, path: str) -> None:
        """Record an item at its new place (see :meth:`journal_finish`,
        :func:`shelver.store.items.move_item`)."""
        with self.transaction() as conn:
            move_item(conn, item_id, path)
