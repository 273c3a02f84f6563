"""The subtitle pages: the list of languages with an upload form, the editor, replacing and deleting.

They are for the people who may edit subtitles (subtitle_queries.SubtitleAccess.may_edit): anyone
else gets 404 while the embargo hides the film from them, and 403 once they may see it. The
downloads follow the film's embargo instead, with the translators let in before the moment.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backstage.core.errors import NotAllowed, ServiceError
from backstage.core.http import AuthenticatedRequest
from backstage.media.downloads import serve_file
from backstage.media.ingest import renditions_dir
from backstage.releases import subtitle_services as services
from backstage.releases.models import Subtitle
from backstage.releases.subtitle_drafts import CueDraft, CueErrors, CueProblem
from backstage.releases.subtitle_forms import (
    SubtitleEditorForm,
    SubtitleReplaceForm,
    SubtitleUploadForm,
    drafts_from_post,
)
from backstage.releases.subtitle_markup import editable_cue_text, format_timestamp
from backstage.releases.subtitle_queries import (
    SubtitleAccess,
    editable_subtitles,
    editors_of,
    film_duration_ms,
    film_proxy,
    find_subtitle,
    readable_subtitles,
    subtitle_revision,
    subtitles_of,
)
from backstage.releases.subtitles import parse_subtitles, to_srt

# Empty rows offered at the end of the table, to add cues where the browser runs no script.
BLANK_ROWS = 3


@dataclass
class EditorRow:
    """A row of the editor's table: a cue as stored or as typed, with what is wrong with it."""

    number: int | str
    start: str = ""
    end: str = ""
    text: str = ""
    settings: str = ""
    errors: list[str] = field(default_factory=list)
    bad_fields: set[str] = field(default_factory=set)

    @property
    def text_rows(self) -> int:
        # Tall enough for the cue's lines, where the browser does not size text areas to their content.
        return min(6, max(2, self.text.count("\n") + 1))


def _stored_rows(subtitle: Subtitle) -> list[EditorRow]:
    rows = [
        EditorRow(
            number=number,
            start=format_timestamp(cue.start),
            end=format_timestamp(cue.end),
            text=editable_cue_text(cue.text),
            settings=cue.settings,
        )
        for number, cue in enumerate(parse_subtitles(subtitle.text), start=1)
    ]
    return rows + [EditorRow(number=len(rows) + extra) for extra in range(1, BLANK_ROWS + 1)]


def _typed_rows(drafts: list[CueDraft], problems: list[CueProblem]) -> list[EditorRow]:
    rows = [
        EditorRow(
            number=index + 1, start=draft.start, end=draft.end, text=draft.text, settings=draft.settings
        )
        for index, draft in enumerate(drafts)
    ]
    for problem in problems:
        rows[problem.index].errors.append(problem.message)
        rows[problem.index].bad_fields.add(problem.field)
    return rows


def _form_error(form: Form, error: ServiceError) -> None:
    """Shows a service's refusal on the form; a permission refusal gets the 403 page instead."""
    if isinstance(error, NotAllowed):
        raise error
    shown = error.field in form.fields and not form.fields[error.field].widget.is_hidden
    form.add_error(error.field if shown else None, str(error.message))


def _urls(subtitle: Subtitle) -> dict[str, str]:
    kwargs = {
        "slug": subtitle.release.production.slug,
        "release_slug": subtitle.release.slug,
        "language": subtitle.language,
    }
    return {
        "editor": reverse("releases:subtitle_editor", kwargs=kwargs),
        "replace": reverse("releases:subtitle_replace", kwargs=kwargs),
        "delete": reverse("releases:subtitle_delete", kwargs=kwargs),
        "vtt": reverse("releases:subtitle_download", kwargs={**kwargs, "file_format": "vtt"}),
        "srt": reverse("releases:subtitle_download", kwargs={**kwargs, "file_format": "srt"}),
    }


def _changes_message(saved: services.SubtitleSaved) -> str:
    changes = saved.changes
    if not changes.total:
        return _("Saved. No cue changed.")
    return _("Saved. Cues added: %(added)d, changed: %(changed)d, removed: %(removed)d.") % {
        "added": changes.added,
        "changed": changes.changed,
        "removed": changes.removed,
    }


@login_required
def subtitle_list(request: AuthenticatedRequest, slug: str, release_slug: str) -> HttpResponse:
    access = editable_subtitles(slug, release_slug, request.user)
    release = access.release
    form = SubtitleUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.add_subtitles(
                actor=request.user, release=release, language=data["language"], file=data["file"],
                label=data["label"], note=data["note"],
            )  # fmt: skip
        except ServiceError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _("Subtitles “%(label)s” added, with %(count)d cues.")
                % {"label": saved.subtitle.label, "count": saved.subtitle.cue_count},
            )
            return redirect(_urls(saved.subtitle)["editor"])
    subtitles = subtitles_of(release)
    for subtitle in subtitles:
        subtitle.release = release
        subtitle.urls = _urls(subtitle)  # type: ignore[attr-defined]
    return render(
        request,
        "releases/subtitle_list.html",
        {
            "production": release.production,
            "release": release,
            "subtitles": subtitles,
            "form": form,
            "may_delete": access.may_delete,
            "public": access.release_access.public,
        },
    )


