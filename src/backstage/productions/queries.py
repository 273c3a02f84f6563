"""Reads for productions and calls, with the joins each page needs.

Every function here runs a fixed number of queries whatever the data size.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from backstage.accounts.models import User
from backstage.productions.models import Call, Follow, Invitation, Membership, Production, Role, Stage

ROLE_ORDER = {role: index for index, role in enumerate(Role.values)}


def productions_in_progress() -> QuerySet[Production]:
    return (
        Production.objects.exclude(stage=Stage.RELEASED)
        .annotate(follower_count=Count("follows", distinct=True))
        .order_by("-updated_at")
    )


def all_productions() -> QuerySet[Production]:
    return Production.objects.annotate(follower_count=Count("follows", distinct=True)).order_by("title")


def open_calls(production: Production | None = None) -> QuerySet[Call]:
    calls = Call.objects.open().select_related("production").order_by("deadline", "-created_at")
    if production is not None:
        calls = calls.filter(production=production)
    return calls


def calls_of(production: Production) -> QuerySet[Call]:
    return (
        Call.objects.filter(production=production)
        .select_related("production")
        .order_by("-is_open", "-created_at")
    )


def team_of(production: Production) -> list[Membership]:
    members = Membership.objects.filter(production=production).select_related("user__profile")
    return sorted(members, key=lambda item: (ROLE_ORDER[item.role], item.joined_at))


@dataclass
class ProductionPage:
    production: Production
    team: list[Membership]
    open_calls: list[Call]
    follower_count: int
    viewer_role: str | None
    viewer_follows: bool


def production_page(slug: str, viewer: User | AnonymousUser) -> ProductionPage:
    """Everything the production page shows, in five queries whatever the data size."""
    production = get_object_or_404(Production, slug=slug)
    team = team_of(production)
    calls = list(open_calls(production)[:50])
    follower_count = Follow.objects.filter(production=production).count()
    viewer_role = None
    viewer_follows = False
    if viewer.is_authenticated:
        viewer_role = next((m.role for m in team if m.user_id == viewer.pk), None)
        viewer_follows = Follow.objects.filter(production=production, user=viewer).exists()
    for call in calls:
        call.production = production  # already loaded; avoids a join per call for URLs
    return ProductionPage(production, team, calls, follower_count, viewer_role, viewer_follows)


def followed_productions(user: User) -> QuerySet[Production]:
    return (
        Production.objects.filter(follows__user=user)
        .annotate(
            open_call_count=Count(
                "calls",
                filter=Q(calls__is_open=True)
                & (Q(calls__deadline__isnull=True) | Q(calls__deadline__gt=timezone.now())),
                distinct=True,
            )
        )
        .order_by("title")
    )


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("production").order_by("production__title")


def pending_invitations_for(user: User) -> QuerySet[Invitation]:
    return Invitation.objects.filter(invitee=user, status=Invitation.Status.PENDING).select_related(
        "production", "invited_by"
    )


def pending_invitations_of(production: Production) -> QuerySet[Invitation]:
    return Invitation.objects.filter(production=production, status=Invitation.Status.PENDING).select_related(
        "invitee__profile"
    )


def calls_from_followed(user: User, limit: int = 10) -> list[Call]:
    return list(open_calls().filter(production__follows__user=user)[:limit])
