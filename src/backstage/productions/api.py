"""API for productions, teams, follows and calls: translates HTTP to services and back."""

from datetime import datetime

from django.db.models import Count
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from backstage.accounts.models import User
from backstage.api.auth import WRITE_AUTH, ApiRequest
from backstage.api.pagination import Pagination
from backstage.api.schemas import (
    ERRORS,
    NOT_BLANK,
    READ_ERRORS,
    SLUG_PATTERN,
    USERNAME_PATTERN,
    IdPath,
    InputSchema,
    LicenseId,
    Moment,
    SlugPath,
    UsernamePath,
)
from backstage.core.errors import ServiceError
from backstage.core.markdown import render_markdown
from backstage.licensing.registry import DEFAULT_FILM_LICENSE
from backstage.productions import queries, services
from backstage.productions.models import (
    Call,
    CallKind,
    Invitation,
    Membership,
    Production,
    Role,
    Stage,
    VotePolicy,
)
from backstage.productions.permissions import Action, require

router = Router(tags=["productions"])


class MemberOut(Schema):
    id: int
    username: str
    display_name: str
    role: Role

    @staticmethod
    def resolve_username(obj: Membership) -> str:
        return obj.user.username

    @staticmethod
    def resolve_display_name(obj: Membership) -> str:
        return obj.user.display_name


class ProductionOut(Schema):
    slug: str
    title: str
    logline: str
    logline_en: str
    logline_fr: str
    stage: Stage
    license: str
    url: str
    follower_count: int = 0

    @staticmethod
    def resolve_url(obj: Production) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_follower_count(obj: Production) -> int:
        return getattr(obj, "follower_count", 0)


class ProductionDetailOut(ProductionOut):
    synopsis_en: str
    synopsis_fr: str
    synopsis_html: str
    team: list[MemberOut]

    @staticmethod
    def resolve_synopsis_html(obj: Production) -> str:
        return str(render_markdown(obj.synopsis))

    @staticmethod
    def resolve_team(obj: Production) -> list[Membership]:
        return queries.team_of(obj)


class ProductionIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200, pattern=NOT_BLANK)
    slug: str = Field(..., min_length=1, max_length=80, pattern=SLUG_PATTERN)
    logline_en: str = Field("", max_length=300)
    logline_fr: str = Field("", max_length=300)
    synopsis_en: str = Field("", max_length=20_000)
    synopsis_fr: str = Field("", max_length=20_000)
    stage: Stage = Stage.DEVELOPMENT
    license: LicenseId = DEFAULT_FILM_LICENSE


class ProductionPatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200, pattern=NOT_BLANK)
    logline_en: str | None = Field(None, max_length=300)
    logline_fr: str | None = Field(None, max_length=300)
    synopsis_en: str | None = Field(None, max_length=20_000)
    synopsis_fr: str | None = Field(None, max_length=20_000)
    stage: Stage | None = None
    license: LicenseId | None = None


class CallOut(Schema):
    id: int
    production: str
    kind: CallKind
    title: str
    title_en: str
    title_fr: str
    brief_en: str
    brief_fr: str
    brief_html: str
    deadline: datetime | None
    vote_policy: VotePolicy
    votes_per_member: int
    votes_public: bool
    is_open: bool
    accepts_contributions: bool
    url: str

    @staticmethod
    def resolve_production(obj: Call) -> str:
        return obj.production.slug

    @staticmethod
    def resolve_brief_html(obj: Call) -> str:
        return str(render_markdown(obj.brief))

    @staticmethod
    def resolve_url(obj: Call) -> str:
        return obj.get_absolute_url()


class CallIn(InputSchema):
    kind: CallKind
    title_en: str = Field("", max_length=200)
    title_fr: str = Field("", max_length=200)
    brief_en: str = Field("", max_length=20_000)
    brief_fr: str = Field("", max_length=20_000)
    deadline: Moment | None = None
    vote_policy: VotePolicy = VotePolicy.ONE_PER_CONTRIBUTION
    votes_per_member: int = Field(3, ge=1, le=100)
    votes_public: bool = True


class CallPatch(InputSchema):
    kind: CallKind | None = None
    title_en: str | None = Field(None, max_length=200)
    title_fr: str | None = Field(None, max_length=200)
    brief_en: str | None = Field(None, max_length=20_000)
    brief_fr: str | None = Field(None, max_length=20_000)
    deadline: Moment | None = Field(None, description="`null` removes the deadline.")
    vote_policy: VotePolicy | None = None
    votes_per_member: int | None = Field(None, ge=1, le=100)
    votes_public: bool | None = None


class InvitationIn(InputSchema):
    username: str = Field(..., min_length=1, max_length=150, pattern=USERNAME_PATTERN)
    role: Role


