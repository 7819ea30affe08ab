"""The Stash-compatible video perceptual hash, as pure functions.

Stash (``pkg/hash/videophash``) hashes a video like this, and users compare our hashes with the
ones their Stash instance already holds, so every step follows it to the bit:

1. duration ``D`` = ffprobe's format duration rounded to 0.01 s;
2. 25 screenshots at ``0.05·D + i·(0.9·D/25)``, each taken as
   ``ffmpeg -ss T -i FILE -frames:v 1 -vf scale=160:-2`` (accurate input seeking, bicubic);
3. tiled row-major into a 5×5 sprite on a black NRGBA canvas (disintegration/imaging);
4. goimagehash v1.1.0 ``PerceptionHash`` of the sprite: nfnt/resize ``Bilinear`` to 64×64,
   gray ``0.299·(r/257) + 0.587·(g/257) + 0.114·(b/256)``, unscaled DCT-II (Byeong Gi Lee's
   recursive algorithm) over the rows then the first 8 columns, the 8×8 low-frequency block,
   the quickselect median, bit ``63 − i`` set when coefficient ``i`` exceeds it.

The integer arithmetic of nfnt/resize (truncated int16 weights, integer division, clamping) and
the exact order of floating-point operations in goimagehash are reproduced, so the hash of a
given sprite equals Stash's exactly; an "equivalent" resize (PIL's bilinear) is 1 bit off on
typical inputs. Frames come from PyAV (the same libav* code ffmpeg runs), so a clip's hash equals
Stash's as long as the bundled libswscale scales like the user's ffmpeg.

Everything here is synchronous and CPU-bound: callers run :func:`video_phash` in a thread.

Longer than ~400 lines on purpose: it is one algorithm, Stash's, in the order above (frame
times, frames, sprite, resize, gray, DCT, median), each step reproducing a Go library's
arithmetic; in one file it reads side by side with the code it mirrors.
"""

from __future__ import annotations

import functools
import math
import os
import string
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction

import av
import numpy as np
import numpy.typing as npt
from av.video.reformatter import VideoReformatter
from shelver.api import ItemError

__all__ = [
    "FRAME_COUNT",
    "PhashError",
    "build_sprite",
    "dct2d",
    "extract_frames",
    "format_phash",
    "format_seconds",
    "frame_times",
    "hamming_distance",
    "median_of",
    "parse_phash",
    "perception_hash",
    "probe_duration",
    "resize_bilinear_nfnt",
    "scaled_height",
    "to_gray",
    "video_phash",
]

FRAME_COUNT = 25
"""Screenshots per video: a 5×5 sprite."""

SPRITE_COLUMNS = 5
SCREENSHOT_WIDTH = 160
HASH_IMAGE_SIZE = 64
"""goimagehash resizes the sprite to 64×64 before the DCT."""
LOW_FREQUENCIES = 8

_AV_TIME_BASE = 1_000_000

Image = npt.NDArray[np.uint8]
FloatArray = npt.NDArray[np.float64]


class PhashError(ItemError):
    """A file could not be hashed: unreadable, corrupt, no video stream or no duration."""


# --------------------------------------------------------------------------- frame times


def _go_round(value: float) -> float:
    """Go's ``math.Round``: halves away from zero (Python's ``round`` goes to even)."""
    return math.copysign(math.floor(abs(value) + 0.5), value)


def probe_duration(duration_us: int) -> float:
    """Stash's duration from libavformat's (microseconds): ffprobe prints it as seconds with
    six decimals, Stash parses that and rounds to 0.01 s (``math.Round(d*100) / 100``)."""
    # ffprobe's "%f" text has exactly the value duration_us / 1e6, so parsing it back gives
    # the correctly rounded quotient, which is what Python's true division returns.
    return _go_round(duration_us / _AV_TIME_BASE * 100) / 100


def frame_times(duration: float) -> list[float]:
    """The 25 screenshot times, in seconds, computed in Stash's float64 operation order."""
    offset = 0.05 * duration
    step = (0.9 * duration) / FRAME_COUNT
    return [offset + float(i) * step for i in range(FRAME_COUNT)]


