"""The FFmpeg invocations that make renditions: proxy, HLS ladder, poster, thumbnails, audio, waveform.

Each Job is the argv of one FFmpeg run and the files it makes, all inside the output folder, with
names of ours. The input is opened as ffmpeg_probe says (file protocol, the demuxer probe found
forced, the whitelist again); user metadata is not copied into the renditions.
"""

from dataclasses import dataclass
from pathlib import Path

from backstage.media.ffmpeg_probe import (
    DEMUXERS,
    FORMAT_WHITELIST,
    MediaError,
    Probe,
    Stream,
    ffmpeg_binary,
    input_url,
)
from backstage.media.ffmpeg_process import THREADS

SEGMENT_SECONDS = 2
# Rungs of the streaming ladder, by the short side of the picture (360p is 640x360, or 360x640
# for a portrait video).
LADDER = (360, 720, 1080)
PROXY_MAX_SIDE = 720
POSTER_MAX = (1920, 1080)
THUMBNAIL_COUNT = 10
THUMBNAIL_HEIGHT = 108
WAVEFORM_SIZE = (1800, 280)
WAVEFORM_COLOR = "0x3b4252"
AUDIO_AAC_BITRATE = 128_000
AUDIO_OPUS_BITRATE = 96_000
# A 1080p H.264 stream at veryfast stays well below this, the rungs below it scale with their area.
FULL_HD_MAXRATE = 5_000_000
X264_PRESET = "veryfast"


@dataclass(frozen=True)
class Output:
    kind: str  # a Rendition.Kind: "proxy", "hls", "poster", "thumbnails", "audio_aac", "audio_opus", …
    label: str  # tells apart outputs of one kind: "360p", "720p"…; empty when there is one
    path: Path  # for HLS, the master playlist
    mime: str
    width: int | None = None
    height: int | None = None
    bitrate: int | None = None  # bits per second, at most


@dataclass(frozen=True)
class Job:
    """One FFmpeg invocation and the files it makes."""

    argv: list[str]
    outputs: list[Output]
    # Every file and folder the job writes: removed before it runs and when it fails.
    paths: tuple[Path, ...] = ()
    # The largest file it may write (the child's RLIMIT_FSIZE).
    max_file_bytes: int = 64 * 1024 * 1024


def _out_dir(out_dir: Path) -> Path:
    out_dir = Path(out_dir).absolute()
    # Output names are FFmpeg patterns (%v, %05d): the folder must not add any.
    if "%" in str(out_dir):
        raise ValueError(f"An output folder may not contain '%': {out_dir}")
    return out_dir


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def _fit(display: tuple[int, int], *, short_side: int) -> tuple[int, int]:
    """The size with the given short side and the display's aspect ratio, both sides even."""
    width, height = display
    if width >= height:
        return _even(short_side * width / height), short_side
    return short_side, _even(short_side * height / width)


def ladder(display: tuple[int, int]) -> list[tuple[int, int]]:
    """The sizes of the streaming ladder for a picture of this display size, smallest first.

    The rungs of LADDER below the source's short side, then one at the source's own size (capped
    at the top rung) unless it is within 15% of the rung below: a 480p source streams at 360p and
    480p, a 1080p or 4K source at 360p, 720p and 1080p. Never larger than the source.
    """
    short = min(display)
    rungs = [rung for rung in LADDER if rung < short]
    top = min(short - short % 2, LADDER[-1])
    if not rungs or top > rungs[-1] * 1.15:
        rungs.append(max(top, 2))
    return [_fit(display, short_side=rung) for rung in rungs]


def _maxrate(size: tuple[int, int], frame_rate: float) -> int:
    area = size[0] * size[1] / (1920 * 1080)
    rate = FULL_HD_MAXRATE * area**0.75 * (1.5 if frame_rate > 31 else 1.0)
    return max(300_000, int(round(rate, -4)))


def _output_frame_rate(video: Stream) -> float:
    # High frame rates (slow motion from phones) are halved for the web until they are at most 60.
    rate = video.frame_rate or 25.0
    while rate > 61:
        rate /= 2
    return rate


def _size_limit(duration: float, bitrate: int) -> int:
    return int(duration * bitrate / 8 * 2) + 64 * 1024 * 1024


