"""Review decisions with their permanent record, and votes (with their races on PostgreSQL)."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction

from backstage.contributions import services
from backstage.contributions.models import Acceptance, Contribution, Decision, Status, Vote
from backstage.contributions.tests.conftest import png_upload
from backstage.core.errors import Conflict, ServiceError
from backstage.productions.models import Call, VotePolicy
from conftest import client_for, make_user

REVIEWERS = {"crew", "director", "producer"}


def review_url(contribution) -> str:
    return f"/productions/varsovie-express/contributions/{contribution.pk}/review/"


@pytest.mark.parametrize(
    "role", ["anonymous", "member", "moderator", "staff", "crew", "director", "producer"]
)
def test_only_crew_directors_and_producers_review(studio, submit, role):
    contribution = submit()
    response = client_for(studio.person(role)).post(
        review_url(contribution), {"status": "shortlisted", "note": "Nice"}
    )
    contribution.refresh_from_db()
    if role in REVIEWERS:
        assert response.status_code == 302
        assert contribution.status == Status.SHORTLISTED
    else:
        assert response.status_code == (302 if role == "anonymous" else 403)
        assert contribution.status == Status.SUBMITTED
        assert not Decision.objects.exists()


def test_the_author_cannot_review_their_own_work_unless_in_the_team(studio, submit):
    contribution = submit(studio.member)
    assert client_for(studio.member).post(review_url(contribution), {"status": "accepted"}).status_code == 403


def test_accepting_records_who_made_what_under_which_license(studio, submit):
    contribution = submit(files=[png_upload()])
    client = client_for(studio.director)
    client.post(review_url(contribution), {"status": "accepted", "note": "In the film!"})
    record = Acceptance.objects.get()
    assert (record.author, record.title, record.license, record.call) == (
        studio.member,
        "A poster",
        "CC-BY-SA-4.0",
        studio.call,
    )
    assert record.call_kind == "cast" and record.accepted_by == studio.director
    assert record.files[0]["sha256"] == contribution.files.get().sha256
    # The author sees the decision and its note.
    page = client_for(studio.member).get(contribution.get_absolute_url()).content.decode()
    assert "In the film!" in page and "Accepted" in page


def test_the_record_is_immutable_and_a_change_of_mind_is_a_new_decision(studio, submit):
    contribution = submit()
    services.review_contribution(actor=studio.producer, contribution=contribution, status=Status.ACCEPTED)
    record = Acceptance.objects.get()
    for attempt in (
        lambda: Acceptance.objects.filter(pk=record.pk).update(title="Rewritten"),
        lambda: Acceptance.objects.filter(pk=record.pk).delete(),
        record.delete,
        lambda: record.save(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    # Below the models too: the database refuses an UPDATE of the table.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE contributions_acceptance SET title = 'Rewritten'")
    services.review_contribution(
        actor=studio.producer, contribution=contribution, status=Status.DECLINED, note="Cut"
    )
    contribution.refresh_from_db()
    assert contribution.status == Status.DECLINED
    assert Acceptance.objects.get().title == "A poster"
    assert [d.to_status for d in Decision.objects.order_by("pk")] == ["accepted", "declined"]


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("withdrawn", "accepted"),
        ("submitted", "submitted"),
        ("submitted", "withdrawn"),
        ("accepted", "accepted"),
    ],
)
def test_impossible_steps_are_refused(studio, submit, start, target):
    contribution = submit()
    Contribution.objects.filter(pk=contribution.pk).update(status=start)
    with pytest.raises((Conflict, ServiceError)):
        services.review_contribution(actor=studio.producer, contribution=contribution, status=target)


def test_bad_review_input_is_a_message_not_a_crash(studio, submit):
    contribution = submit()
    client = client_for(studio.producer)
    response = client.post(review_url(contribution), {"status": "royal"}, follow=True)
    assert "Select a valid choice" in response.content.decode()
    response = client.post(review_url(contribution), {"status": "accepted", "note": "n" * 4001}, follow=True)
    assert "at most 4000 characters" in response.content.decode()
    contribution.refresh_from_db()
    assert contribution.status == Status.SUBMITTED


# --- votes --------------------------------------------------------------------------------------


def vote_url(contribution) -> str:
    return f"/productions/varsovie-express/contributions/{contribution.pk}/vote/"


def test_members_vote_once_and_counts_update_without_reload(studio, submit):
    contribution = submit(studio.crew)
    client = client_for(studio.member)
    response = client.post(vote_url(contribution), {"vote": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 vote" in html and 'aria-pressed="true"' in html and "<html" not in html
    again = client.post(vote_url(contribution), {"vote": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert "already voted" in again
    contribution.refresh_from_db()
    assert contribution.vote_count == 1 and Vote.objects.count() == 1
    client.post(vote_url(contribution), {"vote": "0"}, HTTP_HX_REQUEST="true")
    contribution.refresh_from_db()
    assert contribution.vote_count == 0 and not Vote.objects.exists()


def test_visitors_cannot_vote(studio, submit):
    contribution = submit()
    response = client_for(None).post(vote_url(contribution), {"vote": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Vote.objects.exists()


def test_no_vote_for_ones_own_work(studio, submit):
    contribution = submit(studio.member)
    html = (
        client_for(studio.member)
        .post(vote_url(contribution), {"vote": "1"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "your own contribution" in html
    assert not Vote.objects.exists()


def test_no_votes_when_the_call_has_none_or_is_closed(studio, submit):
    contribution = submit(studio.crew)
    Call.objects.filter(pk=studio.call.pk).update(vote_policy=VotePolicy.NONE)
    with pytest.raises(ServiceError, match="no public vote"):
        services.cast_vote(actor=studio.member, contribution=contribution)
    Call.objects.filter(pk=studio.call.pk).update(vote_policy=VotePolicy.ONE_PER_CONTRIBUTION, is_open=False)
    with pytest.raises(ServiceError, match="closed"):
        services.cast_vote(actor=studio.member, contribution=contribution)
    assert not Vote.objects.exists()


def test_a_fixed_number_of_votes_per_call(studio, submit):
    Call.objects.filter(pk=studio.call.pk).update(vote_policy=VotePolicy.FIXED_PER_CALL, votes_per_member=2)
    works = [submit(make_user(f"artist{n}"), title=f"Work {n}") for n in range(3)]
    services.cast_vote(actor=studio.member, contribution=works[0])
    services.cast_vote(actor=studio.member, contribution=works[1])
    with pytest.raises(Conflict, match=r"used all your votes in this call \(2\)"):
        services.cast_vote(actor=studio.member, contribution=works[2])
    listing = client_for(studio.member).get(
        f"/productions/varsovie-express/calls/{studio.call.pk}/contributions/"
    )
    assert "You have 0 votes left" in listing.content.decode()


def test_hidden_counts_are_for_the_team_only(studio, submit):
    contribution = submit(studio.member)
    services.cast_vote(actor=studio.crew, contribution=contribution)
    Call.objects.filter(pk=studio.call.pk).update(votes_public=False)
    assert "1 vote" not in client_for(None).get(contribution.get_absolute_url()).content.decode()
    assert "1 vote" in client_for(studio.director).get(contribution.get_absolute_url()).content.decode()


def _in_threads(count, work):
    barrier = threading.Barrier(count)
    outcomes = []

    def run(index):
        barrier.wait()
        try:
            work(index)
            outcomes.append("ok")
        except ServiceError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_parallel_votes_never_double_count_or_get_lost(studio, submit):
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers are a PostgreSQL matter; SQLite serialises them")
    contribution = submit(studio.crew)
    voters = [make_user(f"voter{n}") for n in range(8)]
    outcomes = _in_threads(8, lambda n: services.cast_vote(actor=voters[n], contribution=contribution))
    assert outcomes == ["ok"] * 8
    same = _in_threads(6, lambda n: services.cast_vote(actor=studio.member, contribution=contribution))
    assert sorted(same) == ["already_voted"] * 5 + ["ok"]
    contribution.refresh_from_db()
    assert contribution.vote_count == Vote.objects.filter(contribution=contribution).count() == 9


@pytest.mark.django_db(transaction=True)
def test_parallel_votes_respect_the_quota(studio, submit):
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers are a PostgreSQL matter; SQLite serialises them")
    Call.objects.filter(pk=studio.call.pk).update(vote_policy=VotePolicy.FIXED_PER_CALL, votes_per_member=2)
    works = [submit(make_user(f"artist{n}"), title=f"Work {n}") for n in range(6)]
    outcomes = _in_threads(6, lambda n: services.cast_vote(actor=studio.member, contribution=works[n]))
    assert sorted(outcomes) == ["no_votes_left"] * 4 + ["ok"] * 2
    assert Vote.objects.filter(voter=studio.member).count() == 2
