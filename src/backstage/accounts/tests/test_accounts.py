"""Signing up, confirming, signing in and out, resetting a password."""

import re

import pytest
from allauth.account.models import EmailAddress

from backstage.accounts.models import Profile, User
from conftest import PASSWORD, client_for, make_user

SIGNUP = {
    "email": "ania@example.org",
    "username": "ania",
    "password1": "a long and unusual passphrase",
    "password2": "a long and unusual passphrase",
}


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_sign_up_confirm_and_arrive_on_the_dashboard(
    db, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(username="ania")
    assert Profile.objects.filter(user=user).exists()
    assert not EmailAddress.objects.get(user=user).verified
    # Mandatory confirmation: no dashboard before it.
    assert client.get("/dashboard/").status_code == 302
    assert len(mailoutbox) == 1
    link = _link(mailoutbox[0])
    assert link.startswith("/accounts/confirm-email/")
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.get("/dashboard/").status_code == 200


def test_sign_up_in_french_records_the_language(db, client, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", SIGNUP, HTTP_ACCEPT_LANGUAGE="fr")
    assert User.objects.get(username="ania").language == "fr"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": ""}, "This field is required."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"username": ""}, "This field is required."),
        ({"password2": "something else entirely"}, "You must type the same password each time."),
        ({"password1": "123", "password2": "123"}, "This password is too short."),
        ({"username": "u" * 200}, "150 characters"),
    ],
)
def test_bad_sign_ups_are_refused_and_keep_the_input(db, client, change, message):
    response = client.post("/accounts/signup/", {**SIGNUP, **change})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    if change.get("email") is None or "email" not in change:
        assert "ania@example.org" in html
    assert not User.objects.exists()


def test_an_address_already_used_creates_nothing_and_reveals_nothing(
    db, client, mailoutbox, django_capture_on_commit_callbacks
):
    make_user("taken")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", {**SIGNUP, "email": "taken@example.org"})
    # The visitor sees the usual "check your e-mail" step; the owner of the address is told instead.
    assert response.status_code == 302
    assert User.objects.count() == 1
    assert [message.to for message in mailoutbox] == [["taken@example.org"]]


def test_sign_in_and_out(studio, client):
    response = client.post("/accounts/login/", {"login": "member@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/dashboard/").status_code == 302


def test_wrong_password_is_a_clear_error(studio, client):
    response = client.post("/accounts/login/", {"login": "member@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "member@example.org" in response.content.decode()


def test_inactive_accounts_cannot_sign_in(studio, client):
    response = client.post("/accounts/login/", {"login": "inactive@example.org", "password": PASSWORD})
    assert client.get("/dashboard/").status_code == 302
    assert response.status_code in (200, 302)


def test_failed_logins_are_rate_limited(studio, client):
    statuses = []
    for _attempt in range(7):
        response = client.post("/accounts/login/", {"login": "member@example.org", "password": "wrong"})
        statuses.append(response.status_code)
    # The per-account limit (5 failures in 5 minutes) refuses further attempts, even the right password.
    response = client.post("/accounts/login/", {"login": "member@example.org", "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_password_reset_by_e_mail(studio, client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "member@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = _link(mailoutbox[0])
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    new_password = "another long unusual passphrase"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    studio.member.refresh_from_db()
    assert studio.member.check_password(new_password)


def test_password_reset_does_not_reveal_unknown_addresses(
    db, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert all(
        "nobody@example.org" not in message.body or "no account" in message.body.lower()
        for message in mailoutbox
    )


def test_passwords_are_hashed_with_argon2(db):
    from django.conf import settings as django_settings
    from django.test import override_settings

    assert django_settings.PASSWORD_HASHERS  # the suite swaps them for speed; the real setting is below
    from backstage import settings as backstage_settings

    with override_settings(PASSWORD_HASHERS=backstage_settings.PASSWORD_HASHERS):
        user = make_user("hashed")
        assert user.password.startswith("argon2")


def test_signed_in_pages_send_anonymous_people_to_sign_in(db):
    client = client_for(None)
    for path in ("/dashboard/", "/settings/profile/", "/settings/tokens/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
