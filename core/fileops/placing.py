"""The journaled placements: move, copy, hardlink, symlink, reflink, never overwriting, and the
folders they create; a file's mode and owner noted before a plugin changes them (the crash
invariants: :mod:`shelver.fileops`)."""

from __future__ import annotations

import errno
import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from shelver.discovery import LISTINGS
from shelver.fileops.copying import (
    _remove,
    _same_inode,
    copy_verified,
    fsync_dir,
    same_filesystem,
    temp_name,
)
from shelver.fileops.stamps import (
    SourceChanged,
    Stamp,
    check_unchanged,
    held_unchanged,
    start_stamp,
)
from shelver.store import StateDB

log = logging.getLogger("shelver.fsops")

ACTIONS = ("move", "copy", "hardlink", "symlink", "reflink")
VERIFY = ("size", "hash")
# os.link errors that mean "no hard link possible here" rather than "something is wrong".
NO_HARDLINKS = (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS)


class DestinationExists(FileExistsError):
    """The destination name is taken by another file: never overwritten."""


def _link_into_place(tmp_or_src: Path, dst: Path) -> None:
    """Give ``dst`` the content of ``tmp_or_src`` without ever replacing an existing ``dst``."""
    try:
        os.link(tmp_or_src, dst)
    except FileExistsError:
        raise DestinationExists(f"{dst} already exists") from None
    except OSError as exc:
        if exc.errno not in NO_HARDLINKS:
            raise
        # A filesystem without hard links: rename, after checking (a small race, the best it allows).
        if os.path.lexists(dst):
            raise DestinationExists(f"{dst} already exists") from None
        os.rename(tmp_or_src, dst)


def place_file(state: StateDB, run_id: int | None, item_id: int | None, src: Path, dst: Path,
               action: str = "move", *, verify: str = "size", parent: int | None = None,
               reflink: str = "fallback", expect: tuple[int, float, int] | None = None) -> Path:
    """Put ``src`` at ``dst`` by ``action``; journaled, crash-safe, never overwriting.

    ``action`` is move, copy, hardlink (a copy where a link cannot be made), symlink or reflink
    (a clone sharing the source's extents; where the filesystem cannot, ``reflink = "fallback"``
    copies and ``"error"`` raises :class:`ReflinkUnsupported`); ``verify`` is "size" or "hash".
    ``parent`` ties the row to a staged placement (see :mod:`shelver.plugins.placement.staging`).
    Folders it creates are journaled too (``shelver undo`` removes them when empty).
    ``expect``: the source's (size, mtime, inode) when it was identified; it is checked, and
    the source's stamp again after the copy and before the placement is made final.
    Raises :class:`DestinationExists` when ``dst`` is another file, :class:`SourceChanged`
    when the source changed (nothing of the placement is kept); on any other error the
    source is left as it was.
    """
    src, dst = Path(src), Path(dst)
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r} (known: {', '.join(ACTIONS)})")
    if verify not in VERIFY:
        raise ValueError(f"unknown verify {verify!r} (known: {', '.join(VERIFY)})")
    if os.path.abspath(src) == os.path.abspath(dst):
        return dst
    if os.path.lexists(dst):
        if os.path.exists(dst) and os.path.exists(src) and os.path.samefile(src, dst):
            # Already there (an earlier run was interrupted after linking): finish the move.
            if action == "move" and _same_inode(src, dst):
                os.unlink(src)
            return dst
        raise DestinationExists(f"{dst} already exists")
    stamp = start_stamp(src, expect)
    size = stamp[0]
    make_dirs(state, run_id, item_id, dst.parent, parent=parent)
    if action == "symlink":
        entry = state.journal_begin(run_id, item_id, "symlink", str(src), str(dst), None, size,
                                    parent=parent)
        try:
            os.symlink(os.path.abspath(src), dst)
        except FileExistsError:
            state.journal_step(entry, "rolled-back")
            raise DestinationExists(f"{dst} already exists") from None
        except Exception:
            state.journal_step(entry, "rolled-back")
            raise
        state.journal_finish(entry)
        return dst
    # No link possible (bind mounts of one device, a filesystem without hard links): the copy
    # path below, which still never overwrites and keeps the source whole until the end.
    if action in ("move", "hardlink") and same_filesystem(src, dst.parent) \
            and _place_by_link(state, run_id, item_id, src, dst, action, stamp, parent):
        return dst
    op = {"move": "move", "reflink": "reflink"}.get(action, "copy")
    return _place_by_copy(state, run_id, item_id, src, dst, op, stamp, verify, parent,
                          reflink if op == "reflink" else None)


