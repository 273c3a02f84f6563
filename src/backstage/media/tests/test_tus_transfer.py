"""Sending the bytes: offsets, content type, declared length, checksums, completion, cancelling, expiry."""

import base64
import fcntl
import hashlib
import io
import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django.utils.http import parse_http_date

from backstage.media import uploads
from backstage.media.models import Upload
from backstage.media.tests.conftest import metadata, part_file, upload_at

pytestmark = pytest.mark.usefixtures("consistent_uploads", "handed_to_ingest")


def checksum(algorithm: str, data: bytes) -> str:
    return f"{algorithm} {base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


@pytest.fixture
def tus(studio, tus_as):
    return tus_as(studio.member)


def test_bytes_arrive_in_order_and_head_tells_where_to_resume(tus):
    path = tus.new(11, metadata(filename="scene.txt", filetype="text/plain"))
    first = tus.patch(path, b"hello", 0)
    assert first.status_code == 204
    assert first["Upload-Offset"] == "5" and first["Tus-Resumable"] == "1.0.0"
    assert "Upload-Expires" in first
    head = tus.head(path)
    assert head.status_code == 200
    assert (head["Upload-Offset"], head["Upload-Length"]) == ("5", "11")
    assert head["Cache-Control"] == "no-store"
    assert uploads_metadata(head["Upload-Metadata"]) == {"filename": "scene.txt", "filetype": "text/plain"}
    assert tus.patch(path, b" world", 5)["Upload-Offset"] == "11"
    assert part_file(path).read_bytes() == b"hello world"


def uploads_metadata(header: str) -> dict[str, str]:
    pairs = (pair.split(" ") for pair in header.split(","))
    return {key: base64.b64decode(value).decode() for key, value in pairs}


def test_the_last_bytes_complete_the_upload_and_hand_it_to_ingest_once(tus, handed_to_ingest):
    path = tus.new(6)
    tus.patch(path, b"abc", 0)
    assert handed_to_ingest == []
    last = tus.patch(path, b"def", 3)
    assert last.status_code == 204 and last["Upload-Offset"] == "6"
    assert "Upload-Expires" not in last
    upload = upload_at(path)
    assert upload.status == Upload.Status.COMPLETE
    assert handed_to_ingest == [
        {"id": upload.pk, "status": "complete", "offset": 6, "length": 6, "in_transaction": True}
    ]
    # A finished upload still answers: its offset is its length, and there is no room for more.
    head = tus.head(path)
    assert (head.status_code, head["Upload-Offset"]) == (200, "6")
    assert tus.patch(path, b"", 6).status_code == 204
    assert tus.patch(path, b"g", 6).status_code == 413
    assert tus.patch(path, b"", 3).status_code == 409
    assert len(handed_to_ingest) == 1


def test_an_empty_request_changes_nothing_but_renews_the_expiry(tus):
    path = tus.new(10)
    Upload.objects.update(expires_at=timezone.now() + timedelta(minutes=5))
    response = tus.patch(path, b"", 0)
    assert response.status_code == 204 and response["Upload-Offset"] == "0"
    assert parse_http_date(response["Upload-Expires"]) > (timezone.now() + timedelta(hours=23)).timestamp()


@pytest.mark.parametrize(
    "content_type", [None, "", "application/octet-stream", "text/plain", "multipart/form-data; boundary=x"]
)
def test_data_must_be_sent_as_offset_octet_stream(tus, content_type):
    path = tus.new(10)
    response = tus.patch(path, b"0123456789", 0, **{"Content-Type": content_type})
    assert response.status_code == 415
    assert upload_at(path).offset == 0


def test_the_content_type_may_carry_parameters_and_capitals(tus):
    path = tus.new(3)
    response = tus.patch(path, b"abc", 0, **{"Content-Type": "Application/Offset+Octet-Stream; charset=x"})
    assert response.status_code == 204


@pytest.mark.parametrize("offset", [None, "", "-1", "abc", "1.0", "٣"])
def test_upload_offset_must_be_digits(tus, offset):
    path = tus.new(10)
    response = tus.patch(path, b"abc", 0, **{"Upload-Offset": offset})
    assert response.status_code == 400
    assert upload_at(path).offset == 0


@pytest.mark.parametrize("sent", [0, 3, 7, 10])
def test_data_must_start_where_the_upload_stands(tus, sent):
    path = tus.new(10)
    tus.patch(path, b"abcde", 0)
    response = tus.patch(path, b"xyz", sent)
    assert response.status_code == 409
    assert response["Upload-Offset"] == "5"
    assert part_file(path).read_bytes() == b"abcde"


