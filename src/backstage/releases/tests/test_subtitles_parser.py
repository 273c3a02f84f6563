"""The subtitle parser: WebVTT and SubRip in, cues out, clear errors for anything else, nothing else raised."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backstage.core.errors import ServiceError
from backstage.releases.subtitle_drafts import CueDraft, CueErrors, cues_from_drafts, parse_time
from backstage.releases.subtitle_markup import (
    MAX_NESTING,
    MAX_TIME_MS,
    cue_text_from_srt,
    cue_text_to_srt,
    editable_cue_text,
    format_timestamp,
    sanitise_cue_text,
    visible_text,
)
from backstage.releases.subtitles import (
    MAX_CUES,
    MAX_SUBTITLE_BYTES,
    Cue,
    normalise_cue_settings,
    parse_subtitles,
    to_srt,
    to_webvtt,
)

WEBVTT = """WEBVTT - Varsovie-Express
Kind: captions

NOTE Translated by the Kassandra community

STYLE
::cue { color: yellow }

1
00:00:01.000 --> 00:00:04.000 line:0 align:start region:top
<v Ania>Where is the suitcase?</v>

intro-2
00:00:04.500 --> 00:00:06.000
<i>On the night train</i>
to Warsaw.

01:02.000 --> 01:03.250 position:10%,line-left size:35% vertical:rl
Tom &amp; Jerry
"""

SRT = """1
00:00:01,000 --> 00:00:04,000
<i>Where is the suitcase?</i>

