"""The editor's side of subtitles: cues as people type them, checked all at once so that every bad cue is named."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backstage.core.errors import ServiceError
from backstage.releases.subtitle_markup import MAX_TIME_MS, sanitise_cue_text
from backstage.releases.subtitles import (
    MAX_CUES,
    Cue,
    normalise_cue_settings,
    quoted,
    raw_text_problem,
    text_problem,
    timing_problem,
)

_LOOSE_TIME = re.compile(
    r"(?:(?:(?P<hours>\d{1,4}):)?(?P<minutes>\d{1,2}):)?(?P<seconds>\d{1,6})(?:[.,](?P<fraction>\d{1,3}))?"
)


@dataclass(frozen=True)
class CueDraft:
    """A cue as typed in the editor or sent to the API: times as text (``00:01:02.500``, ``62.5``)."""

    start: str = ""
    end: str = ""
    text: str = ""
    settings: str = ""

    @property
    def is_blank(self) -> bool:
        return not any(value.strip() for value in (self.start, self.end, self.text, self.settings))


@dataclass(frozen=True)
class CueProblem:
    index: int  # the draft's position, from 0
    field: str  # "start", "end", "text" or "settings"
    message: str


class CueErrors(ServiceError):
    """Some cues of an edited document are wrong: each problem names its cue and field."""

    def __init__(self, problems: list[CueProblem]) -> None:
        first = problems[0]
        others = len(problems) - 1
        message = first.message
        if others:
            message = ngettext(
                "%(first)s (There is %(count)d other problem.)",
                "%(first)s (There are %(count)d other problems.)",
                others,
            ) % {"first": first.message, "count": others}
        super().__init__("bad_cues", message, field=f"cues.{first.index}.{first.field}")
        self.problems = problems


def parse_time(text: str) -> int | None:
    """Milliseconds of a time as people type it: ``1:02:03.5``, ``02:03,500``, ``62.5``; None if not one."""
    match = _LOOSE_TIME.fullmatch(text.strip())
    if match is None:
        return None
    seconds = int(match["seconds"])
    if match["minutes"] is not None and (seconds > 59 or int(match["minutes"]) > 59):
        return None
    if match["hours"] is not None and len(match["minutes"]) != 2:
        return None
    moment = (
        int(match["hours"] or 0) * 3_600_000
        + int(match["minutes"] or 0) * 60_000
        + seconds * 1000
        + int((match["fraction"] or "0").ljust(3, "0"))
    )
    return moment if moment <= MAX_TIME_MS else None


def _draft_problems(
    index: int, draft: CueDraft, film_duration_ms: int | None
) -> tuple[Cue | None, list[CueProblem]]:
    number = index + 1
    problems = []
    times: dict[str, int] = {}
    for field, value in (("start", draft.start), ("end", draft.end)):
        moment = parse_time(value)
        if moment is None and not value.strip():
            message = (
                _("Cue %(cue)d has no start time.") if field == "start" else _("Cue %(cue)d has no end time.")
            ) % {"cue": number}
            problems.append(CueProblem(index, field, message))
        elif moment is None:
            message = (
                _("Cue %(cue)d: “%(value)s” is not a valid start time; write it like 00:01:02.500.")
                if field == "start"
                else _("Cue %(cue)d: “%(value)s” is not a valid end time; write it like 00:01:02.500.")
            )
            problems.append(
                CueProblem(index, field, message % {"cue": number, "value": quoted(value.strip())})
            )
        else:
            times[field] = moment
    settings, rejected = normalise_cue_settings(draft.settings)
    if rejected:
        message = _("Cue %(cue)d: “%(setting)s” is not a WebVTT cue setting (such as line:0 or align:start).")
        problems.append(
            CueProblem(index, "settings", message % {"cue": number, "setting": quoted(rejected[0])})
        )
    if len(times) == 2:
        problem = timing_problem(number, times["start"], times["end"], film_duration_ms)
        if problem is not None:
            problems.append(CueProblem(index, "end", problem))
    text = ""
    problem = raw_text_problem(number, draft.text)
    if problem is None:
        text = sanitise_cue_text(draft.text, start=times.get("start"), end=times.get("end"))
        problem = text_problem(number, text)
    if problem is not None:
        problems.append(CueProblem(index, "text", problem))
    if problems:
        return None, problems
    return Cue(start=times["start"], end=times["end"], text=text, settings=settings), []


def cues_from_drafts(drafts: Sequence[CueDraft], *, film_duration_ms: int | None = None) -> list[Cue]:
    """The cues of an edited document in time order, blank rows left out; CueErrors names every bad one."""
    if len(drafts) > MAX_CUES:
        raise ServiceError(
            "too_many_cues", _("Subtitles have at most %(max)d cues.") % {"max": MAX_CUES}, field="cues"
        )
    cues: list[Cue] = []
    problems: list[CueProblem] = []
    for index, draft in enumerate(drafts):
        if draft.is_blank:
            continue
        cue, found = _draft_problems(index, draft, film_duration_ms)
        problems.extend(found)
        if cue is not None:
            cues.append(cue)
    if problems:
        raise CueErrors(problems)
    if not cues:
        raise ServiceError(
            "no_cues", _("Add at least one cue; to remove subtitles, delete them."), field="cues"
        )
    return sorted(cues, key=lambda cue: (cue.start, cue.end))
