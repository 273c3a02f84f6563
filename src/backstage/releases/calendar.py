"""iCalendar feeds of a release's screenings (RFC 5545), for people to subscribe to in their calendar.

Each screening starts at its venue's wall-clock time with the zone's TZID, and the file carries the
matching VTIMEZONE: the time stays the one the venue announced ("20:00, Europe/Warsaw") in clients
that show an event's own zone, every client converts it rightly to its reader's zone, and the file is
complete by itself. The one exception is the second of the two hours a night the clocks go back:
a TZID time names the first of them, so that start is written in UTC instead.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vText

from backstage.releases import screenings
from backstage.releases.languages import language_name
from backstage.releases.models import Release, Screening
from backstage.releases.screening_places import country_name, zone_abbreviation

PRODUCT_ID = "-//Backstage//Screenings//EN"
# Screenings are added and moved over weeks; calendar clients need not ask more often than this.
REFRESH_INTERVAL = timedelta(hours=6)
REFRESH_INTERVAL_TEXT = "PT6H"  # the same, for the older X-PUBLISHED-TTL whose value is plain text


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _uid(screening: Screening) -> str:
    # The same screening keeps its UID whatever is edited, so clients update the event in place.
    host = urlsplit(settings.SITE_URL).hostname or "backstage"
    return f"screening-{screening.pk}@{host}"


def _location(screening: Screening) -> str:
    parts = [screening.venue, screening.address, screening.city, country_name(screening.country)]
    return ", ".join(part for part in parts if part)


def _description(screening: Screening, local: datetime, release_url: str) -> str:
    lines = [
        _("%(time)s local time (%(zone)s, %(name)s).")
        % {
            "time": date_format(local.replace(tzinfo=None), "TIME_FORMAT"),
            "zone": zone_abbreviation(local),
            "name": screening.time_zone,
        },
        _("Language: %(language)s.") % {"language": language_name(screening.language)},
    ]
    if screening.subtitles:
        lines.append(_("Subtitles: %(language)s.") % {"language": language_name(screening.subtitles)})
    if screening.ticket_url:
        lines.append(_("Tickets: %(url)s") % {"url": screening.ticket_url})
    lines.append(_("About the film: %(url)s") % {"url": release_url})
    return "\n".join(lines)


def _event(release: Release, screening: Screening, *, duration: timedelta, release_url: str) -> Event:
    local = screenings.local_start_of(screening)
    event = Event()
    event.add("uid", _uid(screening))
    # Without a METHOD, DTSTAMP is when the event last changed (RFC 5545, 3.8.7.2).
    event.add("dtstamp", screening.updated_at.astimezone(UTC))
    event.add("created", screening.created_at.astimezone(UTC))
    event.add("last-modified", screening.updated_at.astimezone(UTC))
    event.add("dtstart", screening.starts_at.astimezone(UTC) if local.fold else local)
    event.add("duration", duration)
    event.add("summary", _("%(title)s at %(venue)s") % {"title": release.title, "venue": screening.venue})
    event.add("location", _location(screening))
    event.add("url", screening.ticket_url or release_url)
    event.add("description", _description(screening, local, release_url))
    return event


def screenings_calendar(release: Release, items: list[Screening], *, name: str) -> bytes:
    """The calendar of the given screenings of the release, named ``name``, as iCalendar bytes."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # As TEXT, escaped: the library writes these two unescaped otherwise.
    calendar.add("name", vText(name))  # RFC 7986
    calendar.add("x-wr-calname", vText(name))  # what most clients read instead
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH_INTERVAL_TEXT)
    duration = screenings.running_time(release)
    release_url = _absolute(screenings.release_page_url(release))
    for screening in items:
        calendar.add_component(_event(release, screening, duration=duration, release_url=release_url))
    if items:
        # Each zone's rules over the span of the screenings only: the same for every client, and small.
        starts = [screening.starts_at for screening in items]
        calendar.add_missing_timezones(
            first_date=(min(starts) - timedelta(days=2)).date(),
            last_date=(max(starts) + duration + timedelta(days=2)).date(),
        )
    return calendar.to_ical()
