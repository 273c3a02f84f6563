"""API for contributions: answering calls, reviewing and voting; translates HTTP to services and back."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from pydantic import AfterValidator

from backstage.accounts.models import User
from backstage.api.auth import WRITE_AUTH, ApiRequest, reader
from backstage.api.pagination import MAX_OFFSET
from backstage.api.schemas import (
    ERRORS,
    NOT_BLANK,
    READ_ERRORS,
    IdPath,
    InputSchema,
    LicenseId,
    SlugPath,
    storable_text,
)
from backstage.contributions import queries, services
from backstage.contributions.forms import MAX_LINKS
from backstage.contributions.models import VISIBLE, Contribution, ContributionFile
from backstage.contributions.services import FILE_KINDS, MAX_FILE_BYTES, MAX_FILES
from backstage.core.errors import NotAllowed, ServiceError
from backstage.core.links import MAX_LINK_LENGTH, parse_links
from backstage.core.markdown import render_markdown
from backstage.core.uploads import display_name, validate_upload
from backstage.media.models import Asset
from backstage.productions.models import Call
from backstage.productions.permissions import role_in

router = Router(tags=["contributions"])

MAX_SOURCES = 20
Viewer = User | AnonymousUser
Sort = Literal["newest", "votes", "shortlisted"]
# A review moves a contribution on; withdrawing is the author's own operation.
ReviewStatus = Literal["submitted", "shortlisted", "accepted", "declined"]
# Spelled out rather than the model's choices, whose schema name would clash with the invitations' "Status".
StatusName = Literal["submitted", "shortlisted", "accepted", "declined", "withdrawn"]

VIEWER_NOTE = (
    " Readable without signing in; with a token or session, the author and the production's team also see "
    "what the public does not (withdrawn work, vote counts of a call whose votes are private)."
)


def _one_link(value: str) -> str:
    storable_text(value)
    if len(value.splitlines()) != 1:
        raise ValueError(_("Give each link as one web address on a single line."))
    try:
        links = parse_links(value, max_links=1)
    except DjangoValidationError as error:
        raise ValueError(" ".join(error.messages)) from None
    if not links:
        raise ValueError(_("A link may not be blank."))
    return links[0]


Link = Annotated[str, Field(min_length=1, max_length=MAX_LINK_LENGTH), AfterValidator(_one_link)]
SourceId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class PersonOut(Schema):
    username: str
    display_name: str


class FileOut(Schema):
    id: int
    name: str
    kind: str
    mime: str
    size: int
    sha256: str
    url: str

    @staticmethod
    def resolve_url(obj: ContributionFile) -> str:
        contribution = obj.contribution
        return reverse(
            "contributions:file",
            kwargs={"slug": contribution.call.production.slug, "pk": contribution.pk, "file_id": obj.pk},
        )


class SourceOut(Schema):
    id: int
    title: str
    license: str
    author: PersonOut
    url: str

    @staticmethod
    def resolve_url(obj: Contribution) -> str:
        return obj.get_absolute_url()


class ContributionOut(Schema):
    id: int
    call: int
    production: str
    title: str
    license: str
    status: StatusName
    vote_count: int | None = Field(None, description="`null` when the call's votes are not public.")
    voted: bool = Field(False, description="Whether the person asking voted for it.")
    author: PersonOut
    file_count: int = 0
    created_at: datetime
    url: str

    @staticmethod
    def resolve_call(obj: Contribution) -> int:
        return obj.call_id

    @staticmethod
    def resolve_production(obj: Contribution) -> str:
        return obj.call.production.slug

    @staticmethod
    def resolve_vote_count(obj: Contribution) -> int | None:
        return obj.vote_count if getattr(obj, "votes_shown", False) else None

    @staticmethod
    def resolve_voted(obj: Contribution) -> bool:
        return getattr(obj, "voted", False)

    @staticmethod
    def resolve_file_count(obj: Contribution) -> int:
        return getattr(obj, "file_count", 0)

    @staticmethod
    def resolve_url(obj: Contribution) -> str:
        return obj.get_absolute_url()


class ContributionDetailOut(ContributionOut):
    description: str
    description_html: str
    links: list[str]
    files: list[FileOut]
    sources: list[SourceOut]
    updated_at: datetime
    decided_at: datetime | None

    @staticmethod
    def resolve_description_html(obj: Contribution) -> str:
        return str(render_markdown(obj.description))

    @staticmethod
    def resolve_file_count(obj: Contribution) -> int:
        return len(obj.files.all())

    @staticmethod
    def resolve_files(obj: Contribution) -> list[ContributionFile]:
        return list(obj.files.all())

    @staticmethod
    def resolve_sources(obj: Contribution) -> list[Contribution]:
        return list(obj.sources.all())


class ContributionList(Schema):
    items: list[ContributionOut]
    count: int


class ListParams(Schema):
    sort: Sort = Field(
        "newest",
        description="`newest` first, most `votes` first, or `shortlisted`: accepted, shortlisted, then the rest.",
    )
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ContributionIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200, pattern=NOT_BLANK)
    description: str = Field("", max_length=20_000, description="Markdown.")
    license: LicenseId = Field(..., description="A free license the production's own license can include.")
    links: list[Link] = Field([], max_length=MAX_LINKS, description="Web addresses (http or https).")
    sources: list[SourceId] = Field(
        [], max_length=MAX_SOURCES, description="Ids of the production's contributions this one remixes."
    )
    assets: list[UUID] = Field(
        [],
        max_length=MAX_FILES,
        description="Ids of your own uploaded files (the resumable upload at /uploads/; an upload's id is "
        "its file's) to attach, once checked.",
    )


class ContributionPatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200, pattern=NOT_BLANK)
    description: str | None = Field(None, max_length=20_000)
    license: LicenseId | None = None
    links: list[Link] | None = Field(None, max_length=MAX_LINKS)
    sources: list[SourceId] | None = Field(None, max_length=MAX_SOURCES)


class ReviewIn(InputSchema):
    status: ReviewStatus
    note: str = Field("", max_length=services.MAX_NOTE, description="For the author.")


class VoteOut(Schema):
    voted: bool
    vote_count: int | None = Field(..., description="`null` when the call's votes are not public.")
    votes_left: int | None = Field(..., description="`null` when the call sets no quota of votes.")


def _viewer(request: HttpRequest) -> Viewer:
    return reader(request)


def _visible(contribution: Contribution, viewer: Viewer, role: str | None) -> None:
    if not queries.may_see(contribution, viewer, in_team=role is not None):
        raise Http404


def _contribution(contribution_id: int, viewer: Viewer) -> tuple[Contribution, str | None]:
    contribution = get_object_or_404(
        Contribution.objects.select_related("call__production", "author__profile"), pk=contribution_id
    )
    role = role_in(viewer, contribution.call.production)
    _visible(contribution, viewer, role)
    return contribution, role


def _detail(contribution_id: int, viewer: Viewer) -> Contribution:
    contribution = get_object_or_404(
        Contribution.objects.select_related("call__production", "author__profile").prefetch_related(
            "files", "sources__author__profile", "sources__call__production"
        ),
        pk=contribution_id,
    )
    role = role_in(viewer, contribution.call.production)
    _visible(contribution, viewer, role)
    contribution.votes_shown = queries.votes_are_visible(contribution.call, role)  # type: ignore[attr-defined]
    contribution.voted = bool(queries.voted_ids(viewer, [contribution]))  # type: ignore[attr-defined]
    return contribution


def _sources(call: Call, numbers: list[int]) -> list[Contribution]:
    """The contributions named as sources; unknown ids (and others' hidden work) are refused."""
    wanted = set(numbers)
    found = list(
        Contribution.objects.filter(pk__in=wanted)
        # A withdrawn contribution of another production is not the asker's business: unknown.
        .filter(Q(call__production_id=call.production_id) | VISIBLE)
        .select_related("call")
    )
    missing = sorted(wanted - {item.pk for item in found})
    if missing:
        raise ServiceError(
            "unknown_source",
            _("No contribution #%(number)s in this production.") % {"number": missing[0]},
            field="sources",
        )
    return found


def _assets(owner: User, ids: list[UUID]) -> list[Asset]:
    """The person's uploaded files named; another's, or one that does not exist, is unknown to them."""
    found = {asset.pk: asset for asset in Asset.objects.filter(pk__in=ids, owner=owner)}
    missing = [str(number) for number in ids if number not in found]
    if missing:
        raise ServiceError(
            "unknown_asset", _("You have no uploaded file %(id)s.") % {"id": missing[0]}, field="assets"
        )
    return [found[number] for number in ids]


def _client_field(error: ServiceError) -> ServiceError:
    # Services name fields as the form does; clients sent them by the names of this API's bodies.
    if error.field in ("source_licenses", "attachments"):
        error.field = "sources" if error.field == "source_licenses" else "files"
    return error


@router.get(
    "/productions/{slug}/calls/{call_id}/contributions",
    response={200: ContributionList, **READ_ERRORS},
    auth=None,
    description="The call's contributions, withdrawn ones left out." + VIEWER_NOTE,
)
def list_contributions(
    request: HttpRequest, slug: SlugPath, call_id: IdPath, params: Query[ListParams]
) -> dict[str, object]:
    call = queries.call_with_production(slug, call_id)
    viewer = _viewer(request)
    contributions = queries.contributions_for_call(call, sort=params.sort)
    chosen = contributions[params.offset : params.offset + params.limit]
    items = queries.with_file_counts(list(queries.slice_with_details(chosen)))
    shown = queries.votes_are_visible(call, role_in(viewer, call.production))
    voted = queries.voted_ids(viewer, items)
    for item in items:
        item.votes_shown = shown  # type: ignore[attr-defined]
        item.voted = item.pk in voted  # type: ignore[attr-defined]
    return {"items": items, "count": contributions.count()}


@router.post(
    "/productions/{slug}/calls/{call_id}/contributions",
    response={201: ContributionDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Answer an open call. This takes JSON; attach files afterwards with "
    "`POST /contributions/{id}/files`.",
)
def submit_contribution(
    request: ApiRequest, slug: SlugPath, call_id: IdPath, payload: ContributionIn
) -> Status[Contribution]:
    call = queries.call_with_production(slug, call_id)
    try:
        contribution = services.submit_contribution(
            actor=request.auth,
            call=call,
            title=payload.title,
            description=payload.description,
            license=payload.license,
            links=list(payload.links),
            sources=_sources(call, payload.sources),
            assets=_assets(request.auth, payload.assets),
        )
    except ServiceError as error:
        raise _client_field(error) from None
    return Status(201, _detail(contribution.pk, request.auth))


@router.get(
    "/contributions/{contribution_id}",
    response={200: ContributionDetailOut, **READ_ERRORS},
    auth=None,
    description="A contribution with its files and sources." + VIEWER_NOTE,
)
def get_contribution(request: HttpRequest, contribution_id: IdPath) -> Contribution:
    return _detail(contribution_id, _viewer(request))


@router.patch(
    "/contributions/{contribution_id}",
    response={200: ContributionDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    description="The author changes their contribution while it is only submitted; absent or `null` fields "
    "stay as they are. Files are attached and removed through `/contributions/{id}/files`.",
)
def update_contribution(
    request: ApiRequest, contribution_id: IdPath, payload: ContributionPatch
) -> Contribution:
    contribution = _authors_editable(contribution_id, request.auth)
    values = payload.dict(exclude_unset=True, exclude_none=True)
    try:
        services.edit_contribution(
            actor=request.auth,
            contribution=contribution,
            title=values.get("title", contribution.title),
            description=values.get("description", contribution.description),
            license=values.get("license", contribution.license),
            links=values.get("links", contribution.links),
            sources=_sources(contribution.call, values["sources"]) if "sources" in values else None,
        )
    except ServiceError as error:
        raise _client_field(error) from None
    return _detail(contribution.pk, request.auth)


@router.post(
    "/contributions/{contribution_id}/withdraw",
    response={200: ContributionDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    description="The author takes their contribution back, while the team has not accepted or declined it.",
)
def withdraw_contribution(request: ApiRequest, contribution_id: IdPath) -> Contribution:
    contribution, _role = _contribution(contribution_id, request.auth)
    services.withdraw_contribution(actor=request.auth, contribution=contribution)
    return _detail(contribution.pk, request.auth)


@router.post(
    "/contributions/{contribution_id}/review",
    response={200: ContributionDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    description="The production's crew, directors and producers move a contribution on; accepting it writes "
    "the permanent record the credits are built from.",
)
def review_contribution(request: ApiRequest, contribution_id: IdPath, payload: ReviewIn) -> Contribution:
    contribution, _role = _contribution(contribution_id, request.auth)
    services.review_contribution(
        actor=request.auth, contribution=contribution, status=payload.status, note=payload.note
    )
    return _detail(contribution.pk, request.auth)


def _vote_result(actor: User, contribution: Contribution, role: str | None) -> dict[str, object]:
    call = contribution.call
    return {
        "voted": bool(queries.voted_ids(actor, [contribution])),
        "vote_count": contribution.vote_count if queries.votes_are_visible(call, role) else None,
        "votes_left": services.votes_left(voter=actor, call=call),
    }


@router.post(
    "/contributions/{contribution_id}/vote",
    response={200: VoteOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Vote for someone else's contribution while its call is open.",
)
def vote(request: ApiRequest, contribution_id: IdPath) -> dict[str, object]:
    contribution, role = _contribution(contribution_id, request.auth)
    contribution = services.cast_vote(actor=request.auth, contribution=contribution)
    return _vote_result(request.auth, contribution, role)


@router.delete(
    "/contributions/{contribution_id}/vote",
    response={200: VoteOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Take one's vote back while the call is open (nothing happens if there was none).",
)
def unvote(request: ApiRequest, contribution_id: IdPath) -> dict[str, object]:
    contribution, role = _contribution(contribution_id, request.auth)
    contribution = services.withdraw_vote(actor=request.auth, contribution=contribution)
    return _vote_result(request.auth, contribution, role)


def _authors_editable(contribution_id: int, actor: User) -> Contribution:
    contribution, _role = _contribution(contribution_id, actor)
    if contribution.author_id != actor.pk:
        raise NotAllowed("forbidden", _("Only the author may change this contribution."))
    return contribution


def _checked(upload: UploadedFile) -> UploadedFile:
    """The upload with its findings attached (as the form leaves it), or a refusal that names it."""
    try:
        upload.validated = validate_upload(  # type: ignore[attr-defined]
            upload, max_bytes=MAX_FILE_BYTES, allowed_kinds=FILE_KINDS
        )
    except DjangoValidationError as error:
        problem = " ".join(error.messages)
        name = display_name(upload.name or "")
        raise ServiceError(
            error.code or "invalid_file",
            _("“%(name)s”: %(problem)s") % {"name": name, "problem": problem},
            field="files",
        ) from None
    return upload


def _change_files(
    actor: User, contribution: Contribution, new_files: list[UploadedFile], remove_files: list[int]
) -> Contribution:
    new_files = [_checked(upload) for upload in new_files]
    try:
        services.edit_contribution(
            actor=actor,
            contribution=contribution,
            title=contribution.title,
            description=contribution.description,
            license=contribution.license,
            links=contribution.links,
            new_files=new_files,
            remove_files=remove_files,
        )
    except ServiceError as error:
        raise _client_field(error) from None
    return _detail(contribution.pk, actor)


@router.post(
    "/contributions/{contribution_id}/files",
    response={201: ContributionDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    description="The author attaches files to their contribution while it is only submitted: a "
    "`multipart/form-data` request with one or more `files` parts (images, audio, video, PDF or text, "
    f"{MAX_FILE_BYTES // (1024 * 1024)} MB each at most, {MAX_FILES} files per contribution). "
    "Each file's type is read from its content, whatever its name says.",
)
def attach_files(
    request: ApiRequest, contribution_id: IdPath, files: File[list[UploadedFile]]
) -> Status[Contribution]:
    contribution = _authors_editable(contribution_id, request.auth)
    return Status(201, _change_files(request.auth, contribution, list(files), []))


@router.delete(
    "/contributions/{contribution_id}/files/{file_id}",
    response={200: ContributionDetailOut, **ERRORS},
    auth=WRITE_AUTH,
    description="The author removes a file from their contribution while it is only submitted.",
)
def remove_file(request: ApiRequest, contribution_id: IdPath, file_id: IdPath) -> Contribution:
    contribution = _authors_editable(contribution_id, request.auth)
    get_object_or_404(ContributionFile, pk=file_id, contribution=contribution)
    return _change_files(request.auth, contribution, [], [file_id])
