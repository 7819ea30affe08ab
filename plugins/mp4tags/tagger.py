"""iTunes-style MP4 tags (mutagen) from a :class:`~shelver.metadata.Metadata`, written without
ever breaking a file.

Atoms written: ``©nam ©day ©gen desc ldes stik hdvd covr`` for every file, ``tvsh tvsn tves tven
tvnn`` for episodes, and the freeform ``----:com.apple.iTunes:iTunMOVI`` plist (cast, directors,
screenwriters, producers, studio) and ``----:com.apple.iTunes:iTunEXTC`` rating
(``mpaa|R|400|``, ``us-tv|TV-MA|600|``: a US certification only). Every other atom already in the file (a user's ``©cmt``,
chapters, encoder tags) is kept. Atoms shelver has nothing for this time (no probe: no
``hdvd``; no ``cover``: no ``covr``) keep their old values.

Crash safety. mutagen's in-place save is NOT safe: when the new ``ilst`` does not fit the
existing ``free`` padding it grows ``moov`` by shifting every following byte of the file
(``resize_bytes``) and then patches the ``stco``/``co64`` chunk offsets; a crash in between
leaves a file whose offsets point into the wrong data. Even the fits-in-padding path rewrites
``ilst`` in place, which is not atomic. So shelver tags a *copy* in the same directory (a reflink
where the filesystem offers one, so the copy costs nothing on btrfs/XFS/ZFS 2.2; a real copy
otherwise: a hard link would share the bytes being rewritten), fsyncs it, re-opens it with
mutagen to check the tags and the duration, and only then renames it over the original. At any
instant the original name holds either the old file or the complete new one. With a
:class:`~shelver.plugins.mp4tags.undo.TagJournal` (the plugin always passes one) the tagging is a
journal row: recovery removes a half-made copy (``.<name>.shelver-tmp-tag-*``, which discovery
never takes), and ``shelver undo`` gives the file its original bytes back from the recipe kept
there (:mod:`shelver.plugins.mp4tags.undo`; a file whose atoms cannot be recorded is not tagged).

Side effect worth knowing: the rename gives the path a new inode. For ``action = "hardlink"``
that is what one wants (the seeding copy stays byte-identical); a symlink is refused, since
replacing it would turn the link into a full copy while the target stayed untagged.
"""

from __future__ import annotations

import os
import plistlib
import re
import secrets
import shutil
import sys
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mutagen.mp4 import MP4, AtomDataType, MP4Cover, MP4FreeForm, MP4Info
from shelver.api import (
    CAST,
    DIRECTING,
    FICLONE,
    GUEST,
    PRODUCTION,
    WRITING,
    ItemError,
    Metadata,
    Person,
    copy_owner,
    fsync_dir,
    temp_name,
)
from shelver.plugins.mp4tags.undo import TagJournal

__all__ = ["ITUNEXTC", "ITUNMOVI", "TagError", "hd_video_flag", "read_tags", "tag_mp4"]

ITUNMOVI = "----:com.apple.iTunes:iTunMOVI"
ITUNEXTC = "----:com.apple.iTunes:iTunEXTC"
STIK_MOVIE = 9
STIK_TV_SHOW = 10
DESC_LIMIT = 255  # iTunes shows at most 255 characters of ``desc``; ``ldes`` has the rest.
_TV_ATOMS = ("tvsh", "tvsn", "tves", "tven", "tvnn")
_MPAA = {"G": 100, "PG": 200, "PG-13": 300, "R": 400, "NC-17": 500}
_US_TV = {"TV-Y": 100, "TV-Y7": 200, "TV-G": 300, "TV-PG": 400, "TV-14": 500, "TV-MA": 600}
COVER_WIDTH = 500  # pixels: the poster rendition embedded as ``covr``