def make_dirs(state: StateDB, run_id: int | None, item_id: int | None, directory: Path, *,
              parent: int | None = None) -> None:
    """Create ``directory`` and its missing parents, journaling each folder it creates."""
    missing: list[Path] = []
    folder = Path(directory)
    while not os.path.isdir(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder)
        except FileExistsError:
            continue  # another worker made it first: theirs to account for
        state.journal_begin(run_id, item_id, "mkdir", "", str(folder), None, 0, parent=parent,
                            step="done")


def _place_by_link(state: StateDB, run_id: int | None, item_id: int | None, src: Path, dst: Path,
                   action: str, stamp: Stamp, parent: int | None = None) -> bool:
    """Same filesystem: a hard link, then (move) unlink the source. False if no link can be made.

    The link is kept only if the source is still the file it was (``stamp``, under a read
    lease: see :func:`held_unchanged`); else it is removed and :class:`SourceChanged` raised."""
    entry = state.journal_begin(run_id, item_id, action, str(src), str(dst), None, stamp[0],
                                parent=parent, detail={"src_stamp": list(stamp)})
    renamed = False
    try:
        with held_unchanged(src, stamp) as still_unchanged:
            try:
                os.link(src, dst)
            except FileExistsError:
                raise DestinationExists(f"{dst} already exists") from None
            except OSError as exc:
                if not (action == "move" and exc.errno in NO_HARDLINKS and exc.errno != errno.EXDEV):
                    if exc.errno in NO_HARDLINKS:
                        state.journal_step(entry, "rolled-back")
                        return False
                    raise
                # No hard links on this filesystem: a rename is the move (checked, a small race).
                if os.path.lexists(dst):
                    raise DestinationExists(f"{dst} already exists") from None
                still_unchanged()
                with LISTINGS.removing(src):
                    os.rename(src, dst)
                renamed = True
            if not renamed:
                try:
                    still_unchanged()
                except SourceChanged as exc:
                    if _same_inode(src, dst):
                        os.unlink(dst)  # our new link goes: the source keeps the file
                        raise
                    # The source's name went to another file (or none) after the link: the
                    # new link is the identified file's only name now, so it stays.
                    log.warning("%s; %s is kept", exc, dst)
            fsync_dir(dst.parent)
            state.journal_step(entry, "placed")
            if action == "move" and not renamed:
                still_unchanged()
                if _same_inode(src, dst):
                    unlink_source(src)
    except (DestinationExists, SourceChanged):
        if state.journal_row(entry)["step"] == "placed":  # type: ignore[index]
            # Changed after "placed" (a rename over the source in the last instant): the link
            # is whole and kept; the source is no longer this file and stays.
            state.journal_finish(entry)
            return True
        state.journal_step(entry, "rolled-back")
        raise
    except Exception:
        if state.journal_row(entry)["step"] == "planned":  # type: ignore[index]
            state.journal_step(entry, "rolled-back")
        raise
    state.journal_finish(entry)
    return True


def copy_unchanged(src: Path, target: Path, stamp: Stamp, verify: str, *,
                   clone: str | None = "fallback", what: str = "copy") -> None:
    """:func:`copy_verified` of ``src`` (of size ``stamp[0]``) to the new file ``target``, then
    :class:`SourceChanged` unless ``src`` is still the file it was (``stamp``). A copy of the
    wrong length from a source that changed meanwhile is reported as the change, not as EIO.
    The caller removes ``target`` (or the folder it is in) on any error."""
    try:
        copy_verified(src, target, stamp[0], verify, clone=clone, what=what)
    except OSError:
        check_unchanged(src, stamp)  # a copy of the wrong length: the source grew?
        raise
    check_unchanged(src, stamp)


