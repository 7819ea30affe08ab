"""Probe with pymediainfo (its wheel bundles libmediainfo): duration, resolution, codecs, HDR,
audio channels and languages, subtitle languages.

The values feed matching (running time), naming templates (``{{ resolution }}``, ``{{ vcodec }}``,
``{{ hdr }}``) and the NFO's ``<streamdetails>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shelver.api import Item, RunContext, hookimpl

# MediaInfo's format names → the short codec names Kodi's streamdetails use.
VIDEO_CODECS = {
    "avc": "h264", "hevc": "hevc", "mpeg-4 visual": "mpeg4", "av1": "av1", "vp9": "vp9",
    "vp8": "vp8", "mpeg video": "mpeg2video", "vc-1": "vc1", "xvid": "xvid", "divx": "divx",
    "ffv1": "ffv1", "prores": "prores", "jpeg": "mjpeg",
}
AUDIO_CODECS = {
    "aac": "aac", "ac-3": "ac3", "e-ac-3": "eac3", "dts": "dts", "mpeg audio": "mp3",
    "flac": "flac", "opus": "opus", "vorbis": "vorbis", "pcm": "pcm", "mlp fba": "truehd",
    "truehd": "truehd", "alac": "alac",
}


# (label, minimum long side, minimum short side): either is enough, so scope crops (1920×800)
# keep their class by width and 4:3 or pillarboxed frames (1440×1080) by height.
RESOLUTION_CLASSES = (("4320p", 7000, 3800), ("2160p", 3200, 1900), ("1440p", 2400, 1300),
                      ("1080p", 1700, 1000), ("720p", 1200, 700), ("576p", 1000, 540))


def resolution_label(width: int | None, height: int | None) -> str | None:
    """480p/576p/720p/1080p/2160p by the frame, tolerant of cropped (scope), anamorphic and
    portrait (phone) video."""
    if not width or not height:
        return None
    long_side, short_side = max(width, height), min(width, height)
    for label, min_long, min_short in RESOLUTION_CLASSES:
        if long_side >= min_long or short_side >= min_short:
            return label
    return "480p" if short_side > 360 or long_side > 640 else f"{short_side}p"


def hdr_format(track: Any) -> str | None:
    text = " ".join(str(getattr(track, name, "") or "") for name in (
        "hdr_format", "hdr_format_commercial", "hdr_format_compatibility", "transfer_characteristics"))
    lowered = text.lower()
    if "dolby vision" in lowered:
        return "Dolby Vision"
    if "hdr10+" in lowered or "smpte st 2094" in lowered:
        return "HDR10+"
    if "hlg" in lowered or "arib std-b67" in lowered:
        return "HLG"
    if "hdr10" in lowered or "smpte st 2086" in lowered or "pq" in lowered.split():
        return "HDR10"
    return None


# ISO 639-2 has two codes for these languages; Kodi's streamdetails and Matroska use the
# bibliographic (B) one ("ger", "fre"), MediaInfo reports the terminological (T) one ("deu", "fra").
ISO639_2_T_TO_B = {
    "bod": "tib", "ces": "cze", "cym": "wel", "deu": "ger", "ell": "gre", "eus": "baq",
    "fas": "per", "fra": "fre", "hye": "arm", "isl": "ice", "kat": "geo", "mkd": "mac",
    "mri": "mao", "msa": "may", "mya": "bur", "nld": "dut", "ron": "rum", "slk": "slo",
    "sqi": "alb", "zho": "chi",
}


def language_code(track: Any) -> str | None:
    """A track's language as Kodi writes it: ISO 639-2/B (``eng``, ``ger``), or None.

    MediaInfo's ``language`` is the 2-letter code ("en"); ``other_language`` lists the name and
    the other forms, among them the 3-letter one. A code MediaInfo cannot expand is kept as is."""
    language = str(getattr(track, "language", "") or "").strip()
    if not language:
        return None
    for other in getattr(track, "other_language", None) or []:
        text = str(other).strip().lower()
        if len(text) == 3 and text.isalpha():
            return ISO639_2_T_TO_B.get(text, text)
    return language.lower()


def _codec(track: Any, table: dict[str, str]) -> str | None:
    name = str(getattr(track, "format", "") or "").lower()
    if not name:
        return None
    for key, short in table.items():
        if name.startswith(key):
            return short
    return name.replace(" ", "")


def probe_file(path: Path) -> dict[str, Any]:
    """What pymediainfo can tell about ``path``; an empty dict when it is not media at all."""
    from pymediainfo import MediaInfo

    info = MediaInfo.parse(str(path))
    result: dict[str, Any] = {"audio": [], "subtitles": []}
    for track in info.tracks:
        kind = track.track_type
        if kind == "General":
            if track.duration:
                result["duration"] = round(float(track.duration) / 1000.0, 3)
            if track.format:
                result["container"] = str(track.format).lower()
        elif kind == "Video" and "width" not in result:
            width = int(track.width) if track.width else None
            height = int(track.height) if track.height else None
            result.update(width=width, height=height, resolution=resolution_label(width, height),
                          video_codec=_codec(track, VIDEO_CODECS), hdr=hdr_format(track))
            if track.display_aspect_ratio:
                result["aspect"] = round(float(track.display_aspect_ratio), 3)
            elif width and height:
                result["aspect"] = round(width / height, 3)
            if track.duration and "duration" not in result:
                result["duration"] = round(float(track.duration) / 1000.0, 3)
            if track.frame_rate:
                result["frame_rate"] = float(track.frame_rate)
        elif kind == "Audio":
            channels = track.channel_s
            result["audio"].append({
                "codec": _codec(track, AUDIO_CODECS),
                "channels": int(str(channels).split()[0]) if channels else None,
                "language": language_code(track),
            })
        elif kind == "Text":
            result["subtitles"].append(language_code(track))
    if "width" not in result and "duration" not in result:
        return {}
    return result


@hookimpl(trylast=True)
def shelver_probe(item: Item, ctx: RunContext) -> dict[str, Any] | None:
    try:
        return probe_file(item.path)
    except Exception as exc:  # noqa: BLE001 - an unreadable file is described by what we know: nothing
        ctx.log.warning("mediainfo could not read %s: %s", item.path, exc)
        return None
