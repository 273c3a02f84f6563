"""Signing API requests: personal tokens, and the browser session with its CSRF token."""

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from backstage.accounts.models import ApiToken
from backstage.accounts.services import create_api_token, revoke_api_token
from backstage.api.tests.api_client import ApiClient, assert_error, database_state, token_for
from backstage.productions.models import Follow


def test_a_token_signs_requests(studio):
    response = ApiClient(token=token_for(studio.member)).get("/me")

    assert response.status_code == 200
    assert response.json() == {"username": "member", "email": "member@example.org", "language": "en"}
    assert ApiToken.objects.get(user=studio.member).last_used_at is not None


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer bst_not-a-token-we-issued",
        "Bearer not-even-our-prefix",
        "Bearer ",
        "Bearer bst_" + "x" * 300,
        "Token bst_whatever",
        "bst_whatever",
        "Basic bWVtYmVyOmNvcnJlY3QgaG9yc2UgYmF0dGVyeSBzdGFwbGU=",
    ],
)
def test_a_wrong_token_is_refused_with_json(studio, authorization):
    before = database_state()

    for response in (
        ApiClient().get("/me", Authorization=authorization),
        ApiClient().post("/productions/varsovie-express/follow", Authorization=authorization),
    ):
        assert_error(response, 401, "not_authenticated")

    assert database_state() == before


def test_a_revoked_token_is_refused(studio):
    token, clear = create_api_token(actor=studio.member, name="laptop")
    client = ApiClient(token=clear)
    assert client.get("/me").status_code == 200

    revoke_api_token(actor=studio.member, token_id=token.pk)

    assert_error(client.get("/me"), 401, "not_authenticated")
    assert_error(client.post("/productions/varsovie-express/follow"), 401, "not_authenticated")
    assert not Follow.objects.exists()


def test_a_deactivated_persons_token_is_refused(studio):
    client = ApiClient(token=token_for(studio.member))
    studio.member.is_active = False
    studio.member.save()

    assert_error(client.get("/me"), 401, "not_authenticated")
    assert_error(client.post("/productions/varsovie-express/follow"), 401, "not_authenticated")
    assert not Follow.objects.exists()


def test_only_the_tokens_digest_is_stored(studio):
    token, clear = create_api_token(actor=studio.member, name="laptop")
    ApiClient(token=clear).get("/me")

    assert token.digest == hashlib.sha256(clear.encode()).hexdigest()
    assert clear.startswith(token.prefix) and len(token.prefix) < len(clear) - 20
    everything = StringIO()
    call_command("dumpdata", stdout=everything)
    assert token.digest in everything.getvalue()
    assert clear not in everything.getvalue()
    # Also beyond what the models show: every text column of every table.
    secret = clear.removeprefix("bst_")
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = connection.introspection.get_table_description(cursor, table)
            quoted = connection.ops.quote_name(table)
            # The table names come from the database itself, never from outside.
            cursor.execute(f"SELECT * FROM {quoted}")
            for row in cursor.fetchall():
                for value in row:
                    assert secret not in str(value), (table, [column.name for column in columns])


# --- the browser session -------------------------------------------------------------------------------------


@pytest.fixture
def browser(studio) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(studio.member)
    client.get("/")  # the page sets the CSRF cookie, as a real visit would
    return client


def test_a_session_write_without_the_csrf_token_is_refused(studio, browser):
    before = database_state()

    response = ApiClient(browser).post("/productions/varsovie-express/follow")

    assert_error(response, 403, "csrf_failed")
    assert database_state() == before


def test_a_session_write_with_a_wrong_csrf_token_is_refused(studio, browser):
    response = ApiClient(browser).post("/productions/varsovie-express/follow", X_CSRFToken="x" * 64)

    assert_error(response, 403, "csrf_failed")
    assert not Follow.objects.exists()


def test_a_session_write_with_the_csrf_token_succeeds(studio, browser):
    csrf = browser.cookies["csrftoken"].value

    response = ApiClient(browser).post("/productions/varsovie-express/follow", X_CSRFToken=csrf)

    assert response.status_code == 200, response.content
    assert Follow.objects.filter(user=studio.member).exists()


def test_session_reads_need_no_csrf_token(studio, browser):
    assert ApiClient(browser).get("/me").json()["username"] == "member"


def test_a_token_needs_no_csrf_token_even_beside_a_session(studio, browser):
    # Browsers never add the Authorization header on their own, so a forged cross-site request cannot carry it.
    response = ApiClient(browser, token=token_for(studio.producer)).post(
        "/productions/varsovie-express/follow"
    )

    assert response.status_code == 200
    assert Follow.objects.filter(user=studio.producer).exists()
    assert not Follow.objects.filter(user=studio.member).exists()


def test_a_deactivated_persons_session_is_refused(studio):
    client = Client()
    client.force_login(studio.member)
    studio.member.is_active = False
    studio.member.save()

    assert_error(ApiClient(client).get("/me"), 401, "not_authenticated")


def test_no_session_and_no_token_is_not_authenticated(studio):
    assert_error(
        ApiClient(Client(enforce_csrf_checks=True)).post("/productions/varsovie-express/follow"), 401
    )
