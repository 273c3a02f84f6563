"""Notifications, their settings and the activity feed through the API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backstage.activity.models import Kind, Notification
from backstage.api.tests.api_client import api_as, assert_error
from backstage.contributions import services as contribution_services
from backstage.moderation import services as moderation_services
from conftest import make_user


@pytest.fixture
def author(db):
    return make_user("author")


def test_the_author_reads_the_decision_and_marks_it_read(studio, submit, author):
    work = submit(author, title="Ania at dawn")
    contribution_services.review_contribution(actor=studio.crew, contribution=work, status="accepted")
    client = api_as(author)

    unread = client.get("/notifications?unread=true").json()
    assert unread["count"] == 1
    item = unread["items"][0]
    assert item["kind"] == "decision" and item["read_at"] is None
    event = item["event"]
    assert event["verb"] == "contribution_accepted" and event["actor"] == "crew"
    assert event["text"] == "crew accepted “Ania at dawn” for the call “Casting: Ania”."
    assert event["url"] == work.get_absolute_url() and event["contribution"] == work.pk

    read = client.post(f"/notifications/{item['id']}/read")
    assert read.status_code == 200 and read.json()["read_at"]
    assert client.get("/notifications?unread=true").json()["count"] == 0
    assert client.get("/notifications").json()["count"] == 1


def test_someone_elses_notification_is_not_found(studio, submit, author):
    submit(author)
    theirs = Notification.objects.filter(recipient=studio.producer).get()
    assert_error(api_as(studio.member).post(f"/notifications/{theirs.pk}/read"), 404)
    assert_error(api_as(author).post(f"/notifications/{theirs.pk}/read"), 404)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_all_read_says_how_many(studio, submit, author):
    submit(author, title="One")
    submit(author, title="Two")
    client = api_as(studio.producer)
    assert client.post("/notifications/read").json() == {"marked": 2}
    assert client.post("/notifications/read").json() == {"marked": 0}
    assert not Notification.objects.filter(recipient=studio.producer, read_at__isnull=True).exists()


def test_notifications_read_in_french(studio, submit, author):
    submit(author, title="Ania à l’aube")
    client = api_as(studio.producer)
    body = client.request("GET", "/notifications", **{"Accept-Language": "fr"}).json()
    assert body["items"][0]["event"]["text"].startswith("author a répondu à l’appel")


def test_preferences_are_read_and_changed_in_part(studio):
    client = api_as(studio.member)
    before = client.get("/notifications/preferences").json()
    assert set(before) == set(Kind.values)
    after = client.patch("/notifications/preferences", {"new_call": "never", "decision": "daily"}).json()
    assert after == {**before, "new_call": "never", "decision": "daily"}
    assert client.get("/notifications/preferences").json() == after


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"new_call": "hourly"}, "new_call"),
        ({"decision": 3}, "decision"),
        ([], None),
    ],
)
def test_bad_preferences_are_refused_and_change_nothing(studio, body, field):
    client = api_as(studio.member)
    before = client.get("/notifications/preferences").json()
    assert_error(client.patch("/notifications/preferences", body), 422, field=field)
    assert client.get("/notifications/preferences").json() == before


def test_the_activity_feed_leaves_out_hidden_work(studio, submit, author):
    kept = submit(author, title="Kept")
    hidden = submit(author, title="Spam")
    moderation_services.hide(actor=studio.moderator, target=hidden, reason="Spam")
    feed = api_as(None).get("/productions/varsovie-express/activity").json()
    assert [item["contribution"] for item in feed["items"]] == [kept.pk]
    assert_error(api_as(None).get("/productions/nowhere/activity"), 404)


def test_notifications_cost_the_same_for_one_or_many(studio, submit, author):
    client = api_as(studio.producer)
    submit(author, title="First")
    client.get("/notifications")

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/notifications").status_code == 200
        return len(queries)

    for_one = counted()
    for number in range(8):
        work = submit(make_user(f"author-{number}"), title=f"Work {number}")
        contribution_services.review_contribution(actor=studio.crew, contribution=work, status="shortlisted")
    assert client.get("/notifications").json()["count"] == 9
    assert counted() == for_one
