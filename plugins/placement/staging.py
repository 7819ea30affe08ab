"""Two-phase placement through a cache (``work_dir``): stage → describe → finish.

The ``cache`` mode copies a file to fast storage, lets the enrich plugins tag and describe it
there, and only then moves it (and what they wrote) into the library. That is one journal row
(op ``stage-move``, or ``stage-copy`` when the source stays) whose ``src`` is the source file,
``dst`` its final library path and ``tmp`` its private staging folder in the cache, laid out
like ``dest_dir`` (so an NFO or a poster written beside the staged copy has the name it will
have in the library). Its steps, and what recovery does at each:

============  ===========================================  =====================================
step          the disk                                     recovery
============  ===========================================  =====================================
planned       the copy into the cache is under way          remove the staging folder
staged        the cache copy is whole; enrich may be busy   remove the staging folder
finishing     enrich is done; files move into the library   finish the moves (roll forward)
placed        every file is in the library                  unlink the source (stage-move)
============  ===========================================  =====================================

Until ``finishing`` the source is untouched and the library has nothing of the item, so rolling
back loses nothing. The source's (size, mtime, inode) is recorded (``src_stamp``) and checked
after the copy into the cache and again before ``finishing``: a source that changed meanwhile
(still being written, replaced) aborts the placement (:class:`SourceChanged`, the staged copy
is dropped); the source is unlinked only if it is still that file, under a read lease
(:func:`shelver.fileops.held_unchanged`), else it is kept beside the library's copy. From ``finishing`` on, each move out of the cache is an ordinary journaled
placement (:func:`shelver.fileops.place_file`, ``parent`` = the staged row) that recovery
settles first; what is still in the staging folder is whole and described, so it can always be
rolled forward. The source is unlinked only after ``placed`` is recorded.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shelver.api import (
    TEMP_MARKER,
    DestinationExists,
    SourceChanged,
    StateDB,
    check_unchanged,
    copy_unchanged,
    held_unchanged,
    is_partial,
    place_file,
    size_or_none,
    start_stamp,
    unlink_source,
)

log = logging.getLogger("shelver.staging")

# The staging folder carries the temp marker: nothing ever takes it for a download, and a
# leftover is easy to see (recovery removes every one it knows of).
STAGE_PREFIX = f"{TEMP_MARKER}-stage-"
# Errors that mean "the cache cannot take this file now" (full, over quota, failing).
CACHE_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.EROFS)


@dataclass
class Staged:
    """A file staged in the cache: its journal row, folder and copy, and where it will go."""

    entry: int
    folder: Path
    video: Path
    destination: Path


def free_bytes(directory: Path) -> int:
    """Bytes an unprivileged writer may still use on ``directory``'s filesystem."""
    st = os.statvfs(directory)
    return st.f_bavail * st.f_frsize


def stage(state: StateDB, run_id: int | None, item_id: int | None, src: Path, dst: Path, *,
          dest_dir: Path, work_dir: Path, keep_source: bool = False, verify: str = "size",
          companions: dict[Path, Path] | None = None, companion_action: str = "move",
          displace: tuple[Path, Path] | None = None,
          expect: tuple[int, float, int] | None = None) -> Staged:
    """Copy ``src`` into a new staging folder under ``work_dir``; journaled.

    ``companions`` (sidecar → library path) and ``displace`` (a worse library file → where it
    is kept) are remembered for :func:`finish`. ``expect``: the source's (size, mtime,
    inode) when it was identified (:class:`SourceChanged` if it is no longer that file). On
    any error the partial copy is removed, the row rolled back and the error raised; the
    source is never touched here.
    """
    src, dst = Path(src), Path(dst)
    folder = Path(work_dir) / f"{STAGE_PREFIX}{secrets.token_hex(6)}"
    relative = os.path.relpath(dst, dest_dir)
    if relative.startswith(os.pardir):
        raise ValueError(f"{dst} is outside dest_dir {dest_dir}")
    video = folder / relative
    stamp = start_stamp(src, expect)
    size = stamp[0]
    detail: dict[str, Any] = {
        "src_stamp": list(stamp),
        "video": str(video), "dest_dir": str(dest_dir), "verify": verify,
        "companions": {str(k): str(v) for k, v in (companions or {}).items()},
        "companion_action": companion_action,
        "displace": [str(p) for p in displace] if displace else None,
    }
    op = "stage-copy" if keep_source else "stage-move"
    entry = state.journal_begin(run_id, item_id, op, str(src), str(dst), str(folder), size,
                                detail=detail)
    try:
        video.parent.mkdir(parents=True)
        copy_unchanged(src, video, stamp, verify, what="cache copy")
    except Exception:
        remove_folder(folder)
        state.journal_step(entry, "rolled-back")
        raise
    state.journal_step(entry, "staged")
    return Staged(entry=entry, folder=folder, video=video, destination=dst)


def remove_folder(folder: Path | str) -> None:
    """Remove a staging folder (and only ever one: the name is checked)."""
    folder = Path(folder)
    if not folder.name.startswith(STAGE_PREFIX):
        raise ValueError(f"{folder} is not a staging folder")
    shutil.rmtree(folder, ignore_errors=True)
    if folder.exists():
        shutil.rmtree(folder)  # report what could not be removed


