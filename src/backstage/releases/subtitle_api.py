"""API for a release's subtitles: read them as cues, upload or replace a file, save cues, delete.

Reading follows the film's embargo (the team and the translators before the release moment,
everyone after it; 404 otherwise). Writing is for the producer, director and crew and the
production's translators (403 for others who may see the film, 404 for whom it is still secret);
deleting is the producer's.
"""

from datetime import datetime

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Form, P, PathEx, Router, Schema, Status, UploadedFile

from backstage.api.auth import WRITE_AUTH, ApiRequest, reader
from backstage.api.schemas import ERRORS, READ_ERRORS, InputSchema, SlugPath
from backstage.releases import subtitle_services as services
from backstage.releases.models import Subtitle
from backstage.releases.subtitle_drafts import CueDraft
from backstage.releases.subtitle_markup import MAX_TIME_MS, format_timestamp
from backstage.releases.subtitle_queries import (
    editable_subtitles,
    find_subtitle,
    readable_subtitles,
    subtitle_revision,
    subtitles_of,
)
from backstage.releases.subtitles import MAX_CUE_TEXT, MAX_CUES, parse_subtitles

router = Router(tags=["subtitles"])

SUBTITLES = "/productions/{slug}/releases/{release_slug}/subtitles"
LanguagePath = PathEx[str, P(pattern=r"^[A-Za-z0-9-]{1,35}$", max_length=35)]
ACCESS_NOTE = (
    " Before the release moment only the production's team and its translators read subtitles; everyone "
    "else gets 404. Writes are for the producer, director, crew and translators (403 for others who may "
    "see the film)."
)


class SubtitleOut(Schema):
    language: str = Field(..., description="BCP 47 tag.")
    label: str
    cue_count: int
    revision: str = Field(
        ..., description="Fingerprint of the current text; send it back as `base_revision`."
    )
    updated_at: datetime
    vtt_url: str
    srt_url: str

    @staticmethod
    def resolve_revision(obj: Subtitle) -> str:
        return subtitle_revision(obj)

    @staticmethod
    def resolve_vtt_url(obj: Subtitle) -> str:
        return _download_url(obj, "vtt")

    @staticmethod
    def resolve_srt_url(obj: Subtitle) -> str:
        return _download_url(obj, "srt")


class CueOut(Schema):
    start: int = Field(..., description="Milliseconds from the film's start.")
    end: int = Field(..., description="Milliseconds from the film's start.")
    text: str = Field(..., description="WebVTT cue text: <i>, <b>, <u>, <c>, <v>, <lang>, <ruby>, <rt> only.")
    settings: str = Field(..., description="WebVTT cue settings, such as `line:0 align:start`.")


class SubtitleDetailOut(SubtitleOut):
    cues: list[CueOut]

    @staticmethod
    def resolve_cues(obj: Subtitle) -> list[dict[str, object]]:
        return [cue.__dict__ for cue in parse_subtitles(obj.text)]


class SavedOut(Schema):
    subtitle: SubtitleOut
    added: int
    changed: int
    removed: int


class CueIn(InputSchema):
    start: int = Field(..., ge=0, le=MAX_TIME_MS, description="Milliseconds.")
    end: int = Field(..., ge=0, le=MAX_TIME_MS, description="Milliseconds.")
    text: str = Field(..., max_length=MAX_CUE_TEXT)
    settings: str = Field("", max_length=200)


class CuesIn(InputSchema):
    cues: list[CueIn] = Field(..., max_length=MAX_CUES, description="Every cue: the whole document.")
    label: str = Field("", max_length=services.MAX_LABEL, description="Empty keeps the current label.")
    note: str = Field("", max_length=services.MAX_NOTE, description="What changed, for the record.")
    base_revision: str | None = Field(
        None, max_length=64, description="The `revision` the edit started from: 409 if someone saved since."
    )


class UploadIn(Schema):
    language: str = Field(..., max_length=35, description="BCP 47 tag: `pl`, `pt-BR`…")
    label: str = Field("", max_length=services.MAX_LABEL, description="The language's name if empty.")
    note: str = Field("", max_length=services.MAX_NOTE)


class ReplaceIn(Schema):
    label: str = Field("", max_length=services.MAX_LABEL, description="Empty keeps the current label.")
    note: str = Field("", max_length=services.MAX_NOTE)
    base_revision: str = Field("", max_length=64)


def _download_url(subtitle: Subtitle, file_format: str) -> str:
    release = subtitle.release
    return reverse(
        "releases:subtitle_download",
        kwargs={
            "slug": release.production.slug,
            "release_slug": release.slug,
            "language": subtitle.language,
            "file_format": file_format,
        },
    )


