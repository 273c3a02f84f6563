"""Contributions that attach files from the resumable upload: who may attach what, and who then sees them."""

import uuid

import pytest
from django.core.files.base import ContentFile

from backstage.api.tests.api_client import api_as, assert_error
from backstage.contributions import services
from backstage.contributions.models import Contribution, ContributionFile
from backstage.core.errors import Conflict, ServiceError
from backstage.media import ingest
from backstage.media import services as media_services
from backstage.media.models import Asset, Rendition
from backstage.moderation import services as moderation_services
from conftest import client_for, make_user


def video(owner, *, status=Asset.Status.READY, kind="video") -> Asset:
    asset = Asset.objects.create(
        id=uuid.uuid4(), owner=owner, name="self-tape.mov", kind=kind, mime="video/quicktime", size=12,
        sha256="b" * 64, status=status,
    )  # fmt: skip
    asset.original.save("tape.mov", ContentFile(b"not a real mov"), save=True)
    folder = ingest.renditions_dir(asset) / "hls"
    folder.mkdir(parents=True)
    (folder / "master.m3u8").write_text("#EXTM3U\n")
    Rendition.objects.create(asset=asset, kind="hls", label="240p", path="hls/master.m3u8", mime="x")
    return asset


def form(studio, **extra) -> dict[str, object]:
    return {"title": "Ania, self-tape", "description": "", "license": "CC-BY-SA-4.0", **extra}


def contribute_url(studio) -> str:
    return f"/productions/varsovie-express/calls/{studio.call.pk}/contribute/"


def test_the_form_offers_ones_own_checked_files_and_attaches_them(studio):
    mine = video(studio.member)
    video(studio.member, status=Asset.Status.REJECTED)
    video(studio.crew)
    client = client_for(studio.member)
    page = client.get(contribute_url(studio)).content.decode()
    assert page.count("self-tape.mov") == 1 and str(mine.pk) in page

    response = client.post(contribute_url(studio), form(studio, assets=[str(mine.pk)]))
    assert response.status_code == 302
    work = Contribution.objects.get()
    attached = work.files.get()
    assert attached.asset == mine and attached.sha256 == mine.sha256 and not attached.file
    detail = client_for(None).get(work.get_absolute_url()).content.decode()
    assert f'data-hls="/assets/{mine.pk}/r/hls/master.m3u8"' in detail and "hls.min" in detail


def test_someone_elses_file_is_not_a_choice(studio):
    theirs = video(studio.crew)
    response = client_for(studio.member).post(contribute_url(studio), form(studio, assets=[str(theirs.pk)]))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Contribution.objects.exists()


@pytest.mark.parametrize(
    ("owner_is_actor", "status", "kind"),
    [
        (False, "ready", "video"),
        (True, "rejected", "video"),
        (True, "verifying", "video"),
        (True, "ready", "other"),
    ],
)
def test_the_service_refuses_what_may_not_be_attached(studio, owner_is_actor, status, kind):
    asset = video(studio.member if owner_is_actor else studio.crew, status=status, kind=kind)
    with pytest.raises(ServiceError) as refused:
        services.submit_contribution(
            actor=studio.member, call=studio.call, title="A", description="", license="CC0-1.0", links=[],
            assets=[asset],
        )  # fmt: skip
    assert refused.value.code == "asset_not_attachable" and refused.value.field == "assets"
    assert not Contribution.objects.exists()


def test_an_attached_file_is_seen_by_whoever_sees_the_contribution(studio):
    asset = video(studio.member)
    work = services.submit_contribution(
        actor=studio.member, call=studio.call, title="A", description="", license="CC0-1.0", links=[],
        assets=[asset],
    )  # fmt: skip
    stream = f"/assets/{asset.pk}/r/hls/master.m3u8"
    stranger = client_for(make_user("stranger"))
    assert client_for(None).get(stream).status_code == 200
    assert stranger.get(f"/assets/{asset.pk}/").status_code == 200
    download = client_for(None).get(
        f"/productions/varsovie-express/contributions/{work.pk}/files/{work.files.get().pk}/"
    )
    assert download.status_code == 302 and download["Location"] == f"/assets/{asset.pk}/original/"

    moderation_services.hide(actor=studio.moderator, target=work, reason="Spam")
    assert client_for(None).get(stream).status_code == 404
    assert stranger.get(f"/assets/{asset.pk}/").status_code == 404
    assert client_for(studio.member).get(stream).status_code == 200
    assert client_for(studio.moderator).get(stream).status_code == 200


def test_an_attached_file_cannot_be_deleted(studio):
    asset = video(studio.member)
    services.submit_contribution(
        actor=studio.member, call=studio.call, title="A", description="", license="CC0-1.0", links=[],
        assets=[asset],
    )  # fmt: skip
    with pytest.raises(Conflict):
        media_services.delete(actor=studio.member, asset=asset)
    assert (
        Asset.objects.filter(pk=asset.pk).exists() and ContributionFile.objects.filter(asset=asset).exists()
    )


def test_the_api_attaches_uploaded_files_by_id(studio):
    mine = video(studio.member)
    theirs = video(studio.crew)
    client = api_as(studio.member)
    url = f"/productions/varsovie-express/calls/{studio.call.pk}/contributions"
    refused = client.post(url, {"title": "A", "license": "CC0-1.0", "assets": [str(theirs.pk)]})
    assert_error(refused, 400, "unknown_asset", "assets")
    assert_error(
        client.post(url, {"title": "A", "license": "CC0-1.0", "assets": ["nope"]}), 422, field="assets.0"
    )
    created = client.post(url, {"title": "A", "license": "CC0-1.0", "assets": [str(mine.pk)]})
    assert created.status_code == 201
    assert [item["name"] for item in created.json()["files"]] == ["self-tape.mov"]
