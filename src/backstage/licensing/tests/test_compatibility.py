"""The licensing rules through their public functions, pair by pair."""

import pytest
from django.utils import translation

from backstage.core.errors import ServiceError
from backstage.licensing.compatibility import (
    INCLUSIONS,
    accepted_inbound,
    can_include,
    check_contribution_license,
    check_free,
    check_remix,
    compatibility_matrix,
)
from backstage.licensing.registry import LICENSES, NON_FREE_LICENSES, license_choices
from backstage.licensing.registry import accepted_inbound as registry_accepted_inbound

FREE = ["LAL-1.3", "CC-BY-SA-4.0", "CC-BY-4.0", "CC0-1.0", "GPL-3.0-or-later"]

# Written out by hand so that any change to the rules has to change this table too.
# Rows: the license of the work; columns, in FREE's order: what it may include.
EXPECTED_MATRIX = {
    #                    LAL  BY-SA  BY  CC0  GPL
    "LAL-1.3":          (1,   1,     1,  1,   0),
    "CC-BY-SA-4.0":     (1,   1,     1,  1,   0),
    "CC-BY-4.0":        (0,   0,     1,  1,   0),
    "CC0-1.0":          (0,   0,     0,  1,   0),
    "GPL-3.0-or-later": (0,   1,     1,  1,   1),
}  # fmt: skip
EXPECTED_PAIRS = [
    (outer, inner, bool(allowed))
    for outer, row in EXPECTED_MATRIX.items()
    for inner, allowed in zip(FREE, row, strict=True)
]

NON_FREE = [
    "CC-BY-NC-4.0",
    "CC-BY-ND-4.0",
    "CC-BY-NC-SA-4.0",
    "CC-BY-NC-ND-4.0",
    "CC-BY-NC-3.0",
    "CC-BY-ND-3.0",
    "CC-BY-NC-SA-3.0",
    "CC-BY-NC-ND-3.0",
    "LicenseRef-All-Rights-Reserved",
]


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English, whatever language an earlier request left active.
    with translation.override("en"):
        yield


def test_the_registry_holds_exactly_the_expected_free_and_non_free_licenses():
    assert list(LICENSES) == FREE
    assert sorted(NON_FREE_LICENSES) == sorted(NON_FREE)
    assert not set(LICENSES) & set(NON_FREE_LICENSES)
    assert license_choices()[0] == ("LAL-1.3", "Licence Art Libre 1.3")


def test_every_license_explains_itself():
    for item in LICENSES.values():
        assert item.url.startswith("https://")
        assert str(item.summary)
        assert str(item.kind.label)
    for refused in NON_FREE_LICENSES.values():
        assert str(refused.reason)


@pytest.mark.parametrize(("outer", "inner", "allowed"), EXPECTED_PAIRS)
def test_each_pair_of_the_compatibility_table(outer, inner, allowed):
    assert can_include(outer=outer, inner=inner) is allowed


def test_the_table_has_no_pair_outside_the_expected_matrix():
    assert {(outer, inner) for outer, inner, allowed in EXPECTED_PAIRS if allowed} == INCLUSIONS


def test_the_matrix_shown_to_people_is_the_table():
    shown = {
        (row.license.spdx_id, inner.spdx_id): included
        for row in compatibility_matrix()
        for inner, included in row.cells
    }
    assert shown == {(outer, inner): allowed for outer, inner, allowed in EXPECTED_PAIRS}


@pytest.mark.parametrize("outbound", FREE)
def test_accepted_inbound_lists_what_the_table_allows_from_both_modules(outbound):
    expected = [inner for inner, allowed in zip(FREE, EXPECTED_MATRIX[outbound], strict=True) if allowed]
    assert [item.spdx_id for item in accepted_inbound(outbound)] == expected
    assert registry_accepted_inbound(outbound) == accepted_inbound(outbound)


def test_accepted_inbound_of_an_unknown_license_is_a_bug():
    with pytest.raises(KeyError):
        accepted_inbound("CC-BY-NC-4.0")


@pytest.mark.parametrize("spdx_id", FREE)
def test_check_free_returns_the_free_license(spdx_id):
    assert check_free(spdx_id) is LICENSES[spdx_id]


@pytest.mark.parametrize("spdx_id", NON_FREE)
def test_check_free_refuses_non_free_licenses_with_the_reason(spdx_id):
    with pytest.raises(ServiceError) as caught:
        check_free(spdx_id)
    assert caught.value.code == "non_free"
    assert caught.value.field == "license"
    assert str(NON_FREE_LICENSES[spdx_id].reason) in str(caught.value.message)