def _place_by_copy(state: StateDB, run_id: int | None, item_id: int | None, src: Path, dst: Path,
                   op: str, stamp: Stamp, verify: str, parent: int | None = None,
                   clone: str | None = None) -> Path:
    """Copy to a temp name beside ``dst``, flush, verify, link into place, then (move) unlink.

    The source must be the file it was (``stamp``) after the copy and, under a read lease
    (:func:`held_unchanged`), when the copy is linked into place and the source unlinked;
    otherwise the copy is removed and :class:`SourceChanged` raised."""
    size = stamp[0]
    tmp = temp_name(dst, secrets.token_hex(6))
    entry = state.journal_begin(run_id, item_id, op, str(src), str(dst), str(tmp), size,
                                parent=parent, detail={"src_stamp": list(stamp)})
    try:
        copy_unchanged(src, tmp, stamp, verify, clone=clone)
    except Exception:
        _remove(tmp)
        state.journal_step(entry, "rolled-back")
        raise
    state.journal_step(entry, "copied")
    try:
        with held_unchanged(src, stamp) as still_unchanged:
            try:
                _link_into_place(tmp, dst)
            except Exception:
                _remove(tmp)
                state.journal_step(entry, "rolled-back")
                raise
            fsync_dir(dst.parent)
            try:
                still_unchanged()
            except SourceChanged:
                if _same_inode(tmp, dst):
                    os.unlink(dst)
                _remove(tmp)
                state.journal_step(entry, "rolled-back")
                raise
            # The temp name goes only after "placed": at "copied" it still tells whether dst is ours.
            state.journal_step(entry, "placed")
            _remove(tmp)
            if op == "move":
                try:
                    still_unchanged()
                except SourceChanged as exc:
                    # Replaced in the last instant: the copy is whole and kept, the new file stays.
                    log.warning("%s; the copy placed at %s is kept", exc, dst)
                else:
                    unlink_source(src)
    except SourceChanged:
        row = state.journal_row(entry)
        if row is None or row["step"] != "placed":
            if row is not None and row["step"] == "copied":
                _remove(tmp)
                state.journal_step(entry, "rolled-back")
            raise
    state.journal_finish(entry)
    return dst


def unlink_source(src: Path) -> None:
    """The last step of a move (the folder's cached listing learns of it: see
    :class:`shelver.discovery.Listings`)."""
    with LISTINGS.removing(src):
        os.unlink(src)
    fsync_dir(src.parent)


def remember_owner(state: StateDB, entry: dict[str, Any], path: Path) -> None:
    """Note ``path``'s mode and owner in its placement row before they are changed (once:
    the first value is the one the file came with), for :func:`restore_owner`."""
    detail = json.loads(entry.get("detail") or "{}")
    if "mode_before" in detail:
        return
    st = os.stat(path)
    detail.update(mode_before=st.st_mode & 0o7777, uid_before=st.st_uid, gid_before=st.st_gid)
    state.journal_set_detail(entry["id"], detail)
    entry["detail"] = json.dumps(detail)


def copy_owner(st: os.stat_result, path: Path) -> None:
    """Give ``path`` the mode of ``st`` and, where allowed, its owner (a rewritten copy of a
    file keeps what the file had)."""
    os.chmod(path, st.st_mode & 0o7777)
    if (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
        try:
            os.chown(path, st.st_uid, st.st_gid)
        except PermissionError:
            pass


def restore_owner(entry: dict[str, Any], path: Path) -> None:
    """Give ``path`` the mode and owner :func:`remember_owner` noted (if any)."""
    detail = json.loads(entry.get("detail") or "{}")
    if "mode_before" not in detail or not os.path.exists(path):
        return
    os.chmod(path, detail["mode_before"])
    st = os.stat(path)
    if (st.st_uid, st.st_gid) != (detail["uid_before"], detail["gid_before"]):
        try:
            os.chown(path, detail["uid_before"], detail["gid_before"])
        except PermissionError:
            log.warning("cannot give %s its owner back (uid %s, gid %s)", path,
                        detail["uid_before"], detail["gid_before"])
