"""Validated uploads for contribution files.

An uploaded file is hostile until proven otherwise. validate_upload() reads it in
chunks, caps its size, recognises its type from its content (see sniffing), hashes
it, refuses files that are two formats at once (an image that is also a web page or
a ZIP archive), refuses PDFs that carry scripts or embedded files, and fully decodes
images under a pixel budget. The name the person gave is only kept, cleaned, for
display; its extension is replaced by the one of the recognised type.

Each refusal is a ValidationError with a stable code (ERROR_MESSAGES lists them) and
a message that says in plain words what is wrong.
"""

import hashlib
import itertools
import re
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from PIL import Image, UnidentifiedImageError

from backstage.core.sniffing import KINDS, SNIFF_SIZE, ContentScanner, Kind, Sniffed, sniff

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

CHUNK_SIZE = 64 * 1024
# Above Pillow's own decompression-bomb threshold nothing would decode anyway; this is lower so
# the person gets our clearer message, and a full decode stays near 256 MB at four bytes a pixel.
# It still takes 8K frames and the pictures of 61-megapixel cameras.
DEFAULT_MAX_PIXELS = 64_000_000
# Longer animations are videos, and walking through frames costs time even when they are tiny.
MAX_FRAMES = 1000
MAX_NAME_LENGTH = 100
# Each character may take four bytes, and file systems allow 255 bytes a name: room is left for
# the suffix storage adds when a name is taken.
MAX_NAME_BYTES = 200

ERROR_MESSAGES: dict[str, "StrPromise"] = {
    "empty": _("The file is empty."),
    "too_large": _("This file is larger than %(max)s."),
    "unknown_type": _(
        "This kind of file is not accepted here. Judging by its content (not its name), it is none of: "
        "%(allowed)s."
    ),
    "kind_not_allowed": _("This kind of file (%(kind)s) is not accepted here. Accepted: %(allowed)s."),
    "not_an_image": _("This file looks like an image but cannot be read as one."),
    "image_too_large": _(
        "This image is too large: at most %(max)s million pixels are accepted, all the frames of an "
        "animation together."
    ),
    "too_many_frames": _("This animation has more than %(max)d frames; please send it as a video instead."),
    "corrupt": _("This file is damaged or incomplete; it may have been cut off during the upload."),
    "polyglot": _(
        "This file also contains web page code or a hidden archive, so it is not accepted. "
        "Please export it again from the program that made it."
    ),
    "active_content": _(
        "This PDF contains scripts, embedded files or actions that launch programs, so it is not "
        "accepted. Please export it again without them."
    ),
}
KIND_LABELS: dict[str, "StrPromise"] = {
    "image": _("images"),
    "audio": _("sound"),
    "video": _("video"),
    "pdf": _("PDF documents"),
    "text": _("plain text"),
}
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP", "image/avif": "AVIF"}  # fmt: skip

# Besides letters and digits, what names commonly hold and no system or page takes as special.
_ALLOWED_PUNCTUATION = frozenset("-_.(),'’–—&+!")
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")  # Hangul fillers draw nothing
_CLIENT_EXTENSION = re.compile(r"\.(?=[0-9a-z]*[a-z])[0-9a-z]{1,10}$", re.IGNORECASE)
_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")
_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
)


@dataclass(frozen=True)
class ValidatedUpload:
    name: str
    kind: Kind
    mime: str
    size: int
    sha256: str


def _refuse(code: str, **params: Any) -> ValidationError:
    return ValidationError(ERROR_MESSAGES[code], code=code, params=params or None)


def _kinds_label(kinds: Iterable[str]) -> str:
    return ", ".join(str(label) for kind, label in KIND_LABELS.items() if kind in kinds)


# Names


def _clean_characters(text: str) -> str:
    kept: list[str] = []
    replaced = False  # whether the last kept character stands for dropped ones
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if char.isspace():  # tabs and line breaks included
            if kept[-1:] != [" "]:
                kept.append(" ")
            replaced = False
            continue
        if char in _INVISIBLE_LETTERS or category[0] == "C":
            # Control, format (bidi overrides, zero-width joiners), surrogate, private or unassigned.
            continue
        if category in ("Mn", "Mc"):
            # An accent stays with the letter it belongs to, never on its own or on punctuation.
            if kept and not replaced and unicodedata.category(kept[-1])[0] in "LMN":
                kept.append(char)
            continue
        if char in _ALLOWED_PUNCTUATION or category == "Nd" or category[0] == "L":
            kept.append(char)
            replaced = False
        elif not replaced:
            kept.append("_")
            replaced = True
    return "".join(kept)


