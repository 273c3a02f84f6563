"""The producer's release desk: who may do what, and bad input that leaves everything as it was."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backstage.core.errors import Conflict, NotAllowed, ServiceError
from backstage.media.models import Asset
from backstage.releases import rush, services
from backstage.releases.models import AudioTrack, Release, ReleaseFile, Screening, Subtitle
from backstage.releases.tests.test_embargo import prepared  # noqa: F401 - a fixture
from conftest import ROLES, client_for

pytestmark = pytest.mark.django_db

TEAM_BUT_PRODUCER = ("director", "crew", "moderator")


def state() -> list[object]:
    return [
        list(Release.objects.order_by("pk").values()),
        list(AudioTrack.objects.order_by("pk").values()),
    ]


def another_asset(studio, **fields) -> Asset:
    values = {
        "owner": studio.producer,
        "production": studio.production,
        "name": "other.mp4",
        "kind": Asset.Kind.VIDEO,
        "status": Asset.Status.READY,
        "probe": {"format_name": "mov", "duration": 3.0, "streams": [{"type": "audio", "index": 0}]},
    }
    values.update(fields)
    return Asset.objects.create(**values)


@pytest.mark.parametrize("role", ROLES)
def test_only_producers_create_releases(studio, film, role):
    client = client_for(studio.person(role))
    moment = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/productions/{studio.production.slug}/releases/new/",
        {
            "title": "Varsovie-Express",
            "license": "LAL-1.3",
            "film": film.pk,
            "moment_local": moment,
            "time_zone": "Europe/Warsaw",
        },
    )
    created = Release.objects.filter(slug="varsovie-express").first()
    if role == "producer":
        assert response.status_code == 302 and created is not None
        # 20:00 typed in Warsaw is stored as the instant it means.
        local = created.moment.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Warsaw"))
        assert local.strftime("%Y-%m-%dT%H:%M") == moment
    else:
        assert created is None
        assert response.status_code == {"anonymous": 302, **dict.fromkeys(TEAM_BUT_PRODUCER, 403)}.get(
            role, 404
        )


@pytest.mark.parametrize(
    ("local", "zone"), [("9999-12-31T23:00", "America/Los_Angeles"), ("0001-01-01T00:00", "Asia/Tokyo")]
)
def test_a_moment_at_the_ends_of_the_calendar_is_refused_and_the_form_kept(studio, film, local, zone):
    response = client_for(studio.producer).post(
        f"/productions/{studio.production.slug}/releases/new/",
        {"title": "Varsovie-Express", "film": film.pk, "moment_local": local, "time_zone": zone},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "The date must fall between 1970 and 9000." in page
    assert 'value="Varsovie-Express"' in page and f'value="{zone}" selected' in page
    assert not Release.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_the_desk_and_its_actions_are_the_producers(studio, release, role):
    client = client_for(studio.person(role))
    base = f"/productions/{studio.production.slug}/releases/{release.slug}/manage/"
    before = state()
    pages = [client.get(base), client.post(base + "publish-teaser/"), client.post(base + "delete/")]
    if role == "producer":
        assert pages[0].status_code == 200 and pages[1].status_code == 302
        assert not Release.objects.filter(pk=release.pk).exists()
        return
    expected = {"anonymous": 302, **dict.fromkeys(TEAM_BUT_PRODUCER, 403)}.get(role, 404)
    assert [page.status_code for page in pages] == [expected] * 3
    assert state() == before


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"moment": timezone.now() - timedelta(minutes=1)}, "moment_in_past", "moment"),
        ({"title": "   "}, "required", "title"),
        ({"slug": "!!!"}, "bad_slug", "slug"),
    ],
)
def test_bad_release_details_are_refused_and_nothing_changes(studio, release, change, code, field):
    values = {
        "title": release.title, "slug": release.slug, "synopsis_en": "", "synopsis_fr": "",
        "film": release.film, "trailer": None, "poster": None, "moment": release.moment,
    }  # fmt: skip
    values.update(change)
    before = state()
    with pytest.raises(ServiceError) as refused:
        services.update_release(actor=studio.producer, release=release, **values)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert state() == before


def test_the_film_cannot_be_its_own_trailer(studio, release, film):
    before = state()
    with pytest.raises(ServiceError) as refused:
        services.update_release(
            actor=studio.producer, release=release, title=release.title, slug=release.slug, synopsis_en="",
            synopsis_fr="", film=film, trailer=film, poster=None, moment=release.moment,
        )  # fmt: skip
    assert (refused.value.code, refused.value.field) == ("trailer_is_film", "trailer")
    assert state() == before


def test_assets_must_be_the_productions_ready_and_of_the_right_kind_and_license(studio, release, film):
    producer = studio.producer
    elsewhere = another_asset(studio, production=None)
    processing = another_asset(studio, status=Asset.Status.PROCESSING)
    picture = another_asset(studio, kind=Asset.Kind.IMAGE)
    # The GPL and the Free Art License may not include each other: a GPL file stays out of an LAL film.
    gpl = another_asset(studio, license="GPL-3.0-or-later")
    cases = [
        (dict(film=elsewhere), "asset_elsewhere"),
        (dict(film=processing), "asset_not_ready"),
        (dict(film=picture), "wrong_kind"),
        (dict(film=gpl), "license_incompatible"),
        (dict(poster=film), "wrong_kind"),
    ]
    for change, code in cases:
        values = {
            "title": "T", "slug": "t", "synopsis_en": "", "synopsis_fr": "",
            "film": film, "trailer": None, "poster": None, "moment": timezone.now() + timedelta(days=1),
        }  # fmt: skip
        values.update(change)
        with pytest.raises(ServiceError) as refused:
            services.create_release(actor=producer, production=studio.production, **values)
        assert refused.value.code == code, change
        assert "“" in str(refused.value.message)
    assert Release.objects.count() == 1


def test_a_release_without_its_film_or_files_cannot_be_scheduled(studio, release):
    Release.objects.filter(pk=release.pk).update(scheduled=False)
    with pytest.raises(ServiceError) as refused:
        services.schedule(actor=studio.producer, release=release)
    assert refused.value.code == "files_not_ready"
    empty = services.create_release(actor=studio.producer, production=studio.production, title="Teaser only")
    with pytest.raises(ServiceError) as refused:
        services.schedule(actor=studio.producer, release=empty)
    assert refused.value.code == "no_film"
    with pytest.raises(ServiceError) as refused:
        services.prepare_files(actor=studio.producer, release=empty)
    assert refused.value.code == "no_film"
    assert not Release.objects.filter(scheduled=True).exists()


def test_a_released_film_can_no_longer_be_changed(studio, release):
    Release.objects.filter(pk=release.pk).update(moment=timezone.now() - timedelta(minutes=1))
    release.refresh_from_db()
    for attempt in (
        lambda: services.postpone(actor=studio.producer, release=release),
        lambda: services.delete_release(actor=studio.producer, release=release),
        lambda: services.publish_teaser(actor=studio.producer, release=release, published=False),
    ):
        with pytest.raises(Conflict):
            attempt()
    assert Release.objects.filter(pk=release.pk, scheduled=True).exists()


def test_audio_tracks_are_checked(studio, release):
    producer = studio.producer
    silent_film = {"format_name": "mov", "duration": 3.0, "streams": [{"type": "video", "index": 0}]}
    Asset.objects.filter(pk=release.film_id).update(probe=silent_film)
    release.refresh_from_db()
    cases = [
        (dict(asset=None), "film_has_no_sound"),
        (
            dict(
                asset=another_asset(
                    studio,
                    probe={
                        "format_name": "mov",
                        "duration": 60.0,
                        "streams": [{"type": "audio", "index": 0}],
                    },
                )
            ),
            "length_mismatch",
        ),
        (dict(asset=another_asset(studio, probe={"format_name": "mov", "streams": []})), "no_sound"),
        (dict(asset=another_asset(studio), language="klingon"), "bad_language"),
        (dict(asset=another_asset(studio), label=" "), "required"),
        (dict(asset=another_asset(studio), kind="karaoke"), "bad_kind"),
    ]
    for change, code in cases:
        values = {"kind": "dub", "language": "pl", "label": "Polski"}
        values.update(change)
        with pytest.raises(ServiceError) as refused:
            services.add_audio_track(actor=producer, release=release, **values)
        assert refused.value.code == code, change
    assert not AudioTrack.objects.exists()
    with pytest.raises(NotAllowed):
        services.add_audio_track(
            actor=studio.director,
            release=release,
            asset=another_asset(studio),
            kind="dub",
            language="pl",
            label="P",
        )
    track = services.add_audio_track(
        actor=producer,
        release=release,
        asset=another_asset(studio),
        kind="dub",
        language="PL",
        label="Polski",
    )
    assert (track.language, track.is_default) == ("pl", True)


def test_the_film_page_costs_the_same_queries_whatever_the_release_holds(studio, prepared):  # noqa: F811
    client = client_for(studio.producer)
    address = f"/productions/{studio.production.slug}/releases/{prepared.slug}/"
    client.get(address)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        return len(queries)

    few = count()
    for number in range(12):
        ReleaseFile.objects.create(
            release=prepared, kind="audio", label=f"x{number}", name=f"x{number}.m4a", path="x", size=1
        )
        Subtitle.objects.create(release=prepared, language=f"x{number}", label="X", text="WEBVTT\n")
        AudioTrack.objects.create(release=prepared, kind="dub", language="pl", label=f"P{number}")
        Screening.objects.create(
            release=prepared, venue="Kino", city="Warszawa", country="PL", local_start=timezone.now(),
            time_zone="Europe/Warsaw", starts_at=timezone.now() + timedelta(days=1), language="fr",
        )  # fmt: skip
    assert count() == few


def test_a_postponed_release_s_premiere_page_announces_no_moment(studio, prepared):  # noqa: F811
    Release.objects.filter(pk=prepared.pk).update(teaser_published=True)
    address = f"/productions/{studio.production.slug}/releases/{prepared.slug}/"
    assert "data-countdown" in client_for(None).get(address).content.decode()
    services.postpone(actor=studio.producer, release=Release.objects.get(pk=prepared.pk))
    rush.forget_all()  # the seconds each process keeps the page in memory have passed
    page = client_for(None).get(address).content.decode()
    assert "data-countdown" not in page and "at the same moment" not in page
    assert "Varsovie-Express" in page


def test_the_film_page_says_what_it_is_to_machines(studio, prepared):  # noqa: F811
    import json
    import re

    client = client_for(studio.producer)
    html = client.get(f"/productions/{studio.production.slug}/releases/{prepared.slug}/").content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "Movie" and data["name"] == "Varsovie-Express"
    assert data["license"] == "https://artlibre.org/licence/lal/"
    assert data["video"]["contentUrl"].endswith("/files/varsovie-express-240p.mp4")
    assert data["subtitleLanguage"] == ["pl"]
    # What is not known is left out, rather than said empty (no poster, no duration here).
    assert "thumbnailUrl" not in data["video"] and "duration" not in data and "image" not in data
    assert '<meta property="og:type" content="video.movie">' in html
    assert 'kind="subtitles" srclang="pl"' in html


def test_the_voices_of_a_dub_are_credited(studio, release):
    from backstage.licensing.credits import build_credits, credits_as_text

    services.add_audio_track(
        actor=studio.producer, release=release, asset=another_asset(studio), kind="dub", language="pl",
        label="Polski", attribution="Ania Kowalska",
    )  # fmt: skip
    text = credits_as_text(build_credits(studio.production))
    assert "Ania Kowalska" in text and "Dubbed version (Polish)" in text


def test_the_synopsis_is_markdown_with_nothing_active(studio, release):
    Release.objects.filter(pk=release.pk).update(
        synopsis_en="Six **strangers**.<script>alert(1)</script> [x](javascript:alert(2))"
    )
    html = client_for(studio.producer).get(f"/productions/{studio.production.slug}/releases/{release.slug}/")
    body = html.content.decode()
    assert "<strong>strangers</strong>" in body
    assert "<script>alert" not in body and 'href="javascript:' not in body


def test_a_preparation_overtaken_by_a_change_is_thrown_away(studio, release, tmp_path):
    from backstage.releases.build import _switch_to

    services.add_audio_track(
        actor=studio.producer,
        release=release,
        asset=another_asset(studio),
        kind="dub",
        language="pl",
        label="P",
    )
    with pytest.raises(Conflict):
        services.add_audio_track(
            actor=studio.producer,
            release=release,
            asset=another_asset(studio),
            kind="dub",
            language="pl",
            label="P2",
        )
    Release.objects.filter(pk=release.pk).update(build=Release.Build.RUNNING, build_token="old")
    # The producer changes a track while the files are made: the preparation under way is out of date.
    services.remove_audio_track(actor=studio.producer, track=AudioTrack.objects.get(release=release))
    folder = tmp_path / "build"
    folder.mkdir()
    assert _switch_to(release, folder, [], token="old") is False
    release.refresh_from_db()
    assert release.build == Release.Build.NONE and not release.build_folder


def test_a_release_moment_the_clocks_show_twice_is_refused(studio, film):
    client = client_for(studio.producer)
    response = client.post(
        f"/productions/{studio.production.slug}/releases/new/",
        {
            "title": "Varsovie-Express",
            "film": film.pk,
            "moment_local": "2027-10-31T02:30",
            "time_zone": "Europe/Warsaw",
        },
    )
    assert response.status_code == 200 and "happens twice" in response.content.decode()
    assert "Varsovie-Express" in response.content.decode()  # what was typed is kept
    assert not Release.objects.filter(slug="varsovie-express").exists()


@pytest.mark.parametrize(
    ("problem", "shown", "hidden"),
    [
        ("timeout", "Processing took too long and was stopped.", "timeout"),
        ("KeyError", "", "KeyError"),  # a programming error is the studio's log, not the producer's
    ],
)
def test_a_failed_preparation_says_why_in_words(studio, release, problem, shown, hidden):
    Release.objects.filter(pk=release.pk).update(build=Release.Build.FAILED, build_problem=problem)
    client = client_for(studio.producer)
    base = f"/productions/{studio.production.slug}/releases/{release.slug}/manage/"
    for response in (client.get(base), client.get(base + "progress/")):
        page = response.content.decode()
        assert response.status_code == 200
        assert "Preparing the files failed." in page and shown in page
        assert hidden not in page


def test_a_release_s_credits_hold_its_own_dub_and_subtitles_not_those_of_another(studio, release):
    from backstage.releases import subtitle_services
    from backstage.releases.tests.subtitle_fixtures import upload

    services.add_audio_track(
        actor=studio.producer, release=release, asset=another_asset(studio), kind="dub", language="pl",
        label="Polski", attribution="Ania Kowalska",
    )  # fmt: skip
    subtitle_services.add_subtitles(actor=studio.crew, release=release, language="pl", file=upload())
    earlier = Release.objects.create(
        production=studio.production, slug="work-in-progress", title="Varsovie-Express (work in progress)",
        film=release.film, license=release.license, moment=timezone.now() - timedelta(days=1), scheduled=True,
        created_by=studio.producer,
    )  # fmt: skip
    anonymous = client_for(None)
    base = f"/productions/{studio.production.slug}/releases/"
    # The public release is out; the other one, still under embargo, keeps its dub and translators to itself.
    for address in (f"{earlier.slug}/credits.txt", f"{earlier.slug}/credits.json", f"{earlier.slug}/"):
        response = anonymous.get(base + address)
        assert response.status_code == 200
        page = response.content.decode()
        assert (
            "Ania Kowalska" not in page and "Dubbed version" not in page and "Subtitles (Polish)" not in page
        )
    own = client_for(studio.producer).get(base + f"{release.slug}/credits.txt").content.decode()
    assert "Ania Kowalska" in own and "crew — Subtitles (Polish)" in own


@pytest.mark.parametrize(
    ("change", "stays_ready"),
    [({"synopsis_en": "A new synopsis."}, True), ({"days": 2}, False), ({"poster": "new"}, False)],
)
def test_what_the_prepared_files_hold_takes_the_release_back_to_preparation(
    studio, release, change, stays_ready
):
    Release.objects.filter(pk=release.pk).update(build=Release.Build.READY, build_folder="releases/x/build-1")
    release.refresh_from_db()
    values = {
        "title": release.title, "slug": release.slug, "synopsis_en": change.get("synopsis_en", ""),
        "synopsis_fr": "", "film": release.film, "trailer": None, "poster": release.poster,
        "moment": release.moment + timedelta(days=change.get("days", 0)),
    }  # fmt: skip
    if change.get("poster"):
        values["poster"] = another_asset(
            studio, name="poster.png", kind=Asset.Kind.IMAGE, probe={}, license=studio.production.license
        )
    updated = services.update_release(actor=studio.producer, release=release, **values)
    # The cinema kit's README, the archives' dates and the copyright year hold the moment; the kit the poster.
    assert (updated.build == Release.Build.READY, updated.scheduled) == (stays_ready, stays_ready)


def test_a_stopped_worker_leaves_a_failed_preparation_and_no_folder(studio, release, monkeypatch):
    from backstage.releases import build
    from backstage.releases.files import release_folder

    def stopped(*args, **kwargs):
        raise SystemExit(1)  # what the worker does when told twice to stop

    monkeypatch.setattr(build, "_make_everything", stopped)
    Release.objects.filter(pk=release.pk).update(build=Release.Build.RUNNING, build_token="t")
    with pytest.raises(SystemExit):
        build.build(release.pk, token="t")
    release.refresh_from_db()
    assert release.build == Release.Build.FAILED
    assert not list(release_folder(release.pk).glob("build-*"))


def test_the_current_files_replace_every_earlier_folder(studio, release):
    from backstage.releases.build import _switch_to
    from backstage.releases.files import release_folder

    earlier = [release_folder(release.pk) / name for name in ("build-previous", "build-killed-outright")]
    current = release_folder(release.pk) / "build-current"
    for folder in [*earlier, current]:
        folder.mkdir(parents=True)
    Release.objects.filter(pk=release.pk).update(
        build=Release.Build.RUNNING, build_token="t", build_folder="releases/x/build-previous"
    )
    assert _switch_to(release, current, [], token="t") is True
    assert [path.name for path in release_folder(release.pk).iterdir()] == ["build-current"]


def test_the_desk_says_when_the_subtitles_differ_from_the_prepared_files(studio, release):
    import hashlib

    from backstage.releases import subtitle_services
    from backstage.releases.subtitle_services import CueDraft
    from backstage.releases.tests.subtitle_fixtures import upload

    hint = "Subtitles changed since the files were prepared"
    desk = f"/productions/{studio.production.slug}/releases/{release.slug}/manage/"
    client = client_for(studio.producer)
    polish = subtitle_services.add_subtitles(
        actor=studio.crew, release=release, language="pl", file=upload()
    ).subtitle
    assert hint not in client.get(desk).content.decode()  # nothing prepared yet

    def prepared_with(*subtitles: Subtitle) -> None:
        # The files as the preparation leaves them: each language as WebVTT and SubRip.
        ReleaseFile.objects.filter(release=release).delete()
        ReleaseFile.objects.create(release=release, kind="cinema_kit", name="kit.zip", path="kit.zip")
        for item in subtitles:
            for suffix in ("vtt", "srt"):
                ReleaseFile.objects.create(
                    release=release, kind="subtitle", language=item.language, label=f"{item.language}-{suffix}",
                    name=f"film.{item.language}.{suffix}", path=f"film.{item.language}.{suffix}",
                    sha256=hashlib.sha256(item.text.encode()).hexdigest() if suffix == "vtt" else "",
                )  # fmt: skip
        Release.objects.filter(pk=release.pk).update(built_at=timezone.now() + timedelta(minutes=1))

    prepared_with(polish)
    assert hint not in client.get(desk).content.decode()
    # An edit saved while the files were being made (before they were finished) still counts.
    subtitle_services.save_cues(actor=studio.crew, subtitle=polish, drafts=[CueDraft("1", "2", "Tak.")])
    assert hint in client.get(desk).content.decode()
    polish.refresh_from_db()
    prepared_with(polish)
    assert hint not in client.get(desk).content.decode()
    subtitle_services.delete_subtitles(actor=studio.producer, subtitle=polish)
    assert hint in client.get(desk).content.decode()
    prepared_with()
    assert hint not in client.get(desk).content.decode()
    subtitle_services.add_subtitles(actor=studio.crew, release=release, language="fr", file=upload())
    assert hint in client.get(desk).content.decode()
