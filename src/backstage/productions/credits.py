"""The production team's credits: one entry per member, with the role's label."""

from backstage.licensing.credit_sources import CreditEntry
from backstage.productions.models import Membership, Production, Role

# Producers first, then directors, crew and moderators, as the team page lists them.
_ROLE_ORDER = {role: index for index, role in enumerate(Role.values)}


def team_credits(production: Production) -> list[CreditEntry]:
    members = Membership.objects.filter(production=production).select_related("user__profile")
    return [
        CreditEntry(
            section="team",
            # Keyed by the person, not the membership: leaving and rejoining keeps an exclusion.
            key=f"productions:member:{member.user_id}",
            name=member.user.display_name,
            role=Role(member.role).label,
            user_id=member.user_id,
            order=_ROLE_ORDER.get(member.role, len(_ROLE_ORDER)) * 10,
        )
        for member in members
    ]
