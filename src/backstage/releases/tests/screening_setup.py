"""What the screenings' tests share: a fixed "now" in early January 2026 and a screening made the usual way.

In 2026 the clocks of Europe/Warsaw go forward on 29 March at 02:00 (CET, UTC+1 → CEST, UTC+2) and back
on 25 October at 03:00 (CEST → CET).
"""

from datetime import datetime
from typing import Any

import backstage.urls  # noqa: F401 - built before time is frozen: the API schemas hold datetime types
from backstage.releases import screenings
from backstage.releases.models import Release, Screening

NOW = "2026-01-05 10:00:00"  # UTC; the release fixture's moment is then 12 January
WINTER_EVENING = datetime(2026, 1, 20, 20, 0)
SUMMER_EVENING = datetime(2026, 7, 15, 20, 0)


def screening_values(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "venue": "Kino Muranów",
        "address": "ul. Gen. Andersa 5",
        "city": "Warszawa",
        "country": "PL",
        "local_start": WINTER_EVENING,
        "time_zone": "Europe/Warsaw",
        "ticket_url": "https://kinomuranow.pl/bilety/varsovie-express",
        "language": "pl",
        "subtitles": "en",
    }
    values.update(changes)
    return values


def add(release: Release, **changes: Any) -> Screening:
    """A screening added by the release's producer."""
    producer = release.production.memberships.get(role="producer").user
    return screenings.add_screening(actor=producer, release=release, **screening_values(**changes))


def saved_screenings() -> list[tuple[Any, ...]]:
    """Everything stored about screenings, to show that a refused change left nothing behind."""
    return list(
        Screening.objects.order_by("pk").values_list(
            "pk", "venue", "address", "city", "country", "local_start", "time_zone", "starts_at",
            "ticket_url", "language", "subtitles",
        )
    )  # fmt: skip
