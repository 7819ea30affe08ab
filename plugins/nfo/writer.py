"""Kodi ``.nfo`` files from TMDB documents: pure functions that return XML text, and a safe writer.

The layout follows kodi.wiki "NFO files/Movies", "/TV shows" and "/Episodes" (Kodi 19+):
``<uniqueid type="tmdb" default="true">``, ``<ratings><rating name="themoviedb">``,
``<thumb aspect="poster">``, ``<fanart><thumb>``, ``<fileinfo><streamdetails>``. A file holding
several episodes gets one ``<episodedetails>`` block per episode, one after the other in the same
file (Kodi reads them all; the file is then deliberately not a single-rooted XML document).

Every file carries a marker comment with a checksum of its content. :func:`is_user_nfo` tells a
file shelver wrote and nobody touched since (safe to refresh) from one a person wrote or edited
(left alone unless asked): an edit anywhere, even keeping the marker, changes the checksum.
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

from shelver.api import __version__, fsync_dir, temp_name
from shelver.plugins.artwork.images import image_url  # pending: the metadata slice's absolute URLs

__all__ = [
    "TMDB_IMAGE_BASE",
    "episode_nfo",
    "is_user_nfo",
    "movie_nfo",
    "streamdetails",
    "tvshow_nfo",
    "us_certification",
    "write_nfo",
]

TMDB_IMAGE_BASE = "https://image.tmdb.org/t/p/"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>'
# Artwork choices offered to Kodi per type: the main image first, then alternatives.
MAX_IMAGES = 10
_MARKER_RE = re.compile(
    r"^<!-- shelver:generated .*?sha256=([0-9a-f]{64}) .*-->[ \t]*$", re.MULTILINE
)
# Characters XML 1.0 forbids; TMDB overviews occasionally contain them.
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
# Which US release to take the certification from: theatrical first, premiere last.
_RELEASE_TYPE_ORDER = (3, 2, 4, 5, 6, 1)
_SHOW_STATUS = {"Returning Series": "Continuing", "In Production": "Continuing"}


# ---------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------


def movie_nfo(
    movie: dict[str, Any], probe: dict[str, Any] | None, *, image_base: str = TMDB_IMAGE_BASE
) -> str:
    """The ``<movie>`` NFO for a TMDB movie document (with credits, images, release_dates,
    external_ids and videos appended) and the file's probe (None: no ``<fileinfo>``)."""
    root = ET.Element("movie")
    _text(root, "title", movie.get("title"))
    _text(root, "originaltitle", movie.get("original_title"))
    _ratings(root, movie)
    _text(root, "plot", movie.get("overview"))
    _text(root, "tagline", movie.get("tagline"))
    _text(root, "runtime", movie.get("runtime") or None)
    _posters(root, movie, image_base)
    _fanart(root, movie, image_base)
    _text(root, "mpaa", us_certification(movie))
    _text(root, "uniqueid", movie.get("id"), type="tmdb", default="true")
    external = movie.get("external_ids") or {}
    _text(root, "uniqueid", movie.get("imdb_id") or external.get("imdb_id"), type="imdb")
    _text(root, "uniqueid", external.get("wikidata_id"), type="wikidata")
    _each(root, "genre", _names(movie.get("genres")))
    _each(root, "country", _names(movie.get("production_countries")))
    collection = movie.get("belongs_to_collection")
    if collection and collection.get("name"):
        movie_set = ET.SubElement(root, "set")
        _text(movie_set, "name", collection["name"])
        _text(movie_set, "overview", collection.get("overview"))
    crew = (movie.get("credits") or {}).get("crew") or []
    _each(root, "credits", _writers(crew))
    _each(root, "director", _directors(crew))
    _text(root, "premiered", movie.get("release_date"))
    _text(root, "year", _year(movie.get("release_date")))
    _each(root, "studio", _names(movie.get("production_companies")))
    _text(root, "trailer", _trailer(movie))
    _fileinfo(root, probe)
    _actors(root, (movie.get("credits") or {}).get("cast") or [], image_base)
    return _document([root])