def _saved(saved: services.SubtitleSaved) -> dict[str, object]:
    changes = saved.changes
    return {
        "subtitle": saved.subtitle,
        "added": changes.added,
        "changed": changes.changed,
        "removed": changes.removed,
    }


@router.get(
    SUBTITLES,
    response={200: list[SubtitleOut], **READ_ERRORS},
    auth=None,
    description="The release's subtitles, by language." + ACCESS_NOTE,
)
def list_subtitles(request: HttpRequest, slug: SlugPath, release_slug: SlugPath) -> list[Subtitle]:
    release = readable_subtitles(slug, release_slug, reader(request)).release
    subtitles = subtitles_of(release)
    for subtitle in subtitles:
        subtitle.release = release
    return subtitles


@router.get(
    SUBTITLES + "/{language}",
    response={200: SubtitleDetailOut, **READ_ERRORS},
    auth=None,
    description="The subtitles in one language, as cues." + ACCESS_NOTE,
)
def get_subtitles(
    request: HttpRequest, slug: SlugPath, release_slug: SlugPath, language: LanguagePath
) -> Subtitle:
    release = readable_subtitles(slug, release_slug, reader(request)).release
    return find_subtitle(release, language)


@router.post(
    SUBTITLES,
    response={201: SubtitleOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Add subtitles in a new language from a WebVTT or SubRip file in UTF-8 (`multipart/form-data` "
    "with `file`, `language`, and optionally `label` and `note`). Nothing is saved if the file has a problem: "
    "the error names the line and what is wrong." + ACCESS_NOTE,
)
def add_subtitles(
    request: ApiRequest,
    slug: SlugPath,
    release_slug: SlugPath,
    payload: Form[UploadIn],
    file: File[UploadedFile],
) -> Status[Subtitle]:
    release = editable_subtitles(slug, release_slug, request.auth).release
    saved = services.add_subtitles(
        actor=request.auth, release=release, language=payload.language, file=file, label=payload.label,
        note=payload.note,
    )  # fmt: skip
    return Status(201, saved.subtitle)


@router.post(
    SUBTITLES + "/{language}/file",
    response={200: SavedOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Replace every cue with a new WebVTT or SubRip file (`multipart/form-data`)." + ACCESS_NOTE,
)
def replace_subtitles(
    request: ApiRequest,
    slug: SlugPath,
    release_slug: SlugPath,
    language: LanguagePath,
    payload: Form[ReplaceIn],
    file: File[UploadedFile],
) -> dict[str, object]:
    release = editable_subtitles(slug, release_slug, request.auth).release
    saved = services.replace_subtitles(
        actor=request.auth, subtitle=find_subtitle(release, language), file=file, label=payload.label,
        note=payload.note, base_revision=payload.base_revision or None,
    )  # fmt: skip
    return _saved(saved)


@router.put(
    SUBTITLES + "/{language}/cues",
    response={200: SavedOut, **ERRORS},
    auth=WRITE_AUTH,
    description="Save the whole document of cues (they are put in time order). Every cue is checked first; "
    "if one is wrong nothing is saved, and the error's `field` names it (`cues.3.end`)." + ACCESS_NOTE,
)
def save_cues(
    request: ApiRequest, slug: SlugPath, release_slug: SlugPath, language: LanguagePath, payload: CuesIn
) -> dict[str, object]:
    release = editable_subtitles(slug, release_slug, request.auth).release
    drafts = [
        CueDraft(
            start=format_timestamp(cue.start),
            end=format_timestamp(cue.end),
            text=cue.text,
            settings=cue.settings,
        )
        for cue in payload.cues
    ]
    saved = services.save_cues(
        actor=request.auth, subtitle=find_subtitle(release, language), drafts=drafts, label=payload.label,
        note=payload.note, base_revision=payload.base_revision,
    )  # fmt: skip
    return _saved(saved)


@router.delete(
    SUBTITLES + "/{language}",
    response={204: None, **ERRORS},
    auth=WRITE_AUTH,
    description="The producer deletes the subtitles of a language, with their edit history." + ACCESS_NOTE,
)
def delete_subtitles(
    request: ApiRequest, slug: SlugPath, release_slug: SlugPath, language: LanguagePath
) -> Status[None]:
    release = editable_subtitles(slug, release_slug, request.auth).release
    services.delete_subtitles(actor=request.auth, subtitle=find_subtitle(release, language))
    return Status(204, None)
