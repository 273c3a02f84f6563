"""From a finished upload to an asset: verification, storage, duplicates, refusals and retries."""

import io
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from PIL import Image

from backstage.core.errors import Conflict, NotAllowed
from backstage.media import ingest, services
from backstage.media.models import Asset, Rendition, Step, Upload
from backstage.media.tests.clips import Clips, clips_for_session
from conftest import client_for, make_user


def finished_upload(owner, data: bytes, name: str = "file.bin", production=None) -> Upload:
    """An upload whose bytes have all arrived, as the tus endpoint leaves it."""
    upload = Upload.objects.create(
        owner=owner,
        production=production,
        length=len(data),
        offset=len(data),
        metadata={"filename": name},
        status=Upload.Status.COMPLETE,
        expires_at=timezone.now() + timedelta(days=1),
    )
    path = ingest.part_path(upload)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return upload


def ingested(owner, data: bytes, name: str, django_capture_on_commit_callbacks, production=None) -> Asset:
    with django_capture_on_commit_callbacks(execute=True):
        asset = ingest.upload_finished(finished_upload(owner, data, name, production))
    asset.refresh_from_db()
    return asset


def png_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(data, format="PNG")
    return data.getvalue()


def stored_originals() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "assets" / "originals"
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def leftover_parts() -> list[Path]:
    folder = Path(settings.TUS_UPLOAD_DIR)
    return list(folder.glob("*.part")) if folder.exists() else []


def test_a_text_file_is_verified_stored_under_the_uploads_id_and_ready(
    studio, django_capture_on_commit_callbacks
):
    asset = ingested(
        studio.member,
        b"INT. TRAIN - NIGHT\nAnia reads.\n",
        "../../scene 12.txt",
        django_capture_on_commit_callbacks,
    )
    assert asset.status == Asset.Status.READY and asset.kind == "text" and asset.mime == "text/plain"
    assert asset.size == 31 and len(asset.sha256) == 64
    assert asset.name == "scene 12.txt"
    assert asset.original.read() == b"INT. TRAIN - NIGHT\nAnia reads.\n"
    assert ".." not in asset.original.name and str(asset.pk) in asset.original.name
    assert list(asset.steps.values_list("name", "status", "progress")) == [("verify", "done", 100)]
    assert not Upload.objects.exists() and leftover_parts() == []


@pytest.mark.parametrize(
    ("data", "name", "problem"),
    [
        (b"<html><script>alert(1)</script></html>", "trailer.mp4", "unknown_type"),
        (b"MZ\x90\x00" + b"\x00" * 300, "film.mov", "unknown_type"),
        (png_bytes() + b"<script>alert(1)</script>", "poster.png", "polyglot"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "truncated.png", None),
        (b"", "empty.mp4", "empty"),
    ],
)
def test_hostile_files_are_rejected_and_their_bytes_removed(
    studio, django_capture_on_commit_callbacks, data, name, problem
):
    asset = ingested(studio.member, data, name, django_capture_on_commit_callbacks)
    assert asset.status == Asset.Status.REJECTED
    if problem:
        assert asset.problem == problem
    assert not asset.original and stored_originals() == [] and leftover_parts() == []
    assert asset.steps.get(name="verify").status == Step.Status.FAILED


def test_the_same_file_twice_is_a_duplicate_of_the_first(studio, django_capture_on_commit_callbacks):
    first = ingested(studio.member, b"A scene.\n", "a.txt", django_capture_on_commit_callbacks)
    again = ingested(studio.member, b"A scene.\n", "b.txt", django_capture_on_commit_callbacks)
    assert again.status == Asset.Status.REJECTED and again.problem == "duplicate"
    assert again.problem_detail == str(first.pk)
    assert len(stored_originals()) == 1
    # Someone else's copy of the same bytes is theirs: nothing about the first one is told to them.
    theirs = ingested(studio.crew, b"A scene.\n", "c.txt", django_capture_on_commit_callbacks)
    assert theirs.status == Asset.Status.READY


