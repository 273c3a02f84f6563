"""Reads cost a fixed number of queries, whether there is one object to show or many."""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backstage.accounts.models import Profile, Skill
from backstage.activity.models import Event, Kind, Notification, Verb
from backstage.api.tests.api_client import ApiClient, api_as
from backstage.contributions.services import submit_contribution
from backstage.moderation.services import report
from backstage.productions.models import Call, CallKind, Follow, Invitation, Membership, Production, Role
from backstage.productions.services import block_member
from conftest import Studio, make_user

serial = itertools.count()


def new_production(studio: Studio) -> Production:
    number = next(serial)
    production = Production.objects.create(slug=f"film-{number}", title=f"Film {number}")
    Follow.objects.create(user=studio.member, production=production)
    Follow.objects.create(user=studio.crew, production=production)
    return production


def add_team_member(studio: Studio) -> None:
    user = make_user(f"person-{next(serial)}")
    Profile.objects.filter(user=user).update(display_name="Someone")
    Membership.objects.create(production=studio.production, user=user, role=Role.CREW)
    Follow.objects.create(user=user, production=studio.production)


def add_call(studio: Studio) -> None:
    Call.objects.create(production=studio.production, kind=CallKind.ART, title_en=f"Poster {next(serial)}")


def add_call_elsewhere(studio: Studio) -> None:
    Call.objects.create(production=new_production(studio), kind=CallKind.MUSIC, title_en="Theme")


def invite_someone(studio: Studio) -> None:
    Invitation.objects.create(
        production=studio.production,
        invitee=make_user(f"guest-{next(serial)}"),
        role=Role.CREW,
        invited_by=studio.producer,
    )


def invite_the_member(studio: Studio) -> None:
    Invitation.objects.create(
        production=new_production(studio),
        invitee=studio.member,
        role=Role.DIRECTOR,
        invited_by=studio.producer,
    )


def add_skill(studio: Studio) -> None:
    number = next(serial)
    skill = Skill.objects.create(
        slug=f"skill-{number}", name_en=f"Skill {number}", name_fr=f"Métier {number}"
    )
    Profile.objects.get(user=studio.crew).skills.add(skill)


def report_a_contribution(studio: Studio) -> None:
    author = make_user(f"author-{next(serial)}")
    work = submit_contribution(
        actor=author, call=studio.call, title="Spam", description="", license="CC0-1.0", links=[]
    )
    report(actor=author, target=work, reason="Mine, but spam")


def block_someone(studio: Studio) -> None:
    person = make_user(f"spammer-{next(serial)}")
    block_member(actor=studio.producer, production=studio.production, user=person, reason="Spam")


def notify_the_member(studio: Studio) -> None:
    add_call(studio)
    call = Call.objects.latest("pk")
    event = Event.objects.create(
        production=studio.production, actor=studio.director, verb=Verb.CALL_OPENED, call=call
    )
    Notification.objects.create(recipient=studio.member, event=event, kind=Kind.NEW_CALL)


def join_the_team(studio: Studio) -> None:
    add_team_member(studio)
    newcomer = Membership.objects.latest("pk").user
    Event.objects.create(
        production=studio.production, actor=newcomer, verb=Verb.MEMBER_JOINED, data={"role": "crew"}
    )


def shown(body: Any) -> int:
    return body["count"] if isinstance(body, dict) else len(body)


@dataclass(frozen=True)
class Read:
    path: str
    grow: Callable[[Studio], None]
    reader: str | None = None
    # How many objects the answer shows, to be sure the data grew where the page looks.
    size: Callable[[Any], int] = shown


READS: dict[str, Read] = {
    "list_productions": Read("/productions", new_production),
    "get_production": Read(
        "/productions/varsovie-express", add_team_member, size=lambda body: len(body["team"])
    ),
    "list_team": Read("/productions/varsovie-express/team", add_team_member),
    "list_calls": Read("/productions/varsovie-express/calls", add_call),
    "list_open_calls": Read("/calls", add_call_elsewhere),
    "list_invitations": Read("/productions/varsovie-express/invitations", invite_someone, reader="producer"),
    "my_invitations": Read("/invitations", invite_the_member, reader="member"),
    "get_profile": Read("/people/crew", add_skill, size=lambda body: len(body["skills"])),
    "list_reports": Read("/productions/varsovie-express/reports", report_a_contribution, reader="moderator"),
    "list_blocks": Read("/productions/varsovie-express/blocks", block_someone, reader="moderator"),
    "list_notifications": Read("/notifications", notify_the_member, reader="member"),
    "production_activity": Read("/productions/varsovie-express/activity", join_the_team),
}


def measure(client: ApiClient, path: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


@pytest.mark.parametrize("name", READS)
def test_a_read_costs_the_same_for_one_object_or_many(studio, name):
    read = READS[name]
    client = api_as(studio.person(read.reader)) if read.reader else ApiClient()
    read.grow(studio)
    # A token's first use is recorded once; measuring after it keeps that write out of the count.
    client.get(read.path)

    queries_for_one, body = measure(client, read.path)
    shown_for_one = read.size(body)
    for _ in range(8):
        read.grow(studio)
    queries_for_many, body = measure(client, read.path)

    assert read.size(body) >= shown_for_one + 8
    assert queries_for_many == queries_for_one, (queries_for_one, queries_for_many)
    assert queries_for_one <= 5
