"""Resumable uploads: starting one, receiving its bytes piece by piece, cancelling it, expiring it.

The bytes of an upload in progress go to a file on local disk named after the upload's id, never
after the person's file name. One writer at a time: a request that sends data holds an exclusive
lock on that file while it streams, without any database transaction open, and the offset
recorded in the database only moves, in a short transaction, once the bytes are on disk. When
the last byte arrives the upload is handed to ingest in that same transaction.

Refusals are UploadRefused errors carrying the HTTP status the tus protocol gives them.
"""

import contextlib
import fcntl
import hashlib
import os
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backstage.accounts.models import User
from backstage.core.errors import ServiceError
from backstage.core.uploads import display_name
from backstage.media import ingest
from backstage.media.direct_body import DirectBody
from backstage.media.models import Asset, Upload
from backstage.productions.models import Production
from backstage.productions.permissions import role_in

# Large reads and writes keep the cost per byte low; memory stays at about one chunk per request.
CHUNK_SIZE = 1024 * 1024
CHECKSUM_ALGORITHMS = ("sha1", "sha256", "md5")
# A partial file without an upload is only removed once this old: its upload may be being created.
ORPHAN_GRACE = timedelta(hours=1)
MAX_FILETYPE_LENGTH = 100
_FILETYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*", re.ASCII)


class UploadRefused(ServiceError):
    """A refused upload request, with its HTTP status and, when it helps the client resume, the offset."""

    def __init__(self, code: str, message: str, *, status: int, offset: int | None = None) -> None:
        super().__init__(code, message)
        self.status = status
        self.offset = offset


class Body(Protocol):
    """Where the bytes of a request come from: the request's own stream, read a chunk at a time."""

    def read(self, size: int, /) -> bytes: ...


@dataclass(frozen=True)
class Checksum:
    """What the client says the data of one request hashes to."""

    algorithm: str
    digest: bytes


@dataclass(frozen=True)
class Expired:
    uploads: int
    files: int


# Refusals


def not_found() -> UploadRefused:
    # Also for someone else's upload: whether it exists is not theirs to know.
    return UploadRefused("not_found", _("There is no such upload."), status=404)


def gone() -> UploadRefused:
    return UploadRefused(
        "gone", _("This upload was cancelled or has expired. Please start it again."), status=410
    )


def too_large() -> UploadRefused:
    return UploadRefused(
        "too_large",
        _("This file is larger than the largest upload accepted (%(max)s).")
        % {"max": filesizeformat(settings.UPLOAD_MAX_BYTES)},
        status=413,
    )


def _offset_mismatch(*, expected: int, sent: int) -> UploadRefused:
    return UploadRefused(
        "offset_mismatch",
        _(
            "This upload has %(expected)d bytes so far, but the data sent starts at byte %(sent)d. "
            "Ask for its offset and resume from there."
        )
        % {"expected": expected, "sent": sent},
        status=409,
        offset=expected,
    )


def _beyond_length(upload: Upload) -> UploadRefused:
    return UploadRefused(
        "beyond_length",
        _("This data would go past the %(length)d bytes announced for the upload, so none of it was kept.")
        % {"length": upload.length},
        status=413,
        offset=upload.offset,
    )


# Reading


def part_path(upload: Upload) -> Path:
    """The file holding the bytes received so far."""
    return ingest.part_path(upload)


def new_expiry() -> datetime:
    return timezone.now() + timedelta(hours=settings.UPLOAD_EXPIRY_HOURS)


def _stored_and_under_way(assets: QuerySet[Asset], uploads: QuerySet[Upload]) -> int:
    stored = assets.exclude(status=Asset.Status.REJECTED).aggregate(total=Coalesce(Sum("size"), 0))["total"]
    under_way = uploads.filter(status=Upload.Status.RECEIVING, expires_at__gt=timezone.now()).aggregate(
        total=Coalesce(Sum("length"), 0)
    )["total"]
    return int(stored) + int(under_way)


def quota_left(owner: User) -> int:
    """Bytes the person may still upload for themselves: their quota less their own files and uploads."""
    used = _stored_and_under_way(
        Asset.objects.filter(owner=owner, production=None),
        Upload.objects.filter(owner=owner, production=None),
    )
    return max(0, settings.MEMBER_QUOTA_BYTES - used)