def test_a_missing_partial_file_is_rejected(studio, django_capture_on_commit_callbacks):
    upload = finished_upload(studio.member, b"abc", "x.txt")
    ingest.part_path(upload).unlink()
    with django_capture_on_commit_callbacks(execute=True):
        asset = ingest.upload_finished(upload)
    asset.refresh_from_db()
    assert asset.status == Asset.Status.REJECTED and asset.problem == "missing"


def failed_asset(owner, production=None) -> Asset:
    asset = Asset.objects.create(
        id=uuid.uuid4(), owner=owner, production=production, name="clip.mp4", kind="video",
        status=Asset.Status.FAILED, problem="ffmpeg_failed",
    )  # fmt: skip
    Step.objects.create(asset=asset, name=Step.Name.PROXY, status=Step.Status.FAILED, problem="ffmpeg_failed")
    Step.objects.create(asset=asset, name=Step.Name.POSTER, status=Step.Status.DONE, progress=100)
    return asset


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("member", True),
        ("producer", True),
        ("director", True),
        ("crew", True),
        ("moderator", False),
        ("staff", False),
    ],
)
def test_who_may_retry_a_failed_asset(studio, role, allowed):
    asset = failed_asset(studio.member, production=studio.production)
    if allowed:
        services.retry(actor=studio.person(role), asset=asset)
        asset.refresh_from_db()
        assert asset.status == Asset.Status.PROCESSING and asset.problem == ""
        assert dict(asset.steps.values_list("name", "status")) == {"proxy": "pending", "poster": "done"}
    else:
        with pytest.raises(NotAllowed):
            services.retry(actor=studio.person(role), asset=asset)
        asset.refresh_from_db()
        assert asset.status == Asset.Status.FAILED


def test_only_failed_assets_are_retried(studio):
    asset = failed_asset(studio.member)
    Asset.objects.filter(pk=asset.pk).update(status=Asset.Status.READY)
    with pytest.raises(Conflict):
        services.retry(actor=studio.member, asset=asset)
    with pytest.raises(NotAllowed):
        services.retry(actor=make_user("stranger"), asset=failed_asset(studio.member))


# --- the whole way, with real media and FFmpeg ------------------------------------------------------------


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> Clips:
    return clips_for_session(tmp_path_factory)


def renditions_of(asset: Asset) -> dict[tuple[str, str], Rendition]:
    return {(item.kind, item.label): item for item in asset.renditions.all()}


def test_a_video_becomes_a_stream_a_proxy_a_poster_and_a_strip(
    studio, clips, django_capture_on_commit_callbacks
):
    asset = ingested(
        studio.crew,
        clips["video.mp4"].read_bytes(),
        "rush 1.mp4",
        django_capture_on_commit_callbacks,
        studio.production,
    )
    assert asset.status == Asset.Status.READY, (asset.problem, asset.problem_detail)
    assert asset.kind == "video" and asset.probe["duration"] == pytest.approx(2.0, abs=0.1)
    assert [(step.name, step.status, step.progress) for step in asset.steps.all()] == [
        (name, "done", 100) for name in ("verify", "probe", "proxy", "hls", "poster", "thumbnails")
    ]
    made = renditions_of(asset)
    kinds = {kind for kind, _label in made}
    assert kinds == {"proxy", "hls", "poster", "thumbnails"}
    folder = ingest.renditions_dir(asset)
    for rendition in made.values():
        assert (folder / rendition.path).is_file() and rendition.size > 0
    master = (folder / next(item for item in made.values() if item.kind == "hls").path).read_text()
    assert "#EXT-X-STREAM-INF" in master and "240" in master
    client = client_for(studio.director)
    hls = next(item for item in made.values() if item.kind == "hls")
    response = client.get(f"/assets/{asset.pk}/r/{hls.path}")
    assert response["Content-Type"] == "application/vnd.apple.mpegurl"


