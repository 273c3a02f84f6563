"""The subtitle API: every operation as every kind of person, before and after the moment, and bad input."""

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time
from hypothesis import HealthCheck, settings
from schemathesis import checks

from backstage.api.tests.api_client import API, api_as, assert_error, token_for
from backstage.releases import subtitle_services
from backstage.releases.models import Subtitle, SubtitleEdit
from backstage.releases.tests.subtitle_fixtures import *  # noqa: F403
from backstage.releases.tests.subtitle_fixtures import EDITORS, POLISH, SUBTITLE_ROLES, open_release, upload
from conftest import client_for

pytestmark = pytest.mark.django_db

SUBTITLES = "/productions/varsovie-express/releases/premiere/subtitles"
DOWNLOAD = "/productions/varsovie-express/releases/premiere/subtitles/pl/download.vtt"
READERS = {"producer", "director", "crew", "moderator", "translator"}
CUES = {
    "cues": [
        {"start": 1000, "end": 4000, "text": "Gdzie jest walizka?", "settings": ""},
        {"start": 4500, "end": 6000, "text": "<i>W nocnym pociągu</i>", "settings": ""},
        {"start": 7000, "end": 9000, "text": "Do Warszawy!", "settings": "line:0"},
    ],
    "note": "Exclamation",
}


def client(people, role: str):
    return api_as(people(role))


def post_file(api, path: str, content: bytes = POLISH, **fields: str):
    return api.client.post(API + path, {"file": upload(content), **fields}, headers=api.headers)


def refusal(role: str, public: bool) -> int:
    """For writes: 401 without a token, 404 while the film is secret to the person, else 403."""
    if role == "anonymous":
        return 401
    if role == "moderator" or public:
        return 403
    return 404


def state() -> list[tuple]:
    return list(Subtitle.objects.order_by("pk").values_list("language", "label", "text", "cue_count"))


@pytest.mark.parametrize("public", [False, True], ids=["before the moment", "after the moment"])
@pytest.mark.parametrize("role", SUBTITLE_ROLES)
def test_reading(role, public, people, release, subtitle):
    if public:
        open_release(release)
    api = client(people, role)
    listed = api.get(SUBTITLES)
    one = api.get(SUBTITLES + "/pl")
    if public or role in READERS:
        assert listed.status_code == one.status_code == 200
        [item] = listed.json()
        assert item["language"] == "pl" and item["label"] == "Polski" and item["cue_count"] == 3
        assert item["srt_url"].endswith("/subtitles/pl/download.srt")
        assert one.json()["cues"][1] == {
            "start": 4500,
            "end": 6000,
            "text": "<i>W nocnym pociągu</i>",
            "settings": "",
        }
    else:
        assert_error(listed, 404, "not_found")
        assert_error(one, 404, "not_found")


@pytest.mark.parametrize("public", [False, True], ids=["before the moment", "after the moment"])
@pytest.mark.parametrize("role", SUBTITLE_ROLES)
def test_uploading(role, public, people, release):
    if public:
        open_release(release)
    response = post_file(client(people, role), SUBTITLES, language="pl-PL", label="Polski")
    if role in EDITORS:
        assert response.status_code == 201, response.content
        assert response.json()["language"] == "pl-PL" and response.json()["cue_count"] == 3
    else:
        assert_error(response, refusal(role, public))
        assert not Subtitle.objects.exists()


@pytest.mark.parametrize("role", SUBTITLE_ROLES)
def test_replacing(role, people, release, subtitle):
    before = state()
    response = post_file(
        client(people, role), SUBTITLES + "/pl/file", POLISH.replace(b"Do Warszawy.", b"Warszawa.")
    )
    if role in EDITORS:
        assert response.status_code == 200, response.content
        assert (response.json()["changed"], response.json()["added"], response.json()["removed"]) == (1, 0, 0)
    else:
        assert_error(response, refusal(role, public=False))
        assert state() == before


