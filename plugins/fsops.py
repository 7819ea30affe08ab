"""Crash-safe file placement: move, copy, hardlink, symlink, each journaled.

The rules that make a crash at any instant recoverable:

* a journal row is written before the disk is touched, and advanced after each step;
* nothing is ever written under its final name until it is whole: across filesystems the copy
  goes to a temp name beside the destination, is flushed and verified, and only then linked into
  place (``os.link`` fails if the name exists, so a destination is never overwritten);
* the source is unlinked only after the destination is whole and recorded.

:func:`recover` rolls every unfinished row forward (the destination is whole) or back (it is not),
so that each file exists exactly once, whole, under its source or its final name, and no temp file
survives.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from shelver.discovery import TEMP_MARKER

if TYPE_CHECKING:
    from shelver.state import StateDB

log = logging.getLogger("shelver.fsops")

COPY_CHUNK = 8 * 1024 * 1024


class DestinationExists(FileExistsError):
    """The destination name is taken by another file: never overwritten."""


def same_filesystem(src: Path, dst_dir: Path) -> bool:
    return os.stat(src).st_dev == os.stat(dst_dir).st_dev


def temp_name(dst: Path, entry_id: int) -> Path:
    return dst.with_name(f".{dst.name[:180]}{TEMP_MARKER}-{entry_id}")


def file_digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=32)
    with open(path, "rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def copy_flushed(src: Path, dst: Path) -> None:
    """Copy with the kernel's fast path (copy_file_range/sendfile via shutil) and flush to disk."""
    with open(src, "rb") as fsrc, open(dst, "xb") as fdst:
        if hasattr(os, "sendfile"):
            _sendfile(fsrc, fdst)
        else:
            shutil.copyfileobj(fsrc, fdst, COPY_CHUNK)
        fdst.flush()
        os.fsync(fdst.fileno())
    shutil.copystat(src, dst)


def _sendfile(fsrc: object, fdst: object) -> None:
    src_fd = fsrc.fileno()  # type: ignore[attr-defined]
    dst_fd = fdst.fileno()  # type: ignore[attr-defined]
    size = os.fstat(src_fd).st_size
    offset = 0
    copy_range = getattr(os, "copy_file_range", None)
    while offset < size:
        try:
            if copy_range is not None:
                sent = copy_range(src_fd, dst_fd, size - offset)
            else:
                sent = os.sendfile(dst_fd, src_fd, offset, size - offset)
        except OSError as exc:
            if exc.errno in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP) and offset == 0:
                copy_range = None
                if not hasattr(os, "sendfile"):
                    raise
                continue
            raise
        if sent == 0:
            break
        offset += sent


def _link_into_place(tmp_or_src: Path, dst: Path) -> None:
    """Give ``dst`` the content of ``tmp_or_src`` without ever replacing an existing ``dst``."""
    try:
        os.link(tmp_or_src, dst)
    except FileExistsError:
        raise DestinationExists(f"{dst} already exists") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        # A filesystem without hard links: rename, after checking (a small race, the best it allows).
        if os.path.lexists(dst):
            raise DestinationExists(f"{dst} already exists") from None
        os.rename(tmp_or_src, dst)


def place_file(state: StateDB, run_id: int | None, item_id: int | None, src: Path, dst: Path,
               action: str = "move", *, verify: str = "size") -> Path:
    """Put ``src`` at ``dst`` by ``action``; journaled, crash-safe, never overwriting."""
    src, dst = Path(src), Path(dst)
    if os.path.abspath(src) == os.path.abspath(dst):
        return dst
    if os.path.lexists(dst):
        if os.path.exists(dst) and os.path.samefile(src, dst):
            return dst
        raise DestinationExists(f"{dst} already exists")
    dst.parent.mkdir(parents=True, exist_ok=True)
    size = os.stat(src).st_size
    if action == "symlink":
        entry = state.journal_begin(run_id, item_id, "symlink", str(src), str(dst), None, size)
        os.symlink(os.path.abspath(src), dst)
        state.journal_step(entry, "done")
        return dst
    local = same_filesystem(src, dst.parent)
    if local and action in ("move", "hardlink"):
        entry = state.journal_begin(run_id, item_id, action, str(src), str(dst), None, size)
        _link_into_place(src, dst)
        state.journal_step(entry, "placed")
        if action == "move" and os.path.exists(src) and os.path.exists(dst):
            os.unlink(src)
        state.journal_step(entry, "done")
        return dst
    op = "move" if action == "move" else "copy"
    entry = state.journal_begin(run_id, item_id, op, str(src), str(dst), None, size)
    tmp = temp_name(dst, entry)
    state.conn().execute("UPDATE journal SET tmp=? WHERE id=?", (str(tmp), entry))
    try:
        copy_flushed(src, tmp)
        if os.stat(tmp).st_size != size:
            raise OSError(errno.EIO, f"copy of {src} is {os.stat(tmp).st_size} bytes, expected {size}")
        if verify == "hash" and file_digest(src) != file_digest(tmp):
            raise OSError(errno.EIO, f"copy of {src} does not match its checksum")
    except BaseException:
        _remove(tmp)
        state.journal_step(entry, "rolled-back")
        raise
    state.journal_step(entry, "copied")
    _link_into_place(tmp, dst)
    _remove(tmp)
    _fsync_dir(dst.parent)
    state.journal_step(entry, "placed")
    if op == "move":
        os.unlink(src)
    state.journal_step(entry, "done")
    return dst


def _remove(path: Path | str | None) -> None:
    if path and os.path.lexists(path):
        os.unlink(path)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def recover(state: StateDB) -> int:
    """Finish or undo every placement a crash interrupted; returns how many rows were settled."""
    settled = 0
    for row in state.journal_unfinished():
        src, dst, tmp = Path(row["src"]), Path(row["dst"]), row["tmp"]
        step, size, moving = row["step"], row["size"], row["op"] == "move"
        dst_whole = os.path.exists(dst) and os.stat(dst).st_size == size
        if step in ("planned",) and not dst_whole:
            _remove(tmp)
            if os.path.lexists(dst) and not os.path.exists(src):
                pass  # should not happen: the source is only unlinked after the dst is whole
            state.journal_step(row["id"], "rolled-back")
        elif step == "copied" and not dst_whole and tmp and os.path.exists(tmp):
            if os.stat(tmp).st_size == size and not os.path.lexists(dst):
                _link_into_place(Path(tmp), dst)
            _remove(tmp)
            dst_whole = os.path.exists(dst) and os.stat(dst).st_size == size
            step = "placed" if dst_whole else step
            if not dst_whole:
                state.journal_step(row["id"], "rolled-back")
                settled += 1
                continue
        if dst_whole or step == "placed":
            _remove(tmp)
            if moving and os.path.exists(src) and dst_whole:
                if os.path.samefile(src, dst) or os.stat(src).st_size == size:
                    os.unlink(src)
            if row["item_id"] is not None and (moving or not os.path.exists(src)):
                state.set_item_path(row["item_id"], str(dst))
            state.journal_step(row["id"], "done")
        elif step not in ("planned",):
            _remove(tmp)
            state.journal_step(row["id"], "rolled-back")
        settled += 1
        log.info("recovered interrupted placement %s -> %s (%s)", src, dst, step)
    return settled
