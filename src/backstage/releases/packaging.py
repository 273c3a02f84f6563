"""The film packaged for release, from the media pipeline's renditions: streams and downloads.

The HLS ladder the pipeline made is reused as it is (no second encode of the picture): each rung's
fragments are joined into one fragmented MP4, from which FFmpeg copies (1) an MP4 download with the
film's license and attribution in its metadata and (2) a video-only stream. Every audio track is
encoded once more into its own stream and an M4A download, so the player offers them as alternate
HLS audio renditions and people can take the one they want.
"""

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from backstage.licensing.registry import get_license
from backstage.media import ffmpeg
from backstage.media.ffmpeg_jobs import AUDIO_AAC_BITRATE, SEGMENT_SECONDS, Job, Output
from backstage.media.ffmpeg_probe import FORMAT_WHITELIST, MediaError, Probe, ffmpeg_binary, input_url
from backstage.media.ingest import local_original, renditions_dir
from backstage.media.models import Asset, Rendition
from backstage.releases.models import AudioTrack, Release

_STREAM_INF = re.compile(r"^#EXT-X-STREAM-INF:(.*)$")
_ATTRIBUTE = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')
_MAP = re.compile(r'^#EXT-X-MAP:URI="([^"]+)"')


@dataclass(frozen=True)
class Rung:
    """One rung of the film's HLS ladder as the media pipeline wrote it."""

    label: str  # "720p"
    width: int
    height: int
    bandwidth: int
    video_codec: str  # "avc1.64001f", or "" when the playlist did not say
    folder: Path


@dataclass(frozen=True)
class Made:
    """A file the packaging wrote, for the release's file list."""

    kind: str  # a ReleaseFile.Kind
    label: str
    language: str
    name: str
    path: Path
    mime: str


@dataclass(frozen=True)
class Package:
    files: list[Made]
    master_playlist: Path


def ladder_of(film: Asset) -> list[Rung]:
    """The rungs of the film's HLS rendition, lowest first, read from the master playlist it wrote."""
    hls = next((r for r in film.renditions.all() if r.kind == Rendition.Kind.HLS), None)
    if hls is None:
        raise MediaError("no_stream", "the film has no HLS rendition")
    master = renditions_dir(film) / hls.path
    rungs = []
    lines = master.read_text().splitlines()
    for number, line in enumerate(lines):
        match = _STREAM_INF.match(line)
        if match is None or number + 1 >= len(lines):
            continue
        attributes = {key: value.strip('"') for key, value in _ATTRIBUTE.findall(match.group(1))}
        width, _, height = attributes.get("RESOLUTION", "0x0").partition("x")
        codecs = [codec for codec in attributes.get("CODECS", "").split(",") if codec.startswith("avc1")]
        folder = (master.parent / lines[number + 1]).parent
        rungs.append(
            Rung(
                label=f"{min(int(width), int(height))}p",
                width=int(width),
                height=int(height),
                bandwidth=int(attributes.get("BANDWIDTH", "0")),
                video_codec=codecs[0] if codecs else "",
                folder=folder,
            )
        )
    if not rungs:
        raise MediaError("no_stream", "the film's HLS master playlist lists no stream")
    return sorted(rungs, key=lambda rung: rung.height)


def _joined(rung: Rung, target: Path) -> Path:
    """The rung's init segment and fragments end to end: one fragmented MP4 FFmpeg can read."""
    playlist = (rung.folder / "index.m3u8").read_text().splitlines()
    # FFmpeg names the init segment per rung ("init_0.mp4") when it writes several: the playlist says which.
    maps = [_MAP.match(line) for line in playlist]
    init = next((found.group(1) for found in maps if found is not None), "init.mp4")
    names = [line for line in playlist if line and not line.startswith("#")]
    with target.open("wb") as joined:
        for name in [init, *names]:
            part = (rung.folder / name).resolve()
            if not part.is_relative_to(rung.folder.resolve()):
                raise MediaError("bad_playlist", f"{name} is outside the rendition")
            with part.open("rb") as source:
                shutil.copyfileobj(source, joined, 1024 * 1024)
    return target


def _head() -> list[str]:
    return [ffmpeg_binary(), "-nostdin", "-hide_banner", "-nostats", "-v", "error", "-y"]


def _hls(folder: Path) -> list[str]:
    return [
        "-f", "hls",
        "-hls_time", str(SEGMENT_SECONDS),
        "-hls_playlist_type", "vod",
        "-hls_list_size", "0",
        "-hls_segment_type", "fmp4",
        "-hls_fmp4_init_filename", "init.mp4",
        "-hls_flags", "independent_segments",
        "-hls_segment_filename", str(folder / "%05d.m4s"),
        str(folder / "index.m3u8"),
    ]  # fmt: skip


def metadata(release: Release, *, attribution: str) -> list[str]:
    """Title, license and credit embedded in a file, as far as the MP4 format carries them."""
    license = get_license(release.license)
    year = release.moment.year if release.moment else ""
    credit = attribution or release.production.title
    return [
        "-map_metadata", "-1",
        "-metadata", f"title={release.title}",
        "-metadata", f"copyright=© {year} {credit}. {license.name}".replace("  ", " "),
        "-metadata", f"comment={release.title}, {credit}. License {license.spdx_id}: {license.url}",
    ]  # fmt: skip


def _size_limit(duration: float | None) -> int:
    # Copies of streams the pipeline capped: a generous bound, and never under 256 MiB.
    return int((duration or 0) * 12_000_000 / 8 * 2) + 256 * 1024 * 1024


