"""Reads for contributions, each a fixed number of queries whatever the data size."""

from dataclasses import dataclass, field
from typing import cast

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from backstage.accounts.models import User
from backstage.contributions.models import Contribution, ContributionFile, Decision, Status, Vote
from backstage.contributions.permissions import can_review
from backstage.contributions.services import ATTACHABLE, FILE_KINDS
from backstage.media.models import Asset
from backstage.productions.models import Call, Production
from backstage.productions.permissions import role_in

# The orders of the public list, each read in the order of one of Contribution's indexes.
ORDERS: dict[str, tuple[str, ...]] = {
    "newest": ("-created_at", "-pk"),
    "votes": ("-vote_count", "-created_at", "-pk"),
    # Accepted, shortlisted, submitted, then declined (Contribution.status_rank).
    "shortlisted": ("status_rank", "-vote_count", "-created_at", "-pk"),
}
SORTS = tuple(ORDERS)
LIST_RELATED = ("author__profile", "call__production")


def contributions_for_call(call: Call, *, sort: str = "newest") -> QuerySet[Contribution]:
    """The public list: everything but withdrawn contributions, in the chosen order."""
    return (
        Contribution.objects.filter(call=call, is_hidden=False)
        .exclude(status=Status.WITHDRAWN)
        .select_related(*LIST_RELATED)
        .order_by(*ORDERS[sort])
    )


def slice_with_details(chosen: QuerySet[Contribution]) -> QuerySet[Contribution]:
    """A slice of a contribution list (``list[start:end]``), with each author and call, in one query.

    The slice becomes a subquery that reads the contribution table alone, in the order of its
    index; only the contributions it chooses are then joined with their author and call. Sliced
    directly, the database would build the joined row of every contribution it skips.
    """
    return (
        Contribution.objects.filter(pk__in=chosen.values("pk"))
        .select_related(*LIST_RELATED)
        .order_by(*chosen.query.order_by)
    )


class ContributionPaginator(Paginator[Contribution]):
    """Pages of a contribution list, each read with slice_with_details so that deep pages stay cheap."""

    def page(self, number: int | str) -> Page[Contribution]:
        page = super().page(number)
        page.object_list = slice_with_details(cast(QuerySet[Contribution], page.object_list))
        return page


def contributions_page(
    call: Call, *, sort: str, number: int | str | None, per_page: int
) -> Page[Contribution]:
    """One page of the public list; a missing or out-of-range number gives the first or last page."""
    return ContributionPaginator(contributions_for_call(call, sort=sort), per_page).get_page(number)


def with_file_counts(contributions: list[Contribution]) -> list[Contribution]:
    """Sets ``file_count`` on one page of contributions.

    Counted in a second query over the page's ids: counting in the list query would make the
    database join, group and sort every contribution of the call before taking one page.
    """
    counts = dict(
        ContributionFile.objects.filter(contribution__in=contributions)
        .values("contribution")
        .annotate(count=Count("pk"))
        .values_list("contribution", "count")
    )
    for contribution in contributions:
        contribution.file_count = counts.get(contribution.pk, 0)  # type: ignore[attr-defined]
    return contributions


def voted_ids(viewer: User | AnonymousUser, contributions: list[Contribution]) -> set[int]:
    if not viewer.is_authenticated or not contributions:
        return set()
    return set(
        Vote.objects.filter(voter=viewer, contribution__in=contributions).values_list(
            "contribution_id", flat=True
        )
    )


def call_with_production(slug: str, call_id: int) -> Call:
    return get_object_or_404(Call.objects.select_related("production"), pk=call_id, production__slug=slug)


@dataclass
class ContributionPage:
    contribution: Contribution
    viewer_role: str | None
    viewer_is_author: bool
    viewer_can_review: bool
    viewer_voted: bool
    decisions: list[Decision] = field(default_factory=list)


def contribution_page(slug: str, pk: int, viewer: User | AnonymousUser) -> ContributionPage:
    contribution = get_object_or_404(
        Contribution.objects.select_related("author__profile", "call__production").prefetch_related(
            Prefetch(
                "files",
                ContributionFile.objects.select_related("asset").prefetch_related("asset__renditions"),
            ),
            "sources__author__profile",
            "remixes__author__profile",
        ),
        pk=pk,
        call__production__slug=slug,
    )
    production: Production = contribution.call.production
    role = role_in(viewer, production)
    is_author = viewer.is_authenticated and contribution.author_id == viewer.pk
    reviewer = can_review(viewer, production, role=role)
    if not may_see(contribution, viewer, in_team=role is not None):
        raise Http404
    page = ContributionPage(
        contribution=contribution,
        viewer_role=role,
        viewer_is_author=is_author,
        viewer_can_review=reviewer,
        viewer_voted=bool(voted_ids(viewer, [contribution])),
    )
    if is_author or reviewer:
        page.decisions = list(contribution.decisions.select_related("actor__profile"))
    return page


def is_public(contribution: Contribution) -> bool:
    return contribution.status != Status.WITHDRAWN and not contribution.is_hidden


def may_see(contribution: Contribution, viewer: User | AnonymousUser, *, in_team: bool | None = None) -> bool:
    """Withdrawn or hidden work is gone for the public; its author and the team still see it.

    Pass ``in_team`` when the viewer's role in the production is already known.
    """
    if is_public(contribution):
        return True
    if viewer.is_authenticated and contribution.author_id == viewer.pk:
        return True
    if in_team is None:
        in_team = role_in(viewer, contribution.call.production) is not None
    return in_team


def file_of(slug: str, pk: int, file_id: int, viewer: User | AnonymousUser) -> ContributionFile:
    """A contribution's file, if the viewer may see the contribution."""
    stored = get_object_or_404(
        ContributionFile.objects.select_related("contribution__call__production"),
        pk=file_id,
        contribution_id=pk,
        contribution__call__production__slug=slug,
    )
    if not may_see(stored.contribution, viewer):
        raise Http404
    return stored


def votes_are_visible(call: Call, viewer_role: str | None) -> bool:
    return call.votes_public or viewer_role is not None


def contributions_by_number(production: Production, numbers: list[int]) -> list[Contribution]:
    return list(
        Contribution.objects.filter(call__production=production, pk__in=numbers).select_related(
            "call", "author"
        )
    )


def attachable_assets(owner: User) -> QuerySet[Asset]:
    """The person's uploaded files that a contribution may take: checked, of a kind calls accept."""
    return Asset.objects.filter(owner=owner, status__in=ATTACHABLE, kind__in=FILE_KINDS).order_by(
        "-created_at"
    )