def production_quota_left(production: Production) -> int:
    """Bytes a production's team may still upload for it: what its files and uploads leave of its quota."""
    used = _stored_and_under_way(
        Asset.objects.filter(production=production), Upload.objects.filter(production=production)
    )
    return max(0, settings.PRODUCTION_QUOTA_BYTES - used)


def upload_of(*, owner: User, upload_id: uuid.UUID) -> Upload:
    """The person's own upload, still usable; refused as missing for anyone else, as gone once over."""
    upload = Upload.objects.filter(pk=upload_id, owner=owner).select_related("production").first()
    if upload is None:
        raise not_found()
    if upload.status == Upload.Status.TERMINATED or (
        upload.status == Upload.Status.RECEIVING and upload.expires_at <= timezone.now()
    ):
        raise gone()
    return upload


def client_filename(name: str) -> str:
    """The person's name for the file, only ever shown: its last path component, cleaned and shortened."""
    with translation.override(None):
        nameless = display_name("")
        cleaned = display_name(name)
    return "" if cleaned == nameless else cleaned.lstrip(". ")


def client_filetype(filetype: str) -> str:
    """The type the client claims, kept for information only when it looks like one; never trusted."""
    filetype = filetype.strip().lower()
    if len(filetype) <= MAX_FILETYPE_LENGTH and _FILETYPE.fullmatch(filetype):
        return filetype
    return ""


# Writing


def create_upload(*, owner: User, length: int, metadata: Mapping[str, str]) -> Upload:
    """Start an upload of `length` bytes, within the size limit and the person's quota.

    The metadata may name the production the file is for (``production``, its slug), if the
    person is in its team. The partial file is created empty at once. An empty file is complete
    from the start and goes straight to ingest.
    """
    if length < 0:
        raise ValueError("an upload's length cannot be negative")
    if length > settings.UPLOAD_MAX_BYTES:
        raise too_large()
    production = _production_for(owner, metadata.get("production", ""))
    kept = {"filename": client_filename(metadata.get("filename", ""))}
    kept["filetype"] = client_filetype(metadata.get("filetype", ""))
    upload = Upload(
        id=uuid.uuid4(),
        owner=owner,
        production=production,
        length=length,
        metadata={key: value for key, value in kept.items() if value},
        expires_at=new_expiry(),
    )
    path = part_path(upload)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with transaction.atomic():
            _check_quota(owner, production, length)
            if length == 0:
                upload.status = Upload.Status.COMPLETE
            upload.save(force_insert=True)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
            if length == 0:
                ingest.upload_finished(upload)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return upload


def _check_quota(owner: User, production: Production | None, length: int) -> None:
    """A file for a production counts in the production's storage; any other, in its uploader's."""
    # One creation at a time per space, so two cannot both fit in the same remaining quota.
    if production is None:
        list(User.objects.select_for_update().filter(pk=owner.pk).values_list("pk", flat=True))
        left, quota = quota_left(owner), settings.MEMBER_QUOTA_BYTES
        message = _("This file does not fit in your storage space: %(left)s left of %(quota)s.")
    else:
        list(Production.objects.select_for_update().filter(pk=production.pk).values_list("pk", flat=True))
        left, quota = production_quota_left(production), settings.PRODUCTION_QUOTA_BYTES
        message = _(
            "This file does not fit in the storage space of %(production)s: %(left)s left of %(quota)s."
        )
    if length > left:
        values = {"left": filesizeformat(left), "quota": filesizeformat(quota)}
        if production is not None:
            values["production"] = production.title
        raise UploadRefused("over_quota", message % values, status=413)


def _production_for(owner: User, slug: str) -> Production | None:
    """The production a file is uploaded for (by its slug), which only its team may do."""
    if not slug:
        return None
    production = Production.objects.filter(slug=slug).first()
    if production is None:
        raise UploadRefused(
            "unknown_production", _("There is no production “%(slug)s”.") % {"slug": slug[:60]}, status=400
        )
    if role_in(owner, production) is None:
        raise UploadRefused(
            "not_in_team",
            _("Only the team of %(production)s may upload files for it.") % {"production": production.title},
            status=403,
        )
    return production