def _detail(row: dict[str, Any]) -> dict[str, Any]:
    detail: dict[str, Any] = json.loads(row["detail"] or "{}")
    return detail


def roll_back(state: StateDB, entry: int) -> None:
    """Forget a staged copy that never reached the library: the source is all there is."""
    row = state.journal_row(entry)
    if row is None or row["step"] not in ("planned", "staged"):
        return
    remove_folder(row["tmp"])
    state.journal_roll_back_under(row["tmp"], "tag")  # tags written to the copy went with it
    state.journal_settle(entry, "rolled-back", item_from=(_detail(row).get("video", ""),),
                         item_to=row["src"])


def finish(state: StateDB, entry: int) -> dict[Path, Path]:
    """Move a staged file, its companions and what enrich wrote into the library; then unlink
    the source (``stage-move``) and remove the staging folder. Idempotent: recovery calls it
    again after a crash. Returns ``{staged path: library path}`` of every file moved out of the
    cache. Raises :class:`DestinationExists` (nothing moved) when the destination was taken
    since the file was staged."""
    row = state.journal_row(entry)
    if row is None:
        raise LookupError(f"no journal row {entry}")
    detail = _detail(row)
    src, dst, folder = Path(row["src"]), Path(row["dst"]), Path(row["tmp"])
    video, dest_dir = Path(detail["video"]), Path(detail["dest_dir"])
    verify = detail.get("verify", "size")
    run_id, item_id = row["run_id"], row["item_id"]
    moved: dict[Path, Path] = {}
    stamp = detail.get("src_stamp")
    if row["step"] != "placed":
        if row["step"] != "finishing":
            if stamp is not None and os.path.lexists(src):
                # The source must still be the file staged (and described), or nothing moves.
                check_unchanged(src, tuple(stamp))
            state.journal_step(entry, "finishing")
        displace = detail.get("displace")
        if displace and os.path.lexists(video):
            _displace(state, run_id, item_id, Path(displace[0]), Path(displace[1]), entry)
        if os.path.lexists(video):
            place_file(state, run_id, item_id, video, dst, "move", verify=verify, parent=entry)
        elif not os.path.lexists(dst):
            raise FileNotFoundError(errno.ENOENT, f"the staged copy of {src} vanished", str(video))
        moved[video] = dst
        for companion, target in detail.get("companions", {}).items():
            if not os.path.lexists(companion) or os.path.lexists(target):
                continue  # gone, or placed before a crash
            try:
                place_file(state, run_id, item_id, Path(companion), Path(target),
                           detail.get("companion_action", "move"), verify=verify)
            except OSError as exc:  # a sidecar never fails its video
                log.warning("companion %s not placed: %s", companion, exc)
        for staged in sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink()):
            if is_partial(staged):
                staged.unlink()  # an enrich plugin's temp file, left by a crash
                continue
            target = dest_dir / staged.relative_to(folder)
            try:
                place_file(state, run_id, item_id, staged, target, "move", verify=verify,
                           parent=entry)
                # What enrich wrote is this run's creation: undo removes it (recorded here, so
                # that a placement finished by recovery is undone whole too).
                state.journal_write(run_id, item_id, str(target), parent=entry)
                moved[staged] = target
            except DestinationExists:
                log.info("%s exists: the library's copy is kept", target)
                staged.unlink()
        state.journal_step(entry, "placed")
    if row["op"] == "stage-move" and os.path.lexists(src) and size_or_none(src) == row["size"]:
        _unlink_if_unchanged(src, stamp)
    if folder.exists():
        remove_folder(folder)
    state.journal_settle(entry, "done", item_from=(str(src), str(video)), item_to=str(dst))
    return moved


def _unlink_if_unchanged(src: Path, stamp: list[int] | None) -> None:
    """The last step of a staged move: unlink the source if it is still the file staged (a
    source changed since is kept beside the library's copy: nothing is lost)."""
    if stamp is None:  # a row of an older version
        unlink_source(src)
        return
    try:
        with held_unchanged(src, tuple(stamp)) as still_unchanged:  # type: ignore[arg-type]
            still_unchanged()
            unlink_source(src)
    except SourceChanged as exc:
        log.warning("%s; the library's copy is kept, and so is the source", exc)


def _displace(state: StateDB, run_id: int | None, item_id: int | None, loser: Path,
              keep_at: Path, parent: int) -> None:
    """conflict = "replace-if-better": the library's worse file goes to the duplicates folder."""
    if os.path.lexists(loser) and not os.path.lexists(keep_at):
        place_file(state, run_id, None, loser, keep_at, "move", parent=None)
        log.info("kept the worse copy %s as %s", loser, keep_at)


def settle(state: StateDB, row: dict[str, Any]) -> str:
    """Recovery of one unfinished staged row: "done" or "rolled-back"."""
    if row["step"] in ("planned", "staged"):
        roll_back(state, row["id"])
        return "rolled-back"
    try:
        finish(state, row["id"])
    except (DestinationExists, SourceChanged):
        # The library name was taken meanwhile and nothing moved: the source stays.
        fresh = state.journal_row(row["id"]) or row
        if fresh["step"] == "finishing":
            state.journal_step(row["id"], "staged")
        roll_back(state, row["id"])
        return "rolled-back"
    return "done"
