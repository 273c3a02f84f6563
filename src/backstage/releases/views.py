"""The release's pages: the film page for everyone, and the producer's release desk."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backstage.core.errors import NotAllowed, ServiceError
from backstage.core.http import AuthenticatedRequest
from backstage.productions.models import Production
from backstage.productions.permissions import role_in
from backstage.releases import page, services
from backstage.releases.forms import AudioTrackForm, ReleaseForm, apply_service_error
from backstage.releases.models import AudioTrack, Release
from backstage.releases.queries import find_release, page_access, release_access, visible_releases


def release_list(request: HttpRequest, slug: str) -> HttpResponse:
    production = get_object_or_404(Production, slug=slug)
    role = role_in(request.user, production)
    return render(
        request,
        "releases/release_list.html",
        {
            "production": production,
            "releases": visible_releases(production, in_team=role is not None),
            "may_manage": role == "producer",
        },
    )


def release_detail(request: HttpRequest, slug: str, release_slug: str) -> HttpResponse:
    access = page_access(slug, release_slug, request.user)
    return page.render_release_page(request, access)


def _managed(request: AuthenticatedRequest, slug: str, release_slug: str) -> Release:
    release = find_release(slug, release_slug)
    if not release_access(release, request.user).in_team:
        raise Http404
    services.require_producer(request.user, release.production)
    return release


@login_required
def release_create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    production = get_object_or_404(Production, slug=slug)
    if role_in(request.user, production) is None:
        raise Http404
    services.require_producer(request.user, production)
    form = ReleaseForm(request.POST or None, production=production)
    if request.method == "POST" and form.is_valid():
        try:
            release = services.create_release(
                actor=request.user,
                production=production,
                **form.service_arguments(),  # type: ignore[arg-type]
            )
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request, _("The release is created. Add its tracks and subtitles, then prepare its files.")
            )
            return redirect("releases:manage", slug=slug, release_slug=release.slug)
    return render(request, "releases/release_form.html", {"form": form, "production": production})


@login_required
def release_manage(request: AuthenticatedRequest, slug: str, release_slug: str) -> HttpResponse:
    release = _managed(request, slug, release_slug)
    form = ReleaseForm(
        request.POST or None, production=release.production, initial=ReleaseForm.initial_for(release)
    )
    if request.method == "POST" and form.is_valid():
        try:
            release = services.update_release(actor=request.user, release=release, **form.service_arguments())  # type: ignore[arg-type]
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("The release is saved."))
            return redirect("releases:manage", slug=slug, release_slug=release.slug)
    return render(request, "releases/release_manage.html", page.manage_context(request, release, form=form))


@login_required
def release_progress(request: AuthenticatedRequest, slug: str, release_slug: str) -> HttpResponse:
    release = find_release(slug, release_slug)
    if not release_access(release, request.user).in_team:
        raise Http404
    return render(
        request,
        "releases/_build.html",
        {"release": release, "may_manage": True, "build_problem": page.build_problem(release)},
    )


def _act(request: AuthenticatedRequest, release: Release, action: str) -> None:
    actor = request.user
    if action == "prepare":
        services.prepare_files(actor=actor, release=release)
        messages.success(request, _("The files are being prepared; follow the progress below."))
    elif action == "schedule":
        services.schedule(actor=actor, release=release)
        messages.success(request, _("The release is scheduled: everything goes public at its moment."))
    elif action == "postpone":
        services.postpone(actor=actor, release=release)
        messages.success(request, _("The release is postponed: nothing will open at its moment."))
    elif action == "publish-teaser":
        services.publish_teaser(actor=actor, release=release, published=True)
        messages.success(request, _("The premiere page is public; the film stays under embargo."))
    elif action == "hide-teaser":
        services.publish_teaser(actor=actor, release=release, published=False)
        messages.success(request, _("The premiere page is hidden again."))
    else:
        raise Http404


@login_required
@require_POST
def release_action(request: AuthenticatedRequest, slug: str, release_slug: str, action: str) -> HttpResponse:
    release = _managed(request, slug, release_slug)
    try:
        _act(request, release, action)
    except NotAllowed:
        raise
    except ServiceError as error:
        messages.error(request, str(error.message))
    return redirect("releases:manage", slug=slug, release_slug=release.slug)


@login_required
@require_POST
def release_delete(request: AuthenticatedRequest, slug: str, release_slug: str) -> HttpResponse:
    release = _managed(request, slug, release_slug)
    try:
        services.delete_release(actor=request.user, release=release)
    except NotAllowed:
        raise
    except ServiceError as error:
        messages.error(request, str(error.message))
        return redirect("releases:manage", slug=slug, release_slug=release.slug)
    messages.success(request, _("The release is deleted."))
    return redirect("releases:list", slug=slug)


@login_required
def track_add(request: AuthenticatedRequest, slug: str, release_slug: str) -> HttpResponse:
    release = _managed(request, slug, release_slug)
    form = AudioTrackForm(request.POST or None, production=release.production)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_audio_track(actor=request.user, release=release, **form.cleaned_data)
        except NotAllowed:
            raise
        except ServiceError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, _("The audio track is added; prepare the files again to include it."))
            return redirect(
                reverse("releases:manage", kwargs={"slug": slug, "release_slug": release.slug}) + "#tracks"
            )
    return render(
        request,
        "releases/track_form.html",
        {"form": form, "release": release, "production": release.production},
    )


@login_required
@require_POST
def track_remove(request: AuthenticatedRequest, slug: str, release_slug: str, pk: int) -> HttpResponse:
    release = _managed(request, slug, release_slug)
    track = get_object_or_404(
        AudioTrack.objects.select_related("release__production"), pk=pk, release=release
    )
    try:
        services.remove_audio_track(actor=request.user, track=track)
    except NotAllowed:
        raise
    except ServiceError as error:
        messages.error(request, str(error.message))
    return redirect(
        reverse("releases:manage", kwargs={"slug": slug, "release_slug": release.slug}) + "#tracks"
    )
