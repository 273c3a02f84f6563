"""The activity feed, the notifications pages, the bell and the preferences form."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backstage.activity.models import Event, Kind, Notification, NotificationPreference, Verb
from backstage.contributions import services as contribution_services
from backstage.productions.models import Production
from conftest import client_for, make_user

FEED = "/productions/varsovie-express/activity/"


@pytest.fixture
def author(db):
    return make_user("author")


@pytest.fixture
def told(studio, submit, author):
    """The producer's notification of a new contribution, and the contribution."""
    contribution = submit(author, title="Poster <b>bold</b>")
    return Notification.objects.get(recipient=studio.producer), contribution


def test_feed_is_public_newest_first_with_links_and_escaped_titles(studio, submit, author):
    contribution = submit(author, title="Poster <b>bold</b>")
    contribution_services.review_contribution(actor=studio.crew, contribution=contribution, status="accepted")
    response = client_for(None).get(FEED)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Poster &lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold" not in html
    assert html.index("accepted") < html.index("answered the call")
    assert f'href="/productions/varsovie-express/contributions/{contribution.pk}/"' in html
    assert f'href="/productions/varsovie-express/calls/{studio.call.pk}/"' in html
    assert 'href="/people/author/"' in html


def test_feed_leaves_out_hidden_and_withdrawn_contributions(studio, submit, author):
    hidden = submit(author, title="Hidden work")
    withdrawn = submit(author, title="Withdrawn work")
    submit(author, title="Visible work")
    type(hidden).objects.filter(pk=hidden.pk).update(is_hidden=True)
    contribution_services.withdraw_contribution(actor=author, contribution=withdrawn)
    html = client_for(None).get(FEED).content.decode()
    assert "Visible work" in html and "Hidden work" not in html and "Withdrawn work" not in html


def test_feed_of_an_unknown_production_is_404(db):
    assert client_for(None).get("/productions/nowhere/activity/").status_code == 404


def feed_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(FEED).status_code == 200
    return len(queries)


@pytest.mark.parametrize("viewer", ["anonymous", "member"])
def test_feed_costs_the_same_with_1_or_30_events(studio, viewer):
    people = [make_user(f"person{index}") for index in range(30)]
    Event.objects.create(
        production=studio.production, actor=people[0], verb=Verb.CALL_OPENED, call=studio.call
    )
    client = client_for(studio.person(viewer))
    few = feed_queries(client)
    for person in people[1:]:
        Event.objects.create(
            production=studio.production, actor=person, verb=Verb.MEMBER_JOINED, data={"role": "crew"}
        )
    assert feed_queries(client) == few