class InvitationOut(Schema):
    id: int
    production: str
    invitee: str
    role: Role
    status: Invitation.Status
    created_at: datetime

    @staticmethod
    def resolve_production(obj: Invitation) -> str:
        return obj.production.slug

    @staticmethod
    def resolve_invitee(obj: Invitation) -> str:
        return obj.invitee.username


class RoleIn(InputSchema):
    role: Role


class FollowOut(Schema):
    following: bool
    follower_count: int


def _production(slug: str) -> Production:
    return get_object_or_404(Production, slug=slug)


def _production_with_counts(slug: str) -> Production:
    return get_object_or_404(Production.objects.annotate(follower_count=Count("follows")), slug=slug)


def _call(call_id: int) -> Call:
    return get_object_or_404(Call.objects.select_related("production"), pk=call_id)


def _membership(slug: str, username: str) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("production", "user__profile"),
        production__slug=slug,
        user__username=username,
    )


def _invitation(invitation_id: int, invitee: User) -> Invitation:
    # Someone else's invitation is "not found": its existence is not the asker's business.
    return get_object_or_404(
        Invitation.objects.select_related("production", "invitee"), pk=invitation_id, invitee=invitee
    )


@router.get("/productions", response={200: list[ProductionOut], **READ_ERRORS}, auth=None)
@paginate(Pagination)
def list_productions(request: HttpRequest, stage: Stage | None = None) -> list[Production]:
    productions = queries.all_productions()
    if stage is not None:
        productions = productions.filter(stage=stage)
    return productions  # type: ignore[return-value]


@router.post("/productions", response={201: ProductionDetailOut, **ERRORS}, auth=WRITE_AUTH)
def create_production(request: ApiRequest, payload: ProductionIn) -> Status[Production]:
    return Status(201, services.create_production(actor=request.auth, **payload.dict()))


@router.get("/productions/{slug}", response={200: ProductionDetailOut, **READ_ERRORS}, auth=None)
def get_production(request: HttpRequest, slug: SlugPath) -> Production:
    return _production_with_counts(slug)


@router.patch("/productions/{slug}", response={200: ProductionDetailOut, **ERRORS}, auth=WRITE_AUTH)
def update_production(request: ApiRequest, slug: SlugPath, payload: ProductionPatch) -> Production:
    values = payload.dict(exclude_unset=True, exclude_none=True)
    production = services.update_production(actor=request.auth, production=_production(slug), **values)
    return _production_with_counts(production.slug)


@router.post("/productions/{slug}/follow", response={200: FollowOut, **ERRORS}, auth=WRITE_AUTH)
def follow_production(request: ApiRequest, slug: SlugPath) -> dict[str, object]:
    production = _production(slug)
    services.follow(actor=request.auth, production=production)
    return {"following": True, "follower_count": production.follows.count()}


@router.delete("/productions/{slug}/follow", response={200: FollowOut, **ERRORS}, auth=WRITE_AUTH)
def unfollow_production(request: ApiRequest, slug: SlugPath) -> dict[str, object]:
    production = _production(slug)
    services.unfollow(actor=request.auth, production=production)
    return {"following": False, "follower_count": production.follows.count()}


@router.get("/productions/{slug}/team", response={200: list[MemberOut], **READ_ERRORS}, auth=None)
def list_team(request: HttpRequest, slug: SlugPath) -> list[Membership]:
    return queries.team_of(_production(slug))


@router.patch("/productions/{slug}/team/{username}", response={200: MemberOut, **ERRORS}, auth=WRITE_AUTH)
def change_member_role(
    request: ApiRequest, slug: SlugPath, username: UsernamePath, payload: RoleIn
) -> Membership:
    membership = _membership(slug, username)
    return services.change_role(actor=request.auth, membership=membership, role=payload.role)


@router.delete("/productions/{slug}/team/{username}", response={204: None, **ERRORS}, auth=WRITE_AUTH)
def remove_member(request: ApiRequest, slug: SlugPath, username: UsernamePath) -> Status[None]:
    """A producer removes someone from the team, or a member leaves it."""
    services.remove_from_team(actor=request.auth, membership=_membership(slug, username))
    return Status(204, None)


@router.get("/productions/{slug}/invitations", response={200: list[InvitationOut], **ERRORS}, auth=WRITE_AUTH)
def list_invitations(request: ApiRequest, slug: SlugPath) -> list[Invitation]:
    production = _production(slug)
    require(request.auth, Action.MANAGE_TEAM, production)
    return list(queries.pending_invitations_of(production).select_related("production"))


