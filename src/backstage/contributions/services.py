"""Writes for contributions: submitting, editing, withdrawing, reviewing and voting.

Each function checks who acts, validates, runs in one transaction and returns the
object or raises a ServiceError.
"""

from collections.abc import Sequence
from functools import partial

from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backstage.accounts.models import User
from backstage.contributions import signals
from backstage.contributions.models import Acceptance, Contribution, ContributionFile, Decision, Status, Vote
from backstage.contributions.permissions import can_review
from backstage.core.errors import Conflict, NotAllowed, ServiceError
from backstage.core.storage import files_removed_on_failure
from backstage.core.uploads import validate_upload
from backstage.licensing.compatibility import check_contribution_license, check_remix
from backstage.media.models import Asset
from backstage.productions.models import Call, VotePolicy
from backstage.productions.permissions import require_not_blocked

MAX_FILES = 10
MAX_FILE_BYTES = 50 * 1024 * 1024
FILE_KINDS = frozenset({"image", "audio", "video", "pdf", "text"})
MAX_NOTE: int = Decision._meta.get_field("note").max_length  # type: ignore[assignment]
# Which review steps are possible from each status; withdrawing is the author's, not a review.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.SHORTLISTED, Status.ACCEPTED, Status.DECLINED}),
    Status.SHORTLISTED: frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.DECLINED}),
    Status.ACCEPTED: frozenset({Status.DECLINED, Status.SHORTLISTED}),
    Status.DECLINED: frozenset({Status.SHORTLISTED, Status.ACCEPTED}),
    Status.WITHDRAWN: frozenset(),
}


def _require_active(actor: User) -> None:
    if not actor.is_authenticated or not actor.is_active:
        raise NotAllowed("forbidden", _("Sign in with an active account first."))


def _check_sources(*, call: Call, license: str, sources: Sequence[Contribution]) -> None:
    for source in sources:
        if source.call.production_id != call.production_id:
            raise ServiceError(
                "source_elsewhere",
                _("A remix can only build on works of the same production."),
                field="sources",
            )
        if source.status == Status.WITHDRAWN:
            raise ServiceError(
                "source_withdrawn", _("A withdrawn contribution cannot be remixed."), field="sources"
            )
    try:
        check_remix(remix_license=license, source_licenses=[source.license for source in sources])
    except ServiceError as error:
        if error.field == "source_licenses":
            error.field = "sources"
        raise


def _store_files(
    contribution: Contribution,
    uploads: Sequence[UploadedFile],
    written: list[tuple[Storage, str]],
    start: int = 0,
) -> None:
    for position, upload in enumerate(uploads, start=start):
        # The form has usually checked the file already; anything else is checked here.
        validated = getattr(upload, "validated", None) or validate_upload(
            upload, max_bytes=MAX_FILE_BYTES, allowed_kinds=FILE_KINDS
        )
        stored = ContributionFile(
            contribution=contribution,
            name=validated.name,
            kind=validated.kind,
            mime=validated.mime,
            size=validated.size,
            sha256=validated.sha256,
            position=position,
        )
        stored.file.save(validated.name, upload, save=False)
        written.append((stored.file.storage, stored.file.name))
        stored.save()


def _check_file_count(count: int) -> None:
    if count > MAX_FILES:
        raise ServiceError(
            "too_many_files", _("Attach at most %(max)d files.") % {"max": MAX_FILES}, field="files"
        )


# An asset may be attached once its content is verified; its renditions may still be on their way.
ATTACHABLE = (Asset.Status.PROCESSING, Asset.Status.READY)


def _attach_assets(actor: User, contribution: Contribution, assets: Sequence[Asset], *, start: int) -> None:
    """Attach files the author uploaded through the resumable upload (their own, verified)."""
    for position, asset in enumerate(assets, start=start):
        if asset.owner_id != actor.pk or asset.status not in ATTACHABLE or asset.kind not in FILE_KINDS:
            raise ServiceError(
                "asset_not_attachable",
                _("“%(name)s” cannot be attached: only your own files, once checked, can be.")
                % {"name": asset.name},
                field="assets",
            )
        ContributionFile.objects.create(
            contribution=contribution,
            asset=asset,
            name=asset.name[:120],
            kind=asset.kind,
            mime=asset.mime,
            size=asset.size,
            sha256=asset.sha256,
            position=position,
        )


