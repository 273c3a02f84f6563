"""The asset pages and downloads: who sees what, byte ranges, nginx hand-over, progress while processing."""

import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from backstage.media import ingest
from backstage.media.downloads import ByteRange, Unsatisfiable, parse_range
from backstage.media.models import Asset, Rendition, Step
from conftest import client_for, make_user

ORIGINAL = b"0123456789" * 10
# Who may open a file a member uploaded for the production: the uploader and the production's team.
READERS = {"member": 200, "producer": 200, "director": 200, "crew": 200, "moderator": 200, "staff": 404}


def ready_video(owner, production=None) -> Asset:
    asset = Asset.objects.create(
        id=uuid.uuid4(), owner=owner, production=production, name="rush 12.mov", kind="video",
        mime="video/quicktime", size=len(ORIGINAL), sha256="a" * 64, status=Asset.Status.READY,
        probe={"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": 2.0, "streams": [
            {"type": "video", "codec": "h264", "width": 320, "height": 240, "frame_rate": 25.0},
            {"type": "audio", "codec": "aac", "sample_rate": 48000, "channels": 2},
        ]},
    )  # fmt: skip
    asset.original.save("rush.mov", ContentFile(ORIGINAL), save=True)
    folder = ingest.renditions_dir(asset)
    (folder / "hls").mkdir(parents=True)
    (folder / "hls" / "master.m3u8").write_text("#EXTM3U\n")
    (folder / "proxy").mkdir()
    (folder / "proxy" / "proxy.mp4").write_bytes(b"\x00" * 64)
    Rendition.objects.create(
        asset=asset, kind="hls", path="hls/master.m3u8", mime="application/vnd.apple.mpegurl"
    )
    Rendition.objects.create(
        asset=asset, kind="proxy", path="proxy/proxy.mp4", mime="video/mp4", size=64, height=240
    )
    Step.objects.create(asset=asset, name="verify", status="done", progress=100)
    return asset


@pytest.mark.parametrize("role", [*READERS, "anonymous"])
def test_who_opens_an_asset(studio, role):
    asset = ready_video(studio.member, production=studio.production)
    expected = READERS.get(role, 404)
    client = client_for(studio.person(role))
    page = client.get(f"/assets/{asset.pk}/")
    assert page.status_code == expected
    assert client.get(f"/assets/{asset.pk}/original/").status_code == expected
    assert client.get(f"/assets/{asset.pk}/r/hls/master.m3u8").status_code == expected
    if expected == 200:
        html = page.content.decode()
        assert "rush 12.mov" in html and "320×240" in html and "data-hls=" in html


def test_a_personal_file_is_its_owners_alone(studio):
    asset = ready_video(studio.member)
    assert client_for(studio.member).get(f"/assets/{asset.pk}/").status_code == 200
    assert client_for(studio.producer).get(f"/assets/{asset.pk}/").status_code == 404