class TagError(ItemError):
    """A file could not be tagged; it was left exactly as it was."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"cannot tag {self.path}: {reason}")


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def tag_mp4(
    path: str | os.PathLike[str],
    metadata: Metadata,
    probe: dict[str, Any] | None,
    *,
    cover: bytes | None = None,
    journal: TagJournal | None = None,
) -> None:
    """Tag the ``.mp4``/``.m4v`` at ``path`` from ``metadata`` (a movie's, or a show's with the
    episodes the file holds).

    ``probe`` gives ``hdvd`` (resolution class); ``cover`` (JPEG or PNG bytes) replaces ``covr``.
    Raises :class:`TagError` if the file does not parse or cannot be rewritten; the file is then
    byte-identical to what it was. ``journal`` records the tagging (for recovery and undo).
    """
    path = Path(path)
    values = tag_values(metadata, probe)
    remove = _TV_ATOMS if metadata.kind == "movie" else ()
    if cover is not None:
        values["covr"] = [MP4Cover(cover, imageformat=_cover_format(path, cover))]
    if path.is_symlink():
        raise TagError(path, "is a symbolic link (tagging would replace the link with a copy)")
    current = _parse(path)
    if _already_tagged(current, values, remove):
        return  # nothing would change: keep the file (and its mtime) as it is
    original_length = _info(current).length

    temp = temp_name(path, f"tag-{secrets.token_hex(4)}")
    try:
        if journal is not None:
            journal.begin(path, temp)
        _copy_for_tagging(path, temp)
        media = MP4(temp)
        if media.tags is None:
            media.add_tags()
        assert media.tags is not None
        for key in remove:
            media.tags.pop(key, None)
        media.tags.update(values)
        media.save()
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        _verify(temp, values, original_length)
        if journal is not None:
            journal.ready(path, temp)
        os.replace(temp, path)
    except Exception as error:  # mutagen raises many kinds; the original is untouched either way
        if journal is not None:
            journal.failed()
        raise TagError(path, f"{type(error).__name__}: {error}") from error
    finally:
        temp.unlink(missing_ok=True)
    fsync_dir(path.parent)
    if journal is not None:
        journal.done()


def _already_tagged(media: MP4, values: dict[str, Any], remove: tuple[str, ...] | Any) -> bool:
    """Whether the file already carries exactly these atoms (a re-run over the library must not
    rewrite every file: media servers rescan whatever changed)."""
    tags = media.tags
    if tags is None:
        return False
    if any(key in tags for key in remove):
        return False
    for key, wanted in values.items():
        have = tags.get(key)
        if have is None:
            return False
        if key == "covr":
            if [bytes(c) for c in have] != [bytes(c) for c in wanted]:
                return False
        elif key.startswith("----:"):
            if [bytes(v) for v in have] != [bytes(v) for v in wanted]:
                return False
        elif list(have) != list(wanted):
            return False
    return True


def read_tags(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The file's tags as plain values, for tests and debugging.

    Single values are unwrapped (``{"©nam": "The Matrix", "stik": 9}``), ``covr`` is a list of
    ``bytes``, freeform atoms keep their full key and are decoded (``ITUNMOVI`` to a dict).
    """
    tags: Mapping[str, Any] = _parse(Path(path)).tags or {}
    result: dict[str, Any] = {}
    for key, value in tags.items():
        if key.startswith("----:"):
            raw = b"".join(bytes(part) for part in value)
            result[key] = plistlib.loads(raw) if key == ITUNMOVI else raw.decode("utf-8", "replace")
        elif key == "covr":
            result[key] = [bytes(image) for image in value]
        elif isinstance(value, list) and len(value) == 1:
            result[key] = value[0]
        else:
            result[key] = value
    return result


def hd_video_flag(probe: dict[str, Any] | None) -> int | None:
    """``hdvd``: 0 SD, 1 720p, 2 1080p, 3 2160p (None when the probe does not tell).

    Width counts as much as height, so a 1920×800 scope film is 1080p.
    """
    if not probe:
        return None
    width, height = probe.get("width") or 0, probe.get("height") or 0
    if not (width or height):
        resolution = str(probe.get("resolution") or "").strip().lower()
        if resolution in ("4k", "uhd", "8k"):
            return 3
        lines = re.fullmatch(r"(\d{3,4})[pi]?", resolution)
        if not lines:
            return None
        height = int(lines.group(1))
    if width >= 3200 or height >= 1800:
        return 3
    if width >= 1800 or height >= 1000:
        return 2
    if width >= 1200 or height >= 700:
        return 1
    return 0


def tag_values(metadata: Metadata, probe: dict[str, Any] | None) -> dict[str, Any]:
    """The atoms :func:`tag_mp4` writes (cover aside), as mutagen values."""
    if metadata.kind == "movie":
        values = _movie_values(metadata)
    elif metadata.episodes:
        values = _episode_values(metadata)
    else:
        raise ValueError("metadata needs to be a movie's, or a show's with episodes")
    hdvd = hd_video_flag(probe)
    if hdvd is not None:
        values["hdvd"] = [hdvd]
    return values


# ---------------------------------------------------------------------------------------------
# Metadata → atoms
# ---------------------------------------------------------------------------------------------


def _movie_values(movie: Metadata) -> dict[str, Any]:
    values: dict[str, Any] = {"stik": [STIK_MOVIE]}
    _set(values, "©nam", movie.title)
    _set(values, "©day", movie.premiered)
    _set(values, "©gen", _first(movie.genres))
    _descriptions(values, movie.plot)
    values[ITUNMOVI] = _itunmovi(cast=_by_order(movie.people_in(CAST)), crew=movie.people,
                                 studio=_first(movie.studios))
    rating = _us_certification(movie)
    if rating in _MPAA:
        values[ITUNEXTC] = _freeform(f"mpaa|{rating}|{_MPAA[rating]}|".encode())
    return values


