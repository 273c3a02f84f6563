import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from backstage.productions.models import Call, Production


class Status(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("contribution status", "Submitted")
    SHORTLISTED = "shortlisted", pgettext_lazy("contribution status", "Shortlisted")
    ACCEPTED = "accepted", pgettext_lazy("contribution status", "Accepted")
    DECLINED = "declined", pgettext_lazy("contribution status", "Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("contribution status", "Withdrawn")


class Contribution(models.Model):
    """A member's answer to a call: their work, under a free license of their choice."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="contributions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contributions"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=20_000, blank=True)
    license = models.CharField(_("license"), max_length=40)
    links = models.JSONField(_("links"), default=list, blank=True)
    sources = models.ManyToManyField(
        "self", symmetrical=False, related_name="remixes", blank=True, verbose_name=_("builds on")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    # Kept by the vote service in the same transaction as each vote, so lists sort without counting.
    vote_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["call", "-created_at"], name="contribution_call_newest"),
            models.Index(fields=["call", "-vote_count"], name="contribution_call_votes"),
            models.Index(fields=["author", "status"], name="contribution_author_status"),
        ]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("contributions:detail", kwargs={"slug": self.call.production.slug, "pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status == Status.SUBMITTED

    @property
    def can_be_withdrawn(self) -> bool:
        return self.status in (Status.SUBMITTED, Status.SHORTLISTED)


def contribution_file_path(instance: "ContributionFile", filename: str) -> str:
    # The stored name is random; the person's (sanitised) name is kept in the row for display.
    return f"contributions/{instance.contribution_id}/{secrets.token_hex(12)}{instance.extension}"


class ContributionFile(models.Model):
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=contribution_file_path, max_length=255)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(max_length=10)
    mime = models.CharField(max_length=80)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("file")
        verbose_name_plural = _("files")

    def __str__(self) -> str:
        return self.name

    @property
    def extension(self) -> str:
        return "." + self.name.rsplit(".", 1)[-1].lower() if "." in self.name else ""


class Decision(models.Model):
    """One step of a contribution's review, kept forever: the history of who decided what, and why."""

    contribution = models.ForeignKey(Contribution, on_delete=models.PROTECT, related_name="decisions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    note = models.TextField(_("note to the author"), max_length=4000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.contribution}: {self.from_status} → {self.to_status}"


class AcceptanceQuerySet(models.QuerySet["Acceptance"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise IntegrityError("acceptance records are immutable")

    def update(self, **kwargs: object) -> int:
        raise IntegrityError("acceptance records are immutable")


class Acceptance(models.Model):
    """The record credits are built from: who made what, under which license, for which call.

    Written once when a contribution is accepted and never changed (database triggers refuse
    updates and deletions); a later change of mind is a new Decision, and the credits read the
    contribution's current status beside this record.
    """

    contribution = models.ForeignKey(Contribution, on_delete=models.PROTECT, related_name="acceptances")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="acceptance")
    production = models.ForeignKey(Production, on_delete=models.PROTECT, related_name="+")
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="acceptances")
    author_name = models.CharField(max_length=150)
    call_kind = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    license = models.CharField(max_length=40)
    files = models.JSONField(default=list)
    sources = models.JSONField(default=list)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField()

    objects = AcceptanceQuerySet.as_manager()

    class Meta:
        ordering = ["accepted_at", "pk"]
        verbose_name = _("acceptance record")
        verbose_name_plural = _("acceptance records")

    def __str__(self) -> str:
        return f"{self.author_name} – {self.title} ({self.license})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise IntegrityError("acceptance records are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise IntegrityError("acceptance records are immutable")


class Vote(models.Model):
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes")
    # Denormalised so that "votes left in this call" is one indexed count.
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contribution", "voter"], name="one_vote_per_member")]
        indexes = [models.Index(fields=["call", "voter"], name="vote_call_voter")]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")

    def __str__(self) -> str:
        return f"{self.voter} → {self.contribution}"


VISIBLE = ~Q(status=Status.WITHDRAWN)