def append(
    *,
    owner: User,
    upload_id: uuid.UUID,
    offset: int,
    body: Body,
    content_length: int | None,
    checksum: Checksum | None = None,
) -> Upload:
    """Add the bytes of one request at `offset`, which must be the upload's current offset.

    `content_length` is None when the request's size is not known in advance (chunked). Data that
    would go past the upload's length is refused whole. If the client stops sending midway, what
    arrived is kept, unless a checksum was given: it covers the whole request, so then nothing is.
    """
    upload = upload_of(owner=owner, upload_id=upload_id)
    if offset != upload.offset:
        raise _offset_mismatch(expected=upload.offset, sent=offset)
    if content_length is not None and content_length > upload.length - offset:
        raise _beyond_length(upload)
    if upload.status == Upload.Status.COMPLETE:
        # Nothing more to receive; a client checking that it is done sends an empty request.
        if content_length is None and body.read(1):
            raise _beyond_length(upload)
        return upload
    try:
        descriptor = os.open(part_path(upload), os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        raise gone() from None
    try:
        with _exclusive(descriptor):
            # Another request may have moved the upload on while this one was on its way.
            upload = upload_of(owner=owner, upload_id=upload_id)
            if offset != upload.offset or upload.status != Upload.Status.RECEIVING:
                raise _offset_mismatch(expected=upload.offset, sent=offset)
            _match_file_to_offset(descriptor, upload)
            try:
                received = _receive(descriptor, body, upload=upload, checksum=checksum)
                return _record(upload, received)
            except BaseException:
                # Nothing the database does not count stays in the file.
                with contextlib.suppress(OSError):
                    os.ftruncate(descriptor, offset)
                raise
    finally:
        os.close(descriptor)


def terminate(*, owner: User, upload_id: uuid.UUID) -> None:
    """Cancel an unfinished upload and delete what it received."""
    upload = Upload.objects.filter(pk=upload_id, owner=owner).first()
    if upload is None:
        raise not_found()
    with transaction.atomic():
        # Whatever is being written meanwhile is dropped: its request finds the upload cancelled.
        cancelled = Upload.objects.filter(pk=upload.pk, status=Upload.Status.RECEIVING).update(
            status=Upload.Status.TERMINATED
        )
    if not cancelled:
        upload.refresh_from_db(fields=["status"])
        if upload.status == Upload.Status.COMPLETE:
            raise UploadRefused(
                "complete",
                _("This upload is complete and cannot be cancelled; delete the file from its page instead."),
                status=403,
            )
        raise gone()
    part_path(upload).unlink(missing_ok=True)


def expire_uploads(*, now: datetime | None = None) -> Expired:
    """Delete unfinished uploads past their expiry and cancelled ones, with their partial files.

    An upload receiving data at this very moment is left alone: its request renews its expiry.
    Partial files that belong to no upload (left by a crash or a deleted account) go too.
    """
    now = now or timezone.now()
    uploads = files = 0
    expired = Upload.objects.filter(status=Upload.Status.RECEIVING, expires_at__lte=now)
    for upload in list(expired):
        path = part_path(upload)
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            descriptor = None
        try:
            with _exclusive(descriptor) if descriptor is not None else contextlib.nullcontext():
                deleted, _by_model = expired.filter(pk=upload.pk).delete()
                if deleted and descriptor is not None:
                    path.unlink(missing_ok=True)
                    files += 1
                uploads += deleted
        except UploadRefused:  # locked: being written right now
            continue
        finally:
            if descriptor is not None:
                os.close(descriptor)
    for upload in list(Upload.objects.filter(status=Upload.Status.TERMINATED)):
        path = part_path(upload)
        if path.exists():
            path.unlink(missing_ok=True)
            files += 1
        uploads += upload.delete()[0]
    return Expired(uploads=uploads, files=files + _remove_orphans(now))


def _remove_orphans(now: datetime) -> int:
    folder = Path(settings.TUS_UPLOAD_DIR)
    if not folder.is_dir():
        return 0
    parts: dict[uuid.UUID, Path] = {}
    for path in folder.glob("*.part"):
        with contextlib.suppress(ValueError):
            parts[uuid.UUID(path.stem)] = path
    alive = set(
        Upload.objects.filter(
            pk__in=list(parts), status__in=[Upload.Status.RECEIVING, Upload.Status.COMPLETE]
        ).values_list("pk", flat=True)
    )
    removed = 0
    for upload_id, path in parts.items():
        if upload_id in alive:
            continue
        with contextlib.suppress(FileNotFoundError):
            modified = datetime.fromtimestamp(path.stat().st_mtime, tz=now.tzinfo)
            if now - modified > ORPHAN_GRACE:
                path.unlink()
                removed += 1
    return removed


# Streaming


@contextlib.contextmanager
def _exclusive(descriptor: int) -> Iterator[None]:
    """Hold the partial file's lock, or refuse at once: two writers never wait on each other."""
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise UploadRefused(
            "locked",
            _("Another request is sending data to this upload right now. Try again once it is done."),
            status=423,
        ) from None
    try:
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)


