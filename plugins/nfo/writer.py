"""Kodi ``.nfo`` files from a :class:`~shelver.metadata.Metadata`: pure functions that return XML
text, and a safe writer.

The layout follows kodi.wiki "NFO files/Movies", "/TV shows" and "/Episodes" (Kodi 19+):
``<uniqueid type="<provider>" default="true">`` (one more ``<uniqueid>`` per other id the
provider knows), ``<ratings><rating name="themoviedb">``, ``<thumb aspect="poster">``,
``<fanart><thumb>``, ``<fileinfo><streamdetails>``. A file holding several episodes gets one
``<episodedetails>`` block per episode, one after the other in the same file (Kodi reads them
all; the file is then deliberately not a single-rooted XML document). Nothing here knows a
provider: every value, image URLs included, comes from the model.

Every file carries a marker comment with a checksum of its content. :func:`is_user_nfo` tells a
file shelver wrote and nobody touched since (safe to refresh) from one a person wrote or edited
(left alone unless asked): an edit anywhere, even keeping the marker, changes the checksum.

A little over ~400 lines on purpose: one XML format, its movie, show and episode documents
sharing the same element builders, next to the writer and the marker check that read them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from shelver.api import (
    CAST,
    DIRECTING,
    FANART,
    GUEST,
    LOGO,
    POSTER,
    SEASON_POSTER,
    THUMB,
    WRITING,
    Episode,
    Image,
    Metadata,
    Person,
    Rating,
    __version__,
    fsync_dir,
    temp_name,
)

__all__ = [
    "episode_nfo",
    "is_user_nfo",
    "movie_nfo",
    "streamdetails",
    "tvshow_nfo",
    "write_nfo",
]

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>'
# Artwork choices offered to Kodi per type: the main image first, then alternatives.
MAX_IMAGES = 10
MAX_LOGOS = 2
_MARKER_RE = re.compile(
    r"^<!-- shelver:generated .*?sha256=([0-9a-f]{64}) .*-->[ \t]*$", re.MULTILINE
)
# Characters XML 1.0 forbids; provider overviews occasionally contain them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_VIDEO_CODECS = {
    "avc": "h264", "avc1": "h264", "h.264": "h264", "x264": "h264",
    "hevc": "hevc", "h.265": "hevc", "h265": "hevc", "x265": "hevc", "hvc1": "hevc",
    "mpeg-4 visual": "mpeg4", "mpeg-2 video": "mpeg2video", "mpeg2": "mpeg2video",
    "vc-1": "vc1", "av01": "av1",
}  # fmt: skip
_AUDIO_CODECS = {
    "ac-3": "ac3", "e-ac-3": "eac3", "ec-3": "eac3", "dts": "dca", "mlp fba": "truehd",
    "dts-hd ma": "dtshd_ma", "dts-hd": "dtshd_ma", "mpeg audio": "mp3", "mp4a": "aac",
}  # fmt: skip
_HDR_TYPES = {
    "hdr10": "hdr10", "hdr10+": "hdr10", "hdr10plus": "hdr10", "smpte st 2086": "hdr10",
    "dolby vision": "dolbyvision", "dolbyvision": "dolbyvision", "dovi": "dolbyvision",
    "dv": "dolbyvision", "hlg": "hlg",
}  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------


def movie_nfo(metadata: Metadata, probe: dict[str, Any] | None) -> str:
    """The ``<movie>`` NFO for a movie's metadata and the file's probe (None: no
    ``<fileinfo>``)."""
    root = ET.Element("movie")
    _text(root, "title", metadata.title)
    _text(root, "originaltitle", metadata.original_title)
    _ratings(root, metadata.ratings)
    _text(root, "plot", metadata.plot)
    _text(root, "tagline", metadata.tagline)
    _text(root, "runtime", metadata.runtime or None)
    _posters(root, metadata)
    _fanart(root, metadata)
    _text(root, "mpaa", metadata.certification)
    _uniqueids(root, metadata.provider, metadata.ids)
    _each(root, "genre", metadata.genres)
    _each(root, "country", metadata.countries)
    if metadata.collection:
        movie_set = ET.SubElement(root, "set")
        _text(movie_set, "name", metadata.collection)
        _text(movie_set, "overview", metadata.collection_plot)
    _each(root, "credits", _names(metadata.people, WRITING))
    _each(root, "director", _names(metadata.people, DIRECTING))
    _text(root, "premiered", metadata.premiered)
    _text(root, "year", metadata.year)
    _each(root, "studio", metadata.studios)
    _text(root, "trailer", metadata.trailer)
    _fileinfo(root, probe)
    _actors(root, metadata.people_in(CAST))
    return _document([root])


def tvshow_nfo(metadata: Metadata) -> str:
    """The ``tvshow.nfo`` for a show's metadata."""
    root = ET.Element("tvshow")
    _text(root, "title", metadata.title)
    _text(root, "originaltitle", metadata.original_title)
    _text(root, "showtitle", metadata.title)
    _ratings(root, metadata.ratings)
    _text(root, "plot", metadata.plot)
    _text(root, "tagline", metadata.tagline)
    _text(root, "runtime", metadata.runtime)
    _posters(root, metadata)
    for image in metadata.images:
        if image.kind == SEASON_POSTER and image.season is not None:
            _thumb(root, image, aspect="poster", type="season", season=str(image.season))
    _fanart(root, metadata)
    _text(root, "mpaa", metadata.certification)
    if metadata.ids:
        _text(root, "episodeguide", json.dumps(metadata.ids))
    _uniqueids(root, metadata.provider, metadata.ids)
    _each(root, "genre", metadata.genres)
    _each(root, "country", metadata.countries)
    _text(root, "premiered", metadata.premiered)
    _text(root, "year", metadata.year)
    _text(root, "status", metadata.status)
    _each(root, "studio", metadata.networks)
    _text(root, "trailer", metadata.trailer)
    _actors(root, metadata.people_in(CAST))
    for season in metadata.seasons:
        if season.name and season.name != f"Season {season.number}":
            _text(root, "namedseason", season.name, number=str(season.number))
    return _document([root])


