from django import forms
from django.utils.translation import gettext_lazy as _

from backstage.activity.models import EmailChoice, Kind


class PreferencesForm(forms.Form):
    """One e-mail choice per kind of notification."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=EmailChoice.choices,
                widget=forms.RadioSelect,
                help_text=_("How we e-mail you about it; the notification itself is always here."),
            )
