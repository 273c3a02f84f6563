"""Moderation through the API: reports, the queue, hiding with a reason, blocks; refusals and bad input."""

import pytest

from backstage.api.tests.api_client import api_as, assert_error
from backstage.contributions import services as contribution_services
from backstage.contributions.comments import post_comment
from backstage.contributions.models import Comment, Contribution
from backstage.moderation.models import Report
from backstage.productions.models import Block
from conftest import make_user


@pytest.fixture
def work(studio) -> Contribution:
    return contribution_services.submit_contribution(
        actor=make_user("spammer"), call=studio.call, title="Spammy poster", description="Buy now",
        license="CC-BY-4.0", links=[],
    )  # fmt: skip


@pytest.fixture
def rude(studio, work) -> Comment:
    return post_comment(actor=studio.member, contribution=work, body="You are all idiots.")


def test_a_member_reports_a_contribution_and_the_moderators_see_it(studio, work):
    response = api_as(studio.member).post(f"/contributions/{work.pk}/report", {"reason": "  Spam  "})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["contribution"] == work.pk and body["comment"] is None
    assert body["reason"] == "Spam" and body["status"] == "open"
    assert body["reporter"]["username"] == "member" and body["production"] == "varsovie-express"

    queue = api_as(studio.moderator).get("/productions/varsovie-express/reports").json()
    assert [item["id"] for item in queue["items"]] == [body["id"]] and queue["count"] == 1


def test_reporting_twice_conflicts_and_a_blank_reason_names_the_field(studio, work):
    client = api_as(studio.member)
    assert client.post(f"/contributions/{work.pk}/report", {"reason": "Spam"}).status_code == 201
    assert_error(client.post(f"/contributions/{work.pk}/report", {"reason": "Spam"}), 409, "already_reported")
    assert_error(client.post(f"/contributions/{work.pk}/report", {"reason": "   "}), 422, field="reason")
    assert_error(client.post(f"/contributions/{work.pk}/report", {}), 422, field="reason")
    assert_error(client.post(f"/contributions/{work.pk}/report", {"reason": "x" * 2001}), 422, field="reason")
    assert Report.objects.count() == 1


def test_hiding_tells_the_author_closes_reports_and_removes_the_work_from_the_api(
    studio, work, mailoutbox, django_capture_on_commit_callbacks
):
    api_as(studio.member).post(f"/contributions/{work.pk}/report", {"reason": "Spam"})
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(studio.moderator).post(f"/contributions/{work.pk}/hide", {"reason": "Advertising"})
    assert response.json() == {"id": work.pk, "is_hidden": True, "hidden_reason": "Advertising"}
    assert [message.to for message in mailoutbox] == [["spammer@example.org"]]
    assert "Advertising" in mailoutbox[0].body
    assert Report.objects.get().status == Report.Status.HIDDEN
    assert api_as(studio.moderator).get("/productions/varsovie-express/reports").json()["count"] == 0
    closed = api_as(studio.moderator).get("/productions/varsovie-express/reports?status=hidden").json()
    assert closed["count"] == 1 and closed["items"][0]["handled_at"]

    listing = f"/productions/varsovie-express/calls/{studio.call.pk}/contributions"
    for reader in (None, studio.member, studio.staff):
        assert_error(api_as(reader).get(f"/contributions/{work.pk}"), 404)
        assert_error(api_as(reader).get(f"/contributions/{work.pk}/comments"), 404)
        assert api_as(reader).get(listing).json()["count"] == 0
    assert api_as(work.author).get(f"/contributions/{work.pk}").status_code == 200
    assert api_as(studio.crew).get(f"/contributions/{work.pk}").status_code == 200
    # Nobody reports what is already hidden; outsiders cannot even find it.
    assert_error(api_as(studio.crew).post(f"/contributions/{work.pk}/report", {"reason": "x"}), 409)
    assert_error(api_as(studio.member).post(f"/contributions/{work.pk}/report", {"reason": "x"}), 404)

    shown = api_as(studio.producer).post(f"/contributions/{work.pk}/unhide")
    assert shown.json() == {"id": work.pk, "is_hidden": False, "hidden_reason": ""}
    assert api_as(None).get(f"/contributions/{work.pk}").status_code == 200


