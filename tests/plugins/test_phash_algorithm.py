"""The Stash-compatible phash, step by step against vectors produced by Stash's own code.

``tests/data/phash/vectors.json`` records, for five clips, Stash's duration, screenshot times,
sprite and hash, plus the 64×64 gray image, 8×8 DCT block and median of ``clip_a``'s sprite.

What is exact and what is not: from each reference sprite every step and the hash are
bit-identical. From the clips, the frame times, the frame choice (accurate seeking) and the
colour conversion are identical too: ``clip_a_small`` (already 160 px wide, so nothing is
scaled) gives a pixel-identical sprite. Where a frame must be scaled, PyAV's bundled
libswscale (FFmpeg 8) rounds chroma a little differently from the reference's FFmpeg 5.1, so
those sprites differ by about 1–1.6 levels on average; the hashes from all five clips still
equal the reference (distance 0 when measured; the contract allows 2).
"""

from __future__ import annotations

import functools
import json
import math
import random
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image
from shelver.plugins.phash import algorithm as phash
from shelver.plugins.phash.algorithm import PhashError

DATA = Path(__file__).resolve().parents[1] / "data" / "phash"
VECTORS: dict[str, Any] = json.loads((DATA / "vectors.json").read_text())
CLIPS: list[dict[str, Any]] = VECTORS["clips"]
STEPS: dict[str, Any] = VECTORS["steps_clip_a_sprite"]
CLIP_IDS = [clip["file"] for clip in CLIPS]
BY_FILE = {clip["file"]: clip for clip in CLIPS}


def reference_sprite(clip: dict[str, Any]) -> np.ndarray:
    with Image.open(DATA / clip["sprite"]) as image:
        return np.asarray(image.convert("RGB"))


@functools.cache
def extracted(file: str) -> tuple[float, tuple[np.ndarray, ...]]:
    """Decode each clip once for all the tests that need its frames."""
    duration, frames = phash.extract_frames(DATA / file)
    return duration, tuple(frames)


@functools.cache
def clip_hash(file: str) -> int:
    _, frames = extracted(file)
    return phash.perception_hash(phash.build_sprite(list(frames)))


# --------------------------------------------------------------------------- frame times


@pytest.mark.parametrize("clip", CLIPS, ids=CLIP_IDS)
def test_duration_is_ffprobes_rounded_to_hundredths(clip: dict[str, Any]) -> None:
    with av.open(str(DATA / clip["file"])) as container:
        assert container.duration is not None
        assert phash.probe_duration(container.duration) == clip["duration"]


@pytest.mark.parametrize("clip", CLIPS, ids=CLIP_IDS)
def test_frame_times_and_their_text_match_stash(clip: dict[str, Any]) -> None:
    times = phash.frame_times(float(clip["duration"]))
    assert len(times) == 25
    # Exact text, as Stash hands it to ffmpeg: "3", "31.080000000000002", "7.4799999999999995".
    assert [phash.format_seconds(t) for t in times] == clip["times"]


def test_format_seconds_is_gos_shortest_plain_decimal() -> None:
    assert phash.format_seconds(3.0) == "3"
    assert phash.format_seconds(0.0) == "0"
    assert phash.format_seconds(1e-05) == "0.00001"
    assert phash.format_seconds(1e21) == "1000000000000000000000"
    assert phash.format_seconds(0.1 + 0.2) == "0.30000000000000004"


def test_seek_time_truncates_to_microseconds_like_av_parse_time() -> None:
    assert phash._parse_seconds_us("3") == 3_000_000
    assert phash._parse_seconds_us("31.080000000000002") == 31_080_000
    assert phash._parse_seconds_us("7.4799999999999995") == 7_479_999


def test_duration_rounds_halves_away_from_zero_like_go() -> None:
    assert phash.probe_duration(125_000) == 0.13  # 12.5 hundredths: Python's round() says 12
    assert phash.probe_duration(59_996_000) == 60.0
    assert phash.probe_duration(45_000_000) == 45.0


@pytest.mark.parametrize(
    ("size", "height"),
    [((320, 180), 90), ((300, 170), 90), ((320, 240), 120), ((160, 90), 90), ((1920, 804), 68)],
)
def test_scaled_height_is_ffmpegs_scale_160_minus_2(size: tuple[int, int], height: int) -> None:
    assert phash.scaled_height(*size) == height


# --------------------------------------------------------------------------- sprite


@pytest.mark.parametrize("clip", CLIPS, ids=CLIP_IDS)
def test_sprite_from_clip_matches_reference_sprite(clip: dict[str, Any]) -> None:
    duration, frames = extracted(clip["file"])
    assert duration == clip["duration"]
    assert len(frames) == 25
    sprite = phash.build_sprite(list(frames))
    reference = reference_sprite(clip)
    assert [sprite.shape[1], sprite.shape[0]] == clip["sprite_size"]
    assert sprite.shape[2] == 4 and (sprite[..., 3] == 255).all()
    difference = np.abs(sprite[..., :3].astype(np.int64) - reference.astype(np.int64))
    if clip["file"] == "clip_a_small.mp4":
        # Nothing to scale: same frames, same colour conversion, pixel for pixel.
        assert difference.max() == 0
    else:
        # Only swscale's bicubic rounding differs (measured mean 1.07–1.58, see module doc).
        assert difference.mean() < 2.5