def test_feed_in_french(studio):
    Event.objects.create(
        production=studio.production, actor=studio.producer, verb=Verb.CALL_OPENED, call=studio.call
    )
    response = client_for(None).get(FEED, HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Casting : Ania" in html


@pytest.mark.parametrize("url", ["/notifications/", "/settings/notifications/", "/notifications/1/"])
def test_pages_send_visitors_to_sign_in(db, url):
    response = client_for(None).get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_list_shows_ones_own_notifications_only(studio, told):
    notification, _contribution = told
    own = client_for(studio.producer).get("/notifications/")
    assert own.status_code == 200
    assert f"/notifications/{notification.pk}/" in own.content.decode()
    assert "Poster &lt;b&gt;bold&lt;/b&gt;" in own.content.decode()
    other = client_for(studio.member).get("/notifications/")
    assert f"/notifications/{notification.pk}/" not in other.content.decode()


def test_opening_marks_read_and_goes_to_the_target(studio, told):
    notification, contribution = told
    response = client_for(studio.producer).get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/productions/varsovie-express/contributions/{contribution.pk}/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_persons_notification_is_404(studio, told):
    notification, _contribution = told
    assert client_for(studio.director).get(f"/notifications/{notification.pk}/").status_code == 404
    assert client_for(studio.director).get("/notifications/999999/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_as_read_touches_only_ones_own(studio, told):
    client = client_for(studio.producer)
    assert client.get("/notifications/read-all/").status_code == 405
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=studio.producer, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=studio.director, read_at__isnull=True).count() == 1


def bell_label(html: str) -> str:
    match = re.search(
        r'<a class="bell[^"]*"[^>]*>.*?<span class="visually-hidden">([^<]*)</span></a>', html, re.S
    )
    assert match, html
    return match.group(1)


def test_bell_shows_the_unread_count_on_every_page(studio, told):
    client = client_for(studio.producer)
    html = client.get("/productions/").content.decode()
    assert bell_label(html) == "Notifications, 1 unread"
    assert 'hx-get="/notifications/unread/"' in html and 'hx-trigger="every 60s"' in html
    assert '<span class="bell-count" aria-hidden="true">1</span>' in html
    assert "bell" not in client_for(None).get("/productions/").content.decode().split("<main")[0]


def test_bell_fragment_refreshes_the_count(studio, told):
    notification, _contribution = told
    client = client_for(studio.producer)
    fragment = client.get("/notifications/unread/")
    assert fragment.status_code == 200
    assert bell_label(fragment.content.decode()) == "Notifications, 1 unread"
    client.get(f"/notifications/{notification.pk}/")
    html = client.get("/notifications/unread/").content.decode()
    assert bell_label(html) == "Notifications, 0 unread" and "bell-count" not in html
    # A signed-out page stops polling (htmx's 286) instead of showing a sign-in form in the header.
    assert client_for(None).get("/notifications/unread/").status_code == 286


def test_bell_costs_one_query_and_none_for_visitors(studio, told):
    from django.template import engines

    from backstage.activity.context_processors import unread_notifications

    class Request:
        user = studio.producer

    count = unread_notifications(Request())["unread_notifications"]  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as queries:
        template = engines["django"].from_string("{{ n }}{{ n.value }}{% if n %}!{% endif %}")
        assert template.render({"n": count}) == "11!"
    assert len(queries) == 1

    class Visitor:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()

    with CaptureQueriesContext(connection) as queries:
        assert str(unread_notifications(Visitor())["unread_notifications"]) == "0"  # type: ignore[arg-type]
    assert len(queries) == 0


def test_preferences_form_shows_defaults_and_saves(studio):
    client = client_for(studio.member)
    html = client.get("/settings/notifications/").content.decode()
    assert re.search(r'name="decision" value="immediately"[^>]*checked', html)
    assert re.search(r'name="new_call" value="daily"[^>]*checked', html)
    response = client.post(
        "/settings/notifications/",
        {
            "new_contribution": "never",
            "decision": "daily",
            "reply_or_mention": "immediately",
            "new_call": "never",
        },
    )
    assert response.status_code == 302
    saved = dict(NotificationPreference.objects.filter(user=studio.member).values_list("kind", "email"))
    assert saved == {
        Kind.NEW_CONTRIBUTION: "never",
        Kind.DECISION: "daily",
        Kind.REPLY_OR_MENTION: "immediately",
        Kind.NEW_CALL: "never",
    }


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"new_contribution": "hourly", "decision": "daily", "reply_or_mention": "never", "new_call": "never"},
        {"new_contribution": "", "decision": "daily", "reply_or_mention": "never", "new_call": "never"},
        {"new_contribution": ["never", "x"], "decision": "daily", "reply_or_mention": "never"},
    ],
)
def test_preferences_form_refuses_bad_input(studio, data):
    response = client_for(studio.member).post("/settings/notifications/", data)
    assert response.status_code == 200
    assert 'class="errors" role="alert"' in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_notifications_page_in_french(studio, told):
    response = client_for(studio.producer).get("/notifications/", HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="fr">' in response.content.decode()


def test_production_deletion_takes_its_activity_along(studio, told):
    # Contributions protect their call; a production with none can go, and its events with it.
    other = Production.objects.create(slug="other", title="Other", created_by=studio.producer)
    Event.objects.create(
        production=other, actor=studio.producer, verb=Verb.MEMBER_JOINED, data={"role": "producer"}
    )
    other.delete()
    assert not Event.objects.filter(production_id=other.pk).exists()
