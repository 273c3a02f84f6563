"""API for comments on contributions and calls; translates HTTP to the comment services and back."""

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from backstage.api.auth import WRITE_AUTH, ApiRequest
from backstage.api.schemas import ERRORS, NOT_BLANK, READ_ERRORS, IdPath, InputSchema, SlugPath
from backstage.contributions import queries
from backstage.contributions.api import VIEWER_NOTE, PersonOut, Viewer, _contribution, _viewer
from backstage.contributions.comment_queries import comments_for, render_bodies
from backstage.contributions.comments import edit_comment, post_comment
from backstage.contributions.models import COMMENT_MAX_LENGTH, Comment, Contribution
from backstage.productions.models import Call

router = Router(tags=["comments"])


class CommentOut(Schema):
    id: int
    author: PersonOut
    body: str = Field(..., description="Markdown, as written.")
    body_html: str = Field(..., description="The body rendered, with @mentions of active people linked.")
    created_at: datetime
    edited_at: datetime | None
    parent: int | None = Field(None, description="The top-level comment a reply answers; `null` for one.")

    @staticmethod
    def resolve_body_html(obj: Comment) -> str:
        return str(obj.body_html)

    @staticmethod
    def resolve_parent(obj: Comment) -> int | None:
        return obj.parent_id


class ThreadOut(CommentOut):
    replies: list[CommentOut] = Field([], description="Its visible replies, oldest first.")

    @staticmethod
    def resolve_replies(obj: Comment) -> list[Comment]:
        return getattr(obj, "thread_replies", [])


class CommentList(Schema):
    items: list[ThreadOut]
    count: int = Field(..., description="How many conversations (top-level comments) there are.")


class CommentIn(InputSchema):
    body: str = Field(
        ..., min_length=1, max_length=COMMENT_MAX_LENGTH, pattern=NOT_BLANK, description="Markdown."
    )
    parent: int | None = Field(
        None,
        ge=1,
        le=2**63 - 1,
        description="Id of the top-level comment this replies to, on the same target.",
    )


class CommentPatch(InputSchema):
    body: str = Field(
        ..., min_length=1, max_length=COMMENT_MAX_LENGTH, pattern=NOT_BLANK, description="Markdown."
    )


def _commentable(contribution_id: int, viewer: Viewer) -> Contribution:
    """The contribution, if the viewer may see it: withdrawn or hidden work only for its author and the team."""
    contribution, _role = _contribution(contribution_id, viewer)
    return contribution


def _parent(number: int | None) -> Comment | None:
    if number is None:
        return None
    # A hidden parent is the services' refusal to give (409); one that never existed is not found.
    return get_object_or_404(Comment, pk=number)


def _rendered(comment: Comment) -> Comment:
    render_bodies([comment])
    return comment


def _list(comments: list[Comment]) -> dict[str, object]:
    return {"items": comments, "count": len(comments)}


@router.get(
    "/contributions/{contribution_id}/comments",
    response={200: CommentList, **READ_ERRORS},
    auth=None,
    description="The conversations about a contribution, oldest first, each with its replies; comments the "
    "moderators hid are left out." + VIEWER_NOTE,
)
def list_contribution_comments(request: HttpRequest, contribution_id: IdPath) -> dict[str, object]:
    contribution = _commentable(contribution_id, _viewer(request))
    return _list(comments_for(contribution=contribution))


@router.post(
    "/contributions/{contribution_id}/comments",
    response={201: CommentOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Comment on a contribution, or reply to one of its top-level comments (`parent`).",
)
def comment_on_contribution(
    request: ApiRequest, contribution_id: IdPath, payload: CommentIn
) -> Status[Comment]:
    contribution = _commentable(contribution_id, request.auth)
    comment = post_comment(
        actor=request.auth, contribution=contribution, body=payload.body, parent=_parent(payload.parent)
    )
    return Status(201, _rendered(comment))


@router.get(
    "/productions/{slug}/calls/{call_id}/comments",
    response={200: CommentList, **READ_ERRORS},
    auth=None,
    description="The conversations about a call, oldest first, each with its replies; comments the "
    "moderators hid are left out.",
)
def list_call_comments(request: HttpRequest, slug: SlugPath, call_id: IdPath) -> dict[str, object]:
    call: Call = queries.call_with_production(slug, call_id)
    return _list(comments_for(call=call))


@router.post(
    "/productions/{slug}/calls/{call_id}/comments",
    response={201: CommentOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Comment on a call, or reply to one of its top-level comments (`parent`).",
)
def comment_on_call(
    request: ApiRequest, slug: SlugPath, call_id: IdPath, payload: CommentIn
) -> Status[Comment]:
    call = queries.call_with_production(slug, call_id)
    comment = post_comment(actor=request.auth, call=call, body=payload.body, parent=_parent(payload.parent))
    return Status(201, _rendered(comment))


@router.patch(
    "/comments/{comment_id}",
    response={200: CommentOut, **ERRORS},
    auth=WRITE_AUTH,
    description="The author corrects their comment during the minutes after posting it.",
)
def update_comment(request: ApiRequest, comment_id: IdPath, payload: CommentPatch) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("author__profile"), pk=comment_id)
    if comment.contribution_id is not None:
        # A comment on work the person may not see is no more known to them than the work.
        _commentable(comment.contribution_id, request.auth)
    comment = edit_comment(actor=request.auth, comment=comment, body=payload.body)
    return _rendered(comment)
