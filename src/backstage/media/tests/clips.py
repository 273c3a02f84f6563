"""Small real media files for the FFmpeg tests, made once per test process with FFmpeg's own sources.

Each clip is made on first use with the FFmpeg the code under test runs (ffmpeg_binary()), from
lavfi test sources: a few seconds at 320x240, so that the suite stays fast.
"""

import subprocess
from pathlib import Path

from backstage.media.ffmpeg import ffmpeg_binary

_PICTURE = "testsrc2=size={size}:rate=25:duration={seconds}"
_SOUND = "sine=frequency=440:sample_rate=48000:duration={seconds}"


def _video(size: str = "320x240", seconds: float = 2, *, sound: bool = True) -> list[str]:
    inputs = ["-f", "lavfi", "-i", _PICTURE.format(size=size, seconds=seconds)]
    if sound:
        # Stereo: a different tone on each side.
        inputs += ["-f", "lavfi", "-i", f"{_SOUND.format(seconds=seconds)},aformat=channel_layouts=stereo"]
    return [*inputs, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25"]


def _sound(seconds: float = 2) -> list[str]:
    return ["-f", "lavfi", "-i", f"{_SOUND.format(seconds=seconds)},aformat=channel_layouts=stereo"]


# File name: the arguments that make it (inputs, then output options); "{name}" is another clip.
RECIPES: dict[str, list[str]] = {
    "video.mp4": [*_video(), "-c:a", "aac", "-b:a", "96k"],
    "silent.mkv": _video(sound=False),
    "video_480p.mp4": [*_video("854x480", 1), "-c:a", "aac"],
    "video_720p.mp4": [*_video("1280x720", 1), "-c:a", "aac"],
    "long.mp4": [*_video("160x120", 6), "-c:a", "aac"],
    # moov before mdat, so that a truncated copy still has its headers.
    "faststart.mp4": [*_video(seconds=4), "-c:a", "aac", "-movflags", "+faststart"],
    # As phones record: the picture as the sensor saw it, and the turn to apply when showing it.
    "rotated.mp4": ["-i", "{video.mp4}", "-c", "copy", "-metadata:s:v:0", "rotate=90"],
    "sound.flac": [*_sound(), "-c:a", "flac"],
    "sound.mp3": [*_sound(), "-c:a", "libmp3lame", "-b:a", "128k"],
    "sound.wav": [*_sound(), "-c:a", "pcm_s16le"],
    "sound.ogg": [*_sound(), "-c:a", "libopus", "-b:a", "64k"],
    "cover.mp3": [
        "-i",
        "{sound.mp3}",
        "-i",
        "{picture.jpg}",
        *["-map", "0", "-map", "1", "-c", "copy", "-disposition:v", "attached_pic"],
    ],
    "picture.png": ["-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "1", "-update", "1"],
    "picture.jpg": ["-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "1", "-update", "1"],
}


class Clips:
    """The clips of RECIPES, each made the first time it is asked for."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __getitem__(self, name: str) -> Path:
        path = self.folder / name
        if not path.exists():
            arguments = [
                str(self[argument[1:-1]]) if argument.startswith("{") else argument
                for argument in RECIPES[name]
            ]
            argv = [ffmpeg_binary(), "-nostdin", "-hide_banner", "-v", "error", "-y", *arguments]
            partial = path.with_name(f"partial-{name}")
            subprocess.run([*argv, str(partial)], check=True, capture_output=True, timeout=120)
            partial.rename(path)
        return path


_made: dict[str, Clips] = {}


def clips_for_session(tmp_path_factory) -> Clips:
    """The clips of this test process (shared by the modules that use them), for the FFmpeg tested."""
    binary = ffmpeg_binary()
    if binary not in _made:
        _made[binary] = Clips(tmp_path_factory.mktemp("clips"))
    return _made[binary]