def submit_contribution(
    *,
    actor: User,
    call: Call,
    title: str,
    description: str,
    license: str,
    links: list[str],
    files: Sequence[UploadedFile] = (),
    sources: Sequence[Contribution] = (),
    assets: Sequence[Asset] = (),
) -> Contribution:
    """Answer an open call with a contribution under a free license the production accepts."""
    _require_active(actor)
    with files_removed_on_failure() as written, transaction.atomic():
        return _submit(actor, call, title, description, license, links, files, sources, written, assets)


def _submit(
    actor: User,
    call: Call,
    title: str,
    description: str,
    license: str,
    links: list[str],
    files: Sequence[UploadedFile],
    sources: Sequence[Contribution],
    written: list[tuple[Storage, str]],
    assets: Sequence[Asset] = (),
) -> Contribution:
    call = Call.objects.select_for_update().select_related("production").get(pk=call.pk)
    require_not_blocked(actor, call.production)
    if not call.accepts_contributions:
        raise ServiceError("call_closed", _("This call is closed; it no longer takes contributions."))
    check_contribution_license(production_license=call.production.license, contribution_license=license)
    _check_sources(call=call, license=license, sources=sources)
    _check_file_count(len(files) + len(assets))
    contribution = Contribution(
        call=call, author=actor, title=title.strip(), description=description, license=license, links=links
    )
    contribution.full_clean()
    contribution.save()
    contribution.sources.set(sources)
    _store_files(contribution, files, written)
    _attach_assets(actor, contribution, assets, start=len(files))
    signals.contribution_submitted.send(sender=Contribution, contribution=contribution)
    return contribution


def edit_contribution(
    *,
    actor: User,
    contribution: Contribution,
    title: str,
    description: str,
    license: str,
    links: list[str],
    new_files: Sequence[UploadedFile] = (),
    remove_files: Sequence[int] = (),
    sources: Sequence[Contribution] | None = None,
    new_assets: Sequence[Asset] = (),
) -> Contribution:
    """The author changes their contribution while it is only submitted."""
    with files_removed_on_failure() as written, transaction.atomic():
        return _edit(
            actor, contribution, title, description, license, links, new_files, remove_files, sources, written,
            new_assets,
        )  # fmt: skip


def _edit(
    actor: User,
    contribution: Contribution,
    title: str,
    description: str,
    license: str,
    links: list[str],
    new_files: Sequence[UploadedFile],
    remove_files: Sequence[int],
    sources: Sequence[Contribution] | None,
    written: list[tuple[Storage, str]],
    new_assets: Sequence[Asset] = (),
) -> Contribution:
    contribution = (
        Contribution.objects.select_for_update().select_related("call__production").get(pk=contribution.pk)
    )
    if contribution.author_id != actor.pk:
        raise NotAllowed("forbidden", _("Only the author may change this contribution."))
    if not contribution.is_editable:
        raise Conflict(
            "not_editable", _("Once the team has looked at a contribution, it can no longer be edited.")
        )
    check_contribution_license(
        production_license=contribution.call.production.license, contribution_license=license
    )
    chosen_sources = list(contribution.sources.all()) if sources is None else list(sources)
    if contribution in chosen_sources:
        raise ServiceError("source_self", _("A contribution cannot build on itself."), field="sources")
    _check_sources(call=contribution.call, license=license, sources=chosen_sources)
    kept = contribution.files.exclude(pk__in=remove_files)
    _check_file_count(kept.count() + len(new_files) + len(new_assets))
    contribution.title = title.strip()
    contribution.description = description
    contribution.license = license
    contribution.links = links
    contribution.full_clean()
    contribution.save()
    contribution.sources.set(chosen_sources)
    for removed in contribution.files.filter(pk__in=remove_files):
        removed.delete()
        if removed.file:  # an asset stays in its owner's files
            transaction.on_commit(partial(removed.file.storage.delete, removed.file.name))
    last = max((item.position for item in kept), default=-1)
    _store_files(contribution, new_files, written, start=last + 1)
    _attach_assets(actor, contribution, new_assets, start=last + 1 + len(new_files))
    return contribution


@transaction.atomic
def withdraw_contribution(*, actor: User, contribution: Contribution) -> Contribution:
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if contribution.author_id != actor.pk:
        raise NotAllowed("forbidden", _("Only the author may change this contribution."))
    if not contribution.can_be_withdrawn:
        raise Conflict("not_withdrawable", _("This contribution can no longer be withdrawn."))
    Decision.objects.create(
        contribution=contribution, actor=actor, from_status=contribution.status, to_status=Status.WITHDRAWN
    )
    contribution.status = Status.WITHDRAWN
    contribution.decided_at = timezone.now()
    contribution.save(update_fields=["status", "decided_at", "updated_at"])
    return contribution