def _match_file_to_offset(descriptor: int, upload: Upload) -> None:
    """Make the partial file hold exactly the bytes the database counts."""
    size = os.fstat(descriptor).st_size
    if size > upload.offset:
        # Bytes written by a request that never recorded them (the server stopped midway).
        os.ftruncate(descriptor, upload.offset)
    elif size < upload.offset:
        # Counted bytes are missing from the disk: the client must send them again from what is there.
        Upload.objects.filter(pk=upload.pk, offset=upload.offset).update(offset=size)
        raise _offset_mismatch(expected=size, sent=upload.offset)


def _receive(descriptor: int, body: Body, *, upload: Upload, checksum: Checksum | None) -> int:
    """Write the request's bytes after the upload's offset, flushed to disk; how many there were."""
    if checksum is None and isinstance(body, DirectBody):
        os.lseek(descriptor, upload.offset, os.SEEK_SET)
        try:
            received = body.copy_to(descriptor)
            if received:
                os.fsync(descriptor)
        except OSError as error:
            raise _storage_failed(upload) from error
        return received
    room = upload.length - upload.offset
    digest = hashlib.new(checksum.algorithm, usedforsecurity=False) if checksum else None
    received = 0
    os.lseek(descriptor, upload.offset, os.SEEK_SET)
    while True:
        try:
            # One byte more than there is room for, to notice a body longer than announced.
            chunk = body.read(min(CHUNK_SIZE, room - received + 1))
        except OSError:
            break  # the client went away: what arrived so far is kept
        if not chunk:
            break
        if received + len(chunk) > room:
            raise _beyond_length(upload)
        _write(descriptor, chunk)
        if digest is not None:
            digest.update(chunk)
        received += len(chunk)
    if checksum is not None and digest is not None and digest.digest() != checksum.digest:
        raise UploadRefused(
            "checksum_mismatch",
            _("The data received does not match its checksum, so none of it was kept. Please send it again."),
            status=460,
            offset=upload.offset,
        )
    if received:
        try:
            os.fsync(descriptor)
        except OSError as error:
            raise _storage_failed(upload) from error
    return received


def _write(descriptor: int, chunk: bytes) -> None:
    view = memoryview(chunk)
    while view:
        try:
            written = os.write(descriptor, view)
        except OSError as error:
            raise _storage_failed(None) from error
        view = view[written:]


def _storage_failed(upload: Upload | None) -> UploadRefused:
    return UploadRefused(
        "storage_failed",
        _("The server could not store the data, so none of it was kept. Please try again later."),
        status=507,
        offset=upload.offset if upload is not None else None,
    )


def _record(upload: Upload, received: int) -> Upload:
    """Count the bytes now on disk; the last ones complete the upload and hand it to ingest."""
    offset = upload.offset + received
    complete = offset == upload.length
    status = Upload.Status.COMPLETE if complete else Upload.Status.RECEIVING
    expires_at = new_expiry()
    with transaction.atomic():
        counted = Upload.objects.filter(
            pk=upload.pk, status=Upload.Status.RECEIVING, offset=upload.offset
        ).update(offset=offset, status=status, expires_at=expires_at)
        if not counted:
            raise gone()  # cancelled or expired while the data arrived
        upload.offset, upload.status, upload.expires_at = offset, status, expires_at
        if complete:
            ingest.upload_finished(upload)
    return upload
