"""User Markdown is rendered and sanitised: no script, no event handler, no javascript: link."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from backstage.core.markdown import render_markdown

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="javascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    "<iframe src=https://evil.example></iframe>",
    '<svg onload="alert(1)">',
    "[x](  javascript:alert(1)  )",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
]
FORBIDDEN = re.compile(
    r"<\s*(script|iframe|svg|style|img|object|embed)|\son\w+\s*=|javascript:|data:text", re.I
)


def test_known_attacks_are_neutralised():
    for attack in ATTACKS:
        html = str(render_markdown(attack))
        tags_and_attributes = " ".join(re.findall(r"<[^>]*>", html))
        assert not FORBIDDEN.search(tags_and_attributes), (attack, html)


def test_ordinary_markdown_renders():
    html = str(
        render_markdown("# Title\n\n*em* **strong** [link](https://kassandra.example.org)\n\n- a\n- b")
    )
    assert "<h1>Title</h1>" in html
    assert "<em>em</em>" in html and "<strong>strong</strong>" in html
    assert 'href="https://kassandra.example.org"' in html and 'rel="nofollow noopener ugc"' in html
    assert "<li>a</li>" in html


FRAGMENTS = st.sampled_from(
    ["<", ">", "script", "javascript:", "onerror=", "on", "(", ")", "[", "]", "!", '"', "'", "=", " ", "\n",
     "a", "href", "<a ", "<img ", "src=", "alert(1)", "&#106;", "\t", "`", "*", "data:"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=5)), max_size=40).map("".join))
def test_no_input_produces_active_content(text):
    html = str(render_markdown(text))
    tags_and_attributes = " ".join(re.findall(r"<[^>]*>", html))
    assert not FORBIDDEN.search(tags_and_attributes), (text, html)
