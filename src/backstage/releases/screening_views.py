"""Pages and calendars of a release's screenings: public with the release page, managed by its producers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backstage.core.errors import NotAllowed, ServiceError
from backstage.core.http import AuthenticatedRequest
from backstage.releases import screenings
from backstage.releases.calendar import screenings_calendar
from backstage.releases.models import Release, Screening
from backstage.releases.queries import ReleaseAccess, page_access
from backstage.releases.screening_checks import MAX_CITY
from backstage.releases.screening_forms import ScreeningForm, put_service_error
from backstage.releases.screening_places import country_code, country_name, place_key

MAX_CITY_SEARCH = MAX_CITY


def _managed(request: AuthenticatedRequest, slug: str, release_slug: str) -> ReleaseAccess:
    # Outsiders cannot tell a hidden release exists (404); the team may see it but only producers act (403).
    access = page_access(slug, release_slug, request.user)
    if not access.may_manage:
        raise NotAllowed("forbidden", _("Only the production's producers may manage its screenings."))
    return access


def _links(release: Release) -> dict[str, str]:
    return {"release_url": screenings.release_page_url(release)}


def screening_list(request: HttpRequest, slug: str, release_slug: str) -> HttpResponse:
    """The searchable table: by country (one of those with screenings) and by city (any part of its name)."""
    access = page_access(slug, release_slug, request.user)
    release = access.release
    with_past = request.GET.get("past") == "1"
    places = screenings.places_of(release, upcoming=not with_past)
    country = request.GET.get("country", "").upper()
    if country not in {code for code, _name in places.countries}:
        country = ""
    city = " ".join(request.GET.get("city", "").split())[:MAX_CITY_SEARCH]
    found = screenings.screenings_of(release, country=country, city=city, upcoming=not with_past)
    # A search naming one city exactly offers that city's own calendar.
    city_feeds = [
        item
        for item in places.cities
        if (not country or item.country == country) and city and place_key(city) == item.slug
    ]
    return render(
        request,
        "releases/screenings.html",
        {
            "release": release,
            "production": release.production,
            "access": access,
            "rows": screenings.rows_for(found),
            "places": places,
            "country": country,
            "city": city,
            "with_past": with_past,
            "filtered": bool(country or city),
            "city_feeds": city_feeds,
            **_links(release),
        },
    )


def _calendar_response(
    release: Release, items: list[Screening], *, name: str, file_name: str
) -> HttpResponse:
    response = HttpResponse(
        screenings_calendar(release, items, name=name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{file_name}.ics"'
    return response


def _file_stem(release: Release) -> str:
    return slugify(release.title)[:60].strip("-") or release.slug


def release_calendar(request: HttpRequest, slug: str, release_slug: str) -> HttpResponse:
    """Every screening of the release, past ones included (calendars keep their history)."""
    release = page_access(slug, release_slug, request.user).release
    return _calendar_response(
        release,
        screenings.screenings_of(release),
        name=_("%(title)s: screenings") % {"title": release.title},
        file_name=f"{_file_stem(release)}-screenings",
    )


def city_calendar(
    request: HttpRequest, slug: str, release_slug: str, country: str, city: str
) -> HttpResponse:
    """The screenings in one city; the city as in the list's addresses, any case or accents accepted."""
    release = page_access(slug, release_slug, request.user).release
    code = country_code(country)
    city_slug = place_key(city)
    if code is None or not city_slug:
        raise Http404
    found = screenings.screenings_of(release, country=code, city_slug=city_slug)
    if not found:
        raise Http404
    return _calendar_response(
        release,
        found,
        name=_("%(title)s: screenings in %(city)s (%(country)s)")
        % {"title": release.title, "city": found[0].city, "country": country_name(code)},
        file_name=f"{_file_stem(release)}-screenings-{code.lower()}-{slugify(city_slug) or 'city'}",
    )


@login_required
def screenings_manage(request: AuthenticatedRequest, slug: str, release_slug: str) -> HttpResponse:
    """The producer's list of every screening (past ones too), with the form to add one."""
    release = _managed(request, slug, release_slug).release
    form = ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            screenings.add_screening(actor=request.user, release=release, **form.service_arguments())
        except ServiceError as error:
            if isinstance(error, NotAllowed):
                raise
            put_service_error(form, error)
        else:
            messages.success(request, _("The screening is added."))
            return redirect("releases:screenings_manage", slug=slug, release_slug=release_slug)
    return render(
        request,
        "releases/screenings_manage.html",
        {
            "release": release,
            "production": release.production,
            "form": form,
            "rows": screenings.rows_for(screenings.screenings_of(release)),
            **_links(release),
        },
    )


def _screening(release: Release, pk: int) -> Screening:
    return get_object_or_404(Screening.objects.select_related("release__production"), pk=pk, release=release)


@login_required
def screening_edit(request: AuthenticatedRequest, slug: str, release_slug: str, pk: int) -> HttpResponse:
    release = _managed(request, slug, release_slug).release
    screening = _screening(release, pk)
    form = ScreeningForm(request.POST or None, screening=screening)
    if request.method == "POST" and form.is_valid():
        try:
            screenings.edit_screening(actor=request.user, screening=screening, **form.service_arguments())
        except ServiceError as error:
            if isinstance(error, NotAllowed):
                raise
            put_service_error(form, error)
        else:
            messages.success(request, _("The screening is saved."))
            return redirect("releases:screenings_manage", slug=slug, release_slug=release_slug)
    return render(
        request,
        "releases/screening_edit.html",
        {"release": release, "production": release.production, "form": form, "screening": screening},
    )


@login_required
@require_POST
def screening_delete(request: AuthenticatedRequest, slug: str, release_slug: str, pk: int) -> HttpResponse:
    release = _managed(request, slug, release_slug).release
    screening = _screening(release, pk)
    screenings.delete_screening(actor=request.user, screening=screening)
    messages.success(
        request,
        _("The screening at %(venue)s, %(city)s is deleted.")
        % {"venue": screening.venue, "city": screening.city},
    )
    return redirect("releases:screenings_manage", slug=slug, release_slug=release_slug)
