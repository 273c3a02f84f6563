from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from backstage.accounts import services as account_services
from backstage.core.errors import NotAllowed, ServiceError
from backstage.core.http import AuthenticatedRequest
from backstage.licensing.registry import LICENSES
from backstage.media import ingest, queries, services
from backstage.media.downloads import RENDITION_TYPES, serve_file
from backstage.media.forms import LicenseForm
from backstage.media.models import Asset, Rendition
from backstage.media.problems import describe
from backstage.productions.models import Production

PAGE_SIZE = 30
# Bytes per PATCH of a browser upload; 0: the whole file in one request, as tus-js-client does by default.
# Smaller requests gain nothing in resumption (what arrives of a broken request is kept), and each ends
# with a flush to disk.
UPLOAD_CHUNK_BYTES = 0
# htmx's "stop polling" status, once the processing has ended.
STOP_POLLING = 286


@login_required
def asset_list(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(queries.assets_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "media/asset_list.html", {"page": page})


@login_required
def upload(request: AuthenticatedRequest) -> HttpResponse:
    productions = Production.objects.filter(memberships__user=request.user).order_by("title").distinct()
    texts = {
        "paused": _("Paused"),
        "done": _("Uploaded. Checking the file…"),
        "failed": _(
            "The upload stopped: %(reason)s. It will go on from where it stopped when you try again."
        ),
        "resuming": _("Resuming an earlier upload of this file."),
        "open": pgettext("verb", "Open"),
        "pause": _("Pause"),
        "resume": _("Resume"),
        "speed": _("%(done)s of %(total)s · %(speed)s/s"),
    }
    return render(
        request,
        "media/upload.html",
        {
            "productions": productions,
            "texts": texts,
            "max_size": filesizeformat(settings.UPLOAD_MAX_BYTES),
            "max_bytes": settings.UPLOAD_MAX_BYTES,
            "chunk_size": UPLOAD_CHUNK_BYTES,
            "asset_url": reverse("media:asset", kwargs={"pk": "00000000-0000-0000-0000-000000000000"}),
        },
    )


def asset_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    asset = queries.visible_asset(pk, request.user)
    return render(request, "media/asset_detail.html", _context(request, asset))


def asset_progress(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The steps' progress, polled by the page while the work goes on; the page reloads when it ends."""
    asset = queries.visible_asset(pk, request.user)
    if asset.status not in (Asset.Status.VERIFYING, Asset.Status.PROCESSING):
        response = HttpResponse(status=STOP_POLLING)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "media/_progress.html", _context(request, asset))


def _context(
    request: HttpRequest, asset: Asset, license_form: LicenseForm | None = None
) -> dict[str, object]:
    may_manage = request.user.is_authenticated and services.may_manage(request.user, asset)
    return {
        "asset": asset,
        "license": LICENSES.get(asset.license),
        "license_form": license_form
        or (
            LicenseForm(initial={"license": asset.license, "attribution": asset.attribution})
            if may_manage
            else None
        ),
        "steps": list(asset.steps.all()),
        "problem": describe(asset.problem) if asset.problem else "",
        "may_manage": may_manage,
        "working": asset.status in (Asset.Status.VERIFYING, Asset.Status.PROCESSING),
        "stuck": asset.status == Asset.Status.PROCESSING and services.stale_steps(asset).exists(),
    }


@login_required
@require_POST
def set_license(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    asset = queries.visible_asset(pk, request.user)
    form = LicenseForm(request.POST)
    if form.is_valid():
        try:
            services.set_license(actor=request.user, asset=asset, **form.cleaned_data)
        except NotAllowed:
            raise
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else "license", str(error.message))
        else:
            messages.success(request, _("The file's license is saved."))
            return redirect("media:asset", pk=asset.pk)
    return render(request, "media/asset_detail.html", _context(request, asset, form), status=400)


@login_required
@require_POST
def retry(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    asset = queries.visible_asset(pk, request.user)
    try:
        services.retry(actor=request.user, asset=asset)
    except ServiceError as error:
        if isinstance(error, NotAllowed):
            raise
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The processing starts again."))
    return redirect("media:asset", pk=asset.pk)


@login_required
@require_POST
def delete(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    asset = queries.visible_asset(pk, request.user)
    try:
        services.delete(actor=request.user, asset=asset)
    except ServiceError as error:
        if isinstance(error, NotAllowed):
            raise
        messages.error(request, str(error.message))
        return redirect("media:asset", pk=asset.pk)
    messages.success(request, _("The file is deleted."))
    return redirect("media:list")


@login_required
@require_POST
def use_as_avatar(request: AuthenticatedRequest, pk: UUID) -> HttpResponse:
    """One's own uploaded image becomes one's profile picture (its largest resized copy, re-encoded)."""
    asset = queries.visible_asset(pk, request.user)
    variant = max(
        asset.renditions_by_kind.get(Rendition.Kind.IMAGE, []), key=lambda item: item.width or 0, default=None
    )
    if asset.owner_id != request.user.pk or asset.status != Asset.Status.READY or variant is None:
        raise Http404
    with (ingest.renditions_dir(asset) / variant.path).open("rb") as handle:
        try:
            picture = UploadedFile(handle, name="avatar.webp", size=variant.size)
            account_services.set_avatar(actor=request.user, picture=picture)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("media:asset", pk=asset.pk)
    messages.success(request, _("This image is now your profile picture."))
    return redirect("media:asset", pk=asset.pk)


def original(request: HttpRequest, pk: UUID) -> HttpResponseBase:
    asset = queries.visible_asset(pk, request.user)
    if not asset.original or asset.status in (Asset.Status.VERIFYING, Asset.Status.REJECTED):
        raise Http404
    # Originals are offered as downloads only: a browser never renders a member's file as a page of ours.
    return serve_file(
        request, Path(asset.original.path), content_type=asset.mime, download_name=asset.name, inline=False
    )


def rendition_file(request: HttpRequest, pk: UUID, path: str) -> HttpResponseBase:
    asset = queries.visible_asset(pk, request.user)
    if asset.status == Asset.Status.REJECTED:
        raise Http404
    folder = ingest.renditions_dir(asset).resolve()
    target = (folder / path).resolve()
    content_type = RENDITION_TYPES.get(target.suffix.lower())
    if content_type is None or not target.is_relative_to(folder) or not target.is_file():
        raise Http404
    return serve_file(request, target, content_type=content_type)