def _editor_page(
    request: HttpRequest,
    access: SubtitleAccess,
    subtitle: Subtitle,
    *,
    rows: list[EditorRow],
    form: SubtitleEditorForm,
    replace_form: SubtitleReplaceForm,
) -> HttpResponse:
    release = access.release
    duration = film_duration_ms(release)
    preview = film_proxy(release)
    return render(
        request,
        "releases/subtitle_editor.html",
        {
            "production": release.production,
            "release": release,
            "subtitle": subtitle,
            "urls": _urls(subtitle),
            "rows": rows,
            "problem_rows": [row for row in rows if row.errors],
            "blank_row": EditorRow(number=""),
            "form": form,
            "replace_form": replace_form,
            "may_delete": access.may_delete,
            "editors": editors_of(subtitle),
            "film_duration_ms": duration,
            "film_duration": format_timestamp(duration) if duration is not None else "",
            "preview_url": reverse(
                "releases:subtitle_preview",
                kwargs={"slug": release.production.slug, "release_slug": release.slug},
            )
            if preview is not None
            else "",
        },
    )


def _editable(
    request: AuthenticatedRequest, slug: str, release_slug: str, language: str
) -> tuple[SubtitleAccess, Subtitle]:
    access = editable_subtitles(slug, release_slug, request.user)
    subtitle = find_subtitle(access.release, language)
    subtitle.release = access.release
    return access, subtitle


@login_required
def subtitle_editor(
    request: AuthenticatedRequest, slug: str, release_slug: str, language: str
) -> HttpResponse:
    access, subtitle = _editable(request, slug, release_slug, language)
    revision = subtitle_revision(subtitle)
    replace_form = SubtitleReplaceForm(initial={"revision": revision})
    if request.method != "POST":
        form = SubtitleEditorForm(initial={"label": subtitle.label, "revision": revision})
        return _editor_page(
            request, access, subtitle, rows=_stored_rows(subtitle), form=form, replace_form=replace_form
        )
    form = SubtitleEditorForm(request.POST)
    problems: list[CueProblem] = []
    try:
        drafts = drafts_from_post(request.POST)
    except ServiceError as error:
        form.add_error(None, str(error.message))
        return _editor_page(
            request, access, subtitle, rows=_stored_rows(subtitle), form=form, replace_form=replace_form
        )
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_cues(
                actor=request.user, subtitle=subtitle, drafts=drafts, label=data["label"], note=data["note"],
                base_revision=data["revision"] or None,
            )  # fmt: skip
        except CueErrors as error:
            problems = error.problems
            form.add_error(
                None, _("Some cues need fixing; nothing is saved yet. Each problem is shown beside its cue.")
            )
        except ServiceError as error:
            _form_error(form, error)
        else:
            messages.success(request, _changes_message(saved))
            return redirect(_urls(subtitle)["editor"])
    return _editor_page(
        request, access, subtitle, rows=_typed_rows(drafts, problems), form=form, replace_form=replace_form
    )


@login_required
@require_POST
def subtitle_replace(
    request: AuthenticatedRequest, slug: str, release_slug: str, language: str
) -> HttpResponse:
    access, subtitle = _editable(request, slug, release_slug, language)
    replace_form = SubtitleReplaceForm(request.POST, request.FILES)
    if replace_form.is_valid():
        data = replace_form.cleaned_data
        try:
            saved = services.replace_subtitles(
                actor=request.user, subtitle=subtitle, file=data["file"], note=data["note"],
                base_revision=data["revision"] or None,
            )  # fmt: skip
        except ServiceError as error:
            _form_error(replace_form, error)
        else:
            messages.success(request, _changes_message(saved))
            return redirect(_urls(subtitle)["editor"])
    form = SubtitleEditorForm(initial={"label": subtitle.label, "revision": subtitle_revision(subtitle)})
    return _editor_page(
        request, access, subtitle, rows=_stored_rows(subtitle), form=form, replace_form=replace_form
    )


@login_required
def subtitle_delete(
    request: AuthenticatedRequest, slug: str, release_slug: str, language: str
) -> HttpResponse:
    access, subtitle = _editable(request, slug, release_slug, language)
    if not access.may_delete:
        raise NotAllowed("forbidden", _("Only the production's producer may delete subtitles."))
    if request.method == "POST":
        services.delete_subtitles(actor=request.user, subtitle=subtitle)
        messages.success(request, _("Subtitles “%(label)s” deleted.") % {"label": subtitle.label})
        return redirect("releases:subtitles", slug=slug, release_slug=release_slug)
    return render(
        request,
        "releases/subtitle_delete.html",
        {
            "production": access.release.production,
            "release": access.release,
            "subtitle": subtitle,
            "urls": _urls(subtitle),
            "editors": editors_of(subtitle),
        },
    )


@login_required
def film_preview(request: AuthenticatedRequest, slug: str, release_slug: str) -> HttpResponseBase:
    """The film's MP4 copy for the editor's player, for the people who may edit (translators too)."""
    access = editable_subtitles(slug, release_slug, request.user)
    release = access.release
    proxy = film_proxy(release)
    if proxy is None or release.film is None:
        raise Http404
    folder = renditions_dir(release.film).resolve()
    target = (folder / proxy.path).resolve()
    if not target.is_relative_to(folder) or not target.is_file():
        raise Http404
    response = serve_file(request, target, content_type="video/mp4")
    response["Cache-Control"] = "private, no-store"
    return response


def subtitle_download(
    request: HttpRequest, slug: str, release_slug: str, language: str, file_format: str
) -> HttpResponse:
    """The subtitles as a WebVTT or SubRip file: for whoever may see the film, and the translators."""
    access = readable_subtitles(slug, release_slug, request.user)
    subtitle = find_subtitle(access.release, language)
    if file_format == "srt":
        content, mime = to_srt(parse_subtitles(subtitle.text)), "application/x-subrip"
    else:
        content, mime = subtitle.text, "text/vtt"
    response = HttpResponse(content, content_type=f"{mime}; charset=utf-8")
    name = f"{access.release.slug}.{subtitle.language}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "public, max-age=300" if access.release_access.public else "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