def test_data_beyond_the_declared_length_is_refused_whole(tus, handed_to_ingest):
    path = tus.new(10)
    tus.patch(path, b"abcde", 0)
    response = tus.patch(path, b"fghijk", 5)
    assert response.status_code == 413
    assert b"none of it was kept" in response.content
    assert upload_at(path).offset == 5 and part_file(path).read_bytes() == b"abcde"
    assert handed_to_ingest == []


def test_data_of_unknown_length_beyond_the_declared_length_is_refused_whole(studio, tus):
    """A chunked request (no Content-Length) is only known to be too long once read: nothing stays."""
    path = tus.new(10)
    upload_id = upload_at(path).pk
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.append(
            owner=studio.member,
            upload_id=upload_id,
            offset=0,
            body=io.BytesIO(b"x" * 11),
            content_length=None,
        )
    assert refused.value.status == 413
    assert upload_at(path).offset == 0 and part_file(path).read_bytes() == b""
    big = uploads.CHUNK_SIZE * 3 + 17
    path = tus.new(big)
    upload = uploads.append(
        owner=studio.member,
        upload_id=upload_at(path).pk,
        offset=0,
        body=io.BytesIO(b"y" * big),
        content_length=None,
    )
    assert upload.status == Upload.Status.COMPLETE and part_file(path).stat().st_size == big


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "md5"])
def test_a_checksum_is_verified(tus, algorithm):
    path = tus.new(8)
    ok = tus.patch(path, b"abcd", 0, **{"Upload-Checksum": checksum(algorithm, b"abcd")})
    assert ok.status_code == 204 and ok["Upload-Offset"] == "4"
    wrong = tus.patch(path, b"efgh", 4, **{"Upload-Checksum": checksum(algorithm, b"efgX")})
    assert wrong.status_code == 460
    assert wrong.reason_phrase == "Checksum Mismatch"
    assert upload_at(path).offset == 4 and part_file(path).read_bytes() == b"abcd"


@pytest.mark.parametrize(
    "header",
    [
        "crc32 AAAAAA==",
        "sha512 " + base64.b64encode(hashlib.sha512(b"abcd").digest()).decode(),
        "sha1",
        "sha1 not-base64!",
        "sha1 " + base64.b64encode(b"short").decode(),
        "",
    ],
)
def test_an_unsupported_or_malformed_checksum_is_refused_before_reading(tus, header):
    path = tus.new(8)
    response = tus.patch(path, b"abcd", 0, **{"Upload-Checksum": header})
    assert response.status_code == 400
    assert upload_at(path).offset == 0


def test_bytes_left_by_an_interrupted_server_are_dropped_before_appending(tus):
    path = tus.new(10)
    tus.patch(path, b"abc", 0)
    with part_file(path).open("ab") as part:
        part.write(b"garbage written but never counted")
    response = tus.patch(path, b"defg", 3)
    assert response.status_code == 204
    assert part_file(path).read_bytes() == b"abcdefg"


def test_bytes_missing_from_the_disk_are_asked_for_again(tus):
    path = tus.new(10)
    tus.patch(path, b"abcdef", 0)
    os.truncate(part_file(path), 2)
    response = tus.patch(path, b"ghij", 6)
    assert response.status_code == 409 and response["Upload-Offset"] == "2"
    assert tus.head(path)["Upload-Offset"] == "2"
    assert tus.patch(path, b"cdefghij", 2).status_code == 204
    assert part_file(path).read_bytes() == b"abcdefghij"


def test_a_patch_while_the_file_is_locked_is_refused_without_writing(tus):
    path = tus.new(10)
    with part_file(path).open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        response = tus.patch(path, b"abc", 0)
    assert response.status_code == 423
    assert upload_at(path).offset == 0 and part_file(path).read_bytes() == b""
    assert tus.patch(path, b"abc", 0).status_code == 204


