"""The quick scan at the speed of the disk: the daemon's periodic sweep and ``shelver scan``.

An unchanged library costs one ``stat`` per video file and little else (docs/operations.md,
"Scans"). ``os.scandir`` gives each entry's type for free: no ``stat`` for folders, none for
files whose name is not a video's. The state DB is read one batch of folders at a time (one
query for up to :data:`BATCH_FOLDERS` folders or :data:`BATCH_FILES` files), so memory stays flat
however large the library is:

* a folder whose ctime and digest (of its video files' size, mtime and inode, and of the
  filters) are those recorded in ``scan_folders`` the last time it had nothing to do is done
  with: its files were stat'ed (a file rewritten in place changes only its own mtime, and
  so the digest), its items are not read. The ctime moves whenever a name in the folder is
  added, removed or renamed, and nothing can set it back; any write to an item of the folder
  drops the record (SQLite triggers, :func:`shelver.store.migrations.m014_scan_folders`);
* any other folder is compared file by file with its items: a file whose (size, mtime,
  inode) is the recorded one is done with; a new or changed one goes through the profile's
  filters and into the queue; an item whose file is gone becomes MISSING. A folder found with
  nothing to do is then recorded (under the write lock, only if its items are still the
  ones compared).

Only the standard library, :mod:`shelver.discovery` and the store are imported here: ``shelver
scan`` imports no plugin, trio or sqlite-utils (its start-up stays near ``shelver hook``'s).
"""

from __future__ import annotations

import logging
import os
import time
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from shelver.discovery import SYMLINKS, Filters, Listings
from shelver.errors import ConfigError

if TYPE_CHECKING:
    from shelver.profiles import Profile
    from shelver.store import StateDB

log = logging.getLogger("shelver")

BATCH_FOLDERS = 256
BATCH_FILES = 4096



