"""Media benchmark: phash against plain decoding, and the mediainfo probe, per file.

Run: ``.venv/bin/python bench/media.py`` (about 30–60 s on two cores). It encodes a few test
videos with PyAV into a temporary directory (1280×720 h264, one with B-frames, and a 480p
MPEG-4 AVI: a few minutes each at low frame rates, with panning texture and moving shapes),
then, for each file, in the same run:

* ``phash``: :func:`shelver.plugins.phash.algorithm.video_phash`, the whole thing (open,
  25 accurate seeks and decodes, bicubic scaling to 160 px, sprite, resize, DCT, hash);
* ``decode``: PyAV alone decoding the same 25 frames: open, and for each screenshot time seek
  to the keyframe before it and decode forward to the frame at that time, which is what
  ``ffmpeg -ss T -i FILE -frames:v 1`` does; no scaling, no hashing. The contract's target is
  ``phash ≤ 1.5 × decode``;
* ``keyframe``: for reference only, seek and decode just the first frame after each seek (the
  keyframe: cheaper, but not the frames Stash hashes);
* ``mediainfo``: one ``pymediainfo.MediaInfo.parse`` of the file.

Each figure is the best of 3 interleaved repetitions, after a warm-up run.
Exits 0; prints ``over target`` next to a ratio above 1.5 instead of failing.
"""

from __future__ import annotations

import functools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pymediainfo
from shelver.plugins.phash import algorithm as phash

TARGET_RATIO = 1.5
REPEATS = 3


@dataclass(frozen=True)
class Spec:
    """One generated test video."""

    name: str
    codec: str
    width: int
    height: int
    fps: int
    seconds: int
    gop_seconds: int
    options: dict[str, str]


# Frames per GOP, not frames per second, set the work of accurate seeking (on average half a
# GOP decoded per screenshot). Real files have 50–300 frames per GOP; these have 20–50, low
# frame rates keep the encoding short.
SPECS = (
    Spec("h264_720p_4fps.mp4", "libx264", 1280, 720, 4, 180, 10, {"preset": "ultrafast"}),
    Spec(
        "h264_720p_4fps_bframes.mkv",
        "libx264",
        1280,
        720,
        4,
        120,
        10,
        {"preset": "veryfast", "bf": "3"},
    ),
    Spec("mpeg4_480p_5fps.avi", "mpeg4", 854, 480, 5, 300, 10, {"qscale": "3"}),
)

_TEXTURE_MARGIN = 64


