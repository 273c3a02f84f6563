import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backstage.accounts.models import User
from backstage.contributions.models import Status
from backstage.contributions.queries import attachable_assets
from backstage.contributions.services import FILE_KINDS, MAX_FILE_BYTES, MAX_FILES
from backstage.core.links import parse_links
from backstage.core.uploads import MultipleContributionFilesField
from backstage.core.widgets import Textarea
from backstage.licensing.registry import accepted_inbound
from backstage.media.models import Asset

MAX_LINKS = 5


def _links_help() -> str:
    # Formatted when shown, in the reader's language: a lazy string formatted at import would be English.
    return gettext("One web address per line, up to %(max)d (a video elsewhere, a repository…).") % {
        "max": MAX_LINKS
    }


class AssetChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Asset) -> str:
        return f"{obj.name} ({filesizeformat(obj.size)})"


class ContributionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=20_000,
        required=False,
        widget=Textarea(attrs={"rows": 8}),
        help_text=_("Markdown is allowed."),
    )
    license = forms.ChoiceField(label=_("License"), widget=forms.RadioSelect)
    attachments = MultipleContributionFilesField(
        label=_("Files"),
        required=False,
        max_bytes=MAX_FILE_BYTES,
        allowed_kinds=FILE_KINDS,
        max_files=MAX_FILES,
        help_text=_("Images, sound, video, PDF or text; up to 10 files of 50 MB each."),
    )
    assets = AssetChoiceField(
        label=_("Files you uploaded"),
        queryset=Asset.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Large files (rushes, masters, sessions) go through “Upload files” first, then appear here."
        ),
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=Textarea(attrs={"rows": 2}),
        help_text=lazy(_links_help, str)(),
    )
    sources = forms.CharField(
        label=_("Builds on"),
        required=False,
        max_length=200,
        help_text=_("If this is a remix, the numbers of the contributions it uses, e.g. “12, 40”."),
    )

    def __init__(self, *args: Any, production_license: str, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(AssetChoiceField, self.fields["assets"]).queryset = attachable_assets(owner)
        cast(forms.ChoiceField, self.fields["license"]).choices = [
            (item.spdx_id, f"{item.name} — {item.summary}") for item in accepted_inbound(production_license)
        ]

    def clean_links(self) -> list[str]:
        return parse_links(self.cleaned_data["links"], max_links=MAX_LINKS)

    def clean_sources(self) -> list[int]:
        text = self.cleaned_data["sources"].strip()
        if not text:
            return []
        if not re.fullmatch(r"[#\s\d,]+", text):
            raise ValidationError(_("Write contribution numbers separated by commas, e.g. “12, 40”."))
        numbers = sorted({int(number) for number in re.findall(r"\d+", text) if len(number) <= 12})
        if len(numbers) > 20:
            raise ValidationError(_("A remix can name at most 20 sources."))
        return numbers


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[(value, label) for value, label in Status.choices if value != Status.WITHDRAWN],
    )
    note = forms.CharField(
        label=_("Note to the author"),
        max_length=4000,
        required=False,
        widget=Textarea(attrs={"rows": 3}),
    )


class ContributionEditForm(ContributionForm):
    remove_files = forms.TypedMultipleChoiceField(
        label=_("Remove these files"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, existing_files: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["remove_files"]).choices = existing_files
        if not existing_files:
            del self.fields["remove_files"]
