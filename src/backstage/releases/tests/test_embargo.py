"""The embargo: before the moment every kind of release address answers 404 to all but the team; at the
moment, everything opens at once without anyone pressing a button."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from freezegun import freeze_time

import backstage.urls  # noqa: F401 - built before time is frozen: the API schemas hold datetime types
from backstage.releases.files import relative_to_media, release_folder, torrent_folder_name
from backstage.releases.models import Release, ReleaseFile, Subtitle
from conftest import ROLES, client_for

pytestmark = pytest.mark.django_db

TEAM = {"producer", "director", "crew", "moderator"}
FILM = b"film bytes " * 100
VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nDzień dobry.\n"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def prepared(release: Release) -> Release:
    """The release as its build leaves it: streams, downloads, a torrent, subtitles."""
    folder = release_folder(release.pk) / "build-test"
    (folder / "stream" / "video-240p").mkdir(parents=True)
    (folder / "stream" / "master.m3u8").write_text(
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nvideo-240p/index.m3u8\n"
    )
    (folder / "stream" / "video-240p" / "index.m3u8").write_text("#EXTM3U\n")
    (folder / "stream" / "video-240p" / "00000.m4s").write_bytes(b"segment")
    rows = []
    for kind, name, data in (
        (ReleaseFile.Kind.FILM, "varsovie-express-240p.mp4", FILM),
        (ReleaseFile.Kind.TORRENT, "varsovie-express.torrent", b"d4:infod4:name3:abcee"),
        (ReleaseFile.Kind.SOURCES, "varsovie-express-sources.zip", b"PK\x05\x06" + b"\x00" * 18),
        (ReleaseFile.Kind.CINEMA_KIT, "varsovie-express-cinema-kit.zip", b"PK\x05\x06" + b"\x00" * 18),
    ):
        (folder / name).write_bytes(data)
        rows.append(
            ReleaseFile(
                release=release, kind=kind, name=name, path=relative_to_media(folder / name), size=len(data),
                sha256="0" * 64, mime="application/octet-stream", license=release.license, info_hash="a" * 40,
            )
        )  # fmt: skip
    ReleaseFile.objects.bulk_create(rows)
    Subtitle.objects.create(release=release, language="pl", label="Polski", text=VTT, cue_count=1)
    Release.objects.filter(pk=release.pk).update(
        build=Release.Build.READY, build_folder=relative_to_media(folder), built_at=timezone.now()
    )
    release.refresh_from_db()
    return release


def film_addresses(release: Release) -> list[str]:
    base = f"/productions/{release.production.slug}/releases/{release.slug}/"
    stem = torrent_folder_name(release)
    return [
        base + "files/varsovie-express-240p.mp4",
        base + "files/varsovie-express.torrent",
        base + "files/varsovie-express-sources.zip",
        base + "files/varsovie-express-cinema-kit.zip",
        base + f"seed/{stem}/varsovie-express-240p.mp4",
        base + "stream/master.m3u8",
        base + "stream/video-240p/index.m3u8",
        base + "stream/video-240p/00000.m4s",
        base + "captions/pl.vtt",
        base + "credits/",
        base + "credits.txt",
        base + "credits.json",
        base + "embed/",
        f"/api/v1/productions/{release.production.slug}/releases/{release.slug}/credits",
    ]


def page_addresses(release: Release) -> list[str]:
    return [
        f"/productions/{release.production.slug}/releases/{release.slug}/",
        f"/api/v1/productions/{release.production.slug}/releases/{release.slug}",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_before_the_moment_only_the_team_gets_anything(studio, prepared, role):
    client = client_for(studio.person(role))
    expected = 200 if role in TEAM else 404
    with freeze_time(prepared.moment - timedelta(seconds=1)):
        for address in [*film_addresses(prepared), *page_addresses(prepared)]:
            assert client.get(address).status_code == expected, address


@pytest.mark.parametrize("role", ROLES)
def test_at_the_moment_everything_opens_for_everyone(studio, prepared, role):
    client = client_for(studio.person(role))
    with freeze_time(prepared.moment):
        for address in [*film_addresses(prepared), *page_addresses(prepared)]:
            response = client.get(address)
            assert response.status_code == 200, address
        assert b"".join(client.get(film_addresses(prepared)[0]).streaming_content) == FILM


def test_guessed_addresses_of_an_embargoed_release_look_like_nothing(studio, prepared):
    client = client_for(None)
    base = f"/productions/{studio.production.slug}/releases/"
    with freeze_time(prepared.moment - timedelta(hours=1)):
        real = client.get(base + "premiere/files/varsovie-express-240p.mp4")
        missing = client.get(base + "premiere/files/does-not-exist.mp4")
        unknown_release = client.get(base + "no-such-release/files/varsovie-express-240p.mp4")
        assert real.status_code == missing.status_code == unknown_release.status_code == 404
        # The stored file's own path under MEDIA_ROOT is not served either.
        path = ReleaseFile.objects.get(kind="film").path
        assert client.get(f"/media/{path}").status_code == 404


def test_addresses_holding_a_nul_or_a_broken_url_name_nothing(studio, prepared):
    base = f"/productions/{studio.production.slug}/releases/premiere/"
    with freeze_time(prepared.moment):
        for client in (client_for(None), client_for(studio.producer)):
            for address in ("files/a%00b.mp4", "seed/a%00b", "captions/p%00l.vtt", "stream/a%00.m3u8"):
                assert client.get(base + address).status_code == 404, address
            assert client.get("/oembed?url=http://[").status_code == 404


def test_the_film_s_own_file_stays_closed_even_when_attached_to_a_contribution(studio, prepared):
    from backstage.contributions import services as contribution_services

    film = prepared.film
    contribution_services.submit_contribution(
        actor=studio.producer, call=studio.call, title="Final cut", description="", license="CC0-1.0",
        links=[], assets=[film],
    )  # fmt: skip
    addresses = [f"/assets/{film.pk}/", f"/assets/{film.pk}/original/", f"/api/v1/assets/{film.pk}"]
    stranger, producer = client_for(studio.person("member")), client_for(studio.producer)
    with freeze_time(prepared.moment - timedelta(seconds=1)):
        assert [stranger.get(address).status_code for address in addresses] == [404] * 3
        assert [producer.get(address).status_code for address in addresses] == [200] * 3
    with freeze_time(prepared.moment):
        assert [stranger.get(address).status_code for address in addresses] == [200] * 3


def test_a_published_teaser_shows_the_page_but_not_the_film(studio, prepared):
    Release.objects.filter(pk=prepared.pk).update(teaser_published=True)
    client = client_for(studio.member)
    with freeze_time(prepared.moment - timedelta(days=1)):
        page = client.get(page_addresses(prepared)[0])
        assert page.status_code == 200
        html = page.content.decode()
        assert "Varsovie-Express" in html and "data-countdown" in html
        assert "stream/master.m3u8" not in html and "varsovie-express-240p.mp4" not in html
        api = client.get(page_addresses(prepared)[1]).json()
        assert api["files"] is None and api["stream"] is None and api["subtitles"] is None
        for address in film_addresses(prepared):
            assert client.get(address).status_code == 404, address


def test_an_unscheduled_release_stays_closed_after_its_moment(studio, prepared):
    Release.objects.filter(pk=prepared.pk).update(scheduled=False)
    with freeze_time(prepared.moment + timedelta(days=1)):
        for address in [*film_addresses(prepared), *page_addresses(prepared)]:
            assert client_for(studio.member).get(address).status_code == 404, address


def test_the_feed_and_oembed_follow_the_moment(studio, prepared):
    client = client_for(None)
    page = f"{settings.SITE_URL}/productions/{studio.production.slug}/releases/{prepared.slug}/"
    with freeze_time(prepared.moment - timedelta(seconds=1)):
        assert "Varsovie-Express" not in client.get("/releases/feed.atom").content.decode()
        assert client.get("/oembed", {"url": page}).status_code == 404
    with freeze_time(prepared.moment + timedelta(seconds=1)):
        feed = client.get("/releases/feed.atom")
        assert feed["Content-Type"].startswith("application/atom+xml")
        assert "Varsovie-Express" in feed.content.decode()
        embed = client.get("/oembed", {"url": page, "maxwidth": "640"})
        data = json.loads(embed.content)
        assert data["type"] == "video" and data["width"] == 640 and data["height"] == 360
        assert f"/releases/{prepared.slug}/embed/" in data["html"]
        assert client.get("/oembed", {"url": page, "format": "xml"}).status_code == 501


def test_the_feed_entry_is_the_sanitised_synopsis_with_the_site_s_addresses(studio, prepared):
    from xml.etree import ElementTree

    Release.objects.filter(pk=prepared.pk).update(
        synopsis_en="A **night** train <img src=x onerror=alert(1)> & a < b"
    )
    with freeze_time(prepared.moment + timedelta(seconds=1)):
        feed = ElementTree.fromstring(client_for(None).get("/releases/feed.atom").content)
    atom = "{http://www.w3.org/2005/Atom}"
    entry = feed.find(f"{atom}entry")
    summary = entry.find(f"{atom}summary")
    assert summary.get("type") == "html"
    assert "<strong>night</strong>" in summary.text and "<img" not in summary.text  # shown as text
    assert "&amp; a &lt; b" in summary.text and "Licence Art Libre 1.3" in summary.text
    links = [link.get("href") for link in feed.iter(f"{atom}link")]
    assert links and all(link.startswith(settings.SITE_URL + "/") for link in links), links


@pytest.mark.parametrize(
    ("asked", "size"),
    [({}, (960, 540)), ({"maxwidth": "100"}, (100, 56)), ({"maxheight": "50"}, (88, 50)),
     ({"maxwidth": "4000", "maxheight": "abc"}, (960, 540)), ({"maxwidth": "300", "maxheight": "100"}, (177, 100))],
)  # fmt: skip
def test_the_embedded_player_never_exceeds_the_size_asked(studio, prepared, asked, size):
    page = f"{settings.SITE_URL}/productions/{studio.production.slug}/releases/{prepared.slug}/"
    with freeze_time(prepared.moment + timedelta(seconds=1)):
        data = client_for(None).get("/oembed", {"url": page, **asked}).json()
    assert (data["width"], data["height"]) == size


def test_the_embedded_player_plays_with_subtitles_in_a_few_constant_queries(studio, prepared):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    address = f"/productions/{studio.production.slug}/releases/{prepared.slug}/embed/"

    def fetch() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client_for(None).get(address)
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    with freeze_time(prepared.moment + timedelta(seconds=1)):
        html, few = fetch()
        assert (
            f'data-hls="/productions/{studio.production.slug}/releases/premiere/stream/master.m3u8"' in html
        )
        assert '<track kind="subtitles" srclang="pl" label="Polski"' in html
        for number in range(10):
            Subtitle.objects.create(release=prepared, language=f"x{number}", label="X", text=VTT)
        html, many = fetch()
        assert many == few <= 6 and html.count("<track ") == 11


def test_the_cached_page_opens_at_the_moment(studio, prepared):
    """A page cached during the premiere is never served once the film is out."""
    Release.objects.filter(pk=prepared.pk).update(teaser_published=True)
    client = client_for(None)
    address = page_addresses(prepared)[0]
    with freeze_time(prepared.moment - timedelta(seconds=5)):
        assert "stream/master.m3u8" not in client.get(address).content.decode()
        assert "stream/master.m3u8" not in client.get(address).content.decode()
    with freeze_time(prepared.moment + timedelta(seconds=1)):
        assert "stream/master.m3u8" in client.get(address).content.decode()


def test_a_change_to_the_credits_reaches_the_cached_page_within_a_minute(studio, prepared):
    from backstage.licensing import credit_services

    client = client_for(None)
    address = page_addresses(prepared)[0]
    with freeze_time(prepared.moment + timedelta(seconds=1)) as frozen:
        assert "Zofia Nowak" not in client.get(address).content.decode()
        credit_services.add_person(
            actor=studio.producer, production=studio.production, section="other", name="Zofia Nowak",
            role="Catering", position=0,
        )  # fmt: skip
        frozen.tick(timedelta(seconds=61))
        assert "Zofia Nowak" in client.get(address).content.decode()


def test_release_day_visitors_share_the_page_but_not_their_tokens_nor_the_teams_view(studio, prepared):
    Release.objects.filter(pk=prepared.pk).update(moment=timezone.now() - timedelta(seconds=1))
    address = page_addresses(prepared)[0]
    first, second = client_for(None), client_for(None)
    first.get(address)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        answer = second.get(address)
    # Served from memory: no database at all, yet the visitor's own CSRF cookie and token.
    assert answer.status_code == 200 and len(queries) == 0
    token = answer.cookies[settings.CSRF_COOKIE_NAME].value
    assert token and "csrf-token-placeholder" not in answer.content.decode()
    assert 'name="csrfmiddlewaretoken"' in answer.content.decode()
    # A member of the team, signed in, gets the page rendered for them (with the embargo note's link).
    team_page = client_for(studio.producer).get(address).content.decode()
    assert "Sign out" in team_page and "Sign out" not in answer.content.decode()
    # The French page is kept apart from the English one.
    french = client_for(None).get(address, headers={"accept-language": "fr"})
    assert french["Content-Language"] == "fr"


def test_a_visitor_keeps_their_csrf_cookie_on_pages_from_memory(studio, prepared):
    Release.objects.filter(pk=prepared.pk).update(moment=timezone.now() - timedelta(seconds=1))
    address = page_addresses(prepared)[0]
    client_for(None).get(address)  # kept in memory
    visitor = client_for(None)
    visitor.get("/")  # a cookie from an earlier page
    cookie = visitor.cookies[settings.CSRF_COOKIE_NAME].value
    answer = visitor.get(address)
    assert (
        settings.CSRF_COOKIE_NAME not in answer.cookies
        or answer.cookies[settings.CSRF_COOKIE_NAME].value == cookie
    )
    # The language switcher of the page from memory still works for them.
    token = answer.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    switched = visitor.post(
        "/i18n/setlang/", {"language": "fr", "next": address, "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302
