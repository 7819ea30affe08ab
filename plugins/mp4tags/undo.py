"""How a tagged MP4 gets its original bytes back: a reverse patch, journaled with the tagging.

Tagging (:mod:`shelver.plugins.mp4tags.tagger`) rewrites a placed file, so ``shelver undo`` could
move a file back to the downloads folder but not un-write its tags. Keeping a full copy of
every original would double the space a backlog of MP4s takes. It is not needed: mutagen only
ever rewrites the *metadata* of an MP4. Every ``mdat`` atom (the audio and video, nearly all
of the bytes) keeps its content and its order, at most shifted when ``moov`` grows before it.
So the original file is

    its top-level atoms in order = the non-``mdat`` atoms as they were (kept here, compressed)
                                   + each ``mdat`` taken from the tagged file (same size, same header)

(bytes after the last whole atom count as one more ``mdat``: mutagen moves them along
unread), and that recipe, a few kilobytes to a few megabytes, is all the journal keeps. A file
whose media atoms do not line up that way after tagging (or whose metadata would need more than
:data:`LITERAL_LIMIT` bytes) is not tagged at all: the caller reports it and leaves the file as
it is.

Each file is recognised by a *signature*: its size and a digest of 32 blocks of 64 KiB spread
evenly over it (head and tail included). Undo rebuilds the original beside the tagged file,
checks the rebuild against the original's signature, renames it over the tagged file and gives
it back the original modification time. A rebuild that does not match is removed and the
tagged file is left alone.

Journal row (op ``tag``, ``src`` = ``dst`` = the file, ``tmp`` = the tagged copy being made;
the recipe's literal bytes are in ``journal_blobs``). Steps, and what recovery does at each:

=========  ================================================  ===================================
step       the disk                                          recovery
=========  ================================================  ===================================
planned    the tagged copy is being made; file untouched      remove the copy: rolled back
tagged     recipe stored; the copy may be renamed into place  remove the copy; "done" if the file
                                                             has the tagged signature, else
                                                             rolled back
done       the file is tagged                                 (nothing)
=========  ================================================  ===================================
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from shelver.api import COPY_CHUNK, StateDB, copy_owner, fsync_dir, temp_name

__all__ = ["LITERAL_LIMIT", "Recipe", "TagJournal", "locate", "rebuild", "recipe", "settle",
           "signature"]

LITERAL_LIMIT = 256 * 1024 * 1024  # metadata bytes one file may need kept (a real moov: < 50 MB)
SAMPLE_BLOCKS, SAMPLE_SIZE = 32, 64 * 1024
MEDIA = (b"mdat", b"")  # taken from the tagged file: media data, and any unparsed tail


@dataclass(frozen=True)
class Atom:
    kind: bytes
    offset: int
    size: int
    header: int  # 8, or 16 for a 64-bit size


def top_level_atoms(handle: BinaryIO, size: int) -> list[Atom]:
    """The file's top-level atoms; bytes after the last whole atom (padding a tool appended,
    a cut-off download) are one more entry of kind ``b""``, which mutagen keeps as they are."""
    atoms: list[Atom] = []
    position = 0
    while position < size:
        handle.seek(position)
        head = handle.read(16)
        length, kind, header = 0, b"", 8
        if len(head) >= 8:
            length, kind = struct.unpack(">I4s", head[:8])
            if length == 1 and len(head) == 16:
                (length,) = struct.unpack(">Q", head[8:16])
                header = 16
            elif length == 0:  # "to the end of the file"
                length = size - position
        if length < header or position + length > size:
            atoms.append(Atom(b"", position, size - position, min(16, size - position)))
            break
        atoms.append(Atom(kind, position, length, header))
        position += length
    return atoms


def signature(path: Path | str) -> dict[str, Any]:
    """``{"size", "sample"}``: the size and a digest of 32 evenly spread 64 KiB blocks."""
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        digest.update(size.to_bytes(8, "big"))
        span = max(0, size - SAMPLE_SIZE)
        for index in range(SAMPLE_BLOCKS):
            handle.seek(span * index // (SAMPLE_BLOCKS - 1))
            digest.update(handle.read(SAMPLE_SIZE))
    return {"size": size, "sample": digest.hexdigest()}


@dataclass
class Recipe:
    """How to make the original from the tagged file: ``segments`` are ``["L", start, length]``
    (bytes of ``literal``) or ``["T", offset, length]`` (bytes of the tagged file)."""

    segments: list[list[Any]]
    literal: bytes


def recipe(original: Path, tagged: Path) -> Recipe | None:
    """The recipe that turns ``tagged`` back into ``original``, or None if there is none."""
    with open(original, "rb") as old, open(tagged, "rb") as new:
        old_atoms = top_level_atoms(old, os.fstat(old.fileno()).st_size)
        new_atoms = top_level_atoms(new, os.fstat(new.fileno()).st_size)
        old_media = [a for a in old_atoms if a.kind in MEDIA]
        new_media = [a for a in new_atoms if a.kind in MEDIA]
        if len(old_media) != len(new_media):
            return None
        for a, b in zip(old_media, new_media, strict=True):
            old.seek(a.offset)
            new.seek(b.offset)
            if (a.kind, a.size) != (b.kind, b.size) or old.read(a.header) != new.read(b.header):
                return None
        segments: list[list[Any]] = []
        literal = bytearray()
        media = iter(new_media)
        for atom in old_atoms:
            if atom.kind in MEDIA:
                taken = next(media)
                segments.append(["T", taken.offset, taken.size])
                continue
            if len(literal) + atom.size > LITERAL_LIMIT:
                return None
            old.seek(atom.offset)
            data = old.read(atom.size)
            if segments and segments[-1][0] == "L":
                segments[-1][2] += len(data)
            else:
                segments.append(["L", len(literal), len(data)])
            literal += data
    return Recipe(segments, bytes(literal))


def rebuild(tagged: Path, made: Recipe, out: Path) -> None:
    """Write the original to the new file ``out`` (flushed to disk) from ``tagged``."""
    with open(tagged, "rb") as source, open(out, "xb") as target:
        for kind, start, length in made.segments:
            if kind == "L":
                target.write(made.literal[start:start + length])
                continue
            source.seek(start)
            left = length
            while left:
                chunk = source.read(min(COPY_CHUNK, left))
                if not chunk:
                    raise OSError(f"{tagged}: shorter than the journal says")
                target.write(chunk)
                left -= len(chunk)
        target.flush()
        os.fsync(target.fileno())


# ---------------------------------------------------------------------------------------------
# The journal side: recording a tagging, settling one a crash interrupted, reversing one
# ---------------------------------------------------------------------------------------------


class TagJournal:
    """What :func:`shelver.plugins.mp4tags.tagger.tag_mp4` calls around rewriting a file, so that
    the run can be undone and a crash is settled: ``begin`` before the tagged copy is made,
    ``ready`` once it is whole (before it is renamed into place), ``done`` after."""

    def __init__(self, state: StateDB, run_id: int | None, item_id: int | None) -> None:
        self.state, self.run_id, self.item_id = state, run_id, item_id
        self.entry: int | None = None
        self.original: dict[str, Any] = {}

    def begin(self, path: Path, temp: Path) -> None:
        st = path.stat()
        self.original = {**signature(path), "mtime_ns": st.st_mtime_ns,
                         "atime_ns": st.st_atime_ns}
        self.entry = self.state.journal_begin(self.run_id, self.item_id, "tag", str(path),
                                              str(path), str(temp), st.st_size,
                                              detail={"original": self.original})

    def ready(self, path: Path, temp: Path) -> None:
        assert self.entry is not None
        made = recipe(path, temp)
        if made is None:
            raise ValueError("its atoms cannot be recorded for undo (not tagged, so that "
                             "`shelver undo` can still give the original back)")
        detail = {"original": self.original, "tagged": signature(temp),
                  "segments": made.segments}
        self.state.journal_put_blob(self.entry, zlib.compress(made.literal, 6))
        self.state.journal_set_detail(self.entry, detail)
        self.state.journal_step(self.entry, "tagged")

    def done(self) -> None:
        assert self.entry is not None
        self.state.journal_step(self.entry, "done")
        self.state.journal_note_result(self.entry)

    def failed(self) -> None:
        if self.entry is not None:
            self.state.journal_step(self.entry, "rolled-back")


def _detail(row: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(row["detail"])) if row.get("detail") else {}


def settle(state: StateDB, row: dict[str, Any]) -> str:
    """Recovery for an unfinished ``tag`` (or ``untag``) row: the copy being made goes;
    "done" or "rolled-back"."""
    if row.get("tmp"):
        Path(row["tmp"]).unlink(missing_ok=True)
    outcome = "rolled-back"
    if row["op"] == "tag" and row["step"] == "tagged":
        tagged = _detail(row).get("tagged")
        try:
            if tagged and signature(row["dst"]) == tagged:
                outcome = "done"
        except OSError:
            pass
    state.journal_step(row["id"], outcome)
    if outcome == "done":
        state.journal_note_result(row["id"])
    return outcome


def locate(row: dict[str, Any], run_rows: list[dict[str, Any]]) -> tuple[str, dict[str, Any] | None]:
    """Where the run left the file a ``tag`` row tagged (following the run's later moves, e.g.
    out of the cache), and the placement that put it there (None: it was there before)."""
    path, placed_by = row["dst"], None
    done = sorted((r for r in run_rows if r["step"] == "done"), key=lambda r: r["id"])
    for other in done:
        if other["op"] in ("tag", "write", "mkdir", "rmdir"):
            continue
        if other["id"] > row["id"] and other["src"] == path:
            path, placed_by = other["dst"], other
        elif other["dst"] == path and other["id"] < row["id"]:
            placed_by = other
    if placed_by is not None and placed_by.get("parent"):
        placed_by = next((r for r in run_rows if r["id"] == placed_by["parent"]), placed_by)
    return path, placed_by


def tagged_size(row: dict[str, Any]) -> int:
    """The size a ``tag`` row left its file with."""
    return int(_detail(row).get("tagged", {}).get("size", -1))


def check(row: dict[str, Any], path: str) -> str | None:
    """Why the tagging cannot be undone at ``path`` (None: it can, or there is nothing to do)."""
    detail = _detail(row)
    try:
        now = signature(path)
    except OSError:
        return f"{path}: gone"
    if now == detail.get("tagged") or now == {k: detail["original"][k] for k in now}:
        return None
    return f"{path}: changed since the run (its tags or content)"


def rebuild_original(state: StateDB, row: dict[str, Any], tagged: Path, out: Path) -> None:
    """Write the original of the file ``row`` tagged to the new file ``out``, from ``tagged``;
    OSError when the journal has no recipe or the result is not the original it recorded."""
    detail = _detail(row)
    blob = state.journal_blob(row["id"])
    if blob is None or "segments" not in detail:
        raise OSError(f"{tagged}: the journal has no record of its original bytes")
    rebuild(tagged, Recipe(detail["segments"], zlib.decompress(blob)), out)
    if signature(out) != {k: detail["original"][k] for k in ("size", "sample")}:
        raise OSError(f"{tagged}: the rebuilt original does not match what was recorded; "
                      f"left tagged")


def untag(state: StateDB, undo_run_id: int | None, row: dict[str, Any], path: str) -> bool:
    """Give the file at ``path`` its original bytes and modification time back; False when it
    already has them. Raises OSError (having changed nothing) when the rebuild does not match.
    Journaled under the undo run (op ``untag``), so a crash leaves no rebuilt copy behind."""
    detail = _detail(row)
    original = detail["original"]
    target = Path(path)
    if signature(target) == {k: original[k] for k in ("size", "sample")}:
        return False
    temp = temp_name(target, f"untag-{os.urandom(4).hex()}")
    entry = state.journal_begin(undo_run_id, row["item_id"], "untag", path, path, str(temp),
                                original["size"], detail={"tag_row": row["id"]})
    replaced = False
    try:
        rebuild_original(state, row, target, temp)
        copy_owner(target.stat(), temp)
        os.utime(temp, ns=(original["atime_ns"], original["mtime_ns"]))
        os.replace(temp, target)
        replaced = True
        fsync_dir(target.parent)
    finally:
        temp.unlink(missing_ok=True)
        state.journal_step(entry, "done" if replaced else "rolled-back")
    return True


class TagUndo:
    """The ``undo`` step the ``tag`` op registers (``shelver_register_journal_ops``): what
    :mod:`shelver.plugins.placement.undo` asks of a plugin's op before and while it reverses a run."""

    def check(self, row: dict[str, Any], every: list[dict[str, Any]]) -> tuple[str | None, str, int]:
        """(why it cannot be undone or None, where the file is now, the size the op gave it)."""
        where, _ = locate(row, every)
        return check(row, where), where, tagged_size(row)

    def reverse(self, state: StateDB, undo_run_id: int | None, row: dict[str, Any],
                every: list[dict[str, Any]], *, dry_run: bool) -> str | None:
        """Give the file its original bytes back; the path restored, or None (nothing to do)."""
        where, placed_by = locate(row, every)
        if placed_by is not None and placed_by["op"] in ("copy", "hardlink", "reflink", "symlink",
                                                         "stage-copy"):
            return None  # the file is removed by the undo of its placement; the source never was tagged
        if dry_run:
            return where
        if not untag(state, undo_run_id, row, where):
            return None
        # What the run's placements left is the untagged file now (a retry checks against it).
        for other in every:
            if other["dst"] == where and other["step"] == "done" and other["op"] != "write":
                state.journal_note_result(other["id"])
        return where


def register_journal_ops(register: Any) -> None:
    """The ops of MP4 tagging, for the ``mp4tags`` plugin's ``shelver_register_journal_ops``."""
    register("tag", settle=settle, undo=TagUndo())
    register("untag", settle=settle)  # written by `shelver undo` itself: never undone