def test_a_sound_gets_listening_copies_and_a_waveform(studio, clips, django_capture_on_commit_callbacks):
    asset = ingested(
        studio.member, clips["sound.wav"].read_bytes(), "theme.wav", django_capture_on_commit_callbacks
    )
    assert asset.status == Asset.Status.READY, (asset.problem, asset.problem_detail)
    assert {kind for kind, _label in renditions_of(asset)} >= {"audio_aac", "waveform"}


def test_an_image_gets_resized_variants(studio, django_capture_on_commit_callbacks):
    asset = ingested(studio.member, png_bytes((1600, 900)), "still.png", django_capture_on_commit_callbacks)
    assert asset.status == Asset.Status.READY
    widths = sorted(item.width for item in asset.renditions.filter(kind="image"))
    assert widths and max(widths) <= 1600 and all(width <= 1600 for width in widths)


@pytest.mark.parametrize(
    "text",
    [
        "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\n{secret}\n#EXT-X-ENDLIST\n",
        "ffconcat version 1.0\nfile '{secret}'\n",
        "#EXTM3U\n#EXTINF:10.0,\nhttp://127.0.0.1:9/stolen\n#EXT-X-ENDLIST\n",
    ],
)
def test_a_playlist_named_like_a_video_is_refused_and_never_reaches_ffmpeg(
    studio, tmp_path, django_capture_on_commit_callbacks, text
):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    asset = ingested(
        studio.member, text.format(secret=secret).encode(), "trailer.mp4", django_capture_on_commit_callbacks
    )
    assert asset.status == Asset.Status.REJECTED and asset.problem == "mismatch"
    assert not asset.steps.filter(name="probe").exists()
    assert not ingest.renditions_dir(asset).exists() and stored_originals() == []


def test_a_video_without_pictures_is_refused(studio, clips, django_capture_on_commit_callbacks):
    asset = ingested(
        studio.member, clips["sound.ogg"].read_bytes(), "clip.webm", django_capture_on_commit_callbacks
    )
    assert asset.status == Asset.Status.REJECTED
    assert stored_originals() == []


def test_an_uploaded_image_becomes_the_profile_picture(studio, django_capture_on_commit_callbacks):
    asset = ingested(studio.member, png_bytes((900, 600)), "portrait.png", django_capture_on_commit_callbacks)
    assert client_for(studio.crew).post(f"/assets/{asset.pk}/avatar/").status_code == 404
    response = client_for(studio.member).post(f"/assets/{asset.pk}/avatar/")
    assert response.status_code == 302
    studio.member.profile.refresh_from_db()
    avatar = Image.open(studio.member.profile.avatar.open("rb"))
    assert avatar.format == "WEBP" and max(avatar.size) <= 512
    assert client_for(studio.member).get(f"/assets/{asset.pk}/").status_code == 200


def test_a_step_an_interrupted_worker_left_running_can_be_retried(studio, django_capture_on_commit_callbacks):
    asset = failed_asset(studio.member, production=studio.production)
    Asset.objects.filter(pk=asset.pk).update(status=Asset.Status.PROCESSING, problem="")
    Step.objects.filter(asset=asset, name="proxy").update(
        status=Step.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    # Still alive a few minutes ago: not to be started twice.
    with pytest.raises(Conflict):
        services.retry(actor=studio.member, asset=asset)
    assert "stopped midway" not in client_for(studio.member).get(f"/assets/{asset.pk}/").content.decode()

    Step.objects.filter(asset=asset, name="proxy").update(heartbeat_at=timezone.now() - timedelta(hours=1))
    page = client_for(studio.member).get(f"/assets/{asset.pk}/").content.decode()
    assert "stopped midway" in page
    services.retry(actor=studio.member, asset=asset)
    assert asset.steps.get(name="proxy").status == Step.Status.PENDING
