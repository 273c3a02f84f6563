from django.db.models import QuerySet

from backstage.moderation.models import Report
from backstage.productions.models import Production


def open_reports(production: Production) -> QuerySet[Report]:
    return Report.objects.filter(production=production, status=Report.Status.OPEN).select_related(
        "reporter__profile",
        "contribution__author__profile",
        "contribution__call__production",
        "comment__author__profile",
        "comment__contribution__call__production",
        "comment__call__production",
    )