@pytest.mark.parametrize("role", SUBTITLE_ROLES)
def test_saving_cues(role, people, release, subtitle):
    before = state()
    response = client(people, role).request("PUT", SUBTITLES + "/pl/cues", CUES)
    if role in EDITORS:
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["added"], body["changed"], body["removed"]) == (0, 1, 0)
        assert body["subtitle"]["cue_count"] == 3
        assert SubtitleEdit.objects.filter(author=people(role), note="Exclamation").exists()
    else:
        assert_error(response, refusal(role, public=False))
        assert state() == before


@pytest.mark.parametrize("public", [False, True], ids=["before the moment", "after the moment"])
@pytest.mark.parametrize("role", SUBTITLE_ROLES)
def test_deleting(role, public, people, release, subtitle):
    if public:
        open_release(release)
    response = client(people, role).delete(SUBTITLES + "/pl")
    if role == "producer":
        assert response.status_code == 204
        assert not Subtitle.objects.exists()
    else:
        assert_error(response, 403 if role in EDITORS else refusal(role, public))
        assert Subtitle.objects.exists()


def test_a_bad_cue_is_named_by_its_place_and_nothing_is_saved(studio, release, subtitle):
    before = state()
    cues = [dict(cue) for cue in CUES["cues"]]
    cues[2]["end"] = 6500
    response = api_as(studio.crew).request("PUT", SUBTITLES + "/pl/cues", {"cues": cues})
    assert_error(response, 400, "bad_cues", "cues.2.end")
    assert response.json()["message"] == "Cue 3 ends (00:00:06.500) before it starts (00:00:07.000)."
    cues[0]["text"] = "<b></b>"
    response = api_as(studio.crew).request("PUT", SUBTITLES + "/pl/cues", {"cues": cues})
    assert_error(response, 400, "bad_cues", "cues.0.text")
    assert "(There is 1 other problem.)" in response.json()["message"]
    assert_error(
        api_as(studio.crew).request("PUT", SUBTITLES + "/pl/cues", {"cues": []}), 400, "no_cues", "cues"
    )
    assert state() == before


@pytest.mark.parametrize(
    "body",
    [{"cues": [{"start": -1, "end": 2, "text": "x"}]}, {"cues": [{"start": 1, "end": 2}]}, {"cues": "all"}, [],
     {"cues": [{"start": 1, "end": 2, "text": "x" * 1001}]}, {"cues": [{"start": 1, "end": 2, "text": "a\u0000"}]}],
)  # fmt: skip
def test_malformed_bodies_are_refused(body, studio, release, subtitle):
    before = state()
    assert_error(api_as(studio.crew).request("PUT", SUBTITLES + "/pl/cues", body), 422)
    assert state() == before


def test_a_stale_revision_is_a_conflict(studio, release, subtitle):
    revision = api_as(studio.crew).get(SUBTITLES + "/pl").json()["revision"]
    assert (
        api_as(studio.crew)
        .request("PUT", SUBTITLES + "/pl/cues", {**CUES, "base_revision": revision})
        .status_code
        == 200
    )
    response = api_as(studio.director).request(
        "PUT", SUBTITLES + "/pl/cues", {"cues": CUES["cues"][:1], "base_revision": revision}
    )
    assert_error(response, 409, "stale", "revision")
    assert Subtitle.objects.get().cue_count == 3


def test_bad_files_and_languages(studio, release, subtitle):
    api = api_as(studio.producer)
    response = post_file(api, SUBTITLES, b"WEBVTT\n\n00:01.000 -> 00:02.000\nx\n", language="fr")
    assert_error(response, 400, "bad_timing_line", "file")
    assert response.json()["message"].startswith("Line 3: ")
    assert_error(post_file(api, SUBTITLES, "é".encode("latin-1"), language="fr"), 400, "not_utf8", "file")
    assert_error(post_file(api, SUBTITLES, language="français"), 400, "bad_language", "language")
    assert_error(post_file(api, SUBTITLES, language="PL"), 409, "exists", "language")
    assert_error(api.client.post(API + SUBTITLES, {"language": "fr"}, headers=api.headers), 422)
    assert_error(post_file(api, SUBTITLES + "/pl/file", b"nope"), 400, "not_subtitles", "file")
    assert [row[0] for row in state()] == ["pl"]


