"""Property-based requests to the screenings' operations, on a release that exists: no server error, and
answers as documented, whatever dates, zones and text are sent."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import checks

from backstage.api.schemas import SLUG_PATTERN
from backstage.api.tests.api_client import token_for
from backstage.releases.models import Screening
from backstage.releases.tests.screening_setup import add

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application()).include(
    path_regex="/screenings"
)
schema.config.generation.update(with_security_parameters=False)


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> st.SearchStrategy:
    """Mostly the release that exists and its screenings: random addresses only reach "not found"."""
    if not path_parameters:
        return st.just(path_parameters)
    existing: dict[str, st.SearchStrategy] = {
        "slug": st.just("varsovie-express"),
        "release_slug": st.just("premiere"),
        "screening_id": st.sampled_from(list(Screening.objects.values_list("pk", flat=True)) or [1]),
    }
    # Only a valid value is swapped for an existing one, so that an invalid request stays invalid.
    pointed = {
        name: existing[name] if name in existing and _conforms(name, value) else st.just(value)
        for name, value in path_parameters.items()
    }
    return st.one_of(st.just(path_parameters), st.fixed_dictionaries(pointed))


def _conforms(name: str, value: Any) -> bool:
    if name == "screening_id":
        return type(value) is int and 1 <= value < 2**63
    return isinstance(value, str) and re.fullmatch(SLUG_PATTERN, value) is not None and len(value) <= 80


@pytest.fixture
def database_kept_open() -> Iterator[None]:
    # The requests go straight to the WSGI application, whose end would otherwise close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def producer_token(studio, release, database_kept_open) -> str:
    add(release, local_start=release.moment.replace(tzinfo=None))
    add(release, city="Kraków", local_start=release.moment.replace(tzinfo=None))
    return token_for(studio.producer)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_screenings_api_keeps_its_promises(case, producer_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {producer_token}"},
        excluded_checks=[checks.positive_data_acceptance],
    )
