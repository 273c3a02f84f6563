"""Writes for subtitles: add them from a file, replace them, save the editor's cues, delete them.

Each function checks who acts (subtitle_queries.SubtitleAccess), validates everything before it
writes, runs in one transaction and raises a ServiceError otherwise, so a bad file or a bad cue
leaves the published subtitles as they were. Every change of cues records a SubtitleEdit, the
record the translators' credits come from.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from backstage.accounts.models import User
from backstage.core.errors import Conflict, NotAllowed, ServiceError
from backstage.releases.languages import checked_language_tag, own_name
from backstage.releases.models import Release, Subtitle, SubtitleEdit
from backstage.releases.subtitle_drafts import CueDraft, cues_from_drafts
from backstage.releases.subtitle_queries import (
    film_duration_ms,
    refusal_to_edit,
    subtitle_access,
    subtitle_revision,
)
from backstage.releases.subtitles import (
    MAX_SUBTITLE_BYTES,
    Cue,
    parse_subtitles,
    to_webvtt,
    too_large,
)

MAX_LABEL: int = Subtitle._meta.get_field("label").max_length  # type: ignore[assignment]
MAX_NOTE: int = SubtitleEdit._meta.get_field("note").max_length  # type: ignore[assignment]


@dataclass(frozen=True)
class CueChanges:
    """How many cues an edit added, changed and removed."""

    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.added + self.changed + self.removed


@dataclass(frozen=True)
class SubtitleSaved:
    subtitle: Subtitle
    changes: CueChanges


def _alike(before: Cue, after: Cue) -> bool:
    # The same cue reworded or retimed: its times still overlap, or its words stayed.
    return (before.start < after.end and after.start < before.end) or before.text == after.text


def count_changes(before: Sequence[Cue], after: Sequence[Cue]) -> CueChanges:
    """The cues added, changed and removed between two versions, pairing the cues that stayed.

    Where a run of cues differs, an old and a new cue alike in time or words count as one changed
    cue; the others as removed or added.
    """
    added = changed = removed = 0
    matcher = SequenceMatcher(a=list(before), b=list(after), autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            continue
        old, new = list(before[old_start:old_end]), list(after[new_start:new_end])
        while old and new:
            if _alike(old[0], new[0]):
                changed += 1
                old.pop(0)
                new.pop(0)
            elif old[0].start <= new[0].start:
                removed += 1
                old.pop(0)
            else:
                added += 1
                new.pop(0)
        removed += len(old)
        added += len(new)
    return CueChanges(added=added, changed=changed, removed=removed)


def _require_editor(actor: User, release: Release) -> None:
    if not subtitle_access(release, actor).may_edit:
        raise NotAllowed("forbidden", refusal_to_edit())


def _storable(value: str, *, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        raise ServiceError(
            "too_long",
            _("The text is too long (%(max)d characters at most).") % {"max": max_length},
            field=field,
        )
    if "\x00" in value:
        raise ServiceError("invalid", _("Text may not contain NUL characters."), field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ServiceError("invalid", _("Text must be valid Unicode."), field=field) from None
    return value


def _language(value: str) -> str:
    return checked_language_tag(value, field="language")


def _read(file: File) -> bytes:
    if file.size is not None and file.size > MAX_SUBTITLE_BYTES:
        raise too_large(file.size)
    file.seek(0)
    # One byte past the limit is enough for the parser to refuse a file that grew or lied about its size.
    return file.read(MAX_SUBTITLE_BYTES + 1)


def _bump(release: Release) -> None:
    # Public pages are cached by release version: subtitles are part of what they show.
    Release.objects.filter(pk=release.pk).update(version=F("version") + 1)


def _record(subtitle: Subtitle, actor: User, changes: CueChanges, note: str) -> None:
    if changes.total:
        SubtitleEdit.objects.create(subtitle=subtitle, author=actor, cues_changed=changes.total, note=note)


def add_subtitles(
    *, actor: User, release: Release, language: str, file: File, label: str = "", note: str = ""
) -> SubtitleSaved:
    """Publish subtitles in a new language from a WebVTT or SubRip file (kept as WebVTT)."""
    _require_editor(actor, release)
    language = _language(language)
    # Named in the language of the person adding them, as the studio's people see it on the page.
    label = _storable(label, field="label", max_length=MAX_LABEL) or own_name(language)[:MAX_LABEL]
    note = _storable(note, field="note", max_length=MAX_NOTE)
    cues = parse_subtitles(_read(file), film_duration_ms=film_duration_ms(release))
    if Subtitle.objects.filter(release=release, language=language).exists():
        raise _exists(language)
    try:
        with transaction.atomic():
            subtitle = Subtitle.objects.create(
                release=release, language=language, label=label, text=to_webvtt(cues), cue_count=len(cues)
            )
            changes = CueChanges(added=len(cues))
            _record(subtitle, actor, changes, note)
            _bump(release)
    except IntegrityError:
        # Someone published this language at the same moment.
        raise _exists(language) from None
    return SubtitleSaved(subtitle=subtitle, changes=changes)


def _exists(language: str) -> Conflict:
    return Conflict(
        "exists",
        _("The release already has subtitles in “%(language)s”; replace or edit them instead.")
        % {"language": language},
        field="language",
    )


def _save(
    *,
    actor: User,
    subtitle: Subtitle,
    cues: list[Cue],
    label: str,
    note: str,
    base_revision: str | None,
) -> SubtitleSaved:
    with transaction.atomic():
        locked = Subtitle.objects.select_for_update().select_related("release").get(pk=subtitle.pk)
        if base_revision and base_revision != subtitle_revision(locked):
            raise Conflict(
                "stale",
                _(
                    "Someone saved these subtitles after you opened them. Your changes are not saved: "
                    "copy them, reload the page and apply them again."
                ),
                field="revision",
            )
        changes = count_changes(parse_subtitles(locked.text), cues)
        relabelled = bool(label) and label != locked.label
        if changes.total == 0 and not relabelled:
            return SubtitleSaved(subtitle=locked, changes=changes)
        if relabelled:
            locked.label = label
        locked.text = to_webvtt(cues)
        locked.cue_count = len(cues)
        locked.save()
        _record(locked, actor, changes, note)
        _bump(locked.release)
    return SubtitleSaved(subtitle=locked, changes=changes)


def replace_subtitles(
    *,
    actor: User,
    subtitle: Subtitle,
    file: File,
    label: str = "",
    note: str = "",
    base_revision: str | None = None,
) -> SubtitleSaved:
    """Replace the subtitles of a language with a new file; a blank label keeps the current one."""
    release = subtitle.release
    _require_editor(actor, release)
    label = _storable(label, field="label", max_length=MAX_LABEL)
    note = _storable(note, field="note", max_length=MAX_NOTE)
    cues = parse_subtitles(_read(file), film_duration_ms=film_duration_ms(release))
    return _save(
        actor=actor, subtitle=subtitle, cues=cues, label=label, note=note, base_revision=base_revision
    )


def save_cues(
    *,
    actor: User,
    subtitle: Subtitle,
    drafts: Sequence[CueDraft],
    label: str = "",
    note: str = "",
    base_revision: str | None = None,
) -> SubtitleSaved:
    """Save the editor's whole document: every cue is checked first, and nothing is saved if one is wrong.

    ``base_revision`` is the subtitle_revision the editor started from; when someone saved in between,
    Conflict. The cues are kept in time order; blank rows are left out.
    """
    release = subtitle.release
    _require_editor(actor, release)
    label = _storable(label, field="label", max_length=MAX_LABEL)
    note = _storable(note, field="note", max_length=MAX_NOTE)
    cues = cues_from_drafts(drafts, film_duration_ms=film_duration_ms(release))
    return _save(
        actor=actor, subtitle=subtitle, cues=cues, label=label, note=note, base_revision=base_revision
    )


def delete_subtitles(*, actor: User, subtitle: Subtitle) -> None:
    """The producer removes the subtitles of a language, with their edit history."""
    release = subtitle.release
    if not subtitle_access(release, actor).may_delete:
        raise NotAllowed("forbidden", _("Only the production's producer may delete subtitles."))
    with transaction.atomic():
        subtitle.delete()
        _bump(release)