def package(
    release: Release,
    folder: Path,
    *,
    name_stem: str,
    progress: Callable[[float], None],
) -> Package:
    """Write the streams and downloads of the release's film into ``folder``."""
    film = release.film
    assert film is not None
    tracks = list(release.audio_tracks.select_related("asset"))
    film_probe = Probe.from_dict(film.probe)
    duration = film_probe.duration
    rungs = ladder_of(film)
    attribution = film.attribution
    made: list[Made] = []
    steps = len(rungs) + len(tracks)
    stream_folder = folder / "stream"

    def report(done: int) -> Callable[[int], None]:
        return lambda percent: progress((done + percent / 100) / steps)

    for done, rung in enumerate(rungs):
        download = folder / f"{name_stem}-{rung.label}.mp4"
        video_folder = stream_folder / f"video-{rung.label}"
        video_folder.mkdir(parents=True, exist_ok=True)
        joined = _joined(rung, folder / f".joined-{rung.label}.mp4")
        # The rung keeps its own sound in the stream when the film has no separate audio tracks.
        stream_maps = ["-map", "0:v"] if tracks else ["-map", "0:v", "-map", "0:a?"]
        argv = [
            *_head(),
            "-protocol_whitelist", "file", "-format_whitelist", FORMAT_WHITELIST,
            "-f", "mov", "-i", input_url(joined),
            "-map", "0:v", "-map", "0:a?", "-c", "copy", *metadata(release, attribution=attribution),
            "-movflags", "+faststart", "-f", "mp4", str(download),
            *stream_maps, "-c", "copy", "-map_metadata", "-1", *_hls(video_folder),
        ]  # fmt: skip
        try:
            ffmpeg.run(
                Job(
                    argv,
                    [Output("download", rung.label, download, "video/mp4")],
                    (download,),
                    _size_limit(duration),
                ),
                duration=duration,
                on_progress=report(done),
            )
        finally:
            joined.unlink(missing_ok=True)
        made.append(Made("film", rung.label, "", download.name, download, "video/mp4"))
    for number, track in enumerate(tracks):
        made.append(_package_track(release, track, number, folder, name_stem=name_stem, film=film))
        progress((len(rungs) + number + 1) / steps)
    master = stream_folder / "master.m3u8"
    master.write_text(master_playlist(rungs, tracks, has_film_sound=film_probe.audio is not None))
    return Package(files=made, master_playlist=master)


def _package_track(
    release: Release, track: AudioTrack, number: int, folder: Path, *, name_stem: str, film: Asset
) -> Made:
    source_asset = track.asset or film
    source_probe = Probe.from_dict(source_asset.probe)
    audio = source_probe.audio
    if audio is None:
        raise MediaError("no_sound", f"{source_asset.name} has no sound")
    stream_folder = folder / "stream" / f"audio-{number}"
    stream_folder.mkdir(parents=True, exist_ok=True)
    download = folder / f"{name_stem}-audio-{track.language}-{track.kind}.m4a"
    encode = [
        "-map",
        f"0:{audio.index}",
        "-vn",
        "-c:a",
        "aac",
        "-b:a",
        str(AUDIO_AAC_BITRATE),
        "-ac",
        "2",
        "-ar",
        "48000",
    ]
    attribution = track.attribution or source_asset.attribution
    with local_original(source_asset) as source:
        argv = [
            *_head(),
            "-protocol_whitelist", "file", "-format_whitelist", FORMAT_WHITELIST,
            "-f", source_probe.demuxer, "-i", input_url(source),
            *encode, *metadata(release, attribution=attribution), "-metadata", f"language={track.language}",
            "-movflags", "+faststart", "-f", "ipod", str(download),
            *encode, "-map_metadata", "-1", *_hls(stream_folder),
        ]  # fmt: skip
        ffmpeg.run(
            Job(
                argv,
                [Output("audio", track.language, download, "audio/mp4")],
                (download,),
                _size_limit(source_probe.duration),
            ),
            duration=source_probe.duration,
        )
    return Made(
        "audio", f"{track.language}-{track.kind}", track.language, download.name, download, "audio/mp4"
    )


def _quoted(value: str) -> str:
    # Attribute values of a playlist cannot hold a double quote or a line break.
    return '"' + re.sub(r'["\r\n]', "'", value) + '"'


def master_playlist(rungs: list[Rung], tracks: list[AudioTrack], *, has_film_sound: bool) -> str:
    """The release's HLS master playlist: the picture ladder, and its audio tracks as alternates."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for number, track in enumerate(tracks):
        attributes = [
            "TYPE=AUDIO",
            'GROUP-ID="audio"',
            f"NAME={_quoted(track.label)}",
            f"LANGUAGE={_quoted(track.language)}",
            f"DEFAULT={'YES' if track.is_default else 'NO'}",
            "AUTOSELECT=YES",
            'CHANNELS="2"',
            f'URI="audio-{number}/index.m3u8"',
        ]
        if track.kind == AudioTrack.Kind.DESCRIPTION:
            attributes.append('CHARACTERISTICS="public.accessibility.describes-video"')
        lines.append("#EXT-X-MEDIA:" + ",".join(attributes))
    for rung in rungs:
        codecs = [rung.video_codec] if rung.video_codec else []
        if tracks or has_film_sound:
            codecs.append("mp4a.40.2")
        attributes = [f"BANDWIDTH={rung.bandwidth}", f"RESOLUTION={rung.width}x{rung.height}"]
        if rung.video_codec:
            attributes.append(f'CODECS="{",".join(codecs)}"')
        if tracks:
            attributes.append('AUDIO="audio"')
        lines += ["#EXT-X-STREAM-INF:" + ",".join(attributes), f"video-{rung.label}/index.m3u8"]
    return "\n".join(lines) + "\n"