def format_seconds(seconds: float) -> str:
    """A time as Stash passes it to ``ffmpeg -ss``: Go's ``strconv.FormatFloat(t, 'f', -1, 64)``,
    the shortest decimal that reads back as the same float, never in exponent form."""
    # repr() is the shortest round-tripping decimal too; Decimal undoes its exponent form.
    text = format(Decimal(repr(float(seconds))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _parse_seconds_us(text: str) -> int:
    """libavutil's ``av_parse_time`` for a duration: whole seconds plus at most six fractional
    digits, the rest dropped (so "7.4799999999999995" means 7.479999 s)."""
    negative = text.startswith("-")
    whole, _, fraction = text.lstrip("+-").partition(".")
    micro = int(whole or "0") * _AV_TIME_BASE + int((fraction[:6]).ljust(6, "0"))
    return -micro if negative else micro


def _rescale_near_inf(value: int, numerator: int, denominator: int) -> int:
    """``av_rescale(value, numerator, denominator)``: rounds halves away from zero."""
    sign = -1 if (value < 0) != (numerator < 0) else 1
    product = abs(value * numerator)
    return sign * ((2 * product + denominator) // (2 * denominator))


def scaled_height(width: int, height: int, target_width: int = SCREENSHOT_WIDTH) -> int:
    """Output height of ffmpeg's ``scale=W:-2``: the aspect-kept height rounded to even."""
    return _rescale_near_inf(target_width, height, width * 2) * 2


# --------------------------------------------------------------------------- frame extraction


def _open_error(path: str | os.PathLike[str], error: BaseException) -> PhashError:
    # PyAV's FFmpegError says "[Errno 1094995529] Invalid data found when processing input:
    # '<the path again>'": its own words are enough, the path is at the front already.
    reason = getattr(error, "strerror", None) or str(error)
    return PhashError(f"{os.fspath(path)}: cannot compute phash: {reason}")


def extract_frames(
    path: str | os.PathLike[str], *, width: int = SCREENSHOT_WIDTH
) -> tuple[float, list[Image]]:
    """Decode Stash's 25 screenshots of a video: ``(duration, frames)``, each frame an
    H×W×3 RGB ``uint8`` array ``width`` pixels wide.

    Each frame is what ``ffmpeg -ss T -i FILE -frames:v 1 -vf scale=160:-2`` writes: seek to the
    keyframe at or before ``T``, decode forward, keep the first frame whose timestamp reaches
    ``T`` (ffmpeg's accurate input seeking), scale it with swscale's bicubic filter. Raises
    :class:`PhashError` naming the file when it cannot be read or has no duration.
    """
    try:
        container = av.open(os.fspath(path))
    except (av.FFmpegError, OSError, ValueError) as error:
        raise _open_error(path, error) from error
    try:
        return _extract(container, path, width)
    except (av.FFmpegError, OSError, ValueError) as error:
        raise _open_error(path, error) from error
    finally:
        container.close()


def _extract(
    container: av.container.InputContainer, path: str | os.PathLike[str], width: int
) -> tuple[float, list[Image]]:
    stream = _pick_video_stream(container)
    if stream is None:
        raise PhashError(f"{os.fspath(path)}: cannot compute phash: no video stream")
    # Without a format duration Stash would take 25 screenshots at 0 s: refuse instead.
    duration = probe_duration(container.duration) if container.duration else 0.0
    if duration <= 0:
        raise PhashError(f"{os.fspath(path)}: cannot compute phash: no duration")
    # Frame threading delays the first output frame by one frame per thread after every seek;
    # slice threading does not, and the decoder output is bit-identical either way.
    stream.codec_context.thread_type = "SLICE"
    time_base = stream.time_base or Fraction(1, _AV_TIME_BASE)
    # ffmpeg adds the container start time to -ss and shifts timestamps by it.
    start_us = container.start_time or 0
    # One reformatter keeps one swscale context for all 25 frames: building the bicubic
    # filter again for every frame would cost as much as the scaling itself.
    reformatter = VideoReformatter()
    frames: list[Image] = []
    for seconds in frame_times(duration):
        target_us = _parse_seconds_us(format_seconds(seconds)) + start_us
        # ffmpeg offsets packet timestamps by -target rescaled (rounded) to the stream
        # time base, then its trim filter drops frames below 0: reproduce that threshold.
        threshold = _rescale_near_inf(
            target_us * time_base.denominator, 1, _AV_TIME_BASE * time_base.numerator
        )
        frame = _first_frame_from(container, stream, target_us, threshold)
        if frame is None:
            raise PhashError(
                f"{os.fspath(path)}: cannot compute phash: no frame at {format_seconds(seconds)} s"
            )
        height = scaled_height(frame.width, frame.height, width)
        scaled = reformatter.reformat(
            frame, width=width, height=height, format="rgb24", interpolation="BICUBIC"
        )
        frames.append(np.asarray(scaled.to_ndarray(), dtype=np.uint8))
    return duration, frames


def _pick_video_stream(container: av.container.InputContainer) -> av.VideoStream | None:
    """The stream ``ffmpeg -i FILE`` would screenshot: the largest picture, a default stream
    preferred, cover art (an attached picture) only when there is nothing else."""

    def score(stream: av.VideoStream) -> int:
        if stream.disposition & av.stream.Disposition.attached_pic:
            return 1
        default = bool(stream.disposition & av.stream.Disposition.default)
        return (stream.width or 0) * (stream.height or 0) + 5_000_000 * default

    streams = list(container.streams.video)
    return max(streams, key=score) if streams else None


def _first_frame_from(
    container: av.container.InputContainer,
    stream: av.VideoStream,
    target_us: int,
    threshold: int,
) -> av.VideoFrame | None:
    """Seek like ``avformat_seek_file(ic, -1, INT64_MIN, ts, ts, 0)`` and decode forward."""
    container.seek(target_us, backward=True, any_frame=False)
    for packet in container.demux(stream):
        try:
            decoded = packet.decode()
        except av.InvalidDataError:
            # ffmpeg logs a damaged packet and goes on with the next one; so do we.
            continue
        for frame in decoded:
            timestamp = frame.pts if frame.pts is not None else frame.dts
            if timestamp is None or timestamp >= threshold:
                return frame
    # Nothing at or after the target (a truncated file, a header promising more than there
    # is): ffmpeg writes no screenshot there and Stash gives up on the file, so do we.
    return None


# --------------------------------------------------------------------------- sprite


def build_sprite(frames: Sequence[Image], columns: int = SPRITE_COLUMNS) -> Image:
    """Tile frames row-major into an NRGBA sprite (H×W×4 ``uint8``) on transparent black,
    as Stash does with ``imaging.New(w·5, h·5, color.NRGBA{})`` and ``imaging.Paste``.

    Every cell has the first frame's size. Should a later frame differ (a resolution change
    mid-stream), it is pasted at its cell's corner all the same: a larger one spills into the
    next cells until they are pasted over, a smaller one leaves canvas showing, as Paste does.
    """
    if not frames:
        raise ValueError("no frames to build a sprite from")
    cell_height, cell_width = frames[0].shape[:2]
    # Stash computes rows as columns (a 5×5 grid) and places frame i at row i // 5.
    rows = math.ceil(len(frames) / columns)
    canvas = np.zeros((cell_height * rows, cell_width * columns, 4), dtype=np.uint8)
    for index, frame in enumerate(frames):
        top = cell_height * (index // columns)
        left = cell_width * (index % columns)
        height = min(frame.shape[0], canvas.shape[0] - top)
        width = min(frame.shape[1], canvas.shape[1] - left)
        target = canvas[top : top + height, left : left + width]
        if frame.shape[2] == 3:
            target[..., :3] = frame[:height, :width]
            target[..., 3] = 255
        else:
            target[...] = frame[:height, :width]
    return canvas


# --------------------------------------------------------------------------- nfnt/resize


def _linear(value: float) -> float:
    value = abs(value)
    return 1.0 - value if value <= 1.0 else 0.0


@functools.lru_cache(maxsize=16)
def _nfnt_weights(destination: int, source: int) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """nfnt/resize ``createWeights8`` for the Bilinear kernel, as a dense matrix.

    Returns ``(matrix, sums)``: ``matrix[y, x]`` is the integer weight of source sample ``x``
    in destination sample ``y`` (taps that fall outside the image are clamped onto its edge, as
    nfnt's loop does, so their weights add up there) and ``sums[y]`` the divisor nfnt uses.
    Cached: a library's sprites mostly share a handful of sizes.
    """
    scale = source / destination  # blur = 1.0
    filter_length = 2 * int(max(math.ceil(scale), 1))
    filter_factor = min(1.0 / scale, 1.0)
    last = source - 1
    matrix = np.zeros((destination, source), dtype=np.float64)
    sums = np.zeros(destination, dtype=np.int64)
    for y in range(destination):
        interp = scale * (float(y) + 0.5) - 0.5
        start = math.trunc(interp) - filter_length // 2 + 1  # Go's int() truncates
        interp -= float(start)
        for tap in range(filter_length):
            # int16(kernel(in) * 256): truncation toward zero.
            weight = math.trunc(_linear((interp - float(tap)) * filter_factor) * 256)
            if weight == 0:
                continue
            index = start + tap
            if index >= last:
                index = last
            elif index < 0:
                index = 0
            matrix[y, index] += weight
            sums[y] += weight
    matrix.flags.writeable = False
    sums.flags.writeable = False
    return matrix, sums


def _nfnt_pass(samples: Image, destination: int) -> Image:
    """One nfnt pass along axis 1 of ``samples`` (rows × source × channels, ``uint8``),
    returning the transposed result (destination × rows × channels), as nfnt's temporary
    image is: the second pass over it then runs along the other axis of the picture."""
    rows, source, channels = samples.shape
    matrix, sums = _nfnt_weights(destination, source)
    # Integer weights times 8-bit samples: every partial sum is an integer no larger than
    # sum(weights)·255, so a float product is exact (float32 while that stays below 2**24,
    # float64 beyond) and equals nfnt's int32 accumulation, whatever order BLAS adds in.
    dtype = np.float32 if int(sums.max()) * 255 < 1 << 24 else np.float64
    by_source = samples.transpose(1, 0, 2).reshape(source, rows * channels).astype(dtype)
    totals = np.matmul(matrix.astype(dtype), by_source).astype(np.int64)
    # Go's int32 division truncates; all terms are non-negative, so floor division agrees.
    quotients: Image = np.clip(totals // sums[:, None], 0, 255).astype(np.uint8)
    return quotients.reshape(destination, rows, channels)


def resize_bilinear_nfnt(image: Image, width: int, height: int) -> Image:
    """``resize.Resize(width, height, img, resize.Bilinear)`` of nfnt/resize (2018-02-21) for an
    ``*image.NRGBA`` (H×W×4) or opaque RGB (H×W×3) ``uint8`` image.

    Returns H×W×4 ``uint8`` in nfnt's output type, ``*image.RGBA``: alpha-premultiplied.
    Horizontal pass then vertical pass, each with truncated integer weights, integer division
    by the weight sum and clamping to 0..255, exactly as nfnt's 8-bit NRGBA path.
    """
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(f"expected an H×W×3 or H×W×4 image, got shape {image.shape}")
    image = np.asarray(image, dtype=np.uint8)
    opaque = image.shape[2] == 3 or bool((image[..., 3] == 255).all())
    if image.shape[0] == height and image.shape[1] == width:
        # nfnt returns the input itself; goimagehash then reads it through color.NRGBA.RGBA(),
        # whose 16-bit premultiplication is (v·257·a/255), read back as /257.
        return _premultiplied(image, opaque, lambda v, a: v * 257 * a // 255 // 257)
    if opaque:
        # Premultiplying by 255 changes nothing and the alpha of every output is
        # sum(w·255)/sum(w) = 255: resize the colour channels only.
        colour = image[..., :3]
        resized = _nfnt_pass(_nfnt_pass(colour, width), height)
        alpha = np.full(resized.shape[:2] + (1,), 255, dtype=np.uint8)
        return np.concatenate([resized, alpha], axis=2)
    # resizeNRGBA premultiplies each sample by its alpha (integer /0xff) before weighting.
    premultiplied = _premultiplied(image, opaque, lambda v, a: v * a // 255)
    return _nfnt_pass(_nfnt_pass(premultiplied, width), height)


def _premultiplied(
    image: Image,
    opaque: bool,
    multiply: Callable[[npt.NDArray[np.int64], npt.NDArray[np.int64]], npt.NDArray[np.int64]],
) -> Image:
    """RGBA with the colour channels premultiplied by ``multiply(value, alpha)``."""
    if opaque:
        alpha = np.full(image.shape[:2] + (1,), 255, dtype=np.uint8)
        return np.concatenate([image[..., :3], alpha], axis=2)
    wide = image.astype(np.int64)
    premultiplied = multiply(wide[..., :3], wide[..., 3:4])
    return np.concatenate([premultiplied, wide[..., 3:4]], axis=2).astype(np.uint8)


# --------------------------------------------------------------------------- goimagehash


def to_gray(image64: Image) -> npt.NDArray[np.float64]:
    """goimagehash's ``pixel2Gray`` over an ``*image.RGBA`` (H×W×3 or ×4 ``uint8``).

    Go reads 16-bit channels (``v·257``) and divides with integers, red and green by 257 and
    blue by 256; the float64 sum is evaluated left to right, like Go on amd64 (no FMA).
    """
    channels = image64.astype(np.int64) * 257
    red = (channels[..., 0] // 257).astype(np.float64)
    green = (channels[..., 1] // 257).astype(np.float64)
    blue = (channels[..., 2] // 256).astype(np.float64)
    return 0.299 * red + 0.587 * green + 0.114 * blue


# Go's math.Cos (Cephes' polynomial, argument reduction with π/4 in three parts). goimagehash
# built its DCT tables with it, and it differs from the C library's cos in the last bit for
# some of them, which shows in the DCT coefficients: reproduce it rather than call math.cos.
_GO_SIN = (
    1.58962301576546568060e-10,
    -2.50507477628578072866e-8,
    2.75573136213857245213e-6,
    -1.98412698295895385996e-4,
    8.33333333332211858878e-3,
    -1.66666666666666307295e-1,
)
_GO_COS = (
    -1.13585365213876817300e-11,
    2.08757008419747316778e-9,
    -2.75573141792967388112e-7,
    2.48015872888517045348e-5,
    -1.38888888888730564116e-3,
    4.16666666666665929218e-2,
)
_PI4A = 7.85398125648498535156e-1
_PI4B = 3.77489470793079817668e-8
_PI4C = 2.69515142907905952645e-15
_FOUR_OVER_PI = 1.273239544735162542821171882678754627704620361328125  # Go's exact constant


def _go_cos(x: float) -> float:
    """Go's ``math.Cos`` for the small arguments used here (no Payne-Hanek reduction)."""
    x = abs(x)
    octant = int(x * _FOUR_OVER_PI)
    y = float(octant)
    if octant & 1:
        octant += 1
        y += 1
    octant &= 7
    z = ((x - y * _PI4A) - y * _PI4B) - y * _PI4C
    negative = False
    if octant > 3:
        octant -= 4
        negative = not negative
    if octant > 1:
        negative = not negative
    zz = z * z
    s, c = _GO_SIN, _GO_COS
    if octant in (1, 2):
        result = z + z * zz * (
            (((((s[0] * zz) + s[1]) * zz + s[2]) * zz + s[3]) * zz + s[4]) * zz + s[5]
        )
    else:
        result = (
            1.0
            - 0.5 * zz
            + zz * zz * ((((((c[0] * zz) + c[1]) * zz + c[2]) * zz + c[3]) * zz + c[4]) * zz + c[5])
        )
    return -result if negative else result


def _dct_divisors(size: int) -> npt.NDArray[np.float64]:
    """Lee's butterfly divisors ``2·cos((i + ½)·π/size)``, computed as goimagehash's tables were."""
    return np.array(
        [_go_cos((float(i) + 0.5) * math.pi / float(size)) * 2 for i in range(size // 2)]
    )


_DIVISORS = {size: _dct_divisors(size) for size in (2, 4, 8, 16, 32, 64)}


def _forward_dct(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Unscaled DCT-II along the last axis (length a power of two ≤ 64) by Byeong Gi Lee's
    recursion, with goimagehash's operation order so results agree to the last bit."""
    size = values.shape[-1]
    if size == 1:
        return values.copy()
    half = size // 2
    head = values[..., :half]
    tail = values[..., size - 1 : half - 1 : -1]
    sums = _forward_dct(head + tail)
    differences = _forward_dct((head - tail) / _DIVISORS[size])
    result = np.empty_like(values)
    result[..., 0::2] = sums
    result[..., 1 : size - 1 : 2] = differences[..., :-1] + differences[..., 1:]
    result[..., size - 1] = differences[..., -1]
    return result


def dct2d(gray: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """goimagehash ``DCT2DFast64``: the 8×8 low-frequency block of the unscaled 2-D DCT-II of a
    64×64 gray image (rows first, then only the 8 columns the hash needs).

    ``block[v, u]`` is vertical frequency ``v``, horizontal ``u``: row-major as the hash reads it.
    """
    if gray.shape != (HASH_IMAGE_SIZE, HASH_IMAGE_SIZE):
        raise ValueError(f"expected a 64×64 gray image, got shape {gray.shape}")
    rows = _forward_dct(np.asarray(gray, dtype=np.float64))
    columns = _forward_dct(np.ascontiguousarray(rows[:, :LOW_FREQUENCIES].T))
    return np.ascontiguousarray(columns[:, :LOW_FREQUENCIES].T)


def median_of(values: Sequence[float] | npt.NDArray[np.float64]) -> float:
    """goimagehash ``MedianOfPixelsFast64``: quickselect element ``n/2``, and for an even count
    the mean of it and whatever quickselect left just before it (halves summed, as in Go)."""
    sequence = [float(v) for v in np.asarray(values, dtype=np.float64).ravel()]
    if not sequence:
        raise ValueError("median of no values")
    k = len(sequence) // 2
    low, high = 0, len(sequence) - 1
    while low < high:
        pivot = low // 2 + high // 2
        pivot_value = sequence[pivot]
        store = low
        sequence[pivot], sequence[high] = sequence[high], sequence[pivot]
        for i in range(low, high):
            if sequence[i] < pivot_value:
                sequence[store], sequence[i] = sequence[i], sequence[store]
                store += 1
        sequence[high], sequence[store] = sequence[store], sequence[high]
        if k <= store:
            high = store
        else:
            low = store + 1
    if len(sequence) % 2 == 0:
        return sequence[k - 1] / 2 + sequence[k] / 2
    return sequence[k]


def perception_hash(image: Image) -> int:
    """goimagehash v1.1.0 ``PerceptionHash`` of an NRGBA (or RGB) image, as a 64-bit integer."""
    resized = resize_bilinear_nfnt(image, HASH_IMAGE_SIZE, HASH_IMAGE_SIZE)
    block = dct2d(to_gray(resized)).ravel()
    median = median_of(block)
    value = 0
    for index, coefficient in enumerate(block):
        if coefficient > median:
            value |= 1 << (block.size - 1 - index)
    return value


# --------------------------------------------------------------------------- the video hash


def video_phash(path: str | os.PathLike[str]) -> int:
    """Stash's phash of a video file as an unsigned 64-bit integer. Raises :class:`PhashError`."""
    _, frames = extract_frames(path)
    return perception_hash(build_sprite(frames))


def format_phash(value: int) -> str:
    """16 lower-case hex digits, zero-padded (Stash prints its hashes unpadded)."""
    if not 0 <= value < 1 << 64:
        raise ValueError(f"phash out of range: {value}")
    return f"{value:016x}"


def parse_phash(text: str) -> int:
    """A phash from hex, padded or not (Stash's ``%x``); compare hashes as integers."""
    cleaned = text.strip().lower().removeprefix("0x")
    # int(..., 16) alone would also take signs, underscores and blanks inside.
    if not 0 < len(cleaned) <= 16 or cleaned.strip(string.hexdigits):
        raise ValueError(f"not a 64-bit hex phash: {text!r}")
    return int(cleaned, 16)


def hamming_distance(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit hashes."""
    return (a ^ b).bit_count()
