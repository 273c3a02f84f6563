"""The demo's rushes: a short test clip made with FFmpeg's own sources, uploaded as a crew member would."""

import subprocess
from datetime import timedelta

from django.utils import timezone

from backstage.accounts.models import User
from backstage.media import ingest
from backstage.media.ffmpeg import ffmpeg_binary
from backstage.media.models import Asset, Upload
from backstage.productions.models import Production

CLIP_NAME = "Varsovie-Express – camera test, take 1.mp4"
CLIP_SECONDS = 6


def add_camera_test(production: Production, uploader: User) -> Asset:
    """Make the clip, hand it to the media pipeline as a finished upload; the task workers do the rest."""
    picture = f"testsrc2=size=1280x720:rate=25:duration={CLIP_SECONDS}"
    sound = f"sine=frequency=440:sample_rate=48000:duration={CLIP_SECONDS}"
    return add_made_file(
        production,
        uploader,
        name=CLIP_NAME,
        mime="video/mp4",
        arguments=[
            "-f", "lavfi", "-i", picture, "-f", "lavfi", "-i", sound,
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-movflags", "+faststart", "-f", "mp4",
        ],
    )  # fmt: skip


def add_made_file(
    production: Production, uploader: User, *, name: str, mime: str, arguments: list[str]
) -> Asset:
    """A file FFmpeg makes from ``arguments`` (inputs and output options), uploaded as a finished upload."""
    upload = Upload.objects.create(
        owner=uploader,
        production=production,
        length=0,
        metadata={"filename": name, "filetype": mime},
        status=Upload.Status.COMPLETE,
        expires_at=timezone.now() + timedelta(days=1),
    )
    path = ingest.part_path(upload)
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 - our own arguments, no member's input
        [ffmpeg_binary(), "-nostdin", "-hide_banner", "-v", "error", "-y", *arguments, str(path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    size = path.stat().st_size
    Upload.objects.filter(pk=upload.pk).update(length=size, offset=size)
    upload.refresh_from_db()
    return ingest.upload_finished(upload)
