"""MP4 tagging on real files generated with PyAV: tags read back, media still decodes."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import Any

import av
import mutagen.mp4
import numpy as np
import pytest
from mutagen.mp4 import MP4, MP4Cover
from PIL import Image
from shelver.discovery import TEMP_MARKER
from shelver.metadata import Metadata
from shelver.plugins.mp4tags.tagger import (
    ITUNEXTC,
    ITUNMOVI,
    TagError,
    hd_video_flag,
    read_tags,
    tag_mp4,
    tag_values,
)
from shelver.plugins.tmdb.metadata import to_metadata

FPS = 25
SECONDS = 3


# ---------------------------------------------------------------------------------------------
# Real media and TMDB-shaped metadata
# ---------------------------------------------------------------------------------------------


def make_mp4(path: Path, *, faststart: bool = False) -> Path:
    """A 3 s, 64×48 H.264 + AAC MP4. ``faststart`` puts ``moov`` before ``mdat``, so growing the
    tags moves the media data and chunk offsets must be rewritten."""
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", options=options) as out:
        video = out.add_stream("libx264", rate=FPS, options={"preset": "ultrafast"})
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = out.add_stream("aac", rate=48000, layout="mono")
        for index in range(SECONDS * FPS):
            image = np.zeros((48, 64, 3), np.uint8)
            image[:, :, 0] = (index * 9) % 256
            image[index % 48, :, 1] = 255
            for packet in video.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                out.mux(packet)
        out.mux(video.encode())
        tone = np.sin(np.arange(1024, dtype=np.float32) / 8).reshape(1, 1024) * 0.1
        for start in range(0, 48000 * SECONDS, 1024):
            frame = av.AudioFrame.from_ndarray(
                tone.astype(np.float32), format="fltp", layout="mono"
            )
            frame.sample_rate, frame.pts = 48000, start
            out.mux(audio.encode(frame))
        out.mux(audio.encode())
    return path


def decoded(path: Path) -> tuple[int | None, int, str]:
    """(container duration, video frame count, hash of every decoded video plane)."""
    digest = hashlib.sha256()
    with av.open(str(path)) as container:
        frames = 0
        for frame in container.decode(video=0):
            frames += 1
            digest.update(frame.to_ndarray(format="gray").tobytes())
        return container.duration, frames, digest.hexdigest()


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 30), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def movie_metadata() -> Metadata:
    """The Matrix, from TMDB-shaped documents through the tmdb plugin's converter."""
    return to_metadata(movie_documents(), None)


def episode_metadata(numbers: tuple[int, ...] = (14,)) -> Metadata:
    return to_metadata(episode_documents(numbers), None)


def movie_documents() -> dict[str, Any]:
    return {
        "movie": {
            "id": 603,
            "title": "The Matrix",
            "original_title": "The Matrix",
            "release_date": "1999-03-31",
            "genres": [{"id": 28, "name": "Action"}, {"id": 878, "name": "Science Fiction"}],
            "overview": "Set in the 22nd century, The Matrix tells the story of a computer "
            "hacker who joins a group of underground insurgents fighting the vast and powerful "
            "computers who now rule the earth. " * 3,
            "production_companies": [{"id": 79, "name": "Village Roadshow Pictures"}],
            "runtime": 136,
            "credits": {
                "cast": [
                    {"name": "Laurence Fishburne", "character": "Morpheus", "order": 1},
                    {"name": "Keanu Reeves", "character": "Neo", "order": 0},
                ],
                "crew": [
                    {"name": "Lana Wachowski", "department": "Directing", "job": "Director"},
                    {"name": "Lilly Wachowski", "department": "Directing", "job": "Director"},
                    {"name": "Lana Wachowski", "department": "Writing", "job": "Writer"},
                    {"name": "Joel Silver", "department": "Production", "job": "Producer"},
                ],
            },
            "release_dates": {
                "results": [
                    {"iso_3166_1": "US", "release_dates": [{"certification": "R", "type": 3}]}
                ]
            },
            "external_ids": {"imdb_id": "tt0133093"},
        }
    }


