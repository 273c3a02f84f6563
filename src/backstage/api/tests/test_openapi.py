"""The API describes itself: a valid OpenAPI document and interactive docs served from our own files."""

import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.test import Client

SCHEMA_URL = "/api/v1/openapi.json"


@pytest.fixture(scope="module")
def document() -> dict:
    response = Client().get(SCHEMA_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def operations(document: dict) -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_the_document_is_valid_openapi_3(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Backstage API"
    # Validates against the OpenAPI meta-schema; raises with the first violation.
    schemathesis.openapi.from_dict(document).validate()


def test_every_operation_has_a_unique_id_and_documented_errors(document):
    ids = [operation["operationId"] for _method, _path, operation in operations(document)]
    assert len(ids) == len(set(ids))
    error = {"$ref": "#/components/schemas/Error"}
    for method, path, operation in operations(document):
        responses = operation["responses"]
        expected = {"404", "422"}
        if operation.get("security"):
            expected |= {"400", "401", "403", "409"}
        assert expected <= set(responses), (method, path)
        for status in expected:
            assert responses[status]["content"]["application/json"]["schema"] == error, (method, path, status)


def test_writes_declare_how_to_sign_them(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["ActiveSessionAuth"]["in"] == "cookie"
    for method, path, operation in operations(document):
        if method != "GET":
            assert operation["security"] == [{"TokenAuth": []}, {"ActiveSessionAuth": []}], (method, path)


def test_the_error_shape(document):
    error = document["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "message", "field"}
    assert set(error["required"]) == {"code", "message"}


def test_the_docs_load_only_our_own_files(db):
    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", html), "a URL to another site"
    assert "cdn" not in html.lower()
    assets = re.findall(r"(?:src|href)=[\"']([^\"']+)[\"']", html)
    scripts = [asset for asset in assets if asset.endswith(".js")]
    assert scripts, "the docs need their scripts"
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not among the static files"
    assert SCHEMA_URL in html
