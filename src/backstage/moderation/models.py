from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backstage.contributions.models import Comment, Contribution
from backstage.productions.models import Production


class Report(models.Model):
    """Someone signed in tells the moderators that a contribution or a comment is abusive."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HIDDEN = "hidden", _("Content hidden")
        DISMISSED = "dismissed", _("Dismissed")

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="reports")
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    reason = models.TextField(_("what is wrong"), max_length=2000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(contribution__isnull=False) & Q(comment__isnull=True))
                | (Q(contribution__isnull=True) & Q(comment__isnull=False)),
                name="report_has_one_target",
            ),
            models.UniqueConstraint(
                fields=["reporter", "contribution"],
                condition=Q(status="open"),
                name="one_open_report_per_contribution",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"], condition=Q(status="open"), name="one_open_report_per_comment"
            ),
        ]
        indexes = [models.Index(fields=["production", "status"], name="report_queue")]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.reporter} → {self.contribution or self.comment}"

    @property
    def target(self) -> Contribution | Comment:
        return self.contribution or self.comment  # type: ignore[return-value]
