"""The producer's form for a screening: each field checked by the services' own rules, errors beside it."""

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import BaseTemporalField
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from backstage.core.errors import ServiceError
from backstage.releases import screening_checks as checks
from backstage.releases import screenings
from backstage.releases.models import Screening
from backstage.releases.screening_places import country_choices, zone_names

WALL_CLOCK_FORMAT = "%Y-%m-%dT%H:%M"


class WallClockField(forms.DateTimeField):
    """A date and time as a venue announces it: no time zone attached, and none assumed (Django's own
    field would read it in the server's zone)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=WALL_CLOCK_FORMAT)

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        text = str(value).strip()
        try:
            found = parse_datetime(text)
        except ValueError:
            found = None
        if found is None:
            found = BaseTemporalField.to_python(self, text)
        if found is None:
            return None
        if found.tzinfo is not None:
            raise ValidationError(
                _("Give the time as the venue shows it, without an offset: the time zone goes below."),
                code="invalid",
            )
        return found.replace(second=0, microsecond=0)

    def prepare_value(self, value: Any) -> Any:
        return value


def _by_rule(check: Callable[[], str]) -> str:
    """The value as the services' rule gives it, or the rule's refusal as the field's error."""
    try:
        return check()
    except ServiceError as error:
        raise ValidationError(str(error.message)) from None


class ScreeningForm(forms.Form):
    venue = forms.CharField(label=_("Venue"), max_length=checks.MAX_VENUE)
    address = forms.CharField(label=_("Address"), max_length=checks.MAX_ADDRESS, required=False)
    city = forms.CharField(label=_("City"), max_length=checks.MAX_CITY)
    country = forms.ChoiceField(label=_("Country"))
    local_start = WallClockField(
        label=_("Date and time"), help_text=_("As the venue announces it, in its own time zone.")
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=checks.MAX_TIME_ZONE,
        required=False,
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "The venue's, by its IANA name such as Europe/Warsaw. Left empty, the country's own when it has "
            "only one."
        ),
    )
    occurrence = forms.ChoiceField(label=_("Which one?"), required=False, widget=forms.HiddenInput)
    language = forms.CharField(
        label=_("Language"),
        max_length=checks.MAX_LANGUAGE,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "none"}),
        help_text=_("Of the film's sound, as a language tag: pl, fr, en-GB…"),
    )
    subtitles = forms.CharField(
        label=_("Subtitles"),
        max_length=checks.MAX_LANGUAGE,
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "none"}),
        help_text=_("Their language tag; empty when there are none."),
    )
    ticket_url = forms.CharField(
        label=_("Ticket link"),
        max_length=checks.MAX_TICKET_URL,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    def __init__(self, *args: Any, screening: Screening | None = None, **kwargs: Any) -> None:
        if screening is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(screening)
        super().__init__(*args, **kwargs)
        self.screening = screening
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            ("", _("Choose a country")),
            *country_choices(),
        ]
        self.zone_names = zone_names()
        occurrence = cast(forms.ChoiceField, self.fields["occurrence"])
        occurrence.choices = [("", ""), *((value, value) for value in checks.OCCURRENCES)]
        if not self.is_bound and screening is not None and screenings.occurrence_of(screening):
            self._ask_occurrence(screenings.wall_clock(screening), screening.time_zone)

    @staticmethod
    def initial_for(screening: Screening) -> dict[str, object]:
        return {
            "venue": screening.venue,
            "address": screening.address,
            "city": screening.city,
            "country": screening.country,
            "local_start": screenings.wall_clock(screening),
            "occurrence": screenings.occurrence_of(screening) or "",
            "time_zone": screening.time_zone,
            "language": screening.language,
            "subtitles": screening.subtitles,
            "ticket_url": screening.ticket_url,
        }

    def _ask_occurrence(self, local: datetime, time_zone: str) -> None:
        """Show the choice between the two readings of a time the clocks show twice."""
        field = cast(forms.ChoiceField, self.fields["occurrence"])
        field.choices = checks.occurrence_choices(local, time_zone)
        field.widget = forms.RadioSelect(choices=field.choices)
        field.help_text = _("The clocks go back that night, so this time happens twice.")

    def _checked(self, name: str, check: Callable[[], object]) -> Any:
        """The value the services' check gives, or None with its error put beside the field."""
        try:
            return check()
        except ServiceError as error:
            self.add_error(error.field if error.field in self.fields else name, str(error.message))
            return None

    def clean_venue(self) -> str:
        venue = self.cleaned_data["venue"]
        return _by_rule(
            lambda: checks.clean_text(venue, field="venue", max_length=checks.MAX_VENUE, required=True)
        )

    def clean_address(self) -> str:
        address = self.cleaned_data["address"]
        return _by_rule(
            lambda: checks.clean_text(address, field="address", max_length=checks.MAX_ADDRESS, required=False)
        )

    def clean_city(self) -> str:
        return _by_rule(lambda: checks.clean_city(self.cleaned_data["city"]))

    def clean_ticket_url(self) -> str:
        return _by_rule(lambda: checks.clean_ticket_url(self.cleaned_data["ticket_url"]))

    def clean_language(self) -> str:
        language = self.cleaned_data["language"]
        return _by_rule(lambda: checks.clean_language(language, field="language", required=True))

    def clean_subtitles(self) -> str:
        subtitles = self.cleaned_data["subtitles"]
        return _by_rule(lambda: checks.clean_language(subtitles, field="subtitles", required=False))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        country = data.get("country")
        if not country or "time_zone" not in data:
            return data
        zone = self._checked("time_zone", lambda: checks.clean_time_zone(data["time_zone"], country=country))
        local = data.get("local_start")
        if zone is None or local is None:
            return data
        data["time_zone"] = zone
        if checks.is_ambiguous_in(local, zone):
            self._ask_occurrence(local, zone)
        previous = self.screening.starts_at if self.screening is not None else None
        self._checked(
            "local_start",
            lambda: checks.check_start(
                local_start=local,
                time_zone=zone,
                occurrence=data.get("occurrence") or None,
                previous=previous,
            ),
        )
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "venue": data["venue"],
            "address": data["address"],
            "city": data["city"],
            "country": data["country"],
            "local_start": data["local_start"],
            "time_zone": data["time_zone"],
            "occurrence": data.get("occurrence") or None,
            "language": data["language"],
            "subtitles": data["subtitles"],
            "ticket_url": data["ticket_url"],
        }


def put_service_error(form: forms.Form, error: ServiceError) -> None:
    """Shows a service's refusal beside the field it concerns (or above the form)."""
    form.add_error(error.field if error.field in form.fields else None, str(error.message))