def _clean_stem(text: str, *, max_length: int, max_bytes: int) -> str:
    stem = re.sub(r"\.{2,}", ".", re.sub(r" {2,}", " ", _clean_characters(text)))
    stem = stem.lstrip(". -").rstrip(". ")
    if stem.split(".", 1)[0].strip().lower() in _WINDOWS_DEVICES:
        stem = "_" + stem
    stem = stem.encode()[:max_bytes].decode(errors="ignore")[:max_length]
    return stem.rstrip(". ")


def safe_filename(name: str, *, extension: str) -> str:
    """Return a name safe to show and to store for a file whose type gives `extension` (".png").

    Only the last path component of `name` is kept (after either separator);
    invisible and control characters are dropped, other characters than letters,
    digits, space and ``-_.()`` become ``_``; leading dots and dashes go; the
    person's extension is replaced by `extension`; the whole stays within
    MAX_NAME_LENGTH characters and MAX_NAME_BYTES bytes. What is left of nothing is
    ``file`` + `extension`.
    """
    if not _EXTENSION.fullmatch(extension):
        raise ValueError(f"Not a file extension: {extension!r}")
    base = re.split(r"[/\\]", name)[-1]
    base = _CLIENT_EXTENSION.sub("", _clean_characters(base).rstrip(". "))
    if base.lower().endswith(extension):
        base = base[: -len(extension)]  # "photo.png.exe" of a PNG becomes "photo.png", not "photo.png.png"
    limits = {"max_length": MAX_NAME_LENGTH - len(extension), "max_bytes": MAX_NAME_BYTES - len(extension)}
    stem = _clean_stem(base, **limits)
    for _attempt in range(3):
        # Dropping a character can bring a letter and its accent together: compose them again.
        if unicodedata.is_normalized("NFC", stem):
            break
        stem = _clean_stem(stem, **limits)
    return (stem or "file") + extension


def display_name(name: str) -> str:
    """The person's file name, cleaned for showing in a message, extension included."""
    base = _clean_characters(re.split(r"[/\\]", name)[-1]).strip()
    return base[:MAX_NAME_LENGTH] or str(_("(no name)"))


# Content


