from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from backstage.contributions import queries, services
from backstage.contributions.comment_queries import comments_for
from backstage.contributions.comment_views import comment_form_context
from backstage.contributions.forms import ContributionEditForm, ContributionForm, ReviewForm
from backstage.contributions.models import Contribution
from backstage.contributions.permissions import can_review
from backstage.core.errors import NotAllowed, ServiceError
from backstage.core.http import AuthenticatedRequest
from backstage.productions.permissions import role_in

PAGE_SIZE = 20
# Kinds a browser may show in the page; anything else is only offered as a download.
INLINE_KINDS = frozenset({"image", "audio", "video", "pdf", "text"})


def call_contributions(request: HttpRequest, slug: str, call_id: int) -> HttpResponse:
    call = queries.call_with_production(slug, call_id)
    sort = request.GET.get("sort", "newest")
    if sort not in queries.SORTS:
        sort = "newest"
    page = queries.contributions_page(call, sort=sort, number=request.GET.get("page"), per_page=PAGE_SIZE)
    contributions = queries.with_file_counts(list(page.object_list))
    role = role_in(request.user, call.production)
    return render(
        request,
        "contributions/call_contributions.html",
        {
            "call": call,
            "production": call.production,
            "page": page,
            "contributions": contributions,
            "sort": sort,
            "sorts": [
                ("newest", _("Newest")),
                ("votes", _("Most voted")),
                ("shortlisted", _("Shortlisted first")),
            ],
            "voted": queries.voted_ids(request.user, contributions),
            "show_votes": queries.votes_are_visible(call, role),
            "can_vote": request.user.is_authenticated
            and call.vote_policy != "none"
            and call.accepts_contributions,
            "votes_left": services.votes_left(voter=request.user, call=call)
            if request.user.is_authenticated
            else None,
            "comments": comments_for(call=call),
            "comments_heading": _("Discussion"),
            **comment_form_context(production=call.production, call=call),
        },
    )


def _form_error(form: ContributionForm, error: ServiceError | ValidationError) -> None:
    """Shows a service's refusal on the form; a permission refusal gets the 403 page instead."""
    if isinstance(error, NotAllowed):
        raise error
    if isinstance(error, ServiceError):
        field = "attachments" if error.field == "files" else error.field
        form.add_error(field if field in form.fields else None, str(error.message))
    else:
        form.add_error(None, error)


def _sources(form: ContributionForm, production: object) -> list[Contribution] | None:
    numbers = form.cleaned_data["sources"]
    found = queries.contributions_by_number(production, numbers)  # type: ignore[arg-type]
    missing = sorted(set(numbers) - {item.pk for item in found})
    if missing:
        form.add_error(
            "sources", _("No contribution #%(number)s in this production.") % {"number": missing[0]}
        )
        return None
    return found


