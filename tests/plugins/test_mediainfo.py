"""mediainfo: real generated files with known geometry, codec and duration; the resolution table;
files that are not media."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest
from shelver.plugins.mediainfo.plugin import probe_file, resolution_label, shelver_probe


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One real file per container, made once for the module (1080p is the slow part)."""
    from shelver.testing.media import make_video

    folder = tmp_path_factory.mktemp("media")
    return {
        # Sparse frames (one every 10 minutes) keep a 20-minute 1080p file cheap to make.
        "mkv": make_video(folder / "a.mkv", 1234.0, width=1920, height=1080, frame_interval=600),
        "mp4": make_video(folder / "a.mp4", 1234.0, width=1920, height=1080, frame_interval=600),
        "scope": make_video(folder / "scope.mkv", 125.0, width=1920, height=800,
                            frame_interval=600),
        # AVI is constant frame rate (a frame per second in make_video): smaller frames.
        "avi": make_video(folder / "a.avi", 1234.0, width=160, height=120),
        "avi-720p": make_video(folder / "b.avi", 40.0, width=1280, height=720),
        "audio": make_video(folder / "audio.mkv", 30.0, width=64, height=48, audio=True),
    }


@pytest.mark.parametrize("name, duration, width, height, label, codec, container", [
    ("mkv", 1234.0, 1920, 1080, "1080p", "h264", "matroska"),
    ("mp4", 1234.0, 1920, 1080, "1080p", "h264", "mpeg-4"),
    ("scope", 125.0, 1920, 800, "1080p", "h264", "matroska"),
    ("avi", 1234.0, 160, 120, "120p", "mpeg4", "avi"),
    ("avi-720p", 40.0, 1280, 720, "720p", "mpeg4", "avi"),
])
def test_probe_generated_files(media: dict[str, Path], name: str, duration: float, width: int,
                               height: int, label: str, codec: str, container: str) -> None:
    probe = probe_file(media[name])
    assert probe["duration"] == duration
    assert (probe["width"], probe["height"]) == (width, height)
    assert probe["resolution"] == label
    assert probe["video_codec"] == codec
    assert probe["container"] == container
    assert probe["aspect"] == round(width / height, 3)
    assert probe["hdr"] is None
    assert probe["audio"] == [] and probe["subtitles"] == []


def test_probe_audio_track(media: dict[str, Path]) -> None:
    probe = probe_file(media["audio"])
    # make_video's AAC stream is declared stereo (PyAV's default layout).
    assert probe["audio"] == [{"codec": "aac", "channels": 2, "language": None}]
    assert probe["duration"] == pytest.approx(30.0, abs=0.05)


@pytest.mark.parametrize("width, height, label", [
    (7680, 4320, "4320p"), (3840, 2160, "2160p"), (4096, 2160, "2160p"), (3840, 1600, "2160p"),
    (3840, 1608, "2160p"), (3996, 2160, "2160p"), (2560, 1440, "1440p"),
    (1920, 1080, "1080p"), (1920, 800, "1080p"), (1920, 816, "1080p"), (1998, 1080, "1080p"),
    (1440, 1080, "1080p"), (2048, 858, "1080p"), (1916, 796, "1080p"),
    (1280, 720, "720p"), (1280, 536, "720p"), (1280, 544, "720p"), (960, 720, "720p"),
    (1280, 800, "720p"), (1366, 768, "720p"),
    (1024, 576, "576p"), (720, 576, "576p"),
    (720, 480, "480p"), (854, 480, "480p"), (640, 480, "480p"), (720, 404, "480p"),
    (640, 360, "360p"), (320, 240, "240p"),
    # Portrait (phone) video is labelled by its short side, like landscape.
    (1080, 1920, "1080p"), (720, 1280, "720p"), (2160, 3840, "2160p"),
])
def test_resolution_label(width: int, height: int, label: str) -> None:
    assert resolution_label(width, height) == label


@pytest.mark.parametrize("width, height", [(None, 1080), (1920, None), (0, 0), (None, None)])
def test_resolution_label_unknown(width: int | None, height: int | None) -> None:
    assert resolution_label(width, height) is None


def test_text_and_corrupt_files_give_nothing(tmp_path: Path, media: dict[str, Path]) -> None:
    text = tmp_path / "notes.mkv"
    text.write_text("not a video at all\n" * 100, encoding="utf-8")
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(os.urandom(200_000))
    empty = tmp_path / "empty.avi"
    empty.write_bytes(b"")
    for path in (text, noise, empty):
        assert probe_file(path) == {}, path.name


def test_truncated_file_is_described_by_its_header(tmp_path: Path, media: dict[str, Path]) -> None:
    # A download cut short still says what it was meant to be; nothing raises.
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(media["mkv"].read_bytes()[:4000])
    probe = probe_file(cut)
    assert probe.get("width") in (1920, None)


def test_the_hook_never_raises(tmp_path: Path, media: dict[str, Path], make_ctx: Any,
                               caplog: pytest.LogCaptureFixture) -> None:
    from shelver.model import Item

    ctx = make_ctx(log=logging.getLogger("test-mediainfo"))
    found = shelver_probe(item=Item(path=media["mp4"], source=media["mp4"]), ctx=ctx)
    assert found is not None and found["duration"] == 1234.0
    gone = tmp_path / "gone.mkv"
    with caplog.at_level(logging.WARNING):
        assert shelver_probe(item=Item(path=gone, source=gone), ctx=ctx) is None
    assert "gone.mkv" in caplog.text
