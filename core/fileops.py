"""Crash-safe file placement: move, copy, hardlink, symlink, each journaled.

The rules that make a crash at any instant recoverable:

* a journal row is written before the disk is touched, and advanced after each step;
* nothing is ever written under its final name until it is whole: across filesystems the copy
  goes to a temp name beside the destination, is flushed and verified, and only then linked into
  place (``os.link`` fails if the name exists, so a destination is never overwritten);
* the source is unlinked only after the destination is whole and recorded;
* the source is the file that was identified and copied: its size, mtime and inode are read
  when the placement starts (and compared with what the caller identified, ``expect``), again
  after the copy, and again, under a read lease where the kernel grants one (no other program
  has the file open for writing, and none can open it for writing meanwhile), just before a
  hard link is kept or the source is unlinked. Any change aborts the placement with
  :class:`SourceChanged`: the copy or the new link is removed, the source is left as it is.

:func:`recover` rolls every unfinished row forward (the destination is provably ours and whole)
or back (it is not), so that each file exists exactly once, whole, under its source or its final
name, and no temp file survives. The temp file is removed only after the "placed" step, so at the
"copied" step its inode tells whether the destination is ours; every row records its process, so
recovery never touches a placement another live instance is making. Each row records the
source's (size, mtime, inode) in its detail (``src_stamp``): recovery rolls back a copy or a
link whose source has changed since, and never unlinks a source that is not the file copied.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import secrets
import shutil
import signal
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shelver.discovery import LISTINGS, TEMP_MARKER
from shelver.store import StateDB, owner_id, pid_alive

log = logging.getLogger("shelver.fsops")

COPY_CHUNK = 8 * 1024 * 1024
ACTIONS = ("move", "copy", "hardlink", "symlink", "reflink")
VERIFY = ("size", "hash")
# os.link errors that mean "no hard link possible here" rather than "something is wrong".
NO_HARDLINKS = (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS)


class DestinationExists(FileExistsError):
    """The destination name is taken by another file: never overwritten."""


class SourceChanged(OSError):
    """The source changed while it was being placed (still being written, rewritten, or
    replaced by another file): nothing of this placement is kept, the source is untouched, and
    the item is tried again later."""


# (size, mtime in ns, inode) of a source: what a placement checks it still has.
Stamp = tuple[int, int, int]


def stamp_of(path: Path | str) -> Stamp:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ino


def describe_change(path: Path | str, before: Stamp, now: Stamp | None) -> str:
    """Why ``path`` is no longer the file it was (for :class:`SourceChanged`)."""
    if now is None:
        return f"{path}: vanished while being placed"
    if now[2] != before[2]:
        return f"{path}: replaced by another file while being placed"
    if now[0] != before[0]:
        return (f"{path}: still being written ({before[0]} bytes, now {now[0]}): "
                f"left in place, retried later")
    return f"{path}: modified while being placed: left in place, retried later"


def check_unchanged(path: Path | str, before: Stamp) -> None:
    """Raise :class:`SourceChanged` unless ``path`` still has the stamp ``before``."""
    try:
        now: Stamp | None = stamp_of(path)
    except FileNotFoundError:
        now = None
    if now != before:
        raise SourceChanged(describe_change(path, before, now))


def start_stamp(src: Path, expect: tuple[int, float, int] | None) -> Stamp:
    """The source's stamp as a placement starts; ``expect`` is (size, mtime, inode) as the
    caller identified it (an :class:`~shelver.model.Item`'s): a source that is no longer that
    file is not placed (:class:`SourceChanged`)."""
    with held_unchanged(src, None):
        pass  # not open for writing by another program (where a lease tells)
    st = os.stat(src)
    if expect is not None and (st.st_size, st.st_mtime, st.st_ino) != tuple(expect):
        size, _mtime, inode = expect
        before = (int(size), st.st_mtime_ns if st.st_mtime == expect[1] else -1, int(inode))
        raise SourceChanged(describe_change(src, before, (st.st_size, st.st_mtime_ns, st.st_ino)))
    return st.st_size, st.st_mtime_ns, st.st_ino


OPEN_FOR_WRITING = "open for writing by another program: left in place, retried later"


@contextlib.contextmanager
def held_unchanged(src: Path, before: Stamp | None) -> Iterator[Callable[[], None]]:
    """Around the step that makes a placement final (keeping a link, unlinking a moved source).

    Takes a read lease on ``src`` where the kernel grants one (Linux, the file's owner): it is
    refused while any program has the file open for writing, and while it is held nobody can
    open it for writing (the opener waits; the lease-break signal is SIGURG, ignored by
    default). Yields ``check()``, which raises :class:`SourceChanged` if the file is open for
    writing or differs from ``before`` (None: only the lease): call it right before the final
    step."""
    try:
        fd: int | None = os.open(src, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        if before is None:
            raise
        raise SourceChanged(describe_change(src, before, None)) from None
    except PermissionError:
        fd = None  # not readable by us (a link needs no read access): the stamps alone decide
    leased = False
    try:
        try:
            if fd is None:
                raise OSError(errno.EACCES, "no lease without a file descriptor")
            import fcntl

            fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGURG)
            fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
            leased = True
        except (ImportError, AttributeError, OSError) as exc:
            if getattr(exc, "errno", None) == errno.EAGAIN:
                raise SourceChanged(f"{src}: {OPEN_FOR_WRITING}") from None
            # Not the file's owner, a filesystem without leases: the stamps alone decide.

        def check() -> None:
            if leased and fd is not None:  # leased implies an open fd
                import fcntl

                if fcntl.fcntl(fd, fcntl.F_GETLEASE) != fcntl.F_RDLCK:
                    raise SourceChanged(f"{src}: {OPEN_FOR_WRITING}")
            if before is None:
                return
            if fd is not None and os.fstat(fd).st_ino != before[2]:
                raise SourceChanged(f"{src}: replaced by another file while being placed")
            check_unchanged(src, before)

        check()
        yield check
    finally:
        if fd is not None:
            if leased:
                with contextlib.suppress(OSError):
                    import fcntl

                    fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
            os.close(fd)


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
        try:
            copy_verified(src, tmp, size, verify, clone=clone)
        except OSError:
            check_unchanged(src, stamp)  # a copy of the wrong length: the source grew?
            raise
        check_unchanged(src, stamp)
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
