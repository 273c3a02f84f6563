from django import forms
from django.utils.translation import gettext_lazy as _

from backstage.licensing.registry import license_choices
from backstage.media.models import Asset


class LicenseForm(forms.Form):
    license = forms.ChoiceField(label=_("License"), choices=license_choices)
    attribution = forms.CharField(
        label=_("Credit"),
        max_length=Asset._meta.get_field("attribution").max_length,
        required=False,
        help_text=_("Whom to credit when the file is used, as they wish to be named."),
    )
