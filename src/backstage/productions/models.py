import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backstage.core.translated import translated
from backstage.licensing.registry import DEFAULT_FILM_LICENSE, license_choices


class Stage(models.TextChoices):
    DEVELOPMENT = "development", _("Development")
    WRITING = "writing", _("Writing")
    PRE_PRODUCTION = "pre_production", _("Pre-production")
    SHOOTING = "shooting", _("Shooting")
    POST_PRODUCTION = "post_production", _("Post-production")
    RELEASED = "released", _("Released")


RESERVED_SLUGS = {"new", "invitations"}


def validate_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This address is reserved; choose another."), code="reserved")


class Production(models.Model):
    """A film made in the open."""

    slug = models.SlugField(_("address"), max_length=80, unique=True, validators=[validate_not_reserved])
    title = models.CharField(_("title"), max_length=200)
    logline_en = models.CharField(_("logline (English)"), max_length=300, blank=True)
    logline_fr = models.CharField(_("logline (French)"), max_length=300, blank=True)
    synopsis_en = models.TextField(_("synopsis (English)"), max_length=20_000, blank=True)
    synopsis_fr = models.TextField(_("synopsis (French)"), max_length=20_000, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.DEVELOPMENT)
    license = models.CharField(
        _("license of the film"), max_length=40, choices=license_choices, default=DEFAULT_FILM_LICENSE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("production")
        verbose_name_plural = _("productions")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("productions:detail", kwargs={"slug": self.slug})

    @property
    def logline(self) -> str:
        return translated(self, "logline")

    @property
    def synopsis(self) -> str:
        return translated(self, "synopsis")

    @property
    def is_in_progress(self) -> bool:
        return self.stage != Stage.RELEASED


class Role(models.TextChoices):
    PRODUCER = "producer", _("Producer")
    DIRECTOR = "director", _("Director")
    CREW = "crew", _("Crew")
    MODERATOR = "moderator", _("Moderator")


class Membership(models.Model):
    """A person's role in a production's team (one role per person and production)."""

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at"]
        constraints = [models.UniqueConstraint(fields=["production", "user"], name="one_role_per_member")]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.production})"


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An offer to join a production's team, which the invitee accepts or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="invitations")
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["production", "invitee"],
                condition=Q(status="pending"),
                name="one_pending_invitation_per_person",
            )
        ]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.invitee} → {self.production} ({self.role})"


class Follow(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "production"], name="follow_once")]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")

    def __str__(self) -> str:
        return f"{self.user} → {self.production}"


class Block(models.Model):
    """A person barred from taking part in one production (contributing, voting, commenting)."""

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="blocks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks")
    reason = models.TextField(_("reason"), max_length=2000)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["production", "user"], name="block_once")]
        verbose_name = _("block")
        verbose_name_plural = _("blocks")

    def __str__(self) -> str:
        return f"{self.user} ⊘ {self.production}"


class CallKind(models.TextChoices):
    CAST = "cast", _("Casting")
    MUSIC = "music", _("Music")
    ART = "art", _("Art and design")
    SCRIPT = "script", _("Writing")
    TRANSLATION = "translation", _("Translation")
    SOUND = "sound", _("Sound")
    VIDEO = "video", _("Footage and effects")
    OTHER = "other", _("Other")


class VotePolicy(models.TextChoices):
    NONE = "none", _("No public vote")
    ONE_PER_CONTRIBUTION = "per_contribution", _("One vote per member per contribution")
    FIXED_PER_CALL = "per_call", _("A fixed number of votes per member for the call")


class CallQuerySet(models.QuerySet["Call"]):
    def open(self) -> "CallQuerySet":
        now = timezone.now()
        return self.filter(is_open=True).filter(Q(deadline__isnull=True) | Q(deadline__gt=now))


class Call(models.Model):
    """A call for contributions: a role to cast, a cue to score, a poster to draw…"""

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="calls")
    kind = models.CharField(_("kind"), max_length=20, choices=CallKind.choices)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    brief_en = models.TextField(_("brief (English)"), max_length=20_000, blank=True)
    brief_fr = models.TextField(_("brief (French)"), max_length=20_000, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    vote_policy = models.CharField(
        _("votes"), max_length=20, choices=VotePolicy.choices, default=VotePolicy.ONE_PER_CONTRIBUTION
    )
    votes_per_member = models.PositiveSmallIntegerField(
        _("votes per member"), default=3, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    votes_public = models.BooleanField(_("the public sees vote counts"), default=True)
    is_open = models.BooleanField(_("open"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_en="") | ~Q(title_fr=""),
                name="call_has_a_title",
                violation_error_message=_("Give the call a title in at least one language."),
            ),
            models.CheckConstraint(
                condition=Q(votes_per_member__gte=1) & Q(votes_per_member__lte=100),
                name="call_votes_per_member_range",
                violation_error_message=_("Votes per member must be between 1 and 100."),
            ),
        ]
        indexes = [models.Index(fields=["production", "is_open"])]
        verbose_name = _("call for contributions")
        verbose_name_plural = _("calls for contributions")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("productions:call", kwargs={"slug": self.production.slug, "pk": self.pk})

    @property
    def title(self) -> str:
        return translated(self, "title")

    @property
    def brief(self) -> str:
        return translated(self, "brief")

    @property
    def accepts_contributions(self) -> bool:
        return self.is_open and (self.deadline is None or self.deadline > timezone.now())