def _texture(spec: Spec) -> np.ndarray:
    """Fixed blotchy detail, larger than the picture so it can pan: without texture a
    synthetic video decodes several times faster than real footage, which would skew the
    phash / decode ratio towards phash's fixed costs (scaling and hashing)."""
    generator = np.random.default_rng(len(spec.name))
    block = 8
    shape = (
        -(-(spec.height + _TEXTURE_MARGIN) // block),
        -(-(spec.width + _TEXTURE_MARGIN) // block),
    )
    coarse = generator.integers(-24, 25, size=shape, dtype=np.int16)
    detail = np.repeat(np.repeat(coarse, block, axis=0), block, axis=1)
    # Soften the block edges (2×2 box) so motion search has gradients to follow.
    return (
        detail + np.roll(detail, 1, 0) + np.roll(detail, 1, 1) + np.roll(detail, 1, (0, 1))
    ) // 4


def _frame_planes(spec: Spec, index: int, texture: np.ndarray) -> np.ndarray:
    """A yuv420p frame with content that moves: a drifting diagonal gradient under panning
    texture, a bright box crossing the picture and chroma that slowly changes, so every
    screenshot differs."""
    height, width = spec.height, spec.width
    rows = np.arange(height, dtype=np.int16)[:, None]
    columns = np.arange(width, dtype=np.int16)[None, :]
    shift = (index * 3) % _TEXTURE_MARGIN
    detail = texture[shift : shift + height, shift : shift + width]
    luma = np.clip((rows + columns + index * 7) % 200 + 28 + detail, 16, 235).astype(np.uint8)
    box = (index * 23) % max(width - 160, 1)
    top = (index * 11) % max(height - 120, 1)
    luma[top : top + 120, box : box + 160] = 235
    chroma_shape = (height // 2, width // 2)
    cb = np.full(chroma_shape, (96 + index) % 256, dtype=np.uint8)
    cr = np.full(chroma_shape, (160 + 3 * index) % 256, dtype=np.uint8)
    # yuv420p as PyAV's from_ndarray wants it: Y rows, then U and V packed two rows per row.
    return np.concatenate(
        [luma, cb.reshape(height // 4, width), cr.reshape(height // 4, width)], axis=0
    )


def generate(spec: Spec, folder: Path) -> Path:
    path = folder / spec.name
    with av.open(str(path), "w") as container:
        stream = container.add_stream(spec.codec, rate=spec.fps)
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height = spec.width, spec.height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = spec.gop_seconds * spec.fps
        stream.codec_context.time_base = Fraction(1, spec.fps)
        stream.options = {**spec.options, "g": str(spec.gop_seconds * spec.fps)}
        if spec.codec == "libx264":
            stream.options["x264-params"] = f"keyint={spec.gop_seconds * spec.fps}:scenecut=0"
        texture = _texture(spec)
        for index in range(spec.fps * spec.seconds):
            planes = _frame_planes(spec, index, texture)
            frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
            frame.pts = index
            frame.time_base = Fraction(1, spec.fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _thresholds(container: av.container.InputContainer) -> list[tuple[int, int]]:
    """(seek target in µs, first acceptable pts) for the 25 screenshots, as phash computes."""
    stream = container.streams.video[0]
    assert container.duration is not None
    duration = phash.probe_duration(container.duration)
    time_base = stream.time_base or Fraction(1, 1_000_000)
    start = container.start_time or 0
    targets = []
    for seconds in phash.frame_times(duration):
        target_us = phash._parse_seconds_us(phash.format_seconds(seconds)) + start
        threshold = phash._rescale_near_inf(
            target_us * time_base.denominator, 1, 1_000_000 * time_base.numerator
        )
        targets.append((target_us, threshold))
    return targets


def decode_same_frames(path: Path) -> int:
    """PyAV alone: seek and decode forward to each screenshot's frame, nothing else."""
    decoded = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_type = "SLICE"
        for target_us, threshold in _thresholds(container):
            container.seek(target_us, backward=True, any_frame=False)
            found = False
            for packet in container.demux(stream):
                for frame in packet.decode():
                    decoded += 1
                    if frame.pts is None or frame.pts >= threshold:
                        found = True
                        break
                if found:
                    break
    return decoded


def decode_keyframes(path: Path) -> int:
    """For reference: seek and decode only the first frame after each seek."""
    decoded = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for target_us, _ in _thresholds(container):
            container.seek(target_us, backward=True, any_frame=False)
            found = False
            for packet in container.demux(stream):
                for _frame in packet.decode():
                    decoded += 1
                    found = True
                    break
                if found:
                    break
    return decoded


def best_times(actions: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Best of REPEATS for each action, run interleaved so that a burst of load from
    elsewhere on the machine hits every measurement alike rather than one of them."""
    timings: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(REPEATS):
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            timings[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in timings.items()}


def main() -> int:
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="shelver-bench-") as temporary:
        folder = Path(temporary)
        print("generating test videos ...", flush=True)
        files = []
        for spec in SPECS:
            start = time.perf_counter()
            path = generate(spec, folder)
            size = os.path.getsize(path) / 1e6
            print(f"  {spec.name}: {size:.1f} MB in {time.perf_counter() - start:.1f} s")
            files.append(path)

        header = (
            f"{'file':<28} {'phash':>8} {'decode':>8} {'ratio':>6} "
            f"{'keyframe':>9} {'frames':>7} {'mediainfo':>10}"
        )
        print()
        print(header)
        print("-" * len(header))
        ratios = []
        for path in files:
            decoded = decode_same_frames(path)  # warms the page cache for everyone
            best = best_times(
                {
                    "phash": functools.partial(phash.video_phash, path),
                    "decode": functools.partial(decode_same_frames, path),
                    "keyframe": functools.partial(decode_keyframes, path),
                    "mediainfo": functools.partial(pymediainfo.MediaInfo.parse, str(path)),
                }
            )
            phash_seconds, decode_seconds = best["phash"], best["decode"]
            keyframe_seconds, mediainfo_seconds = best["keyframe"], best["mediainfo"]
            ratio = phash_seconds / decode_seconds
            ratios.append(ratio)
            flag = "" if ratio <= TARGET_RATIO else "  over target"
            print(
                f"{path.name:<28} {phash_seconds:>7.3f}s {decode_seconds:>7.3f}s {ratio:>5.2f}x "
                f"{keyframe_seconds:>8.3f}s {decoded:>7} {mediainfo_seconds * 1000:>8.1f}ms{flag}"
            )
        print()
        print(
            f"phash / decode of the same 25 frames: "
            f"{', '.join(f'{r:.2f}x' for r in ratios)} "
            f"(median {statistics.median(ratios):.2f}x, target <= {TARGET_RATIO}x)"
        )
        print("'frames': frames the decoder had to produce to reach the 25 screenshots")
    print(f"total {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
