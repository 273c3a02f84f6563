"""The free licenses Backstage knows, by SPDX identifier.

This is data, not configuration: adding a license is a reviewed code change with
its compatibility rules and their tests. Non-free licenses (NC, ND) are absent on
purpose, so nothing can choose them.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class License:
    spdx_id: str
    name: str
    url: str
    summary: str | Promise
    copyleft: bool
    # SPDX ids of the licenses whose works may be included in a work under this one.
    accepts: frozenset[str]


LICENSES: dict[str, License] = {
    item.spdx_id: item
    for item in [
        License(
            "LAL-1.3",
            "Licence Art Libre 1.3",
            "https://artlibre.org/licence/lal/",
            _(
                "Copy, change and share, even commercially, as long as the result stays under the same license."
            ),
            True,
            frozenset({"LAL-1.3", "CC-BY-SA-4.0", "CC-BY-4.0", "CC0-1.0"}),
        ),
        License(
            "CC-BY-SA-4.0",
            "Creative Commons Attribution-ShareAlike 4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/",
            _("Share and adapt, even commercially, crediting the authors and keeping the same license."),
            True,
            frozenset({"CC-BY-SA-4.0", "LAL-1.3", "CC-BY-4.0", "CC0-1.0"}),
        ),
        License(
            "CC-BY-4.0",
            "Creative Commons Attribution 4.0",
            "https://creativecommons.org/licenses/by/4.0/",
            _("Share and adapt for any purpose, as long as the authors are credited."),
            False,
            frozenset({"CC-BY-4.0", "CC0-1.0"}),
        ),
        License(
            "CC0-1.0",
            "Creative Commons Zero 1.0",
            "https://creativecommons.org/publicdomain/zero/1.0/",
            _("Dedicated to the public domain: anyone may use it for anything, no conditions."),
            False,
            frozenset({"CC0-1.0"}),
        ),
        License(
            "GPL-3.0-or-later",
            "GNU General Public License 3.0 or later",
            "https://www.gnu.org/licenses/gpl-3.0.html",
            _("For software and project files: use, study, change and share, keeping the same license."),
            True,
            frozenset({"GPL-3.0-or-later", "CC-BY-SA-4.0", "CC-BY-4.0", "CC0-1.0"}),
        ),
    ]
}

DEFAULT_FILM_LICENSE = "LAL-1.3"


def license_choices() -> list[tuple[str, str]]:
    return [(item.spdx_id, item.name) for item in LICENSES.values()]


def get_license(spdx_id: str) -> License:
    return LICENSES[spdx_id]


def accepted_inbound(outbound: str) -> list[License]:
    """Licenses a contribution may carry to be usable in a work under ``outbound``."""
    accepts = LICENSES[outbound].accepts
    return [item for item in LICENSES.values() if item.spdx_id in accepts]
