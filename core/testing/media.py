"""Real, tiny media files with real durations, made with PyAV (its wheel bundles ffmpeg).

A two-hour movie costs a few kilobytes: frames are sparse (one every ``frame_interval`` seconds)
but real, so mediainfo reports the true duration and a decoder can seek to any instant.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

CONTAINER_CODEC = {".mp4": "h264", ".m4v": "h264", ".mkv": "h264", ".avi": "mpeg4",
                   ".mov": "h264", ".webm": "vp9", ".ts": "mpeg2video"}


def make_video(
    path: str | Path,
    duration: float,
    *,
    width: int = 64,
    height: int = 48,
    codec: str | None = None,
    frame_interval: float = 60.0,
    seed: int = 0,
    audio: bool = False,
    faststart: bool = False,
) -> Path:
    """Write a real video of ``duration`` seconds to ``path`` (container from the suffix).

    Content is a moving gradient that depends on ``seed``, so two seeds give different pictures.
    ``faststart`` puts an ISO-BMFF file's ``moov`` box before its ``mdat`` (as streaming releases have it).
    """
    import av

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    codec = codec or CONTAINER_CODEC.get(path.suffix.lower(), "h264")
    frames = max(2, int(duration / frame_interval) + 1)
    time_base = Fraction(1, 1000)
    iso_bmff = path.suffix.lower() in (".mp4", ".m4v", ".mov")
    options = {"movflags": "faststart"} if faststart and iso_bmff else {}
    with av.open(str(path), "w", options=options) as container:
        # AVI is constant-frame-rate: 1 fps there (still frames cost bytes, not kilobytes).
        cfr = path.suffix.lower() == ".avi"
        stream: Any = container.add_stream(codec, rate=1)  # a VideoStream; PyAV types it as a union
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.time_base = time_base
        if codec in ("h264", "libx264"):
            stream.options = {"preset": "ultrafast", "g": "1"}
        audio_stream: Any = container.add_stream("aac", rate=8000) if audio else None
        if cfr:
            stream.time_base = Fraction(1, 1)
            frame_interval = 1.0
            frames = max(2, int(duration))
        # Blocky, seed-dependent content: compresses to almost nothing, yet two seeds look
        # different to a perceptual hash (a random 4x4 grid of colours, drifting slowly).
        rng = np.random.default_rng(seed)
        grid = rng.integers(0, 256, size=(4, 4, 3)).astype(np.float32)
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        cells = grid[(ys * 4 // height).astype(int), (xs * 4 // width).astype(int)]
        for index in range(frames):
            # The last frame starts one frame-length before the end, so the duration is exact.
            t = duration - 1.0 if index == frames - 1 else min(index * frame_interval, duration - 1.0)
            drift = 12 * np.sin(xs / max(width, 1) * 6.283 + index * 0.5)[..., None]
            picture = np.clip(cells + drift, 0, 255)
            frame = av.VideoFrame.from_ndarray(picture.astype(np.uint8), format="rgb24")
            if cfr:
                frame.pts = int(round(t))
                frame.time_base = Fraction(1, 1)
            else:
                frame.pts = int(round(t / float(time_base)))
                frame.time_base = time_base
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        if audio_stream is not None:
            samples = int(8000 * min(duration, 2.0))
            layout = av.AudioFrame.from_ndarray(np.zeros((1, samples), dtype=np.float32),
                                                format="fltp", layout="mono")
            layout.sample_rate = 8000
            layout.pts = 0
            for packet in audio_stream.encode(layout):
                container.mux(packet)
            for packet in audio_stream.encode():
                container.mux(packet)
    return path
