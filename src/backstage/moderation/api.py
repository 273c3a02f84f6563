"""API for moderation: reporting, the moderators' queue, hiding and blocking; HTTP to services and back."""

from datetime import datetime
from typing import Literal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from backstage.accounts.models import User
from backstage.api.auth import WRITE_AUTH, ApiRequest
from backstage.api.pagination import Pagination
from backstage.api.schemas import ERRORS, NOT_BLANK, IdPath, InputSchema, SlugPath, UsernamePath
from backstage.contributions import queries as contribution_queries
from backstage.contributions.api import PersonOut
from backstage.contributions.models import Comment, Contribution
from backstage.core.errors import ServiceError
from backstage.moderation import queries, services
from backstage.moderation.models import Report
from backstage.moderation.services import MAX_REASON
from backstage.productions import services as production_services
from backstage.productions.models import Block, Production
from backstage.productions.permissions import Action, require, role_in

router = Router(tags=["moderation"])

ReportStatus = Literal["open", "hidden", "dismissed"]


class ReportOut(Schema):
    id: int
    production: str
    contribution: int | None = Field(None, description="The reported contribution, or `null`.")
    comment: int | None = Field(None, description="The reported comment, or `null`.")
    reason: str
    status: ReportStatus = Field(..., description="`open`, `hidden` (the content was hidden) or `dismissed`.")
    reporter: PersonOut
    created_at: datetime
    handled_at: datetime | None

    @staticmethod
    def resolve_production(obj: Report) -> str:
        return obj.production.slug

    @staticmethod
    def resolve_contribution(obj: Report) -> int | None:
        return obj.contribution_id

    @staticmethod
    def resolve_comment(obj: Report) -> int | None:
        return obj.comment_id


class ModeratedOut(Schema):
    id: int
    is_hidden: bool
    hidden_reason: str = Field(..., description="What its author was told; empty when it is shown.")


class BlockOut(Schema):
    person: PersonOut
    reason: str
    created_at: datetime

    @staticmethod
    def resolve_person(obj: Block) -> User:
        return obj.user


class ReasonIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=MAX_REASON, pattern=NOT_BLANK)


class BlockIn(ReasonIn):
    username: str = Field(..., min_length=1, max_length=150)


def _contribution(contribution_id: int, viewer: User) -> Contribution:
    """The contribution, if the person may see it: hidden or withdrawn work only for its author and the team."""
    contribution = get_object_or_404(
        Contribution.objects.select_related("call__production", "author"), pk=contribution_id
    )
    if not contribution_queries.may_see(contribution, viewer):
        raise Http404
    return contribution


def _comment(comment_id: int, viewer: User) -> Comment:
    """The comment, if the person may see it and what it is about."""
    comment = get_object_or_404(
        Comment.objects.select_related("author", "contribution__call__production", "call__production"),
        pk=comment_id,
    )
    if comment.contribution is not None:
        if not contribution_queries.may_see(comment.contribution, viewer):
            raise Http404
        production = comment.contribution.call.production
    else:
        production = comment.call.production  # type: ignore[union-attr]
    # A hidden comment, like hidden work, stays for its author and the team only.
    if comment.is_hidden and comment.author_id != viewer.pk and role_in(viewer, production) is None:
        raise Http404
    return comment


def _moderated(target: Contribution | Comment) -> dict[str, object]:
    return {"id": target.pk, "is_hidden": target.is_hidden, "hidden_reason": target.hidden_reason}


