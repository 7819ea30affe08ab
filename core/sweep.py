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
  ones compared), one without videos too;
* the DB's folders are read for vanished ones (their items become MISSING) only when a
  folder was not as recorded: a folder removed or renamed moves its parent's ctime.

Only the standard library, :mod:`shelver.discovery` and the store are imported here: ``shelver
scan`` imports no plugin, trio or sqlite-utils (its start-up stays near ``shelver hook``'s).
"""

from __future__ import annotations

import logging
import operator
import os
import time
import zlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from shelver.discovery import SYMLINKS, Filters, Listings
from shelver.errors import ConfigError

if TYPE_CHECKING:
    from shelver.profiles import Profile
    from shelver.store import StateDB

# A folder listed: (ctime_ns, video entries, their stats then those of the files followed links
# lead to, those files' paths and stats, whether it holds a symbolic link).
Listing = tuple[int, list[os.DirEntry[str]], list[os.stat_result],
                list[tuple[str, os.stat_result]], bool]

log = logging.getLogger("shelver")

BATCH_FOLDERS = 256
_STAT = os.DirEntry.stat  # called through map(): no Python frame per file
# (size, mtime, inode) of a stat result, in C: what the DB records of a file.
_KEY: Callable[[os.stat_result], tuple[int, float, int]] = operator.attrgetter(
    "st_size", "st_mtime", "st_ino")
BATCH_FILES = 4096


def _digest(filters_key: int, stats: list[os.stat_result]) -> int:
    """A folder's digest: the filters, and its video files' (size, mtime, inode) as a set
    (whatever order the folder is listed in; each mtime tied to its file)."""
    return hash((filters_key, len(stats), frozenset(map(_KEY, stats))))


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
        # A superset of the names Filters.verdict takes (it is asked about each new file).
        self.suffixes = tuple(sorted(self.extensions))
        # What the filters are, in a folder's digest: a folder recorded under other filters is
        # looked at again. crc32, not hash(): a string's hash differs from process to process.
        self.filters_key = zlib.crc32(repr((sorted(self.extensions), filters.min_size,
                                            filters.globs, [r.pattern for r in filters.regexes]
                                            )).encode("utf-8", "surrogateescape"))
        self.enqueued = 0
        self.young = 0
        self.changed = False  # a folder not as recorded (or not listed): look for vanished ones
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
            self.changed = bool(self.filters.globs or self.filters.regexes)
            batch: list[Folder] = []
            files = 0
            for folder in self.walk(root):
                walked.add(folder.path)
                batch.append(folder)
                files += folder.count
                if len(batch) >= BATCH_FOLDERS or files >= BATCH_FILES:
                    self._compare(batch, root, unsettled)
                    batch, files = [], 0
            if batch:
                self._compare(batch, root, unsettled)
            if not self.changed:
                # Every folder as recorded: none lost a subfolder (that moves its ctime), so no
                # folder of the DB vanished (each folder, videos or not, is recorded).
                continue
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
        """Every folder under ``root`` with the digest of its regular files whose extension is
        a video's (one ``stat`` each, nothing for other entries). Symbolic links go through the
        filters' rules (:meth:`Filters.link_target`): reported once, or followed.

        Nothing of a file outlives its folder's digest: a batch of folders holding every
        entry and stat result until its DB query cost more than the stats themselves (the
        memory churn), so a folder that must be compared file by file is listed again
        (:meth:`_detail`), which an unchanged library never needs."""
        stack = [root]
        visited = {os.path.realpath(root)}
        key = self.filters_key
        while stack:
            directory = stack.pop()
            listing = self._list(directory, root, stack, visited)
            if listing is None:
                self.changed = True  # its items are looked at (MISSING if they are gone)
                continue  # vanished or unreadable: the next sweep sees it again
            ctime_ns, _entries, stats, _targets, links = listing
            yield Folder(directory, ctime_ns, _digest(key, stats), len(stats), links)

    def _list(self, directory: str, root: str, stack: list[str], visited: set[str]
              ) -> Listing | None:
        """One folder: its ctime, its video files' entries and stats (those of the files
        followed links lead to last, with their paths in ``targets``), and whether it holds
        a symbolic link. Its subfolders go onto ``stack``. None if it cannot be listed."""
        suffixes, filters = self.suffixes, self.filters
        ignoring = bool(filters.globs or filters.regexes)
        prefix = directory + os.sep
        files: list[os.DirEntry[str]] = []
        add = files.append
        targets: list[tuple[str, os.stat_result]] = []
        links = False
        try:
            # Listed through a descriptor: each file's stat is then an fstatat() relative to
            # the folder, not a walk of the whole path again.
            fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return None
        try:
            ctime_ns = os.fstat(fd).st_ctime_ns
            with os.scandir(fd) as entries:
                for entry in entries:
                    try:
                        if entry.is_file(follow_symlinks=False):
                            name = entry.name
                            if name.endswith(suffixes) or name.lower().endswith(suffixes):
                                add(entry)
                        elif entry.is_dir(follow_symlinks=False):
                            path = prefix + entry.name
                            if not ignoring or not filters.ignored(path):
                                stack.append(path)
                        elif entry.is_symlink():
                            links = True
                            self._link(prefix + entry.name, root, stack, visited, targets)
                    except OSError:
                        continue  # gone since the listing: the next sweep sees it
            try:
                stats = list(map(_STAT, files))  # in C: no Python frame per file
            except OSError:  # one vanished since the listing: the others, one by one
                stats, kept = [], []
                for entry in files:
                    try:
                        stats.append(entry.stat())
                    except OSError:
                        continue
                    kept.append(entry)
                files = kept
        except OSError:
            return None
        finally:
            os.close(fd)
        if targets:
            stats.extend(st for _target, st in targets)
        return ctime_ns, files, stats, targets, links

    def _link(self, path: str, root: str, stack: list[str], visited: set[str],
              targets: list[tuple[str, os.stat_result]]) -> None:
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
            targets.append((target, os.stat(target)))

    def _detail(self, folder: Folder, root: str) -> None:
        """The path and (size, mtime, inode) of each video file of a folder to compare file by
        file, listed again (its ctime and digest with them). A folder gone since the walk is
        left with no file and not recorded: its items go through the check for MISSING ones."""
        listing = self._list(folder.path, root, [], set())
        if listing is None:
            folder.paths, folder.keys, folder.links = [], [], True
            return
        ctime_ns, entries, stats, targets, folder.links = listing
        folder.ctime_ns = ctime_ns
        folder.count = len(stats)
        folder.keys = list(map(_KEY, stats))
        folder.digest = _digest(self.filters_key, stats)
        prefix = folder.path + os.sep
        folder.paths = [prefix + entry.name for entry in entries] + [t for t, _st in targets]

    # -- the comparison: one query per batch of folders ------------------------------------

    def _compare(self, batch: list[Folder], root: str, unsettled: list[str] | None) -> None:
        unmatched = self.state.unmatched_scan_folders(
            [(folder.path, folder.ctime_ns, folder.digest) for folder in batch])
        todo = []
        for folder in batch:
            if folder.links or folder.path in unmatched:
                if folder.count or folder.links:  # else it has no file to compare
                    self._detail(folder, root)
                todo.append(folder)
            # else the folder and its files are as when nothing was left to do
        if not todo:
            return
        self.changed = True
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
            if folder.path in busy or folder.path in gone or folder.links:
                continue
            if time.time_ns() - folder.ctime_ns <= Listings.racy_ns(folder.ctime_ns):
                continue  # a file added in the same timestamp tick would not move the ctime
            stamps = {(path, *key) for path, key in zip(folder.paths, folder.keys, strict=True)}
            clean.append((folder.path, folder.ctime_ns, folder.digest, stamps & done))
        if clean:
            self.state.save_scan_folders(clean)


class Folder:
    """A folder met by the walk: its ctime, how many video files it holds and their digest;
    for a folder compared file by file (:meth:`QuickScan._detail`), their paths and (size,
    mtime, inode)."""

    __slots__ = ("count", "ctime_ns", "digest", "keys", "links", "path", "paths")

    def __init__(self, path: str, ctime_ns: int, digest: int, count: int, links: bool) -> None:
        self.path = path
        self.ctime_ns = ctime_ns
        self.digest = digest
        self.count = count
        self.links = links  # a symbolic link in it: always compared (its target may move)
        self.paths: list[str] = []
        self.keys: list[tuple[int, float, int]] = []
