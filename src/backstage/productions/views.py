from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backstage.core.errors import NotAllowed, ServiceError
from backstage.core.http import AuthenticatedRequest
from backstage.productions import queries, services
from backstage.productions.forms import CallForm, InviteForm, ProductionForm, RoleForm
from backstage.productions.models import Call, Invitation, Membership, Production
from backstage.productions.permissions import Action, can, can_create_production, require


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "productions/home.html",
        {
            "productions": queries.productions_in_progress()[:12],
            "calls": queries.open_calls()[:12],
        },
    )


def production_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.all_productions(), 24).get_page(request.GET.get("page"))
    return render(
        request,
        "productions/production_list.html",
        {"page": page, "can_create": can_create_production(request.user)},
    )


def production_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = queries.production_page(slug, request.user)
    return render(
        request,
        "productions/production_detail.html",
        {
            "page": page,
            "production": page.production,
            "can_edit": can(request.user, Action.EDIT_PRODUCTION, page.production, role=page.viewer_role),
            "can_manage_calls": can(
                request.user, Action.MANAGE_CALLS, page.production, role=page.viewer_role
            ),
        },
    )


def _tell(request: HttpRequest, error: ServiceError) -> None:
    """Refusals get the 403 page; other errors are told on the page the person goes back to."""
    if isinstance(error, NotAllowed):
        raise error
    messages.error(request, str(error.message))


def _apply_service_error(form: object, error: ServiceError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error.message))  # type: ignore[attr-defined]


def _apply_validation_error(form: object, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None  # type: ignore[attr-defined]
            for item in errors:
                form.add_error(target, item)  # type: ignore[attr-defined]
    else:
        form.add_error(None, error)  # type: ignore[attr-defined]


@login_required
def production_create(request: AuthenticatedRequest) -> HttpResponse:
    if not can_create_production(request.user):
        raise PermissionDenied(_("You may not create productions on this studio."))
    form = ProductionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            production = services.create_production(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("The production is created. You are its producer."))
            return redirect(production)
    return render(request, "productions/production_form.html", {"form": form})


@login_required
def production_edit(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    production = get_object_or_404(Production, slug=slug)
    require(request.user, Action.EDIT_PRODUCTION, production)
    original_slug = production.slug
    form = ProductionForm(request.POST or None, instance=production)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_production(actor=request.user, production=production, **form.cleaned_data)
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("The production is saved."))
            return redirect(production)
    production.slug = original_slug  # keep the page's links right while the form shows errors
    return render(request, "productions/production_form.html", {"form": form, "production": production})


@login_required
@require_POST
def follow_toggle(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    production = get_object_or_404(Production, slug=slug)
    if request.POST.get("follow") == "0":
        services.unfollow(actor=request.user, production=production)
        following = False
    else:
        services.follow(actor=request.user, production=production)
        following = True
    if request.htmx:
        return render(
            request, "productions/_follow_button.html", {"production": production, "following": following}
        )
    messages.success(
        request, _("You follow this production.") if following else _("You no longer follow this production.")
    )
    return redirect(production)


@login_required
def team(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    production = get_object_or_404(Production, slug=slug)
    require(request.user, Action.MANAGE_TEAM, production)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_to_team(
                actor=request.user,
                production=production,
                invitee=form.cleaned_data["person"],
                role=form.cleaned_data["role"],
            )
        except ServiceError as error:
            _apply_service_error(form, error)
        else:
            messages.success(request, _("The invitation is sent."))
            return redirect("productions:team", slug=production.slug)
    return render(
        request,
        "productions/team.html",
        {
            "production": production,
            "form": form,
            "team": queries.team_of(production),
            "invitations": queries.pending_invitations_of(production),
            "role_form": RoleForm(),
        },
    )


@login_required
@require_POST
def member_role(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("production"), pk=pk, production__slug=slug
    )
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return redirect("productions:team", slug=slug)
    try:
        services.change_role(actor=request.user, membership=membership, role=form.cleaned_data["role"])
    except ServiceError as error:
        _tell(request, error)
    else:
        messages.success(request, _("The role is changed."))
    return redirect("productions:team", slug=slug)


@login_required
@require_POST
def member_remove(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("production"), pk=pk, production__slug=slug
    )
    leaving = membership.user_id == request.user.pk
    try:
        services.remove_from_team(actor=request.user, membership=membership)
    except ServiceError as error:
        _tell(request, error)
        return redirect(membership.production if leaving else "productions:team", slug=slug)
    if leaving:
        messages.success(request, _("You have left the team."))
        return redirect(membership.production)
    messages.success(request, _("The person is removed from the team."))
    return redirect("productions:team", slug=slug)


@login_required
@require_POST
def invitation_cancel(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.select_related("production"), pk=pk, production__slug=slug
    )
    try:
        services.cancel_invitation(actor=request.user, invitation=invitation)
    except ServiceError as error:
        _tell(request, error)
    else:
        messages.success(request, _("The invitation is cancelled."))
    return redirect("productions:team", slug=slug)


@login_required
@require_POST
def invitation_answer(request: AuthenticatedRequest, pk: int, answer: str) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.select_related("production"), pk=pk, invitee=request.user
    )
    try:
        if answer == "accept":
            services.accept_invitation(actor=request.user, invitation=invitation)
            messages.success(
                request, _("Welcome to the team of %(title)s.") % {"title": invitation.production.title}
            )
            return redirect(invitation.production)
        services.decline_invitation(actor=request.user, invitation=invitation)
        messages.success(request, _("The invitation is declined."))
    except ServiceError as error:
        _tell(request, error)
    return redirect("accounts:dashboard")


def call_list(request: HttpRequest, slug: str) -> HttpResponse:
    production = get_object_or_404(Production, slug=slug)
    page = Paginator(queries.calls_of(production), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "productions/call_list.html",
        {
            "production": production,
            "page": page,
            "can_manage_calls": can(request.user, Action.MANAGE_CALLS, production),
        },
    )


def call_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("production"), pk=pk, production__slug=slug)
    return render(
        request,
        "productions/call_detail.html",
        {
            "call": call,
            "production": call.production,
            "can_manage_calls": can(request.user, Action.MANAGE_CALLS, call.production),
        },
    )


@login_required
def call_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    production = get_object_or_404(Production, slug=slug)
    require(request.user, Action.MANAGE_CALLS, production)
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.open_call(actor=request.user, production=production, **form.cleaned_data)
        except ServiceError as error:
            _apply_service_error(form, error)
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("The call is open."))
            return redirect(call)
    return render(request, "productions/call_form.html", {"form": form, "production": production})


@login_required
def call_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("production"), pk=pk, production__slug=slug)
    require(request.user, Action.MANAGE_CALLS, call.production)
    form = CallForm(request.POST or None, instance=call)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_call(actor=request.user, call=call, **form.cleaned_data)
        except ServiceError as error:
            _apply_service_error(form, error)
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("The call is saved."))
            return redirect(call)
    return render(
        request, "productions/call_form.html", {"form": form, "production": call.production, "call": call}
    )


@login_required
@require_POST
def call_open_state(request: AuthenticatedRequest, slug: str, pk: int, state: str) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("production"), pk=pk, production__slug=slug)
    try:
        if state == "close":
            services.close_call(actor=request.user, call=call)
            messages.success(request, _("The call is closed."))
        else:
            services.reopen_call(actor=request.user, call=call)
            messages.success(request, _("The call is open again."))
    except ServiceError as error:
        _tell(request, error)
    return redirect(call)
