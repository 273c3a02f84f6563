"""Every page runs the same number of SQL queries whatever the amount of data behind it.

Each test renders a page with a small studio, then adds many more followers, calls, team
members, invitations, skills and productions, renders the page again and expects exactly
as many queries. A page whose count grows with the data (a query per row) fails here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backstage.accounts.models import Skill, User
from backstage.productions.models import (
    Call,
    CallKind,
    Follow,
    Invitation,
    Membership,
    Production,
    Role,
    Stage,
)
from conftest import Studio, client_for

EXTRA_FOLLOWERS = 30
EXTRA_CALLS = 20
EXTRA_TEAM_MEMBERS = 10
EXTRA_INVITATIONS = 6
EXTRA_PRODUCTIONS = 30  # more than a page of the production list
EXTRA_SKILLS = 8


def new_person(username: str, *, display_name: str = "") -> User:
    """A person with a profile (the profile comes from the sign-up signal)."""
    user = User.objects.create_user(username=username, email=f"{username}@example.org")
    if display_name:
        user.profile.display_name = display_name
        user.profile.save()
    return user


def start_small(studio: Studio) -> None:
    """One follower, one call, a team of four, one pending invitation, one skill."""
    Follow.objects.create(user=studio.member, production=studio.production)
    guest = new_person("guest0", display_name="Guest Zero")
    Invitation.objects.create(
        production=studio.production, invitee=guest, role=Role.CREW, invited_by=studio.producer
    )
    skill = Skill.objects.create(slug="acting", name_en="Acting", name_fr="Jeu")
    studio.member.profile.skills.add(skill)
    studio.member.profile.links = ["https://example.org/member"]
    studio.member.profile.save()


def grow(studio: Studio) -> None:
    """Many more of everything the pages list, both on the studio's production and around it."""
    production = studio.production
    now = timezone.now()
    followers = [new_person(f"follower{index}") for index in range(EXTRA_FOLLOWERS)]
    Follow.objects.bulk_create(Follow(user=user, production=production) for user in followers)

    calls = []
    for index in range(EXTRA_CALLS):
        calls.append(
            Call(
                production=production,
                kind=CallKind.values[index % len(CallKind.values)],
                title_en=f"Call {index}",
                brief_en=f"Brief **{index}**.",
                deadline=None if index % 3 == 0 else now + timedelta(days=index - 3),
                is_open=index % 5 != 4,
                created_by=studio.producer,
            )
        )
    Call.objects.bulk_create(calls)

    team = [
        new_person(f"teammate{index}", display_name=f"Teammate {index}")
        for index in range(EXTRA_TEAM_MEMBERS)
    ]
    roles = [Role.CREW, Role.DIRECTOR, Role.MODERATOR, Role.PRODUCER]
    Membership.objects.bulk_create(
        Membership(production=production, user=user, role=roles[index % len(roles)])
        for index, user in enumerate(team)
    )
    guests = [
        new_person(f"guest{index + 1}", display_name=f"Guest {index + 1}")
        for index in range(EXTRA_INVITATIONS)
    ]
    Invitation.objects.bulk_create(
        Invitation(production=production, invitee=user, role=Role.CREW, invited_by=studio.producer)
        for user in guests
    )

    stages = list(Stage.values)
    others = Production.objects.bulk_create(
        Production(
            slug=f"film-{index}",
            title=f"Film {index}",
            logline_en=f"Logline {index}.",
            stage=stages[index % len(stages)],
            created_by=studio.producer,
        )
        for index in range(EXTRA_PRODUCTIONS)
    )
    Call.objects.bulk_create(
        Call(
            production=other,
            kind=CallKind.MUSIC,
            title_en=f"Score for {other.title}",
            created_by=studio.producer,
        )
        for other in others
    )
    Follow.objects.bulk_create(
        Follow(user=user, production=other) for other in others for user in followers[:5]
    )
    # The member follows many productions, is in several teams and is invited to others.
    Follow.objects.bulk_create(Follow(user=studio.member, production=other) for other in others[:12])
    Membership.objects.bulk_create(
        Membership(production=other, user=studio.member, role=Role.CREW) for other in others[:4]
    )
    Invitation.objects.bulk_create(
        Invitation(production=other, invitee=studio.member, role=Role.DIRECTOR, invited_by=studio.producer)
        for other in others[4:8]
    )
    skills = Skill.objects.bulk_create(
        Skill(slug=f"skill-{index}", name_en=f"Skill {index}", name_fr=f"Savoir-faire {index}")
        for index in range(EXTRA_SKILLS)
    )
    studio.member.profile.skills.add(*skills)
    studio.member.profile.languages = ["en", "fr", "pl"]
    studio.member.profile.links = [f"https://example.org/{index}" for index in range(5)]
    studio.member.profile.save()


@dataclass(frozen=True)
class Page:
    name: str
    viewer: str
    url: Callable[[Studio], str]


PAGES = [
    Page("home", "anonymous", lambda studio: "/"),
    Page("home", "member", lambda studio: "/"),
    Page("production list", "anonymous", lambda studio: "/productions/"),
    Page("production list", "producer", lambda studio: "/productions/"),
    Page("production page", "anonymous", lambda studio: f"/productions/{studio.production.slug}/"),
    Page("production page", "member", lambda studio: f"/productions/{studio.production.slug}/"),
    Page("production page", "producer", lambda studio: f"/productions/{studio.production.slug}/"),
    Page("call list", "anonymous", lambda studio: f"/productions/{studio.production.slug}/calls/"),
    Page("call list", "producer", lambda studio: f"/productions/{studio.production.slug}/calls/"),
    Page("call page", "anonymous", lambda studio: studio.call.get_absolute_url()),
    Page("call page", "director", lambda studio: studio.call.get_absolute_url()),
    Page("dashboard", "member", lambda studio: "/dashboard/"),
    Page("team page", "producer", lambda studio: f"/productions/{studio.production.slug}/team/"),
    Page("public profile", "anonymous", lambda studio: f"/people/{studio.member.username}/"),
    Page("public profile", "producer", lambda studio: f"/people/{studio.member.username}/"),
]


def render(client: Client, url: str) -> tuple[int, list[str]]:
    """The page's status and the SQL it ran."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response.status_code, [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("page", PAGES, ids=[f"{page.name} ({page.viewer})" for page in PAGES])
def test_page_runs_a_fixed_number_of_queries(studio: Studio, page: Page) -> None:
    start_small(studio)
    client = client_for(studio.person(page.viewer))
    url = page.url(studio)
    render(client, url)  # first request fills per-process caches (content types, translations)

    small_status, small_queries = render(client, url)
    grow(studio)
    large_status, large_queries = render(client, url)

    assert small_status == large_status == 200
    assert len(large_queries) == len(small_queries), "\n".join(
        [f"{len(small_queries)} queries with little data, {len(large_queries)} with more:", *large_queries]
    )
    assert len(small_queries) > 0


def test_production_page_shows_the_grown_studio(studio: Studio) -> None:
    """The figures behind the constant query count are the real ones, not a truncated sample."""
    start_small(studio)
    grow(studio)
    body = client_for(None).get(studio.production.get_absolute_url()).content.decode()
    assert f"{1 + EXTRA_FOLLOWERS} followers" in body
    assert "Teammate 9" in body
