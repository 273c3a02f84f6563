"""The credits page of a production, for its team, with the producer's tools, exports and the roll.

Anyone outside the team gets 404: the credits are the team's work in progress until the release
shows them (the release page includes ``licensing/_credits.html`` once the film is public).
"""

import json
from functools import cache
from pathlib import Path

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backstage.core.errors import NotAllowed, ServiceError
from backstage.licensing import credit_services
from backstage.licensing.credit_forms import AdditionForm, ExclusionForm, MoveSectionForm, RollForm
from backstage.licensing.credit_sources import CreditEntry
from backstage.licensing.credits import (
    Credits,
    build_credits,
    credits_as_json,
    credits_as_text,
    section_order,
    sort_key,
)
from backstage.licensing.models import CreditAddition, CreditExclusion, CreditsRoll
from backstage.licensing.queries import find_roll, roll_state, team_production
from backstage.media.downloads import serve_file
from backstage.productions.models import Production, Role

# htmx's "stop polling" status, once the rendering has ended.
STOP_POLLING = 286


def _page_url(production: Production, anchor: str = "") -> str:
    url = reverse("credits:page", kwargs={"slug": production.slug})
    return f"{url}#{anchor}" if anchor else url


def _tell(request: HttpRequest, error: ServiceError) -> None:
    """Refusals get the 403 page; other errors are told on the page the person goes back to."""
    if isinstance(error, NotAllowed):
        raise error
    messages.error(request, str(error.message))


def _producers_production(request: HttpRequest, slug: str) -> Production:
    """The production, for its producers; 404 outside the team, 403 for the rest of the team."""
    production, role = team_production(slug, request.user)
    credit_services.require_producer(request.user, production, role=role)
    return production


def _recorded_by_section(credits: Credits) -> list[tuple[str, list[CreditEntry]]]:
    """The record's entries that may be taken out, under their sections in the producer's order."""
    titles = {section.key: str(section.title) for section in credits.section_order}
    grouped: dict[str, list[CreditEntry]] = {}
    for entry in credits.recorded:
        grouped.setdefault(entry.section if entry.section in titles else "other", []).append(entry)
    return [
        (
            titles[section.key],
            sorted(grouped[section.key], key=lambda entry: (entry.order, sort_key(entry.name))),
        )
        for section in credits.section_order
        if section.key in grouped
    ]


def _page(
    request: HttpRequest,
    production: Production,
    role: str,
    *,
    addition_form: AdditionForm | None = None,
    exclusion_form: ExclusionForm | None = None,
) -> HttpResponse:
    credits = build_credits(production)
    rolls = roll_state(production)
    may_manage = credit_services.may_manage_credits(request.user, production, role=role)
    return render(
        request,
        "licensing/credits_page.html",
        {
            "production": production,
            "credits": credits,
            "may_manage": may_manage,
            "recorded_sections": _recorded_by_section(credits) if may_manage else [],
            "addition_form": addition_form or AdditionForm(sections=credits.section_order),
            # A refused exclusion: its entry's form opens again with the reason typed and the error.
            "exclusion_form": exclusion_form,
            "roll_form": RollForm(),
            "rolls": rolls,
            "roll_outdated": rolls.ready is not None and _outdated(rolls.ready, credits),
        },
    )


def _outdated(roll: CreditsRoll, credits: Credits) -> bool:
    """Whether the credits have changed since the roll was rendered (compared in the roll's language)."""
    if roll.language == credits.language:
        return roll.digest != credits.digest
    with translation.override(roll.language):
        return roll.digest != build_credits(credits.production).digest


def credits_page(request: HttpRequest, slug: str) -> HttpResponse:
    production, role = team_production(slug, request.user)
    return _page(request, production, role)


def _attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_text(request: HttpRequest, slug: str) -> HttpResponse:
    production, _role = team_production(slug, request.user)
    text = credits_as_text(build_credits(production))
    return _attachment(
        HttpResponse(text, content_type="text/plain; charset=utf-8"), f"{production.slug}-credits.txt"
    )


def export_json(request: HttpRequest, slug: str) -> HttpResponse:
    production, _role = team_production(slug, request.user)
    data = json.dumps(credits_as_json(build_credits(production)), ensure_ascii=False, indent=2)
    return _attachment(
        HttpResponse(data + "\n", content_type="application/json; charset=utf-8"),
        f"{production.slug}-credits.json",
    )


@cache
def _stylesheet() -> SafeString:
    found = finders.find("licensing/credits.css")
    # Our own file, copied into the page so that the export reads the same anywhere.
    return mark_safe(Path(str(found)).read_text(encoding="utf-8")) if found else mark_safe("")  # noqa: S308


def export_html(request: HttpRequest, slug: str) -> HttpResponse:
    production, _role = team_production(slug, request.user)
    response = render(
        request,
        "licensing/credits_export.html",
        {
            "production": production,
            "credits": build_credits(production),
            "stylesheet": _stylesheet(),
        },
    )
    return _attachment(response, f"{production.slug}-credits.html")