2
00:00:04,500 --> 00:00:06,000 X1:100 X2:200 Y1:10 Y2:20
{\\an8}<font color="#ffff00">On the night train</font>
to Warsaw & back.
"""


def problem(data: bytes | str, **options) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        parse_subtitles(data, **options)
    return caught.value


def test_webvtt_is_read_with_its_settings_kept_and_identifiers_comments_styles_dropped():
    cues = parse_subtitles(WEBVTT.encode())
    assert cues == [
        Cue(1000, 4000, "<v Ania>Where is the suitcase?</v>", "line:0 align:start"),
        Cue(4500, 6000, "<i>On the night train</i>\nto Warsaw."),
        Cue(62000, 63250, "Tom &amp; Jerry", "vertical:rl position:10%,line-left size:35%"),
    ]


def test_srt_is_read_with_its_markup_turned_into_webvtt():
    cues = parse_subtitles(SRT.encode())
    assert cues == [
        Cue(1000, 4000, "<i>Where is the suitcase?</i>"),
        Cue(4500, 6000, "On the night train\nto Warsaw &amp; back."),
    ]


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_any_line_end_and_the_byte_order_mark_are_accepted(line_end, bom):
    for source in (WEBVTT, SRT):
        data = (bom + source.replace("\n", line_end)).encode()
        assert parse_subtitles(data) == parse_subtitles(source.encode())


def test_writers_give_standard_files():
    cues = parse_subtitles(WEBVTT.encode())
    assert to_webvtt(cues).startswith("WEBVTT\n\n00:00:01.000 --> 00:00:04.000 line:0 align:start\n<v Ania>")
    assert to_srt(cues) == (
        "1\n00:00:01,000 --> 00:00:04,000\nWhere is the suitcase?\n\n"
        "2\n00:00:04,500 --> 00:00:06,000\n<i>On the night train</i>\nto Warsaw.\n\n"
        "3\n00:01:02,000 --> 00:01:03,250\nTom & Jerry\n"
    )


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (b"", "empty", "empty"),
        (b"   \n\n  ", "empty", "empty"),
        (b"Hello, this is a letter.\n", "not_subtitles", "neither WebVTT nor SubRip"),
        (b"WEBVTTX\n\n00:01.000 --> 00:02.000\nx\n", "not_subtitles", "neither"),
        (b"WEBVTT\n", "no_cues", "no cues"),
        (b"WEBVTT\n\nNOTE nothing else\n", "no_cues", "no cues"),
        (b"WEBVTT\n\n00:01.000 --> 00:1.500\nx\n", "bad_timestamp", "Line 3: “00:1.500” is not a valid time"),
        (b"WEBVTT\n\n00:61.000 --> 01:02.000\nx\n", "bad_timestamp", "“00:61.000”"),
        (b"WEBVTT\n\n00:01,000 --> 00:02.000\nx\n", "bad_timestamp", "00:01:02.500"),
        (b"WEBVTT\n\nhello\nworld\n", "bad_timing_line", "Line 4: “world” is not a timing line"),
        (b"WEBVTT\n00:01.000 --> 00:02.000\nx\n", "missing_blank_line", "Line 2: a blank line"),
        (
            b"WEBVTT\n\n00:01.000 --> 00:02.000\nx\n00:03.000 --> 00:04.000\ny\n",
            "missing_blank_line",
            "Line 5: a blank line is missing",
        ),
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\n<i> </i>\n", "bad_text", "Cue 1 has no text"),
        (b"1\n00:00:01,000 --> 00:00:02,000\n\n", "bad_text", "Cue 1 has no text"),
        (b"1\n00:00:01,000 -> 00:00:02,000\nx\n", "not_subtitles", "neither"),
        (b"1\n00:00:01,000 --> 00:00:02,000\nx\n\nfoo\n", "bad_timing_line", "Line 5: “foo” is neither"),
        (b"1\n00:00:01,0 --> 00:00:02,000\nx\n", "bad_timestamp", "00:01:02,500"),
        (b"WEBVTT\n\n00:01.000 --> 00:02\x00.000\nx\n", "nul_character", "Line 3"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nzażółć\n".encode("iso-8859-2"), "not_utf8", "line 4"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nx\n".encode("utf-16"), "not_utf8", "UTF-16"),
    ],
)
def test_bad_files_are_refused_with_a_clear_reason(data, code, words):
    error = problem(data)
    assert error.code == code
    assert words in str(error.message)
    assert error.field == "file"


def test_a_cue_that_ends_before_it_starts_is_named_with_both_times():
    cues = "".join(
        f"{index}\n00:00:{index:02d},000 --> 00:00:{index:02d},500\nline {index}\n\n"
        for index in range(1, 12)
    )
    cues += "12\n00:01:03,500 --> 00:01:02,000\nthe bad one\n"
    error = problem(cues.encode())
    assert error.code == "bad_timing"
    assert str(error.message) == "Line 46: Cue 12 ends (00:01:02.000) before it starts (00:01:03.500)."


def test_cues_out_of_order_and_cues_that_never_show_are_refused():
    error = problem(b"WEBVTT\n\n00:05.000 --> 00:06.000\na\n\n00:01.000 --> 00:02.000\nb\n")
    assert "Cue 2 starts (00:00:01.000) before the cue above it (00:00:05.000)" in str(error.message)
    error = problem(b"WEBVTT\n\n00:05.000 --> 00:05.000\na\n")
    assert "ends when it starts" in str(error.message)


def test_a_cue_after_the_end_of_the_film_is_refused_when_its_length_is_known():
    data = b"WEBVTT\n\n00:01.000 --> 00:02.000\na\n\n01:00:00.000 --> 01:00:02.000\nb\n"
    assert len(parse_subtitles(data)) == 2
    error = problem(data, film_duration_ms=30 * 60_000)
    assert (
        str(error.message) == "Line 6: Cue 2 ends at 01:00:02.000, after the end of the film (00:30:00.000)."
    )


def test_size_and_cue_count_are_bounded():
    error = problem(b"WEBVTT\n\n" + b"x" * MAX_SUBTITLE_BYTES)
    assert error.code == "too_large"
    many = "WEBVTT\n\n" + "".join(
        f"{format_timestamp(index * 10)} --> {format_timestamp(index * 10 + 5)}\nx\n\n"
        for index in range(MAX_CUES + 1)
    )
    assert problem(many).code == "too_many_cues"


def test_the_markup_keeps_webvtt_tags_and_nothing_a_browser_would_run():
    text = sanitise_cue_text(
        "<script>alert(1)</script><img src=x onerror=alert(1)><b>bold <i>both</b> &lt;&amp;&gt; & <c.yellow.bad!>c</c>"
        '<v Ania onmouseover="alert(1)">hi</v><lang>no tag</lang><rt>no ruby</rt><00:00:05.000>late',
        start=0,
        end=4000,
    )
    assert text == (
        "alert(1)<b>bold <i>both</i></b> &lt;&amp;&gt; &amp; <c.yellow>c</c>"
        "<v Ania onmouseover alert(1)>hi</v>no tagno rubylate"
    )
    assert not re.search(r"<[^>]*=", text)


def test_editable_text_reads_back_to_the_same_cue_text():
    stored = sanitise_cue_text("Tom & Jerry &amp;lt; <i>x</i> 2 &lt; 3")
    shown = editable_cue_text(stored)
    assert shown == "Tom & Jerry &amp;lt; <i>x</i> 2 &lt; 3"
    assert sanitise_cue_text(shown) == stored


def test_srt_markup_conversions():
    assert cue_text_from_srt('<B>b</B> <font face="x">f</font> {\\an8}a < b') == "<b>b</b> f a &lt; b"
    assert cue_text_to_srt("<v Ania><i>x</i> &amp; --&gt; y</v>") == "<i>x</i> & -- > y"


def test_cue_settings_are_normalised_and_unknown_ones_reported():
    assert normalise_cue_settings("align:end line:-1 bogus:1 size:101% position:50%") == (
        "line:-1 position:50% align:end",
        ["bogus:1", "size:101%"],
    )


@pytest.mark.parametrize(
    ("typed", "ms"),
    [("00:01:02.500", 62_500), ("1:02.5", 62_500), ("62.5", 62_500), ("62,05", 62_050), ("1:00:00", 3_600_000),
     ("0", 0), (" 00:00:01.000 ", 1000)],
)  # fmt: skip
def test_editor_times_read_as_people_type_them(typed, ms):
    assert parse_time(typed) == ms


@pytest.mark.parametrize("typed", ["", "1:60", "1:2:3", "a", "1.2.3", "-1", "100:00:00.000", "1:02:03.4567"])
def test_editor_times_that_are_not_times(typed):
    assert parse_time(typed) is None


def test_editor_drafts_are_checked_all_at_once_and_sorted():
    cues = cues_from_drafts(
        [CueDraft("5", "6", "second"), CueDraft(), CueDraft("1", "2", "first", "line:0")],
        film_duration_ms=10_000,
    )
    assert cues == [Cue(1000, 2000, "first", "line:0"), Cue(5000, 6000, "second")]
    with pytest.raises(CueErrors) as caught:
        cues_from_drafts(
            [
                CueDraft("x", "2", "a"),
                CueDraft("1", "2", "fine"),
                CueDraft("3", "2", " "),
                CueDraft("1", "11", "b", "up"),
            ],
            film_duration_ms=10_000,
        )
    found = [(item.index, item.field) for item in caught.value.problems]
    assert found == [(0, "start"), (2, "end"), (2, "text"), (3, "settings"), (3, "end")]
    assert caught.value.field == "cues.0.start"
    assert "There are 4 other problems" in str(caught.value.message)
    with pytest.raises(ServiceError, match="at least one cue"):
        cues_from_drafts([CueDraft(), CueDraft(" ")])


# Properties: no input makes the parser raise anything but ServiceError; written files read back the same.

PIECES = st.sampled_from(
    ["WEBVTT", "WEBVTT ", "\n", "\r\n", "\r", "\n\n", " --> ", "-->", "00:00:01.000", "00:01.000", "00:00:02,500",
     "99:59:59.999", "1", "12", "NOTE", "STYLE", "REGION", "<i>", "</i>", "<v Ania>", "<c.x>", "<00:00:01.500>",
     "&amp;", "&", "<", ">", "line:0", "align:start", "position:50%", "\t", " ", "\ufeff", "\x00", "{\\an8}",
     "<font color=red>", "<ruby>", "<rt>", "9" * 30, "&#0;", "&#xD800;", "\ud800"]
)  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.binary(max_size=400), st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=60).map("".join)
    )
)
def test_the_parser_raises_nothing_but_service_errors(data):
    for value in (data,) if isinstance(data, bytes) else (data, data.encode("utf-8", "surrogatepass")):
        try:
            cues = parse_subtitles(value, film_duration_ms=3_600_000)
        except ServiceError as error:
            assert error.code and str(error.message)
        else:
            assert cues and all(
                0 <= cue.start < cue.end <= 3_600_000 and visible_text(cue.text) for cue in cues
            )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.builds(
            CueDraft, st.text(max_size=14), st.text(max_size=14), st.text(max_size=30), st.text(max_size=20)
        ),
        max_size=8,
    )
)
def test_the_editor_check_raises_nothing_but_service_errors(drafts):
    try:
        cues_from_drafts(drafts, film_duration_ms=600_000)
    except ServiceError as error:
        assert str(error.message)


CUE_TEXT = st.lists(st.one_of(PIECES, st.text(max_size=8)), min_size=1, max_size=12).map("".join)
SETTINGS = st.lists(st.sampled_from(["line:0", "line:-2", "line:50%,end", "align:start", "size:80%", "vertical:lr",
                                      "position:10.5%,line-right", "bogus:1"]), max_size=3).map(" ".join)  # fmt: skip


@st.composite
def normalised_cues(draw: st.DrawFn, *, markup: st.SearchStrategy[str], with_settings: bool) -> list[Cue]:
    cues = []
    for _ in range(draw(st.integers(1, 8))):
        start = draw(st.integers(0, MAX_TIME_MS - 1))
        end = draw(st.integers(start + 1, MAX_TIME_MS))
        text = sanitise_cue_text(draw(markup), start=start, end=end)
        if not visible_text(text):
            continue
        settings_text = normalise_cue_settings(draw(SETTINGS))[0] if with_settings else ""
        cues.append(Cue(start, end, text, settings_text))
    return sorted(cues, key=lambda cue: (cue.start, cue.end))


@settings(max_examples=300, deadline=None)
@given(normalised_cues(markup=CUE_TEXT, with_settings=True))
def test_webvtt_round_trip(cues):
    if cues:
        assert parse_subtitles(to_webvtt(cues).encode()) == cues


# SubRip knows only <i>, <b> and <u>, and has no escapes: "<", ">" and "{" in its text read as markup.
SRT_TEXT = st.lists(
    st.one_of(st.sampled_from(["<i>", "</i>", "<b>", "</b>", "<u>", "</u>", "\n", "&", " ", "--", "1"]),
              st.text(alphabet=st.characters(blacklist_characters="<>{", blacklist_categories=["Cs"]), max_size=8)),
    min_size=1, max_size=12,
).map("".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(normalised_cues(markup=SRT_TEXT, with_settings=False))
def test_srt_round_trip(cues):
    cues = [Cue(cue.start, cue.end, cue_text_from_srt(cue_text_to_srt(cue.text))) for cue in cues]
    cues = [cue for cue in cues if visible_text(cue.text)]
    if cues:
        assert parse_subtitles(to_srt(cues).encode()) == cues


@settings(max_examples=300, deadline=None)
@given(CUE_TEXT)
def test_sanitising_is_stable_and_editable_text_reads_back(text):
    once = sanitise_cue_text(text)
    assert sanitise_cue_text(once) == once
    assert sanitise_cue_text(editable_cue_text(once)) == once
    assert not re.search(r"<(?!/?(?:c|i|b|u|v|lang|ruby|rt)\b|\d)", once)


def test_pathological_markup_and_text_are_bounded():
    assert sanitise_cue_text("<i></b>" * 20_000).count("<i>") == MAX_NESTING
    error = problem(b"WEBVTT\n\n00:01.000 --> 00:02.000\n" + b"<" * 50_000)
    assert str(error.message) == "Line 3: Cue 1 is too long (50000 characters; 1000 at most)."
    with pytest.raises(CueErrors, match="Cue 1 is too long"):
        cues_from_drafts([CueDraft("1", "2", "<b>" * 5_000)])