def _head() -> list[str]:
    return [ffmpeg_binary(), "-nostdin", "-hide_banner", "-nostats", "-v", "error", "-xerror", "-y"]


def _input(source: Path, found: Probe, *options: str) -> list[str]:
    if found.demuxer not in DEMUXERS:
        raise MediaError("unsupported_format", found.format_name)
    return [
        "-threads", str(THREADS),
        "-protocol_whitelist", "file",
        "-format_whitelist", FORMAT_WHITELIST,
        "-f", found.demuxer,
        *options,
        "-i", input_url(source),
    ]  # fmt: skip


def _output(path: Path, muxer: str, *options: str) -> list[str]:
    return [
        *options,
        "-map_metadata", "-1",  # camera serial numbers, places, names
        "-map_chapters", "-1",
        "-f", muxer,
        "-protocol_whitelist", "file",
        str(path),
    ]  # fmt: skip


def _picture_filters(video: Stream) -> list[str]:
    filters = []
    if video.interlaced:
        filters.append("yadif=deint=interlaced")
    if video.frame_rate and _output_frame_rate(video) != video.frame_rate:
        filters.append(f"fps={_output_frame_rate(video):.3f}")
    return filters


def _scale(size: tuple[int, int]) -> str:
    return f"scale={size[0]}:{size[1]},setsar=1"


def _x264(frame_rate: float) -> list[str]:
    keyframes = max(1, round(frame_rate * SEGMENT_SECONDS))
    return [
        "-c:v", "libx264",
        "-preset", X264_PRESET,
        "-profile:v", "high",
        "-pix_fmt", "yuv420p",
        "-crf", "23",
        "-threads", str(THREADS),
        # A keyframe every segment, none elsewhere, closed GOPs: every rung cuts at the same frames.
        "-g", str(keyframes),
        "-keyint_min", str(keyframes),
        "-sc_threshold", "0",
        "-flags", "+cgop",
        "-force_key_frames", f"expr:gte(t,n_forced*{SEGMENT_SECONDS})",
    ]  # fmt: skip


def _aac(audio: Stream) -> list[str]:
    rate = audio.sample_rate if audio.sample_rate and audio.sample_rate <= 48000 else 48000
    return [
        "-c:a", "aac",
        "-b:a", str(AUDIO_AAC_BITRATE),
        "-ac", str(min(audio.channels or 2, 2)),
        "-ar", str(rate),
    ]  # fmt: skip


def _require_video(found: Probe) -> Stream:
    video = found.video
    if video is None or found.kind != "video":
        raise MediaError("no_streams", "no video stream")
    if not found.duration or found.duration <= 0 or video.display_size is None:
        raise MediaError("corrupt", "no duration or picture size")
    return video


def video_jobs(source: Path, out_dir: Path, probe: Probe) -> dict[str, Job]:
    """The FFmpeg jobs that make a video's renditions: "proxy", "hls", "poster" and "thumbnails"."""
    found = probe
    video = _require_video(found)
    out_dir = _out_dir(out_dir)
    return {
        "proxy": _proxy_job(source, out_dir, found, video),
        "hls": _hls_job(source, out_dir, found, video),
        "poster": _poster_job(source, out_dir, found, video),
        "thumbnails": _thumbnails_job(source, out_dir, found, video),
    }


def _proxy_job(source: Path, out_dir: Path, found: Probe, video: Stream) -> Job:
    assert found.duration is not None and video.display_size is not None
    size = ladder(video.display_size)[-1]
    if min(size) > PROXY_MAX_SIDE:
        size = _fit(video.display_size, short_side=PROXY_MAX_SIDE)
    frame_rate = _output_frame_rate(video)
    maxrate = _maxrate(size, frame_rate)
    path = out_dir / "proxy.mp4"
    chain = ",".join([*_picture_filters(video), _scale(size)])
    argv = [
        *_head(),
        *_input(source, found),
        "-filter_complex",
        f"[0:{video.index}]{chain}[v]",
        "-map",
        "[v]",
    ]
    bitrate = maxrate
    audio_options: list[str] = []
    if found.audio is not None:
        argv += ["-map", f"0:{found.audio.index}"]
        audio_options = _aac(found.audio)
        bitrate += AUDIO_AAC_BITRATE
    argv += _output(
        path,
        "mp4",
        *_x264(frame_rate),
        "-maxrate", str(maxrate),
        "-bufsize", str(2 * maxrate),
        *audio_options,
        "-movflags", "+faststart",
        "-max_muxing_queue_size", "4096",
    )  # fmt: skip
    output = Output("proxy", f"{min(size)}p", path, "video/mp4", size[0], size[1], bitrate)
    return Job(argv, [output], (path,), _size_limit(found.duration, bitrate))


