"""Writes on the credits: the producer's order of sections, people added by hand, exclusions, rolls.

Only the production's producers change the credits. The record itself (the team, accepted
contributions, subtitles…) is never changed here: an entry of it leaves the credits only through
an exclusion that carries its reason and can be restored.
"""

from collections.abc import Sequence
from functools import partial

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from backstage.accounts.models import User
from backstage.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from backstage.core.text import required_text
from backstage.licensing.credit_sources import SECTIONS, entries_for
from backstage.licensing.credits import ADDITION_PREFIX, section_order
from backstage.licensing.models import (
    MAX_NAME,
    MAX_POSITION,
    MAX_REASON,
    MAX_ROLE,
    CreditAddition,
    CreditExclusion,
    CreditsRoll,
    SectionPlace,
)
from backstage.licensing.queries import roll_is_stale
from backstage.productions.models import Production, Role
from backstage.productions.permissions import role_in

# The frame sizes a roll is rendered at, as editors name them: the film's edit decides.
ROLL_SIZES: dict[tuple[int, int], str] = {
    (1920, 1080): "1920×1080 (Full HD)",
    (3840, 2160): "3840×2160 (4K UHD)",
    (1280, 720): "1280×720 (HD)",
    (1998, 1080): "1998×1080 (DCI 2K flat)",
    (2048, 858): "2048×858 (DCI 2K scope)",
}


def may_manage_credits(
    user: User | AnonymousUser, production: Production, *, role: str | None = None
) -> bool:
    """Whether the person may change the production's credits; pass ``role`` when it is known."""
    if role is None:
        role = role_in(user, production)
    return role == Role.PRODUCER


def require_producer(actor: User | AnonymousUser, production: Production, *, role: str | None = None) -> None:
    """Refuse anyone but the production's producers (pass ``role`` when it is known)."""
    if not may_manage_credits(actor, production, role=role):
        raise NotAllowed("forbidden", _("Only the production's producers may change its credits."))


def _locked(production: Production) -> Production:
    # One change of a production's credits at a time: the checks below read what the others write.
    return Production.objects.select_for_update().get(pk=production.pk)


def _section(value: str) -> str:
    if value not in SECTIONS:
        raise ServiceError(
            "unknown_section", _("Choose one of the sections of the credits."), field="section"
        )
    return value


def _position(value: int) -> int:
    if not 0 <= value <= MAX_POSITION:
        raise ServiceError(
            "invalid_position",
            _("The position is a number from 0 to %(max)d.") % {"max": MAX_POSITION},
            field="position",
        )
    return value


