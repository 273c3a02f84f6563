"""Hostile files: playlists and file lists posing as videos, damaged and absurd files, tricky names.

Each is a real file written by the test. Each must be refused with a sensible code, without FFmpeg
opening the files or addresses it names (a local "secret" that tells when it is opened, and a
local server that records every connection), and without leaving any file behind.
"""

import errno
import os
import random
import shutil
import socket
import struct
import subprocess
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from backstage.media.ffmpeg import MediaError, Probe, Stream, ffprobe_binary, probe, run, video_jobs
from backstage.media.tests.clips import Clips, clips_for_session

MARKER = "SECRET-MARKER-7f3a"


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> Clips:
    return clips_for_session(tmp_path_factory)


class Listener:
    """A local TCP server that only counts the connections it gets."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


class Secret:
    """A named pipe standing for a secret file: it records whether anything opened it to read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        os.mkfifo(path)
        self.opened = False
        self.failure: OSError | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                # Opening a pipe to write without waiting succeeds only while a reader has it open.
                descriptor = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as error:
                if error.errno != errno.ENXIO:
                    self.failure = error
                    return
                time.sleep(0.002)
                continue
            self.opened = True
            try:
                os.write(descriptor, MARKER.encode())
            finally:
                os.close(descriptor)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


class Trap:
    """A secret file, a secret pipe and a listening server, for hostile files to point at."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir()
        self.folder = folder
        self.secret_file = folder / "secret.txt"
        self.secret_file.write_text(MARKER)
        # Named like a segment, so that an HLS demuxer left to itself would read it.
        self.secret_pipe = Secret(folder / "secret.ts")
        self.listener = Listener()

    def assert_untouched(self, error: MediaError | None = None) -> None:
        time.sleep(0.05)  # let the watchers see a late open or connection
        assert self.secret_pipe.failure is None
        assert not self.secret_pipe.opened, "the secret pipe was opened"
        assert self.listener.connections == 0, "the server got a connection"
        if error is not None:
            assert MARKER not in str(error) and MARKER not in error.detail
        assert sorted(path.name for path in self.folder.iterdir()) == ["secret.ts", "secret.txt"]

    def close(self) -> None:
        self.secret_pipe.close()
        self.listener.close()


@pytest.fixture
def trap(tmp_path) -> Iterator[Trap]:
    trap = Trap(tmp_path / "trap")
    yield trap
    trap.close()


def hls_playlist(*uris: str) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:10", "#EXT-X-MEDIA-SEQUENCE:0"]
    for uri in uris:
        lines += ["#EXTINF:10.0,", uri]
    return "\n".join([*lines, "#EXT-X-ENDLIST", ""])


def hostile_texts(trap: Trap) -> dict[str, tuple[str, set[str]]]:
    """File name: (content, the codes that would be right)."""
    pipe, secret, url = trap.secret_pipe.path, trap.secret_file, trap.listener.url
    refused = {"unsupported_format"}
    return {
        "hls_local.mp4": (hls_playlist(str(pipe)), refused),
        "hls_local_url.mp4": (hls_playlist(f"file:{pipe}"), refused),
        "hls_passwd.mp4": (hls_playlist("/etc/passwd", str(secret)), refused),
        "hls_network.mp4": (hls_playlist(f"{url}segment.ts", f"{url}other.ts"), refused),
        "hls_master.mov": (f"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n{url}index.m3u8\n", refused),
        "ffconcat.mp4": (
            f"ffconcat version 1.0\nfile '{pipe}'\nfile '{secret}'\nfile '{url}x.mp4'\n",
            refused,
        ),
        "dash.mp4": (
            '<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" '
            'mediaPresentationDuration="PT10S"><Period><AdaptationSet><Representation id="1" '
            f'bandwidth="1000"><BaseURL>{url}</BaseURL><SegmentBase/></Representation>'
            "</AdaptationSet></Period></MPD>\n",
            {"unsupported_format", "not_media"},
        ),
        "session.mp4": (
            f"v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=video {trap.listener.port} RTP/AVP 96\n"
            "a=rtpmap:96 H264/90000\n",
            refused,
        ),
        "urls.mov": (
            f"file:{pipe}\nsubfile,,start,0,end,100,,:{pipe}\nconcat:{pipe}|{secret}\n{url}\n",
            {"not_media"},
        ),
    }


def test_playlists_and_lists_of_files_are_refused_unread(trap, tmp_path):
    for name, (content, codes) in hostile_texts(trap).items():
        path = tmp_path / name
        path.write_text(content)
        with pytest.raises(MediaError) as raised:
            probe(path)
        assert raised.value.code in codes, (name, raised.value.code, raised.value.detail)
        trap.assert_untouched(raised.value)


def test_the_trap_catches_a_careless_ffprobe(trap, tmp_path):
    # Without our restrictions, FFmpeg follows these playlists: the trap must notice.
    texts = hostile_texts(trap)
    for name in ("hls_local.mp4", "hls_network.mp4"):
        (tmp_path / name).write_text(texts[name][0])
        subprocess.run(
            [ffprobe_binary(), "-v", "quiet", "-protocol_whitelist", "file,http,tcp", str(tmp_path / name)],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
        )  # fmt: skip
    time.sleep(0.05)
    assert trap.secret_pipe.opened
    assert trap.listener.connections > 0


def forged_probe(format_name: str) -> Probe:
    """What probe() would say of a short video in this format, had it been fooled."""
    return Probe(
        format_name=format_name,
        duration=2.0,
        bit_rate=None,
        size=1000,
        streams=(
            Stream(index=0, type="video", codec="h264", width=320, height=240, frame_rate=25.0),
            Stream(index=1, type="audio", codec="aac", sample_rate=48000, channels=2),
        ),
    )


@pytest.mark.parametrize("format_name", ["mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"])
def test_transcoding_a_disguised_playlist_reads_nothing_else(trap, tmp_path, format_name):
    # Even if probe() were fooled, FFmpeg reads the file with the demuxer named and no other.
    for name, (content, _codes) in hostile_texts(trap).items():
        path = tmp_path / name
        path.write_text(content)
        out = tmp_path / "out"
        for job in video_jobs(path, out, forged_probe(format_name)).values():
            with pytest.raises(MediaError) as raised:
                run(job, duration=2.0, timeout=60)
            assert raised.value.code in ("corrupt", "not_media", "ffmpeg_failed"), (name, raised.value.detail)
            trap.assert_untouched(raised.value)
        assert list(out.rglob("*.*")) == []


@pytest.mark.parametrize("format_name", ["hls", "concat", "image2", "lavfi", "dash", "sdp", "rtsp"])
def test_jobs_refuse_a_probe_naming_another_demuxer(clips, tmp_path, format_name):
    with pytest.raises(MediaError) as raised:
        video_jobs(clips["video.mp4"], tmp_path, forged_probe(format_name))
    assert raised.value.code == "unsupported_format"


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_are_refused(tmp_path, seed):
    path = tmp_path / "random.mov"
    path.write_bytes(random.Random(seed).randbytes(64 * 1024))
    with pytest.raises(MediaError) as raised:
        probe(path)
    # FFmpeg may find a few MPEG audio frames by chance, and then errors in them.
    assert raised.value.code in ("not_media", "corrupt")


def test_an_empty_file_is_not_media(tmp_path):
    path = tmp_path / "empty.mp4"
    path.touch()
    with pytest.raises(MediaError) as raised:
        probe(path)
    assert raised.value.code == "not_media"


def test_a_truncated_mp4_is_corrupt(clips, tmp_path):
    whole = clips["video.mp4"].read_bytes()  # its headers (moov) come last, and are cut off
    path = tmp_path / "cut.mp4"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(MediaError) as raised:
        probe(path)
    assert raised.value.code == "corrupt"


class Bits:
    """Bits of an H.264 parameter set, exp-Golomb codes included."""

    def __init__(self) -> None:
        self.bits: list[int] = []

    def u(self, count: int, value: int) -> None:
        self.bits += [(value >> shift) & 1 for shift in range(count - 1, -1, -1)]

    def ue(self, value: int) -> None:
        value += 1
        self.u(value.bit_length() - 1, 0)
        self.u(value.bit_length(), value)

    def nal(self, header: int) -> bytes:
        bits = [*self.bits, 1]
        bits += [0] * (-len(bits) % 8)
        payload = bytes(int("".join(map(str, bits[n : n + 8])), 2) for n in range(0, len(bits), 8))
        escaped = bytearray([header])
        zeros = 0
        for byte in payload:
            if zeros >= 2 and byte <= 3:
                escaped.append(3)
                zeros = 0
            escaped.append(byte)
            zeros = zeros + 1 if byte == 0 else 0
        return bytes(escaped)


def sequence_parameter_set(width: int, height: int) -> bytes:
    bits = Bits()
    bits.u(8, 66)  # baseline profile
    bits.u(8, 0xC0)
    bits.u(8, 51)  # level 5.1
    for value in (0, 0, 2, 1):  # id, frame number size, picture order, reference frames
        bits.ue(value)
    bits.u(1, 0)
    bits.ue(width // 16 - 1)
    bits.ue(height // 16 - 1)
    bits.u(4, 0b1100)  # frames only, direct 8x8 inference, no cropping, no VUI
    return bits.nal(0x67)


def claiming(source: bytes, width: int, height: int) -> bytes:
    """The MP4 with its H.264 parameters claiming another picture size (the same length, padded)."""
    data = bytearray(source)
    box = data.index(b"avcC")
    (length,) = struct.unpack(">H", data[box + 10 : box + 12])
    claimed = sequence_parameter_set(width, height)
    assert len(claimed) <= length
    data[box + 12 : box + 12 + length] = claimed + bytes(length - len(claimed))
    return bytes(data)


def test_a_video_claiming_an_absurd_size_is_refused(clips, tmp_path):
    source = clips["video.mp4"].read_bytes()
    same = tmp_path / "same.mp4"
    same.write_bytes(claiming(source, 320, 240))
    assert probe(same).video.width == 320  # type: ignore[union-attr]  # the forging itself works
    huge = tmp_path / "huge.mp4"
    huge.write_bytes(claiming(source, 100_000, 100_000))
    with pytest.raises(MediaError) as raised:
        probe(huge)
    # FFmpeg itself rejects a size this large, and says so: refused as damaged, or as too large.
    assert raised.value.code in ("too_large", "corrupt")
    large = tmp_path / "large.mp4"
    large.write_bytes(claiming(source, 12_000, 12_000))
    with pytest.raises(MediaError) as raised:
        probe(large)
    assert raised.value.code == "too_large"


def png(width: int, height: int, rows: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greys
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def test_an_image_claiming_an_absurd_size_is_refused(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(png(100_000, 100_000, zlib.compress(bytes(100_000 // 8 + 1) * 64)))
    with pytest.raises(MediaError) as raised:
        probe(path)
    assert raised.value.code in ("too_large", "corrupt")


TRICKY_NAMES = [
    "-i.mp4",
    "-",
    "with space 'single' \"double\".mp4",
    "concat:a.mp4|b.mp4",
    "http:evil.mp4",
    "file:other.mp4",
    "subfile:,,start,0,end,0,,:a.mp4",
    "frame%03d.mp4",
    "line\nbreak.mp4",
    "ünïcödé ✓.mp4",
]


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_tricky_names_are_only_names(clips, tmp_path, monkeypatch, name):
    # The names point at real files of the working folder, as they would if they were protocols.
    monkeypatch.chdir(tmp_path)
    shutil.copy(clips["video.mp4"], tmp_path / "a.mp4")
    shutil.copy(clips["video.mp4"], tmp_path / "b.mp4")
    shutil.copy(clips["video.mp4"], tmp_path / "other.mp4")
    path = tmp_path / name
    path.write_bytes(b"Not a video, whatever its name says.\n" * 100)
    with pytest.raises(MediaError) as raised:
        probe(path)
    assert raised.value.code == "not_media"
    shutil.copy(clips["video.mp4"], path)
    found = probe(path)
    assert found.duration == pytest.approx(2.0, abs=0.1)
    out = tmp_path / "out"
    job = video_jobs(path, out, found)["poster"]
    run(job, duration=found.duration)
    assert [p.name for p in out.iterdir()] == ["poster.jpg"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"a.mp4", "b.mp4", "other.mp4", "out", name})
