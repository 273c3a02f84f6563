"""Reads for contributions, each a fixed number of queries whatever the data size."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404

from backstage.accounts.models import User
from backstage.contributions.models import Contribution, ContributionFile, Decision, Status, Vote
from backstage.contributions.permissions import can_review
from backstage.productions.models import Call, Production
from backstage.productions.permissions import role_in

SORTS = ("newest", "votes", "shortlisted")
STATUS_RANK = Case(
    When(status=Status.ACCEPTED, then=Value(0)),
    When(status=Status.SHORTLISTED, then=Value(1)),
    When(status=Status.SUBMITTED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def contributions_for_call(call: Call, *, sort: str = "newest") -> QuerySet[Contribution]:
    """The public list: everything but withdrawn contributions, in the chosen order."""
    contributions = (
        Contribution.objects.filter(call=call, is_hidden=False)
        .exclude(status=Status.WITHDRAWN)
        .select_related("author__profile", "call__production")
    )
    if sort == "votes":
        return contributions.order_by("-vote_count", "-created_at", "-pk")
    if sort == "shortlisted":
        return contributions.annotate(rank=STATUS_RANK).order_by("rank", "-vote_count", "-created_at", "-pk")
    return contributions.order_by("-created_at", "-pk")


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
            "files", "sources__author__profile", "remixes__author__profile"
        ),
        pk=pk,
        call__production__slug=slug,
    )
    production: Production = contribution.call.production
    role = role_in(viewer, production)
    is_author = viewer.is_authenticated and contribution.author_id == viewer.pk
    reviewer = can_review(viewer, production, role=role)
    _require_visible(contribution, is_author=is_author, in_team=role is not None)
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


def _require_visible(contribution: Contribution, *, is_author: bool, in_team: bool) -> None:
    # Withdrawn or hidden work is gone for the public; its author and the team still reach it.
    if not is_public(contribution) and not (is_author or in_team):
        raise Http404


def file_of(slug: str, pk: int, file_id: int, viewer: User | AnonymousUser) -> ContributionFile:
    """A contribution's file, if the viewer may see the contribution."""
    stored = get_object_or_404(
        ContributionFile.objects.select_related("contribution__call__production"),
        pk=file_id,
        contribution_id=pk,
        contribution__call__production__slug=slug,
    )
    contribution = stored.contribution
    is_author = viewer.is_authenticated and contribution.author_id == viewer.pk
    if not is_public(contribution) and not is_author:
        _require_visible(
            contribution, is_author=False, in_team=role_in(viewer, contribution.call.production) is not None
        )
    return stored


def votes_are_visible(call: Call, viewer_role: str | None) -> bool:
    return call.votes_public or viewer_role is not None


def contributions_by_number(production: Production, numbers: list[int]) -> list[Contribution]:
    return list(
        Contribution.objects.filter(call__production=production, pk__in=numbers).select_related(
            "call", "author"
        )
    )
