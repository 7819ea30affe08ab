"""``shelver undo``: reverse a run's placements from the journal.

Every file a run moved goes back to its source path (a journaled, crash-safe placement of its
own, recorded under an ``undo`` run); copies, links and the files enrich created (NFOs,
artwork) are removed; folders the run created are removed when empty again, folders its
clean-up removed are made again. Rows are reversed newest first, a staged (cache) placement
as of its last step, so a ``replace-if-better`` swap is undone in the right order. Before any
of that, every rewrite of a file in place (an op a plugin registers with an ``undo`` step
through ``shelver_register_journal_ops``, e.g. the MP4 tagger's ``tag``) is reversed where the run
left the file, so what goes back to the downloads is what came from there. A plugin's op
without an undo step (its plugin disabled) makes the undo refuse: it is never guessed at.

Nothing is touched unless everything can be undone: a file changed since the run (its size or
modification time differ from what the run left), a file gone, or a source path taken since,
makes the whole undo refuse, naming each file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shelver import api as fsops  # the crash-safe file operations
from shelver.api import StateDB

PLACEMENTS = ("move", "copy", "hardlink", "symlink", "reflink")
STAGED = ("stage-move", "stage-copy")
# The ops undo reverses itself; any other op is a plugin's, reversed by its registered undo step.
OWN = (*PLACEMENTS, *STAGED, "write", "mkdir", "rmdir", "restore")


class UndoRefused(Exception):
    """Something changed since the run: nothing was undone."""

    def __init__(self, run_id: int, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"run {run_id} cannot be undone ({len(problems)} problem(s)):\n  "
                         + "\n  ".join(problems))


@dataclass
class Report:
    run: int
    moved_back: list[str] = field(default_factory=list)
    untagged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    folders_removed: list[str] = field(default_factory=list)
    folders_kept: list[str] = field(default_factory=list)
    folders_made: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    records_restored: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return dict(vars(self))


def _changed(row: dict[str, Any], tagged: dict[str, set[int]] | None = None) -> str | None:
    """Why the row's destination is not as the run left it, or None. ``tagged``: the sizes
    the run's taggings gave files, by where they are (a placement whose outcome a crash kept
    from being noted has only its source's size to go by)."""
    path = row["dst"]
    try:
        st = os.lstat(path)
    except OSError:
        return f"{path}: gone"
    if row.get("dst_size") is not None:
        if st.st_size != row["dst_size"] or abs(st.st_mtime - (row.get("dst_mtime") or 0)) > 1e-3:
            return f"{path}: changed since the run (size or modification time)"
    elif row["op"] in (*PLACEMENTS, *STAGED) and row["op"] != "symlink" \
            and st.st_size != row["size"] and st.st_size not in (tagged or {}).get(path, ()):
        return f"{path}: changed since the run (size)"
    return None


def ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows to reverse, newest first; a staged row counts as of its last sub-step; the
    moves out of the cache that make up a staged row are its own business (skipped)."""
    last_child: dict[int, int] = {}
    for row in rows:
        if row.get("parent"):
            last_child[row["parent"]] = max(last_child.get(row["parent"], 0), row["id"])
    wanted = [r for r in rows if r["step"] == "done"
              and not (r.get("parent") and r["op"] in PLACEMENTS)]
    return sorted(wanted, key=lambda r: (max(r["id"], last_child.get(r["id"], 0)), r["id"]),
                  reverse=True)


def reversal(ops: fsops.JournalOps | None, op: str) -> Any:
    """The undo step a plugin registered for ``op`` (None: none)."""
    handler = ops.get(op) if ops is not None else None
    return handler.undo if handler is not None else None


def check(rows: list[dict[str, Any]], every: list[dict[str, Any]] | None = None,
          ops: fsops.JournalOps | None = None) -> list[str]:
    """Every reason this run cannot be undone (empty: it can); ``every``: all the run's rows;
    ``ops``: the plugins' journal ops (:func:`shelver.fileops.journal_ops`)."""
    problems = []
    vacated: set[str] = set()  # paths the rows before this one free (in undo order)
    written: set[str] = set()  # files a newer write row of the run already answers for
    tagged: dict[str, set[int]] = {}
    for row in rows:
        if row["op"] not in OWN:
            step = reversal(ops, row["op"])
            if step is None:
                problems.append(f"{row['dst']}: no enabled plugin can undo its {row['op']!r} "
                                f"step (enable the plugin that wrote it)")
                continue
            why, where, size = step.check(row, every if every is not None else rows)
            if why is not None:
                problems.append(why)
            tagged.setdefault(where, set()).add(size)
    for row in rows:
        op = row["op"]
        if op not in OWN:
            continue
        if op in (*PLACEMENTS, *STAGED, "write"):
            vacated.add(row["dst"])
        if op in ("mkdir", "rmdir", "restore"):
            continue
        if op == "write":
            # Two workers of the run may both write one file (a show's tvshow.nfo): what is
            # there is the newest write's, so only that row says whether a person changed it.
            if row["dst"] not in written and os.path.lexists(row["dst"]) \
                    and (why := _changed(row)):
                problems.append(why)
            written.add(row["dst"])
            continue
        for child in unrecorded_creations(row, every or rows) if op in STAGED else []:
            if os.path.lexists(child["dst"]) and (why := _changed(child)) is not None:
                problems.append(why)
        if (why := _changed(row, tagged)) is not None:
            problems.append(why)
            continue
        keeps_source = op in ("copy", "hardlink", "reflink", "symlink", "stage-copy")
        if keeps_source and not os.path.lexists(row["src"]):
            problems.append(f"{row['src']}: the source is gone; removing {row['dst']} would "
                            f"lose the only copy")
        if not keeps_source and os.path.lexists(row["src"]) and row["src"] not in vacated:
            problems.append(f"{row['src']}: something is at the source path again")
    return problems


def undo_run(state: StateDB, run_id: int, undo_run_id: int | None, *,
             dry_run: bool = False, ops: fsops.JournalOps | None = None) -> Report:
    """Reverse run ``run_id``; raises :class:`UndoRefused` (having touched nothing) when any
    file changed since. ``ops``: the plugins' journal ops, whose undo steps reverse their rows."""
    every = state.journal_of_run(run_id)
    rows = ordered(every)
    problems = check(rows, every, ops)
    if problems:
        raise UndoRefused(run_id, problems)
    report = Report(run=run_id)
    for row in rows:  # rewrites in place first (tags): every file is where the run left it
        if row["op"] not in OWN:
            restored = reversal(ops, row["op"]).reverse(state, undo_run_id, row, every,
                                                        dry_run=dry_run)
            if restored is not None:
                report.untagged.append(restored)
            if not dry_run:
                state.journal_undone(row["id"])
    made: list[dict[str, Any]] = []  # mkdir rows, reversed at the end
    for row in rows:
        op, src, dst = row["op"], row["src"], row["dst"]
        if op not in OWN:
            continue
        if op == "mkdir":
            made.append(row)
            continue
        if op == "restore":  # the oldest row: the item's record as it was before the run
            if not dry_run and state.journal_restore_record(row["id"]):
                report.records_restored.append(src)
            continue
        if op == "rmdir":
            if not dry_run:
                fsops.make_dirs(state, undo_run_id, row["item_id"], Path(src))
                state.journal_undone(row["id"])
            report.folders_made.append(src)
            continue
        if op == "write":
            if not os.path.lexists(dst):
                report.skipped.append(dst)
            elif not dry_run:
                os.unlink(dst)
                report.removed.append(dst)
            else:
                report.removed.append(dst)
            if not dry_run:
                state.journal_undone(row["id"])
            continue
        if op in ("move", "stage-move"):
            if not dry_run:
                fsops.place_file(state, undo_run_id, row["item_id"], Path(dst), Path(src), "move")
                fsops.restore_owner(row, Path(src))  # placement.file_mode/uid/gid undone
                state.journal_undone(row["id"], item_to=src)
            report.moved_back.append(f"{dst} -> {src}")
        else:  # copy, hardlink, reflink, symlink, stage-copy: the source never left
            if not dry_run:
                os.unlink(dst)
                if op == "hardlink":
                    fsops.restore_owner(row, Path(src))  # the mode was the shared inode's
                state.journal_undone(row["id"], item_to=src)
            report.removed.append(dst)
        if op in STAGED:  # the moves out of the cache it was made of
            for child in unrecorded_creations(row, every):
                if os.path.lexists(child["dst"]):
                    if not dry_run:
                        os.unlink(child["dst"])
                    report.removed.append(child["dst"])
            if not dry_run:
                for child in every:
                    if child.get("parent") == row["id"] and child["op"] in PLACEMENTS \
                            and child["step"] == "done":
                        state.journal_undone(child["id"])
    # The folders the run made go last, deepest first: two workers race to make a folder, and
    # the one that made it may journal that after the other placed its file inside, so its row
    # is not always older than every row of what went into the folder.
    for row in sorted(made, key=lambda r: (len(Path(r["dst"]).parts), r["id"]), reverse=True):
        if dry_run or _rmdir(row["dst"]):
            report.folders_removed.append(row["dst"])
        else:
            report.folders_kept.append(row["dst"])
        if not dry_run:
            state.journal_undone(row["id"])
    return report


