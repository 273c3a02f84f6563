"""The text of a subtitle cue: the few WebVTT tags it may carry, and nothing a browser would run.

A cue's text is kept as WebVTT cue text: ``<i>``, ``<b>``, ``<u>``, ``<c.class>``, ``<v Speaker>``,
``<lang tag>``, ``<ruby>``/``<rt>`` and timestamps, with ``&``, ``<`` and ``>`` escaped everywhere
else. Anything else that looks like a tag is dropped (its text kept), tags are balanced, and
annotations lose the characters that could turn them into HTML attributes, so the text is harmless
even where someone renders it as HTML. Sanitising sanitised text changes nothing.
"""

import html
import re

ALLOWED_TAGS = frozenset({"c", "i", "b", "u", "v", "lang", "ruby", "rt"})
# Tags whose annotation (a speaker's name, a language tag) is meaningful; other tags have none.
ANNOTATED_TAGS = frozenset({"v", "lang"})
# Tags that mean nothing without their annotation.
ANNOTATION_REQUIRED = frozenset({"lang"})
SRT_TAGS = frozenset({"i", "b", "u"})

# Deeper nesting than this is no styling anyone reads; further tags are dropped, which bounds the work.
MAX_NESTING = 16
# Times longer than this are refused everywhere: no film runs for a hundred hours.
MAX_TIME_MS = 100 * 3600 * 1000 - 1

_TOKEN = re.compile(
    r"<(?P<tag>[^<>]*)>"
    r"|&(?P<entity>#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});"
    r"|(?P<text>[^<&]+|[<&])"
)
_TIMESTAMP = re.compile(r"(?:(?P<hours>\d{2,4}):)?(?P<minutes>[0-5]\d):(?P<seconds>[0-5]\d)\.(?P<ms>\d{3})")
_CLASS = re.compile(r"[A-Za-z0-9_-]+")
# C0 and C1 controls other than the line feed, and the non-characters, have no place in subtitles.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_ANNOTATION_DROPPED = re.compile('[="\x00-\x1f\x7f-\x9f]')
_SRT_TAG = re.compile(r"<(?P<closing>/?)(?P<name>[A-Za-z]+)(?:\s[^<>]*)?>")
# Styling codes of ASS/SSA that SubRip editors leave in the text ("{\an8}").
_ASS_CODE = re.compile(r"\{\\[^{}]*\}")
_VTT_TAG = re.compile(r"<[^<>]*>")
_WHITESPACE = re.compile(r"[ \t\n]")
# An escaped ampersand that reads back as itself when typed plainly (not the start of a reference).
_PLAIN_AMPERSAND = re.compile(r"&amp;(?!#?[A-Za-z0-9]+;)")


def timestamp_ms(text: str) -> int | None:
    """Milliseconds of a WebVTT timestamp (``hh:mm:ss.ttt`` or ``mm:ss.ttt``), or None if it is not one."""
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    value = (
        int(match["hours"] or 0) * 3_600_000
        + int(match["minutes"]) * 60_000
        + int(match["seconds"]) * 1000
        + int(match["ms"])
    )
    return value if value <= MAX_TIME_MS else None