def test_the_original_downloads_whole_or_in_ranges(studio):
    asset = ready_video(studio.member)
    client = client_for(studio.member)
    whole = client.get(f"/assets/{asset.pk}/original/")
    assert b"".join(whole.streaming_content) == ORIGINAL
    assert whole["Accept-Ranges"] == "bytes" and whole["X-Content-Type-Options"] == "nosniff"
    assert (
        whole["Content-Disposition"].startswith("attachment;")
        and "rush%2012.mov" in whole["Content-Disposition"]
    )
    part = client.get(f"/assets/{asset.pk}/original/", HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206 and b"".join(part.streaming_content) == ORIGINAL[10:20]
    assert part["Content-Range"] == f"bytes 10-19/{len(ORIGINAL)}" and part["Content-Length"] == "10"
    tail = client.get(f"/assets/{asset.pk}/original/", HTTP_RANGE="bytes=-5")
    assert b"".join(tail.streaming_content) == ORIGINAL[-5:]
    beyond = client.get(f"/assets/{asset.pk}/original/", HTTP_RANGE="bytes=500-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(ORIGINAL)}"


def test_behind_nginx_the_file_is_handed_over(studio, settings):
    settings.ACCEL_REDIRECT_PREFIX = "/protected/"
    asset = ready_video(studio.member)
    response = client_for(studio.member).get(f"/assets/{asset.pk}/r/proxy/proxy.mp4")
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected/assets/renditions/{asset.pk}/proxy/proxy.mp4"
    assert response["Content-Type"] == "video/mp4"
    assert client_for(studio.crew).get(f"/assets/{asset.pk}/r/proxy/proxy.mp4").status_code == 404


@pytest.mark.parametrize(
    "path", ["../../../etc/passwd", "hls/../../x.m3u8", "proxy/missing.mp4", "proxy/", "hls/notes.txt"]
)
def test_only_the_assets_own_renditions_are_served(studio, path):
    asset = ready_video(studio.member)
    secret = Path(settings.MEDIA_ROOT) / "assets" / "renditions" / "x.m3u8"
    secret.write_text("#EXTM3U secret")
    (ingest.renditions_dir(asset) / "hls" / "notes.txt").write_text("notes")
    assert client_for(studio.member).get(f"/assets/{asset.pk}/r/{path}").status_code == 404


def test_stored_files_are_never_served_straight_from_storage(studio):
    asset = ready_video(studio.member)
    client = client_for(studio.member)
    assert client.get(f"/media/{asset.original.name}").status_code == 404
    assert client.get(f"/media/assets/renditions/{asset.pk}/proxy/proxy.mp4").status_code == 404


def test_a_rejected_file_is_not_served_to_anyone(studio):
    asset = ready_video(studio.member)
    ingest.reject(asset, "polyglot")
    client = client_for(studio.member)
    page = client.get(f"/assets/{asset.pk}/").content.decode()
    assert "hidden inside it" in page
    assert client.get(f"/assets/{asset.pk}/original/").status_code == 404
    assert client.get(f"/assets/{asset.pk}/r/proxy/proxy.mp4").status_code == 404


def test_progress_is_polled_while_working_then_the_page_reloads(studio):
    asset = ready_video(studio.member)
    Asset.objects.filter(pk=asset.pk).update(status=Asset.Status.PROCESSING)
    Step.objects.create(asset=asset, name="hls", position=1, status="running", progress=42)
    client = client_for(studio.member)
    page = client.get(f"/assets/{asset.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and 'value="42"' in page
    fragment = client.get(f"/assets/{asset.pk}/progress/")
    assert fragment.status_code == 200 and "Streaming versions" in fragment.content.decode()
    Asset.objects.filter(pk=asset.pk).update(status=Asset.Status.READY)
    done = client.get(f"/assets/{asset.pk}/progress/")
    assert done.status_code == 286 and done["HX-Refresh"] == "true"


def test_the_pages_are_in_french(studio):
    asset = ready_video(studio.member)
    Asset.objects.filter(pk=asset.pk).update(status=Asset.Status.FAILED, problem="ffmpeg_failed")
    page = client_for(studio.member).get(f"/assets/{asset.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Le traitement a échoué" in page and "Réessayer" in page


def test_retrying_from_the_page(studio, django_capture_on_commit_callbacks):
    asset = ready_video(studio.member, production=studio.production)
    Asset.objects.filter(pk=asset.pk).update(status=Asset.Status.FAILED, problem="ffmpeg_failed")
    Step.objects.create(asset=asset, name="poster", position=2, status="failed", problem="ffmpeg_failed")
    assert client_for(studio.moderator).post(f"/assets/{asset.pk}/retry/").status_code == 403
    response = client_for(studio.crew).post(f"/assets/{asset.pk}/retry/")
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.status == Asset.Status.PROCESSING


def test_the_files_list_costs_the_same_for_few_or_many(studio):
    client = client_for(studio.member)

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/assets/").status_code == 200
        return len(queries)

    ready_video(studio.member)
    for_one = counted()
    for _ in range(6):
        ready_video(studio.member, production=studio.production)
    ready_video(make_user("someone-else"))
    assert counted() == for_one
    assert client.get("/assets/").content.decode().count("rush 12.mov") == 7


@given(
    size=st.integers(0, 10_000),
    first=st.integers(0, 20_000) | st.none(),
    last=st.integers(0, 20_000) | st.none(),
)
def test_a_range_is_always_within_the_file(size, first, last):
    header = f"bytes={'' if first is None else first}-{'' if last is None else last}"
    try:
        found = parse_range(header, size)
    except Unsatisfiable:
        assert size == 0 or (first is not None and first >= size) or (first is None and last == 0)
        return
    if found is None:
        return
    assert isinstance(found, ByteRange)
    assert 0 <= found.start <= found.end < size
    if first is not None:
        assert found.start == first
    elif last is not None:
        assert found.length == min(last, size)


@pytest.mark.parametrize(
    "header", ["", "bytes=", "bytes=-", "items=0-5", "bytes=0-1,4-5", "bytes=5-2", "bytes=a-b"]
)
def test_ranges_we_do_not_serve_get_the_whole_file(header):
    assert parse_range(header, 100) is None


@pytest.mark.parametrize(
    ("role", "expected"), [("moderator", 403), ("staff", 404), ("crew", 302), ("member", 302)]
)
def test_who_may_delete_a_file_and_its_renditions(studio, role, expected):
    asset = ready_video(studio.member, production=studio.production)
    stored = Path(asset.original.path)
    response = client_for(studio.person(role)).post(f"/assets/{asset.pk}/delete/")
    assert response.status_code == expected
    gone = expected == 302
    assert Asset.objects.filter(pk=asset.pk).exists() is not gone
    assert stored.exists() is not gone and ingest.renditions_dir(asset).exists() is not gone


def test_a_file_being_processed_is_not_deleted(studio):
    asset = ready_video(studio.member)
    Asset.objects.filter(pk=asset.pk).update(status=Asset.Status.PROCESSING)
    response = client_for(studio.member).post(f"/assets/{asset.pk}/delete/", follow=True)
    assert "Wait until the file is ready" in response.content.decode()
    assert Asset.objects.filter(pk=asset.pk).exists()


def test_a_files_license_is_set_by_those_who_manage_it_and_checked(studio):
    asset = ready_video(studio.member, production=studio.production)
    page = f"/assets/{asset.pk}/license/"
    refused = client_for(studio.moderator).post(page, {"license": "CC-BY-4.0", "attribution": "X"})
    assert refused.status_code == 403
    non_free = client_for(studio.member).post(page, {"license": "CC-BY-NC-4.0", "attribution": "Ania"})
    assert non_free.status_code == 400 and "Ania" in non_free.content.decode()
    too_long = client_for(studio.member).post(page, {"license": "CC-BY-4.0", "attribution": "A" * 501})
    assert too_long.status_code == 400
    asset.refresh_from_db()
    assert (asset.license, asset.attribution) == ("", "")
    saved = client_for(studio.crew).post(page, {"license": "CC-BY-SA-4.0", "attribution": "Ania K."})
    assert saved.status_code == 302
    asset.refresh_from_db()
    assert (asset.license, asset.attribution) == ("CC-BY-SA-4.0", "Ania K.")
    shown = client_for(studio.member).get(f"/assets/{asset.pk}/").content.decode()
    assert "Creative Commons Attribution-ShareAlike 4.0" in shown and "Ania K." in shown
    api = client_for(studio.member).get(f"/api/v1/assets/{asset.pk}").json()
    assert (api["license"], api["attribution"]) == ("CC-BY-SA-4.0", "Ania K.")
