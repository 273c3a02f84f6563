import zoneinfo
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backstage.core.errors import ServiceError
from backstage.core.widgets import Textarea
from backstage.media.models import Asset
from backstage.productions.models import Production
from backstage.releases.models import AudioTrack, Release

# The zones people pick from; "UTC" first, then the IANA names in order.
TIME_ZONES = [("UTC", "UTC")] + [
    (name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name
]


def apply_service_error(form: forms.BaseForm, error: ServiceError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


class AssetChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Asset) -> str:
        return obj.name


class ReleaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Address"), max_length=80, required=False, help_text=_("Made from the title when left empty.")
    )
    synopsis_en = forms.CharField(
        label=_("Synopsis (English)"),
        widget=Textarea(attrs={"rows": 5}),
        required=False,
        max_length=20_000,
    )
    synopsis_fr = forms.CharField(
        label=_("Synopsis (French)"),
        widget=Textarea(attrs={"rows": 5}),
        required=False,
        max_length=20_000,
    )
    film = AssetChoice(label=_("Film (master file)"), queryset=Asset.objects.none(), required=False)
    trailer = AssetChoice(label=_("Trailer"), queryset=Asset.objects.none(), required=False)
    poster = AssetChoice(label=_("Poster"), queryset=Asset.objects.none(), required=False)
    moment_local = forms.DateTimeField(
        label=_("Release moment"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("The moment the film comes out everywhere at once, in the time zone below."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone of the moment"), choices=TIME_ZONES, initial="UTC")

    def __init__(self, *args: object, production: Production, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        ready = Asset.objects.filter(production=production, status=Asset.Status.READY).order_by("name")
        self.fields["film"].queryset = ready.filter(kind=Asset.Kind.VIDEO)  # type: ignore[attr-defined]
        self.fields["trailer"].queryset = ready.filter(kind=Asset.Kind.VIDEO)  # type: ignore[attr-defined]
        self.fields["poster"].queryset = ready.filter(kind=Asset.Kind.IMAGE)  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, release: Release) -> dict[str, object]:
        initial: dict[str, object] = {
            "title": release.title,
            "slug": release.slug,
            "synopsis_en": release.synopsis_en,
            "synopsis_fr": release.synopsis_fr,
            "film": release.film_id,
            "trailer": release.trailer_id,
            "poster": release.poster_id,
            "time_zone": "UTC",
        }
        if release.moment is not None:
            initial["moment_local"] = release.moment.astimezone(zoneinfo.ZoneInfo("UTC")).replace(tzinfo=None)
        return initial

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        local = cleaned.get("moment_local")
        zone = cleaned.get("time_zone")
        cleaned["moment"] = None
        if isinstance(local, datetime) and isinstance(zone, str):
            naive = local.replace(tzinfo=None)
            # Far-off years overflow when moved to another zone; no release needs them.
            if not 1970 <= naive.year < 9000:  # the API's bounds too
                raise ValidationError({"moment_local": _("The date must fall between 1970 and 9000.")})
            moment = naive.replace(tzinfo=zoneinfo.ZoneInfo(zone))
            # A wall-clock time skipped by a change to summer time has no instant: say so.
            round_trip = moment.astimezone(zoneinfo.ZoneInfo("UTC")).astimezone(zoneinfo.ZoneInfo(zone))
            if round_trip.replace(tzinfo=None) != naive:
                raise ValidationError(
                    {
                        "moment_local": _(
                            "This time does not exist in %(zone)s (the clocks go forward then)."
                        )
                        % {"zone": zone}
                    }
                )
            # One the clocks show twice (the night they go back) names two instants: ask for another.
            if moment.replace(fold=1).utcoffset() != moment.utcoffset():
                raise ValidationError(
                    {
                        "moment_local": _(
                            "This time happens twice in %(zone)s (the clocks go back then): "
                            "choose another, or give it in UTC."
                        )
                        % {"zone": zone}
                    }
                )
            cleaned["moment"] = moment
        return cleaned

    def service_arguments(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            key: data[key]
            for key in (
                "title",
                "slug",
                "synopsis_en",
                "synopsis_fr",
                "film",
                "trailer",
                "poster",
                "moment",
            )
        }


class AudioTrackForm(forms.Form):
    asset = AssetChoice(
        label=_("Sound file"),
        queryset=Asset.objects.none(),
        required=False,
        empty_label=_("The film's own sound"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=AudioTrack.Kind.choices)
    language = forms.CharField(
        label=_("Language code"), max_length=35, help_text=_("For example fr, pl or en-GB.")
    )
    label = forms.CharField(label=_("Name shown in the player"), max_length=100)
    attribution = forms.CharField(label=_("Voices and credits"), max_length=500, required=False)
    is_default = forms.BooleanField(label=_("Play this track first"), required=False)

    def __init__(self, *args: object, production: Production, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["asset"].queryset = Asset.objects.filter(  # type: ignore[attr-defined]
            production=production, status=Asset.Status.READY, kind__in=[Asset.Kind.AUDIO, Asset.Kind.VIDEO]
        ).order_by("name")