def test_sprite_tiles_row_major_on_black() -> None:
    frames = [np.full((2, 3, 3), index, dtype=np.uint8) for index in range(7)]
    sprite = phash.build_sprite(frames, columns=5)
    assert sprite.shape == (4, 15, 4)
    assert sprite[0, 3 * 4, 0] == 4  # frame 4 ends the first row
    assert sprite[2, 3 * 1, 0] == 6  # frame 6 is second on the second row
    assert (sprite[2:, 6:] == 0).all()  # the rest is the transparent black canvas
    assert (sprite[:2, :, 3] == 255).all()


# --------------------------------------------------------------------------- resize and gray


def test_resize_and_gray_match_recorded_gray_image() -> None:
    resized = phash.resize_bilinear_nfnt(reference_sprite(BY_FILE["clip_a.mp4"]), 64, 64)
    assert resized.shape == (64, 64, 4)
    gray = phash.to_gray(resized)
    expected = np.array(STEPS["gray64_row_major"]).reshape(64, 64)
    assert np.array_equal(gray, expected)


def _nfnt_scalar(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    """nfnt/resize's NRGBA Bilinear path written the way the Go code loops, for comparison."""

    def weights(destination: int, source: int) -> tuple[list[list[int]], list[int], int]:
        scale = source / destination
        length = 2 * int(max(math.ceil(scale), 1))
        factor = min(1.0 / scale, 1.0)
        coefficients, starts = [], []
        for y in range(destination):
            interp = scale * (y + 0.5) - 0.5
            start = math.trunc(interp) - length // 2 + 1
            interp -= start
            row = []
            for i in range(length):
                value = abs((interp - i) * factor)
                row.append(math.trunc((1 - value if value <= 1 else 0.0) * 256))
            coefficients.append(row)
            starts.append(start)
        return coefficients, starts, length

    def one_pass(rows: list[list[list[int]]], destination: int) -> list[list[list[int]]]:
        coefficients, starts, length = weights(destination, len(rows[0]))
        last = len(rows[0]) - 1
        out = [[[0] * 4 for _ in rows] for _ in range(destination)]
        for x, row in enumerate(rows):
            for y in range(destination):
                acc, total = [0, 0, 0, 0], 0
                for i in range(length):
                    coefficient = coefficients[y][i]
                    if coefficient == 0:
                        continue
                    index = min(max(starts[y] + i, 0), last)
                    for channel in range(4):
                        acc[channel] += coefficient * row[index][channel]
                    total += coefficient
                out[y][x] = [min(max(value // total, 0), 255) for value in acc]
        return out

    premultiplied = [
        [[r * a // 255, g * a // 255, b * a // 255, a] for r, g, b, a in row]
        for row in pixels.tolist()
    ]
    return np.array(one_pass(one_pass(premultiplied, width), height), dtype=np.uint8)


@pytest.mark.parametrize(
    ("source", "target", "transparent"),
    [
        ((23, 37), (5, 8), True),  # premultiplied path
        ((23, 37), (5, 8), False),  # opaque fast path
        ((7, 9), (12, 10), True),  # upscaling
        ((2, 17_000), (64, 1), False),  # weight sums beyond float32's exact range
    ],
)
def test_vectorised_resize_equals_a_literal_port(
    source: tuple[int, int], target: tuple[int, int], transparent: bool
) -> None:
    generator = np.random.default_rng(7)
    image = generator.integers(0, 256, size=(*source, 4), dtype=np.uint8)
    image[..., 3] = 255
    if transparent:
        image[0, 0, 3] = 0
        image[-1, -1, 3] = 100
    width, height = target
    expected = _nfnt_scalar(image, width, height)
    assert np.array_equal(phash.resize_bilinear_nfnt(image, width, height), expected)
    if not transparent:
        rgb = np.ascontiguousarray(image[..., :3])
        assert np.array_equal(phash.resize_bilinear_nfnt(rgb, width, height), expected)


def test_gray_uses_integer_channel_division_and_go_operation_order() -> None:
    pixel = np.array([[[255, 128, 1, 255]]], dtype=np.uint8)
    assert phash.to_gray(pixel)[0, 0] == 0.299 * 255.0 + 0.587 * 128.0 + 0.114 * 1.0


# --------------------------------------------------------------------------- DCT and median


def test_dct_matches_recorded_block_exactly() -> None:
    gray = np.array(STEPS["gray64_row_major"]).reshape(64, 64)
    block = phash.dct2d(gray)
    assert block.shape == (8, 8)
    assert np.array_equal(block.ravel(), np.array(STEPS["dct_8x8_row_major"]))


def test_dct_is_the_unscaled_dct_ii() -> None:
    gray = np.random.default_rng(3).uniform(0, 255, size=(64, 64))
    n = np.arange(64)
    basis = np.cos(np.pi * (n[None, :] + 0.5) * np.arange(8)[:, None] / 64)  # 8 × 64
    expected = basis @ gray @ basis.T
    assert np.allclose(phash.dct2d(gray), expected, rtol=1e-12, atol=1e-8)


def test_median_matches_recorded_value_exactly() -> None:
    assert phash.median_of(STEPS["dct_8x8_row_major"]) == STEPS["median"]


def test_median_is_quickselects() -> None:
    values = [random.Random(seed).uniform(-100, 100) for seed in range(63)]
    assert phash.median_of(values) == sorted(values)[31]  # odd count: the true median
    ordered = [float(v) for v in range(64)]
    # Even count: element 32 averaged with what quickselect leaves before it (31 here).
    assert phash.median_of(ordered) == 31.5
    assert phash.median_of(list(reversed(ordered))) == 31.5


# --------------------------------------------------------------------------- hashes


@pytest.mark.parametrize("clip", CLIPS, ids=CLIP_IDS)
def test_hash_from_reference_sprite_is_exact(clip: dict[str, Any]) -> None:
    value = phash.perception_hash(reference_sprite(clip))
    assert phash.format_phash(value) == clip["phash"]
    assert value == phash.parse_phash(clip["phash_stash"])


@pytest.mark.parametrize("clip", CLIPS, ids=CLIP_IDS)
def test_hash_from_clip_is_within_two_bits(clip: dict[str, Any]) -> None:
    # Measured: 0 for all five clips.
    assert phash.hamming_distance(clip_hash(clip["file"]), phash.parse_phash(clip["phash"])) <= 2


def test_video_phash_is_the_hash_of_the_extracted_sprite() -> None:
    assert phash.video_phash(DATA / "clip_d.mp4") == clip_hash("clip_d.mp4")


def test_same_content_at_half_resolution_is_a_near_duplicate() -> None:
    distance = phash.hamming_distance(clip_hash("clip_a.mp4"), clip_hash("clip_a_small.mp4"))
    assert distance <= 8


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("clip_a.mp4", "clip_b.mkv"),
        ("clip_a.mp4", "clip_c.avi"),
        ("clip_a.mp4", "clip_d.mp4"),
        ("clip_b.mkv", "clip_c.avi"),
        ("clip_b.mkv", "clip_d.mp4"),
        ("clip_c.avi", "clip_d.mp4"),
    ],
)
def test_different_content_is_far_apart(first: str, second: str) -> None:
    assert phash.hamming_distance(clip_hash(first), clip_hash(second)) > 20


# --------------------------------------------------------------------------- errors and text


def test_garbage_file_raises_phash_error_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken movie.mp4"
    broken.write_bytes(b"\x00not a video at all\xff" * 64)
    with pytest.raises(PhashError, match="broken movie.mp4"):
        phash.video_phash(broken)


def test_truncated_file_raises_phash_error_naming_it(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.mkv"
    truncated.write_bytes((DATA / "clip_b.mkv").read_bytes()[:4096])
    with pytest.raises(PhashError, match="truncated.mkv"):
        phash.video_phash(truncated)


def test_file_without_duration_raises_phash_error_naming_it(tmp_path: Path) -> None:
    empty = tmp_path / "no frames.mkv"
    with av.open(str(empty), "w") as container:
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height = 64, 48
    with pytest.raises(PhashError, match="no frames.mkv"):
        phash.video_phash(empty)


def test_screenshots_come_from_the_largest_video_stream(tmp_path: Path) -> None:
    path = tmp_path / "two streams.mkv"
    with av.open(str(path), "w") as container:
        small = container.add_stream("mpeg4", rate=5)
        small.width, small.height = 64, 64
        large = container.add_stream("mpeg4", rate=5)
        large.width, large.height = 320, 180
        for index in range(20):  # 4 s: the last screenshot (3.656 s) has a frame at 3.8 s
            for stream in (small, large):
                picture = np.full((stream.height, stream.width, 3), index * 10, dtype=np.uint8)
                frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
                frame.pts = index
                container.mux(stream.encode(frame.reformat(format="yuv420p")))
        for stream in (small, large):
            container.mux(stream.encode())
    _, frames = phash.extract_frames(path)
    assert {frame.shape for frame in frames} == {(90, 160, 3)}


def test_missing_file_raises_phash_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(PhashError, match="nowhere.mp4"):
        phash.video_phash(tmp_path / "nowhere.mp4")


def test_phash_text_round_trips_and_pads() -> None:
    assert phash.format_phash(0x0B5A) == "0000000000000b5a"
    assert phash.parse_phash("b5a") == 0x0B5A  # Stash prints without padding
    assert phash.parse_phash("CB5A4D61328B1D5B") == 0xCB5A4D61328B1D5B
    for bad in ("", "xyz", "1" * 17, "-1", "ff_ff", "0x"):
        with pytest.raises(ValueError):
            phash.parse_phash(bad)
    with pytest.raises(ValueError):
        phash.format_phash(1 << 64)


def test_hamming_distance_counts_differing_bits() -> None:
    assert phash.hamming_distance(0, 0) == 0
    assert phash.hamming_distance(0b1011, 0b0001) == 2
    assert phash.hamming_distance(0, (1 << 64) - 1) == 64