def _hls_job(source: Path, out_dir: Path, found: Probe, video: Stream) -> Job:
    assert found.duration is not None and video.display_size is not None
    folder = out_dir / "hls"
    master = folder / "master.m3u8"
    sizes = ladder(video.display_size)
    frame_rate = _output_frame_rate(video)
    labels = [f"{min(size)}p" for size in sizes]
    splits = "".join(f"[s{n}]" for n in range(len(sizes)))
    graph = [
        f"[0:{video.index}]{''.join(f + ',' for f in _picture_filters(video))}split={len(sizes)}{splits}"
    ]
    graph += [f"[s{n}]{_scale(size)}[v{n}]" for n, size in enumerate(sizes)]
    argv = [*_head(), *_input(source, found), "-filter_complex", ";".join(graph)]
    rate_options: list[str] = []
    outputs = []
    streams = []
    total = 0
    for n, (size, label) in enumerate(zip(sizes, labels, strict=True)):
        argv += ["-map", f"[v{n}]"]
        maxrate = _maxrate(size, frame_rate)
        rate_options += [f"-maxrate:v:{n}", str(maxrate), f"-bufsize:v:{n}", str(2 * maxrate)]
        bitrate = maxrate
        if found.audio is not None:
            argv += ["-map", f"0:{found.audio.index}"]
            streams.append(f"v:{n},a:{n},name:{label}")
            bitrate += AUDIO_AAC_BITRATE
        else:
            streams.append(f"v:{n},name:{label}")
        total = max(total, bitrate)
        outputs.append(
            Output("hls", label, master, "application/vnd.apple.mpegurl", size[0], size[1], bitrate)
        )
    argv += _output(
        folder / "%v" / "index.m3u8",
        "hls",
        *_x264(frame_rate),
        *rate_options,
        *(_aac(found.audio) if found.audio is not None else []),
        "-max_muxing_queue_size", "4096",
        "-hls_time", str(SEGMENT_SECONDS),
        "-hls_playlist_type", "vod",
        "-hls_list_size", "0",
        # Fragmented MP4 (CMAF) segments: what hls.js and Safari both play, with less overhead than TS.
        "-hls_segment_type", "fmp4",
        "-hls_fmp4_init_filename", "init.mp4",
        "-hls_flags", "independent_segments",
        "-hls_segment_filename", str(folder / "%v" / "%05d.m4s"),
        "-master_pl_name", master.name,
        "-var_stream_map", " ".join(streams),
    )  # fmt: skip
    return Job(argv, outputs, (folder,), _size_limit(found.duration, total))


def _poster_size(display: tuple[int, int]) -> tuple[int, int]:
    long_side, short_side = max(display), min(display)
    scale = min(1.0, POSTER_MAX[0] / long_side, POSTER_MAX[1] / short_side)
    return _even(display[0] * scale), _even(display[1] * scale)


def _poster_job(source: Path, out_dir: Path, found: Probe, video: Stream) -> Job:
    assert found.duration is not None and video.display_size is not None
    duration = found.duration
    # A tenth into the film is past the titles; short clips are taken at one second.
    moment = duration / 10 if duration >= 10 else min(1.0, duration / 2)
    size = _poster_size(video.display_size)
    path = out_dir / "poster.jpg"
    chain = ",".join([*_picture_filters(video), _scale(size)])
    argv = [
        *_head(),
        *_input(source, found, "-ss", f"{moment:.3f}"),
        "-filter_complex", f"[0:{video.index}]{chain}[v]",
        "-map", "[v]",
        *_output(path, "image2", "-frames:v", "1", "-update", "1", "-c:v", "mjpeg", "-q:v", "3",
                 "-pix_fmt", "yuvj420p"),
    ]  # fmt: skip
    return Job(argv, [Output("poster", "", path, "image/jpeg", size[0], size[1])], (path,))


