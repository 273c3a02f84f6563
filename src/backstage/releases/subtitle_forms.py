"""Forms of the subtitle pages, and the editor's document as the browser posts it."""

import json
from itertools import zip_longest
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backstage.core.errors import ServiceError
from backstage.releases.subtitle_drafts import CueDraft
from backstage.releases.subtitle_services import MAX_LABEL, MAX_NOTE
from backstage.releases.subtitles import MAX_CUES

ACCEPTED_FILES = ".vtt,.srt,text/vtt,application/x-subrip"
DRAFT_FIELDS = ("start", "end", "text", "settings")


class SubtitleUploadForm(forms.Form):
    language = forms.CharField(
        label=gettext_lazy("Language"),
        max_length=35,
        help_text=gettext_lazy("A language tag: “pl” for Polish, “pt-BR” for Brazilian Portuguese…"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "size": 10}),
    )
    label = forms.CharField(
        label=gettext_lazy("Label"),
        max_length=MAX_LABEL,
        required=False,
        help_text=gettext_lazy("What viewers pick in the player; the language's name if left empty."),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("WebVTT (.vtt) or SubRip (.srt), in UTF-8."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=MAX_NOTE, required=False)


class SubtitleReplaceForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("New file"),
        help_text=gettext_lazy("WebVTT (.vtt) or SubRip (.srt), in UTF-8. It replaces every cue."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=MAX_NOTE, required=False)
    revision = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class SubtitleEditorForm(forms.Form):
    """What the editor posts besides its cues."""

    label = forms.CharField(label=gettext_lazy("Label"), max_length=MAX_LABEL)
    note = forms.CharField(
        label=gettext_lazy("What you changed (optional)"),
        max_length=MAX_NOTE,
        required=False,
    )
    revision = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


def _bad_document() -> ServiceError:
    return ServiceError(
        "bad_document", _("The edited cues did not arrive whole; try saving again."), field="cues"
    )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _bad_document()
    try:
        value.encode("utf-8")  # JSON may carry lone surrogates ("\ud800"), which no page can show
    except UnicodeEncodeError:
        raise _bad_document() from None
    return value


def drafts_from_post(data: QueryDict) -> list[CueDraft]:
    """The cues the editor posted: one ``document`` field (JSON) from the script, else the table's fields."""
    document = data.get("document")
    if document:
        try:
            rows = json.loads(document)
        except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
            raise _bad_document() from None
        if not isinstance(rows, list) or len(rows) > MAX_CUES:
            raise _bad_document()
        drafts = []
        for row in rows:
            if not isinstance(row, dict):
                raise _bad_document()
            drafts.append(CueDraft(**{name: _text(row.get(name, "")) for name in DRAFT_FIELDS}))
        return drafts
    columns = [data.getlist(name) for name in DRAFT_FIELDS]
    if max(len(column) for column in columns) > MAX_CUES:
        raise _bad_document()
    return [
        CueDraft(start=start, end=end, text=text, settings=settings)
        for start, end, text, settings in zip_longest(*columns, fillvalue="")
    ]
