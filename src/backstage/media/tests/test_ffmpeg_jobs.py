"""The renditions FFmpeg makes, checked by reading them back; progress, time and resource limits."""

import dataclasses
import itertools
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from backstage.media.ffmpeg import (
    DEMUXERS,
    SEGMENT_SECONDS,
    THUMBNAIL_COUNT,
    Job,
    MediaError,
    Output,
    audio_jobs,
    ffmpeg_binary,
    ffprobe_binary,
    ladder,
    probe,
    run,
    video_jobs,
)
from backstage.media.ffmpeg_process import ProcessLimits, run_limited
from backstage.media.tests.clips import Clips, clips_for_session


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> Clips:
    return clips_for_session(tmp_path_factory)


def streams_of(path: Path) -> list[dict]:
    """What ffprobe finds in an output, any format (HLS segments included)."""
    result = subprocess.run(
        [ffprobe_binary(), "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)["streams"]


def files_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def master_variants(master: Path) -> list[tuple[str, str]]:
    """(RESOLUTION, URI) of each variant a master playlist lists."""
    lines = master.read_text().splitlines()
    assert lines[0] == "#EXTM3U"
    found = []
    for number, line in enumerate(lines):
        if line.startswith("#EXT-X-STREAM-INF:"):
            resolution = line.split("RESOLUTION=")[1].split(",")[0]
            found.append((resolution, lines[number + 1]))
    return found


def assert_relative(uri: str) -> None:
    assert not uri.startswith("/") and "://" not in uri and ".." not in uri and ":" not in uri


def segment_file(playlist: Path, segment: str, folder: Path) -> Path:
    """A segment with its initialisation section before it: a file FFmpeg can read on its own."""
    (init,) = [line for line in playlist.read_text().splitlines() if line.startswith("#EXT-X-MAP:")]
    init_uri = init.split('URI="')[1].rstrip('"')
    assert_relative(init_uri)
    whole = folder / f"{playlist.parent.name}-{segment}.mp4"
    whole.write_bytes((playlist.parent / init_uri).read_bytes() + (playlist.parent / segment).read_bytes())
    return whole


def check_hls(master: Path, expected: list[tuple[int, int]], *, sound: bool, scratch: Path) -> None:
    variants = master_variants(master)
    assert [resolution for resolution, _ in variants] == [f"{w}x{h}" for w, h in expected]
    for (width, height), (_, uri) in zip(expected, variants, strict=True):
        assert_relative(uri)
        playlist = master.parent / uri
        lines = playlist.read_text().splitlines()
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in lines and lines[-1] == "#EXT-X-ENDLIST"
        segments = [line for line in lines if line and not line.startswith("#")]
        assert segments
        for segment in segments:
            assert_relative(segment)
            streams = streams_of(segment_file(playlist, segment, scratch))
            video = next(s for s in streams if s["codec_type"] == "video")
            assert (video["codec_name"], video["width"], video["height"]) == ("h264", width, height)
            assert video["pix_fmt"] == "yuv420p"
            assert any(s["codec_type"] == "audio" and s["codec_name"] == "aac" for s in streams) == sound


def test_video_renditions(clips, tmp_path, tmp_path_factory):
    source = clips["video.mp4"]
    found = probe(source)
    jobs = video_jobs(source, tmp_path, found)
    assert set(jobs) == {"proxy", "hls", "poster", "thumbnails"}
    for job in jobs.values():
        run(job, duration=found.duration)

    (proxy,) = jobs["proxy"].outputs
    assert (proxy.kind, proxy.label, proxy.mime, proxy.width, proxy.height) == (
        "proxy",
        "240p",
        "video/mp4",
        320,
        240,
    )
    again = probe(proxy.path)
    assert again.video is not None and again.audio is not None
    assert (again.video.codec, again.video.width, again.video.height) == ("h264", 320, 240)
    assert again.audio.codec == "aac"
    assert again.duration == pytest.approx(2.0, abs=0.1)
    content = proxy.path.read_bytes()
    assert content.index(b"moov") < content.index(b"mdat")  # plays before it is all downloaded

    (stream,) = jobs["hls"].outputs
    assert (stream.kind, stream.label, stream.path.name) == ("hls", "240p", "master.m3u8")
    check_hls(stream.path, [(320, 240)], sound=True, scratch=tmp_path_factory.mktemp("segments"))

    (poster,) = jobs["poster"].outputs
    (picture,) = streams_of(poster.path)
    assert (picture["codec_name"], picture["width"], picture["height"]) == ("mjpeg", 320, 240)

    (strip,) = jobs["thumbnails"].outputs
    (tiles,) = streams_of(strip.path)
    assert (tiles["codec_name"], tiles["width"], tiles["height"]) == ("mjpeg", 144 * THUMBNAIL_COUNT, 108)
    assert (strip.width, strip.height) == (144 * THUMBNAIL_COUNT, 108)

    # Nothing else written, and everything inside the output folder.
    written = set(files_in(tmp_path))
    assert {proxy.path, stream.path, poster.path, strip.path} <= written
    assert all(path.parent == tmp_path for path in written if path.relative_to(tmp_path).parts[0] != "hls")


def test_hls_ladder_of_a_480p_source(clips, tmp_path, tmp_path_factory):
    source = clips["video_480p.mp4"]
    found = probe(source)
    job = video_jobs(source, tmp_path, found)["hls"]
    assert [(o.label, o.width, o.height) for o in job.outputs] == [("360p", 640, 360), ("480p", 854, 480)]
    assert job.outputs[0].bitrate is not None and job.outputs[1].bitrate is not None
    assert job.outputs[0].bitrate < job.outputs[1].bitrate
    run(job, duration=found.duration)
    check_hls(
        job.outputs[0].path, [(640, 360), (854, 480)], sound=True, scratch=tmp_path_factory.mktemp("segments")
    )


def test_hls_of_a_720p_source_stops_at_720p(clips, tmp_path, tmp_path_factory):
    source = clips["video_720p.mp4"]
    found = probe(source)
    jobs = video_jobs(source, tmp_path, found)
    assert [o.label for o in jobs["hls"].outputs] == ["360p", "720p"]
    assert (jobs["proxy"].outputs[0].width, jobs["proxy"].outputs[0].height) == (1280, 720)
    run(jobs["hls"], duration=found.duration)
    check_hls(
        jobs["hls"].outputs[0].path,
        [(640, 360), (1280, 720)],
        sound=True,
        scratch=tmp_path_factory.mktemp("segments"),
    )


def test_hls_segments_start_with_keyframes(clips, tmp_path, tmp_path_factory):
    source = clips["faststart.mp4"]  # 4 s: two segments
    found = probe(source)
    job = video_jobs(source, tmp_path, found)["hls"]
    run(job, duration=found.duration)
    folder = tmp_path / "hls" / "240p"
    playlist = folder / "index.m3u8"
    segments = [line for line in playlist.read_text().splitlines() if line.endswith(".m4s")]
    assert len(segments) == 2
    scratch = tmp_path_factory.mktemp("segments")
    for segment in segments:
        result = subprocess.run(
            [ffprobe_binary(), "-v", "error", "-select_streams", "v", "-show_entries", "packet=flags",
             "-read_intervals", "%+#1", "-of", "csv=p=0", str(segment_file(playlist, segment, scratch))],
            capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
        assert result.stdout.strip().startswith("K")
    assert f"#EXT-X-TARGETDURATION:{SEGMENT_SECONDS}" in playlist.read_text()


def test_video_without_sound(clips, tmp_path, tmp_path_factory):
    source = clips["silent.mkv"]
    found = probe(source)
    jobs = video_jobs(source, tmp_path, found)
    run(jobs["proxy"], duration=found.duration)
    run(jobs["hls"], duration=found.duration)
    assert [s["codec_type"] for s in streams_of(jobs["proxy"].outputs[0].path)] == ["video"]
    check_hls(
        jobs["hls"].outputs[0].path, [(320, 240)], sound=False, scratch=tmp_path_factory.mktemp("segments")
    )
    with pytest.raises(MediaError) as raised:
        audio_jobs(source, tmp_path, found)
    assert raised.value.code == "no_streams"


def test_rotated_video_is_made_upright(clips, tmp_path):
    source = clips["rotated.mp4"]
    found = probe(source)
    jobs = video_jobs(source, tmp_path, found)
    run(jobs["proxy"], duration=found.duration)
    run(jobs["poster"], duration=found.duration)
    (video,) = [s for s in streams_of(jobs["proxy"].outputs[0].path) if s["codec_type"] == "video"]
    assert (video["width"], video["height"]) == (240, 320)
    assert not any("rotation" in side for side in video.get("side_data_list", []))
    (poster,) = streams_of(jobs["poster"].outputs[0].path)
    assert (poster["width"], poster["height"]) == (240, 320)


@pytest.mark.parametrize(
    "name", ["sound.flac", "sound.mp3", "sound.wav", "sound.ogg", "cover.mp3", "video.mp4"]
)
def test_sound_renditions(clips, tmp_path, name):
    source = clips[name]
    found = probe(source)
    jobs = audio_jobs(source, tmp_path, found)
    assert set(jobs) == {"audio_proxy", "waveform"}
    for job in jobs.values():
        run(job, duration=found.duration)
    aac, opus = jobs["audio_proxy"].outputs
    assert (aac.kind, aac.mime, opus.kind, opus.mime) == (
        "audio_aac",
        "audio/mp4",
        "audio_opus",
        "audio/webm",
    )
    for output, codec in ((aac, "aac"), (opus, "opus")):
        again = probe(output.path)
        assert again.video is None and again.audio is not None
        assert (again.audio.codec, again.audio.channels) == (codec, 2)
        assert again.duration == pytest.approx(2.0, abs=0.15)
    assert aac.path.read_bytes()[4:12] == b"ftypM4A "
    (waveform,) = jobs["waveform"].outputs
    (picture,) = streams_of(waveform.path)
    assert (picture["codec_name"], picture["width"], picture["height"]) == ("png", 1800, 280)
    assert (waveform.width, waveform.height) == (1800, 280)
    assert set(files_in(tmp_path)) == {aac.path, opus.path, waveform.path}


def test_sound_has_no_video_jobs(clips, tmp_path):
    with pytest.raises(MediaError) as raised:
        video_jobs(clips["sound.flac"], tmp_path, probe(clips["sound.flac"]))
    assert raised.value.code == "no_streams"


@pytest.mark.parametrize(
    ("display", "expected"),
    [
        ((320, 240), [(320, 240)]),
        ((640, 362), [(636, 360)]),
        ((854, 480), [(640, 360), (854, 480)]),
        ((1280, 720), [(640, 360), (1280, 720)]),
        ((1920, 1080), [(640, 360), (1280, 720), (1920, 1080)]),
        ((3840, 2160), [(640, 360), (1280, 720), (1920, 1080)]),
        ((1440, 1080), [(480, 360), (960, 720), (1440, 1080)]),
        ((1080, 1920), [(360, 640), (720, 1280), (1080, 1920)]),
        ((2048, 858), [(860, 360), (1718, 720), (2048, 858)]),
        ((101, 75), [(100, 74)]),
    ],
)
def test_ladder_never_above_the_source(display, expected):
    sizes = ladder(display)
    assert sizes == expected
    for width, height in sizes:
        assert width % 2 == 0 and height % 2 == 0
        assert min(width, height) <= min(display)


def test_every_job_reads_its_input_safely(clips, tmp_path):
    source = clips["video.mp4"]
    found = probe(source)
    jobs = {**video_jobs(source, tmp_path, found), **audio_jobs(source, tmp_path, found)}
    for job in jobs.values():
        argv = job.argv
        assert argv[:3] == [ffmpeg_binary(), "-nostdin", "-hide_banner"]
        start = argv.index("-i")
        options = argv[:start]
        assert options[options.index("-protocol_whitelist") + 1] == "file"
        assert options[options.index("-format_whitelist") + 1] == ",".join(DEMUXERS)
        assert options[options.index("-f") + 1] == "mov"
        assert argv[start + 1] == f"file:{source}"
        assert argv.count("-i") == 1
        for output in job.outputs:
            assert output.path.is_relative_to(tmp_path)
        for path in job.paths:
            assert path.is_relative_to(tmp_path)
    for name in ("hls", "concat", "image2", "lavfi", "dash", "tee", "data", "subfile", "http"):
        assert name not in DEMUXERS


def test_output_folder_with_a_pattern_is_refused(clips, tmp_path):
    source = clips["video.mp4"]
    with pytest.raises(ValueError):
        video_jobs(source, tmp_path / "100%d", probe(source))


def slowed(job: Job) -> Job:
    """The job reading its input at its natural pace, as a camera would deliver it."""
    start = job.argv.index("-i")
    return dataclasses.replace(job, argv=[*job.argv[:start], "-re", *job.argv[start:]])


def test_progress_rises_and_ends_at_100(clips, tmp_path):
    source = clips["long.mp4"]  # 6 s, read at its pace
    found = probe(source)
    job = slowed(video_jobs(source, tmp_path, found)["proxy"])
    reported: list[tuple[float, int]] = []
    run(
        job, duration=found.duration, on_progress=lambda percent: reported.append((time.monotonic(), percent))
    )
    percents = [percent for _, percent in reported]
    assert len(percents) >= 4
    assert percents == sorted(set(percents))  # rising, never twice the same
    assert all(0 <= percent <= 100 for percent in percents)
    assert percents[-1] == 100 and percents.count(100) == 1
    moments = [moment for moment, _ in reported[:-1]]
    assert all(later - earlier >= 0.45 for earlier, later in itertools.pairwise(moments))


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def endless_job(folder: Path) -> Job:
    """FFmpeg encoding a test picture for ever, at its natural pace."""
    path = folder / "endless.mp4"
    argv = [
        ffmpeg_binary(), "-nostdin", "-hide_banner", "-v", "error", "-y",
        "-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25",
        "-c:v", "libx264", "-preset", "ultrafast", "-f", "mp4", str(path),
    ]  # fmt: skip
    return Job(argv, [Output("proxy", "", path, "video/mp4")], (path,))


def test_timeout_kills_ffmpeg_and_removes_its_output(tmp_path):
    job = endless_job(tmp_path)
    started = time.monotonic()
    with pytest.raises(MediaError) as raised:
        run(job, duration=None, timeout=1.5)
    assert raised.value.code == "timeout"
    assert time.monotonic() - started < 10
    assert processes_mentioning(str(job.outputs[0].path)) == []
    assert files_in(tmp_path) == []


def test_an_exception_from_the_progress_callback_stops_the_job(clips, tmp_path):
    source = clips["long.mp4"]
    found = probe(source)
    job = slowed(video_jobs(source, tmp_path, found)["hls"])

    def cancel(percent: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(job, duration=found.duration, on_progress=cancel)
    assert processes_mentioning(str(tmp_path)) == []
    assert files_in(tmp_path) == []


def test_a_truncated_video_fails_and_leaves_nothing(clips, tmp_path):
    whole = clips["faststart.mp4"]
    cut = tmp_path / "cut.mp4"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])  # headers intact, the end of the pictures missing
    found = probe(cut)  # the headers alone look right
    out = tmp_path / "out"
    for name, job in video_jobs(cut, out, found).items():
        if name == "poster":
            continue  # taken from the start, which is intact
        with pytest.raises(MediaError) as raised:
            run(job, duration=found.duration)
        assert raised.value.code == "corrupt", (name, raised.value.detail)
    assert files_in(out) == []


def test_output_size_is_capped(clips, tmp_path):
    source = clips["video.mp4"]
    found = probe(source)
    job = dataclasses.replace(video_jobs(source, tmp_path, found)["proxy"], max_file_bytes=20_000)
    with pytest.raises(MediaError) as raised:
        run(job, duration=found.duration)
    assert raised.value.code == "too_large"
    assert files_in(tmp_path) == []


def test_memory_is_capped(clips, tmp_path, settings):
    source = clips["video_720p.mp4"]
    found = probe(source)
    job = video_jobs(source, tmp_path, found)["hls"]
    settings.MEDIA_MEMORY_LIMIT_MB = 300  # enough to start, not to encode 720p twice
    with pytest.raises(MediaError) as raised:
        run(job, duration=found.duration)
    # x264 says when its memory runs out, not always in the same words.
    assert raised.value.code in ("too_large", "ffmpeg_failed"), raised.value.detail
    assert files_in(tmp_path) == []


def test_a_retry_starts_from_scratch(clips, tmp_path):
    source = clips["video.mp4"]
    found = probe(source)
    job = video_jobs(source, tmp_path, found)["hls"]
    stale = tmp_path / "hls" / "1080p" / "00042.m4s"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left by an interrupted attempt")
    run(job, duration=found.duration)
    assert not stale.exists()
    assert sorted(os.listdir(tmp_path / "hls")) == ["240p", "master.m3u8"]


def test_cpu_time_is_capped(tmp_path):
    job = endless_job(tmp_path)
    argv = [argument for argument in job.argv if argument != "-re"]  # as fast as it can
    limits = ProcessLimits(memory_bytes=2 * 1024**3, cpu_seconds=1, file_bytes=1024**3)
    started = time.monotonic()
    result = run_limited(argv, limits=limits, timeout=60)
    assert not result.timed_out and time.monotonic() - started < 30
    assert result.returncode != 0
    # The kernel counts CPU time in ticks: the cap of 1 s shows as a little under or over it.
    assert result.cpu_seconds >= 0.9
    assert processes_mentioning(str(job.outputs[0].path)) == []
