"""Property-based requests over the whole OpenAPI document: no server error, and answers as documented."""

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

from backstage.api.schemas import SLUG_PATTERN, USERNAME_PATTERN
from backstage.api.tests.api_client import token_for
from backstage.productions.models import Call, Invitation, Membership, Production, Role

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# The producer's token goes in every request; a generated Authorization header would only replace it.
schema.config.generation.update(with_security_parameters=False)


def conforms(name: str, value: Any) -> bool:
    """Whether a generated path parameter is valid, so that swapping it keeps a request's (in)validity."""
    if name in ("call_id", "invitation_id"):
        return type(value) is int and 1 <= value < 2**63
    pattern = {"slug": SLUG_PATTERN, "username": USERNAME_PATTERN}.get(name)
    return pattern is not None and isinstance(value, str) and re.fullmatch(pattern, value) is not None


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> st.SearchStrategy:
    """Half of the time, point at objects that exist: random ones mostly stop at "not found"."""
    if not path_parameters:
        return st.just(path_parameters)
    existing: dict[str, st.SearchStrategy] = {
        "slug": st.just("varsovie-express"),
        "username": st.sampled_from(
            list(Membership.objects.values_list("user__username", flat=True)) or ["-"]
        ),
        "call_id": st.sampled_from(list(Call.objects.values_list("pk", flat=True)) or [1]),
        "invitation_id": st.sampled_from(list(Invitation.objects.values_list("pk", flat=True)) or [1]),
    }
    pointed = {
        name: existing[name] if name in existing and conforms(name, value) else st.just(value)
        for name, value in path_parameters.items()
    }
    return st.one_of(st.just(path_parameters), st.fixed_dictionaries(pointed))


@pytest.fixture
def database_kept_open() -> Iterator[None]:
    # Django closes the connection when a request ends, which would end the test's transaction; the test
    # client keeps it open the same way, but these requests go straight to the WSGI application.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def producer_token(studio, database_kept_open) -> str:
    # Invitations to answer (the producer's own, from elsewhere) and to cancel (the member's).
    elsewhere = Production.objects.create(slug="les-sentinelles", title="Les Sentinelles")
    Membership.objects.create(production=elsewhere, user=studio.director, role=Role.PRODUCER)
    Invitation.objects.create(production=elsewhere, invitee=studio.producer, role=Role.CREW)
    Invitation.objects.create(production=studio.production, invitee=studio.member, role=Role.CREW)
    return token_for(studio.producer)


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_promises(case, producer_token):
    # Schema-valid data may still break a rule of the studio (a deadline already passed, a call without any
    # title), so "valid data is accepted" does not hold here; every other check does.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {producer_token}"},
        excluded_checks=[checks.positive_data_acceptance],
    )