def format_timestamp(ms: int, *, separator: str = ".") -> str:
    """``hh:mm:ss.ttt`` (WebVTT) or, with ``separator=","``, ``hh:mm:ss,ttt`` (SubRip)."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clean_characters(text: str) -> str:
    return _CONTROLS.sub("", text.replace("\t", " "))


def _annotation(raw: str) -> str:
    decoded = html.unescape(raw)
    return _escape(" ".join(_ANNOTATION_DROPPED.sub(" ", _clean_characters(decoded)).split()))


class _Writer:
    """Builds sanitised cue text with its tags balanced."""

    def __init__(self, start: int | None, end: int | None) -> None:
        self.parts: list[str] = []
        self.open: list[str] = []
        self.start = start
        self.end = end

    def text(self, value: str) -> None:
        self.parts.append(_escape(_clean_characters(value)))

    def tag(self, inside: str) -> None:
        if inside.startswith("/"):
            self.close(inside[1:].strip().split(".")[0].lower())
            return
        moment = timestamp_ms(inside)
        if moment is not None:
            self.timestamp(moment)
            return
        stripped = inside.strip()
        head = _WHITESPACE.split(stripped, maxsplit=1)[0]
        name, *classes = head.split(".")
        name = name.lower()
        if (
            name not in ALLOWED_TAGS
            or (name == "rt" and "ruby" not in self.open)
            or len(self.open) >= MAX_NESTING
        ):
            return
        kept = "".join(f".{item}" for item in classes if _CLASS.fullmatch(item))
        note = _annotation(stripped[len(head) :]) if name in ANNOTATED_TAGS else ""
        if name in ANNOTATION_REQUIRED and not note:
            return
        self.parts.append(f"<{name}{kept}{' ' + note if note else ''}>")
        self.open.append(name)

    def timestamp(self, moment: int) -> None:
        # A timestamp outside the cue's own time would never be reached; it is dropped.
        if self.start is not None and self.end is not None and not self.start < moment < self.end:
            return
        self.parts.append(f"<{format_timestamp(moment)}>")

    def close(self, name: str) -> None:
        if name not in self.open:
            return
        while self.open:
            closing = self.open.pop()
            self.parts.append(f"</{closing}>")
            if closing == name:
                return

    def result(self) -> str:
        while self.open:
            self.parts.append(f"</{self.open.pop()}>")
        return "".join(self.parts)


def sanitise_cue_text(text: str, *, start: int | None = None, end: int | None = None) -> str:
    """The cue text with only WebVTT's own markup left, every line trimmed and no blank line.

    ``start`` and ``end`` are the cue's times in milliseconds; timestamps inside the text that fall
    outside them are dropped.
    """
    writer = _Writer(start, end)
    for match in _TOKEN.finditer(text):
        if match["tag"] is not None:
            writer.tag(match["tag"])
        elif match["entity"] is not None:
            writer.text(html.unescape(f"&{match['entity']};"))
        else:
            writer.text(match["text"])
    lines = (line.strip() for line in writer.result().split("\n"))
    return "\n".join(line for line in lines if line)


def editable_cue_text(cue_text: str) -> str:
    """Sanitised cue text as people edit it: "Tom & Jerry" rather than "Tom &amp; Jerry".

    Sanitising the result gives the cue text back unchanged.
    """
    return _PLAIN_AMPERSAND.sub("&", cue_text)


def visible_text(cue_text: str) -> str:
    """What a viewer reads of sanitised cue text: the tags left out, the characters unescaped."""
    return html.unescape(_VTT_TAG.sub("", cue_text)).strip()


def cue_text_from_srt(text: str) -> str:
    """SubRip text (plain characters, ``<i>``, ``<b>``, ``<u>``, ``<font>``) as sanitised cue text."""
    text = _ASS_CODE.sub("", text)
    parts: list[str] = []
    position = 0
    for match in _SRT_TAG.finditer(text):
        parts.append(_escape(text[position : match.start()]))
        name = match["name"].lower()
        if name in SRT_TAGS:
            parts.append(f"<{match['closing']}{name}>")
        position = match.end()
    parts.append(_escape(text[position:]))
    return sanitise_cue_text("".join(parts))


def cue_text_to_srt(cue_text: str) -> str:
    """Sanitised cue text as SubRip text: italics, bold and underline kept, other markup left out."""
    parts: list[str] = []
    for match in _TOKEN.finditer(cue_text):
        if match["tag"] is not None:
            inside = match["tag"]
            name = inside.lstrip("/").split(".")[0].split(" ")[0]
            if name in SRT_TAGS:
                parts.append(f"<{'/' if inside.startswith('/') else ''}{name}>")
        elif match["entity"] is not None:
            parts.append(html.unescape(f"&{match['entity']};"))
        else:
            parts.append(match["text"])
    # A timing arrow inside the text would end the cue for whoever reads the file next.
    text = "".join(parts).replace("-->", "-- >")
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())
