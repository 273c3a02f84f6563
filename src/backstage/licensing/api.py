"""API for the credits: reading them (the production's team) and the producer's changes."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from backstage.accounts.models import User
from backstage.accounts.services import user_for_token
from backstage.api.auth import WRITE_AUTH, ApiRequest
from backstage.api.schemas import ERRORS, NOT_BLANK, READ_ERRORS, IdPath, InputSchema, SlugPath
from backstage.licensing import credit_services
from backstage.licensing.credits import JSON_FORMAT, JSON_VERSION, build_credits, credits_as_json
from backstage.licensing.models import (
    MAX_NAME,
    MAX_POSITION,
    MAX_REASON,
    MAX_ROLE,
    CreditAddition,
    CreditExclusion,
    CreditsRoll,
)
from backstage.licensing.queries import roll_state, team_production
from backstage.productions.models import Production

router = Router(tags=["credits"])

TEAM_ONLY = " For the production's team; anyone else gets 404."
PRODUCERS_ONLY = " For the production's producers (403 for the rest of the team, 404 outside it)."


class CreditEntryOut(Schema):
    key: str = Field(..., description="Stable identity of the entry: `<app>:<kind>:<id>`.")
    name: str
    role: str
    work: str = Field(..., description="Title of the credited work, empty if none.")
    license: str = Field(..., description="SPDX identifier of the work's license, empty if none.")
    added_by_hand: bool


class CreditPersonOut(Schema):
    name: str
    roles: list[str] = Field(..., description="What the person did in this section, each once.")
    entries: list[CreditEntryOut]


class CreditSectionOut(Schema):
    key: str
    title: str
    people: list[CreditPersonOut]


class CreditProductionOut(Schema):
    slug: str
    title: str
    license: str = Field(..., description="SPDX identifier of the film's license.")


class CreditActorOut(Schema):
    username: str
    display_name: str


class CreditExclusionOut(Schema):
    id: int
    key: str
    name: str = Field(..., description="Who the entry credited when it was taken out.")
    role: str
    reason: str
    excluded_by: CreditActorOut
    excluded_at: datetime
    restored_at: datetime | None = Field(None, description="`null` while the entry is out of the credits.")


class CreditAdditionOut(Schema):
    id: int
    key: str
    section: str
    name: str
    role: str
    position: int


class CreditsRollOut(Schema):
    id: int
    status: str = Field(..., description="`queued`, `running`, `ready` or `failed`.")
    progress: int = Field(..., description="Percent.")
    width: int
    height: int
    duration: float | None = Field(None, description="Seconds, once ready.")
    problem: str = Field(..., description="A stable code when it failed, else empty.")
    created_at: datetime


class CreditsOut(Schema):
    format: str = Field(JSON_FORMAT, description="Always `backstage-credits`.")
    version: int = Field(JSON_VERSION)
    language: str
    production: CreditProductionOut
    sections: list[CreditSectionOut] = Field(..., description="In the producer's order; empty ones left out.")
    section_order: list[str] = Field(..., description="Every section's key in the producer's order.")
    additions: list[CreditAdditionOut]
    exclusions: list[CreditExclusionOut] = Field(
        ..., description="Entries now taken out, with their reasons."
    )


class CreditAdditionIn(InputSchema):
    section: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=MAX_NAME, pattern=NOT_BLANK)
    role: str = Field("", max_length=MAX_ROLE)
    position: int = Field(0, ge=0, le=MAX_POSITION)


class CreditExclusionIn(InputSchema):
    key: str = Field(..., min_length=1, max_length=100)
    reason: str = Field(..., min_length=1, max_length=MAX_REASON, pattern=NOT_BLANK)


class CreditSectionsIn(InputSchema):
    sections: list[str] = Field(..., min_length=1, max_length=100, description="Section keys, first first.")


class CreditsRollIn(InputSchema):
    width: int = Field(1920, ge=16, le=7680)
    height: int = Field(1080, ge=16, le=4320)


def _viewer(request: HttpRequest) -> User | AnonymousUser:
    """Who reads: the bearer of a valid token, the signed-in person, or the public."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return user_for_token(token.strip()) or AnonymousUser()
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_active else AnonymousUser()


def _actor(exclusion: CreditExclusion) -> dict[str, str]:
    return {"username": exclusion.excluded_by.username, "display_name": exclusion.excluded_by.display_name}


def _exclusion(exclusion: CreditExclusion) -> dict[str, Any]:
    return {
        "id": exclusion.pk,
        "key": exclusion.key,
        "name": exclusion.name,
        "role": exclusion.role,
        "reason": exclusion.reason,
        "excluded_by": _actor(exclusion),
        "excluded_at": exclusion.excluded_at,
        "restored_at": exclusion.restored_at,
    }


def _addition(addition: CreditAddition) -> dict[str, Any]:
    return {
        "id": addition.pk,
        "key": addition.key,
        "section": addition.section,
        "name": addition.name,
        "role": addition.role,
        "position": addition.position,
    }


def _credits(production: Production) -> dict[str, Any]:
    credits = build_credits(production)
    return {
        **credits_as_json(credits),
        "section_order": [section.key for section in credits.section_order],
        "additions": [_addition(addition) for addition in credits.additions],
        "exclusions": [_exclusion(item.exclusion) for item in credits.excluded],
    }


def _producers_production(request: ApiRequest, slug: str) -> Production:
    production, role = team_production(slug, request.auth)
    credit_services.require_producer(request.auth, production, role=role)
    return production


