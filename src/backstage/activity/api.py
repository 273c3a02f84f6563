"""API for notifications, their e-mail settings and the productions' activity feeds."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from backstage.activity import queries, services
from backstage.activity.models import Event, Notification
from backstage.activity.sentences import describe_plain, target_url
from backstage.api.auth import WRITE_AUTH, ApiRequest
from backstage.api.pagination import Pagination
from backstage.api.schemas import ERRORS, READ_ERRORS, IdPath, InputSchema, SlugPath
from backstage.productions.models import Production

router = Router(tags=["notifications"])

Choice = Literal["immediately", "daily", "never"]
KindName = Literal["new_contribution", "decision", "reply_or_mention", "new_call"]
VerbName = Literal[
    "call_opened",
    "member_joined",
    "contribution_submitted",
    "contribution_shortlisted",
    "contribution_accepted",
    "contribution_declined",
    "comment_posted",
]


class EventOut(Schema):
    verb: VerbName
    text: str = Field(..., description="What happened, as a sentence in the request's language.")
    url: str = Field(..., description="The page where it happened.")
    production: str
    actor: str | None = Field(..., description="Username of who did it; `null` for a deleted account.")
    call: int | None
    contribution: int | None
    created_at: datetime

    @staticmethod
    def resolve_text(obj: Event) -> str:
        return describe_plain(obj)

    @staticmethod
    def resolve_url(obj: Event) -> str:
        return target_url(obj)

    @staticmethod
    def resolve_production(obj: Event) -> str:
        return obj.production.slug

    @staticmethod
    def resolve_actor(obj: Event) -> str | None:
        return obj.actor.username if obj.actor is not None else None

    @staticmethod
    def resolve_call(obj: Event) -> int | None:
        return obj.call_id

    @staticmethod
    def resolve_contribution(obj: Event) -> int | None:
        return obj.contribution_id


class NotificationOut(Schema):
    id: int
    kind: KindName
    event: EventOut
    read_at: datetime | None = Field(..., description="`null` while unread.")
    created_at: datetime


class MarkedOut(Schema):
    marked: int = Field(..., description="How many notifications were unread and are now read.")


class PreferencesOut(Schema):
    """For each kind of notification, when to be e-mailed about it."""

    new_contribution: Choice
    decision: Choice
    reply_or_mention: Choice
    new_call: Choice


class PreferencesIn(InputSchema):
    """The kinds to change; absent ones stay as they are."""

    new_contribution: Choice | None = None
    decision: Choice | None = None
    reply_or_mention: Choice | None = None
    new_call: Choice | None = None


@router.get(
    "/notifications",
    response={200: list[NotificationOut], **ERRORS},
    auth=WRITE_AUTH,
    description="Your notifications, newest first; `unread=true` for the unread ones only.",
)
@paginate(Pagination)
def list_notifications(request: ApiRequest, unread: bool = False) -> list[Notification]:
    notifications = queries.notifications_for(request.auth.pk)
    if unread:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications  # type: ignore[return-value]


@router.post(
    "/notifications/read",
    response={200: MarkedOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Mark all your notifications as read.",
)
def mark_all_read(request: ApiRequest) -> dict[str, int]:
    return {"marked": services.mark_all_read(actor=request.auth)}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Mark one of your notifications as read.",
)
def mark_read(request: ApiRequest, notification_id: IdPath) -> Notification:
    # Someone else's notification is not found, like one that never existed.
    notification = get_object_or_404(queries.notifications_for(request.auth.pk), pk=notification_id)
    return services.mark_read(actor=request.auth, notification=notification)


@router.get(
    "/notifications/preferences",
    response={200: PreferencesOut, **ERRORS},
    auth=WRITE_AUTH,
    description="When you are e-mailed about each kind of notification: `immediately`, in a `daily` "
    "digest, or `never` (notifications still appear in the site).",
)
def get_preferences(request: ApiRequest) -> dict[str, str]:
    return queries.preferences_of(request.auth.pk)


@router.patch(
    "/notifications/preferences",
    response={200: PreferencesOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Change when you are e-mailed about some kinds of notification.",
)
def update_preferences(request: ApiRequest, payload: PreferencesIn) -> dict[str, str]:
    choices = {kind: choice for kind, choice in payload.dict().items() if choice is not None}
    return services.update_preferences(actor=request.auth, choices=choices)


@router.get(
    "/productions/{slug}/activity",
    response={200: list[EventOut], **READ_ERRORS},
    auth=None,
    description="What happened in the production, newest first, without what the public no longer sees.",
)
@paginate(Pagination)
def production_activity(request: HttpRequest, slug: SlugPath) -> list[Event]:
    production = get_object_or_404(Production, slug=slug)
    return queries.production_events(production)  # type: ignore[return-value]