def episode_documents(numbers: tuple[int, ...] = (14,)) -> dict[str, Any]:
    episodes = {
        14: {"id": 62161, "name": "Ozymandias", "episode_number": 14, "season_number": 5,
             "air_date": "2013-09-15", "overview": "Everyone copes with radically changed "
             "circumstances.", "crew": [{"name": "Rian Johnson", "job": "Director",
                                         "department": "Directing"}],
             "guest_stars": [{"name": "Steven Michael Quezada", "order": 500}]},
        15: {"id": 62162, "name": "Granite State", "episode_number": 15, "season_number": 5,
             "air_date": "2013-09-22", "overview": "Events set in motion long ago move toward a "
             "conclusion.", "crew": [{"name": "Peter Gould", "job": "Director",
                                      "department": "Directing"}], "guest_stars": []},
    }  # fmt: skip
    show = {
        "id": 1396,
        "name": "Breaking Bad",
        "genres": [{"id": 18, "name": "Drama"}],
        "networks": [{"id": 174, "name": "AMC"}],
        "credits": {
            "cast": [
                {"name": "Aaron Paul", "character": "Jesse Pinkman", "order": 1},
                {"name": "Bryan Cranston", "character": "Walter White", "order": 0},
            ],
            "crew": [{"name": "Vince Gilligan", "job": "Executive Producer"}],
        },
        "content_ratings": {"results": [{"iso_3166_1": "US", "rating": "TV-MA"}]},
        "external_ids": {"imdb_id": "tt0903747", "tvdb_id": 81189},
    }
    season = {"id": 3578, "season_number": 5, "episodes": list(episodes.values())}
    return {"show": show, "season": season, "episodes": [episodes[n] for n in numbers]}


