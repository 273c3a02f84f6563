"""Who is told of what, and how the e-mail preferences are honoured (immediately, daily, never)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backstage.activity.models import EmailChoice, Event, Kind, Notification, NotificationPreference, Verb
from backstage.activity.services import send_digests
from backstage.contributions import comments
from backstage.contributions import services as contribution_services
from backstage.contributions import signals as contribution_signals
from backstage.productions import services as production_services
from backstage.productions.models import CallKind, Role
from conftest import client_for, make_user


def recipients(event: Event) -> set[str]:
    return set(event.notifications.values_list("recipient__username", flat=True))


def set_preference(user, kind: str, email: str) -> None:
    NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": email})


@pytest.fixture
def author(db):
    return make_user("author")


def test_new_contribution_tells_reviewers_not_the_author_nor_moderators(studio, submit, author):
    contribution = submit(author)
    event = Event.objects.get(verb=Verb.CONTRIBUTION_SUBMITTED)
    assert event.contribution == contribution and event.actor == author
    assert event.production == studio.production and event.call == studio.call
    assert recipients(event) == {"producer", "director", "crew"}
    assert set(event.notifications.values_list("kind", flat=True)) == {Kind.NEW_CONTRIBUTION}


def test_a_team_member_contributing_is_not_told_of_their_own_contribution(studio, submit):
    submit(studio.crew)
    assert recipients(Event.objects.get(verb=Verb.CONTRIBUTION_SUBMITTED)) == {"producer", "director"}


@pytest.mark.parametrize(
    ("status", "verb"),
    [
        ("shortlisted", Verb.CONTRIBUTION_SHORTLISTED),
        ("accepted", Verb.CONTRIBUTION_ACCEPTED),
        ("declined", Verb.CONTRIBUTION_DECLINED),
    ],
)
def test_a_decision_tells_the_author_only(studio, submit, author, status, verb):
    contribution = submit(author)
    contribution_services.review_contribution(actor=studio.crew, contribution=contribution, status=status)
    event = Event.objects.get(verb=verb)
    assert event.actor == studio.crew
    assert recipients(event) == {"author"}
    assert event.notifications.get().kind == Kind.DECISION


def test_moving_back_to_submitted_is_no_news(studio, submit, author):
    contribution = submit(author)
    contribution_services.review_contribution(
        actor=studio.crew, contribution=contribution, status="shortlisted"
    )
    contribution_services.review_contribution(
        actor=studio.crew, contribution=contribution, status="submitted"
    )
    assert Event.objects.filter(contribution=contribution).count() == 2


def test_a_reviewer_deciding_on_their_own_contribution_is_not_told(studio, submit):
    contribution = submit(studio.crew)
    contribution_services.review_contribution(
        actor=studio.director, contribution=contribution, status="declined"
    )
    contribution.refresh_from_db()
    contribution_services.review_contribution(actor=studio.crew, contribution=contribution, status="accepted")
    assert recipients(Event.objects.get(verb=Verb.CONTRIBUTION_DECLINED)) == {"crew"}
    assert recipients(Event.objects.get(verb=Verb.CONTRIBUTION_ACCEPTED)) == set()


def test_a_reply_tells_the_parent_author_and_mentions_tell_the_mentioned(studio, submit, author):
    contribution = submit(author)
    first = comments.post_comment(actor=author, contribution=contribution, body="What do you think?")
    comments.post_comment(
        actor=studio.director, contribution=contribution, parent=first, body="Lovely. @crew @member @director"
    )
    event = Event.objects.filter(verb=Verb.COMMENT_POSTED).latest("pk")
    assert event.data["reply"] is True
    # The director mentioned themselves: never told of their own comment.
    assert recipients(event) == {"author", "crew", "member"}


def test_replying_to_oneself_tells_nobody(studio, submit, author):
    contribution = submit(author)
    first = comments.post_comment(actor=author, contribution=contribution, body="Version two soon.")
    comments.post_comment(actor=author, contribution=contribution, parent=first, body="Here it is.")
    assert not Notification.objects.filter(kind=Kind.REPLY_OR_MENTION).exists()
    assert Event.objects.filter(verb=Verb.COMMENT_POSTED).count() == 2


def test_a_comment_on_a_call_from_any_comment_like_object(studio, author):
    # The receiver reads only the signal's arguments, so any object shaped like a comment works.
    parent = SimpleNamespace(author=studio.producer, pk=1)
    comment = SimpleNamespace(pk=2, call=studio.call, author_id=author.pk, parent=parent)
    contribution_signals.comment_posted.send(
        sender=object, comment=comment, mentioned=[studio.member, author]
    )
    event = Event.objects.get(verb=Verb.COMMENT_POSTED)
    assert event.call == studio.call and event.contribution is None
    assert event.data["comment_id"] == 2
    assert recipients(event) == {"producer", "member"}


def test_a_new_call_tells_the_followers_but_not_its_author(
    studio, mailoutbox, django_capture_on_commit_callbacks
):
    production_services.follow(actor=studio.member, production=studio.production)
    production_services.follow(actor=studio.director, production=studio.production)
    production_services.follow(actor=studio.inactive, production=studio.production)
    set_preference(studio.member, Kind.NEW_CALL, EmailChoice.IMMEDIATELY)
    make_user("stranger")
    with django_capture_on_commit_callbacks(execute=True):
        call = production_services.open_call(
            actor=studio.director, production=studio.production, kind=CallKind.MUSIC, title_en="A waltz"
        )
    event = Event.objects.get(verb=Verb.CALL_OPENED)
    assert event.call == call and event.actor == studio.director
    assert recipients(event) == {"member"}
    assert [message.to for message in mailoutbox] == [[studio.member.email]]
    assert "A waltz" in mailoutbox[0].subject + mailoutbox[0].body


def test_opening_a_call_costs_the_same_whatever_the_number_of_followers(studio):
    def queries_to_open_a_call(title: str) -> int:
        client = client_for(studio.director)
        data = {"kind": "music", "title_en": title, "vote_policy": "none", "votes_per_member": "1"}
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/productions/varsovie-express/calls/new/", data)
        assert response.status_code == 302, response.content
        return len(queries)

    production_services.follow(actor=studio.member, production=studio.production)
    with_one = queries_to_open_a_call("A waltz")
    for number in range(20):
        production_services.follow(actor=make_user(f"fan-{number}"), production=studio.production)
    assert queries_to_open_a_call("A tango") == with_one


def test_joining_the_team_is_in_the_feed_and_notifies_nobody(studio):
    newcomer = make_user("newcomer")
    invitation = production_services.invite_to_team(
        actor=studio.producer, production=studio.production, invitee=newcomer, role=Role.CREW
    )
    production_services.accept_invitation(actor=newcomer, invitation=invitation)
    event = Event.objects.get(verb=Verb.MEMBER_JOINED)
    assert event.actor == newcomer and event.data == {"role": "crew"}
    assert not event.notifications.exists()


# E-mail preferences


def test_immediate_email_leaves_after_commit_in_the_recipients_language(
    studio, submit, author, mailoutbox, django_capture_on_commit_callbacks
):
    author.language = "fr"
    author.save()
    contribution = submit(author, title="Affiche <rouge>")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        contribution_services.review_contribution(
            actor=studio.crew, contribution=contribution, status="accepted", note="Bravo !"
        )
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["author@example.org"]
    assert "Varsovie-Express" in message.subject
    # Rendered in French: the call's French title (new sentences wait for their translation).
    assert "Casting : Ania" in message.body
    assert "Affiche <rouge>" in message.body  # plain text: nothing escaped
    assert "Bravo !" in message.body
    assert f"/productions/varsovie-express/contributions/{contribution.pk}/" in message.body


def test_never_sends_nothing(studio, submit, author, mailoutbox, django_capture_on_commit_callbacks):
    set_preference(author, Kind.DECISION, "never")
    contribution = submit(author)
    with django_capture_on_commit_callbacks(execute=True):
        contribution_services.review_contribution(
            actor=studio.crew, contribution=contribution, status="declined"
        )
    assert mailoutbox == []
    assert Notification.objects.get(recipient=author).in_digest is False
    call_command("send_digests")
    assert mailoutbox == []


def test_daily_waits_for_the_digest_which_is_sent_once(
    studio, submit, author, mailoutbox, django_capture_on_commit_callbacks
):
    # New contributions default to the daily digest for the team.
    with django_capture_on_commit_callbacks(execute=True):
        submit(author, title="First poster")
        submit(author, title="Second poster")
    assert mailoutbox == []
    set_preference(studio.crew, Kind.NEW_CONTRIBUTION, "never")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests")
    # The crew member changed their mind before the digest: nothing for them.
    assert sorted(message.to[0] for message in mailoutbox) == ["director@example.org", "producer@example.org"]
    body = mailoutbox[0].body
    assert "First poster" in body and "Second poster" in body
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests() == 0
    assert len(mailoutbox) == 2


def test_digest_leaves_out_what_is_older_than_a_day(
    studio, submit, author, mailoutbox, django_capture_on_commit_callbacks
):
    submit(author)
    Notification.objects.update(created_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests() == 0
    assert mailoutbox == []


def test_immediate_choice_for_a_daily_kind(
    studio, submit, author, mailoutbox, django_capture_on_commit_callbacks
):
    set_preference(studio.producer, Kind.NEW_CONTRIBUTION, "immediately")
    with django_capture_on_commit_callbacks(execute=True):
        submit(author, title="Storyboard")
    assert [message.to for message in mailoutbox] == [["producer@example.org"]]
    assert "Storyboard" in mailoutbox[0].body


def test_a_rolled_back_change_tells_nobody(
    studio, submit, author, mailoutbox, django_capture_on_commit_callbacks
):
    from django.db import transaction

    set_preference(studio.producer, Kind.NEW_CONTRIBUTION, "immediately")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        submit(author)
        raise RuntimeError
    assert not Event.objects.exists() and not Notification.objects.exists()
    assert mailoutbox == []
