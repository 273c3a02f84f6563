"""Turning an uploaded picture into a safe avatar.

The upload is treated as hostile: its size is capped before decoding, Pillow's
decompression-bomb guard is an error rather than a warning, and the pixels are
re-encoded to a fresh WebP so nothing of the original file (metadata, trailing
bytes, a polyglot's second format) reaches other people.
"""

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

AVATAR_SIZE = 512
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def reencode_avatar(upload: UploadedFile) -> ContentFile:
    if upload.size is not None and upload.size > settings.AVATAR_MAX_BYTES:
        raise ValidationError(
            _("The image is too large (%(max)d MB at most).")
            % {"max": settings.AVATAR_MAX_BYTES // 1_000_000},
            code="too_large",
        )
    data = upload.read(settings.AVATAR_MAX_BYTES + 1)
    if len(data) > settings.AVATAR_MAX_BYTES:
        raise ValidationError(_("The image is too large."), code="too_large")
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    raise ValidationError(_("Use a JPEG, PNG, WebP or GIF image."), code="format")
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise ValidationError(_("The image has too many pixels."), code="too_many_pixels")
                probe.verify()
            with Image.open(io.BytesIO(data)) as opened:
                opened.seek(0)
                upright = ImageOps.exif_transpose(opened)
                pixels = upright.convert("RGBA" if upright.mode in ("RGBA", "LA", "P") else "RGB")
                pixels.thumbnail((AVATAR_SIZE, AVATAR_SIZE))
                out = io.BytesIO()
                pixels.save(out, format="WEBP", quality=85)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("This file is not an image we can read."), code="not_an_image") from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(_("The image is damaged or incomplete."), code="corrupt") from None
    return ContentFile(out.getvalue(), name="avatar.webp")
