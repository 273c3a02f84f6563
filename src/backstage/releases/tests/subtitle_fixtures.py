"""What the subtitle tests share: a translator, a subtitle file, subtitles on the release, each role's person."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from backstage.accounts.models import User
from backstage.contributions import services as contribution_services
from backstage.productions.models import Call, CallKind
from backstage.releases import subtitle_services
from backstage.releases.models import Release, Subtitle
from conftest import ROLES, make_user

# Star-imported by the test modules, so that pytest finds the fixtures there.
__all__ = ["people", "subtitle", "translation_call", "translator"]

# Every kind of person the subtitle rules tell apart.
SUBTITLE_ROLES = [*ROLES, "translator"]
EDITORS = {"producer", "director", "crew", "translator"}

POLISH = b"""WEBVTT

00:00:01.000 --> 00:00:04.000
Gdzie jest walizka?

00:00:04.500 --> 00:00:06.000
<i>W nocnym poci\xc4\x85gu</i>

00:00:07.000 --> 00:00:09.000
Do Warszawy.
"""


def upload(content: bytes = POLISH, name: str = "polish.vtt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/vtt")


@pytest.fixture
def translation_call(studio) -> Call:
    return Call.objects.create(
        production=studio.production,
        kind=CallKind.TRANSLATION,
        title_en="Polish subtitles",
        brief_en="Translate the dialogue into Polish.",
        created_by=studio.producer,
    )


@pytest.fixture
def translator(studio, translation_call) -> User:
    """A member whose translation the team accepted."""
    person = make_user("translator")
    contribution = contribution_services.submit_contribution(
        actor=person,
        call=translation_call,
        title="Polish dialogue",
        description="",
        license="CC-BY-SA-4.0",
        links=[],
    )
    contribution_services.review_contribution(
        actor=studio.producer, contribution=contribution, status="accepted"
    )
    return person


@pytest.fixture
def people(studio, translator):
    """The user for each role name ("anonymous" gives None)."""

    def person(role: str) -> User | None:
        return translator if role == "translator" else studio.person(role)

    return person


@pytest.fixture
def subtitle(release, studio) -> Subtitle:
    return subtitle_services.add_subtitles(
        actor=studio.producer, release=release, language="pl", file=upload()
    ).subtitle


def open_release(release: Release) -> None:
    """Move the release moment into the past: the film and its subtitles are public."""
    release.moment = timezone.now() - timedelta(hours=1)
    release.save()
