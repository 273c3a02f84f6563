"""Subtitles in WebVTT and SubRip (SRT): a strict parser into cues, and writers back to both formats.

The parser takes UTF-8 (with or without a byte order mark) with any line ends, and either gives
the cues or raises a ServiceError whose message names the line or cue and what is wrong; no other
exception leaves it. WebVTT cue settings (vertical, line, position, size, align) are kept when well
formed and written back to WebVTT; other settings (regions), cue identifiers, comments (NOTE) and
STYLE and REGION blocks are dropped. SubRip has no settings, so they are left out of .srt files.
Cue text is sanitised on the way in (see subtitle_markup).
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from backstage.core.errors import ServiceError
from backstage.releases.subtitle_markup import (
    MAX_TIME_MS,
    cue_text_from_srt,
    cue_text_to_srt,
    format_timestamp,
    sanitise_cue_text,
    timestamp_ms,
    visible_text,
)

MAX_SUBTITLE_BYTES = 2 * 1024 * 1024
# A feature film has one or two thousand cues; ten times that is not subtitles.
MAX_CUES = 20_000
MAX_CUE_TEXT = 1000
# Text much longer than a cue may be is refused before it is sanitised, which takes time in proportion.
MAX_RAW_CUE_TEXT = 10 * MAX_CUE_TEXT

_SRT_TIMESTAMP = re.compile(r"(?P<hours>\d{1,4}):(?P<minutes>[0-5]\d):(?P<seconds>[0-5]\d)[,.](?P<ms>\d{3})")
_TIMING = re.compile(r"(?P<start>[^ \t]+?)[ \t]*-->[ \t]*(?P<end>[^ \t]+)(?:[ \t]+(?P<settings>.*))?")
_CUE_NUMBER = re.compile(r"[0-9]{1,9}")
_A_TIME = re.compile(r"[0-9]:[0-9]{2}")
_PERCENT = r"(?:100(?:\.0{1,3})?|\d{1,2}(?:\.\d{1,3})?)%"
_SETTINGS = {
    "vertical": re.compile(r"rl|lr"),
    "line": re.compile(rf"(?:-?\d{{1,3}}|{_PERCENT})(?:,(?:start|center|end))?"),
    "position": re.compile(rf"{_PERCENT}(?:,(?:line-left|center|line-right))?"),
    "size": re.compile(_PERCENT),
    "align": re.compile(r"start|center|end|left|right"),
}
_QUOTED_LENGTH = 40


@dataclass(frozen=True)
class Cue:
    start: int  # milliseconds from the film's start
    end: int
    text: str  # sanitised WebVTT cue text: lines without blank ones
    settings: str = ""  # WebVTT cue settings in a fixed order, e.g. "line:0 align:start"


def quoted(text: str) -> str:
    """A piece of someone's text to quote back in a message: short, and always encodable."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= _QUOTED_LENGTH else text[: _QUOTED_LENGTH - 1] + "…"


def _file_error(code: str, message: str) -> ServiceError:
    return ServiceError(code, message, field="file")


def _at_line(line: int, problem: str) -> str:
    return _("Line %(line)d: %(problem)s") % {"line": line, "problem": problem}


def _line_of_byte(data: bytes, offset: int) -> int:
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def too_large(size: int) -> ServiceError:
    """The refusal of a file of ``size`` bytes, over the limit."""
    return _file_error(
        "too_large",
        _("The file is too large (%(size)s); subtitles take at most %(max)s.")
        % {"size": filesizeformat(size), "max": filesizeformat(MAX_SUBTITLE_BYTES)},
    )


def _decoded(data: bytes) -> str:
    if len(data) > MAX_SUBTITLE_BYTES:
        raise too_large(len(data))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _file_error("not_utf8", _("The file is UTF-16 text; save it as UTF-8 and upload it again."))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _file_error(
            "not_utf8",
            _(
                "The file is not UTF-8 text: byte %(offset)d, on line %(line)d, is not valid UTF-8. "
                "Save the file as UTF-8 (Unicode) and upload it again."
            )
            % {"offset": error.start + 1, "line": _line_of_byte(data, error.start)},
        ) from None


def _lines(text: str) -> list[str]:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_SUBTITLE_BYTES:
        raise _file_error("too_large", _("The subtitles are too long."))
    nul = text.find("\x00")
    if nul >= 0:
        raise _file_error(
            "nul_character",
            _at_line(
                text.count("\n", 0, nul) + 1,
                _("this line holds a NUL character, so this is not a subtitle file."),
            ),
        )
    return text.split("\n")


