import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
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
    # Moderation hides rather than deletes: the author and the team still see it, with the reason.
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The place of the status in "shortlisted first", stored so that the list can walk an index
    # in that order. The database computes it from the status on every write, so no path that
    # changes a status (review, withdrawal, bulk update) can leave it behind.
    status_rank = models.GeneratedField(
        expression=Case(
            When(status=Status.ACCEPTED, then=Value(0)),
            When(status=Status.SHORTLISTED, then=Value(1)),
            When(status=Status.SUBMITTED, then=Value(2)),
            default=Value(3),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["call", "-created_at"], name="contribution_call_newest"),
            models.Index(fields=["call", "-vote_count"], name="contribution_call_votes"),
            models.Index(
                fields=["call", "status_rank", "-vote_count", "-created_at", "-id"],
                name="contribution_call_shortlisted",
            ),
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
    """A file of a contribution: sent with the form (`file`), or one of the author's uploaded assets."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=contribution_file_path, max_length=255, blank=True)
    # A large file that came through the resumable upload, with its streams and previews; kept while used.
    asset = models.ForeignKey(
        "media.Asset", on_delete=models.PROTECT, null=True, blank=True, related_name="contribution_files"
    )
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


COMMENT_MAX_LENGTH = 10_000
# How long an author may correct a comment: long enough for a typo, short enough that replies
# never answer words that have since changed.
COMMENT_EDIT_MINUTES = 15


class Comment(models.Model):
    """A conversation about one contribution or one call, threaded one level deep.

    Exactly one of ``contribution`` and ``call`` is set. A reply points at a top-level comment
    on the same target (checked by the comment services); deeper nesting is not offered so
    threads stay readable.
    """

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    call = models.ForeignKey(Call, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH, help_text=_("Markdown is allowed."))
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Moderation hides rather than deletes, so replies and reports keep their context.
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)

    # Filled by the comment reads for display, not stored.
    thread_replies: list["Comment"]
    body_html: str

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(contribution__isnull=False) & Q(call__isnull=True))
                | (Q(contribution__isnull=True) & Q(call__isnull=False)),
                name="comment_has_one_target",
            )
        ]
        indexes = [
            models.Index(fields=["contribution", "created_at"], name="comment_contribution_time"),
            models.Index(fields=["call", "created_at"], name="comment_call_time"),
        ]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.author} #{self.pk}"

    @property
    def is_editable(self) -> bool:
        """Whether its author may still correct it."""
        return not self.is_hidden and timezone.now() <= self.created_at + timedelta(
            minutes=COMMENT_EDIT_MINUTES
        )

    @property
    def target_key(self) -> str:
        """A stable name for the comment's target, used for HTML ids."""
        return f"contribution-{self.contribution_id}" if self.contribution_id else f"call-{self.call_id}"
