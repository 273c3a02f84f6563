"""Writing ZIP archives of any size, atomically, with progress: the frame of bundles and kits.

An archive is written to a temporary file beside its destination and renamed over it only when
complete, so a reader never sees half an archive and a failed build leaves nothing behind. Large
members are streamed in chunks, never held in memory; their checksums are verified on the way
when known, so a file damaged in storage fails the build instead of shipping.
"""

import contextlib
import hashlib
import mimetypes
import os
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from backstage.core.errors import ServiceError

CHUNK_SIZE = 1024 * 1024
# Seconds between two progress reports.
PROGRESS_INTERVAL = 0.2
# Formats that gain from compression; everything else (video, sound, images, archives) is
# already compressed, and storing it keeps the archive fast to write and to seek in.
_TEXT_EXTENSIONS = frozenset(
    {".txt", ".md", ".json", ".toml", ".csv", ".xml", ".svg", ".html", ".vtt", ".srt", ".ass", ".ssa"}
    | {".fountain", ".fdx", ".yaml", ".yml", ".edl", ".otio", ".tex", ".rtf"}
)

Progress = Callable[[float], None]


@dataclass(frozen=True)
class Archive:
    path: Path
    size: int
    names: tuple[str, ...]  # its members, in order


def compresses(name: str) -> bool:
    """Whether a member of this name is deflated (text) rather than stored (media)."""
    extension = Path(name).suffix.lower()
    if extension in _TEXT_EXTENSIONS:
        return True
    mime = mimetypes.guess_type(name)[0] or ""
    return mime.startswith("text/")


def file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_SIZE):
            yield chunk


@dataclass
class ArchiveWriter:
    """Adds members to an open ZIP file, all dated alike, and reports the bytes written."""

    zip_file: zipfile.ZipFile
    total_bytes: int
    date: datetime
    progress: Progress | None = None
    names: list[str] = field(default_factory=list)
    written: int = 0
    reported_at: float = 0.0

    def add_bytes(self, name: str, data: bytes) -> None:
        with self.zip_file.open(self._member(name, len(data)), "w") as target:
            target.write(data)
        self._advance(len(data))

    def add_text(self, name: str, text: str) -> None:
        self.add_bytes(name, text.encode("utf-8"))

    def add_stream(self, name: str, chunks: Iterable[bytes], *, size: int, sha256: str = "") -> None:
        """Copy a file of known size chunk by chunk; a different size or checksum is an error."""
        digest = hashlib.sha256()
        copied = 0
        # The size is declared up front so that ZIP64 is used when the member needs it.
        with self.zip_file.open(self._member(name, size), "w") as target:
            for chunk in chunks:
                target.write(chunk)
                digest.update(chunk)
                copied += len(chunk)
                self._advance(len(chunk))
        if copied != size or (sha256 and digest.hexdigest() != sha256.lower()):
            raise ServiceError(
                "source_changed",
                _("The stored file for %(name)s is not the one that was uploaded.") % {"name": name},
                field=name,
            )

    def add_file(self, name: str, path: Path) -> None:
        self.add_stream(name, file_chunks(path), size=path.stat().st_size)

    def _member(self, name: str, size: int) -> zipfile.ZipInfo:
        if name in self.names:
            raise ValueError(f"two members named {name!r}")
        self.names.append(name)
        info = zipfile.ZipInfo(name, date_time=self.date.timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED if compresses(name) else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        info.file_size = size
        return info

    def _advance(self, count: int) -> None:
        self.written += count
        now = time.monotonic()
        if self.progress is not None and self.total_bytes and now - self.reported_at >= PROGRESS_INTERVAL:
            self.reported_at = now
            self.progress(min(1.0, self.written / self.total_bytes))


@contextlib.contextmanager
def write_archive(
    output: Path, *, total_bytes: int, date: datetime | None, progress: Progress | None
) -> Iterator[ArchiveWriter]:
    """An ArchiveWriter whose archive replaces ``output`` when the block ends without error."""
    output.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=output.parent)
    try:
        with os.fdopen(descriptor, "w+b") as file:
            with zipfile.ZipFile(file, "w", allowZip64=True) as zip_file:
                writer = ArchiveWriter(
                    zip_file=zip_file, total_bytes=total_bytes, date=_zip_date(date), progress=progress
                )
                yield writer
            file.flush()
            os.fsync(file.fileno())
        # mkstemp makes the file readable by its owner only; the web server must read it too.
        os.chmod(temporary, settings.FILE_UPLOAD_PERMISSIONS or 0o644)
        os.replace(temporary, output)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_folder(output.parent)
    if progress is not None:
        progress(1.0)


def archive_result(output: Path, writer: ArchiveWriter) -> Archive:
    return Archive(path=output, size=output.stat().st_size, names=tuple(writer.names))


def _zip_date(date: datetime | None) -> datetime:
    # One date for every member, so that the same release gives the same bytes (and torrent).
    moment = (date or datetime.now(UTC)).astimezone(UTC)
    # What ZIP dates can hold: 1980 to 2107.
    return min(max(moment, datetime(1980, 1, 1, tzinfo=UTC)), datetime(2107, 12, 31, 23, 59, 58, tzinfo=UTC))


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk.
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