@login_required
def contribute(request: AuthenticatedRequest, slug: str, call_id: int) -> HttpResponse:
    call = queries.call_with_production(slug, call_id)
    form = ContributionForm(
        request.POST or None, request.FILES or None, production_license=call.production.license,
        owner=request.user,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        sources = _sources(form, call.production)
        if sources is not None:
            data = form.cleaned_data
            try:
                contribution = services.submit_contribution(
                    actor=request.user, call=call, title=data["title"], description=data["description"],
                    license=data["license"], links=data["links"], files=data["attachments"], sources=sources,
                    assets=list(data["assets"]),
                )  # fmt: skip
            except (ServiceError, ValidationError) as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Thank you! Your contribution is submitted."))
                return redirect(contribution)
    return render(
        request,
        "contributions/contribution_form.html",
        {"form": form, "call": call, "production": call.production},
    )


def contribution_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    page = queries.contribution_page(slug, pk, request.user)
    contribution = page.contribution
    call = contribution.call
    return render(
        request,
        "contributions/contribution_detail.html",
        {
            "page": page,
            "contribution": contribution,
            "call": call,
            "production": call.production,
            "review_form": ReviewForm(initial={"status": contribution.status})
            if page.viewer_can_review
            else None,
            "show_votes": queries.votes_are_visible(call, page.viewer_role),
            "can_vote": request.user.is_authenticated
            and call.vote_policy != "none"
            and call.accepts_contributions
            and not page.viewer_is_author,
            "comments": comments_for(contribution=contribution),
            "comments_heading": _("Comments"),
            "streams": any(item.asset and item.asset.kind == "video" for item in contribution.files.all()),
            **comment_form_context(production=call.production, contribution=contribution),
        },
    )


def _contribution(slug: str, pk: int) -> Contribution:
    return get_object_or_404(
        Contribution.objects.select_related("call__production"), pk=pk, call__production__slug=slug
    )


def _own_contribution(request: AuthenticatedRequest, slug: str, pk: int) -> Contribution:
    contribution = _contribution(slug, pk)
    if contribution.author_id != request.user.pk:
        raise NotAllowed("forbidden", _("Only the author may change this contribution."))
    return contribution


@login_required
def contribution_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    contribution = _own_contribution(request, slug, pk)
    if not contribution.is_editable:
        messages.error(request, _("Once the team has looked at a contribution, it can no longer be edited."))
        return redirect(contribution)
    initial = {
        "title": contribution.title,
        "description": contribution.description,
        "license": contribution.license,
        "links": "\n".join(contribution.links),
        "sources": ", ".join(str(pk) for pk in contribution.sources.values_list("pk", flat=True)),
    }
    form = ContributionEditForm(
        request.POST or None, request.FILES or None, initial=initial,
        production_license=contribution.call.production.license, owner=request.user,
        existing_files=[(item.pk, item.name) for item in contribution.files.all()],
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        sources = _sources(form, contribution.call.production)
        if sources is not None:
            data = form.cleaned_data
            try:
                services.edit_contribution(
                    actor=request.user, contribution=contribution, title=data["title"],
                    description=data["description"], license=data["license"], links=data["links"],
                    new_files=data["attachments"], remove_files=data.get("remove_files", []), sources=sources,
                    new_assets=list(data["assets"]),
                )  # fmt: skip
            except (ServiceError, ValidationError) as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Your contribution is saved."))
                return redirect(contribution)
    return render(
        request,
        "contributions/contribution_form.html",
        {
            "form": form,
            "call": contribution.call,
            "production": contribution.call.production,
            "contribution": contribution,
        },
    )


@login_required
@require_POST
def contribution_withdraw(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    contribution = _own_contribution(request, slug, pk)
    try:
        services.withdraw_contribution(actor=request.user, contribution=contribution)
    except ServiceError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Your contribution is withdrawn."))
    return redirect(contribution)


@login_required
@require_POST
def contribution_review(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    contribution = _contribution(slug, pk)
    if not can_review(request.user, contribution.call.production):
        raise NotAllowed(
            "forbidden", _("Only the production's crew, directors and producers may review contributions.")
        )
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect(contribution)
    try:
        services.review_contribution(
            actor=request.user, contribution=contribution,
            status=form.cleaned_data["status"], note=form.cleaned_data["note"],
        )  # fmt: skip
    except ServiceError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The decision is recorded."))
    return redirect(contribution)


@login_required
@require_POST
def contribution_vote(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    contribution = _contribution(slug, pk)
    error_message = ""
    try:
        if request.POST.get("vote") == "0":
            contribution = services.withdraw_vote(actor=request.user, contribution=contribution)
        else:
            contribution = services.cast_vote(actor=request.user, contribution=contribution)
    except ServiceError as error:
        error_message = str(error.message)
    voted = bool(queries.voted_ids(request.user, [contribution]))
    if request.htmx:
        role = role_in(request.user, contribution.call.production)
        return render(
            request,
            "contributions/_vote_button.html",
            {
                "contribution": contribution,
                "voted": voted,
                "show_votes": queries.votes_are_visible(contribution.call, role),
                "can_vote": True,
                "error": error_message,
            },
        )
    if error_message:
        messages.error(request, error_message)
    back = request.POST.get("next", "")
    return redirect(back if _is_local(back) else contribution.get_absolute_url())


def _is_local(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


@xframe_options_sameorigin  # PDF and text files are previewed in a sandboxed frame of the page
def contribution_file(request: HttpRequest, slug: str, pk: int, file_id: int) -> HttpResponseBase:
    stored = queries.file_of(slug, pk, file_id, request.user)
    if stored.asset_id is not None:
        # An uploaded asset: its page's downloads check the same visibility through the contribution.
        return redirect("media:original", pk=stored.asset_id)
    if not stored.file.storage.exists(stored.file.name):
        raise Http404
    download = request.GET.get("download") == "1" or stored.kind not in INLINE_KINDS
    response = FileResponse(stored.file.open("rb"), as_attachment=download, filename=stored.name)
    response["Content-Type"] = "text/plain; charset=utf-8" if stored.kind == "text" else stored.mime
    # Even a file that slipped through must not run anything in our origin.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