def tvshow_nfo(show: dict[str, Any], *, image_base: str = TMDB_IMAGE_BASE) -> str:
    """The ``tvshow.nfo`` for a TMDB TV document (with credits, images, external_ids and
    content_ratings appended)."""
    root = ET.Element("tvshow")
    _text(root, "title", show.get("name"))
    _text(root, "originaltitle", show.get("original_name"))
    _text(root, "showtitle", show.get("name"))
    _ratings(root, show)
    _text(root, "plot", show.get("overview"))
    _text(root, "tagline", show.get("tagline"))
    run_times = show.get("episode_run_time") or []
    _text(root, "runtime", run_times[0] if run_times else None)
    _posters(root, show, image_base)
    for season in show.get("seasons") or []:
        if season.get("poster_path") and season.get("season_number") is not None:
            number = str(season["season_number"])
            _thumb(
                root,
                season["poster_path"],
                image_base,
                aspect="poster",
                type="season",
                season=number,
            )
    _fanart(root, show, image_base)
    _text(root, "mpaa", us_tv_rating(show))
    ids = _show_ids(show)
    _text(root, "episodeguide", json.dumps(ids))
    for kind, value in ids.items():
        _text(root, "uniqueid", value, type=kind, **({"default": "true"} if kind == "tmdb" else {}))
    _each(root, "genre", _names(show.get("genres")))
    countries = _names(show.get("production_countries")) or show.get("origin_country") or []
    _each(root, "country", countries)
    _text(root, "premiered", show.get("first_air_date"))
    _text(root, "year", _year(show.get("first_air_date")))
    status = show.get("status")
    _text(root, "status", _SHOW_STATUS.get(status, status) if status else None)
    _each(root, "studio", _names(show.get("networks")))
    _text(root, "trailer", _trailer(show))
    _actors(root, (show.get("credits") or {}).get("cast") or [], image_base)
    for season in show.get("seasons") or []:
        name, number = season.get("name"), season.get("season_number")
        if name and number is not None and name != f"Season {number}":
            _text(root, "namedseason", name, number=str(number))
    return _document([root])


def episode_nfo(
    show: dict[str, Any],
    season: dict[str, Any],
    episodes: list[dict[str, Any]],
    probe: dict[str, Any] | None,
    *,
    image_base: str = TMDB_IMAGE_BASE,
) -> str:
    """The NFO of one episode file: one ``<episodedetails>`` block per episode it holds.

    ``episodes`` are episode objects from the season document (``season["episodes"]``), in file
    order; each block repeats the file's ``<fileinfo>``, as Kodi's own export does.
    """
    if not episodes:
        raise ValueError("episode_nfo needs at least one episode")
    blocks = [_episode_block(show, season, episode, probe, image_base) for episode in episodes]
    return _document(blocks)


def _episode_block(
    show: dict[str, Any],
    season: dict[str, Any],
    episode: dict[str, Any],
    probe: dict[str, Any] | None,
    image_base: str,
) -> ET.Element:
    root = ET.Element("episodedetails")
    _text(root, "title", episode.get("name"))
    _text(root, "showtitle", show.get("name"))
    _ratings(root, episode)
    season_number = episode.get("season_number", season.get("season_number"))
    _text(root, "season", season_number)
    _text(root, "episode", episode.get("episode_number"))
    _text(root, "plot", episode.get("overview"))
    _text(root, "runtime", episode.get("runtime") or None)
    if episode.get("still_path"):
        _thumb(root, episode["still_path"], image_base, aspect="thumb")
    _text(root, "mpaa", us_tv_rating(show))
    _text(root, "uniqueid", episode.get("id"), type="tmdb", default="true")
    external = episode.get("external_ids") or {}
    _text(root, "uniqueid", external.get("imdb_id"), type="imdb")
    _text(root, "uniqueid", external.get("tvdb_id"), type="tvdb")
    crew = episode.get("crew") or []
    _each(root, "credits", _writers(crew))
    _each(root, "director", _directors(crew))
    _text(root, "premiered", episode.get("air_date"))
    _text(root, "aired", episode.get("air_date"))
    _each(root, "studio", _names(show.get("networks")))
    _fileinfo(root, probe)
    _actors(root, episode.get("guest_stars") or [], image_base)
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
# Certifications
# ---------------------------------------------------------------------------------------------


def us_certification(movie: dict[str, Any]) -> str | None:
    """The US certification (``"R"``, ``"PG-13"``) from ``release_dates``, theatrical first."""
    for country in (movie.get("release_dates") or {}).get("results") or []:
        if country.get("iso_3166_1") != "US":
            continue
        rated = [r for r in country.get("release_dates") or [] if r.get("certification")]
        rated.sort(
            key=lambda r: (
                _RELEASE_TYPE_ORDER.index(r.get("type"))
                if r.get("type") in _RELEASE_TYPE_ORDER
                else len(_RELEASE_TYPE_ORDER)
            )
        )
        if rated:
            return str(rated[0]["certification"]).strip()
    return None


