"""Fixtures shared by every test: a studio with one person in each role."""

from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import translation

from backstage.accounts.models import User
from backstage.productions.models import Call, CallKind, Membership, Production, Role
from backstage.releases import rush

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_tests(settings, tmp_path):
    # Fast hashing for the many accounts tests create; Argon2 itself is asserted in test_settings.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TUS_UPLOAD_DIR = tmp_path / "uploads"
    # Tests serve static files from the apps' folders, as in development: no collectstatic needed.
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_USE_FINDERS = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Each test starts in English: a French request earlier in the same process leaves its language active.
    translation.activate("en")
    # Pages kept in memory for the release-day rush belong to the test that made them.
    rush.forget_all()
    yield
    translation.deactivate()


def make_user(username: str, **extra) -> User:
    user = User.objects.create_user(
        username=username, email=f"{username}@example.org", password=PASSWORD, **extra
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@dataclass
class Studio:
    production: Production
    call: Call
    producer: User
    director: User
    crew: User
    moderator: User
    member: User
    staff: User
    inactive: User

    def person(self, role: str) -> User | None:
        """The user for a role name used in parametrised tests ("anonymous" gives None)."""
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def studio(db) -> Studio:
    producer = make_user("producer")
    producer.user_permissions.add(Permission.objects.get(codename="add_production"))
    production = Production.objects.create(
        slug="varsovie-express",
        title="Varsovie-Express",
        logline_en="A night train to Warsaw.",
        logline_fr="Un train de nuit pour Varsovie.",
        synopsis_en="Six strangers and a suitcase.",
        created_by=producer,
    )
    people = {"producer": producer}
    for role in (Role.DIRECTOR, Role.CREW, Role.MODERATOR):
        people[role] = make_user(role)
    for role, user in people.items():
        Membership.objects.create(production=production, user=user, role=role)
    call = Call.objects.create(
        production=production,
        kind=CallKind.CAST,
        title_en="Casting: Ania",
        title_fr="Casting : Ania",
        brief_en="An actress for **Ania**.",
        created_by=producer,
    )
    return Studio(
        production=production,
        call=call,
        producer=producer,
        director=people[Role.DIRECTOR],
        crew=people[Role.CREW],
        moderator=people[Role.MODERATOR],
        member=make_user("member"),
        staff=make_user("staff", is_staff=True),
        inactive=make_user("inactive", is_active=False),
    )


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


ROLES = ["anonymous", "member", "crew", "moderator", "director", "producer", "staff"]
