"""The licenses Backstage knows, by SPDX identifier.

This is data, not configuration: adding a license is a reviewed code change with
its compatibility rules (``compatibility.py``) and their tests. Only free licenses
can be chosen; the non-free ones people commonly reach for are listed separately,
each with the reason it is refused, so that a refusal can explain itself.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class LicenseKind(models.TextChoices):
    # A hint for people choosing a license, not a rule: the software licenses suit
    # project files and tools, the others suit images, sounds and the film itself.
    MEDIA = "media", _("art and media")
    SOFTWARE = "software", _("software and project files")


@dataclass(frozen=True)
class License:
    """A free license: anyone may use, study, change and share the work, even commercially."""

    spdx_id: str
    name: str
    url: str
    summary: str | Promise
    copyleft: bool
    kind: LicenseKind


@dataclass(frozen=True)
class NonFreeLicense:
    """A license the studio refuses, with the reason people are told."""

    spdx_id: str
    name: str | Promise
    reason: str | Promise
    # Empty when there is no license text to point at.
    url: str = ""


LICENSES: dict[str, License] = {
    item.spdx_id: item
    for item in [
        License(
            spdx_id="LAL-1.3",
            name="Licence Art Libre 1.3",
            url="https://artlibre.org/licence/lal/",
            summary=_(
                "Copy, change and share, even commercially, as long as the result stays under the same license."
            ),
            copyleft=True,
            kind=LicenseKind.MEDIA,
        ),
        License(
            spdx_id="CC-BY-SA-4.0",
            name="Creative Commons Attribution-ShareAlike 4.0",
            url="https://creativecommons.org/licenses/by-sa/4.0/",
            summary=_(
                "Share and adapt, even commercially, crediting the authors and keeping the same license."
            ),
            copyleft=True,
            kind=LicenseKind.MEDIA,
        ),
        License(
            spdx_id="CC-BY-4.0",
            name="Creative Commons Attribution 4.0",
            url="https://creativecommons.org/licenses/by/4.0/",
            summary=_("Share and adapt for any purpose, as long as the authors are credited."),
            copyleft=False,
            kind=LicenseKind.MEDIA,
        ),
        License(
            spdx_id="CC0-1.0",
            name="Creative Commons Zero 1.0",
            url="https://creativecommons.org/publicdomain/zero/1.0/",
            summary=_("Dedicated to the public domain: anyone may use it for anything, no conditions."),
            copyleft=False,
            kind=LicenseKind.MEDIA,
        ),
        License(
            spdx_id="GPL-3.0-or-later",
            name="GNU General Public License 3.0 or later",
            url="https://www.gnu.org/licenses/gpl-3.0.html",
            summary=_(
                "For software and project files: use, study, change and share, keeping the same license."
            ),
            copyleft=True,
            kind=LicenseKind.SOFTWARE,
        ),
    ]
}

# Shared by the 3.0 and 4.0 versions: the versions differ in wording, not in what they forbid.
_NO_COMMERCIAL_USE = _(
    "It forbids commercial use, and a film must be sold to cinemas, broadcasters and "
    "video shops to be seen: such a work could never be in the released film."
)
_NO_CHANGES = _(
    "It forbids changes, and a film is made by changing its material: cutting, mixing, "
    "grading and subtitling all adapt the work."
)
_NO_COMMERCIAL_USE_OR_CHANGES = _(
    "It forbids both commercial use and changes: the film could neither edit the work "
    "nor be shown in cinemas that sell tickets."
)
_NO_COMMERCIAL_USE_SHARE_ALIKE = _(
    "It forbids commercial use, so it is not free even though it keeps adaptations open: "
    "cinemas and broadcasters could not show a film that includes it."
)
_ALL_RIGHTS_RESERVED = _(
    "Without a license nobody but the author may copy, change or share the work, so "
    "neither the studio nor the public could use it."
)

NON_FREE_LICENSES: dict[str, NonFreeLicense] = {
    item.spdx_id: item
    for item in [
        *(
            NonFreeLicense(
                spdx_id=f"CC-BY-NC-{version}",
                name=f"Creative Commons Attribution-NonCommercial {version}",
                url=f"https://creativecommons.org/licenses/by-nc/{version}/",
                reason=_NO_COMMERCIAL_USE,
            )
            for version in ("4.0", "3.0")
        ),
        *(
            NonFreeLicense(
                spdx_id=f"CC-BY-ND-{version}",
                name=f"Creative Commons Attribution-NoDerivatives {version}",
                url=f"https://creativecommons.org/licenses/by-nd/{version}/",
                reason=_NO_CHANGES,
            )
            for version in ("4.0", "3.0")
        ),
        *(
            NonFreeLicense(
                spdx_id=f"CC-BY-NC-SA-{version}",
                name=f"Creative Commons Attribution-NonCommercial-ShareAlike {version}",
                url=f"https://creativecommons.org/licenses/by-nc-sa/{version}/",
                reason=_NO_COMMERCIAL_USE_SHARE_ALIKE,
            )
            for version in ("4.0", "3.0")
        ),
        *(
            NonFreeLicense(
                spdx_id=f"CC-BY-NC-ND-{version}",
                name=f"Creative Commons Attribution-NonCommercial-NoDerivatives {version}",
                url=f"https://creativecommons.org/licenses/by-nc-nd/{version}/",
                reason=_NO_COMMERCIAL_USE_OR_CHANGES,
            )
            for version in ("4.0", "3.0")
        ),
        NonFreeLicense(
            # SPDX has no identifier for the absence of a license; LicenseRef- is its prefix for local ones.
            spdx_id="LicenseRef-All-Rights-Reserved",
            name=_("All rights reserved"),
            reason=_ALL_RIGHTS_RESERVED,
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
    # Imported here because the compatibility rules are built on this registry.
    from backstage.licensing.compatibility import accepted_inbound as from_compatibility_table

    return from_compatibility_table(outbound)
