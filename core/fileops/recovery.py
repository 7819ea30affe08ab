"""Settling what a crash interrupted: :func:`recover` rolls each unfinished journal row of the
file layer forward or back (the crash invariants: :mod:`shelver.fileops`) and hands a plugin's
row to the step its op registered (:class:`JournalOps`)."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shelver.fileops.copying import _remove, _same_content, _same_inode, size_or_none
from shelver.fileops.placing import DestinationExists, _link_into_place
from shelver.fileops.stamps import stamp_of
from shelver.store import StateDB, owner_id, pid_alive

log = logging.getLogger("shelver.fsops")

# The file layer's own ops: every other op in the journal belongs to a plugin, which brings its
# recovery step through ``shelver_register_journal_ops`` (docs/plugins.md).
FILE_OPS = ("move", "copy", "hardlink", "symlink", "reflink")

Settle = Callable[[StateDB, dict[str, Any]], str]


@dataclass(frozen=True)
class JournalOp:
    """What a plugin's journal op brings: ``settle(state, row)`` puts the disk and the row in
    order after a crash (returns "done" or "rolled-back"); ``undo`` is the plugin's own object
    for ``shelver undo`` (None: its rows are not reversed)."""

    name: str
    settle: Settle
    undo: Any = None


class JournalOps:
    """The registry of plugin journal ops: ``register("tag", settle=fn)`` for one op,
    ``register("stage-*", settle=fn)`` for every op with that prefix."""

    def __init__(self) -> None:
        self.ops: dict[str, JournalOp] = {}

    def register(self, op: str, settle: Settle, undo: Any = None) -> None:
        if op in FILE_OPS or op in self.ops:
            raise ValueError(f"journal op {op!r} is registered twice")
        self.ops[op] = JournalOp(op, settle, undo)

    def get(self, op: str) -> JournalOp | None:
        if op in self.ops:
            return self.ops[op]
        prefixes = [name for name in self.ops if name.endswith("*") and op.startswith(name[:-1])]
        return self.ops[max(prefixes, key=len)] if prefixes else None


def journal_ops(pm: Any) -> JournalOps:
    """Every op the plugins of ``pm`` register (``shelver_register_journal_ops``)."""
    ops = JournalOps()
    pm.hook.shelver_register_journal_ops(register=ops.register)
    return ops


def recover(state: StateDB, rolled_forward: list[int] | None = None, *,
            ops: JournalOps | None = None) -> int:
    """Finish or undo every placement a crash interrupted; returns how many rows were settled.

    The ids of items whose placement was finished are appended to ``rolled_forward``.

    A row is rolled forward only when its destination is provably ours and whole (the same inode
    as the source or the verified temp file, or a "placed" step); otherwise it is rolled back,
    and the source is never touched. Rows of a live process (another instance placing right now)
    are left alone. A row of a plugin's op is settled by the step that op registered in ``ops``,
    after the file layer's own rows (a staged placement is made of ordinary moves out of the
    cache: settled first, they leave its files whole where they are); an op nobody registered
    (its plugin disabled or gone) is left unfinished, with a warning naming it.
    """
    me = owner_id()
    settled = 0
    rows = state.journal_unfinished()
    rows.sort(key=lambda row: (row["op"] not in FILE_OPS, row["id"]))
    unknown: set[str] = set()
    for row in rows:
        owner = row.get("owner")
        if owner and owner != me and pid_alive(owner):
            continue
        if row["op"] not in FILE_OPS:
            handler = ops.get(row["op"]) if ops is not None else None
            if handler is None:
                if row["op"] not in unknown:
                    unknown.add(row["op"])
                    log.warning("journal op %r: no enabled plugin recovers it; its unfinished "
                                "row(s) are left as they are (enable the plugin that wrote them)",
                                row["op"])
                continue
            try:
                outcome = handler.settle(state, row)
            except OSError as exc:  # e.g. a disk gone: try again at the next start
                log.error("cannot recover interrupted %s %s -> %s: %s", row["op"], row["src"],
                          row["dst"], exc)
                continue
            settled += 1
            if outcome == "done" and rolled_forward is not None and row["item_id"] is not None \
                    and not row.get("parent"):
                rolled_forward.append(row["item_id"])
            log.info("recovered interrupted %s %s -> %s (%s at %s)", row["op"], row["src"],
                     row["dst"], outcome, row["step"])
            continue
        try:
            outcome = _settle(row)
        except OSError as exc:  # e.g. a disk gone: try again at the next start
            log.error("cannot recover placement %s -> %s: %s", row["src"], row["dst"], exc)
            continue
        if outcome == "done":
            state.journal_finish(row["id"])  # also records the item at its destination
            if rolled_forward is not None and row["item_id"] is not None and not row.get("parent"):
                rolled_forward.append(row["item_id"])
        else:
            state.journal_step(row["id"], outcome)
        settled += 1
        log.info("recovered interrupted placement %s -> %s (%s at %s)", row["src"], row["dst"],
                 outcome, row["step"])
    return settled


def _settle(row: dict[str, Any]) -> str:
    """Put the disk in order for one unfinished journal row; "done" or "rolled-back"."""
    op, step, size = row["op"], row["step"], row["size"]
    src, dst, tmp = Path(row["src"]), Path(row["dst"]), row["tmp"]
    if op == "symlink":
        linked = os.path.islink(dst) and os.readlink(dst) == os.path.abspath(src)
        return "done" if linked else "rolled-back"
    recorded = json.loads(row.get("detail") or "{}").get("src_stamp")
    # The source is still the file this row copied or linked (rows of older versions: assumed).
    try:
        unchanged = recorded is None or list(stamp_of(src)) == list(recorded)
    except OSError:
        unchanged = True  # gone: nothing left to compare
    if not tmp:  # a same-filesystem hard link (move or hardlink)
        if _same_inode(src, dst):
            if step == "planned" and not unchanged:
                os.unlink(dst)  # linked, then the source changed before it was checked
                return "rolled-back"
            if op == "move":
                os.unlink(src)
            return "done"
        if op == "move" and not os.path.lexists(src) and size_or_none(dst) == size:
            return "done"  # the source went after the link (or the no-hard-link rename) was made
        return "rolled-back"  # never linked, or dst is someone else's: the source is untouched
    if step == "planned":  # the copy was unfinished or unverified
        _remove(tmp)
        return "rolled-back"
    if step == "copied" and not unchanged and os.path.lexists(src):
        # The source changed after the copy (still being written?): the copy is stale.
        if os.path.lexists(tmp) and _same_inode(tmp, dst):
            os.unlink(dst)
        _remove(tmp)
        return "rolled-back"
    if step == "copied":  # the temp file is whole and verified; it may be linked already
        if os.path.lexists(tmp):
            if not os.path.lexists(dst) and size_or_none(tmp) == size:
                try:
                    _link_into_place(Path(tmp), dst)
                except DestinationExists:
                    pass
            # (without hard links the temp file was renamed into place just now)
            ours = _same_inode(tmp, dst) or (not os.path.lexists(tmp) and size_or_none(dst) == size)
        else:
            # Renamed into place on a filesystem without hard links, then the crash: dst is ours
            # if it holds the source's bytes (or the source is gone: then it is the only copy).
            ours = size_or_none(dst) == size and (not os.path.lexists(src) or _same_content(src, dst))
        if not ours:
            _remove(tmp)  # dst is another file (or none): this placement never happened
            return "rolled-back"
    # "placed": dst is ours and whole.
    _remove(tmp)
    if size_or_none(dst) != size:
        return "rolled-back"  # dst went since (a person?): keep whatever source is left
    if op == "move" and os.path.lexists(src) and size_or_none(src) == size and unchanged:
        os.unlink(src)  # (a source changed since the copy stays: both are kept)
    return "done"
