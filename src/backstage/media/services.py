"""Writes on assets: retrying failed processing, deleting."""

import shutil
from datetime import timedelta
from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import ProtectedError, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backstage.accounts.models import User
from backstage.core.errors import Conflict, NotAllowed, ServiceError
from backstage.licensing.compatibility import check_free
from backstage.media.ingest import renditions_dir
from backstage.media.models import Asset, Step
from backstage.productions.models import Role
from backstage.productions.permissions import role_in

# A running step that has written nothing for this long was interrupted (see ingest.HEARTBEAT_INTERVAL).
STALE_AFTER = timedelta(minutes=30)
# Who looks after a production's media besides the person who uploaded it.
MEDIA_ROLES = frozenset({Role.PRODUCER, Role.DIRECTOR, Role.CREW})


def may_manage(user: User, asset: Asset) -> bool:
    """The uploader, or the team of the asset's production, may retry and manage it."""
    if not user.is_authenticated or not user.is_active:
        return False
    if asset.owner_id == user.pk:
        return True
    return asset.production is not None and role_in(user, asset.production) in MEDIA_ROLES


def stale_steps(asset: Asset) -> QuerySet[Step]:
    """Steps marked running whose worker has given no sign of life for a while: it was interrupted."""
    return Step.objects.filter(
        asset=asset, status=Step.Status.RUNNING, heartbeat_at__lt=timezone.now() - STALE_AFTER
    )


@transaction.atomic
def retry(*, actor: User, asset: Asset) -> Asset:
    """Run the failed steps of an asset's processing again, and those an interrupted worker left."""
    asset = Asset.objects.select_for_update(of=("self",)).select_related("production").get(pk=asset.pk)
    if not may_manage(actor, asset):
        raise NotAllowed(
            "forbidden", _("Only the person who uploaded this file and its production's team may retry it.")
        )
    names = list(Step.objects.filter(asset=asset, status=Step.Status.FAILED).values_list("name", flat=True))
    if asset.status == Asset.Status.PROCESSING:
        names += list(stale_steps(asset).values_list("name", flat=True))
    if asset.status not in (Asset.Status.FAILED, Asset.Status.PROCESSING) or not names:
        raise Conflict("not_failed", _("Only a file whose processing failed or stopped can be retried."))
    Step.objects.filter(asset=asset, name__in=names).update(
        status=Step.Status.PENDING, progress=0, problem="", started_at=None, finished_at=None
    )
    asset.status = Asset.Status.PROCESSING
    asset.problem = ""
    asset.problem_detail = ""
    asset.save(update_fields=["status", "problem", "problem_detail", "updated_at"])
    from backstage.media.tasks import run_step

    for name in names:
        transaction.on_commit(partial(run_step.enqueue, asset_id=str(asset.pk), name=name))
    return asset


MAX_ATTRIBUTION: int = Asset._meta.get_field("attribution").max_length  # type: ignore[assignment]


@transaction.atomic
def set_license(*, actor: User, asset: Asset, license: str, attribution: str) -> Asset:
    """Say under which free license a file is shared and whom to credit for it."""
    asset = Asset.objects.select_for_update(of=("self",)).select_related("production").get(pk=asset.pk)
    if not may_manage(actor, asset):
        raise NotAllowed(
            "forbidden",
            _("Only the person who uploaded this file and its production's team may set its license."),
        )
    asset.license = check_free(license).spdx_id
    attribution = (attribution or "").strip()
    if len(attribution) > MAX_ATTRIBUTION:
        raise ServiceError(
            "too_long",
            _("The attribution is too long (%(max)d characters at most).") % {"max": MAX_ATTRIBUTION},
            field="attribution",
        )
    asset.attribution = attribution
    asset.save(update_fields=["license", "attribution", "updated_at"])
    return asset


def delete(*, actor: User, asset: Asset) -> None:
    """Remove a file, its renditions and their bytes; refused while it is still being worked on."""
    with transaction.atomic():
        asset = Asset.objects.select_for_update(of=("self",)).select_related("production").get(pk=asset.pk)
        if not may_manage(actor, asset):
            raise NotAllowed(
                "forbidden",
                _("Only the person who uploaded this file and its production's team may delete it."),
            )
        if asset.status in (Asset.Status.VERIFYING, Asset.Status.PROCESSING):
            raise Conflict("busy", _("Wait until the file is ready (or has failed) before deleting it."))
        original = asset.original.name if asset.original else ""
        folder = renditions_dir(asset)
        try:
            asset.delete()
        except ProtectedError:
            raise Conflict(
                "in_use",
                _("This file is used by a contribution or a release; it stays while they use it."),
            ) from None
    if original:
        default_storage.delete(original)
    shutil.rmtree(folder, ignore_errors=True)
