"""Finding files: walking sources, the profile's filters, partial downloads, companions, settling.

The quick scan's cost is one ``stat`` per directory entry: ``os.scandir`` gives the entry type
for free, and the state DB is read one directory at a time so memory stays flat however large the
library is.
"""

from __future__ import annotations

import bisect
import contextlib
import fnmatch
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

VIDEO_EXTENSIONS = [
    ".mkv", ".mp4", ".m4v", ".avi", ".mov", ".wmv", ".mpg", ".mpeg", ".ts", ".m2ts", ".webm",
    ".flv", ".ogm", ".divx", ".iso",
]
# Names a downloader gives files it is still writing: never taken.
PARTIAL_SUFFIXES = (".part", ".!qb", ".!ut", ".crdownload", ".tmp", ".partial", ".download")
# SABnzbd's "_UNPACK_<name>" / "_FAILED_<name>" folders, NZBGet's "_unpack" folder (any case).
PARTIAL_MARKERS = ("_unpack_", "_failed_")
PARTIAL_FOLDERS = ("_unpack",)
SUBTITLE_EXTENSIONS = (".srt", ".ass", ".ssa", ".sub", ".idx", ".vtt", ".sup")
# Sidecars that travel with their video when their name starts with the video's stem.
COMPANION_EXTENSIONS = (*SUBTITLE_EXTENSIONS, ".nfo", ".jpg", ".jpeg", ".png", ".tbn")
# shelver's own temp files (see shelver.fileops).
TEMP_MARKER = ".shelver-tmp"
# placement.symlinks: what a symbolic link met in the sources is (docs/configuration.md).
SYMLINKS = ("skip", "follow")


def valid_name(path: str | Path) -> bool:
    """Whether a path decodes as UTF-8 (``os.fsdecode`` keeps other bytes as surrogates)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(text: str) -> str:
    """``text`` safe to print on one line: control characters (newlines...) and bytes that are
    not UTF-8 are shown escaped, so a name can neither inject lines into a client's log (NZBGet
    treats ``[NZB] ...`` lines as commands) nor break the terminal."""
    raw = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in raw)


def is_partial(path: str | Path) -> bool:
    """Whether a name marks an unfinished download or one of shelver's temp files."""
    text = str(path).lower()
    name = os.path.basename(text)
    if name.endswith(PARTIAL_SUFFIXES) or TEMP_MARKER in name:
        return True
    # SABnzbd/NZBGet name the folders they are still unpacking (or gave up on) "_UNPACK_<job>" and
    # "_FAILED_<job>": only a path component that starts so counts, never "_failed_" inside a
    # name ("test_a_failed_item", "Bob_Unpack_Shed.mkv").
    parts = text.split(os.sep)
    if any(part.startswith(PARTIAL_MARKERS) for part in parts):
        return True
    return any(part in PARTIAL_FOLDERS for part in parts)


class Found(NamedTuple):
    """A regular file met by a walk, with the verdict of the profile's filters."""

    path: str
    size: int
    mtime: float
    inode: int
    video: bool
    reason: str | None = None  # why it is not taken, for `skipped`
    link: bool = False  # a symbolic link, not taken (placement.symlinks)


class Filters:
    """A profile's ``[filters]`` table: extensions, minimum size, ignore globs or regexes; and
    ``placement.symlinks`` (``symlinks``): a symbolic link met in a walk is skipped and reported
    (``"skip"``), or followed (``"follow"``) only to a file or folder inside ``inside`` (the
    sources) or the folder walked, never elsewhere."""

    def __init__(self, section: dict[str, Any], *, symlinks: str = "skip",
                 inside: Iterable[str | Path] = ()) -> None:
        if symlinks not in SYMLINKS:
            raise ValueError(f"symlinks must be one of {', '.join(SYMLINKS)}, not {symlinks!r}")
        self.symlinks = symlinks
        self.inside = [os.path.realpath(p) for p in inside]
        self.extensions = tuple(section.get("extensions", ()))
        self.min_size = int(float(section.get("min_size_mb", 50)) * 1024 * 1024)
        self.globs: list[str] = []
        self.regexes: list[re.Pattern[str]] = []
        for pattern in section.get("ignore", []):
            if pattern.startswith("re:"):
                self.regexes.append(re.compile(pattern[3:]))
            else:
                self.globs.append(pattern)

    def ignored(self, path: str) -> bool:
        name = os.path.basename(path)
        if any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(path, g) for g in self.globs):
            return True
        return any(r.search(path) for r in self.regexes)

    def is_video_name(self, path: str) -> bool:
        return os.path.splitext(path)[1].lower() in self.extensions

    def verdict(self, path: str, size: int) -> tuple[bool, str | None]:
        """``(is_candidate_video, reason_if_not)`` for one file."""
        if not valid_name(path):
            # A name that is not UTF-8 (bytes from another system's encoding) cannot be stored,
            # templated or shown safely: it is reported, never processed or moved.
            return False, "the name is not valid UTF-8: rename the file"
        if is_partial(path):
            return False, "partial download"
        if self.ignored(path):
            return False, "ignored by filters.ignore"
        if not self.is_video_name(path):
            return False, "not a video (filters.extensions)"
        if size < self.min_size:
            return False, f"smaller than filters.min_size_mb ({self.min_size // (1024 * 1024)} MB)"
        return True, None

    def link_target(self, path: str, *, root: str | None = None) -> tuple[str | None, str | None]:
        """For a symbolic link ``path``: ``(target, None)`` when it may be followed, else
        ``(None, why it is skipped)``. ``root``: the folder being walked (also allowed)."""
        target = os.path.realpath(path)
        if self.symlinks != "follow":
            return None, f'a symbolic link (to {target}): skipped (placement.symlinks = "skip")'
        allowed = [*self.inside, *([os.path.realpath(root)] if root else [])]
        if not any(target == a or target.startswith(a.rstrip(os.sep) + os.sep) for a in allowed):
            return None, f"a symbolic link to {target}, outside the sources: never followed"
        return target, None


