"""Accepted contributions' credits, read from their acceptance records."""

from backstage.contributions.models import Acceptance, Status
from backstage.licensing.credit_sources import OTHER_SECTION, SECTIONS, CreditEntry
from backstage.productions.models import CallKind, Production

# A call's kind names the heading its accepted work is credited under.
SECTION_OF_KIND: dict[str, str] = {
    CallKind.CAST: "cast",
    CallKind.MUSIC: "music",
    CallKind.ART: "art",
    CallKind.SCRIPT: "script",
    CallKind.TRANSLATION: "translation",
    CallKind.SOUND: "sound",
    CallKind.VIDEO: "video",
    CallKind.OTHER: OTHER_SECTION,
}


def accepted_contribution_credits(production: Production) -> list[CreditEntry]:
    """One entry per contribution whose current status is accepted, from its latest acceptance.

    A contribution accepted, declined and accepted again has several acceptance records; the last
    one holds the title and license it was accepted with this time.
    """
    records = (
        Acceptance.objects.filter(production=production, contribution__status=Status.ACCEPTED)
        .select_related("author__profile", "call")
        .order_by("contribution_id", "-accepted_at", "-pk")
    )
    latest: dict[int, Acceptance] = {}
    for record in records:
        latest.setdefault(record.contribution_id, record)
    return [
        CreditEntry(
            section=_section(record.call_kind),
            key=f"contributions:contribution:{record.contribution_id}",
            name=record.author.display_name,
            role=record.call.title,
            user_id=record.author_id,
            work=record.title,
            license=record.license,
            needs_reason_to_remove=True,
        )
        for record in latest.values()
    ]


def _section(call_kind: str) -> str:
    section = SECTION_OF_KIND.get(call_kind, OTHER_SECTION)
    return section if section in SECTIONS else OTHER_SECTION
