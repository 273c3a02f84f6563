"""Who may do what in a production.

Rights come from the person's role in the production's team; site staff moderate
people and content through the admin but hold no production rights of their own.
"""

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser

from backstage.accounts.models import User
from backstage.core.errors import NotAllowed
from backstage.productions.models import Block, Membership, Production, Role


class Action(StrEnum):
    EDIT_PRODUCTION = "edit_production"
    MANAGE_TEAM = "manage_team"
    MANAGE_CALLS = "manage_calls"
    MODERATE = "moderate"


ROLES_ALLOWED: dict[Action, frozenset[str]] = {
    Action.EDIT_PRODUCTION: frozenset({Role.PRODUCER}),
    Action.MANAGE_TEAM: frozenset({Role.PRODUCER}),
    Action.MANAGE_CALLS: frozenset({Role.PRODUCER, Role.DIRECTOR}),
    Action.MODERATE: frozenset({Role.PRODUCER, Role.MODERATOR}),
}


def role_in(user: User | AnonymousUser, production: Production) -> str | None:
    """The person's role in the production's team, or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    return Membership.objects.filter(production=production, user=user).values_list("role", flat=True).first()


def can(
    user: User | AnonymousUser, action: Action, production: Production, *, role: str | None = None
) -> bool:
    """Whether the person may do ``action``; pass ``role`` when it is already known."""
    if role is None:
        role = role_in(user, production)
    return role in ROLES_ALLOWED[action]


def is_blocked(user: User | AnonymousUser, production: Production) -> bool:
    return user.is_authenticated and Block.objects.filter(production=production, user=user).exists()


def require_not_blocked(user: User | AnonymousUser, production: Production) -> None:
    if is_blocked(user, production):
        raise NotAllowed("blocked", _refusal_blocked())


def _refusal_blocked() -> str:
    from django.utils.translation import gettext as _

    return _("The production's moderators have blocked you from taking part in it.")


def can_create_production(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm("productions.add_production")


def require(user: User | AnonymousUser, action: Action, production: Production) -> None:
    if not can(user, action, production):
        raise NotAllowed("forbidden", _refusal(action))


def _refusal(action: Action) -> str:
    from django.utils.translation import gettext as _

    messages = {
        Action.EDIT_PRODUCTION: _("Only the production's producers may edit it."),
        Action.MANAGE_TEAM: _("Only the production's producers may manage its team."),
        Action.MANAGE_CALLS: _("Only the production's producers and directors may manage its calls."),
        Action.MODERATE: _("Only the production's producers and moderators may moderate it."),
    }
    return messages[action]
