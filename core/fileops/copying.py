"""Copying bytes safely: the kernel's fast copy or a reflink, flushed to disk and verified; temp
names beside a destination; fsync of a folder; comparing two names (see :mod:`shelver.fileops`)."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import shutil
import stat
from pathlib import Path

from shelver.discovery import TEMP_MARKER

log = logging.getLogger("shelver.fsops")

COPY_CHUNK = 8 * 1024 * 1024


def same_filesystem(src: Path, dst_dir: Path) -> bool:
    return os.stat(src).st_dev == os.stat(dst_dir).st_dev


def temp_name(dst: Path, token: int | str) -> Path:
    """A hidden name beside ``dst`` that discovery never takes; fits in 255 bytes."""
    head = dst.name.encode("utf-8")[:200].decode("utf-8", errors="ignore")
    return dst.with_name(f".{head}{TEMP_MARKER}-{token}")


def file_digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=32)
    with open(path, "rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class ReflinkUnsupported(OSError):
    """``action = "reflink"`` where the filesystems cannot share extents (and no fallback)."""


def copy_flushed(src: Path, dst: Path, *, clone: str | None = None) -> None:
    """Copy with the kernel's fast path (copy_file_range/sendfile) and flush to disk.

    ``clone`` asks for a reflink (FICLONE: the copy shares the source's extents, instantly):
    ``"fallback"`` copies when the filesystem cannot, ``"error"`` raises
    :class:`ReflinkUnsupported` instead."""
    with open(src, "rb") as fsrc, open(dst, "xb") as fdst:
        if clone is None or not _clone(fsrc.fileno(), fdst.fileno(), src, dst, clone):
            if hasattr(os, "sendfile"):
                _sendfile(fsrc, fdst)
            else:
                shutil.copyfileobj(fsrc, fdst, COPY_CHUNK)
        fdst.flush()
        os.fsync(fdst.fileno())
    try:
        shutil.copystat(src, dst)
    except OSError:  # some mounts (CIFS, FUSE) refuse chmod: the timestamps are what matter
        st = os.stat(src)
        try:
            os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))
        except OSError:
            log.debug("cannot copy timestamps to %s", dst)


FICLONE = 0x40049409  # linux/fs.h: _IOW(0x94, 9, int)
NO_REFLINK = (errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EINVAL, errno.ENOTTY,
              errno.ENOSYS, errno.EBADF, errno.EPERM)


def _clone(src_fd: int, dst_fd: int, src: Path, dst: Path, clone: str) -> bool:
    """Reflink ``src_fd`` into ``dst_fd``; False when the filesystem cannot and we may copy."""
    try:
        import fcntl

        fcntl.ioctl(dst_fd, FICLONE, src_fd)
        return True
    except (ImportError, OSError) as exc:
        code = getattr(exc, "errno", None)
        if isinstance(exc, OSError) and code not in NO_REFLINK:
            raise
        if clone == "error":
            raise ReflinkUnsupported(code or errno.EOPNOTSUPP,
                                     f"cannot reflink {src} to {dst}: the filesystem does not "
                                     f"share extents there (placement.reflink = \"fallback\" "
                                     f"copies instead)") from None
        log.info("no reflink from %s to %s: copying", src, dst)
        return False


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


def _same_inode(a: Path | str, b: Path | str) -> bool:
    """Two names of one file (hard links), neither of them a symlink."""
    try:
        sa, sb = os.lstat(a), os.lstat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino) and not stat.S_ISLNK(sa.st_mode)


def _same_content(a: Path | str, b: Path | str) -> bool:
    return file_digest(Path(a)) == file_digest(Path(b))


def size_or_none(path: Path | str) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None


def copy_verified(src: Path, target: Path, size: int, verify: str, *,
                  clone: str | None = "fallback", what: str = "copy") -> None:
    """Copy ``src`` to the new file ``target``, flushed, then check it is whole: its size, and
    with ``verify = "hash"`` a checksum of both. Raises OSError (EIO) when it is not."""
    copy_flushed(src, target, clone=clone)
    copied = os.stat(target).st_size
    if copied != size:
        raise OSError(errno.EIO, f"{what} of {src} is {copied} bytes, expected {size}")
    if verify == "hash" and file_digest(src) != file_digest(target):
        raise OSError(errno.EIO, f"{what} of {src} does not match its checksum")


def _remove(path: Path | str | None) -> None:
    if path and os.path.lexists(path):
        os.unlink(path)


def fsync_dir(directory: Path | str) -> None:
    """Flush a directory's entries (a rename or a new name) to disk; best effort where the
    filesystem cannot (network shares)."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
