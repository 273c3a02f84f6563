"""The public licenses page through HTTP."""

import pytest
from django.urls import reverse

from backstage.licensing.registry import LICENSES, NON_FREE_LICENSES
from conftest import client_for

# Loading the session and its user is all a signed-in page needs; the licenses are not in the database.
QUERIES = {"anonymous": 0, "member": 3}


def test_the_page_is_at_licenses():
    assert reverse("licensing:index") == "/licenses/"


@pytest.mark.parametrize("role", ["anonymous", "member"])
def test_the_page_lists_licenses_matrix_and_refusals(studio, role, django_assert_num_queries):
    client = client_for(studio.person(role))
    with django_assert_num_queries(QUERIES[role]):
        response = client.get("/licenses/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    for item in LICENSES.values():
        assert item.name in page
        assert item.spdx_id in page
        assert f'href="{item.url}"' in page
        assert str(item.summary) in page
    for refused in NON_FREE_LICENSES.values():
        assert refused.spdx_id in page
        assert str(refused.reason).replace("'", "&#x27;") in page
    # The matrix: a caption, a header for each column and row, one cell per pair of licenses.
    assert "<caption>Compatibility: rows are the license of the work" in page
    assert page.count('<th scope="col"><abbr') == len(LICENSES)
    assert page.count('<th scope="row"><abbr') == len(LICENSES)
    assert page.count('<span aria-hidden="true">✓</span>') == 15
    assert page.count('<span aria-hidden="true">—</span>') == 10
    assert page.count('<span class="badge open">copyleft</span>') == 3


@pytest.mark.parametrize("role", ["anonymous", "member"])
def test_the_page_speaks_french_to_a_french_browser(studio, role, django_assert_num_queries):
    client = client_for(studio.person(role))
    with django_assert_num_queries(QUERIES[role]):
        response = client.get("/licenses/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "tant que le résultat reste sous la même licence." in page