def _link_found(path: str, reason: str) -> Found:
    """A symbolic link that is not taken: reported, never a candidate."""
    try:
        st = os.lstat(path)
    except OSError:
        return Found(path, 0, 0.0, 0, False, reason, link=True)
    return Found(path, 0, st.st_mtime, st.st_ino, False, reason, link=True)


def walk(root: str, filters: Filters) -> Iterator[tuple[str, list[Found]]]:
    """Yield ``(directory, files)`` for every directory under ``root`` (or for a single file).

    Symbolic links (to files or folders) are reported as skipped unless ``filters`` follows
    them (:meth:`Filters.link_target`); a followed link gives its target's real path."""
    if os.path.islink(root) and not os.path.isdir(root):
        target, why = filters.link_target(root)
        if target is None:
            yield os.path.dirname(root), [_link_found(root, str(why))]
            return
        root = target
    if os.path.isfile(root):
        try:
            st = os.stat(root)
        except OSError:
            return  # gone since the check: nothing to report
        video, reason = filters.verdict(root, st.st_size)
        yield os.path.dirname(root), [Found(root, st.st_size, st.st_mtime, st.st_ino, video, reason)]
        return
    stack = [root]
    visited = {os.path.realpath(root)}
    while stack:
        directory = stack.pop()
        files: list[Found] = []
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue  # vanished or unreadable: the next sweep sees it again
        for entry in entries:
            path = entry.path
            try:
                if entry.is_symlink():
                    target, why = filters.link_target(path, root=root)
                    if target is None:
                        files.append(_link_found(path, str(why)))
                        continue
                    if os.path.isdir(target):
                        if target not in visited and not filters.ignored(path):
                            visited.add(target)
                            stack.append(target)
                        continue
                    path = target
                elif entry.is_dir(follow_symlinks=False):
                    if not filters.ignored(path):
                        stack.append(path)
                    continue
                if not os.path.isfile(path):
                    continue
                st = os.stat(path)
            except OSError:
                continue
            video, reason = filters.verdict(path, st.st_size)
            files.append(Found(path, st.st_size, st.st_mtime, st.st_ino, video, reason))
        yield directory, files


def companions_of(video: str | Path, siblings: list[str] | None = None) -> list[Path]:
    """Sidecars of a video: files in its folder named ``<stem>.<...>.<companion ext>``.

    ``Movie.mkv`` takes ``Movie.srt``, ``Movie.en.forced.srt``, ``Movie.nfo``, ``Movie-poster.jpg``.
    ``siblings``: the folder's files (full paths), when the caller has listed it already; for
    several videos of one folder, build one :class:`Sidecars` instead.
    """
    if siblings is None:
        listed = LISTINGS.get(os.path.dirname(os.path.abspath(video)))
        if listed is None:
            return []
        # A cached listing may name a file gone since (someone else removed it).
        return [path for path in listed.of(video) if os.path.lexists(path)]
    return Sidecars(siblings).of(video)


class Sidecars:
    """The files of one folder, sorted once, so that finding a video's sidecars costs a binary
    search and a look at the names sharing its stem: a flat folder of 10,000 videos is not
    10,000 × 10,000 name comparisons."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = sorted(paths)
        self.folder = os.path.dirname(self.paths[0]) if self.paths else ""

    def discard(self, path: str) -> None:
        index = bisect.bisect_left(self.paths, path)
        if index < len(self.paths) and self.paths[index] == path:
            del self.paths[index]

    def of(self, video: str | Path) -> list[Path]:
        """``video``'s sidecars (it is in this folder, however its path is spelt)."""
        video_name = os.path.basename(video)
        stem = os.path.splitext(video_name)[0]
        stem_path = os.path.join(self.folder, stem)
        # Every sidecar's (and every longer-named video's) path starts with the video's stem.
        start = bisect.bisect_left(self.paths, stem_path)
        sharing = []
        for path in self.paths[start:]:
            if not path.startswith(stem_path):
                break
            sharing.append(path)
        # Another video whose stem is longer and also matches (``Movie.Extended.mkv`` beside
        # ``Movie.mkv``) owns the sidecars named after it. Any known video extension counts
        # here, whatever the profile's filters take.
        longer_stems = [
            other for other in (os.path.splitext(os.path.basename(s)) for s in sharing)
            if other[1].lower() in VIDEO_EXTENSIONS and len(other[0]) > len(stem)
            and _named_after(other[0], stem)
        ]
        found = []
        for sibling in sharing:
            name = os.path.basename(sibling)
            if name == video_name or not name.lower().endswith(COMPANION_EXTENSIONS):
                continue
            if _named_after(name, stem) and not any(_named_after(name, o) for o, _ in longer_stems):
                found.append(Path(sibling))
        return found