@router.post(
    "/contributions/{contribution_id}/report",
    response={201: ReportOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Tell the production's moderators that a contribution is abusive, and why.",
)
def report_contribution(request: ApiRequest, contribution_id: IdPath, payload: ReasonIn) -> Status[Report]:
    target = _contribution(contribution_id, request.auth)
    return Status(201, services.report(actor=request.auth, target=target, reason=payload.reason))


@router.post(
    "/comments/{comment_id}/report",
    response={201: ReportOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Tell the production's moderators that a comment is abusive, and why.",
)
def report_comment(request: ApiRequest, comment_id: IdPath, payload: ReasonIn) -> Status[Report]:
    target = _comment(comment_id, request.auth)
    return Status(201, services.report(actor=request.auth, target=target, reason=payload.reason))


@router.get(
    "/productions/{slug}/reports",
    response={200: list[ReportOut], **ERRORS},
    auth=WRITE_AUTH,
    description="The production's reports, oldest first: the open ones unless `status` says otherwise. "
    "For its producers and moderators.",
)
@paginate(Pagination)
def list_reports(request: ApiRequest, slug: SlugPath, status: ReportStatus = "open") -> list[Report]:
    production = get_object_or_404(Production, slug=slug)
    require(request.auth, Action.MODERATE, production)
    return queries.reports(production, status=status)  # type: ignore[return-value]


@router.post(
    "/reports/{report_id}/dismiss",
    response={200: ReportOut, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer or moderator closes an open report without hiding anything.",
)
def dismiss_report(request: ApiRequest, report_id: IdPath) -> Report:
    found = get_object_or_404(Report.objects.select_related("production", "reporter__profile"), pk=report_id)
    return services.dismiss(actor=request.auth, report=found)


@router.post(
    "/contributions/{contribution_id}/hide",
    response={200: ModeratedOut, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer or moderator hides a contribution from the public, with a reason its author "
    "is e-mailed; its open reports are closed.",
)
def hide_contribution(request: ApiRequest, contribution_id: IdPath, payload: ReasonIn) -> dict[str, object]:
    target = _contribution(contribution_id, request.auth)
    services.hide(actor=request.auth, target=target, reason=payload.reason)
    return _moderated(target)


@router.post(
    "/contributions/{contribution_id}/unhide",
    response={200: ModeratedOut, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer or moderator shows a hidden contribution again.",
)
def unhide_contribution(request: ApiRequest, contribution_id: IdPath) -> dict[str, object]:
    target = _contribution(contribution_id, request.auth)
    services.unhide(actor=request.auth, target=target)
    return _moderated(target)


@router.post(
    "/comments/{comment_id}/hide",
    response={200: ModeratedOut, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer or moderator hides a comment, with a reason its author is e-mailed.",
)
def hide_comment(request: ApiRequest, comment_id: IdPath, payload: ReasonIn) -> dict[str, object]:
    target = _comment(comment_id, request.auth)
    services.hide(actor=request.auth, target=target, reason=payload.reason)
    return _moderated(target)


@router.post(
    "/comments/{comment_id}/unhide",
    response={200: ModeratedOut, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer or moderator shows a hidden comment again.",
)
def unhide_comment(request: ApiRequest, comment_id: IdPath) -> dict[str, object]:
    target = _comment(comment_id, request.auth)
    services.unhide(actor=request.auth, target=target)
    return _moderated(target)


@router.get(
    "/productions/{slug}/blocks",
    response={200: list[BlockOut], **ERRORS},
    auth=WRITE_AUTH,
    description="The people blocked from taking part in the production. For its producers and moderators.",
)
@paginate(Pagination)
def list_blocks(request: ApiRequest, slug: SlugPath) -> list[Block]:
    production = get_object_or_404(Production, slug=slug)
    require(request.auth, Action.MODERATE, production)
    return queries.blocks(production)  # type: ignore[return-value]


@router.post(
    "/productions/{slug}/blocks",
    response={201: BlockOut, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer or moderator blocks someone outside the team from contributing, voting and "
    "commenting in the production, with a reason kept on record.",
)
def block(request: ApiRequest, slug: SlugPath, payload: BlockIn) -> Status[Block]:
    production = get_object_or_404(Production, slug=slug)
    require(request.auth, Action.MODERATE, production)
    person = get_object_or_404(User, username=payload.username, is_active=True)
    try:
        blocked = production_services.block_member(
            actor=request.auth, production=production, user=person, reason=payload.reason
        )
    except ServiceError as error:
        # The services name the person "user"; clients sent a "username".
        error.field = "username" if error.field == "user" else error.field
        raise
    return Status(201, blocked)


@router.delete(
    "/productions/{slug}/blocks/{username}",
    response={204: None, **ERRORS},
    auth=WRITE_AUTH,
    description="A producer or moderator lets a blocked person take part again.",
)
def unblock(request: ApiRequest, slug: SlugPath, username: UsernamePath) -> Status[None]:
    production = get_object_or_404(Production, slug=slug)
    require(request.auth, Action.MODERATE, production)
    person = get_object_or_404(User, username=username)
    production_services.unblock_member(actor=request.auth, production=production, user=person)
    return Status(204, None)