def episode_nfo(metadata: Metadata, probe: dict[str, Any] | None) -> str:
    """The NFO of one episode file: one ``<episodedetails>`` block per episode it holds
    (``metadata.episodes``, in file order); each block repeats the file's ``<fileinfo>``, as
    Kodi's own export does."""
    if not metadata.episodes:
        raise ValueError("episode_nfo needs at least one episode")
    blocks = [_episode_block(metadata, episode, probe) for episode in metadata.episodes]
    return _document(blocks)


def _episode_block(metadata: Metadata, episode: Episode, probe: dict[str, Any] | None) -> ET.Element:
    root = ET.Element("episodedetails")
    _text(root, "title", episode.title)
    _text(root, "showtitle", metadata.title)
    _ratings(root, episode.ratings)
    _text(root, "season", episode.season)
    _text(root, "episode", episode.number)
    _text(root, "plot", episode.plot)
    _text(root, "runtime", episode.runtime or None)
    still = next((i for i in metadata.images if i.kind == THUMB and i.season == episode.season
                  and i.episode == episode.number), None)
    if still is not None:
        _thumb(root, still, aspect="thumb")
    else:
        _text(root, "thumb", episode.thumb, aspect="thumb")
    _text(root, "mpaa", metadata.certification)
    _uniqueids(root, metadata.provider, episode.ids)
    _each(root, "credits", _names(episode.people, WRITING))
    _each(root, "director", _names(episode.people, DIRECTING))
    _text(root, "premiered", episode.aired)
    _text(root, "aired", episode.aired)
    _each(root, "studio", metadata.networks)
    _fileinfo(root, probe)
    _actors(root, [person for person in episode.people if person.department == GUEST])
    return root


# ---------------------------------------------------------------------------------------------
# Stream details (mediainfo probe → Kodi's vocabulary)
# ---------------------------------------------------------------------------------------------


def streamdetails(probe: dict[str, Any] | None) -> ET.Element | None:
    """``<streamdetails>`` for a probe dict (see :class:`shelver.model.Item`), or None if empty.

    Numbers are the probe's own (``durationinseconds`` rounded to whole seconds); codec names
    and HDR types are mapped to Kodi's (``dca`` for DTS, ``dolbyvision``...).
    """
    if not probe:
        return None
    details = ET.Element("streamdetails")
    width, height = probe.get("width"), probe.get("height")
    aspect = probe.get("aspect") or (width / height if width and height else None)
    video = ET.Element("video")
    _text(video, "codec", _codec(probe.get("video_codec"), _VIDEO_CODECS))
    _text(video, "aspect", _number(aspect) if aspect else None)
    _text(video, "width", int(width) if width else None)
    _text(video, "height", int(height) if height else None)
    duration = probe.get("duration")
    _text(video, "durationinseconds", round(float(duration)) if duration else None)
    hdr = probe.get("hdr")
    if hdr:
        _text(video, "hdrtype", _HDR_TYPES.get(str(hdr).strip().lower(), str(hdr).lower()))
    if len(video):
        details.append(video)
    for track in probe.get("audio") or []:
        audio = ET.SubElement(details, "audio")
        _text(audio, "codec", _codec(track.get("codec"), _AUDIO_CODECS))
        _text(audio, "language", track.get("language"))
        _text(audio, "channels", track.get("channels"))
    for subtitle in probe.get("subtitles") or []:
        language = subtitle.get("language") if isinstance(subtitle, dict) else subtitle
        _text(ET.SubElement(details, "subtitle"), "language", language)
    return details if len(details) else None


def _fileinfo(root: ET.Element, probe: dict[str, Any] | None) -> None:
    details = streamdetails(probe)
    if details is not None:
        ET.SubElement(root, "fileinfo").append(details)


def _codec(name: Any, aliases: dict[str, str]) -> str | None:
    if not name:
        return None
    key = str(name).strip().lower()
    return aliases.get(key, key)


def _number(value: float) -> str:
    return f"{float(value):.6f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------------------------
# Element helpers
# ---------------------------------------------------------------------------------------------


def _clean(value: Any) -> str:
    return _XML_ILLEGAL.sub("", str(value)).strip()


