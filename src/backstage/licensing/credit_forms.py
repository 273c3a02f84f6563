"""Forms of the credits page; the services check everything again, these only read the request."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backstage.core.widgets import Textarea
from backstage.licensing.credit_services import ROLL_SIZES
from backstage.licensing.credit_sources import Section
from backstage.licensing.models import MAX_NAME, MAX_POSITION, MAX_REASON, MAX_ROLE


class AdditionForm(forms.Form):
    section = forms.ChoiceField(label=_("Section"))
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    role = forms.CharField(
        label=_("Role"),
        max_length=MAX_ROLE,
        required=False,
        help_text=_("What they did, as it will be credited."),
    )
    position = forms.IntegerField(
        label=_("Position in the section"),
        min_value=0,
        max_value=MAX_POSITION,
        initial=0,
        help_text=_(
            "Lower comes first; people at the same position are in alphabetical order. "
            "The team's producers are at 0, directors 10, crew 20 and moderators 30."
        ),
    )

    def __init__(self, *args: Any, sections: list[Section], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [  # type: ignore[attr-defined]
            (section.key, section.title) for section in sections
        ]


class ExclusionForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    # Blank is left to the service, whose refusal says why a reason is needed.
    reason = forms.CharField(label=_("Reason"), max_length=MAX_REASON, required=False, widget=Textarea)


class MoveSectionForm(forms.Form):
    section = forms.CharField(max_length=40)
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


def _size_value(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


class RollForm(forms.Form):
    size = forms.ChoiceField(
        label=_("Frame size"),
        choices=[(_size_value(size), label) for size, label in ROLL_SIZES.items()],
        initial=_size_value((1920, 1080)),
    )

    def size_pair(self) -> tuple[int, int]:
        width, _x, height = self.cleaned_data["size"].partition("x")
        return int(width), int(height)
