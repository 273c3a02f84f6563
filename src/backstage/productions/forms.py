from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backstage.core.widgets import Textarea
from backstage.licensing.registry import LICENSES
from backstage.productions.models import Call, Production, Role

User = get_user_model()


class ProductionForm(forms.ModelForm):
    class Meta:
        model = Production
        fields = [
            "title",
            "slug",
            "stage",
            "license",
            "logline_en",
            "logline_fr",
            "synopsis_en",
            "synopsis_fr",
        ]
        widgets = {
            "synopsis_en": Textarea(attrs={"rows": 8}),
            "synopsis_fr": Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "slug": _("Letters, digits and hyphens; used in the production's web address."),
            "synopsis_en": _("Markdown is allowed."),
            "synopsis_fr": _("Markdown is allowed."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["license"].help_text = " ".join(
            _("%(license)s: %(summary)s") % {"license": item.spdx_id, "summary": item.summary}
            for item in LICENSES.values()
            if item.copyleft
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("logline_en") or data.get("logline_fr")):
            self.add_error("logline_en", _("Write a logline in at least one language."))
        return data


class CallForm(forms.ModelForm):
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In UTC. Leave empty for a call without a deadline."),
    )

    class Meta:
        model = Call
        fields = [
            "kind", "title_en", "title_fr", "brief_en", "brief_fr", "deadline",
            "vote_policy", "votes_per_member", "votes_public",
        ]  # fmt: skip
        widgets = {
            "brief_en": Textarea(attrs={"rows": 8}),
            "brief_fr": Textarea(attrs={"rows": 8}),
        }
        help_texts = {"brief_en": _("Markdown is allowed."), "brief_fr": _("Markdown is allowed.")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("title_en") or data.get("title_fr")):
            self.add_error("title_en", _("Give the call a title in at least one language."))
        return data

    def _post_clean(self) -> None:
        # Model validation (constraints included) runs in the service, with the production set.
        pass


class InviteForm(forms.Form):
    person = forms.CharField(
        label=_("Username or e-mail address"), max_length=254, help_text=_("The person needs an account.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean_person(self) -> Any:
        value = self.cleaned_data["person"].strip()
        field = "email__iexact" if "@" in value else "username__iexact"
        user = User.objects.filter(**{field: value}, is_active=True).first()
        if user is None:
            raise ValidationError(_("Nobody with this username or e-mail address has an account."))
        return user


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
