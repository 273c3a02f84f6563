from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backstage.contributions.models import Contribution
from backstage.productions.models import Call, Production


class Verb(models.TextChoices):
    CALL_OPENED = "call_opened", _("call opened")
    MEMBER_JOINED = "member_joined", _("member joined")
    CONTRIBUTION_SUBMITTED = "contribution_submitted", _("contribution submitted")
    CONTRIBUTION_SHORTLISTED = "contribution_shortlisted", _("contribution shortlisted")
    CONTRIBUTION_ACCEPTED = "contribution_accepted", _("contribution accepted")
    CONTRIBUTION_DECLINED = "contribution_declined", _("contribution declined")
    COMMENT_POSTED = "comment_posted", _("comment posted")


class Event(models.Model):
    """Something that happened in a production, as the public activity feed tells it.

    ``data`` keeps what a sentence needs beyond the targets (the role someone joined with,
    the comment's id and whether it was a reply).
    """

    production = models.ForeignKey(Production, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(_("what happened"), max_length=40, choices=Verb.choices)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["production", "-created_at"], name="event_production_newest")]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.production_id}: {self.verb}"


class Kind(models.TextChoices):
    """What a notification is about, as people choose how to hear of it."""

    NEW_CONTRIBUTION = "new_contribution", _("New contributions to my productions' calls")
    DECISION = "decision", _("Decisions on my contributions")
    REPLY_OR_MENTION = "reply_or_mention", _("Replies to my comments and @mentions")
    NEW_CALL = "new_call", _("New calls in productions I follow")


class EmailChoice(models.TextChoices):
    IMMEDIATELY = "immediately", _("Right away")
    DAILY = "daily", _("In a daily digest")
    NEVER = "never", _("Never")


# What a person gets until they choose: what concerns them directly comes at once, the rest daily.
DEFAULT_EMAIL: dict[str, str] = {
    Kind.NEW_CONTRIBUTION: EmailChoice.DAILY,
    Kind.DECISION: EmailChoice.IMMEDIATELY,
    Kind.REPLY_OR_MENTION: EmailChoice.IMMEDIATELY,
    Kind.NEW_CALL: EmailChoice.DAILY,
}


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when the person wanted a daily digest at the time; cleared of doubt by digest_sent_at.
    in_digest = models.BooleanField(default=False)
    digest_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event"], name="one_notification_per_event")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_recipient_read"),
            models.Index(
                fields=["in_digest", "digest_sent_at", "created_at"], name="notification_digest_due"
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient_id} ← {self.event_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """How one person wants to hear, by e-mail, of one kind of notification."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    email = models.CharField(_("e-mail"), max_length=20, choices=EmailChoice.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.email}"