def us_tv_rating(show: dict[str, Any]) -> str | None:
    """The US TV rating (``"TV-MA"``) from ``content_ratings``."""
    for rating in (show.get("content_ratings") or {}).get("results") or []:
        if rating.get("iso_3166_1") == "US" and rating.get("rating"):
            return str(rating["rating"]).strip()
    return None


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


def _names(items: Any) -> list[str]:
    return [item["name"] for item in items or [] if item.get("name")]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _writers(crew: list[dict[str, Any]]) -> list[str]:
    return _unique(
        person.get("name", "") for person in crew if person.get("department") == "Writing"
    )


def _directors(crew: list[dict[str, Any]]) -> list[str]:
    return _unique(person.get("name", "") for person in crew if person.get("job") == "Director")


def _year(date: Any) -> str | None:
    text = str(date or "")
    return text[:4] if len(text) >= 4 and text[:4].isdigit() else None


def _ratings(root: ET.Element, document: dict[str, Any]) -> None:
    average, votes = document.get("vote_average"), document.get("vote_count")
    if not votes and not average:
        return
    rating = ET.SubElement(
        ET.SubElement(root, "ratings"), "rating", name="themoviedb", max="10", default="true"
    )
    _text(rating, "value", _number(float(average or 0)))
    _text(rating, "votes", int(votes or 0))


def _thumb(root: ET.Element, file_path: str, image_base: str, **attrib: str) -> None:
    preview_size = "w500" if attrib.get("aspect") in ("poster", "clearlogo") else "w780"
    preview = image_url(image_base, preview_size, file_path)
    _text(root, "thumb", image_url(image_base, "original", file_path), **attrib, preview=preview)


def _image_paths(main: str | None, images: list[dict[str, Any]] | None) -> list[str]:
    paths = _unique([main or "", *(image.get("file_path", "") for image in images or [])])
    return paths[:MAX_IMAGES]


def _posters(root: ET.Element, document: dict[str, Any], image_base: str) -> None:
    images = document.get("images") or {}
    for path in _image_paths(document.get("poster_path"), images.get("posters")):
        _thumb(root, path, image_base, aspect="poster")
    for path in _image_paths(None, images.get("logos"))[:2]:
        _thumb(root, path, image_base, aspect="clearlogo")


def _fanart(root: ET.Element, document: dict[str, Any], image_base: str) -> None:
    # Backdrops with a language carry text; Kodi's fanart is the clean (language-less) kind.
    backdrops = [
        b for b in (document.get("images") or {}).get("backdrops") or [] if not b.get("iso_639_1")
    ]
    paths = _image_paths(document.get("backdrop_path"), backdrops)
    if paths:
        fanart = ET.SubElement(root, "fanart")
        for path in paths:
            _thumb(fanart, path, image_base)


def _actors(root: ET.Element, cast: list[dict[str, Any]], image_base: str) -> None:
    def order(pair: tuple[int, dict[str, Any]]) -> tuple[float, int]:
        given = pair[1].get("order")
        return (given if isinstance(given, (int, float)) else pair[0]), pair[0]

    ordered = sorted(enumerate(cast), key=order)
    for position, (_, person) in enumerate(ordered):
        if not person.get("name"):
            continue
        actor = ET.SubElement(root, "actor")
        _text(actor, "name", person["name"])
        _text(actor, "role", person.get("character"))
        _text(actor, "order", person.get("order", position))
        if person.get("profile_path"):
            _text(actor, "thumb", image_url(image_base, "original", person["profile_path"]))


def _trailer(document: dict[str, Any]) -> str | None:
    videos = [
        v
        for v in (document.get("videos") or {}).get("results") or []
        if v.get("site") == "YouTube" and v.get("type") == "Trailer" and v.get("key")
    ]
    if not videos:
        return None
    videos.sort(key=lambda v: (not v.get("official", False), v.get("iso_639_1") != "en"))
    return f"plugin://plugin.video.youtube/play/?video_id={videos[0]['key']}"


def _show_ids(show: dict[str, Any]) -> dict[str, str]:
    external = show.get("external_ids") or {}
    ids = {"tmdb": show.get("id"), "imdb": external.get("imdb_id"), "tvdb": external.get("tvdb_id")}
    return {kind: str(value) for kind, value in ids.items() if value}


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