def _blocks(lines: list[str], first: int) -> Iterator[tuple[int, list[str]]]:
    """Runs of non-blank lines from index ``first``, each with the (1-based) number of its first line."""
    block: list[str] = []
    start = 0
    for number, line in enumerate(lines[first:], start=first + 1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def normalise_cue_settings(text: str) -> tuple[str, list[str]]:
    """The well-formed WebVTT cue settings in a fixed order, and the items that are not settings."""
    found: dict[str, str] = {}
    rejected: list[str] = []
    for item in text.split():
        name, colon, value = item.partition(":")
        pattern = _SETTINGS.get(name)
        if colon and pattern is not None and pattern.fullmatch(value):
            found[name] = value
        else:
            rejected.append(item)
    return " ".join(f"{name}:{found[name]}" for name in _SETTINGS if name in found), rejected


class _CueList:
    """Cues as they are read from a file, checked one by one with the file's line numbers."""

    def __init__(self, film_duration_ms: int | None, *, separator: str) -> None:
        self.cues: list[Cue] = []
        self.film_duration_ms = film_duration_ms
        self.example = f"00:01:02{separator}500"
        self.timing_example = f"00:00:01{separator}000 --> 00:00:04{separator}000"

    def time(self, value: str, line: int, parse: "_TimeParser") -> int:
        moment = parse(value)
        if moment is None:
            raise _file_error(
                "bad_timestamp",
                _at_line(
                    line,
                    _("“%(value)s” is not a valid time; write times like %(example)s.")
                    % {"value": quoted(value), "example": self.example},
                ),
            )
        return moment

    def add(self, line: int, timing: str, text_lines: list[str], parse: "_TimeParser", srt: bool) -> None:
        number = len(self.cues) + 1
        if number > MAX_CUES:
            raise _file_error("too_many_cues", _("The file has more than %(max)d cues.") % {"max": MAX_CUES})
        match = _TIMING.fullmatch(timing.strip())
        if match is None:
            raise _file_error(
                "bad_timing_line", _at_line(line, _bad_timing_line(timing, self.timing_example))
            )
        start = self.time(match["start"], line, parse)
        end = self.time(match["end"], line, parse)
        problem = timing_problem(number, start, end, self.film_duration_ms)
        if problem is None and self.cues and start < self.cues[-1].start:
            problem = _(
                "Cue %(cue)d starts (%(start)s) before the cue above it (%(previous)s); cues must be in "
                "the order they are shown."
            ) % {
                "cue": number,
                "start": format_timestamp(start),
                "previous": format_timestamp(self.cues[-1].start),
            }
        if problem is not None:
            raise _file_error("bad_timing", _at_line(line, problem))
        for offset, text_line in enumerate(text_lines, start=1):
            if "-->" in text_line:
                raise _file_error(
                    "missing_blank_line",
                    _at_line(line + offset, _("a blank line is missing before this timing line.")),
                )
        raw = "\n".join(text_lines)
        problem = raw_text_problem(number, raw)
        if problem is None:
            text = cue_text_from_srt(raw) if srt else sanitise_cue_text(raw, start=start, end=end)
            problem = text_problem(number, text)
        if problem is not None:
            raise _file_error("bad_text", _at_line(line, problem))
        settings = "" if srt else normalise_cue_settings(match["settings"] or "")[0]
        self.cues.append(Cue(start=start, end=end, text=text, settings=settings))

    def result(self) -> list[Cue]:
        if not self.cues:
            raise _file_error("no_cues", _("The file has no cues."))
        return self.cues


class _TimeParser:
    def __init__(self, pattern: re.Pattern[str] | None) -> None:
        self.pattern = pattern

    def __call__(self, value: str) -> int | None:
        if self.pattern is None:
            return timestamp_ms(value)
        match = self.pattern.fullmatch(value)
        if match is None:
            return None
        moment = (
            int(match["hours"]) * 3_600_000 + int(match["minutes"]) * 60_000 + int(match["seconds"]) * 1000
        ) + int(match["ms"])
        return moment if moment <= MAX_TIME_MS else None


def _bad_timing_line(line: str, example: str) -> str:
    return _("“%(text)s” is not a timing line; each cue needs one, like “%(example)s”.") % {
        "text": quoted(line.strip()),
        "example": example,
    }


def _parse_webvtt(lines: list[str], film_duration_ms: int | None) -> list[Cue]:
    cues = _CueList(film_duration_ms, separator=".")
    header_end = next((index for index, line in enumerate(lines) if not line.strip()), len(lines))
    for index in range(1, header_end):
        if "-->" in lines[index]:
            raise _file_error(
                "missing_blank_line",
                _at_line(index + 1, _("a blank line must separate the WEBVTT header from the first cue.")),
            )
    parse = _TimeParser(None)
    for line, block in _blocks(lines, header_end):
        keyword = block[0].split(maxsplit=1)[0] if block[0].split() else ""
        if keyword == "NOTE" and block[0].startswith("NOTE"):
            continue
        if keyword in ("STYLE", "REGION") and not any("-->" in item for item in block):
            continue
        if "-->" in block[0]:
            cues.add(line, block[0], block[1:], parse, srt=False)
        elif len(block) > 1 and "-->" in block[1]:
            cues.add(line + 1, block[1], block[2:], parse, srt=False)
        else:
            # A first line with a time in it is a broken timing line rather than a cue's identifier.
            at = 0 if len(block) == 1 or _A_TIME.search(block[0]) else 1
            problem = _bad_timing_line(block[at], cues.timing_example)
            raise _file_error("bad_timing_line", _at_line(line + at, problem))
    return cues.result()


def _parse_srt(lines: list[str], film_duration_ms: int | None) -> list[Cue]:
    cues = _CueList(film_duration_ms, separator=",")
    parse = _TimeParser(_SRT_TIMESTAMP)
    for line, block in _blocks(lines, 0):
        if _CUE_NUMBER.fullmatch(block[0].strip()) and len(block) > 1:
            cues.add(line + 1, block[1], block[2:], parse, srt=True)
        elif "-->" in block[0]:
            cues.add(line, block[0], block[1:], parse, srt=True)
        else:
            raise _file_error(
                "bad_timing_line",
                _at_line(
                    line,
                    _("“%(text)s” is neither a cue number nor a timing line like “%(example)s”.")
                    % {"text": quoted(block[0].strip()), "example": cues.timing_example},
                ),
            )
    return cues.result()


def _is_srt(lines: list[str]) -> bool:
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return False
    if "-->" in lines[first]:
        return True
    return bool(_CUE_NUMBER.fullmatch(lines[first].strip())) and "-->" in "".join(
        lines[first + 1 : first + 2]
    )


def parse_subtitles(data: bytes | str, *, film_duration_ms: int | None = None) -> list[Cue]:
    """The cues of a WebVTT or SubRip file, checked; ServiceError (field "file") for anything wrong."""
    lines = _lines(_decoded(data) if isinstance(data, bytes) else data)
    if not any(line.strip() for line in lines):
        raise _file_error("empty", _("The file is empty."))
    first = lines[0]
    if first.startswith("WEBVTT") and (len(first) == 6 or first[6] in " \t"):
        return _parse_webvtt(lines, film_duration_ms)
    if _is_srt(lines):
        return _parse_srt(lines, film_duration_ms)
    raise _file_error(
        "not_subtitles",
        _(
            "This is neither WebVTT nor SubRip (SRT): a WebVTT file starts with the line “WEBVTT”, an SRT "
            "file with a cue number and a timing line like “00:00:01,000 --> 00:00:04,000”."
        ),
    )


def timing_problem(number: int, start: int, end: int, film_duration_ms: int | None) -> str | None:
    """What is wrong with a cue's times, or None."""
    values = {"cue": number, "start": format_timestamp(start), "end": format_timestamp(end)}
    if end < start:
        return _("Cue %(cue)d ends (%(end)s) before it starts (%(start)s).") % values
    if end == start:
        return _("Cue %(cue)d ends when it starts (%(start)s), so it would never be shown.") % values
    if film_duration_ms is not None and end > film_duration_ms:
        return _("Cue %(cue)d ends at %(end)s, after the end of the film (%(duration)s).") % {
            **values,
            "duration": format_timestamp(film_duration_ms),
        }
    return None


def raw_text_problem(number: int, raw: str) -> str | None:
    """Whether a cue's text, as written, is far too long to be looked at further."""
    if len(raw) > MAX_RAW_CUE_TEXT:
        return _too_long(number, len(raw))
    return None


def _too_long(number: int, length: int) -> str:
    return _("Cue %(cue)d is too long (%(length)d characters; %(max)d at most).") % {
        "cue": number,
        "length": length,
        "max": MAX_CUE_TEXT,
    }


def text_problem(number: int, text: str) -> str | None:
    """What is wrong with a cue's sanitised text, or None."""
    if not visible_text(text):
        return _("Cue %(cue)d has no text.") % {"cue": number}
    if len(text) > MAX_CUE_TEXT:
        return _too_long(number, len(text))
    return None


def to_webvtt(cues: Sequence[Cue]) -> str:
    """A WebVTT file of the cues (identifiers left out, settings kept)."""
    blocks = [
        f"{format_timestamp(cue.start)} --> {format_timestamp(cue.end)}"
        f"{' ' + cue.settings if cue.settings else ''}\n{cue.text}"
        for cue in cues
    ]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


def to_srt(cues: Sequence[Cue]) -> str:
    """A SubRip file of the cues, numbered from 1, with the markup SubRip players know."""
    blocks = [
        f"{number}\n{format_timestamp(cue.start, separator=',')} --> "
        f"{format_timestamp(cue.end, separator=',')}\n{cue_text_to_srt(cue.text)}"
        for number, cue in enumerate(cues, start=1)
    ]
    return "\n\n".join(blocks) + "\n"
