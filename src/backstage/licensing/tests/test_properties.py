"""Properties the compatibility table guarantees, checked over generated licenses.

The table is not transitive: GPLv3 may include BY-SA 4.0 and BY-SA 4.0 may include
the Free Art License, yet GPLv3 may not include the Free Art License (the FSF finds
them incompatible). What it does guarantee, and what is tested here, is transitivity
through a permissive license and among licenses of the same kind, and that the GPL
chain above is the only exception.
"""

from hypothesis import given
from hypothesis import strategies as st

from backstage.core.errors import ServiceError
from backstage.licensing.compatibility import can_include, check_free, check_remix
from backstage.licensing.registry import LICENSES, NON_FREE_LICENSES

free_ids = st.sampled_from(sorted(LICENSES))
non_free_ids = st.sampled_from(sorted(NON_FREE_LICENSES))
unknown_ids = st.text(max_size=40).filter(lambda text: text not in LICENSES and text not in NON_FREE_LICENSES)


@given(free_ids)
def test_every_free_license_includes_itself(spdx_id):
    assert can_include(outer=spdx_id, inner=spdx_id)


@given(free_ids)
def test_cc0_is_includable_by_every_free_license(spdx_id):
    assert can_include(outer=spdx_id, inner="CC0-1.0")


@given(free_ids, non_free_ids)
def test_no_license_includes_a_non_free_one(outer, inner):
    assert not can_include(outer=outer, inner=inner)
    assert not can_include(outer=inner, inner=outer)


@given(free_ids, unknown_ids)
def test_unknown_licenses_neither_include_nor_are_included(known, unknown):
    assert not can_include(outer=known, inner=unknown)
    assert not can_include(outer=unknown, inner=known)


@given(unknown_ids)
def test_unknown_identifiers_are_refused_as_unknown(spdx_id):
    try:
        check_free(spdx_id)
    except ServiceError as error:
        assert error.code == "unknown_license"
    else:
        raise AssertionError(f"{spdx_id!r} was accepted")


@given(free_ids, free_ids)
def test_a_copyleft_license_is_never_included_by_a_permissive_one(outer, inner):
    if LICENSES[inner].copyleft and not LICENSES[outer].copyleft:
        assert not can_include(outer=outer, inner=inner)


@given(free_ids, free_ids, free_ids)
def test_inclusion_is_transitive_through_a_permissive_license(first, middle, last):
    if LICENSES[middle].copyleft:
        return
    if can_include(outer=first, inner=middle) and can_include(outer=middle, inner=last):
        assert can_include(outer=first, inner=last)


@given(free_ids, free_ids, free_ids)
def test_inclusion_is_transitive_among_licenses_of_the_same_kind(first, middle, last):
    if not LICENSES[first].kind == LICENSES[middle].kind == LICENSES[last].kind:
        return
    if can_include(outer=first, inner=middle) and can_include(outer=middle, inner=last):
        assert can_include(outer=first, inner=last)


def test_the_gpl_chain_is_the_only_break_in_transitivity():
    breaks = {
        (first, middle, last)
        for first in LICENSES
        for middle in LICENSES
        for last in LICENSES
        if can_include(outer=first, inner=middle)
        and can_include(outer=middle, inner=last)
        and not can_include(outer=first, inner=last)
    }
    assert breaks == {("GPL-3.0-or-later", "CC-BY-SA-4.0", "LAL-1.3")}


@given(free_ids, st.lists(st.one_of(free_ids, non_free_ids, unknown_ids), max_size=6))
def test_a_remix_passes_exactly_when_it_may_include_every_source(remix, sources):
    includes_all = all(can_include(outer=remix, inner=source) for source in sources)
    try:
        check_remix(remix_license=remix, source_licenses=sources)
    except ServiceError as error:
        assert error.code == "remix_incompatible"
        assert not includes_all
    else:
        assert includes_all
