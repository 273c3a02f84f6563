"""From a finished upload to a ready asset: verify, store, probe, then make the renditions.

Each stage is a background task; the renditions of one asset are separate tasks so that
several worker processes make them at once. Every stage records its progress in a `Step`,
which the asset's page shows while the work goes on.
"""

import logging
import mimetypes
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from backstage.core.uploads import display_name, validate_upload
from backstage.media.models import Asset, Rendition, Step, Upload

log = logging.getLogger(__name__)

# Kinds a member may upload; anything else is refused from its content.
UPLOAD_KINDS = frozenset({"image", "audio", "video", "pdf", "text"})
# Kinds a name or a declared type can announce, which the content must then be.
MEDIA_KINDS = frozenset({"video", "audio", "image"})
# What is made from each kind of file, in the order the page lists it.
STEPS_BY_KIND: dict[str, list[str]] = {
    Asset.Kind.VIDEO: [
        Step.Name.PROBE,
        Step.Name.PROXY,
        Step.Name.HLS,
        Step.Name.POSTER,
        Step.Name.THUMBNAILS,
    ],
    Asset.Kind.AUDIO: [Step.Name.PROBE, Step.Name.AUDIO_PROXY, Step.Name.WAVEFORM],
    Asset.Kind.IMAGE: [Step.Name.IMAGE_VARIANTS],
    Asset.Kind.PDF: [],
    Asset.Kind.TEXT: [],
}
# FFmpeg's refusals that mean the file itself is not acceptable media (not a passing failure).
HOSTILE_CODES = frozenset({"not_media", "unsupported_format", "corrupt", "too_large", "no_streams"})
# A running step writes at least this often; see services.STALE_AFTER.
HEARTBEAT_INTERVAL = 60.0
# Progress is written at most this often: a few rows a second would slow the work for nothing.
PROGRESS_INTERVAL = 0.5


def part_path(upload: Upload) -> Path:
    """Where the bytes of an upload in progress are kept."""
    return Path(settings.TUS_UPLOAD_DIR) / f"{upload.pk}.part"


def upload_finished(upload: Upload) -> Asset:
    """Called in the transaction that completes an upload: its asset, and its verification queued.

    The asset takes the upload's id, so a client that knows its upload's address knows the asset's.
    """
    asset = Asset.objects.create(
        id=upload.pk,
        owner_id=upload.owner_id,
        production_id=upload.production_id,
        name=display_name(upload.filename),
        size=upload.length,
    )
    Step.objects.create(asset=asset, name=Step.Name.VERIFY, position=0)
    Upload.objects.filter(pk=upload.pk).update(asset=asset)
    from backstage.media.tasks import verify_asset

    transaction.on_commit(lambda: verify_asset.enqueue(asset_id=str(asset.pk)))
    return asset


class ProgressReporter:
    """Calls `report(percent)` as work advances, no more often than PROGRESS_INTERVAL."""

    def __init__(self, report: Callable[[int], None]) -> None:
        self.report = report
        self.last_time = 0.0
        self.last_percent = -1

    def __call__(self, percent: int) -> None:
        percent = max(0, min(100, percent))
        now = time.monotonic()
        moved = percent > self.last_percent and (percent == 100 or now - self.last_time >= PROGRESS_INTERVAL)
        # Written now and then even without progress, as a sign that the work goes on.
        if moved or now - self.last_time >= HEARTBEAT_INTERVAL:
            self.last_time, self.last_percent = now, percent
            self.report(percent)


