"""The credits' API: who may read and change them, the JSON errors, the producer's operations."""

import pytest
from django.test import Client

from backstage.api.tests.api_client import api_as, assert_error
from backstage.licensing import credit_services
from backstage.licensing.models import CreditAddition, CreditExclusion, CreditsRoll, SectionPlace
from conftest import ROLES, make_user

TEAM = ("producer", "director", "crew", "moderator")
EVERYONE = [*ROLES, "inactive"]
PATH = "/productions/varsovie-express/credits"


@pytest.fixture
def work(studio, accept):
    return accept(make_user("ania"), "Ania reads Ania")


@pytest.fixture
def addition(studio):
    return credit_services.add_person(
        actor=studio.producer, production=studio.production, section="other", name="Café du Nord", role="Food"
    )


@pytest.fixture
def exclusion(studio, work):
    return credit_services.exclude_entry(
        actor=studio.producer,
        production=studio.production,
        key=f"contributions:contribution:{work.pk}",
        reason="She asked to stay anonymous.",
    )


def state() -> list[object]:
    return [
        list(CreditAddition.objects.order_by("pk").values_list("pk", "section", "name", "role", "position")),
        list(CreditExclusion.objects.order_by("pk").values_list("pk", "key", "reason", "restored_at")),
        list(SectionPlace.objects.order_by("pk").values_list("section", "position")),
        list(CreditsRoll.objects.values_list("pk")),
    ]


def write_operations(studio, addition, exclusion) -> list[tuple[str, str, object, int]]:
    """(method, path, body, status for the producer)."""
    return [
        ("PUT", f"{PATH}/sections", {"sections": ["music"]}, 200),
        ("POST", f"{PATH}/people", {"section": "other", "name": "Marta", "role": "Gaffer"}, 201),
        ("PUT", f"{PATH}/people/{addition.pk}", {"section": "team", "name": "Marta", "position": 15}, 200),
        ("DELETE", f"{PATH}/people/{addition.pk}", None, 204),
        (
            "POST",
            f"{PATH}/exclusions",
            {"key": f"productions:member:{studio.crew.pk}", "reason": "Left early"},
            201,
        ),
        ("POST", f"{PATH}/exclusions/{exclusion.pk}/restore", None, 200),
        ("POST", f"{PATH}/roll", {"width": 1280, "height": 720}, 202),
    ]


@pytest.mark.parametrize("role", EVERYONE)
def test_reading_the_credits_is_for_the_team(studio, work, role):
    response = api_as(studio.person(role) if role != "anonymous" else None).get(PATH)
    if role not in TEAM:
        assert_error(response, 404, "not_found")
        return
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "format",
        "version",
        "language",
        "production",
        "sections",
        "section_order",
        "additions",
        "exclusions",
    }
    assert [section["key"] for section in body["sections"]] == ["team", "cast"]
    assert body["sections"][1]["people"][0]["entries"][0]["work"] == "Ania reads Ania"


def test_the_session_reads_the_credits_too(studio, work):
    client = Client()
    client.force_login(studio.moderator)
    assert client.get("/api/v1" + PATH).status_code == 200
    assert client.get("/api/v1" + PATH + "/roll").status_code == 200


@pytest.mark.parametrize("role", [role for role in EVERYONE if role != "producer"])
def test_only_producers_change_the_credits(
    studio, addition, exclusion, role, django_capture_on_commit_callbacks
):
    client = api_as(studio.person(role) if role != "anonymous" else None)
    before = state()
    for method, path, body, _status in write_operations(studio, addition, exclusion):
        response = client.request(method, path, body)
        if role in ("anonymous", "inactive"):
            assert_error(response, 401, "not_authenticated")
        elif role in TEAM:
            assert_error(response, 403, "forbidden")
        else:
            assert_error(response, 404, "not_found")
    assert state() == before


