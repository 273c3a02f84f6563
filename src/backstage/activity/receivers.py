"""What the activity app does when productions and contributions report something.

Receivers run inside the sender's transaction: the event and notifications are saved with
the change they tell of, or not at all; e-mails are queued for after the commit. A new call's
followers, who may be thousands, are told by a background task once the call is saved.
"""

from typing import Any

from django.db import transaction

from backstage.accounts.models import User
from backstage.activity import services
from backstage.activity.models import Event, Kind, Verb
from backstage.activity.tasks import tell_followers_of_new_call
from backstage.contributions import signals as contribution_signals
from backstage.contributions.models import Contribution, Decision, Status
from backstage.productions import signals as production_signals
from backstage.productions.models import Call, Membership, Role

REVIEW_VERBS = {
    Status.SHORTLISTED: Verb.CONTRIBUTION_SHORTLISTED,
    Status.ACCEPTED: Verb.CONTRIBUTION_ACCEPTED,
    Status.DECLINED: Verb.CONTRIBUTION_DECLINED,
}
# Who reviews what comes in; moderators watch behaviour, not the work.
REVIEWING_ROLES = (Role.PRODUCER, Role.DIRECTOR, Role.CREW)


def _call_titles(call: Call) -> dict[str, str]:
    return {"call_title": call.title_en or call.title_fr}


def on_call_opened(sender: Any, *, call: Call, **kwargs: Any) -> None:
    event = Event.objects.create(
        production_id=call.production_id,
        actor_id=call.created_by_id,
        verb=Verb.CALL_OPENED,
        call=call,
        data=_call_titles(call),
    )
    transaction.on_commit(lambda: tell_followers_of_new_call.enqueue(event_id=event.pk))


def on_member_joined(sender: Any, *, membership: Membership, **kwargs: Any) -> None:
    Event.objects.create(
        production_id=membership.production_id,
        actor_id=membership.user_id,
        verb=Verb.MEMBER_JOINED,
        data={"role": membership.role},
    )


def on_contribution_submitted(sender: Any, *, contribution: Contribution, **kwargs: Any) -> None:
    call = contribution.call
    event = Event.objects.create(
        production_id=call.production_id,
        actor_id=contribution.author_id,
        verb=Verb.CONTRIBUTION_SUBMITTED,
        call=call,
        contribution=contribution,
        data={**_call_titles(call), "contribution_title": contribution.title},
    )
    reviewers = User.objects.filter(
        memberships__production_id=call.production_id,
        memberships__role__in=REVIEWING_ROLES,
        is_active=True,
    ).exclude(pk=contribution.author_id)
    services.notify(event=event, kind=Kind.NEW_CONTRIBUTION, recipients=reviewers)


def on_contribution_reviewed(
    sender: Any, *, contribution: Contribution, decision: Decision, **kwargs: Any
) -> None:
    verb = REVIEW_VERBS.get(Status(decision.to_status)) if decision.to_status in Status.values else None
    if verb is None:
        # Moving a contribution back to "submitted" is bookkeeping, not news.
        return
    call = contribution.call
    event = Event.objects.create(
        production_id=call.production_id,
        actor_id=decision.actor_id,
        verb=verb,
        call=call,
        contribution=contribution,
        data={**_call_titles(call), "contribution_title": contribution.title},
    )
    services.notify(
        event=event,
        kind=Kind.DECISION,
        recipients=[contribution.author],
        email_context={"note": decision.note},
    )


def on_comment_posted(sender: Any, *, comment: Any, mentioned: Any = (), **kwargs: Any) -> None:
    contribution = getattr(comment, "contribution", None)
    call = getattr(comment, "call", None) or getattr(contribution, "call", None)
    if call is None:
        return
    parent = getattr(comment, "parent", None)
    data: dict[str, Any] = {**_call_titles(call), "comment_id": comment.pk, "reply": parent is not None}
    if contribution is not None:
        data["contribution_title"] = contribution.title
    event = Event.objects.create(
        production_id=call.production_id,
        actor_id=getattr(comment, "author_id", None),
        verb=Verb.COMMENT_POSTED,
        call=call,
        contribution=contribution,
        data=data,
    )
    recipients: dict[int, User] = {}
    parent_author = getattr(parent, "author", None)
    if parent_author is not None:
        recipients[parent_author.pk] = parent_author
    for user in mentioned or ():
        recipients.setdefault(user.pk, user)
    services.notify(event=event, kind=Kind.REPLY_OR_MENTION, recipients=recipients.values())


def connect() -> None:
    production_signals.call_opened.connect(on_call_opened, dispatch_uid="activity.call_opened")
    production_signals.member_joined.connect(on_member_joined, dispatch_uid="activity.member_joined")
    contribution_signals.contribution_submitted.connect(
        on_contribution_submitted, dispatch_uid="activity.contribution_submitted"
    )
    contribution_signals.contribution_reviewed.connect(
        on_contribution_reviewed, dispatch_uid="activity.contribution_reviewed"
    )
    contribution_signals.comment_posted.connect(on_comment_posted, dispatch_uid="activity.comment_posted")
