from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backstage.accounts import queries, services
from backstage.accounts.forms import ProfileForm, TokenForm
from backstage.accounts.models import Profile
from backstage.accounts.profile_sections import sections_for
from backstage.core.errors import ServiceError
from backstage.core.http import AuthenticatedRequest
from backstage.productions import queries as production_queries


@login_required
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/dashboard.html",
        {
            "followed": production_queries.followed_productions(user),
            "memberships": production_queries.memberships_of(user),
            "invitations": production_queries.pending_invitations_for(user),
            "calls": production_queries.calls_from_followed(user),
        },
    )


@login_required
def profile_edit(request: AuthenticatedRequest) -> HttpResponse:
    profile, _created = Profile.objects.get_or_create(user=request.user)
    initial = {
        "display_name": profile.display_name,
        "bio": profile.bio,
        "city": profile.city,
        "skills": profile.skills.all(),
        "languages": profile.languages,
        "links": "\n".join(profile.links),
        "language": request.user.language,
    }
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if not profile.avatar:
        del form.fields["remove_avatar"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_profile(
                actor=request.user,
                display_name=data["display_name"],
                bio=data["bio"],
                city=data["city"],
                languages=data["languages"],
                links=data["links"],
                skills=list(data["skills"]),
                avatar=data["avatar"] or None,
                remove_avatar=data.get("remove_avatar", False),
                language=data["language"],
            )
        except ValidationError as error:
            form.add_error("avatar" if error.code in AVATAR_ERRORS else None, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile_edit")
    return render(request, "accounts/profile_form.html", {"form": form, "profile": profile})


AVATAR_ERRORS = {"too_large", "empty", "format", "too_many_pixels", "not_an_image", "corrupt"}


def profile_detail(request: HttpRequest, username: str) -> HttpResponse:
    profile = queries.public_profile(username)
    return render(
        request,
        "accounts/profile_detail.html",
        {"profile": profile, "person": profile.user, "sections": sections_for(profile.user)},
    )


@login_required
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.create_api_token(actor=request.user, name=form.cleaned_data["name"])
        except ServiceError as error:
            form.add_error("name" if error.field == "name" else None, str(error.message))
        else:
            form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": queries.tokens_of(request.user), "new_token": new_token},
    )


@login_required
@require_POST
def token_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    services.revoke_api_token(actor=request.user, token_id=pk)
    messages.success(request, _("The token is revoked."))
    return redirect("accounts:tokens")
