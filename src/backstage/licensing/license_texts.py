"""The full texts of the free licenses, to ship beside the works they license.

The files in ``texts/`` are the SPDX License List's texts, copied by ``scripts/vendor.sh`` and
committed; nothing is fetched at run time. Only the licenses of the registry have a text here.
"""

from functools import cache
from pathlib import Path

from backstage.licensing.registry import LICENSES

TEXTS_DIR = Path(__file__).resolve().parent / "texts"


def license_text(spdx_id: str) -> str:
    """The full text of a license of the registry; KeyError for any other identifier."""
    if spdx_id not in LICENSES:
        raise KeyError(spdx_id)
    return _read(spdx_id)


@cache
def _read(spdx_id: str) -> str:
    # A registry license without its file is a packaging mistake: FileNotFoundError, not KeyError.
    return (TEXTS_DIR / f"{spdx_id}.txt").read_text(encoding="utf-8")
