"""A member's public profile lists their accepted contributions, and only those."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from backstage.contributions import services
from backstage.contributions.models import Status
from conftest import client_for, make_user


def test_the_profile_lists_accepted_contributions(studio, submit):
    accepted = submit(title="Red poster")
    submit(title="Draft poster")
    services.review_contribution(actor=studio.director, contribution=accepted, status=Status.ACCEPTED)
    page = client_for(None).get("/people/member/").content.decode()
    assert "Accepted contributions" in page
    assert "Red poster" in page and "Draft poster" not in page
    assert accepted.get_absolute_url() in page
    french = client_for(None).get("/people/member/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr">' in french


def test_the_profile_runs_the_same_queries_whatever_the_number(studio, submit):
    first = submit(title="Work 0")
    services.review_contribution(actor=studio.director, contribution=first, status=Status.ACCEPTED)
    client = client_for(None)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/people/member/").status_code == 200
        return len(queries)

    small = count()
    for n in range(1, 15):
        work = submit(title=f"Work {n}")
        services.review_contribution(actor=studio.director, contribution=work, status=Status.ACCEPTED)
    make_user("someone-else")
    assert count() == small
