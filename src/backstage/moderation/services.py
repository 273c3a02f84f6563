"""Writes for moderation: reporting, hiding and showing again, dismissing reports."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backstage.accounts.models import User
from backstage.contributions.models import Comment, Contribution
from backstage.core.email import queue_email
from backstage.core.errors import Conflict, NotAllowed
from backstage.core.text import required_text
from backstage.moderation.models import Report
from backstage.productions.models import Production
from backstage.productions.permissions import Action, require

MAX_REASON = 2000


def _production_of(target: Contribution | Comment) -> Production:
    if isinstance(target, Contribution):
        return target.call.production
    if target.contribution_id:
        return target.contribution.call.production  # type: ignore[union-attr]
    return target.call.production  # type: ignore[union-attr]


def _clean_reason(reason: str) -> str:
    return required_text(reason, field="reason", max_length=MAX_REASON, blank_message=_("Say what is wrong."))


@transaction.atomic
def report(*, actor: User, target: Contribution | Comment, reason: str) -> Report:
    if not actor.is_authenticated or not actor.is_active:
        raise NotAllowed("forbidden", _("Sign in with an active account first."))
    reason = _clean_reason(reason)
    if target.is_hidden:
        raise Conflict("already_hidden", _("This is already hidden."))
    field = "contribution" if isinstance(target, Contribution) else "comment"
    try:
        with transaction.atomic():
            return Report.objects.create(
                production=_production_of(target), reporter=actor, reason=reason, **{field: target}
            )
    except IntegrityError:
        raise Conflict(
            "already_reported", _("You have already reported this; the moderators will look at it.")
        ) from None


@transaction.atomic
def hide(*, actor: User, target: Contribution | Comment, reason: str) -> None:
    """Hide content from everyone but its author and the team; its author is told why."""
    production = _production_of(target)
    require(actor, Action.MODERATE, production)
    reason = _clean_reason(reason)[:500]
    target.is_hidden = True
    target.hidden_reason = reason
    target.save(update_fields=["is_hidden", "hidden_reason"])
    field = "contribution" if isinstance(target, Contribution) else "comment"
    Report.objects.filter(status=Report.Status.OPEN, **{field: target}).update(
        status=Report.Status.HIDDEN, handled_by=actor, handled_at=timezone.now()
    )
    author = target.author
    queue_email(
        template="moderation/email/hidden",
        to=author.email,
        language=author.language,
        context={
            "target": target,
            "production": production,
            "reason": reason,
            "is_comment": field == "comment",
        },
    )


@transaction.atomic
def unhide(*, actor: User, target: Contribution | Comment) -> None:
    require(actor, Action.MODERATE, _production_of(target))
    target.is_hidden = False
    target.hidden_reason = ""
    target.save(update_fields=["is_hidden", "hidden_reason"])


@transaction.atomic
def dismiss(*, actor: User, report: Report) -> Report:
    require(actor, Action.MODERATE, report.production)
    if report.status != Report.Status.OPEN:
        raise Conflict("report_handled", _("This report has already been handled."))
    report.status = Report.Status.DISMISSED
    report.handled_by = actor
    report.handled_at = timezone.now()
    report.save(update_fields=["status", "handled_by", "handled_at"])
    return report
