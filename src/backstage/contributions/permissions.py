"""Who may review contributions: the production's crew, directors and producers."""

from django.contrib.auth.models import AnonymousUser

from backstage.accounts.models import User
from backstage.productions.models import Production, Role
from backstage.productions.permissions import role_in

REVIEWERS = frozenset({Role.PRODUCER, Role.DIRECTOR, Role.CREW})


def can_review(user: User | AnonymousUser, production: Production, *, role: str | None = "?") -> bool:
    if role == "?":
        role = role_in(user, production)
    return role in REVIEWERS