def test_method_override_lets_a_post_carry_patch_head_and_delete(tus):
    path = tus.new(6)
    patched = tus.request(
        "POST",
        path,
        b"abc",
        **{
            "X-HTTP-Method-Override": "PATCH",
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert patched.status_code == 204 and patched["Upload-Offset"] == "3"
    head = tus.request("POST", path, **{"X-HTTP-Method-Override": "HEAD"})
    assert head.status_code == 200 and head["Upload-Offset"] == "3"
    deleted = tus.request("POST", path, **{"X-HTTP-Method-Override": "delete"})
    assert deleted.status_code == 204
    assert upload_at(path).status == Upload.Status.TERMINATED
    # Only a POST may be overridden, and only into the protocol's methods.
    assert tus.request("GET", path, **{"X-HTTP-Method-Override": "DELETE"}).status_code == 405


def test_termination_deletes_the_bytes_and_the_upload_is_then_gone(tus, handed_to_ingest):
    path = tus.new(10)
    tus.patch(path, b"abc", 0)
    response = tus.delete(path)
    assert response.status_code == 204
    assert not part_file(path).exists()
    assert upload_at(path).status == Upload.Status.TERMINATED
    assert tus.head(path).status_code == 410
    assert tus.patch(path, b"def", 3).status_code == 410
    assert tus.delete(path).status_code == 410
    assert not part_file(path).exists() and handed_to_ingest == []


def test_a_complete_upload_cannot_be_terminated(tus, handed_to_ingest):
    path = tus.new(3)
    tus.patch(path, b"abc", 0)
    response = tus.delete(path)
    assert response.status_code == 403
    assert upload_at(path).status == Upload.Status.COMPLETE and part_file(path).exists()


def test_an_expired_upload_is_gone_and_the_command_deletes_it(tus):
    path = tus.new(10)
    tus.patch(path, b"abc", 0)
    kept = tus.new(10)
    Upload.objects.filter(pk=upload_at(path).pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tus.head(path).status_code == 410
    assert tus.patch(path, b"def", 3).status_code == 410
    assert part_file(path).read_bytes() == b"abc"

    output = io.StringIO()
    call_command("expire_uploads", stdout=output)
    assert "1 expired or cancelled upload(s) deleted, 1 partial file(s) removed" in output.getvalue()
    assert not Upload.objects.filter(pk=path.rsplit("/", 1)[-1]).exists()
    assert sorted(entry.name for entry in Path(settings.TUS_UPLOAD_DIR).iterdir()) == [
        f"{upload_at(kept).pk}.part"
    ]
    assert tus.head(path).status_code == 404


def test_each_patch_pushes_the_expiry_back(tus):
    path = tus.new(10)
    Upload.objects.update(expires_at=timezone.now() + timedelta(minutes=1))
    tus.patch(path, b"abc", 0)
    assert upload_at(path).expires_at > timezone.now() + timedelta(hours=23)
    call_command("expire_uploads", stdout=io.StringIO())
    assert upload_at(path).offset == 3


def test_the_command_leaves_an_upload_being_written_and_removes_cancelled_ones_and_orphans(tus):
    busy = tus.new(10)
    tus.patch(busy, b"abc", 0)
    cancelled = tus.new(10)
    Upload.objects.filter(pk=upload_at(cancelled).pk).update(status=Upload.Status.TERMINATED)
    Upload.objects.filter(pk=upload_at(busy).pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    folder = Path(settings.TUS_UPLOAD_DIR)
    old_orphan = folder / f"{uuid.uuid4()}.part"
    old_orphan.write_bytes(b"left by a crash")
    os.utime(old_orphan, (0, 0))
    new_orphan = folder / f"{uuid.uuid4()}.part"  # an upload being created right now
    new_orphan.write_bytes(b"")
    stranger = folder / "notes.txt"
    stranger.write_text("not ours")
    os.utime(stranger, (0, 0))

    with part_file(busy).open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        first = uploads.expire_uploads()
    assert upload_at(busy).offset == 3 and part_file(busy).exists()
    assert not old_orphan.exists() and new_orphan.exists() and stranger.exists()
    assert not Upload.objects.filter(status=Upload.Status.TERMINATED).exists()
    assert (first.uploads, first.files) == (1, 2)

    second = uploads.expire_uploads()
    assert (second.uploads, second.files) == (1, 1)
    assert not Upload.objects.exists()
    new_orphan.unlink()
    stranger.unlink()


def test_a_patch_that_finds_its_upload_cancelled_meanwhile_keeps_nothing(studio, tus, handed_to_ingest):
    """Cancelling does not wait for a request that is sending data: that request then finds it gone."""
    path = tus.new(10)
    upload_id = upload_at(path).pk

    class CancelledWhileReading(io.BytesIO):
        def read(self, size: int = -1, /) -> bytes:
            data = super().read(size)
            if data:
                uploads.terminate(owner=studio.member, upload_id=upload_id)
            return data

    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.append(
            owner=studio.member,
            upload_id=upload_id,
            offset=0,
            body=CancelledWhileReading(b"abcdefghij"),
            content_length=10,
        )
    assert refused.value.status == 410
    assert upload_at(path).status == Upload.Status.TERMINATED and not part_file(path).exists()
    assert handed_to_ingest == []


def test_a_failure_while_completing_leaves_the_bytes_uncounted_and_removed(studio, tus, monkeypatch):
    path = tus.new(6)
    tus.patch(path, b"abc", 0)

    def broken(upload):
        raise RuntimeError("ingest is down")

    monkeypatch.setattr(uploads.ingest, "upload_finished", broken)
    with pytest.raises(RuntimeError):
        tus.patch(path, b"def", 3)
    upload = upload_at(path)
    assert (upload.status, upload.offset) == (Upload.Status.RECEIVING, 3)
    assert part_file(path).read_bytes() == b"abc"