def test_the_producers_operations(studio, work, addition, exclusion, django_capture_on_commit_callbacks):
    client = api_as(studio.producer)
    for method, path, body, status in write_operations(studio, addition, exclusion):
        with django_capture_on_commit_callbacks(execute=False):
            response = client.request(method, path, body)
        assert response.status_code == status, (path, response.content)
    credits = client.get(PATH).json()
    assert credits["section_order"][:2] == ["music", "team"]
    assert credits["additions"][0]["name"] == "Marta"
    assert credits["additions"][0]["key"].startswith("licensing:addition:")
    assert [item["key"] for item in credits["exclusions"]] == [f"productions:member:{studio.crew.pk}"]
    assert credits["exclusions"][0]["excluded_by"] == {"username": "producer", "display_name": "producer"}
    cast = next(section for section in credits["sections"] if section["key"] == "cast")
    assert cast["people"][0]["name"] == "ania"  # restored
    roll = client.get(f"{PATH}/roll").json()
    assert (roll["status"], roll["width"], roll["height"], roll["progress"]) == ("queued", 1280, 720, 0)


def test_the_roll_is_null_before_any_rendering(studio):
    response = api_as(studio.crew).get(f"{PATH}/roll")
    assert response.status_code == 200 and response.json() is None
    assert_error(api_as(studio.member).get(f"{PATH}/roll"), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code", "field"),
    [
        ("POST", "/people", {"section": "other", "name": "   "}, 422, "invalid", "name"),
        ("POST", "/people", {"section": "other"}, 422, "invalid", "name"),
        ("POST", "/people", {"section": "bloopers", "name": "M"}, 400, "unknown_section", "section"),
        ("POST", "/people", {"section": "other", "name": "M", "position": 1001}, 422, "invalid", "position"),
        ("POST", "/people", {"section": "other", "name": "x" * 151}, 422, "invalid", "name"),
        ("POST", "/exclusions", {"key": "{work}", "reason": ""}, 422, "invalid", "reason"),
        ("POST", "/exclusions", {"key": "{work}", "reason": "  \n "}, 422, "invalid", "reason"),
        ("POST", "/exclusions", {"key": "{work}"}, 422, "invalid", "reason"),
        (
            "POST",
            "/exclusions",
            {"key": "contributions:contribution:999", "reason": "x"},
            404,
            "unknown_entry",
            "key",
        ),
        ("POST", "/exclusions", {"key": "{addition}", "reason": "x"}, 409, "added_by_hand", "key"),
        ("PUT", "/sections", {"sections": ["music", "music"]}, 400, "duplicate_section", "sections"),
        ("PUT", "/sections", {"sections": ["bloopers"]}, 400, "unknown_section", "sections"),
        ("PUT", "/sections", {"sections": []}, 422, "invalid", "sections"),
        ("POST", "/roll", {"width": 1000, "height": 1000}, 400, "invalid_size", "size"),
        ("POST", "/people", [1, 2], 422, "invalid", None),
        ("POST", "/people", "{not json", 400, "invalid_json", None),
        ("DELETE", "/people/999", None, 404, "not_found", None),
        ("POST", "/exclusions/999/restore", None, 404, "not_found", None),
    ],
)
def test_bad_requests_get_a_clear_error_and_change_nothing(
    studio, work, addition, method, path, body, status, code, field
):
    if isinstance(body, dict) and "key" in body:
        body = {
            **body,
            "key": body["key"].format(work=f"contributions:contribution:{work.pk}", addition=addition.key),
        }
    before = state()
    assert_error(api_as(studio.producer).request(method, PATH + path, body), status, code, field)
    assert state() == before


def test_conflicts(studio, exclusion, django_capture_on_commit_callbacks):
    client = api_as(studio.producer)
    assert_error(
        client.post(f"{PATH}/exclusions", {"key": exclusion.key, "reason": "Again"}),
        409,
        "already_excluded",
        "key",
    )
    assert client.post(f"{PATH}/exclusions/{exclusion.pk}/restore").status_code == 200
    assert_error(client.post(f"{PATH}/exclusions/{exclusion.pk}/restore"), 409, "not_excluded", None)
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(f"{PATH}/roll", {}).status_code == 202
    assert_error(client.post(f"{PATH}/roll", {}), 409, "roll_in_progress", None)


def test_the_operations_are_documented(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/productions/{slug}/credits"]) == {"get"}
    assert set(paths["/api/v1/productions/{slug}/credits/people/{addition_id}"]) == {"put", "delete"}
    assert "422" in paths["/api/v1/productions/{slug}/credits/exclusions"]["post"]["responses"]
