"""Writes for productions, teams, follows and calls: one function per use case.

Each checks who acts, validates, and runs in one transaction; it returns the
object or raises a ServiceError (or Django's ValidationError for field errors).
"""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backstage.accounts.models import User
from backstage.core.errors import Conflict, NotAllowed, ServiceError
from backstage.core.text import required_text
from backstage.productions import notifications, signals
from backstage.productions.models import Block, Call, Follow, Invitation, Membership, Production, Role
from backstage.productions.permissions import Action, can_create_production, require

MAX_BLOCK_REASON: int = Block._meta.get_field("reason").max_length  # type: ignore[assignment]

PRODUCTION_FIELDS = (
    "title",
    "slug",
    "logline_en",
    "logline_fr",
    "synopsis_en",
    "synopsis_fr",
    "stage",
    "license",
)
CALL_FIELDS = (
    "kind", "title_en", "title_fr", "brief_en", "brief_fr", "deadline",
    "vote_policy", "votes_per_member", "votes_public",
)  # fmt: skip


def _assign(instance: Any, fields: tuple[str, ...], values: dict[str, Any]) -> None:
    unknown = set(values) - set(fields)
    if unknown:
        raise ServiceError("unknown_field", _("Unknown field: %(name)s") % {"name": sorted(unknown)[0]})
    for name, value in values.items():
        setattr(instance, name, value)


@transaction.atomic
def create_production(*, actor: User, **values: Any) -> Production:
    """Create a production; its creator becomes its first producer."""
    if not can_create_production(actor):
        raise NotAllowed("forbidden", _("You may not create productions on this studio."))
    production = Production(created_by=actor)
    _assign(production, PRODUCTION_FIELDS, values)
    production.full_clean()
    _save_production(production)
    Membership.objects.create(production=production, user=actor, role=Role.PRODUCER)
    return production


def _save_production(production: Production) -> None:
    # full_clean() checked the address is free; a simultaneous request may still take it first.
    try:
        with transaction.atomic():
            production.save()
    except IntegrityError:
        raise Conflict("unique", _("This address is taken; choose another."), field="slug") from None


@transaction.atomic
def update_production(*, actor: User, production: Production, **values: Any) -> Production:
    require(actor, Action.EDIT_PRODUCTION, production)
    _assign(production, PRODUCTION_FIELDS, values)
    production.full_clean()
    _save_production(production)
    return production


@transaction.atomic
def invite_to_team(*, actor: User, production: Production, invitee: User, role: str) -> Invitation:
    require(actor, Action.MANAGE_TEAM, production)
    if role not in Role.values:
        raise ServiceError("invalid_role", _("Choose a valid role."), field="role")
    if not invitee.is_active:
        raise ServiceError("inactive_user", _("This account is not active."), field="invitee")
    if Membership.objects.filter(production=production, user=invitee).exists():
        raise Conflict("already_member", _("This person is already in the team."), field="invitee")
    if Invitation.objects.filter(
        production=production, invitee=invitee, status=Invitation.Status.PENDING
    ).exists():
        raise Conflict("already_invited", _("This person already has a pending invitation."), field="invitee")
    invitation = Invitation.objects.create(
        production=production, invitee=invitee, role=role, invited_by=actor
    )
    notifications.invitation_sent(invitation)
    return invitation


def _answer(invitation: Invitation, actor: User, status: str) -> Invitation:
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.invitee_id != actor.pk:
        raise NotAllowed("forbidden", _("This invitation is not addressed to you."))
    if locked.status != Invitation.Status.PENDING:
        raise Conflict("invitation_answered", _("This invitation has already been answered or cancelled."))
    locked.status = status
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "answered_at"])
    return locked


@transaction.atomic
def accept_invitation(*, actor: User, invitation: Invitation) -> Membership:
    answered = _answer(invitation, actor, Invitation.Status.ACCEPTED)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                production=answered.production, user=actor, role=answered.role
            )
    except IntegrityError:
        raise Conflict("already_member", _("You are already in this team.")) from None
    signals.member_joined.send(sender=Membership, membership=membership)
    return membership


@transaction.atomic
def decline_invitation(*, actor: User, invitation: Invitation) -> Invitation:
    return _answer(invitation, actor, Invitation.Status.DECLINED)