@router.post("/productions/{slug}/invitations", response={201: InvitationOut, **ERRORS}, auth=WRITE_AUTH)
def invite(request: ApiRequest, slug: SlugPath, payload: InvitationIn) -> Status[Invitation]:
    production = _production(slug)
    require(request.auth, Action.MANAGE_TEAM, production)
    invitee = User.objects.filter(username=payload.username, is_active=True).first()
    if invitee is None:
        raise ServiceError("unknown_user", _("No active account has this username."), field="username")
    try:
        invitation = services.invite_to_team(
            actor=request.auth,
            production=production,
            invitee=invitee,
            role=payload.role,
        )
    except ServiceError as error:
        # The service names the person "invitee"; clients sent them as "username".
        if error.field == "invitee":
            error.field = "username"
        raise
    return Status(201, invitation)


@router.post(
    "/productions/{slug}/invitations/{invitation_id}/cancel",
    response={200: InvitationOut, **ERRORS},
    auth=WRITE_AUTH,
)
def cancel_invitation(request: ApiRequest, slug: SlugPath, invitation_id: IdPath) -> Invitation:
    production = _production(slug)
    # Checked before the look-up so that only the team's producers learn which invitations exist.
    require(request.auth, Action.MANAGE_TEAM, production)
    invitation = get_object_or_404(
        Invitation.objects.select_related("production", "invitee"), pk=invitation_id, production=production
    )
    return services.cancel_invitation(actor=request.auth, invitation=invitation)


@router.get("/invitations", response={200: list[InvitationOut], **ERRORS}, auth=WRITE_AUTH)
def my_invitations(request: ApiRequest) -> list[Invitation]:
    return list(queries.pending_invitations_for(request.auth).select_related("invitee"))


@router.post("/invitations/{invitation_id}/accept", response={200: MemberOut, **ERRORS}, auth=WRITE_AUTH)
def accept_invitation(request: ApiRequest, invitation_id: IdPath) -> Membership:
    invitation = _invitation(invitation_id, request.auth)
    return services.accept_invitation(actor=request.auth, invitation=invitation)


@router.post("/invitations/{invitation_id}/decline", response={200: InvitationOut, **ERRORS}, auth=WRITE_AUTH)
def decline_invitation(request: ApiRequest, invitation_id: IdPath) -> Invitation:
    invitation = _invitation(invitation_id, request.auth)
    return services.decline_invitation(actor=request.auth, invitation=invitation)


@router.get("/productions/{slug}/calls", response={200: list[CallOut], **READ_ERRORS}, auth=None)
@paginate(Pagination)
def list_calls(request: HttpRequest, slug: SlugPath, open: bool | None = None) -> list[Call]:
    calls = queries.calls_of(_production(slug))
    if open is True:
        calls = calls & Call.objects.open()
    elif open is False:
        calls = calls.exclude(pk__in=Call.objects.open().values("pk"))
    return calls  # type: ignore[return-value]


@router.post("/productions/{slug}/calls", response={201: CallOut, **ERRORS}, auth=WRITE_AUTH)
def open_call(request: ApiRequest, slug: SlugPath, payload: CallIn) -> Status[Call]:
    call = services.open_call(actor=request.auth, production=_production(slug), **payload.dict())
    return Status(201, call)


@router.get("/calls", response={200: list[CallOut], **READ_ERRORS}, auth=None)
@paginate(Pagination)
def list_open_calls(request: HttpRequest, kind: CallKind | None = None) -> list[Call]:
    calls = queries.open_calls()
    if kind is not None:
        calls = calls.filter(kind=kind)
    return calls  # type: ignore[return-value]


@router.get("/calls/{call_id}", response={200: CallOut, **READ_ERRORS}, auth=None)
def get_call(request: HttpRequest, call_id: IdPath) -> Call:
    return _call(call_id)


@router.patch("/calls/{call_id}", response={200: CallOut, **ERRORS}, auth=WRITE_AUTH)
def update_call(request: ApiRequest, call_id: IdPath, payload: CallPatch) -> Call:
    values = payload.dict(exclude_unset=True)
    # Only the deadline can be removed; for the other fields null means "unchanged".
    values = {key: value for key, value in values.items() if value is not None or key == "deadline"}
    return services.update_call(actor=request.auth, call=_call(call_id), **values)


@router.post("/calls/{call_id}/close", response={200: CallOut, **ERRORS}, auth=WRITE_AUTH)
def close_call(request: ApiRequest, call_id: IdPath) -> Call:
    return services.close_call(actor=request.auth, call=_call(call_id))


@router.post("/calls/{call_id}/reopen", response={200: CallOut, **ERRORS}, auth=WRITE_AUTH)
def reopen_call(request: ApiRequest, call_id: IdPath) -> Call:
    return services.reopen_call(actor=request.auth, call=_call(call_id))