@require_POST
def move_section(request: HttpRequest, slug: str) -> HttpResponse:
    production = _producers_production(request, slug)
    form = MoveSectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a section and a direction."))
        return redirect(_page_url(production, "sections"))
    try:
        credit_services.move_section(
            actor=request.user,  # type: ignore[arg-type]
            production=production,
            section=form.cleaned_data["section"],
            offset=-1 if form.cleaned_data["direction"] == "up" else 1,
        )
    except ServiceError as error:
        _tell(request, error)
    return redirect(_page_url(production, "sections"))


@require_POST
def add_person(request: HttpRequest, slug: str) -> HttpResponse:
    production = _producers_production(request, slug)
    form = AdditionForm(request.POST, sections=section_order(production))
    if form.is_valid():
        try:
            credit_services.add_person(
                actor=request.user,  # type: ignore[arg-type]
                production=production,
                section=form.cleaned_data["section"],
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                position=form.cleaned_data["position"],
            )
        except ServiceError as error:
            if isinstance(error, NotAllowed):
                raise
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("%(name)s is in the credits.") % {"name": form.cleaned_data["name"]})
            return redirect(_page_url(production, "people"))
    return _page(request, production, Role.PRODUCER, addition_form=form)


def _addition(production: Production, pk: int) -> CreditAddition:
    return get_object_or_404(
        CreditAddition.objects.select_related("production"), production=production, pk=pk
    )


def edit_person(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    production = _producers_production(request, slug)
    addition = _addition(production, pk)
    sections = section_order(production)
    initial = {
        "section": addition.section,
        "name": addition.name,
        "role": addition.role,
        "position": addition.position,
    }
    form = AdditionForm(request.POST or None, sections=sections, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            credit_services.edit_person(
                actor=request.user,  # type: ignore[arg-type]
                addition=addition,
                section=form.cleaned_data["section"],
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                position=form.cleaned_data["position"],
            )
        except ServiceError as error:
            if isinstance(error, NotAllowed):
                raise
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("The credit is changed."))
            return redirect(_page_url(production, "people"))
    return render(
        request,
        "licensing/credit_person_form.html",
        {"production": production, "addition": addition, "form": form},
    )


@require_POST
def remove_person(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    production = _producers_production(request, slug)
    addition = _addition(production, pk)
    try:
        credit_services.remove_person(actor=request.user, addition=addition)  # type: ignore[arg-type]
    except ServiceError as error:
        _tell(request, error)
    else:
        messages.success(request, _("%(name)s is no longer in the credits.") % {"name": addition.name})
    return redirect(_page_url(production, "people"))


@require_POST
def exclude(request: HttpRequest, slug: str) -> HttpResponse:
    production = _producers_production(request, slug)
    form = ExclusionForm(request.POST)
    if form.is_valid():
        try:
            exclusion = credit_services.exclude_entry(
                actor=request.user,  # type: ignore[arg-type]
                production=production,
                key=form.cleaned_data["key"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as error:
            if error.field != "reason":  # about the entry itself (unknown, already out): nothing to keep
                _tell(request, error)
                return redirect(_page_url(production, "record"))
            form.add_error("reason", str(error.message))
        else:
            messages.success(request, _("%(name)s is taken out of the credits.") % {"name": exclusion.name})
            return redirect(_page_url(production, "excluded"))
    elif "key" in form.errors:
        messages.error(request, _("Choose a credit to take out, and say why."))
        return redirect(_page_url(production, "record"))
    # The reason was refused: the page again, with that entry's form open on what was typed.
    return _page(request, production, Role.PRODUCER, exclusion_form=form)


@require_POST
def restore(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    production = _producers_production(request, slug)
    exclusion = get_object_or_404(
        CreditExclusion.objects.select_related("production"), production=production, pk=pk
    )
    try:
        credit_services.restore_entry(actor=request.user, exclusion=exclusion)  # type: ignore[arg-type]
    except ServiceError as error:
        _tell(request, error)
    else:
        messages.success(request, _("%(name)s is back in the credits.") % {"name": exclusion.name})
    return redirect(_page_url(production, "excluded"))


@require_POST
def render_roll(request: HttpRequest, slug: str) -> HttpResponse:
    production = _producers_production(request, slug)
    form = RollForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the sizes offered."))
        return redirect(_page_url(production, "roll"))
    width, height = form.size_pair()
    try:
        credit_services.request_roll(
            actor=request.user,  # type: ignore[arg-type]
            production=production,
            width=width,
            height=height,
        )
    except ServiceError as error:
        _tell(request, error)
    else:
        messages.success(request, _("The roll is being rendered. You can leave this page meanwhile."))
    return redirect(_page_url(production, "roll"))


def roll_progress(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The rendering's progress, polled by the page; the page reloads once it has ended."""
    production, _role = team_production(slug, request.user)
    roll = find_roll(production, pk)
    if not roll.is_working:
        response = HttpResponse(status=STOP_POLLING)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "licensing/_roll_progress.html", {"production": production, "roll": roll})


def roll_download(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    production, _role = team_production(slug, request.user)
    roll = find_roll(production, pk)
    if roll.status != CreditsRoll.Status.READY or not roll.file:
        raise Http404
    return serve_file(
        request,
        Path(roll.file.path),
        content_type="video/mp4",
        download_name=f"{production.slug}-credits-roll-{roll.width}x{roll.height}.mp4",
        inline=False,
    )
