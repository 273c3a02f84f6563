"""Text as people typed it in a form."""

from hypothesis import given
from hypothesis import strategies as st

from backstage.core.text import typed_line_breaks

LINES = st.lists(st.text(alphabet=st.characters(exclude_characters="\r\n")), max_size=20)


@given(LINES, st.sampled_from(["\r\n", "\r", "\n"]))
def test_every_kind_of_line_break_arrives_as_one_character(lines, sent_as):
    assert typed_line_breaks(sent_as.join(lines)) == "\n".join(lines)


@given(st.text())
def test_nothing_but_line_breaks_changes(text):
    normalised = typed_line_breaks(text)
    assert "\r" not in normalised
    assert normalised.replace("\n", "") == text.replace("\r", "").replace("\n", "")
    assert typed_line_breaks(normalised) == normalised
