"""Is the source still the file that was identified? Its (size, mtime, inode) stamp, read when
a placement starts, after the copy and, under a read lease, just before the placement is made
final (the crash invariants: :mod:`shelver.fileops`)."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path


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