def _episode_values(show: Metadata) -> dict[str, Any]:
    episodes = show.episodes
    first = episodes[0]
    numbers = [episode.number for episode in episodes]
    values: dict[str, Any] = {"stik": [STIK_TV_SHOW]}
    _set(values, "©nam", " / ".join(e.title for e in episodes if e.title))
    _set(values, "©day", first.aired)
    _set(values, "©gen", _first(show.genres))
    _descriptions(values, "\n\n".join(e.plot for e in episodes if e.plot))
    _set(values, "tvsh", show.title)
    _set(values, "tvnn", _first(show.networks))
    values["tvsn"] = [first.season]
    values["tves"] = [numbers[0]]
    episode_id = f"S{first.season:02d}E{numbers[0]:02d}"
    if len(numbers) > 1:
        episode_id += f"-E{numbers[-1]:02d}"
    values["tven"] = [first.production_code or episode_id]
    crew = [person for e in episodes for person in e.people if person.department != GUEST]
    guests = [person for e in episodes
              for person in _by_order([p for p in e.people if p.department == GUEST])]
    values[ITUNMOVI] = _itunmovi(
        cast=_by_order(show.people_in(CAST)) + guests,
        crew=crew + show.people_in(PRODUCTION),
        studio=_first(show.studios),
    )
    rating = _us_certification(show)
    if rating in _US_TV:
        values[ITUNEXTC] = _freeform(f"us-tv|{rating}|{_US_TV[rating]}|".encode())
    return values


def _us_certification(metadata: Metadata) -> str | None:
    """The certification when it is a US one (the iTunEXTC systems are US ratings)."""
    if metadata.certification_country not in (None, "US"):
        return None
    return metadata.certification


def _itunmovi(*, cast: list[Person], crew: list[Person], studio: str | None) -> Any:
    def people(names: list[str]) -> list[dict[str, str]]:
        return [{"name": name} for name in dict.fromkeys(n for n in names if n)]

    def named(department: str) -> list[dict[str, str]]:
        return people([person.name for person in crew if person.department == department])

    plist: dict[str, Any] = {
        "cast": people([person.name for person in cast]),
        "directors": named(DIRECTING),
        "screenwriters": named(WRITING),
        "producers": named(PRODUCTION),
    }
    plist = {key: value for key, value in plist.items() if value}
    if studio:
        plist["studio"] = studio
    return _freeform(plistlib.dumps(plist, fmt=plistlib.FMT_XML))


def _by_order(cast: list[Person]) -> list[Person]:
    return sorted(cast, key=lambda person: person.order if person.order is not None else 0)


def _set(values: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, ""):
        values[key] = [str(value)]


def _descriptions(values: dict[str, Any], overview: str | None) -> None:
    if not overview:
        return
    overview = overview.strip()
    short = overview
    if len(short) > DESC_LIMIT:
        short = short[: DESC_LIMIT - 1].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"
    values["desc"] = [short]
    values["ldes"] = [overview]


def _first(names: list[str]) -> str | None:
    return next((name for name in names if name), None)


def _freeform(data: bytes) -> list[MP4FreeForm]:
    return [MP4FreeForm(data, dataformat=AtomDataType.UTF8)]


def _cover_format(path: Path, data: bytes) -> int:
    if data.startswith(b"\xff\xd8\xff"):
        return int(MP4Cover.FORMAT_JPEG)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return int(MP4Cover.FORMAT_PNG)
    raise TagError(path, "cover art is neither JPEG nor PNG")


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def _info(media: MP4) -> MP4Info:
    # mutagen declares ``FileType.info = None`` at class level; a loaded MP4 has its MP4Info.
    return typing.cast(MP4Info, media.info)


def _parse(path: Path) -> MP4:
    try:
        media = MP4(path)
    except Exception as error:  # MutagenError, MP4StreamInfoError, struct errors, OSError...
        raise TagError(path, f"not a readable MP4 ({type(error).__name__}: {error})") from error
    return media


def _copy_for_tagging(source: Path, temp: Path) -> None:
    """Copy ``source`` to the new file ``temp``: reflink if possible, else a byte copy."""
    cloned = False
    if sys.platform.startswith("linux"):
        import fcntl

        try:
            with open(source, "rb") as src, open(temp, "xb") as dst:
                fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
            cloned = True
        except OSError:
            temp.unlink(missing_ok=True)
    if not cloned:
        with open(temp, "xb"):
            pass  # claim the name exclusively; copyfile then fills it
        shutil.copyfile(source, temp)
    copy_owner(source.stat(), temp)


def _verify(temp: Path, values: dict[str, Any], original_length: float) -> None:
    """Re-open the tagged copy: the tags read back and the duration did not change."""
    media = MP4(temp)
    tags: Mapping[str, Any] = media.tags or {}
    for key in ("©nam", "stik", "tvsh"):
        if key in values and list(tags.get(key, [])) != list(values[key]):
            raise ValueError(f"{key} did not read back after saving")
    if abs(_info(media).length - original_length) > 0.001:
        raise ValueError("duration changed while tagging")

