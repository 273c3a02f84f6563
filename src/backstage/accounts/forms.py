from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from backstage.accounts.models import Skill
from backstage.core.links import parse_links
from backstage.core.widgets import Textarea

# Languages people can say they speak: a practical list, names in their own language.
SPOKEN_LANGUAGES = [
    ("ar", "العربية"), ("de", "Deutsch"), ("en", "English"), ("es", "Español"), ("fr", "Français"),
    ("it", "Italiano"), ("ja", "日本語"), ("nl", "Nederlands"), ("pl", "Polski"), ("pt", "Português"),
    ("ru", "Русский"), ("uk", "Українська"), ("zh", "中文"),
]  # fmt: skip
MAX_LINKS = 5


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=80, required=False)
    bio = forms.CharField(
        label=_("Bio"),
        max_length=4000,
        required=False,
        widget=Textarea(attrs={"rows": 6}),
        help_text=_("Markdown is allowed."),
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"), queryset=Skill.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=SPOKEN_LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=Textarea(attrs={"rows": 3}),
        help_text=_("One web address per line, up to %(max)d (portfolio, showreel, website).")
        % {"max": MAX_LINKS},
    )
    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        help_text=_("A JPEG, PNG, WebP or GIF image, %(max)d MB at most.")
        % {"max": settings.AVATAR_MAX_BYTES // 1_000_000},
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove the current avatar"), required=False)
    language = forms.ChoiceField(label=_("Language of our e-mails"), choices=settings.LANGUAGES)

    def clean_links(self) -> list[str]:
        return parse_links(self.cleaned_data["links"], max_links=MAX_LINKS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("avatar") and data.get("remove_avatar"):
            self.add_error("avatar", _("Either upload a new avatar or remove the current one, not both."))
        return data


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=80, help_text=_("What the token is for, e.g. “my upload script”.")
    )
