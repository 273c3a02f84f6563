from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backstage.accounts.models import User
from backstage.contributions.models import Comment, Contribution
from backstage.core.errors import NotAllowed, ServiceError
from backstage.core.http import AuthenticatedRequest
from backstage.moderation import queries, services
from backstage.moderation.forms import BlockForm, ReasonForm
from backstage.moderation.models import Report
from backstage.productions import services as production_services
from backstage.productions.models import Block, Production
from backstage.productions.permissions import Action, require


def _target(slug: str, kind: str, pk: int) -> Contribution | Comment:
    if kind == "contribution":
        return get_object_or_404(
            Contribution.objects.select_related("call__production", "author"),
            pk=pk,
            call__production__slug=slug,
        )
    comment = get_object_or_404(
        Comment.objects.select_related("author", "contribution__call__production", "call__production"), pk=pk
    )
    production = (comment.contribution.call if comment.contribution_id else comment.call).production  # type: ignore[union-attr]
    if production.slug != slug:
        raise NotAllowed("forbidden", _("Not found."))
    return comment


def _back(target: Contribution | Comment) -> str:
    if isinstance(target, Contribution):
        return target.get_absolute_url()
    if target.contribution_id:
        return target.contribution.get_absolute_url()  # type: ignore[union-attr]
    call = target.call
    return f"/productions/{call.production.slug}/calls/{call.pk}/contributions/"  # type: ignore[union-attr]


@login_required
def report(request: AuthenticatedRequest, slug: str, kind: str, pk: int) -> HttpResponse:
    target = _target(slug, kind, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report(actor=request.user, target=target, reason=form.cleaned_data["reason"])
        except ServiceError as error:
            if isinstance(error, NotAllowed):
                raise
            form.add_error("reason" if error.field == "reason" else None, str(error.message))
        else:
            messages.success(request, _("Thank you. The moderators will look at it."))
            return redirect(_back(target))
    return render(
        request, "moderation/report_form.html", {"form": form, "target": target, "back": _back(target)}
    )


@login_required
def queue(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    production = get_object_or_404(Production, slug=slug)
    require(request.user, Action.MODERATE, production)
    form = BlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = User.objects.filter(username=form.cleaned_data["username"], is_active=True).first()
        if person is None:
            form.add_error("username", _("No active account has this username."))
        else:
            try:
                production_services.block_member(
                    actor=request.user, production=production, user=person, reason=form.cleaned_data["reason"]
                )
            except ServiceError as error:
                form.add_error(error.field if error.field in form.fields else "username", str(error.message))
            else:
                messages.success(request, _("The person is blocked from this production."))
                return redirect("moderation:queue", slug=slug)
    return render(
        request,
        "moderation/queue.html",
        {
            "production": production,
            "reports": list(queries.open_reports(production)),
            "blocks": list(Block.objects.filter(production=production).select_related("user__profile")),
            "form": form,
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def hide(request: AuthenticatedRequest, slug: str, kind: str, pk: int) -> HttpResponse:
    target = _target(slug, kind, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why it is hidden; its author will be told."))
        return redirect(request.POST.get("next") or _back(target))
    try:
        services.hide(actor=request.user, target=target, reason=form.cleaned_data["reason"])
    except ServiceError as error:
        if isinstance(error, NotAllowed):
            raise
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("It is hidden; its author has been told why."))
    return redirect("moderation:queue", slug=slug)


@login_required
@require_POST
def unhide(request: AuthenticatedRequest, slug: str, kind: str, pk: int) -> HttpResponse:
    target = _target(slug, kind, pk)
    services.unhide(actor=request.user, target=target)
    messages.success(request, _("It is shown again."))
    return redirect(_back(target))


@login_required
@require_POST
def dismiss(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found = get_object_or_404(Report.objects.select_related("production"), pk=pk, production__slug=slug)
    try:
        services.dismiss(actor=request.user, report=found)
    except ServiceError as error:
        if isinstance(error, NotAllowed):
            raise
        messages.error(request, str(error.message))
    return redirect("moderation:queue", slug=slug)


@login_required
@require_POST
def unblock(request: AuthenticatedRequest, slug: str, user_id: int) -> HttpResponse:
    production = get_object_or_404(Production, slug=slug)
    person = get_object_or_404(User, pk=user_id)
    production_services.unblock_member(actor=request.user, production=production, user=person)
    messages.success(request, _("The person may take part again."))
    return redirect("moderation:queue", slug=slug)
