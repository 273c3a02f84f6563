"""The license texts shipped with the code: one complete text for every license of the registry."""

import re
from pathlib import Path

import pytest

from backstage.licensing.license_texts import TEXTS_DIR, license_text
from backstage.licensing.registry import LICENSES, NON_FREE_LICENSES

# Words from the start and from the end of each official text: a truncated or wrong file fails.
MARKERS = {
    "LAL-1.3": ("Licence Art Libre 1.3", "Convention de Berne"),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution-ShareAlike 4.0 International Public License",
        "Creative Commons may be contacted at creativecommons.org.",
    ),
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0 International Public License",
        "Creative Commons may be contacted at creativecommons.org.",
    ),
    "CC0-1.0": ("CC0 1.0 Universal", "this CC0 or use of the Work."),
    "GPL-3.0-or-later": ("Version 3, 29 June 2007", "why-not-lgpl.html"),
}

VENDOR_SCRIPT = Path(__file__).resolve().parents[4] / "scripts" / "vendor.sh"


def test_every_license_of_the_registry_has_its_text() -> None:
    assert set(MARKERS) == set(LICENSES)
    for spdx_id in LICENSES:
        text = license_text(spdx_id)
        beginning, ending = MARKERS[spdx_id]
        assert beginning in text, spdx_id
        assert ending in text[-2000:], spdx_id
        assert text.endswith("\n") and not text.endswith("\n\n")
        if spdx_id == "GPL-3.0-or-later":
            assert "END OF TERMS AND CONDITIONS" in text
        assert "\r" not in text


def test_no_stray_text_files() -> None:
    assert {path.stem for path in TEXTS_DIR.glob("*.txt")} == set(LICENSES)


@pytest.mark.parametrize("spdx_id", ["MIT", "lal-1.3", "", "../registry", *NON_FREE_LICENSES])
def test_unknown_or_non_free_license_has_no_text(spdx_id: str) -> None:
    with pytest.raises(KeyError):
        license_text(spdx_id)


def test_the_vendor_script_fetches_every_license_of_the_registry() -> None:
    # The texts are committed; this keeps the script that refreshes them in step with the registry.
    match = re.search(r"^LICENSE_IDS=\((.*)\)$", VENDOR_SCRIPT.read_text(), re.MULTILINE)
    assert match is not None
    assert set(match.group(1).split()) == set(LICENSES)
