"""Who may upload: a personal API token or the signed-in session with its CSRF token, and only to their own uploads."""

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from backstage.accounts.models import ApiToken
from backstage.media.models import Upload
from backstage.media.tests.conftest import Tus, part_file, token_for, upload_at
from conftest import client_for

pytestmark = pytest.mark.usefixtures("consistent_uploads", "handed_to_ingest")


def session_tus(user, *, csrf: bool) -> Tus:
    """The browser's way: the session cookie, and the CSRF token in X-CSRFToken when `csrf`."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    tus = Tus(client=client)
    if csrf:
        secret = _get_new_csrf_string()
        client.cookies["csrftoken"] = secret
        tus.headers["X-CSRFToken"] = secret
    return tus


@pytest.fixture
def started(studio, tus_as):
    """An upload of the member's with three bytes received."""
    tus = tus_as(studio.member)
    path = tus.new(10)
    tus.patch(path, b"abc", 0)
    return path


def assert_untouched(path: str) -> None:
    upload = upload_at(path)
    assert (upload.status, upload.offset) == (Upload.Status.RECEIVING, 3)
    assert part_file(path).read_bytes() == b"abc"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer bst_not-a-token",
        "Bearer sk_live_123",
        "Basic bWVtYmVyOnB3",
        "bst_x",
    ],
)
def test_nobody_may_upload_and_is_told_why(studio, started, authorization):
    tus = Tus()
    if authorization is not None:
        tus.headers["Authorization"] = authorization
    created = tus.create(10)
    assert created.status_code == 401
    assert created["WWW-Authenticate"].startswith("Bearer")
    assert b"sign in" in created.content.lower() or b"token" in created.content
    assert tus.head(started).status_code == 401
    assert tus.patch(started, b"def", 3).status_code == 401
    assert tus.delete(started).status_code == 401
    assert Upload.objects.count() == 1
    assert_untouched(started)


def test_a_token_of_an_inactive_account_or_a_revoked_token_is_refused(studio, started):
    token = token_for(studio.member)
    studio.member.is_active = False
    studio.member.save()
    refused = Tus(token).patch(started, b"def", 3)
    assert refused.status_code == 401 and b"not valid" in refused.content
    studio.member.is_active = True
    studio.member.save()
    assert Tus(token).head(started).status_code == 200
    ApiToken.objects.all().delete()
    assert Tus(token).head(started).status_code == 401
    assert Tus(token).create(10).status_code == 401
    assert_untouched(started)


def test_an_inactive_account_signed_in_is_refused(studio):
    tus = session_tus(studio.inactive, csrf=True)
    assert tus.create(10).status_code == 401
    assert not Upload.objects.exists()


def test_the_session_needs_the_csrf_token_for_every_write(studio, started):
    without = session_tus(studio.member, csrf=False)
    created = without.create(10)
    assert created.status_code == 403
    assert b"CSRF" in created.content and b"X-CSRFToken" in created.content
    assert without.patch(started, b"def", 3).status_code == 403
    assert without.delete(started).status_code == 403
    # Overriding the method does not get around the check either.
    overridden = without.request(
        "POST",
        started,
        b"def",
        **{
            "X-HTTP-Method-Override": "PATCH",
            "Upload-Offset": "3",
            "Content-Type": "application/offset+octet-stream",
        },
    )
    assert overridden.status_code == 403
    assert Upload.objects.count() == 1
    assert_untouched(started)
    # Reading is not a write.
    assert without.head(started).status_code == 200


def test_a_wrong_csrf_token_is_refused(studio, started):
    tus = session_tus(studio.member, csrf=True)
    tus.headers["X-CSRFToken"] = _get_new_csrf_string()
    assert tus.create(10).status_code == 403
    assert tus.patch(started, b"def", 3).status_code == 403
    assert_untouched(started)


def test_the_session_with_its_csrf_token_uploads_like_a_token(studio, started):
    tus = session_tus(studio.member, csrf=True)
    assert tus.patch(started, b"def", 3).status_code == 204
    path = tus.new(4)
    assert tus.patch(path, b"wxyz", 0).status_code == 204
    assert upload_at(path).owner == studio.member
    assert tus.delete(started).status_code == 204


@pytest.mark.parametrize("role", ["crew", "producer", "staff"])
def test_someone_elses_upload_does_not_exist_for_them(studio, started, tus_as, role):
    for tus in (tus_as(studio.person(role)), session_tus(studio.person(role), csrf=True)):
        for response in (
            tus.head(started),
            tus.patch(started, b"def", 3),
            tus.delete(started),
        ):
            assert response.status_code == 404
            assert "Upload-Offset" not in response
    assert_untouched(started)


def test_a_token_wins_over_the_session(studio, started):
    """With an Authorization header, the session is not looked at: the token's owner is the one acting."""
    client = client_for(studio.crew)
    tus = Tus(token_for(studio.member), client=client)
    assert tus.patch(started, b"def", 3).status_code == 204
    crew_only = Tus("bst_wrong", client=client)
    assert crew_only.create(10).status_code == 401
