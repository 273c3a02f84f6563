"""Starting a resumable upload: what the server supports, the size, the metadata, the limits and the quota."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.http import parse_http_date

from backstage.media.models import Asset, Upload
from backstage.media.tests.conftest import metadata, part_file, upload_at

pytestmark = pytest.mark.usefixtures("consistent_uploads", "handed_to_ingest")


def test_options_says_what_the_server_supports_without_asking_who_is_there(settings, tus_as):
    settings.UPLOAD_MAX_BYTES = 123_456
    for path in ("/uploads/", "/uploads/0b7a1f7e-53b0-4c4e-9f34-3f2b0f5ab0a1"):
        response = tus_as(None).options(path, **{"Tus-Resumable": None})
        assert response.status_code == 204
        assert response["Tus-Version"] == "1.0.0"
        assert response["Tus-Extension"] == "creation,termination,checksum,expiration"
        assert response["Tus-Max-Size"] == "123456"
        assert response["Tus-Checksum-Algorithm"] == "sha1,sha256,md5"


@pytest.mark.parametrize("version", [None, "", "0.2.2", "1.0", "1.0.1"])
@pytest.mark.parametrize("method", ["POST", "HEAD", "PATCH", "DELETE"])
def test_every_request_but_options_must_speak_tus_1_0_0(studio, tus_as, method, version):
    tus = tus_as(studio.member)
    path = tus.new(10)
    target = "/uploads/" if method == "POST" else path
    response = tus.request(
        method,
        target,
        b"0123456789" if method == "PATCH" else b"",
        **{"Tus-Resumable": version, "Upload-Length": "10", "Upload-Offset": "0"},
        **({"Content-Type": "application/offset+octet-stream"} if method == "PATCH" else {}),
    )
    assert response.status_code == 412
    assert response["Tus-Version"] == "1.0.0"
    assert Upload.objects.get().offset == 0 and Upload.objects.get().status == Upload.Status.RECEIVING


def test_creation_answers_with_the_address_and_expiry_and_keeps_an_empty_partial_file(studio, tus_as):
    before = timezone.now()
    response = tus_as(studio.member).create(
        1000, metadata(filename="rushes day 1.mov", filetype="video/quicktime")
    )
    assert response.status_code == 201
    assert response["Tus-Resumable"] == "1.0.0"
    upload = Upload.objects.get()
    assert response["Location"] == f"http://testserver/uploads/{upload.pk}"
    expires = parse_http_date(response["Upload-Expires"])
    assert abs(expires - (before + timedelta(hours=24)).timestamp()) < 5
    assert (upload.owner, upload.length, upload.offset) == (studio.member, 1000, 0)
    assert upload.metadata == {"filename": "rushes day 1.mov", "filetype": "video/quicktime"}
    assert upload.status == Upload.Status.RECEIVING
    # On disk the file is named after the upload, never after the person's name for it.
    assert [path.name for path in Path(settings.TUS_UPLOAD_DIR).iterdir()] == [f"{upload.pk}.part"]


def test_expiry_follows_the_setting(settings, studio, tus_as):
    settings.UPLOAD_EXPIRY_HOURS = 2
    path = tus_as(studio.member).new(10)
    assert abs(upload_at(path).expires_at - (timezone.now() + timedelta(hours=2))) < timedelta(seconds=5)


def test_an_empty_file_is_complete_at_once_and_goes_to_ingest(studio, tus_as, handed_to_ingest):
    response = tus_as(studio.member).create(0, metadata(filename="empty.txt"))
    assert response.status_code == 201 and "Upload-Expires" not in response
    upload = Upload.objects.get()
    assert (upload.status, upload.offset) == (Upload.Status.COMPLETE, 0)
    assert [(call["id"], call["status"], call["in_transaction"]) for call in handed_to_ingest] == [
        (upload.pk, Upload.Status.COMPLETE, True)
    ]


@pytest.mark.parametrize(
    "length", ["", "-1", "abc", "1.5", "1e3", "0x10", "+5", "1 000", "\u00b2", "10;", "٣"], ids=repr
)
def test_upload_length_must_be_digits(studio, tus_as, length):
    response = tus_as(studio.member).create(length)
    assert response.status_code == 400
    assert b"Upload-Length" in response.content
    assert not Upload.objects.exists()


def test_upload_length_is_required_and_deferred_lengths_are_not_supported(studio, tus_as):
    tus = tus_as(studio.member)
    missing = tus.request("POST", "/uploads/")
    assert missing.status_code == 400 and b"Upload-Length header is missing" in missing.content
    deferred = tus.request("POST", "/uploads/", **{"Upload-Defer-Length": "1"})
    assert deferred.status_code == 400 and b"unknown size" in deferred.content
    assert not Upload.objects.exists()


def test_leading_zeros_are_only_digits(studio, tus_as):
    assert tus_as(studio.member).create("0010").status_code == 201
    assert Upload.objects.get().length == 10


@pytest.mark.parametrize("length", ["1001", "9" * 40, "9" * 5000])
def test_a_file_over_the_size_limit_is_refused(settings, studio, tus_as, length):
    settings.UPLOAD_MAX_BYTES = 1000
    response = tus_as(studio.member).create(length)
    assert response.status_code == 413
    assert filesizeformat(1000).encode() in response.content
    assert not Upload.objects.exists()
    assert tus_as(studio.member).create(1000).status_code == 201


def test_the_quota_counts_files_kept_and_uploads_under_way(settings, studio, tus_as):
    settings.MEMBER_QUOTA_BYTES = 1000
    member = studio.member
    Asset.objects.create(owner=member, name="kept.mov", size=500, status=Asset.Status.READY)
    Asset.objects.create(owner=member, name="processing.mov", size=100, status=Asset.Status.PROCESSING)
    # Refused files take no room, nor do other people's files.
    Asset.objects.create(owner=member, name="refused.mov", size=10**9, status=Asset.Status.REJECTED)
    Asset.objects.create(owner=studio.crew, name="theirs.mov", size=10**9, status=Asset.Status.READY)
    tus = tus_as(member)
    tus.new(300)
    # An expired upload no longer holds its room.
    stale = tus.new(50)
    Upload.objects.filter(pk=upload_at(stale).pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    refused = tus.create(101)
    assert refused.status_code == 413
    text = refused.content.decode()
    assert filesizeformat(100) in text and filesizeformat(1000) in text
    assert Upload.objects.count() == 2
    assert tus.create(100).status_code == 201
    assert tus.create(1).status_code == 413
    # A cancelled upload gives its room back.
    assert tus.delete(stale).status_code == 204
    assert tus.create(1).status_code == 413
    first = Upload.objects.get(length=300)
    assert tus.delete(f"/uploads/{first.pk}").status_code == 204
    assert tus.create(300).status_code == 201


def test_files_for_a_production_count_in_its_storage_not_the_uploaders(settings, studio, tus_as):
    settings.MEMBER_QUOTA_BYTES = 100
    settings.PRODUCTION_QUOTA_BYTES = 1000
    for_the_film = metadata(production="varsovie-express")
    Asset.objects.create(owner=studio.director, production=studio.production, name="rush.mov", size=600)
    crew = tus_as(studio.crew)
    crew.new(300, for_the_film)
    refused = crew.create(101, for_the_film)
    assert refused.status_code == 413
    assert "Varsovie-Express" in refused.content.decode() and filesizeformat(100) in refused.content.decode()
    # The crew member's own space is untouched by the production's files, and the other way round.
    assert crew.create(100).status_code == 201
    assert crew.create(1).status_code == 413
    assert crew.create(100, for_the_film).status_code == 201
    assert Upload.objects.filter(production=studio.production).count() == 2


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, {}),
        ("", {}),
        (metadata(filename="a.wav"), {"filename": "a.wav"}),
        # Values may be left out, with or without the space.
        ("filename,filetype", {}),
        ("filename ", {}),
        (
            metadata(filename="a.wav") + ", " + metadata(filetype="audio/wav"),
            {"filename": "a.wav", "filetype": "audio/wav"},
        ),
        # Keys the server does not use are checked but not kept.
        (metadata(filename="a.wav", relativePath="rushes/a.wav"), {"filename": "a.wav"}),
        (metadata(filetype="text/html; charset=<script>"), {}),
        (metadata(filetype="VIDEO/MP4"), {"filetype": "video/mp4"}),
    ],
    ids=repr,
)
def test_metadata_is_read_as_the_protocol_says(studio, tus_as, header, expected):
    path = tus_as(studio.member).new(10, header)
    assert upload_at(path).metadata == expected


@pytest.mark.parametrize(
    "header",
    [
        "filename !!!!",  # not Base64
        "filename YS53YXY",  # padding missing
        "filename YS53 YXY=",  # space inside the value
        "filename YS53YXY=,filename Yi53YXY=",  # the same key twice
        "filename /w==",  # not UTF-8
        ",filename YS53YXY=",  # an empty pair
        "filename YS53YXY=,",  # a trailing comma
        "clé YS53YXY=",  # a key beyond ASCII
        "filename\tYS53YXY=",  # a tab is no separator
        "filename YS53YXY=\x00",
    ],
    ids=repr,
)
def test_invalid_metadata_is_refused(studio, tus_as, header):
    response = tus_as(studio.member).create(10, header)
    assert response.status_code == 400
    assert b"Upload-Metadata is not valid" in response.content
    assert not Upload.objects.exists()


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("/var/lib/backstage/uploads/x.part", "x.part"),
        ("scene\x0012.fountain", "scene12.fountain"),
        ("\x1b[31mred\u202egnp.exe", "_31mredgnp.exe"),
        ("..", ""),
        ("../", ""),
        (".hidden.mov", "hidden.mov"),
        ("   ", ""),
        ("Café Varsovie – prise 3.mov", "Café Varsovie – prise 3.mov"),
    ],
    ids=repr,
)
def test_file_names_are_cleaned_and_never_used_on_disk(studio, tus_as, name, kept):
    path = tus_as(studio.member).new(10, metadata(filename=name))
    upload = upload_at(path)
    assert upload.filename == kept
    assert [entry.name for entry in Path(settings.TUS_UPLOAD_DIR).iterdir()] == [f"{upload.pk}.part"]
    assert part_file(path).parent == Path(settings.TUS_UPLOAD_DIR)


def test_a_ten_thousand_character_name_is_accepted_and_shortened(studio, tus_as):
    tus = tus_as(studio.member)
    response = tus.create(10, metadata(filename="a" * 10_000 + ".mov"))
    assert response.status_code == 201
    upload = Upload.objects.get()
    assert 0 < len(upload.filename) <= 100 and set(upload.filename) == {"a"}
    head = tus.head(f"/uploads/{upload.pk}")
    assert len(head["Upload-Metadata"]) < 200


@pytest.mark.parametrize("role", ["producer", "director", "crew"])
def test_the_team_may_upload_for_their_production(studio, tus_as, role):
    tus = tus_as(studio.person(role))
    path = tus.new(10, metadata(filename="a.wav", production="varsovie-express"))
    assert upload_at(path).production == studio.production
    head = tus.head(path)
    assert "production dmFyc292aWUtZXhwcmVzcw==" in head["Upload-Metadata"].split(",")


def test_only_the_team_may_upload_for_a_production(studio, tus_as):
    outsider = tus_as(studio.member).create(10, metadata(production="varsovie-express"))
    assert outsider.status_code == 403
    assert "Varsovie-Express" in outsider.content.decode()
    unknown = tus_as(studio.crew).create(10, metadata(production="no-such-film"))
    assert unknown.status_code == 400 and b"no-such-film" in unknown.content
    assert not Upload.objects.exists()
    # Without a production, the file is the person's own.
    assert upload_at(tus_as(studio.member).new(10)).production is None


def test_get_and_other_methods_are_not_part_of_the_protocol(studio, tus_as):
    tus = tus_as(studio.member)
    path = tus.new(10)
    assert tus.request("GET", "/uploads/").status_code == 405
    assert tus.request("GET", path).status_code == 405
    assert tus.request("PUT", path).status_code == 405
    assert tus.request("POST", path).status_code == 405
    assert tus.request("PATCH", "/uploads/").status_code == 405
    assert tus.head("/uploads/not-an-id").status_code == 404
