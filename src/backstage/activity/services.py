"""Writes for notifications: telling people, marking read, preferences and daily digests."""

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backstage.accounts.models import User
from backstage.activity import queries
from backstage.activity.models import EmailChoice, Event, Kind, Notification, NotificationPreference
from backstage.activity.sentences import target_url
from backstage.core.email import queue_email
from backstage.core.errors import ServiceError

# A digest covers the day since the previous run; older leftovers (a missed run) are not sent late.
DIGEST_PERIOD = timedelta(days=1)


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def notify(
    *, event: Event, kind: str, recipients: Iterable[User], email_context: Mapping[str, Any] | None = None
) -> list[Notification]:
    """Tell each recipient of an event, except its actor, and e-mail those who want it at once."""
    people = {user.pk: user for user in recipients if user.pk != event.actor_id and user.is_active}
    if not people:
        return []
    choices = queries.email_choices(people, kind)
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            event=event,
            kind=kind,
            in_digest=choices[user_id] == EmailChoice.DAILY,
            created_at=event.created_at,
        )
        for user_id in people
    )
    url = _absolute(target_url(event))
    for user_id, user in people.items():
        if choices[user_id] != EmailChoice.IMMEDIATELY:
            continue
        queue_email(
            template=f"activity/email/{kind}",
            to=user.email,
            language=user.language,
            context={
                "event": event,
                "recipient": user,
                "url": url,
                "settings_url": _absolute(reverse("notifications:preferences")),
                **(email_context or {}),
            },
        )
    return notifications


def mark_read(*, actor: User, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise ServiceError("not_yours", _("This notification is not yours."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def update_preferences(*, actor: User, choices: Mapping[str, str]) -> dict[str, str]:
    """Save how a person wants to hear of each kind of notification."""
    for kind, email in choices.items():
        if kind not in Kind.values:
            raise ServiceError("invalid_kind", _("Unknown kind of notification."), field=kind)
        if email not in EmailChoice.values:
            raise ServiceError("invalid_choice", _("Choose a valid option."), field=kind)
    for kind, email in choices.items():
        NotificationPreference.objects.update_or_create(user=actor, kind=kind, defaults={"email": email})
    return queries.preferences_of(actor.pk)


def send_digests(*, now: Any = None) -> int:
    """E-mail each person one digest of their notifications of the last day; returns how many went.

    Safe to run again or from two machines: each person's rows are locked and marked sent in the
    transaction that queues their e-mail, so a notification is never in two digests.
    """
    now = now or timezone.now()
    due = Notification.objects.filter(
        in_digest=True, digest_sent_at__isnull=True, created_at__gte=now - DIGEST_PERIOD
    )
    sent = 0
    for recipient_id in sorted(set(due.values_list("recipient_id", flat=True))):
        with transaction.atomic():
            sent += _send_digest(recipient_id, due, now)
    return sent


def _send_digest(recipient_id: int, due: Any, now: Any) -> int:
    locked = list(
        due.filter(recipient_id=recipient_id)
        .select_for_update(of=("self",))
        .select_related("recipient", *(f"event__{name}" for name in queries.EVENT_JOINS))
        .order_by("created_at", "pk")
    )
    if not locked:
        return 0
    recipient = locked[0].recipient
    Notification.objects.filter(pk__in=[item.pk for item in locked]).update(digest_sent_at=now)
    # Someone who has since chosen "never" or "right away" for a kind gets no digest of it.
    wanted = queries.preferences_of(recipient_id)
    items = [item for item in locked if wanted[item.kind] == EmailChoice.DAILY]
    if not items or not recipient.is_active:
        return 0
    queue_email(
        template="activity/email/digest",
        to=recipient.email,
        language=recipient.language,
        context={
            "recipient": recipient,
            "items": [(item.event, _absolute(target_url(item.event))) for item in items],
            "notifications_url": _absolute(reverse("notifications:list")),
            "settings_url": _absolute(reverse("notifications:preferences")),
        },
    )
    return 1
