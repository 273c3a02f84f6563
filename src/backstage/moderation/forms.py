from django import forms
from django.utils.translation import gettext_lazy as _

from backstage.core.widgets import Textarea


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=Textarea(attrs={"rows": 3}))


class BlockForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=Textarea(attrs={"rows": 3}))
