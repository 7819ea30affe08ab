"""End to end, about the media itself: stream details and naming fields from mediainfo, phash
duplicates and moves, MP4 tags. The real CLI as a subprocess, real generated files (PyAV), the
loopback TMDB look-alike."""

from __future__ import annotations

import hashlib
import sqlite3
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from tests.conftest import json_lines, shelver

NAMING = ("Movies/{{ title_year }} [{{ resolution }} {{ vcodec }}{% if hdr %} {{ hdr }}{% endif %}]"
          "{{ ext }}")
# x265's HDR10 signalling: BT.2020 primaries, PQ transfer, mastering display and light levels.
HDR10_PARAMS = ("log-level=error:repeat-headers=1:bframes=0:rc-lookahead=0:hdr10=1:"
                "colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:"
                "master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)"
                "L(10000000,1):max-cll=1000,400")
SUBTITLES = "1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\n00:00:03,000 --> 00:00:04,000\nBye\n"


# ---------------------------------------------------------------------------------------------
# Media makers beyond make_video: audio and subtitle languages, HDR, a lower-resolution copy
# ---------------------------------------------------------------------------------------------


def with_languages(video_file: Path, target: Path) -> Path:
    """Remux ``video_file`` into an MKV with a 5.1 English and a stereo French AAC track and a
    German SRT subtitle track (languages stored the way Matroska does: ISO 639-2/B)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    srt = video_file.with_suffix(".srt")
    srt.write_text(SUBTITLES, encoding="utf-8")
    with av.open(str(video_file)) as source, av.open(str(srt)) as subtitles, \
            av.open(str(target), "w") as out:
        video_in, text_in = source.streams.video[0], subtitles.streams.subtitles[0]
        video_out = out.add_stream_from_template(video_in)
        tracks = []
        for language, layout, channels in (("eng", "5.1", 6), ("fre", "stereo", 2)):
            stream = out.add_stream("aac", rate=8000, layout=layout)
            stream.metadata["language"] = language
            tracks.append((stream, layout, channels))
        text_out = out.add_stream_from_template(text_in)
        text_out.metadata["language"] = "ger"
        for packet in source.demux(video_in):
            if packet.dts is not None:
                packet.stream = video_out
                out.mux(packet)
        for stream, layout, channels in tracks:
            frame = av.AudioFrame.from_ndarray(np.zeros((channels, 8000), np.float32),
                                               format="fltp", layout=layout)
            frame.sample_rate, frame.pts = 8000, 0
            for packet in [*stream.encode(frame), *stream.encode()]:
                out.mux(packet)
        for packet in subtitles.demux(text_in):
            if packet.dts is not None:
                packet.stream = text_out
                out.mux(packet)
    srt.unlink()
    video_file.unlink()
    return target


def hdr_video(path: Path, duration: float, width: int, height: int, hdr: str) -> Path:
    """A real HEVC Main10 file (x265 from PyAV's bundled FFmpeg), a few sparse frames, signalled
    as ``hdr``: "HDR10", "HLG", "HDR10+" or "Dolby Vision".

    HDR10 and HLG are x265's own signalling. The bundled x265 is built without HDR10+ and
    writes no Dolby Vision configuration, so those two are added the way real files carry them:
    an ST 2094-40 SEI message in every access unit, and a ``dvcC`` box in the MP4 sample entry
    (profile 8.1: an HDR10 base layer; a real release also carries RPU NAL units, which MediaInfo
    does not need to name the format)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    time_base = Fraction(1, 1000)
    times = [0.0, duration / 2, duration - 1.0]
    hlg = hdr == "HLG"
    params = ("log-level=error:repeat-headers=1:bframes=0:rc-lookahead=0:colorprim=bt2020:"
              "transfer=arib-std-b67:colormatrix=bt2020nc") if hlg else HDR10_PARAMS
    sei = _hdr10plus_sei() if hdr == "HDR10+" else b""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx265", rate=1)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p10le"
        stream.time_base = time_base
        if path.suffix == ".mp4":
            stream.codec_tag = "hvc1"
        context = stream.codec_context
        # BT.2020 primaries and matrix; PQ (16) or HLG (18) transfer.
        context.color_primaries, context.color_trc, context.colorspace = 9, 18 if hlg else 16, 9
        stream.options = {"preset": "ultrafast", "x265-params": params}

        def mux(packets: list[av.Packet]) -> None:
            for packet in packets:
                if sei:
                    packet = _with_sei(packet, sei, stream)
                out.mux(packet)

        ys, xs = np.mgrid[0:90, 0:160]
        for index, seconds in enumerate(times):
            # Drawn small, scaled up by swscale: numpy at 4K would cost more than the encode.
            picture = np.stack([(xs * 255 // 160 + 40 * index) % 256, ys * 255 // 90,
                                np.full_like(xs, 90)], axis=-1).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24").reformat(
                width=width, height=height, format="yuv420p10le")
            frame.pts, frame.time_base = int(seconds * 1000), time_base
            mux(stream.encode(frame))
        mux(stream.encode())
    if hdr == "Dolby Vision":
        path.write_bytes(_with_dolby_vision_box(path.read_bytes()))
    return path


def _hdr10plus_sei() -> bytes:
    """An HEVC prefix SEI NAL (Annex B) with one SMPTE ST 2094-40 (HDR10+, profile A) payload."""
    fields = [(0xB5, 8), (0x003C, 16), (0x0001, 16), (4, 8), (1, 8),  # T.35 US, Samsung, app 4 v1
              (1, 2), (0, 27), (0, 1)]  # one window, no targeted display luminance
    fields += [(1000, 17)] * 3 + [(500, 17), (9, 4)]  # maxscl, average_maxrgb, 9 percentiles
    for percentage in (1, 5, 10, 25, 50, 75, 90, 95, 99):
        fields += [(percentage, 7), (100 * percentage, 17)]
    fields += [(0, 10), (0, 1), (0, 1), (0, 1)]  # bright pixels, no peak, no tone/colour mapping
    bits = "".join(format(value, f"0{width}b") for value, width in fields)
    bits += "0" * (-len(bits) % 8)
    payload = int(bits, 2).to_bytes(len(bits) // 8, "big")
    body = bytes([4, len(payload)]) + payload + b"\x80"  # user_data_registered_itu_t_t35
    escaped, zeros = bytearray(), 0
    for byte in body:  # emulation prevention
        if zeros >= 2 and byte <= 3:
            escaped.append(3)
            zeros = 0
        escaped.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return b"\x00\x00\x00\x01" + bytes([39 << 1, 1]) + bytes(escaped)


def _with_sei(packet: av.Packet, sei: bytes, stream: Any) -> av.Packet:
    """``packet`` (Annex B) with ``sei`` inserted before its first slice NAL unit."""
    data, position = bytes(packet), 0
    while (start := data.find(b"\x00\x00\x01", position)) >= 0:
        if (data[start + 3] >> 1) & 0x3F < 32:  # a VCL NAL unit: the picture starts here
            insert_at = start - 1 if start and data[start - 1] == 0 else start
            break
        position = start + 3
    else:
        insert_at = 0
    changed = av.Packet(data[:insert_at] + sei + data[insert_at:])
    changed.pts, changed.dts, changed.time_base = packet.pts, packet.dts, packet.time_base
    changed.is_keyframe, changed.stream = packet.is_keyframe, stream
    return changed


def _with_dolby_vision_box(data: bytes) -> bytes:
    """Append a ``dvcC`` box (profile 8, level 1, RPU + base layer, HDR10-compatible) to the
    ``hvc1`` sample entry. FFmpeg writes ``moov`` after ``mdat``: no chunk offset moves."""
    record = bytes([1, 0]) + ((8 << 9) | (1 << 3) | (1 << 2) | 1).to_bytes(2, "big") \
        + bytes([1 << 4]) + bytes(19)
    box = (8 + len(record)).to_bytes(4, "big") + b"dvcC" + record
    out = bytearray(data)
    ancestors, start, end = [], 0, len(out)
    for kind in (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd", b"hvc1"):
        position = start
        while out[position + 4:position + 8] != kind:
            position += int.from_bytes(out[position:position + 4], "big")
            assert position < end, f"no {kind!r} box"
        ancestors.append(position)
        size = int.from_bytes(out[position:position + 4], "big")
        start, end = position + (16 if kind == b"stsd" else 8), position + size
    out[end:end] = box  # at the end of hvc1, after hvcC
    for position in ancestors:
        size = int.from_bytes(out[position:position + 4], "big") + len(box)
        out[position:position + 4] = size.to_bytes(4, "big")
    return bytes(out)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def streamdetails(nfo: Path) -> ET.Element:
    details = ET.parse(nfo).getroot().find("fileinfo/streamdetails")
    assert details is not None, nfo.read_text(encoding="utf-8")
    return details


def api_requests(tmdb_server: Any) -> list[str]:
    """TMDB API requests (images under /t/p/ are not API requests), without the one
    credentials check every run makes (``/configuration``, never cached)."""
    return [r.path for r in tmdb_server.requests
            if r.path.startswith("/3/") and r.path != "/3/configuration"]


def phashes(*paths: Path) -> list[str]:
    proc = shelver("phash", "--json", *map(str, paths))
    assert proc.returncode == 0, proc.stderr
    return [str(entry["phash"]) for entry in json_lines(proc.stdout)]


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


def test_streamdetails_and_naming_fields_are_exact(tmp_path: Path, make_profile: Any,
                                                   video: Any) -> None:
    downloads = tmp_path / "downloads"
    # Sparse frames (one every 30 minutes) keep 1080p cheap; durations are the TMDB runtimes.
    matrix = with_languages(
        video(tmp_path / "plain.mkv", 8160.0, width=1920, height=1080, frame_interval=1800, seed=1),
        downloads / "The.Matrix.1999.1080p.BluRay.mkv")
    inception = video(downloads / "Inception.2010.1080p.WEB.mp4", 8880.0, width=1920,
                      height=1080, frame_interval=1800, seed=2)
    interstellar = hdr_video(downloads / "Interstellar.2014.2160p.UHD.HDR.mkv", 10140.0,
                             3840, 2160, "HDR10")
    # The other HDR formats, small: what is under test is the signalling, not the size.
    dune = hdr_video(downloads / "Dune.2021.720p.HDR10Plus.mkv", 9300.0, 1280, 720, "HDR10+")
    blade_runner = hdr_video(downloads / "Blade.Runner.2049.2017.720p.DV.mp4", 9840.0, 1280,
                             720, "Dolby Vision")
    gravity = hdr_video(downloads / "Gravity.2013.720p.HLG.mkv", 5460.0, 1280, 720, "HLG")
    # phash off (as for spinning disks): nothing here needs it, and no file is decoded for it.
    profile = make_profile(naming={"movie": NAMING}, phash={"enabled": False})
    proc = shelver("run", str(downloads), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    assert "cannot tag" not in proc.stderr
    with sqlite3.connect(tmp_path / "state.db") as db:
        assert db.execute("SELECT count(*), count(phash) FROM items").fetchone() == (6, 0)
    results = {Path(r["source"]).name: r for r in json_lines(proc.stdout)}
    movies = tmp_path / "library" / "Movies"
    expected = {
        matrix.name: (movies / "The Matrix (1999) [1080p h264].mkv", 1920, 1080, "h264", 8160),
        inception.name: (movies / "Inception (2010) [1080p h264].mp4", 1920, 1080, "h264", 8880),
        interstellar.name: (movies / "Interstellar (2014) [2160p hevc HDR10].mkv", 3840, 2160,
                            "hevc", 10140),
        dune.name: (movies / "Dune (2021) [720p hevc HDR10+].mkv", 1280, 720, "hevc", 9300),
        blade_runner.name: (movies / "Blade Runner 2049 (2017) [720p hevc Dolby Vision].mp4",
                            1280, 720, "hevc", 9840),
        gravity.name: (movies / "Gravity (2013) [720p hevc HLG].mkv", 1280, 720, "hevc", 5460),
    }
    for name, (destination, width, height, codec, seconds) in expected.items():
        result = results[name]
        assert result["status"] == "organised", result
        assert result["destination"] == str(destination)
        details = streamdetails(destination.with_suffix(".nfo"))
        video_details = details.find("video")
        assert video_details is not None
        assert video_details.findtext("width") == str(width)
        assert video_details.findtext("height") == str(height)
        assert video_details.findtext("codec") == codec
        assert video_details.findtext("durationinseconds") == str(seconds)
        assert video_details.findtext("aspect") == f"{width / height:.3f}".rstrip("0").rstrip(".")
    # Kodi knows three HDR types; HDR10+ files play as HDR10 there.
    for source, hdrtype in ((interstellar, "hdr10"), (dune, "hdr10"),
                            (blade_runner, "dolbyvision"), (gravity, "hlg")):
        nfo = expected[source.name][0].with_suffix(".nfo")
        assert streamdetails(nfo).findtext("video/hdrtype") == hdrtype, source.name
    # MP4 tagging rewrote the Dolby Vision file's moov and kept its configuration box.
    from shelver.plugins.mediainfo.plugin import probe_file

    assert probe_file(expected[blade_runner.name][0])["hdr"] == "Dolby Vision"
    languages = streamdetails(expected[matrix.name][0].with_suffix(".nfo"))
    assert [(a.findtext("codec"), a.findtext("language"), a.findtext("channels"))
            for a in languages.findall("audio")] == [("aac", "eng", "6"), ("aac", "fre", "2")]
    assert [s.findtext("language") for s in languages.findall("subtitle")] == ["ger"]
    assert languages.find("video/hdrtype") is None


def test_lower_resolution_copy_of_a_library_movie_is_a_duplicate(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    downloads = tmp_path / "downloads"
    profile = make_profile()
    video(downloads / "The.Matrix.1999.1080p.BluRay.x264.mkv", 8160.0, width=1920, height=1080,
          frame_interval=1800, seed=5)
    proc = shelver("run", str(downloads), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    (placed,) = json_lines(proc.stdout)
    assert placed["status"] == "organised"
    library_file = Path(placed["destination"])
    # Another release of the same film at half the resolution, and as .mp4: its library name
    # differs, so only the picture can tell it is the same movie.
    copy = video(downloads / "The.Matrix.1999.540p.WEB.mp4", 8160.0, width=960, height=540,
                 frame_interval=1800, seed=5)
    unrelated = video(tmp_path / "unrelated.mkv", 8160.0, width=1920, height=1080,
                      frame_interval=1800, seed=6)
    original_hash, copy_hash, unrelated_hash = phashes(library_file, copy, unrelated)
    copy_distance = distance(original_hash, copy_hash)
    unrelated_distance = distance(original_hash, unrelated_hash)
    print(f"phash distance: half-resolution copy {copy_distance}, other content "
          f"{unrelated_distance}")
    assert copy_distance <= 8 < unrelated_distance
    before = sha256(copy)
    proc = shelver("run", str(downloads), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    (result,) = json_lines(proc.stdout)
    assert result["status"] == "duplicate", result
    assert result["tmdb"] == {"type": "movie", "id": 603}
    assert copy.is_file() and sha256(copy) == before  # left in place, untouched
    assert sorted(p.name for p in library_file.parent.iterdir() if p.suffix in (".mkv", ".mp4")) \
        == [library_file.name]
    assert str(library_file) in proc.stderr and "duplicate" in proc.stderr


def test_replace_if_better_keeps_the_better_copy_and_sets_the_other_aside(
        tmp_path: Path, make_profile: Any, video: Any) -> None:
    downloads, library = tmp_path / "downloads", tmp_path / "library"
    profile = make_profile(conflict="replace-if-better")
    video(downloads / "The.Matrix.1999.540p.WEB.mkv", 8160.0, width=960, height=540,
          frame_interval=1800, seed=5)
    proc = shelver("run", str(downloads), "-p", str(profile), "--json")
    (first,) = json_lines(proc.stdout)
    worse_bytes = sha256(Path(first["destination"]))
    # A better release of the same picture, named differently (.mp4): it takes the library
    # place, the 540p copy is kept in .duplicates (never deleted).
    better = video(downloads / "The.Matrix.1999.1080p.BluRay.mp4", 8160.0, width=1920,
                   height=1080, frame_interval=1800, seed=5)
    assert better.is_file()
    proc = shelver("run", str(downloads), "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    (second,) = json_lines(proc.stdout)
    assert second["status"] == "organised", second
    assert Path(second["destination"]).suffix == ".mp4" and Path(second["destination"]).is_file()
    kept = list((library / ".duplicates").rglob("*.mkv"))
    assert len(kept) == 1 and sha256(kept[0]) == worse_bytes
    assert not Path(first["destination"]).exists()
    # A worse copy arriving later goes into .duplicates itself, reported duplicate.
    worse = video(downloads / "The.Matrix.1999.360p.mkv", 8160.0, width=640, height=360,
                  frame_interval=1800, seed=5)
    proc = shelver("run", str(downloads), "-p", str(profile), "--json")
    (third,) = json_lines(proc.stdout)
    assert third["status"] == "duplicate" and not worse.exists()
    assert Path(third["destination"]).is_relative_to(library / ".duplicates")
    assert len(list((library / "Movies").rglob("*.mp4"))) == 1


def test_a_library_file_renamed_by_hand_is_recognised_without_asking_tmdb(
        tmp_path: Path, make_profile: Any, video: Any, tmdb_server: Any) -> None:
    downloads, library = tmp_path / "downloads", tmp_path / "library"
    library.mkdir()
    profile = make_profile(sources=[str(downloads), str(library)])
    video(downloads / "The.Matrix.1999.1080p.BluRay.x264.mkv", 8160.0, seed=11)
    video(downloads / "Breaking.Bad.S05E14.720p.HDTV.x264.mkv", 2820.0, seed=12)
    proc = shelver("run", "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    placed = {r["tmdb"]["id"]: r for r in json_lines(proc.stdout) if r["status"] == "organised"}
    movie, episode = Path(placed[603]["destination"]), Path(placed[1396]["destination"])
    # By hand: the movie renamed in its folder, the episode moved elsewhere in the library, both
    # to names TMDB could never identify (a search for them would be a request, then a review).
    renamed = movie.with_name("our holiday video.mkv")
    movie.rename(renamed)
    (library / "misc").mkdir()
    moved = library / "misc" / "clip 0042.mkv"
    episode.rename(moved)
    tmdb_server.reset_log()
    proc = shelver("run", "-p", str(profile), "--json")
    assert proc.returncode == 0, proc.stderr
    results = {r["source"]: r for r in json_lines(proc.stdout)}
    assert results[str(renamed)]["tmdb"] == {"type": "movie", "id": 603}
    assert results[str(renamed)]["confidence"] == 1.0
    assert results[str(moved)]["tmdb"] == {"type": "tv", "id": 1396, "season": 5, "episodes": [14]}
    for source, destination in ((renamed, movie), (moved, episode)):
        assert results[str(source)]["status"] == "organised"
        assert results[str(source)]["destination"] == str(destination)  # back on its shelf
        assert destination.is_file() and not source.exists()
    print(f"TMDB API requests for the moved files: {api_requests(tmdb_server)}")
    assert api_requests(tmdb_server) == []
    with sqlite3.connect(tmp_path / "state.db") as db:
        rows = db.execute("SELECT path, state, provider, ident_kind, ident, release_date, phash, "
                          "json_extract(fingerprint, '$.moved_from') FROM items "
                          "WHERE ident IS NOT NULL").fetchall()
    # The identity kept, and the release date too (the refresh scan's age rule reads it).
    assert sorted(r[:6] + (r[7],) for r in rows) == sorted([
        (str(movie), "INDEXED", "tmdb", "movie", "603", "1999-03-31", str(movie)),
        (str(episode), "INDEXED", "tmdb", "tv", "1396", "2013-09-15", str(episode))])
    assert all(len(r[6]) == 16 for r in rows)


def test_organised_mp4s_read_back_with_mutagen_and_pyav(tmp_path: Path, make_profile: Any,
                                                        video: Any) -> None:
    from mutagen.mp4 import MP4

    downloads = tmp_path / "downloads"
    sources = {
        "movie": video(downloads / "Inception.2010.1080p.WEB.mp4", 8880.0, seed=21, audio=True),
        "episode": video(downloads / "Breaking.Bad.S05E14.Ozymandias.720p.mp4", 2820.0, seed=22),
    }
    durations = {}
    for kind, path in sources.items():
        with av.open(str(path)) as container:
            durations[kind] = container.duration
    proc = shelver("run", str(downloads), "-p", str(make_profile()), "--json")
    assert proc.returncode == 0, proc.stderr
    placed = {r["tmdb"]["type"]: Path(r["destination"]) for r in json_lines(proc.stdout)}
    movie, episode = MP4(placed["movie"]).tags, MP4(placed["tv"]).tags
    assert movie is not None and episode is not None
    assert movie["©nam"] == ["Inception"] and movie["©day"][0].startswith("2010")
    assert movie["stik"] == [9] and "tvsh" not in movie
    assert episode["©nam"] == ["Ozymandias"] and episode["stik"] == [10]
    assert episode["tvsh"] == ["Breaking Bad"] and episode["tvsn"] == [5] and episode["tves"] == [14]
    assert episode["©day"][0].startswith("2013")
    for tags in (movie, episode):
        assert tags["covr"] and len(bytes(tags["covr"][0])) > 0
    for kind, path in (("movie", placed["movie"]), ("episode", placed["tv"])):
        with av.open(str(path)) as container:
            assert container.duration == durations[kind]
            frame = next(container.decode(video=0))
            assert (frame.width, frame.height) == (64, 48)


def test_a_corrupt_mp4_is_placed_byte_identical_and_reported(tmp_path: Path, make_profile: Any
                                                             ) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    corrupt = downloads / "Inception.2010.1080p.BluRay.x264.mp4"
    # An MP4 signature and then noise: it looks like a movie, nothing can parse it.
    rng = np.random.default_rng(3)
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
                        + rng.integers(0, 256, 300_000, dtype=np.uint8).tobytes())
    before = sha256(corrupt)
    proc = shelver("run", str(downloads), "-p", str(make_profile()), "--json")
    assert proc.returncode == 0, proc.stderr
    (result,) = json_lines(proc.stdout)
    assert result["status"] == "organised" and result["tmdb"] == {"type": "movie", "id": 27205}
    placed = Path(result["destination"])
    assert placed.suffix == ".mp4" and not corrupt.exists()
    assert sha256(placed) == before
    assert f"cannot tag {placed}" in proc.stderr  # the tagging problem, naming the file
    assert "cannot compute phash" in proc.stderr  # and the phash one: never an item failure
    phash_line = next(line for line in proc.stderr.splitlines() if "cannot compute phash" in line)
    assert "Errno" not in phash_line and phash_line.count(corrupt.name) == 1, phash_line
    assert not list(placed.parent.glob(".*.tmp")) and not list(placed.parent.glob("*shelver-tmp*"))