def _thumbnails_job(source: Path, out_dir: Path, found: Probe, video: Stream) -> Job:
    assert found.duration is not None and video.display_size is not None
    duration = found.duration
    width, height = video.display_size
    tile = (_even(THUMBNAIL_HEIGHT * width / height), THUMBNAIL_HEIGHT)
    # One frame from the middle of each tenth of the film.
    options = ["-ss", f"{duration / THUMBNAIL_COUNT / 2:.3f}"]
    if duration >= 120:
        # Decoding only keyframes is many times faster, and close enough for a long film.
        options += ["-skip_frame", "nokey"]
    chain = ",".join(
        [
            *_picture_filters(video),
            f"fps={THUMBNAIL_COUNT}/{duration:.3f}",
            _scale(tile),
            f"tile={THUMBNAIL_COUNT}x1",
        ]
    )
    path = out_dir / "thumbnails.jpg"
    argv = [
        *_head(),
        *_input(source, found, *options),
        "-filter_complex", f"[0:{video.index}]{chain}[v]",
        "-map", "[v]",
        *_output(path, "image2", "-frames:v", "1", "-update", "1", "-c:v", "mjpeg", "-q:v", "4",
                 "-pix_fmt", "yuvj420p"),
    ]  # fmt: skip
    output = Output("thumbnails", "", path, "image/jpeg", tile[0] * THUMBNAIL_COUNT, tile[1])
    return Job(argv, [output], (path,))


def audio_jobs(source: Path, out_dir: Path, probe: Probe) -> dict[str, Job]:
    """The FFmpeg jobs that make the listening copies and waveform: "audio_proxy" and "waveform".

    "audio_proxy" is one invocation with two outputs, AAC in M4A and Opus in WebM, decoding once.
    Works on the sound of a video too.
    """
    found = probe
    audio = found.audio
    if audio is None:
        raise MediaError("no_streams", "no audio stream")
    if not found.duration or found.duration <= 0:
        raise MediaError("corrupt", "no duration")
    out_dir = _out_dir(out_dir)
    return {
        "audio_proxy": _audio_proxy_job(source, out_dir, found, audio),
        "waveform": _waveform_job(source, out_dir, found, audio),
    }


def _audio_proxy_job(source: Path, out_dir: Path, found: Probe, audio: Stream) -> Job:
    assert found.duration is not None
    aac, opus = out_dir / "audio.m4a", out_dir / "audio.webm"
    channels = str(min(audio.channels or 2, 2))
    argv = [
        *_head(),
        *_input(source, found),
        "-map", f"0:{audio.index}",
        *_output(aac, "ipod", *_aac(audio), "-movflags", "+faststart"),
        "-map", f"0:{audio.index}",
        *_output(opus, "webm", "-c:a", "libopus", "-b:a", str(AUDIO_OPUS_BITRATE), "-ac", channels,
                 "-ar", "48000"),
    ]  # fmt: skip
    outputs = [
        Output("audio_aac", "", aac, "audio/mp4", bitrate=AUDIO_AAC_BITRATE),
        Output("audio_opus", "", opus, "audio/webm", bitrate=AUDIO_OPUS_BITRATE),
    ]
    return Job(argv, outputs, (aac, opus), _size_limit(found.duration, AUDIO_AAC_BITRATE))


def _waveform_job(source: Path, out_dir: Path, found: Probe, audio: Stream) -> Job:
    assert found.duration is not None
    # showwavespic keeps every sample until the end: fewer of them for long recordings keeps
    # memory near 100 MB whatever the length, and 1800 columns need no more.
    rate = int(min(48000, max(1000, 50_000_000 / found.duration)))
    width, height = WAVEFORM_SIZE
    path = out_dir / "waveform.png"
    chain = (
        f"aformat=sample_rates={rate}:channel_layouts=mono,"
        f"showwavespic=s={width}x{height}:colors={WAVEFORM_COLOR}:scale=sqrt:draw=full"
    )
    argv = [
        *_head(),
        *_input(source, found),
        "-filter_complex", f"[0:{audio.index}]{chain}[w]",
        "-map", "[w]",
        *_output(path, "image2", "-frames:v", "1", "-update", "1", "-c:v", "png"),
    ]  # fmt: skip
    return Job(argv, [Output("waveform", "", path, "image/png", width, height)], (path,))
