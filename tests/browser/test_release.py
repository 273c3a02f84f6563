"""The release day in a browser: refused before the moment, then the film with its subtitles and dub."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backstage.releases import rush, screenings
from backstage.releases.models import Release
from backstage.releases.tests.test_build import made, prepare

from .conftest import DESKTOP, PHONE, SCREENSHOTS

pytestmark = pytest.mark.browser


def test_the_public_is_refused_before_the_moment_then_watches_with_subtitles(
    studio, live_server, open_page, axe_audit, django_capture_on_commit_callbacks
):
    release = prepare(studio, django_capture_on_commit_callbacks)
    address = f"/productions/{studio.production.slug}/releases/{release.slug}/"
    page = open_page(locale="fr-FR")

    before = page.goto(address)
    assert before.status == 404
    stream = page.evaluate(f"() => fetch('{address}stream/master.m3u8').then(r => r.status)")
    assert stream == 404

    # The moment passes: nobody presses anything.
    Release.objects.filter(pk=release.pk).update(moment=timezone.now() - timedelta(seconds=1))
    rush.forget_all()  # moved by hand, the moment would otherwise wait for the memory to expire
    problems: list[str] = []
    after = page.goto(address)
    assert after.status == 200
    problems += axe_audit(page, "film page")
    video = page.locator("video.film-player")
    video.wait_for()
    page.wait_for_function("() => document.querySelector('video.film-player').dataset.player === 'hls.js'")
    # Both audio tracks are offered: the original and the Polish dub.
    page.locator(".player-tools").wait_for(state="visible", timeout=20_000)
    options = page.locator(".audio-track-select option").all_inner_texts()
    assert options == ["Français", "Polski"]
    page.locator(".audio-track-select").select_option(label="Polski")
    page.wait_for_function("() => document.querySelector('video.film-player').hls.audioTrack === 1")

    video.evaluate(
        """v => { for (const track of v.textTracks) track.mode = track.language === 'pl' ? 'showing' : 'disabled';
                  v.muted = true; return v.play(); }"""
    )
    page.wait_for_function(
        "() => { const t = document.querySelector('video.film-player').textTracks[0];"
        " return t.activeCues && t.activeCues.length > 0; }",
        timeout=20_000,
    )
    cue = video.evaluate("v => v.textTracks[0].activeCues[0].text")
    assert cue in ("Dobry wieczór.", "Bilety, proszę.")
    magnet = page.locator("#downloads").get_by_role("link", name="Lien magnet")
    assert magnet.get_attribute("href").startswith("magnet:?xt=urn:btih:")
    assert not problems, "\n".join(problems)


def test_film_page_screenshots(studio, live_server, open_page, django_capture_on_commit_callbacks):
    release = prepare(studio, django_capture_on_commit_callbacks)
    poster = made(
        studio, "poster.png", "image/png",
        ["-f", "lavfi", "-i", "testsrc2=size=400x600", "-frames:v", "1", "-c:v", "png", "-f", "image2"],
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    Release.objects.filter(pk=release.pk).update(
        teaser_published=True,
        poster=poster,
        synopsis_en="Between Paris and Warsaw, six strangers share a compartment and a suitcase nobody claims.",
        synopsis_fr="Entre Paris et Varsovie, six inconnus partagent un compartiment et une valise que personne ne réclame.",
    )
    for venue, city, country, zone in (
        ("Kino Muranów", "Warszawa", "PL", "Europe/Warsaw"),
        ("Le Grand Action", "Paris", "FR", "Europe/Paris"),
        ("Cinéma du Parc", "Montréal", "CA", "America/Toronto"),
    ):
        screenings.add_screening(
            actor=studio.producer, release=release, venue=venue, city=city, country=country, time_zone=zone,
            local_start=(timezone.now() + timedelta(days=3)).replace(hour=20, minute=0, tzinfo=None),
            language="fr", subtitles="pl",
        )  # fmt: skip
    address = f"/productions/{studio.production.slug}/releases/{release.slug}/"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for phase in ("premiere", "released"):
        if phase == "released":
            Release.objects.filter(pk=release.pk).update(moment=timezone.now() - timedelta(seconds=1))
            rush.forget_all()
        for language, locale in (("en", "en-US"), ("fr", "fr-FR")):
            for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
                page = open_page(locale=locale, viewport=viewport, is_mobile=width == "phone")
                assert page.goto(address).status == 200
                page.screenshot(path=SCREENSHOTS / f"{language}-{width}-release-{phase}.png", full_page=True)
                overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{phase} {language} {width} scrolls sideways by {overflow}px"
                page.context.close()