def _role(value: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_ROLE:
        raise ServiceError(
            "too_long",
            _("The text is too long (%(max)d characters at most).") % {"max": MAX_ROLE},
            field="role",
        )
    return value


@transaction.atomic
def reorder_sections(*, actor: User, production: Production, sections: Sequence[str]) -> list[str]:
    """Put the credits' sections in this order; sections left out follow in their usual order."""
    require_producer(actor, production)
    production = _locked(production)
    chosen = list(sections)
    unknown = [key for key in chosen if key not in SECTIONS]
    if unknown:
        raise ServiceError(
            "unknown_section",
            _("“%(section)s” is not a section of the credits.") % {"section": unknown[0]},
            field="sections",
        )
    if len(set(chosen)) != len(chosen):
        raise ServiceError("duplicate_section", _("Name each section once."), field="sections")
    if not chosen:
        raise ServiceError("required", _("Give the sections in the order you want."), field="sections")
    rest = [section.key for section in section_order(production) if section.key not in chosen]
    order = chosen + sorted(rest, key=lambda key: SECTIONS[key].default_position)
    SectionPlace.objects.filter(production=production).delete()
    SectionPlace.objects.bulk_create(
        SectionPlace(production=production, section=key, position=position)
        for position, key in enumerate(order)
    )
    return order


def move_section(*, actor: User, production: Production, section: str, offset: int) -> list[str]:
    """Move one section up (negative offset) or down in the producer's order."""
    require_producer(actor, production)
    order = [item.key for item in section_order(production)]
    index = order.index(_section(section))
    target = max(0, min(len(order) - 1, index + offset))
    order.insert(target, order.pop(index))
    return reorder_sections(actor=actor, production=production, sections=order)


@transaction.atomic
def add_person(
    *, actor: User, production: Production, section: str, name: str, role: str = "", position: int = 0
) -> CreditAddition:
    """Credit someone who worked outside the platform."""
    require_producer(actor, production)
    production = _locked(production)
    addition = CreditAddition(
        production=production,
        section=_section(section),
        name=_name(name),
        role=_role(role),
        position=_position(position),
        created_by=actor,
    )
    addition.save()
    return addition


@transaction.atomic
def edit_person(
    *, actor: User, addition: CreditAddition, section: str, name: str, role: str = "", position: int = 0
) -> CreditAddition:
    """Change what is said of someone credited by hand."""
    require_producer(actor, addition.production)
    addition = CreditAddition.objects.select_for_update().get(pk=addition.pk)
    addition.section = _section(section)
    addition.name = _name(name)
    addition.role = _role(role)
    addition.position = _position(position)
    addition.save()
    return addition


@transaction.atomic
def remove_person(*, actor: User, addition: CreditAddition) -> None:
    """Take out someone credited by hand (the record's entries are excluded instead, with a reason)."""
    require_producer(actor, addition.production)
    CreditAddition.objects.filter(pk=addition.pk).delete()


def _name(value: str) -> str:
    return required_text(
        value, field="name", max_length=MAX_NAME, blank_message=_("Write the person's name.")
    )


def exclude_entry(*, actor: User, production: Production, key: str, reason: str) -> CreditExclusion:
    """Take an entry of the record out of the credits, saying why; it can be restored later."""
    require_producer(actor, production)
    reason = required_text(
        reason,
        field="reason",
        max_length=MAX_REASON,
        blank_message=_("Say why this credit is taken out: the reason is kept on record."),
    )
    try:
        with transaction.atomic():
            production = _locked(production)
            if key.startswith(ADDITION_PREFIX):
                raise Conflict(
                    "added_by_hand",
                    _("This person was credited by hand: remove them from the people added by hand instead."),
                    field="key",
                )
            entry = next((item for item in entries_for(production) if item.key == key), None)
            if entry is None:
                raise NotFound("unknown_entry", _("The credits have no such entry."), field="key")
            if CreditExclusion.objects.filter(
                production=production, key=key, restored_at__isnull=True
            ).exists():
                raise Conflict("already_excluded", _("This credit is already taken out."), field="key")
            return CreditExclusion.objects.create(
                production=production,
                key=key,
                name=entry.name[:MAX_NAME],
                role=str(entry.role)[:MAX_ROLE],
                reason=reason,
                excluded_by=actor,
            )
    except IntegrityError:
        raise Conflict("already_excluded", _("This credit is already taken out."), field="key") from None


@transaction.atomic
def restore_entry(*, actor: User, exclusion: CreditExclusion) -> CreditExclusion:
    """Put an excluded entry back in the credits; the exclusion stays on record, marked restored."""
    require_producer(actor, exclusion.production)
    exclusion = CreditExclusion.objects.select_for_update().get(pk=exclusion.pk)
    if exclusion.restored_at is not None:
        raise Conflict("not_excluded", _("This credit is already back in the credits."))
    exclusion.restored_at = timezone.now()
    exclusion.restored_by = actor
    exclusion.save(update_fields=["restored_at", "restored_by"])
    return exclusion


def request_roll(
    *, actor: User, production: Production, width: int = 1920, height: int = 1080, language: str | None = None
) -> CreditsRoll:
    """Start rendering the end-credits roll in the background, from the credits as they are then."""
    require_producer(actor, production)
    if (width, height) not in ROLL_SIZES:
        raise ServiceError("invalid_size", _("Choose one of the sizes offered."), field="size")
    with transaction.atomic():
        production = _locked(production)
        working = CreditsRoll.objects.filter(
            production=production, status__in=[CreditsRoll.Status.QUEUED, CreditsRoll.Status.RUNNING]
        ).first()
        if working is not None:
            if not roll_is_stale(working):
                raise Conflict(
                    "roll_in_progress", _("A roll is already being rendered; wait until it is done.")
                )
            CreditsRoll.objects.filter(pk=working.pk).update(
                status=CreditsRoll.Status.FAILED, problem="interrupted", finished_at=timezone.now()
            )
        roll = CreditsRoll.objects.create(
            production=production,
            width=width,
            height=height,
            language=(language or get_language() or "en")[:8],
            requested_by=actor,
        )
        from backstage.licensing.tasks import render_roll

        transaction.on_commit(partial(render_roll.enqueue, roll_id=roll.pk))
    return roll