def _text(parent: ET.Element, tag: str, value: Any, **attrib: str) -> ET.Element | None:
    """Add ``<tag>value</tag>`` unless the value is missing or blank."""
    if value is None or isinstance(value, bool):
        return None
    text = _clean(value)
    if not text:
        return None
    element = ET.SubElement(parent, tag, attrib)
    element.text = text
    return element


def _each(parent: ET.Element, tag: str, values: Iterable[Any]) -> None:
    for value in values:
        _text(parent, tag, value)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _names(people: list[Person], department: str) -> list[str]:
    return _unique(person.name for person in people if person.department == department)


def _uniqueids(root: ET.Element, provider: str, ids: dict[str, str]) -> None:
    """The provider's own id as the default ``<uniqueid>``, then every other id it knows."""
    _text(root, "uniqueid", ids.get(provider), type=provider, default="true")
    for scheme, value in ids.items():
        if scheme != provider:
            _text(root, "uniqueid", value, type=scheme)


def _ratings(root: ET.Element, ratings: list[Rating]) -> None:
    if not ratings:
        return
    parent = ET.SubElement(root, "ratings")
    for position, given in enumerate(ratings):
        attrib = {"name": given.source, "max": _number(given.max)}
        if position == 0:
            attrib["default"] = "true"
        rating = ET.SubElement(parent, "rating", attrib)
        _text(rating, "value", _number(float(given.value)))
        _text(rating, "votes", int(given.votes))


def _thumb(root: ET.Element, image: Image, **attrib: str) -> None:
    if image.preview:
        attrib["preview"] = image.preview
    _text(root, "thumb", image.url, **attrib)


def _posters(root: ET.Element, metadata: Metadata) -> None:
    for image in _of_kind(metadata, POSTER)[:MAX_IMAGES]:
        _thumb(root, image, aspect="poster")
    for image in _of_kind(metadata, LOGO)[:MAX_LOGOS]:
        _thumb(root, image, aspect="clearlogo")


def _fanart(root: ET.Element, metadata: Metadata) -> None:
    images = _of_kind(metadata, FANART)[:MAX_IMAGES]
    if images:
        fanart = ET.SubElement(root, "fanart")
        for image in images:
            _thumb(fanart, image)


def _of_kind(metadata: Metadata, kind: str) -> list[Image]:
    seen: set[str] = set()
    found = []
    for image in metadata.images:
        if image.kind == kind and image.url and image.url not in seen:
            seen.add(image.url)
            found.append(image)
    return found


def _actors(root: ET.Element, cast: list[Person]) -> None:
    def order(pair: tuple[int, Person]) -> tuple[float, int]:
        given = pair[1].order
        return (given if given is not None else pair[0]), pair[0]

    ordered = sorted(enumerate(cast), key=order)
    for position, (_, person) in enumerate(ordered):
        if not person.name:
            continue
        actor = ET.SubElement(root, "actor")
        _text(actor, "name", person.name)
        _text(actor, "role", person.role)
        _text(actor, "order", person.order if person.order is not None else position)
        _text(actor, "thumb", person.image)


# ---------------------------------------------------------------------------------------------
# Text, marker and writing
# ---------------------------------------------------------------------------------------------


def _checksum(body: str) -> str:
    normalised = body.replace("\r\n", "\n").lstrip("\ufeff").strip()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def _without_marker(text: str) -> str:
    return _MARKER_RE.sub("", text, count=1)


def _document(roots: list[ET.Element]) -> str:
    parts = []
    for root in roots:
        ET.indent(root, space="    ")
        parts.append(ET.tostring(root, encoding="unicode"))
    body = f"{XML_DECLARATION}\n\n" + "\n".join(parts) + "\n"
    marker = (
        f"<!-- shelver:generated by shelver {__version__} sha256={_checksum(body)} "
        "(shelver refreshes this file until it is edited; after an edit it is left alone) -->"
    )
    return body.replace("\n\n", f"\n{marker}\n", 1)


def is_user_nfo(path: str | os.PathLike[str]) -> bool:
    """True if ``path`` is an NFO shelver must not overwrite: one without shelver's marker (a
    person or another tool wrote it) or one edited since shelver wrote it. False if absent."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        return False
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n")
    found = _MARKER_RE.search(text)
    if not found:
        return True
    return found.group(1) != _checksum(_without_marker(text))


def write_nfo(
    path: str | os.PathLike[str], text: str, *, overwrite_user_edited: bool = False
) -> bool:
    """Write ``text`` to ``path`` atomically (temp file, fsync, rename); return whether it wrote.

    An existing file that :func:`is_user_nfo` calls the user's is kept unless
    ``overwrite_user_edited``; a file that already holds exactly ``text`` is not rewritten
    (no needless mtime change for media servers to rescan).
    """
    target = Path(path)
    if target.exists():
        if not overwrite_user_edited and is_user_nfo(target):
            return False
        try:
            if target.read_text(encoding="utf-8") == text:
                return False
        except (UnicodeDecodeError, OSError):
            pass
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_name(target, secrets.token_hex(4))
    try:
        with open(temp, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    fsync_dir(target.parent)
    return True


