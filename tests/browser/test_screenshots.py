"""Screenshots of the main pages, in English and French, at a phone's width and a desktop's.

They land in test-artifacts/screenshots/ (git-ignored) for people to look at, named
``<language>-<phone|desktop>-<page>.png``. The test fails only when a page does not load or scrolls
sideways: at 390 px nothing should be wider than the screen.
"""

import shutil
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from backstage.contributions import services as contribution_services
from backstage.contributions.tests.conftest import png_upload
from backstage.media import ingest
from backstage.media.models import Asset, Upload
from backstage.media.tests.clips import Clips
from backstage.productions import services

from .conftest import DESKTOP, PHONE, SCREENSHOTS

pytestmark = pytest.mark.browser

WIDTHS = {"phone": PHONE, "desktop": DESKTOP}


def ingested_clip(owner, clip, name: str) -> Asset:
    """A video taken through verification and processing, as after an upload."""
    size = clip.stat().st_size
    upload = Upload.objects.create(
        owner=owner, length=size, offset=size, metadata={"filename": name}, status=Upload.Status.COMPLETE,
        expires_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    ingest.part_path(upload).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(clip, ingest.part_path(upload))
    asset = ingest.upload_finished(upload)
    asset.refresh_from_db()
    assert asset.status == Asset.Status.READY, asset.problem_detail
    return asset


LOCALES = {"en": "en-US", "fr": "fr-FR"}


def test_main_pages_at_phone_and_desktop_widths_in_both_languages(studio, live_server, open_page, tmp_path):
    services.follow(actor=studio.member, production=studio.production)
    video = ingested_clip(studio.member, Clips(tmp_path)["video.mp4"], "Ania, self-tape (take 3).mp4")
    work = contribution_services.submit_contribution(
        actor=studio.crew, call=studio.call, title="Ania, self-tape", description="Scene *Compartiment 6*.",
        license="CC-BY-SA-4.0", links=["https://video.example.org/ania"], files=[png_upload()],
    )  # fmt: skip
    contribution_services.review_contribution(
        actor=studio.director, contribution=work, status="shortlisted", note="Lovely."
    )
    client = Client()
    client.force_login(studio.member)
    session = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }
    anonymous_pages = {
        "home": "/",
        "productions": "/productions/",
        "production": studio.production.get_absolute_url(),
        "call": studio.call.get_absolute_url(),
        "contributions": f"/productions/{studio.production.slug}/calls/{studio.call.pk}/contributions/",
        "contribution": work.get_absolute_url(),
        "licenses": "/licenses/",
        "login": "/accounts/login/",
        "signup": "/accounts/signup/",
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    overflowing = []

    def shoot(page, url: str, name: str) -> None:
        response = page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        extra = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if extra > 0:
            overflowing.append(f"{name}.png: {url} is {extra}px wider than the window")

    for language, locale in LOCALES.items():
        for width, viewport in WIDTHS.items():
            page = open_page(locale=locale, viewport=viewport, is_mobile=width == "phone")
            for page_name, url in anonymous_pages.items():
                shoot(page, url, f"{language}-{width}-{page_name}")
            page.context.add_cookies([{**session, "url": live_server.url}])
            shoot(page, "/dashboard/", f"{language}-{width}-dashboard")
            shoot(page, "/assets/", f"{language}-{width}-files")
            shoot(page, "/assets/upload/", f"{language}-{width}-upload")
            shoot(page, f"/assets/{video.pk}/", f"{language}-{width}-video")
            shoot(
                page,
                f"/productions/{studio.production.slug}/calls/{studio.call.pk}/contribute/",
                f"{language}-{width}-contribute",
            )
            page.context.close()

    assert not overflowing, "pages scroll sideways:\n" + "\n".join(overflowing)