@pytest.fixture(params=[False, True], ids=["moov-last", "faststart"])
def video(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return make_mp4(tmp_path / "The Matrix (1999).mp4", faststart=request.param)


def temp_files(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if name.endswith(".tmp") or TEMP_MARKER in name]


# ---------------------------------------------------------------------------------------------
# Movies and episodes
# ---------------------------------------------------------------------------------------------


def test_tag_movie(video: Path) -> None:
    before = decoded(video)
    cover = image_bytes("JPEG")
    tag_mp4(video, movie_metadata(), {"width": 1920, "height": 800}, cover=cover)

    tags = read_tags(video)
    assert tags["©nam"] == "The Matrix"
    assert tags["©day"].startswith("1999")
    assert tags["©gen"] == "Action"
    assert tags["stik"] == 9
    assert tags["hdvd"] == 2
    assert tags["covr"] == [cover]
    assert len(tags["desc"]) <= 255 and tags["desc"].endswith("…")
    assert tags["ldes"].startswith("Set in the 22nd century") and len(tags["ldes"]) > 255
    assert tags[ITUNEXTC] == "mpaa|R|400|"
    movi = tags[ITUNMOVI]
    assert movi["cast"] == [{"name": "Keanu Reeves"}, {"name": "Laurence Fishburne"}]
    assert movi["directors"] == [{"name": "Lana Wachowski"}, {"name": "Lilly Wachowski"}]
    assert movi["screenwriters"] == [{"name": "Lana Wachowski"}]
    assert movi["producers"] == [{"name": "Joel Silver"}]
    assert movi["studio"] == "Village Roadshow Pictures"
    assert not any(key.startswith("tv") for key in tags)
    # mutagen's own view of the cover format
    covr = MP4(video).tags["covr"][0]  # type: ignore[index]
    assert covr.imageformat == MP4Cover.FORMAT_JPEG

    assert decoded(video) == before  # same duration, same frames, same pixels
    assert temp_files(video.parent) == []


def test_tag_episode(video: Path) -> None:
    before = decoded(video)
    cover = image_bytes("PNG")
    tag_mp4(video, episode_metadata(), {"resolution": "720p"}, cover=cover)
    tags = read_tags(video)
    assert tags["©nam"] == "Ozymandias"
    assert tags["stik"] == 10
    assert tags["tvsh"] == "Breaking Bad"
    assert tags["tvsn"] == 5
    assert tags["tves"] == 14
    assert tags["tven"] == "S05E14"
    assert tags["tvnn"] == "AMC"
    assert tags["©day"] == "2013-09-15"
    assert tags["hdvd"] == 1
    assert tags[ITUNEXTC] == "us-tv|TV-MA|600|"
    assert [c["name"] for c in tags[ITUNMOVI]["cast"]] == [
        "Bryan Cranston",
        "Aaron Paul",
        "Steven Michael Quezada",
    ]
    assert tags[ITUNMOVI]["directors"] == [{"name": "Rian Johnson"}]
    assert tags[ITUNMOVI]["producers"] == [{"name": "Vince Gilligan"}]
    assert MP4(video).tags["covr"][0].imageformat == MP4Cover.FORMAT_PNG  # type: ignore[index]
    assert decoded(video) == before


def test_tag_multi_episode_file(tmp_path: Path) -> None:
    video = make_mp4(tmp_path / "bb.m4v")
    tag_mp4(video, episode_metadata((14, 15)), None)
    tags = read_tags(video)
    assert tags["©nam"] == "Ozymandias / Granite State"
    assert tags["tves"] == 14
    assert tags["tven"] == "S05E14-E15"
    assert "hdvd" not in tags  # no probe, nothing claimed
    assert tags[ITUNMOVI]["directors"] == [{"name": "Rian Johnson"}, {"name": "Peter Gould"}]


def test_unrelated_tags_survive_and_retagging_replaces_ours(tmp_path: Path) -> None:
    video = make_mp4(tmp_path / "movie.mp4", faststart=True)
    media = MP4(video)
    assert media.tags is not None  # the muxer's ©too
    media.tags["©cmt"] = ["ripped from my own DVD"]
    media.tags["tvsh"] = ["Wrong Show"]  # left over from an earlier wrong match
    media.tags["----:com.example:source"] = [mutagen.mp4.MP4FreeForm(b"dvd")]
    media.save()
    before = decoded(video)

    tag_mp4(video, movie_metadata(), None, cover=image_bytes("JPEG"))
    tag_mp4(video, movie_metadata(), None)  # again, without a cover: the old one stays
    tags = read_tags(video)
    assert tags["©cmt"] == "ripped from my own DVD"
    assert tags["----:com.example:source"] == "dvd"
    assert "tvsh" not in tags  # a movie is not an episode of anything
    assert tags["stik"] == 9
    assert len(tags["covr"]) == 1
    assert decoded(video) == before


def test_keeps_file_mode(tmp_path: Path) -> None:
    video = make_mp4(tmp_path / "movie.mp4")
    video.chmod(0o640)
    tag_mp4(video, movie_metadata(), None)
    assert video.stat().st_mode & 0o777 == 0o640


# ---------------------------------------------------------------------------------------------
# Files that must be left alone
# ---------------------------------------------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x7fGARBAGE" * 500,
        b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2\xff\xff\xff\xf0moov" + b"\0" * 64,
        b"not a video at all\n",
        b"",
    ],
    ids=["no-moov", "moov-size-beyond-eof", "text", "empty"],
)
def test_corrupt_file_is_left_byte_identical(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(content)
    before, mtime = digest(bad), bad.stat().st_mtime_ns
    with pytest.raises(TagError) as caught:
        tag_mp4(bad, movie_metadata(), {"height": 1080}, cover=image_bytes("JPEG"))
    assert caught.value.path == bad
    assert caught.value.reason
    assert digest(bad) == before
    assert bad.stat().st_mtime_ns == mtime
    assert os.listdir(tmp_path) == ["broken.mp4"]


def test_truncated_real_file_is_left_byte_identical(tmp_path: Path) -> None:
    video = make_mp4(tmp_path / "movie.mp4")  # moov at the end: cutting the file loses it
    data = video.read_bytes()
    video.write_bytes(data[: len(data) // 2])
    before = digest(video)
    with pytest.raises(TagError):
        tag_mp4(video, movie_metadata(), None)
    assert digest(video) == before
    assert temp_files(tmp_path) == []


def test_crash_while_saving_leaves_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = make_mp4(tmp_path / "movie.mp4", faststart=True)
    before = digest(video)

    def torn_save(self: MP4, *args: Any, **kwargs: Any) -> None:
        # What a crash mid-save looks like: the file being saved is half rewritten.
        with open(self.filename, "r+b") as handle:
            handle.seek(40)
            handle.write(b"\xde\xad" * 200)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(MP4, "save", torn_save)
    with pytest.raises(TagError, match="Input/output error"):
        tag_mp4(video, movie_metadata(), None)
    assert digest(video) == before
    assert temp_files(tmp_path) == []


def test_bad_cover_and_symlink_are_refused(tmp_path: Path) -> None:
    video = make_mp4(tmp_path / "movie.mp4")
    before = digest(video)
    with pytest.raises(TagError, match="neither JPEG nor PNG"):
        tag_mp4(video, movie_metadata(), None, cover=b"GIF89a....")
    link = tmp_path / "link.mp4"
    link.symlink_to(video)
    with pytest.raises(TagError, match="symbolic link"):
        tag_mp4(link, movie_metadata(), None)
    assert digest(video) == before and link.is_symlink()


def test_metadata_shape_is_checked(tmp_path: Path) -> None:
    video = make_mp4(tmp_path / "movie.mp4")
    with pytest.raises(ValueError):
        tag_mp4(video, Metadata(provider="tmdb", kind="tv", title="x"), None)


@pytest.mark.parametrize(
    ("probe", "flag"),
    [
        ({"width": 720, "height": 576}, 0),
        ({"width": 1280, "height": 536}, 1),
        ({"width": 1920, "height": 800}, 2),
        ({"width": 1440, "height": 1080}, 2),
        ({"width": 3840, "height": 1600}, 3),
        ({"resolution": "2160p"}, 3),
        ({"resolution": "4K"}, 3),
        ({"resolution": "480p"}, 0),
        ({"resolution": "1080i"}, 2),
        ({"resolution": "weird"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_hd_video_flag(probe: dict[str, Any] | None, flag: int | None) -> None:
    assert hd_video_flag(probe) == flag


def test_tagging_again_with_the_same_values_leaves_the_file_alone(tmp_path: Path) -> None:
    target = make_mp4(tmp_path / "again.mp4")
    probe = {"width": 1920, "height": 1080}
    cover = image_bytes("JPEG")
    tag_mp4(target, movie_metadata(), probe, cover=cover)
    before = (target.stat().st_ino, target.stat().st_mtime_ns, target.read_bytes())
    tag_mp4(target, movie_metadata(), probe, cover=cover)
    assert (target.stat().st_ino, target.stat().st_mtime_ns, target.read_bytes()) == before
    changed = movie_metadata()
    changed.title = "The Matrix (Remastered)"
    tag_mp4(target, changed, probe, cover=cover)
    assert target.stat().st_ino != before[0]
    assert read_tags(target)["\xa9nam"] == "The Matrix (Remastered)"


def test_a_certification_of_another_country_is_not_written_as_a_us_one() -> None:
    movie = movie_metadata()
    assert tag_values(movie, None)[ITUNEXTC]
    movie.certification, movie.certification_country = "PG", "GB"
    assert ITUNEXTC not in tag_values(movie, None)


def test_the_cover_comes_through_shelver_fetch_image(tmp_path: Path, pm: Any,
                                                    make_ctx: Any) -> None:
    """The tagger asks ``shelver_fetch_image`` for the poster's w500 rendition: whoever answers
    (here a plugin of the test's, before the artwork plugin) gives the bytes; a failure is a
    warning and no cover, never a failed item."""
    from shelver import hookimpl
    from shelver.metadata import POSTER
    from shelver.metadata import Image as Artwork
    from shelver.model import Identity, Item, Match
    from shelver.plugins.mp4tags.plugin import _cover

    asked: list[str] = []

    class Images:
        @hookimpl(tryfirst=True)
        def shelver_fetch_image(self, url: str, ctx: Any) -> bytes:
            asked.append(url)
            if "broken" in url:
                raise OSError("image host down")
            return b"poster bytes"

    pm.register(Images(), name="test-images")
    ctx = make_ctx()
    metadata = Metadata(provider="catalogue", kind="movie", title="Holiday", images=[Artwork(
        POSTER, url="https://images.example/p.jpg", sizes={500: "https://images.example/w500/p.jpg",
                                                           92: "https://images.example/w92/p.jpg"})])
    item = Item(path=tmp_path / "h.mp4", source=tmp_path / "h.mp4", match=Match(
        identity=Identity("catalogue", "movie", "h"), confidence=1.0, metadata=metadata))
    assert _cover(item, ctx) == b"poster bytes"
    assert asked == ["https://images.example/w500/p.jpg"]
    metadata.images[0].sizes = {500: "https://images.example/broken.jpg"}
    assert _cover(item, ctx) is None
    metadata.images = []
    assert _cover(item, ctx) is None and len(asked) == 2  # no poster: nothing asked