def _check_image(upload: UploadedFile, sniffed: Sniffed, *, max_pixels: int) -> None:
    pillow_format = _PILLOW_FORMATS[sniffed.mime]
    too_large = _refuse("image_too_large", max=f"{max_pixels / 1e6:g}")
    try:
        # Not thread-safe before Python 3.14, which is why the pixel count is also checked by hand.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            # Only the plugin of the sniffed format may parse the file: no other decoder is exposed.
            with Image.open(upload, formats=[pillow_format]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise too_large
                image.verify()
            upload.seek(0)
            with Image.open(upload, formats=[pillow_format]) as image:
                # Frame by frame rather than n_frames, which would first walk through all of them.
                for frame in itertools.count():
                    try:
                        image.seek(frame)
                    except EOFError:
                        break
                    if frame >= MAX_FRAMES:
                        raise _refuse("too_many_frames", max=MAX_FRAMES)
                    if width * height * (frame + 1) > max_pixels:
                        raise too_large
                    if pillow_format == "JPEG":
                        # Decoding at an eighth of the size still reads every byte, so truncation shows.
                        image.draft(None, (max(1, width // 8), max(1, height // 8)))
                    image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except UnidentifiedImageError:
        raise _refuse("not_an_image") from None
    except Exception:
        # Whatever a decoder trips on in hostile bytes, the file is not an image we can use.
        raise _refuse("corrupt") from None
    finally:
        upload.seek(0)


def validate_upload(
    upload: UploadedFile,
    *,
    max_bytes: int,
    allowed_kinds: frozenset[str],
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> ValidatedUpload:
    """Check an uploaded file from its content and return what is known of it.

    Raises ValidationError (codes in ERROR_MESSAGES) if the file is refused. The
    upload is left at its start either way.
    """
    if not allowed_kinds or not allowed_kinds <= KINDS:
        raise ValueError(f"Unknown kinds of file: {sorted(allowed_kinds - KINDS) or 'none given'}")
    try:
        scanner, size, sha256 = _read(upload, max_bytes=max_bytes, allowed_kinds=allowed_kinds)
        problem = scanner.finish()
        if problem is not None:
            raise _refuse(problem, allowed=_kinds_label(allowed_kinds))
        if scanner.sniffed.kind == "image":
            _check_image(upload, scanner.sniffed, max_pixels=max_pixels)
    finally:
        upload.seek(0)
    return ValidatedUpload(
        name=safe_filename(upload.name or "", extension=scanner.sniffed.extension),
        kind=scanner.sniffed.kind,
        mime=scanner.sniffed.mime,
        size=size,
        sha256=sha256,
    )


def _read(
    upload: UploadedFile, *, max_bytes: int, allowed_kinds: frozenset[str]
) -> tuple[ContentScanner, int, str]:
    """Read the whole upload once, a chunk at a time: its scanner, size and SHA-256."""
    if upload.size is not None and upload.size > max_bytes:
        raise _refuse("too_large", max=filesizeformat(max_bytes))
    digest = hashlib.sha256()
    size = 0
    unsniffed = b""
    scanner: ContentScanner | None = None
    upload.seek(0)
    # Not upload.chunks(): for a file held in memory it would hand over all of it in one piece.
    while chunk := upload.read(CHUNK_SIZE):
        size += len(chunk)
        if size > max_bytes:
            # The declared size can be wrong: what counts is what was read.
            raise _refuse("too_large", max=filesizeformat(max_bytes))
        digest.update(chunk)
        if scanner is None:
            unsniffed += chunk
            if len(unsniffed) < SNIFF_SIZE:
                continue
            # Refuse an unwanted type as soon as it shows, without reading the rest.
            scanner = ContentScanner(_sniff_allowed(unsniffed, allowed_kinds))
            scanner.feed(unsniffed)
        else:
            scanner.feed(chunk)
        if scanner.problem is not None:
            raise _refuse(scanner.problem, allowed=_kinds_label(allowed_kinds))
    if size == 0:
        raise _refuse("empty")
    if scanner is None:
        scanner = ContentScanner(_sniff_allowed(unsniffed, allowed_kinds))
        scanner.feed(unsniffed)
    return scanner, size, digest.hexdigest()


def _sniff_allowed(head: bytes, allowed_kinds: frozenset[str]) -> Sniffed:
    sniffed = sniff(head[:SNIFF_SIZE])
    if sniffed is None:
        raise _refuse("unknown_type", allowed=_kinds_label(allowed_kinds))
    if sniffed.kind not in allowed_kinds:
        raise _refuse("kind_not_allowed", kind=KIND_LABELS[sniffed.kind], allowed=_kinds_label(allowed_kinds))
    return sniffed


# Form fields


class ContributionFileField(forms.FileField):
    """A file checked by validate_upload(); the clean upload carries its ValidatedUpload as ``.validated``."""

    def __init__(
        self,
        *,
        max_bytes: int,
        allowed_kinds: Iterable[str],
        max_pixels: int = DEFAULT_MAX_PIXELS,
        **kwargs: Any,
    ) -> None:
        self.max_bytes = max_bytes
        self.allowed_kinds = frozenset(allowed_kinds)
        self.max_pixels = max_pixels
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        # A hint for the browser's file picker; the server decides from the content.
        types = {kind: kind + "/*" for kind in ("image", "audio", "video")} | {
            "pdf": "application/pdf,.pdf",
            "text": "text/plain,.txt",
        }
        if "accept" not in widget.attrs:
            attrs["accept"] = ",".join(types[kind] for kind in sorted(self.allowed_kinds))
        return attrs

    def clean(self, data: Any, initial: Any | None = None) -> Any:
        cleaned = super().clean(data, initial)
        if isinstance(cleaned, UploadedFile):
            cleaned.validated = validate_upload(  # type: ignore[attr-defined]
                cleaned,
                max_bytes=self.max_bytes,
                allowed_kinds=self.allowed_kinds,
                max_pixels=self.max_pixels,
            )
        return cleaned


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleContributionFilesField(ContributionFileField):
    """Several files, each checked as by ContributionFileField; cleans to a list of uploads."""

    widget = MultipleFileInput

    def __init__(self, *, max_files: int, **kwargs: Any) -> None:
        self.max_files = max_files
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any | None = None) -> list[UploadedFile]:
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > self.max_files:
            raise ValidationError(
                ngettext_lazy(
                    "You can attach at most %(max)d file.", "You can attach at most %(max)d files.", "max"
                ),
                code="too_many_files",
                params={"max": self.max_files},
            )
        cleaned: list[UploadedFile] = []
        errors: list[ValidationError] = []
        for upload in uploads:
            try:
                cleaned.append(super().clean(upload))
            except ValidationError as error:
                # Say which file is wrong when several are sent together.
                name = display_name(getattr(upload, "name", None) or "")
                errors.extend(
                    ValidationError(format_lazy("{}: {}", name, message), code=item.code)
                    for item in error.error_list
                    for message in item
                )
        if errors:
            raise ValidationError(errors)
        return cleaned
