"""Reads for the activity feed, notifications and preferences: a fixed number of queries each."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from backstage.activity.models import DEFAULT_EMAIL, Event, Kind, Notification, NotificationPreference
from backstage.contributions.models import Status
from backstage.productions.models import Production

# What a sentence reads: the production (for links), the actor's name, the targets' titles.
EVENT_JOINS = ("production", "actor__profile", "call", "contribution")


def production_events(production: Production) -> QuerySet[Event]:
    """The public feed, newest first, without what the public no longer sees.

    Hidden or withdrawn contributions leave the feed with everything that happened to them.
    """
    visible = Q(contribution__isnull=True) | (
        Q(contribution__is_hidden=False) & ~Q(contribution__status=Status.WITHDRAWN)
    )
    return Event.objects.filter(visible, production=production).select_related(*EVENT_JOINS)


def notifications_for(user_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user_id).select_related(
        *(f"event__{name}" for name in EVENT_JOINS)
    )


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def email_choices(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each person's e-mail choice for one kind, the default where they made none (one query)."""
    ids = list(user_ids)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", "email")
    )
    return {user_id: chosen.get(user_id, DEFAULT_EMAIL[kind]) for user_id in ids}


def preferences_of(user_id: int) -> dict[str, str]:
    """A person's e-mail choice for every kind (one query)."""
    chosen = dict(NotificationPreference.objects.filter(user_id=user_id).values_list("kind", "email"))
    return {kind: chosen.get(kind, DEFAULT_EMAIL[kind]) for kind in Kind.values}
