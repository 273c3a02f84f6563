"""Serving stored files once a view has decided who may read them: ranges here, or nginx in production."""

import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

CHUNK_SIZE = 1024 * 1024
# Renditions are ours, but their names say little: their types are set here, never guessed from content.
RENDITION_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".webm": "audio/webm",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class Unsatisfiable(Exception):
    """The range asks for nothing the file has (416)."""


def parse_range(header: str, size: int) -> ByteRange | None:
    """The one byte range a Range header asks for, or None to send the whole file.

    Several ranges, other units or a malformed header get the whole file, which RFC 9110 allows;
    a well-formed range that starts past the end is unsatisfiable.
    """
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None  # invalid: ignored, whole file
    if start >= size:
        raise Unsatisfiable
    return ByteRange(start, end)


def _read_range(path: Path, byte_range: ByteRange) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(byte_range.start)
        left = byte_range.length
        while left > 0:
            chunk = handle.read(min(CHUNK_SIZE, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def serve_file(
    request: HttpRequest, path: Path, *, content_type: str = "", download_name: str = "", inline: bool = True
) -> HttpResponseBase:
    """Send a file the caller has already allowed, with byte ranges, or hand it to nginx."""
    content_type = content_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if settings.ACCEL_REDIRECT_PREFIX:
        # nginx streams it (ranges included) from its internal location mapped onto MEDIA_ROOT.
        relative = path.resolve().relative_to(Path(settings.MEDIA_ROOT).resolve())
        response: HttpResponseBase = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.ACCEL_REDIRECT_PREFIX + quote(str(relative))
    else:
        response = _serve_locally(request, path, content_type)
    if download_name:
        disposition = "inline" if inline else "attachment"
        response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(download_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _serve_locally(request: HttpRequest, path: Path, content_type: str) -> HttpResponseBase:
    size = path.stat().st_size
    try:
        byte_range = parse_range(request.headers.get("Range", ""), size)
    except Unsatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if byte_range is None:
        whole = FileResponse(path.open("rb"), content_type=content_type)
        whole["Accept-Ranges"] = "bytes"
        return whole
    partial = StreamingHttpResponse(_read_range(path, byte_range), status=206, content_type=content_type)
    partial["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{size}"
    partial["Content-Length"] = str(byte_range.length)
    partial["Accept-Ranges"] = "bytes"
    return partial
