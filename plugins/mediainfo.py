"""Probe with pymediainfo (its wheel bundles libmediainfo): duration, resolution, codecs, HDR,
audio channels and languages, subtitle languages.

The values feed matching (running time), naming templates (``{{ resolution }}``, ``{{ vcodec }}``,
``{{ hdr }}``) and the NFO's ``<streamdetails>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shelver import hookimpl
from shelver.context import RunContext
from shelver.model import Item

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


def resolution_label(width: int | None, height: int | None) -> str | None:
    """480p/576p/720p/1080p/2160p by the frame, tolerant of cropped (scope) and anamorphic video."""
    if not width or not height:
        return None
    for label, min_width, min_height in (("4320p", 7000, 3500), ("2160p", 3200, 1600),
                                         ("1440p", 2400, 1200), ("1080p", 1700, 800),
                                         ("720p", 1200, 540), ("576p", 1000, 500)):
        if width >= min_width or height >= min_height:
            return label
    return "480p" if height > 360 or width > 640 else f"{height}p"


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
                "language": track.language or None,
            })
        elif kind == "Text":
            result["subtitles"].append(track.language or None)
    if "width" not in result and "duration" not in result:
        return {}
    return result


@hookimpl(trylast=True)
def shelver_probe(item: Item, ctx: RunContext) -> dict[str, Any] | None:
    try:
        return probe_file(item.path)
    except Exception as exc:  # an unreadable file is described by what we know: nothing
        ctx.log.warning("mediainfo could not read %s: %s", item.path, exc)
        return None
