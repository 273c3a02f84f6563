from typing import Any

from backstage.accounts.models import User
from backstage.accounts.profile_sections import ProfileSection
from backstage.contributions.models import Contribution, Status

SHOWN = 50


def accepted_contributions(person: User) -> dict[str, Any]:
    accepted = (
        Contribution.objects.filter(author=person, status=Status.ACCEPTED, is_hidden=False)
        .select_related("call__production")
        .order_by("-decided_at", "-pk")
    )
    return {"accepted": list(accepted[:SHOWN])}


SECTION = ProfileSection(template="contributions/_profile_accepted.html", context=accepted_contributions)