@transaction.atomic
def cancel_invitation(*, actor: User, invitation: Invitation) -> Invitation:
    require(actor, Action.MANAGE_TEAM, invitation.production)
    # Locked like an answer, so a cancel and an acceptance cannot both happen.
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.status != Invitation.Status.PENDING:
        raise Conflict("invitation_answered", _("This invitation has already been answered or cancelled."))
    locked.status = Invitation.Status.CANCELLED
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "answered_at"])
    return locked


def _ensure_another_producer(membership: Membership) -> None:
    # Locking the producers' rows makes two simultaneous demotions wait for each other.
    producers = list(
        Membership.objects.select_for_update()
        .filter(production_id=membership.production_id, role=Role.PRODUCER)
        .values_list("pk", flat=True)
    )
    if membership.role == Role.PRODUCER and len(producers) <= 1:
        raise Conflict("last_producer", _("A production always keeps at least one producer."))


@transaction.atomic
def change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    require(actor, Action.MANAGE_TEAM, membership.production)
    if role not in Role.values:
        raise ServiceError("invalid_role", _("Choose a valid role."), field="role")
    if role != Role.PRODUCER:
        _ensure_another_producer(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_from_team(*, actor: User, membership: Membership) -> None:
    """A producer removes someone, or a person leaves the team themselves."""
    if membership.user_id != actor.pk:
        require(actor, Action.MANAGE_TEAM, membership.production)
    _ensure_another_producer(membership)
    membership.delete()


@transaction.atomic
def follow(*, actor: User, production: Production) -> Follow:
    follow_row, _created = Follow.objects.get_or_create(user=actor, production=production)
    return follow_row


@transaction.atomic
def unfollow(*, actor: User, production: Production) -> None:
    Follow.objects.filter(user=actor, production=production).delete()


def _check_deadline(deadline: datetime | None, previous: datetime | None = None) -> None:
    if deadline is not None and timezone.is_naive(deadline):
        raise ServiceError("invalid", _("Give the deadline a time zone."), field="deadline")
    if deadline is not None and deadline <= timezone.now() and deadline != previous:
        raise ServiceError("deadline_past", _("The deadline must be in the future."), field="deadline")


@transaction.atomic
def open_call(*, actor: User, production: Production, **values: Any) -> Call:
    require(actor, Action.MANAGE_CALLS, production)
    call = Call(production=production, created_by=actor)
    _assign(call, CALL_FIELDS, values)
    _check_deadline(call.deadline)
    call.full_clean()
    call.save()
    signals.call_opened.send(sender=Call, call=call)
    return call


@transaction.atomic
def update_call(*, actor: User, call: Call, **values: Any) -> Call:
    require(actor, Action.MANAGE_CALLS, call.production)
    previous_deadline = call.deadline
    _assign(call, CALL_FIELDS, values)
    _check_deadline(call.deadline, previous_deadline)
    call.full_clean()
    call.save()
    return call


@transaction.atomic
def close_call(*, actor: User, call: Call) -> Call:
    require(actor, Action.MANAGE_CALLS, call.production)
    if call.is_open:
        call.is_open = False
        call.closed_at = timezone.now()
        call.save(update_fields=["is_open", "closed_at", "updated_at"])
    return call


@transaction.atomic
def reopen_call(*, actor: User, call: Call) -> Call:
    require(actor, Action.MANAGE_CALLS, call.production)
    if call.deadline is not None and call.deadline <= timezone.now():
        raise ServiceError(
            "deadline_past", _("Move the deadline into the future before reopening."), field="deadline"
        )
    call.is_open = True
    call.closed_at = None
    call.save(update_fields=["is_open", "closed_at", "updated_at"])
    return call


@transaction.atomic
def block_member(*, actor: User, production: Production, user: User, reason: str) -> Block:
    """A moderator or producer bars someone from the production; team members cannot be blocked."""
    require(actor, Action.MODERATE, production)
    reason = required_text(
        reason,
        field="reason",
        max_length=MAX_BLOCK_REASON,
        blank_message=_("Say why, for the record and for the person."),
    )
    if Membership.objects.filter(production=production, user=user).exists():
        raise Conflict(
            "team_member", _("Remove the person from the team before blocking them."), field="user"
        )
    block, created = Block.objects.get_or_create(
        production=production, user=user, defaults={"reason": reason, "blocked_by": actor}
    )
    if not created:
        raise Conflict("already_blocked", _("This person is already blocked."), field="user")
    return block


@transaction.atomic
def unblock_member(*, actor: User, production: Production, user: User) -> None:
    require(actor, Action.MODERATE, production)
    Block.objects.filter(production=production, user=user).delete()
