"""Attaching files to a contribution through the API, and the hostile files it refuses."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backstage.api.tests.api_client import api_as, assert_error
from backstage.contributions import services
from backstage.contributions.models import Contribution, ContributionFile
from backstage.contributions.services import MAX_FILES
from backstage.contributions.tests.conftest import png_upload
from conftest import client_for, make_user


@pytest.fixture
def work(studio, submit) -> Contribution:
    return submit(make_user("author"))


def stored_files(settings) -> list[str]:
    media = settings.MEDIA_ROOT
    return sorted(path.name for path in media.rglob("*") if path.is_file()) if media.exists() else []


def test_the_author_attaches_files_and_everyone_can_fetch_them(studio, work, settings):
    client = api_as(work.author)
    response = client.upload(
        f"/contributions/{work.pk}/files", [png_upload("poster.png"), png_upload("b.png")]
    )
    assert response.status_code == 201, response.content
    files = response.json()["files"]
    assert [item["name"] for item in files] == ["poster.png", "b.png"]
    assert files[0]["kind"] == "image" and files[0]["mime"] == "image/png" and len(files[0]["sha256"]) == 64
    assert response.json()["file_count"] == 2

    download = client_for(None).get(files[0]["url"])
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert len(stored_files(settings)) == 2


def test_removing_a_file_deletes_it(studio, work, settings, django_capture_on_commit_callbacks):
    client = api_as(work.author)
    first, second = client.upload(f"/contributions/{work.pk}/files", [png_upload(), png_upload()]).json()[
        "files"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"/contributions/{work.pk}/files/{first['id']}")
    assert [item["id"] for item in response.json()["files"]] == [second["id"]]
    assert len(stored_files(settings)) == 1
    assert_error(client.delete(f"/contributions/{work.pk}/files/{first['id']}"), 404)


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "empty.png", "empty"),
        (b"<html><script>alert(1)</script></html>", "page.jpg", "unknown_type"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg", None),
        (b"MZ\x90\x00" + b"\x00" * 200, "setup.exe", None),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "truncated.png", None),
    ],
)
def test_hostile_files_are_refused_and_nothing_is_stored(studio, work, settings, data, name, code):
    response = api_as(work.author).upload(
        f"/contributions/{work.pk}/files", [png_upload("fine.png"), SimpleUploadedFile(name, data)]
    )
    assert_error(response, 400, code, field="files")
    assert response.json()["message"].startswith(f"“{name}”: ")
    # The good file sent with the bad one is not kept either.
    assert not ContributionFile.objects.exists()
    assert stored_files(settings) == []


def test_too_many_files_are_refused(studio, work, settings):
    response = api_as(work.author).upload(
        f"/contributions/{work.pk}/files", [png_upload(f"{n}.png") for n in range(MAX_FILES + 1)]
    )
    assert_error(response, 400, "too_many_files", field="files")
    assert not ContributionFile.objects.exists() and stored_files(settings) == []


def test_a_request_without_files_names_the_field(studio, work):
    assert_error(api_as(work.author).post(f"/contributions/{work.pk}/files", {}), 422, field="files")


@pytest.mark.parametrize("role", ["member", "crew", "director", "producer", "staff"])
def test_only_the_author_changes_the_files(studio, work, role):
    response = api_as(studio.person(role)).upload(f"/contributions/{work.pk}/files", [png_upload()])
    assert_error(response, 403, "forbidden")
    assert not ContributionFile.objects.exists()


def test_files_are_frozen_once_the_team_has_looked(studio, work, settings):
    services.review_contribution(actor=studio.crew, contribution=work, status="shortlisted")
    response = api_as(work.author).upload(f"/contributions/{work.pk}/files", [png_upload()])
    assert_error(response, 409, "not_editable")
    assert stored_files(settings) == []