class Listings:
    """Sorted listings of folders (as :class:`Sidecars`), reused while a folder's ctime stays
    the same, so that placing 10,000 files out of one flat folder does not list it 10,000 times.
    The ctime, not the mtime: every change to a folder's entries moves it, and nothing can set
    it back (``cp -a``, ``rsync -a`` and ``touch`` can put back an mtime, not a ctime).

    A listing is kept only when the folder's ctime is older than a timestamp tick
    (:meth:`racy_ns`: a file added in the same tick would not change it). When shelver itself
    removes a file from a listed folder (:meth:`removing`, around the unlink or rename), the
    listing is updated instead of dropped, if the folder had not changed just before: a file
    another process adds in that instant could be missed, which costs at most a sidecar not
    travelling with its video (it stays where it is, and is not lost).
    """

    LIMIT = 256

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: dict[str, tuple[int, Sidecars]] = {}

    @staticmethod
    def racy_ns(stamp: int) -> int:
        """How recent a ctime may hide a later change in the same timestamp tick: two
        seconds where timestamps are whole seconds (FAT, SMB, ext3), else 20 ms (a few of the
        kernel's ticks)."""
        return 2_000_000_000 if stamp % 1_000_000_000 == 0 else 20_000_000

    @staticmethod
    def stamp(folder: str) -> int | None:
        try:
            return os.stat(folder).st_ctime_ns
        except OSError:
            return None

    def get(self, folder: str) -> Sidecars | None:
        """The folder's files, or None when it cannot be listed."""
        stamp = self.stamp(folder)
        with self._lock:
            cached = self._cached.get(folder)
            if cached is not None and cached[0] == stamp:
                return cached[1]
        try:
            # Symbolic links never travel as a video's sidecars (placement.symlinks).
            listed = Sidecars(e.path for e in os.scandir(folder) if e.is_file(follow_symlinks=False))
        except OSError:
            return None
        if stamp is not None and time.time_ns() - stamp > self.racy_ns(stamp):
            with self._lock:
                if len(self._cached) >= self.LIMIT:
                    self._cached.pop(next(iter(self._cached)))
                self._cached[folder] = (stamp, listed)
        return listed

    @contextlib.contextmanager
    def removing(self, path: str | Path) -> Iterator[None]:
        """Around shelver's own unlink or rename of ``path`` out of its folder: a listing
        that was current just before is updated (kept current) instead of dropped."""
        folder = os.path.dirname(os.path.abspath(path))
        with self._lock:  # own removals one at a time: each sees the ctime the last one left
            before = self.stamp(folder)
            yield
            cached = self._cached.pop(folder, None)
            if cached is None or before is None or cached[0] != before:
                return
            after = self.stamp(folder)
            if after is not None:
                cached[1].discard(os.path.join(folder, os.path.basename(path)))
                self._cached[folder] = (after, cached[1])


LISTINGS = Listings()


def _named_after(name: str, stem: str) -> bool:
    """``Movie.en.srt`` and ``Movie-poster.jpg`` are named after ``Movie``; ``Movie2.srt`` is not."""
    return name.startswith(stem) and name[len(stem):len(stem) + 1] in (".", "-")


class Settler:
    """Takes a file seen through an event only once its size and mtime have been stable for
    ``settle_seconds`` (measured on trio's clock, so tests can jump it)."""

    def __init__(self, settle_seconds: float) -> None:
        self.settle_seconds = settle_seconds
        self.pending: dict[str, tuple[int, float, float]] = {}  # path -> (size, mtime, since)

    def seen(self, path: str, now: float) -> None:
        if is_partial(path):
            return
        try:
            st = os.stat(path)
        except OSError:
            self.pending.pop(path, None)
            return
        old = self.pending.get(path)
        if old is None or (old[0], old[1]) != (st.st_size, st.st_mtime):
            self.pending[path] = (st.st_size, st.st_mtime, now)

    def ready(self, now: float) -> list[str]:
        """Paths stable for long enough: removed from the pending set and returned."""
        done = []
        for path, (size, mtime, since) in list(self.pending.items()):
            try:
                st = os.stat(path)
            except OSError:
                del self.pending[path]
                continue
            if (st.st_size, st.st_mtime) != (size, mtime):
                self.pending[path] = (st.st_size, st.st_mtime, now)
            elif now - since >= self.settle_seconds:
                del self.pending[path]
                done.append(path)
        return done
