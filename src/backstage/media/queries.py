"""Reads for assets: who may see one, and an asset's page in a fixed number of queries."""

from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from backstage.accounts.models import User
from backstage.media import access
from backstage.media.models import Asset
from backstage.productions.models import Membership
from backstage.productions.permissions import role_in


def may_view(user: User | AnonymousUser, asset: Asset) -> bool:
    """Its uploader and the team of its production; others once it is used where they may look."""
    if user.is_authenticated and user.is_active:
        if asset.owner_id == user.pk:
            return True
        if asset.production is not None and role_in(user, asset.production) is not None:
            return True
    return access.readable_where_used(user, asset)


def visible_asset(pk: UUID | str, viewer: User | AnonymousUser) -> Asset:
    asset = (
        Asset.objects.select_related("owner__profile", "production")
        .prefetch_related("steps", "renditions")
        .filter(pk=pk)
        .first()
    )
    if asset is None or not may_view(viewer, asset):
        raise Http404
    return asset


def assets_of(user: User) -> QuerySet[Asset]:
    """A person's own files and those of the productions whose team they are in, newest first."""
    productions = Membership.objects.filter(user=user).values("production")
    return (
        (Asset.objects.filter(owner=user) | Asset.objects.filter(production__in=productions))
        .select_related("production", "owner__profile")
        .order_by("-created_at")
    )