class _CountingFile(UploadedFile):
    """The uploaded bytes, telling how far they have been read, for the verification's progress."""

    def __init__(self, handle: BinaryIO, name: str, size: int, on_progress: Callable[[int], None]) -> None:
        super().__init__(handle, name=name, size=size)
        self._handle = handle
        self._read = 0
        self._on_progress = on_progress

    def read(self, *args: Any) -> bytes:
        data = self._handle.read(*args)
        self._read += len(data)
        if self.size:
            self._on_progress(self._read * 100 // self.size)
        return data

    def seek(self, *args: Any) -> int:
        self._read = 0
        return self._handle.seek(*args)


def _set_step(asset: Asset, name: str, **fields: Any) -> None:
    Step.objects.filter(asset=asset, name=name).update(heartbeat_at=timezone.now(), **fields)


def step_progress(asset: Asset, name: str) -> ProgressReporter:
    return ProgressReporter(lambda percent: _set_step(asset, name, progress=percent))


def reject(asset: Asset, problem: str, detail: str = "") -> None:
    """Refuse a file for good: its owner is told why, and nobody else ever reaches its bytes."""
    with transaction.atomic():
        Asset.objects.filter(pk=asset.pk).update(
            status=Asset.Status.REJECTED, problem=problem, problem_detail=detail[:2000], original=""
        )
        Step.objects.filter(asset=asset, status__in=[Step.Status.PENDING, Step.Status.RUNNING]).update(
            status=Step.Status.FAILED, problem=problem, finished_at=timezone.now()
        )
    if asset.original:
        asset.original.storage.delete(asset.original.name)
    Rendition.objects.filter(asset=asset).delete()
    shutil.rmtree(renditions_dir(asset), ignore_errors=True)


def renditions_dir(asset: Asset) -> Path:
    return Path(settings.MEDIA_ROOT) / "assets" / "renditions" / str(asset.pk)


def verify(asset: Asset) -> None:
    """Check the uploaded bytes from their content, hash them, then keep them in storage."""
    upload = Upload.objects.get(asset=asset)
    path = part_path(upload)
    _set_step(asset, Step.Name.VERIFY, status=Step.Status.RUNNING, started_at=timezone.now())
    try:
        with path.open("rb") as handle:
            counting = _CountingFile(
                handle, upload.filename, upload.length, step_progress(asset, Step.Name.VERIFY)
            )
            checked = validate_upload(
                counting, max_bytes=settings.UPLOAD_MAX_BYTES, allowed_kinds=UPLOAD_KINDS
            )
    except FileNotFoundError:
        reject(asset, "missing")
        return
    except ValidationError as error:
        path.unlink(missing_ok=True)
        reject(asset, error.code or "invalid", " ".join(error.messages))
        return
    claimed = claimed_kind(upload)
    if claimed is not None and claimed != checked.kind:
        # A "video" that holds text may be a playlist pointing FFmpeg at other files: never passed on.
        path.unlink(missing_ok=True)
        reject(asset, "mismatch", f"named as {claimed}, holds {checked.kind}")
        return
    duplicate = (
        Asset.objects.filter(owner_id=asset.owner_id, sha256=checked.sha256)
        .exclude(pk=asset.pk)
        .exclude(status=Asset.Status.REJECTED)
        .first()
    )
    if duplicate is not None:
        path.unlink(missing_ok=True)
        reject(asset, "duplicate", str(duplicate.pk))
        return
    name = f"assets/originals/{asset.pk}/{checked.name}"
    stored = _keep(path, name)
    steps = STEPS_BY_KIND[checked.kind]
    with transaction.atomic():
        Asset.objects.filter(pk=asset.pk).update(
            original=stored,
            name=display_name(upload.filename),
            size=checked.size,
            sha256=checked.sha256,
            kind=checked.kind,
            mime=checked.mime,
            status=Asset.Status.PROCESSING if steps else Asset.Status.READY,
        )
        _set_step(asset, Step.Name.VERIFY, status=Step.Status.DONE, progress=100, finished_at=timezone.now())
        Step.objects.bulk_create(
            Step(asset=asset, name=name, position=position) for position, name in enumerate(steps, start=1)
        )
        Upload.objects.filter(pk=upload.pk).delete()
    if steps:
        from backstage.media.tasks import run_step

        first = steps[0]
        transaction.on_commit(lambda: run_step.enqueue(asset_id=str(asset.pk), name=first))


def claimed_kind(upload: Upload) -> str | None:
    """The kind of media the file's name or declared type announces, if it announces one."""
    declared = str(upload.metadata.get("filetype", "")).split("/")[0]
    guessed = (mimetypes.guess_type(upload.filename)[0] or "").split("/")[0]
    for kind in (guessed, declared):
        if kind in MEDIA_KINDS:
            return kind
    return None


def _keep(path: Path, name: str) -> str:
    """Move the verified bytes into storage: a rename on local disk, a streamed copy otherwise."""
    storage = default_storage
    try:
        target = Path(storage.path(name))
    except NotImplementedError:
        with path.open("rb") as handle:
            saved = storage.save(name, File(handle))
        path.unlink(missing_ok=True)
        return saved
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(path, target)
    except OSError:  # another file system
        shutil.move(path, target)
    return name


@contextmanager
def local_original(asset: Asset) -> Iterator[Path]:
    """A path FFmpeg can read: the stored original itself on local disk, else a temporary copy."""
    try:
        stored: Path | None = Path(asset.original.path)
    except NotImplementedError:  # object storage
        stored = None
    if stored is not None:
        yield stored
        return
    with tempfile.TemporaryDirectory(prefix="backstage-") as folder:
        copy = Path(folder) / "original"
        with asset.original.open("rb") as source, copy.open("wb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
        yield copy