@router.get(
    "/productions/{slug}/credits",
    response={200: CreditsOut, **READ_ERRORS},
    auth=None,
    description="The film's credits as they will appear, with the producer's additions and exclusions."
    + TEAM_ONLY
    + " Send a token or the session.",
)
def get_credits(request: HttpRequest, slug: SlugPath) -> dict[str, Any]:
    production, _role = team_production(slug, _viewer(request))
    return _credits(production)


@router.put(
    "/productions/{slug}/credits/sections",
    response={200: CreditsOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Put the sections in this order; those left out follow in their usual order."
    + PRODUCERS_ONLY,
)
def reorder_sections(request: ApiRequest, slug: SlugPath, payload: CreditSectionsIn) -> dict[str, Any]:
    production = _producers_production(request, slug)
    credit_services.reorder_sections(actor=request.auth, production=production, sections=payload.sections)
    return _credits(production)


@router.post(
    "/productions/{slug}/credits/people",
    response={201: CreditAdditionOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Credit someone who worked outside the platform." + PRODUCERS_ONLY,
)
def add_person(request: ApiRequest, slug: SlugPath, payload: CreditAdditionIn) -> Status[dict[str, Any]]:
    production = _producers_production(request, slug)
    addition = credit_services.add_person(actor=request.auth, production=production, **payload.dict())
    return Status(201, _addition(addition))


@router.put(
    "/productions/{slug}/credits/people/{addition_id}",
    response={200: CreditAdditionOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Change what is said of someone credited by hand." + PRODUCERS_ONLY,
)
def edit_person(
    request: ApiRequest, slug: SlugPath, addition_id: IdPath, payload: CreditAdditionIn
) -> dict[str, Any]:
    production = _producers_production(request, slug)
    addition = get_object_or_404(
        CreditAddition.objects.select_related("production"), production=production, pk=addition_id
    )
    addition = credit_services.edit_person(actor=request.auth, addition=addition, **payload.dict())
    return _addition(addition)


@router.delete(
    "/productions/{slug}/credits/people/{addition_id}",
    response={204: None, **ERRORS},
    auth=WRITE_AUTH,
    description="Take out someone credited by hand." + PRODUCERS_ONLY,
)
def remove_person(request: ApiRequest, slug: SlugPath, addition_id: IdPath) -> Status[None]:
    production = _producers_production(request, slug)
    addition = get_object_or_404(
        CreditAddition.objects.select_related("production"), production=production, pk=addition_id
    )
    credit_services.remove_person(actor=request.auth, addition=addition)
    return Status(204, None)


@router.post(
    "/productions/{slug}/credits/exclusions",
    response={201: CreditExclusionOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Take an entry of the record out of the credits; the reason is required and kept. "
    "An entry already out answers 409, an unknown key 404." + PRODUCERS_ONLY,
)
def exclude_entry(request: ApiRequest, slug: SlugPath, payload: CreditExclusionIn) -> Status[dict[str, Any]]:
    production = _producers_production(request, slug)
    exclusion = credit_services.exclude_entry(
        actor=request.auth, production=production, key=payload.key, reason=payload.reason
    )
    return Status(201, _exclusion(exclusion))


@router.post(
    "/productions/{slug}/credits/exclusions/{exclusion_id}/restore",
    response={200: CreditExclusionOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Put an excluded entry back in the credits; the exclusion stays on record, marked restored."
    + PRODUCERS_ONLY,
)
def restore_entry(request: ApiRequest, slug: SlugPath, exclusion_id: IdPath) -> dict[str, Any]:
    production = _producers_production(request, slug)
    exclusion = get_object_or_404(
        CreditExclusion.objects.select_related("production", "excluded_by__profile"),
        production=production,
        pk=exclusion_id,
    )
    return _exclusion(credit_services.restore_entry(actor=request.auth, exclusion=exclusion))


def _roll(roll: CreditsRoll) -> dict[str, Any]:
    return {
        "id": roll.pk,
        "status": roll.status,
        "progress": roll.progress,
        "width": roll.width,
        "height": roll.height,
        "duration": roll.duration,
        "problem": roll.problem,
        "created_at": roll.created_at,
    }


@router.get(
    "/productions/{slug}/credits/roll",
    response={200: CreditsRollOut | None, **READ_ERRORS},
    auth=None,
    description="The end-credits roll being rendered, else the last one rendered (`null` if none). "
    "Its video is downloaded from the credits page." + TEAM_ONLY,
)
def get_roll(request: HttpRequest, slug: SlugPath) -> dict[str, Any] | None:
    production, _role = team_production(slug, _viewer(request))
    state = roll_state(production)
    latest = state.working or state.ready or state.failed
    return _roll(latest) if latest is not None else None


@router.post(
    "/productions/{slug}/credits/roll",
    response={202: CreditsRollOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Start rendering the end-credits roll in the background (1920x1080, 3840x2160, 1280x720, "
    "1998x1080 or 2048x858); 409 while one is being rendered." + PRODUCERS_ONLY,
)
def request_roll(request: ApiRequest, slug: SlugPath, payload: CreditsRollIn) -> Status[dict[str, Any]]:
    production = _producers_production(request, slug)
    roll = credit_services.request_roll(
        actor=request.auth, production=production, width=payload.width, height=payload.height
    )
    roll.refresh_from_db()
    return Status(202, _roll(roll))