class QuickScan:
    """One quick scan of a profile's sources into ``state`` (what is new or changed is recorded
    and queued; files gone become MISSING).

    ``links_reported``: symbolic links already warned about (the daemon warns once per link,
    not once per sweep). ``unsettled``: where files written to within ``settle_seconds`` go
    instead of the queue (the daemon's settler); without it they are left for a later scan.
    """

    def __init__(self, state: StateDB, profile_name: str, sources: list[str], filters: Filters,
                 *, settle_seconds: float = 30.0, links_reported: set[str] | None = None,
                 where_sources: str = "sources") -> None:
        self.state = state
        self.profile_name = profile_name
        self.sources = sources
        self.filters = filters
        self.settle_seconds = settle_seconds
        self.links_reported = links_reported if links_reported is not None else set()
        self.where_sources = where_sources
        self.extensions = frozenset(e.lower() for e in filters.extensions)
        # What the filters are, in a folder's digest: a folder recorded under other filters is
        # looked at again. crc32, not hash(): a string's hash differs from process to process.
        self.filters_key = zlib.crc32(repr((sorted(self.extensions), filters.min_size,
                                            filters.globs, [r.pattern for r in filters.regexes]
                                            )).encode("utf-8", "surrogateescape"))
        self.enqueued = 0
        self.young = 0
        self.now = 0.0

    @classmethod
    def of_profile(cls, profile: Profile, state: StateDB, filters: Filters | None = None,
                   links_reported: set[str] | None = None) -> QuickScan:
        """The quick scan of ``profile``'s sources (``filters``: the engine's, when it has
        them). Raises ConfigError for a ``placement.symlinks`` that is not a choice."""
        if filters is None:
            symlinks = str(profile.get("placement.symlinks", "skip"))
            if symlinks not in SYMLINKS:
                raise ConfigError(f"placement.symlinks must be one of {', '.join(SYMLINKS)}, "
                                  f"not {symlinks!r} ({profile.where('placement.symlinks')})")
            filters = Filters(profile.section("filters"), symlinks=symlinks, inside=profile.sources)
        return cls(state, profile.name, [str(s) for s in profile.sources], filters,
                   settle_seconds=float(profile.get("watch.settle_seconds", 30.0)),
                   links_reported=links_reported, where_sources=profile.where("sources"))

    def run(self, unsettled: list[str] | None = None) -> int:
        """Scan every source; returns how many files were queued."""
        self.enqueued = self.young = 0
        self.now = time.time()
        for root in self.sources:
            if not os.path.isdir(root):
                log.warning("source %s does not exist (%s)", root, self.where_sources)
                continue
            walked: set[str] = set()
            batch: list[Folder] = []
            files = 0
            for folder in self.walk(root):
                walked.add(folder.path)
                batch.append(folder)
                files += len(folder.keys)
                if len(batch) >= BATCH_FOLDERS or files >= BATCH_FILES:
                    self._compare(batch, unsettled)
                    batch, files = [], 0
            if batch:
                self._compare(batch, unsettled)
            # Folders that vanished with their files (read as a stream: no list of every folder).
            vanished = [d for d in self.state.dirs_under(root) if d not in walked]
            for directory in vanished:
                self.state.mark_missing(directory, set())
        if self.young:
            log.info("%d file(s) written to within watch.settle_seconds (%g s): taken once they "
                     "are stable", self.young, self.settle_seconds)
        return self.enqueued

    # -- the walk: one stat per video file -----------------------------------------------------

    def walk(self, root: str) -> Iterator[Folder]:
        """Every folder under ``root`` with its regular files whose extension is a video's (one
        ``stat`` each, nothing for other entries). Symbolic links go through the filters'
        rules (:meth:`Filters.link_target`): reported once, or followed."""
        extensions, filters = self.extensions, self.filters
        ignoring = bool(filters.globs or filters.regexes)
        stack = [root]
        visited = {os.path.realpath(root)}
        while stack:
            directory = stack.pop()
            folder = Folder(directory)
            prefix = directory + os.sep
            add_path, add_key = folder.paths.append, folder.keys.append
            try:
                # Listed through a descriptor: each file's stat is then an fstatat() relative to
                # the folder, not a walk of the whole path again.
                fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
            except OSError:
                continue  # vanished or unreadable: the next sweep sees it again
            try:
                folder.ctime_ns = os.fstat(fd).st_ctime_ns
                with os.scandir(fd) as entries:
                    for entry in entries:
                        name = entry.name
                        try:
                            if entry.is_file(follow_symlinks=False):
                                extension = name[name.rfind("."):]
                                if extension not in extensions \
                                        and extension.lower() not in extensions:
                                    continue
                                st = entry.stat()  # not a symbolic link: its lstat
                                add_path(prefix + name)
                                add_key((st.st_size, st.st_mtime, st.st_ino))
                            elif entry.is_dir(follow_symlinks=False):
                                if not ignoring or not filters.ignored(prefix + name):
                                    stack.append(prefix + name)
                            elif entry.is_symlink():
                                folder.links = True
                                self._link(prefix + name, root, stack, visited, folder)
                        except OSError:
                            continue  # gone since the listing: the next sweep sees it
            except OSError:
                continue
            finally:
                os.close(fd)
            yield folder

    def _link(self, path: str, root: str, stack: list[str], visited: set[str],
              folder: Folder) -> None:
        target, why = self.filters.link_target(path, root=root)
        if target is None:
            if path not in self.links_reported:
                self.links_reported.add(path)  # once per daemon, not per sweep
                log.warning("skipped %s: %s", path, why)
            return
        if os.path.isdir(target):
            if target not in visited and not self.filters.ignored(path):
                visited.add(target)
                stack.append(target)
            return
        if os.path.isfile(target):
            st = os.stat(target)
            folder.paths.append(target)
            folder.keys.append((st.st_size, st.st_mtime, st.st_ino))

    # -- the comparison: one query per batch of folders ------------------------------------

    def _compare(self, batch: list[Folder], unsettled: list[str] | None) -> None:
        recorded_folders = self.state.scan_folders([folder.path for folder in batch])
        todo = []
        for folder in batch:
            folder.digest = hash((self.filters_key, len(folder.keys), frozenset(folder.keys)))
            if recorded_folders.get(folder.path) == (folder.ctime_ns, folder.digest):
                continue  # the folder and its files are as when nothing was left to do
            todo.append(folder)
        if not todo:
            return
        # {(path, size, mtime, inode)} of the files recorded as done with: a stamp found in it
        # is an unchanged file (a set lookup); ``recorded``: the path of every record.
        done, recorded = self.state.scan_records([folder.path for folder in todo])
        settle, now = self.settle_seconds, self.now
        seen: set[str] = set()
        busy: set[str] = set()  # folders with something to do: not recorded as clean
        for folder in todo:
            for path, (size, mtime, inode) in zip(folder.paths, folder.keys, strict=True):
                if (path, size, mtime, inode) in done:
                    seen.add(path)
                    continue  # unchanged: one stat, no DB write
                if not self.filters.verdict(path, size)[0]:
                    continue
                seen.add(path)
                busy.add(folder.path)
                age = now - mtime
                if age < settle or age < 0:  # written to lately (or dated in the future)
                    self.young += 1
                    if unsettled is not None:
                        unsettled.append(path)
                    continue
                if self.state.observe(path, size, mtime, inode, self.profile_name) is not None:
                    self.enqueued += 1
        gone = {os.path.dirname(path) for path in recorded if path not in seen}
        for directory in gone:
            self.state.mark_missing(directory, {p for p in seen if os.path.dirname(p) == directory})
        clean = []
        for folder in todo:
            if folder.path in busy or folder.path in gone or folder.links or (
                    not folder.keys and folder.path not in recorded_folders):
                continue
            if time.time_ns() - folder.ctime_ns <= Listings.racy_ns(folder.ctime_ns):
                continue  # a file added in the same timestamp tick would not move the ctime
            stamps = {(path, *key) for path, key in zip(folder.paths, folder.keys, strict=True)}
            clean.append((folder.path, folder.ctime_ns, folder.digest, stamps & done))
        if clean:
            self.state.save_scan_folders(clean)


class Folder:
    """A folder met by the walk: its ctime, and the path and (size, mtime, inode) of each of
    its video files."""

    __slots__ = ("ctime_ns", "digest", "keys", "links", "path", "paths")

    def __init__(self, path: str) -> None:
        self.path = path
        self.ctime_ns = 0
        self.digest = 0
        self.paths: list[str] = []
        self.keys: list[tuple[int, float, int]] = []
        self.links = False  # a symbolic link in it: always compared (its target may move)