def unrecorded_creations(row: dict[str, Any], every: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Files a staged placement moved out of the cache besides its video (what enrich wrote
    there) whose ``write`` row a crash kept from being recorded: undo removes them as well."""
    written = {r["dst"] for r in every if r["op"] == "write"}
    return [child for child in every
            if child.get("parent") == row["id"] and child["op"] in PLACEMENTS
            and child["step"] == "done" and child["dst"] != row["dst"]
            and child["dst"] not in written]


def _rmdir(path: str) -> bool:
    try:
        os.rmdir(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False  # something else lives there now: kept
    return True


def default_run(state: StateDB, profile: str) -> int | None:
    """The newest run of ``profile`` with something left to undo (undo runs excepted)."""
    for run in state.journal_runs(profile):
        if run["command"] != "undo":
            return int(run["id"])
    return None


def run_row(state: StateDB, run_id: int) -> dict[str, Any] | None:
    """The ``runs`` row of ``run_id``, or None when there is no such run."""
    row = state.conn().execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
    return dict(row) if row else None


def describe_run(state: StateDB, run: dict[str, Any]) -> dict[str, Any]:
    """What ``undo --list`` shows of a run: when, its counts per status, one placed file."""
    import json
    import time

    row = run_row(state, int(run["id"])) or {}
    try:
        counts = json.loads(row.get("counts") or "{}") or {}
    except ValueError:
        counts = {}
    ops = PLACEMENTS + STAGED
    marks = ",".join("?" * len(ops))
    sample = state.conn().execute(
        f"SELECT dst FROM journal WHERE run_id=? AND step='done' AND op IN ({marks}) "
        "ORDER BY id LIMIT 1", (run["id"], *ops)).fetchone()
    started = run.get("started_at")
    return {"date": time.strftime("%Y-%m-%d %H:%M", time.localtime(started)) if started else "?",
            "counts": counts, "sample": sample[0] if sample else None}


def undo_answer(state: StateDB, run_id: int, pm: Any, *, dry_run: bool,
                profile: str | None = None) -> dict[str, Any]:
    """``shelver_undo_preview`` (``dry_run``) and ``shelver_undo_run``: what ``shelver undo RUN``
    does (a crashed run settled first, the undo recorded as a run of its own), as a dict with
    ``refused`` (the reasons nothing was touched; empty when it was done or can be)."""
    ops = fsops.journal_ops(pm)
    undo_id = None
    if not dry_run:
        fsops.recover(state, ops=ops)
        undo_id = state.start_run(str(profile), "undo", "undo")
    status = "failed"
    try:
        report = undo_run(state, run_id, undo_id, dry_run=dry_run, ops=ops).as_json()
        status = "done"
        return {**report, "refused": [], "dry_run": dry_run, "undo_run": undo_id}
    except UndoRefused as exc:
        return {**Report(run=run_id).as_json(), "refused": exc.problems, "dry_run": dry_run,
                "undo_run": undo_id}
    finally:
        if undo_id is not None:
            state.end_run(undo_id, status, {})
