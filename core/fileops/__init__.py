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

The package by job: :mod:`~shelver.fileops.stamps` (is the source still the file that was
identified: stamps and read leases), :mod:`~shelver.fileops.copying` (flushed, verified copies,
reflinks, temp names, fsync), :mod:`~shelver.fileops.placing` (the journaled placements) and
:mod:`~shelver.fileops.recovery` (settling what a crash interrupted; the op registry).
"""

from __future__ import annotations

from shelver.fileops.copying import (
    COPY_CHUNK,
    FICLONE,
    NO_REFLINK,
    ReflinkUnsupported,
    copy_flushed,
    copy_verified,
    file_digest,
    fsync_dir,
    same_filesystem,
    size_or_none,
    temp_name,
)
from shelver.fileops.placing import (
    ACTIONS,
    NO_HARDLINKS,
    VERIFY,
    DestinationExists,
    copy_owner,
    copy_unchanged,
    make_dirs,
    place_file,
    remember_owner,
    restore_owner,
    unlink_source,
)
from shelver.fileops.recovery import FILE_OPS, JournalOp, JournalOps, Settle, journal_ops, recover
from shelver.fileops.stamps import (
    OPEN_FOR_WRITING,
    SourceChanged,
    Stamp,
    check_unchanged,
    describe_change,
    held_unchanged,
    stamp_of,
    start_stamp,
)

__all__ = [
    "ACTIONS", "COPY_CHUNK", "FICLONE", "FILE_OPS", "NO_HARDLINKS", "NO_REFLINK", "OPEN_FOR_WRITING",
    "VERIFY", "DestinationExists", "JournalOp", "JournalOps", "ReflinkUnsupported", "Settle",
    "SourceChanged", "Stamp", "check_unchanged", "copy_flushed", "copy_owner", "copy_unchanged", "copy_verified",
    "describe_change", "file_digest", "fsync_dir", "held_unchanged", "journal_ops", "make_dirs",
    "place_file", "recover", "remember_owner", "restore_owner", "same_filesystem", "size_or_none",
    "stamp_of", "start_stamp", "temp_name", "unlink_source",
]
