"""The producer's hand on the credits, and the end-credits rolls rendered from them.

The credits themselves are not stored: they are computed from the record each time
(``credits.build_credits``). What is stored is only what the producer decided on top of the
record: the order of the sections, the people who worked outside the platform, and the entries
taken out, each with its reason.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext_lazy as _

MAX_NAME = 150
MAX_ROLE = 200
MAX_REASON = 2000
MAX_POSITION = 1000


def _not_blank(field: str) -> GreaterThan:
    # Spaces alone say nothing: the database refuses them as the services do.
    return GreaterThan(Length(Trim(field)), 0)


class SectionPlace(models.Model):
    """Where the producer put one section of a production's credits (lower first)."""

    production = models.ForeignKey("productions.Production", on_delete=models.CASCADE, related_name="+")
    section = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["production", "section"], name="credit_section_placed_once"),
            models.UniqueConstraint(fields=["production", "position"], name="credit_section_position_once"),
        ]
        verbose_name = _("credits section place")
        verbose_name_plural = _("credits section places")

    def __str__(self) -> str:
        return f"{self.section} #{self.position}"


class CreditAddition(models.Model):
    """Someone the producer credits by hand: a person who worked outside the platform."""

    production = models.ForeignKey(
        "productions.Production", on_delete=models.CASCADE, related_name="credit_additions"
    )
    section = models.CharField(_("section"), max_length=40)
    name = models.CharField(_("name"), max_length=MAX_NAME)
    role = models.CharField(_("role"), max_length=MAX_ROLE, blank=True)
    # Its place in the section among everyone credited there: lower first, then by name.
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["section", "position", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=_not_blank("name"), name="credit_addition_has_name"),
            models.CheckConstraint(condition=~Q(section=""), name="credit_addition_has_section"),
            models.CheckConstraint(
                condition=Q(position__lte=MAX_POSITION), name="credit_addition_position_range"
            ),
        ]
        indexes = [models.Index(fields=["production", "section"], name="credit_addition_section")]
        verbose_name = _("person credited by hand")
        verbose_name_plural = _("people credited by hand")

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name

    @property
    def key(self) -> str:
        return f"licensing:addition:{self.pk}"


class CreditExclusion(models.Model):
    """An entry of the record the producer took out of the credits, and why; kept once restored."""

    production = models.ForeignKey(
        "productions.Production", on_delete=models.CASCADE, related_name="credit_exclusions"
    )
    key = models.CharField(max_length=100)
    # What the entry said when it was taken out, so the list still tells who it was.
    name = models.CharField(max_length=MAX_NAME)
    role = models.CharField(max_length=MAX_ROLE, blank=True)
    reason = models.TextField(_("reason"), max_length=MAX_REASON)
    excluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    excluded_at = models.DateTimeField(auto_now_add=True)
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    restored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-excluded_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=_not_blank("reason"), name="credit_exclusion_has_reason"),
            models.UniqueConstraint(
                fields=["production", "key"],
                condition=Q(restored_at__isnull=True),
                name="credit_excluded_once",
            ),
            models.CheckConstraint(
                condition=Q(restored_at__isnull=True, restored_by__isnull=True)
                | Q(restored_at__isnull=False, restored_by__isnull=False),
                name="credit_restored_by_someone",
            ),
        ]
        verbose_name = _("credit exclusion")
        verbose_name_plural = _("credit exclusions")

    def __str__(self) -> str:
        return f"{self.key}: {self.reason[:60]}"

    @property
    def is_active(self) -> bool:
        return self.restored_at is None


def roll_path(instance: "CreditsRoll", filename: str) -> str:
    return f"credits/{instance.production_id}/roll-{instance.pk}.mp4"


class CreditsRoll(models.Model):
    """An end-credits roll video rendered in the background from the credits of the moment."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    production = models.ForeignKey(
        "productions.Production", on_delete=models.CASCADE, related_name="credits_rolls"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    file = models.FileField(upload_to=roll_path, max_length=255, blank=True)
    # A stable code (a media problem or "interrupted"); its words are chosen when shown.
    problem = models.CharField(max_length=40, blank=True)
    problem_detail = models.TextField(blank=True)
    # The language the headings and roles are written in, as the person who asked read the page.
    language = models.CharField(max_length=8)
    width = models.PositiveSmallIntegerField(default=1920)
    height = models.PositiveSmallIntegerField(default=1080)
    duration = models.FloatField(null=True, blank=True)  # seconds
    # The fingerprint of the credits it shows, to tell when they have changed since.
    digest = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The last sign of life of the worker rendering it: one that stops giving any was interrupted.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="credits_roll_progress_percent"),
            models.CheckConstraint(
                condition=~Q(status="ready") | ~Q(file=""), name="credits_roll_ready_has_file"
            ),
            models.UniqueConstraint(
                fields=["production"],
                condition=Q(status__in=["queued", "running"]),
                name="one_credits_roll_at_a_time",
            ),
            models.CheckConstraint(
                condition=Q(width__gte=16, height__gte=16) & Q(width__lte=7680, height__lte=4320),
                name="credits_roll_size_range",
            ),
        ]
        verbose_name = _("end credits roll")
        verbose_name_plural = _("end credits rolls")

    def __str__(self) -> str:
        return f"{self.production_id} roll {self.pk} ({self.status})"

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
