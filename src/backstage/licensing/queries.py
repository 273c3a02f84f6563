"""Reads for the credits' pages and API: who may see them, and the state of the end-credits roll."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from backstage.accounts.models import User
from backstage.licensing.models import CreditsRoll
from backstage.productions.models import Production
from backstage.productions.permissions import role_in

# A roll whose worker has given no sign of life for this long was interrupted (see tasks.HEARTBEAT_INTERVAL).
ROLL_STALE_AFTER = timedelta(minutes=30)

ROLL_PROBLEMS: dict[str, Promise] = {
    "interrupted": _("The rendering stopped midway (the server was probably restarted). Render it again."),
    "timeout": _("The rendering took too long and was stopped."),
    "too_large": _("The roll is larger than the server may write."),
    "ffmpeg_missing": _("The studio's media tools are not available right now. Try again later."),
}
ROLL_PROBLEM_UNKNOWN = _(
    "The rendering failed. Try again; if it fails again, tell the studio's administrators."
)


def team_production(slug: str, viewer: User | AnonymousUser) -> tuple[Production, str]:
    """The production and the viewer's role in its team; 404 for anyone outside the team."""
    production = Production.objects.filter(slug=slug).first()
    role = role_in(viewer, production) if production is not None else None
    if production is None or role is None:
        raise Http404
    return production, role


@dataclass(frozen=True)
class RollState:
    """The roll being rendered, the one to download, and the last failure, for the credits page."""

    working: CreditsRoll | None
    ready: CreditsRoll | None
    failed: CreditsRoll | None

    @property
    def problem(self) -> str:
        if self.failed is None:
            return ""
        return str(ROLL_PROBLEMS.get(self.failed.problem, ROLL_PROBLEM_UNKNOWN))

    @property
    def stuck(self) -> bool:
        return self.working is not None and roll_is_stale(self.working)


def roll_is_stale(roll: CreditsRoll) -> bool:
    """Whether a queued or running roll has given no sign of life for a long while: it was interrupted."""
    seen = roll.heartbeat_at or roll.created_at
    return seen < timezone.now() - ROLL_STALE_AFTER


def roll_state(production: Production) -> RollState:
    rolls = list(CreditsRoll.objects.filter(production=production)[:10])
    working = next((roll for roll in rolls if roll.is_working), None)
    ready = next((roll for roll in rolls if roll.status == CreditsRoll.Status.READY), None)
    latest_done = next((roll for roll in rolls if not roll.is_working), None)
    failed = (
        latest_done if latest_done is not None and latest_done.status == CreditsRoll.Status.FAILED else None
    )
    return RollState(working=working, ready=ready, failed=failed)


def find_roll(production: Production, roll_id: int) -> CreditsRoll:
    roll = CreditsRoll.objects.filter(production=production, pk=roll_id).first()
    if roll is None:
        raise Http404
    return roll
