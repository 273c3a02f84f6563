from django.db.models import QuerySet

from backstage.moderation.models import Report
from backstage.productions.models import Block, Production


def open_reports(production: Production) -> QuerySet[Report]:
    return Report.objects.filter(production=production, status=Report.Status.OPEN).select_related(
        "reporter__profile",
        "contribution__author__profile",
        "contribution__call__production",
        "comment__author__profile",
        "comment__contribution__call__production",
        "comment__call__production",
    )


def reports(production: Production, *, status: str) -> QuerySet[Report]:
    return Report.objects.filter(production=production, status=status).select_related(
        "production", "reporter__profile"
    )


def blocks(production: Production) -> QuerySet[Block]:
    return (
        Block.objects.filter(production=production)
        .select_related("user__profile")
        .order_by("created_at", "pk")
    )
