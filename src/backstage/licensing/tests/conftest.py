"""Fixtures of the credits' tests: the credits pages mounted, and contributions accepted through the services."""

import pytest
from django.urls import NoReverseMatch, reverse

from backstage.accounts.models import User
from backstage.contributions import services as contribution_services
from backstage.contributions.models import Contribution
from backstage.productions.models import Call, CallKind, Production


@pytest.fixture(autouse=True)
def _credits_mounted(settings):
    # The site mounts the credits under productions/<slug>/credits/; until it does, the tests do.
    try:
        reverse("credits:page", kwargs={"slug": "any"})
    except NoReverseMatch:
        settings.ROOT_URLCONF = "backstage.licensing.tests.urls"


def make_call(production: Production, kind: str, title: str, *, by: User) -> Call:
    return Call.objects.create(
        production=production, kind=kind, title_en=title, title_fr=title, created_by=by
    )


def contribute(call: Call, author: User, title: str, *, license: str = "CC-BY-SA-4.0") -> Contribution:
    return contribution_services.submit_contribution(
        actor=author, call=call, title=title, description="", license=license, links=[]
    )


def review(contribution: Contribution, status: str, *, by: User) -> Contribution:
    contribution_services.review_contribution(actor=by, contribution=contribution, status=status)
    contribution.refresh_from_db()
    return contribution


@pytest.fixture
def music_call(studio) -> Call:
    return make_call(studio.production, CallKind.MUSIC, "Main theme", by=studio.producer)


@pytest.fixture
def accept(studio):
    """Submit and accept a contribution: accept(author, title, call=None, license=...)."""

    def accept(
        author: User, title: str, *, call: Call | None = None, license: str = "CC-BY-SA-4.0"
    ) -> Contribution:
        contribution = contribute(call or studio.call, author, title, license=license)
        return review(contribution, "accepted", by=studio.producer)

    return accept