def test_unknown_things_are_not_found(studio, release, subtitle):
    api = api_as(studio.producer)
    assert_error(api.get(SUBTITLES + "/de"), 404)
    assert_error(api.get(SUBTITLES + "/not%20a%20tag"), 422)
    assert_error(api.get("/productions/varsovie-express/releases/nope/subtitles"), 404)
    assert_error(api.delete(SUBTITLES + "/de"), 404)


def test_a_session_write_needs_its_csrf_token(studio, release, subtitle):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(studio.crew)
    refused = browser.generic(
        "PUT", API + SUBTITLES + "/pl/cues", data=json.dumps(CUES), content_type="application/json"
    )
    assert_error(refused, 403, "csrf_failed")


# Property-based requests to the subtitle operations, on a release that has subtitles: never a server
# error, always an answer as documented.
fuzzed = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application()).include(
    path_regex="/subtitles"
)
fuzzed.config.generation.update(with_security_parameters=False)


@pytest.fixture
def database_kept_open() -> Iterator[None]:
    # These requests go straight to the WSGI application, which would close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def producer_token(studio, release, subtitle, database_kept_open) -> str:
    return token_for(studio.producer)


@fuzzed.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_subtitle_api_keeps_its_promises(case, producer_token):
    if case.path_parameters:
        # Mostly the release that exists, so that the bodies reach the services.
        case.path_parameters.update(slug="varsovie-express", release_slug="premiere")
        if "language" in case.path_parameters and len(case.path_parameters["language"]) % 2:
            case.path_parameters["language"] = "pl"
    case.call_and_validate(
        headers={"Authorization": f"Bearer {producer_token}"},
        excluded_checks=[checks.positive_data_acceptance],
    )


def test_the_subtitles_open_to_everyone_at_the_release_moment(studio, release, subtitle):
    public = api_as(None)
    with freeze_time(release.moment - timedelta(seconds=1)):
        assert_error(public.get(SUBTITLES), 404)
        assert client_for(studio.member).get(DOWNLOAD).status_code == 404
    with freeze_time(release.moment):
        assert public.get(SUBTITLES).json()[0]["language"] == "pl"
        assert public.get(SUBTITLES + "/pl").status_code == 200
        assert client_for(None).get(DOWNLOAD).content.decode() == subtitle.text
        # Open to read, not to write: the public still may not change them.
        assert_error(api_as(studio.member).request("PUT", SUBTITLES + "/pl/cues", CUES), 403)


def test_listing_takes_the_same_queries_whatever_the_number_of_languages(
    studio, release, subtitle, django_assert_max_num_queries
):
    api = api_as(studio.crew)
    api.get(SUBTITLES)  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as one:
        assert len(api.get(SUBTITLES).json()) == 1
    for language in ("fr", "de", "es", "it"):
        subtitle_services.add_subtitles(
            actor=studio.producer, release=release, language=language, file=upload()
        )
    with django_assert_max_num_queries(len(one)):
        assert len(api.get(SUBTITLES).json()) == 5


def test_a_deactivated_account_is_nobody(studio, release, subtitle):
    studio.crew.is_active = False
    studio.crew.save()
    api = api_as(studio.crew)
    assert_error(api.get(SUBTITLES), 404)
    assert_error(api.request("PUT", SUBTITLES + "/pl/cues", CUES), 401)
    assert client_for(studio.crew).get(SUBTITLES + "/pl/").status_code == 302