def test_hiding_needs_a_reason_and_the_right_role(
    studio, work, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert_error(api_as(studio.moderator).post(f"/contributions/{work.pk}/hide", {}), 422, field="reason")
        assert_error(
            api_as(studio.director).post(f"/contributions/{work.pk}/hide", {"reason": "Spam"}),
            403,
            "forbidden",
        )
    work.refresh_from_db()
    assert not work.is_hidden and not mailoutbox


def test_a_hidden_comment_leaves_the_thread(studio, work, rude):
    api_as(studio.crew).post(f"/comments/{rude.pk}/report", {"reason": "Insults"})
    response = api_as(studio.producer).post(f"/comments/{rude.pk}/hide", {"reason": "Insults"})
    assert response.json()["is_hidden"] is True
    assert Report.objects.get().status == Report.Status.HIDDEN
    thread = api_as(None).get(f"/contributions/{work.pk}/comments").json()
    assert thread["count"] == 0
    assert_error(api_as(studio.staff).post(f"/comments/{rude.pk}/report", {"reason": "x"}), 404)
    assert_error(api_as(studio.member).post(f"/comments/{rude.pk}/report", {"reason": "x"}), 409)
    assert_error(
        api_as(studio.member).post(
            f"/contributions/{work.pk}/comments", {"body": "Me too", "parent": rude.pk}
        ),
        409,
    )


def test_a_report_is_dismissed_once(studio, work):
    report = api_as(studio.member).post(f"/contributions/{work.pk}/report", {"reason": "Spam"}).json()
    client = api_as(studio.moderator)
    dismissed = client.post(f"/reports/{report['id']}/dismiss")
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    assert_error(client.post(f"/reports/{report['id']}/dismiss"), 409, "report_handled")
    assert_error(client.post("/reports/999999/dismiss"), 404)
    assert_error(client.get("/productions/varsovie-express/reports?status=lost"), 422, field="status")


def test_a_blocked_member_can_no_longer_take_part_until_unblocked(studio, work):
    moderator = api_as(studio.moderator)
    response = moderator.post(
        "/productions/varsovie-express/blocks", {"username": "spammer", "reason": "Spam"}
    )
    assert response.status_code == 201
    assert response.json()["person"]["username"] == "spammer" and response.json()["reason"] == "Spam"
    blocks = moderator.get("/productions/varsovie-express/blocks").json()
    assert [item["person"]["username"] for item in blocks["items"]] == ["spammer"]

    spammer = api_as(work.author)
    refused = spammer.post(
        f"/productions/varsovie-express/calls/{studio.call.pk}/contributions",
        {"title": "More", "license": "CC-BY-4.0"},
    )
    assert_error(refused, 403, "blocked")
    assert_error(spammer.post(f"/contributions/{work.pk}/comments", {"body": "Hello"}), 403, "blocked")

    assert moderator.delete("/productions/varsovie-express/blocks/spammer").status_code == 204
    assert not Block.objects.exists()
    assert spammer.post(f"/contributions/{work.pk}/comments", {"body": "Hello"}).status_code == 201


def test_blocking_bad_input(studio, work):
    moderator = api_as(studio.moderator)
    url = "/productions/varsovie-express/blocks"
    assert_error(moderator.post(url, {"username": "nobody", "reason": "Spam"}), 404)
    assert_error(moderator.post(url, {"username": "crew", "reason": "Spam"}), 409, "team_member", "username")
    assert_error(moderator.post(url, {"username": "spammer", "reason": ""}), 422, field="reason")
    assert_error(moderator.post(url, {"reason": "Spam"}), 422, field="username")
    assert moderator.post(url, {"username": "spammer", "reason": "Spam"}).status_code == 201
    assert_error(moderator.post(url, {"username": "spammer", "reason": "Spam"}), 409, "already_blocked")
    assert_error(moderator.delete("/productions/varsovie-express/blocks/nobody"), 404)
    assert Block.objects.count() == 1


def test_errors_are_in_french_for_french_clients(studio, work):
    client = api_as(studio.director)
    response = client.request(
        "POST", f"/contributions/{work.pk}/hide", {"reason": "Spam"}, **{"Accept-Language": "fr"}
    )
    assert_error(response, 403)
    assert "modérateurs" in response.json()["message"]