def test_check_free_gives_the_commercial_and_editing_reasons():
    with pytest.raises(ServiceError) as caught:
        check_free("CC-BY-NC-4.0")
    assert "commercial use" in str(caught.value.message)
    with pytest.raises(ServiceError) as caught:
        check_free("CC-BY-ND-3.0")
    assert "forbids changes" in str(caught.value.message)


@pytest.mark.parametrize("spdx_id", ["", "MIT-ish", "cc-by-4.0", "GPL-3.0", "CC-BY-SA-3.0 "])
def test_check_free_refuses_unknown_identifiers(spdx_id):
    with pytest.raises(ServiceError) as caught:
        check_free(spdx_id)
    assert caught.value.code == "unknown_license"
    assert caught.value.field == "license"
    assert "Licence Art Libre 1.3" in str(caught.value.message)


@pytest.mark.parametrize(("production", "contribution", "allowed"), EXPECTED_PAIRS)
def test_contribution_license_follows_the_table(production, contribution, allowed):
    if allowed:
        check_contribution_license(production_license=production, contribution_license=contribution)
        return
    with pytest.raises(ServiceError) as caught:
        check_contribution_license(production_license=production, contribution_license=contribution)
    assert caught.value.code == "license_not_accepted"
    assert caught.value.field == "license"


def test_a_refused_contribution_is_told_the_films_license_and_the_accepted_ones():
    with pytest.raises(ServiceError) as caught:
        check_contribution_license(production_license="CC-BY-4.0", contribution_license="CC-BY-SA-4.0")
    message = str(caught.value.message)
    assert "film released under Creative Commons Attribution 4.0" in message
    assert "Creative Commons Attribution 4.0 or Creative Commons Zero 1.0" in message


@pytest.mark.parametrize("contribution", ["CC-BY-NC-SA-4.0", "LicenseRef-All-Rights-Reserved"])
def test_a_non_free_contribution_is_refused_as_non_free(contribution):
    with pytest.raises(ServiceError) as caught:
        check_contribution_license(production_license="LAL-1.3", contribution_license=contribution)
    assert caught.value.code == "non_free"
    assert caught.value.field == "license"


def test_an_unknown_contribution_license_is_refused_as_unknown():
    with pytest.raises(ServiceError) as caught:
        check_contribution_license(production_license="LAL-1.3", contribution_license="WTFPL")
    assert caught.value.code == "unknown_license"


@pytest.mark.parametrize(
    ("remix", "sources"),
    [
        ("LAL-1.3", ["CC-BY-SA-4.0", "CC-BY-4.0", "CC0-1.0", "LAL-1.3"]),
        ("CC-BY-SA-4.0", ["LAL-1.3"]),
        ("GPL-3.0-or-later", ["CC-BY-SA-4.0", "CC0-1.0"]),
        ("CC0-1.0", ["CC0-1.0", "CC0-1.0"]),
        ("CC-BY-4.0", []),
    ],
)
def test_remixes_of_includable_works_pass(remix, sources):
    check_remix(remix_license=remix, source_licenses=sources)


@pytest.mark.parametrize(
    ("remix", "sources", "named"),
    [
        # GPL may include BY-SA but not LAL: the first offending source is named.
        ("GPL-3.0-or-later", ["CC0-1.0", "LAL-1.3", "CC-BY-NC-4.0"], "Licence Art Libre 1.3"),
        ("CC-BY-4.0", ["CC-BY-SA-4.0"], "Creative Commons Attribution-ShareAlike 4.0"),
        ("CC0-1.0", ["CC0-1.0", "CC-BY-4.0"], "Creative Commons Attribution 4.0"),
        ("LAL-1.3", ["CC-BY-ND-4.0"], "Creative Commons Attribution-NoDerivatives 4.0"),
        ("LAL-1.3", ["some-made-up-license"], "some-made-up-license"),
    ],
)
def test_remixes_of_works_they_may_not_include_are_refused(remix, sources, named):
    with pytest.raises(ServiceError) as caught:
        check_remix(remix_license=remix, source_licenses=sources)
    assert caught.value.code == "remix_incompatible"
    assert caught.value.field == "source_licenses"
    assert f"cannot build on a work under {named}." in str(caught.value.message)


def test_a_refused_non_free_source_says_why():
    with pytest.raises(ServiceError) as caught:
        check_remix(remix_license="LAL-1.3", source_licenses=["CC-BY-NC-4.0"])
    assert "commercial use" in str(caught.value.message)


def test_a_remix_under_a_non_free_license_is_refused_as_non_free():
    with pytest.raises(ServiceError) as caught:
        check_remix(remix_license="CC-BY-NC-SA-4.0", source_licenses=["CC0-1.0"])
    assert caught.value.code == "non_free"
    assert caught.value.field == "license"
