"""Reporting, the moderators' queue, hiding with a reason told to the author, and blocks, per role."""

import pytest

from backstage.contributions.models import Contribution
from backstage.moderation import services
from backstage.moderation.models import Report
from backstage.productions.models import Block
from conftest import client_for

MODERATORS = {"moderator", "producer"}


@pytest.fixture
def work(studio):
    from backstage.contributions import services as contribution_services

    return contribution_services.submit_contribution(
        actor=studio.member, call=studio.call, title="Spammy poster", description="Buy now",
        license="CC-BY-4.0", links=[],
    )  # fmt: skip


def report_url(work) -> str:
    return f"/productions/varsovie-express/report/contribution/{work.pk}/"


@pytest.mark.parametrize("role", ["member", "crew", "director", "moderator", "producer", "staff"])
def test_anyone_signed_in_reports_once(studio, work, role):
    client = client_for(studio.person(role))
    assert client.get(report_url(work)).status_code == 200
    assert client.post(report_url(work), {"reason": "Spam"}).status_code == 302
    again = client.post(report_url(work), {"reason": "Spam again"})
    assert "already reported" in again.content.decode()
    assert Report.objects.count() == 1


def test_visitors_are_sent_to_sign_in_and_empty_reasons_are_refused(studio, work):
    response = client_for(None).post(report_url(work), {"reason": "Spam"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client_for(studio.crew).post(report_url(work), {"reason": "   "})
    assert (
        "This field is required." in response.content.decode()
        or "Say what is wrong" in response.content.decode()
    )
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    "role", ["anonymous", "member", "crew", "director", "staff", "moderator", "producer"]
)
def test_only_moderators_and_producers_see_the_queue(studio, work, role):
    response = client_for(studio.person(role)).get("/productions/varsovie-express/moderation/")
    expected = 200 if role in MODERATORS else (302 if role == "anonymous" else 403)
    assert response.status_code == expected


@pytest.mark.parametrize("role", ["member", "crew", "director", "staff", "moderator", "producer"])
def test_only_moderators_and_producers_hide(
    studio, work, role, mailoutbox, django_capture_on_commit_callbacks
):
    services.report(actor=studio.crew, target=work, reason="Spam")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(studio.person(role)).post(
            f"/productions/varsovie-express/moderation/hide/contribution/{work.pk}/",
            {"reason": "Advertising"},
        )
    work.refresh_from_db()
    if role in MODERATORS:
        assert response.status_code == 302 and work.is_hidden and work.hidden_reason == "Advertising"
        assert Report.objects.get().status == Report.Status.HIDDEN
        assert [message.to for message in mailoutbox] == [[studio.member.email]]
        assert "Advertising" in mailoutbox[0].body
    else:
        assert response.status_code == 403 and not work.is_hidden and not mailoutbox


def test_hidden_content_leaves_public_pages_but_not_its_author_or_the_team(studio, work):
    services.hide(actor=studio.moderator, target=work, reason="Advertising")
    listing = f"/productions/varsovie-express/calls/{studio.call.pk}/contributions/"
    assert "Spammy poster" not in client_for(None).get(listing).content.decode()
    assert client_for(None).get(work.get_absolute_url()).status_code == 404
    assert client_for(studio.staff).get(work.get_absolute_url()).status_code == 404
    author_view = client_for(studio.member).get(work.get_absolute_url()).content.decode()
    assert "Hidden by the moderators: Advertising" in author_view
    assert client_for(studio.crew).get(work.get_absolute_url()).status_code == 200
    services.unhide(actor=studio.producer, target=work)
    assert client_for(None).get(work.get_absolute_url()).status_code == 200


def test_reports_are_dismissed_by_moderators_only(studio, work):
    report = services.report(actor=studio.crew, target=work, reason="Spam")
    url = f"/productions/varsovie-express/moderation/reports/{report.pk}/dismiss/"
    assert client_for(studio.director).post(url).status_code == 403
    assert client_for(studio.moderator).post(url).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.DISMISSED
    assert not Contribution.objects.get().is_hidden


def test_blocking_from_the_queue(studio, work):
    client = client_for(studio.moderator)
    response = client.post(
        "/productions/varsovie-express/moderation/", {"username": "member", "reason": "Spam"}
    )
    assert response.status_code == 302
    assert Block.objects.filter(user=studio.member).exists()
    page = client.get("/productions/varsovie-express/moderation/").content.decode()
    assert "Spam" in page
    for data, message in (
        ({"username": "nobody", "reason": "x"}, "No active account"),
        ({"username": "crew", "reason": "x"}, "Remove the person from the team"),
        ({"username": "member", "reason": ""}, "This field is required."),
    ):
        assert message in client.post("/productions/varsovie-express/moderation/", data).content.decode()
    assert (
        client_for(studio.crew)
        .post(f"/productions/varsovie-express/moderation/blocks/{studio.member.pk}/remove/")
        .status_code
        == 403
    )
    client.post(f"/productions/varsovie-express/moderation/blocks/{studio.member.pk}/remove/")
    assert not Block.objects.exists()


def test_the_queue_is_in_french_for_french_moderators(studio, work):
    services.report(actor=studio.crew, target=work, reason="Spam")
    page = client_for(studio.moderator).get(
        "/productions/varsovie-express/moderation/", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert '<html lang="fr">' in page.content.decode()


def test_comments_are_reported_and_hidden(studio, work):
    from backstage.contributions.comments import post_comment

    comment = post_comment(actor=studio.crew, contribution=work, body="Rude words")
    page = client_for(studio.member).get(work.get_absolute_url()).content.decode()
    assert f"/report/comment/{comment.pk}/" in page
    client_for(studio.member).post(
        f"/productions/varsovie-express/report/comment/{comment.pk}/", {"reason": "Rude"}
    )
    queue = client_for(studio.moderator).get("/productions/varsovie-express/moderation/").content.decode()
    assert "Rude words" in queue
    services.hide(actor=studio.moderator, target=comment, reason="Insults")
    assert "Rude words" not in client_for(None).get(work.get_absolute_url()).content.decode()


def test_blocked_people_cannot_comment(studio, work):
    from backstage.contributions.comments import post_comment
    from backstage.core.errors import NotAllowed
    from backstage.productions import services as production_services

    production_services.block_member(
        actor=studio.moderator, production=studio.production, user=studio.staff, reason="x"
    )
    with pytest.raises(NotAllowed):
        post_comment(actor=studio.staff, contribution=work, body="Hello")
