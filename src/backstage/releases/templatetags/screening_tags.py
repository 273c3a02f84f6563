from django import template

from backstage.releases.models import Screening
from backstage.releases.screenings import ScreeningRow, rows_for

register = template.Library()


@register.filter(name="screening_rows")
def screening_rows(items: list[Screening] | list[ScreeningRow]) -> list[ScreeningRow]:
    """Screenings as the tables show them (start in the venue's time, names in the reader's language);
    rows already made are kept as they are."""
    given: list[object] = list(items or [])
    if all(isinstance(item, ScreeningRow) for item in given):
        return given  # type: ignore[return-value]
    return rows_for(given)  # type: ignore[arg-type]