@transaction.atomic
def review_contribution(*, actor: User, contribution: Contribution, status: str, note: str = "") -> Decision:
    """A reviewer moves a contribution on; accepting writes the permanent acceptance record."""
    contribution = (
        Contribution.objects.select_for_update(of=("self",))
        .select_related("call__production", "author__profile")
        .get(pk=contribution.pk)
    )
    production = contribution.call.production
    if not can_review(actor, production):
        raise NotAllowed(
            "forbidden", _("Only the production's crew, directors and producers may review contributions.")
        )
    if status not in TRANSITIONS.get(contribution.status, frozenset()):
        raise Conflict(
            "invalid_transition",
            _("A contribution that is “%(current)s” cannot become “%(next)s”.")
            % {
                "current": Status(contribution.status).label,
                "next": Status(status).label if status in Status.values else status,
            },
            field="status",
        )
    if len(note) > MAX_NOTE:
        raise ServiceError(
            "too_long",
            _("The text is too long (%(max)d characters at most).") % {"max": MAX_NOTE},
            field="note",
        )
    decision = Decision.objects.create(
        contribution=contribution, actor=actor, from_status=contribution.status, to_status=status, note=note
    )
    contribution.status = status
    contribution.decided_at = timezone.now()
    contribution.save(update_fields=["status", "decided_at", "updated_at"])
    if status == Status.ACCEPTED:
        _record_acceptance(contribution, decision)
    signals.contribution_reviewed.send(sender=Contribution, contribution=contribution, decision=decision)
    return decision


def _record_acceptance(contribution: Contribution, decision: Decision) -> Acceptance:
    return Acceptance.objects.create(
        contribution=contribution,
        decision=decision,
        production=contribution.call.production,
        call=contribution.call,
        author=contribution.author,
        author_name=contribution.author.display_name,
        call_kind=contribution.call.kind,
        title=contribution.title,
        license=contribution.license,
        files=[
            {"name": item.name, "sha256": item.sha256, "size": item.size} for item in contribution.files.all()
        ],
        sources=[
            {
                "id": source.pk,
                "title": source.title,
                "author": source.author.display_name,
                "license": source.license,
            }
            for source in contribution.sources.select_related("author__profile")
        ],
        accepted_by=decision.actor,
        accepted_at=decision.created_at,
    )


def votes_left(*, voter: User, call: Call) -> int | None:
    """How many votes the member still has in this call (None when the call has no quota)."""
    if call.vote_policy != VotePolicy.FIXED_PER_CALL:
        return None
    return max(call.votes_per_member - Vote.objects.filter(call=call, voter=voter).count(), 0)


@transaction.atomic
def cast_vote(*, actor: User, contribution: Contribution) -> Contribution:
    _require_active(actor)
    # The voter's row is the lock: one person's votes are counted one at a time, others' run freely.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    contribution = Contribution.objects.select_related("call__production").get(pk=contribution.pk)
    call = contribution.call
    require_not_blocked(actor, call.production)
    if call.vote_policy == VotePolicy.NONE:
        raise ServiceError("votes_disabled", _("This call has no public vote."))
    if not call.accepts_contributions:
        raise ServiceError("votes_closed", _("Voting ended when the call closed."))
    if contribution.status == Status.WITHDRAWN or contribution.is_hidden:
        raise ServiceError("withdrawn", _("This contribution is no longer shown."))
    if contribution.author_id == actor.pk:
        raise ServiceError("own_contribution", _("You cannot vote for your own contribution."))
    left = votes_left(voter=actor, call=call)
    if left == 0:
        raise Conflict(
            "no_votes_left",
            _("You have used all your votes in this call (%(count)d).") % {"count": call.votes_per_member},
        )
    try:
        with transaction.atomic():
            Vote.objects.create(contribution=contribution, voter=actor, call=call)
    except IntegrityError:
        raise Conflict("already_voted", _("You have already voted for this contribution.")) from None
    Contribution.objects.filter(pk=contribution.pk).update(vote_count=F("vote_count") + 1)
    contribution.refresh_from_db(fields=["vote_count"])
    return contribution


@transaction.atomic
def withdraw_vote(*, actor: User, contribution: Contribution) -> Contribution:
    _require_active(actor)
    call = contribution.call
    if not call.accepts_contributions:
        raise ServiceError("votes_closed", _("Voting ended when the call closed."))
    deleted, _rows = Vote.objects.filter(contribution=contribution, voter=actor).delete()
    if deleted:
        Contribution.objects.filter(pk=contribution.pk).update(vote_count=F("vote_count") - 1)
    contribution.refresh_from_db(fields=["vote_count"])
    return contribution
