"""Which works may go into which: the rules a film, a contribution and a remix obey.

The rules are a table of pairs, each with the reason it holds, because they come from
what the license stewards declared, not from anything that can be computed from the
licenses' features. Functions here only read the table.
"""

from dataclasses import dataclass

from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from backstage.core.errors import ServiceError
from backstage.licensing.registry import LICENSES, NON_FREE_LICENSES, License, get_license

# (outer, inner): a work under `outer` may include or adapt a work under `inner`, the
# result being shared under `outer`. A pair that is absent is refused.
INCLUSIONS: frozenset[tuple[str, str]] = frozenset(
    {
        # Each license lets a work under it be adapted under the same license.
        ("LAL-1.3", "LAL-1.3"),
        ("CC-BY-SA-4.0", "CC-BY-SA-4.0"),
        ("CC-BY-4.0", "CC-BY-4.0"),
        ("CC0-1.0", "CC0-1.0"),
        ("GPL-3.0-or-later", "GPL-3.0-or-later"),
        # CC0 waives every right it can: nothing is asked of a work that includes it.
        ("LAL-1.3", "CC0-1.0"),
        ("CC-BY-SA-4.0", "CC0-1.0"),
        ("CC-BY-4.0", "CC0-1.0"),
        ("GPL-3.0-or-later", "CC0-1.0"),
        # CC BY 4.0 (section 3(b)) lets an adapter license the adaptation as they wish, as
        # long as the authors stay credited; so any free license may include it.
        ("LAL-1.3", "CC-BY-4.0"),
        ("CC-BY-SA-4.0", "CC-BY-4.0"),
        # The FSF lists CC BY 4.0 as compatible with GPLv3.
        ("GPL-3.0-or-later", "CC-BY-4.0"),
        # Creative Commons declared the Free Art License 1.3 compatible with BY-SA 4.0 in
        # October 2014, in both directions (LAL 1.3 section 5 accepts compatible licenses).
        ("LAL-1.3", "CC-BY-SA-4.0"),
        ("CC-BY-SA-4.0", "LAL-1.3"),
        # Creative Commons declared BY-SA 4.0 one-way compatible with GPLv3 in October
        # 2015: BY-SA material may go into a GPL work, never a GPL work into BY-SA.
        ("GPL-3.0-or-later", "CC-BY-SA-4.0"),
        # Deliberately absent:
        # - LAL 1.3 and GPLv3, either way: the FSF lists the Free Art License as
        #   incompatible with the GPL, and neither steward declared compatibility. So
        #   GPL includes BY-SA and BY-SA includes LAL, yet GPL does not include LAL.
        # - a copyleft work inside a CC BY or CC0 work: the result would drop the
        #   obligation to keep the copyleft work's changes free.
    }
)


def check_free(spdx_id: str) -> License:
    """The free license ``spdx_id`` names, or a ServiceError saying why it cannot be used."""
    return _free_license(spdx_id, field="license")


def can_include(*, outer: str, inner: str) -> bool:
    """Whether a work under ``outer`` may include or adapt a work under ``inner``.

    Unknown and non-free identifiers are never includable and never include anything.
    """
    return (outer, inner) in INCLUSIONS


def accepted_inbound(outbound: str) -> list[License]:
    """Licenses a contribution may carry to be usable in a work under ``outbound``."""
    get_license(outbound)  # An unknown outbound license is a bug in the caller: fail loudly.
    return [item for item in LICENSES.values() if can_include(outer=outbound, inner=item.spdx_id)]


@dataclass(frozen=True)
class MatrixRow:
    license: License
    # One (inner license, may include) per free license, in the registry's order.
    cells: list[tuple[License, bool]]


def compatibility_matrix() -> list[MatrixRow]:
    """Every free license against every other, for people to read."""
    return [
        MatrixRow(
            license=outer,
            cells=[
                (inner, can_include(outer=outer.spdx_id, inner=inner.spdx_id)) for inner in LICENSES.values()
            ],
        )
        for outer in LICENSES.values()
    ]


def check_contribution_license(*, production_license: str, contribution_license: str) -> None:
    """Refuse a contribution whose license would keep it out of the production's film."""
    production = _free_license(production_license, field=None)
    contribution = check_free(contribution_license)
    if can_include(outer=production.spdx_id, inner=contribution.spdx_id):
        return
    raise ServiceError(
        "license_not_accepted",
        _(
            "A contribution under %(license)s cannot go into a film released under %(production)s. "
            "Choose %(accepted)s."
        )
        % {
            "license": contribution.name,
            "production": production.name,
            "accepted": _names(accepted_inbound(production.spdx_id)),
        },
        field="license",
    )


def check_remix(*, remix_license: str, source_licenses: list[str]) -> None:
    """Refuse a remix under ``remix_license`` that builds on a work it may not include."""
    remix = check_free(remix_license)
    for source in source_licenses:
        if can_include(outer=remix.spdx_id, inner=source):
            continue
        if source in NON_FREE_LICENSES:
            why = str(NON_FREE_LICENSES[source].reason)
        elif source in LICENSES:
            why = _("Works under %(remix)s may only include works under %(accepted)s.") % {
                "remix": remix.name,
                "accepted": _names(accepted_inbound(remix.spdx_id)),
            }
        else:
            why = _("“%(source)s” is not a license the studio knows.") % {"source": source}
        raise ServiceError(
            "remix_incompatible",
            _("A remix under %(remix)s cannot build on a work under %(source)s. %(why)s")
            % {"remix": remix.name, "source": _display_name(source), "why": why},
            field="source_licenses",
        )


def _free_license(spdx_id: str, *, field: str | None) -> License:
    if spdx_id in LICENSES:
        return LICENSES[spdx_id]
    if spdx_id in NON_FREE_LICENSES:
        refused = NON_FREE_LICENSES[spdx_id]
        raise ServiceError(
            "non_free",
            _("%(license)s is not a free license. %(reason)s")
            % {"license": refused.name, "reason": refused.reason},
            field=field,
        )
    raise ServiceError(
        "unknown_license",
        _("“%(license)s” is not a license the studio knows. Choose %(known)s.")
        % {"license": spdx_id, "known": _names(list(LICENSES.values()))},
        field=field,
    )


def _display_name(spdx_id: str) -> str:
    if spdx_id in LICENSES:
        return LICENSES[spdx_id].name
    if spdx_id in NON_FREE_LICENSES:
        return str(NON_FREE_LICENSES[spdx_id].name)
    return spdx_id


def _names(licenses: list[License]) -> str:
    # Joined with Django's translated "or": "A, B or C".
    return str(get_text_list([item.name for item in licenses]))
