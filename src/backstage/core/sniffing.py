"""Recognising a file's type from its content, never from its name.

sniff() looks at the first bytes. Only the formats a contribution may carry are
recognised, each by its magic number and a little of the structure that follows it,
so a few lucky bytes are not enough. Everything else is refused, including text
that a browser or an operating system could take for a web page, an SVG image, a
script or a program.

ContentScanner then reads the whole file for what would make it two formats at
once (a polyglot): web page code, a ZIP archive at its end, a PDF header near its
start, and for PDFs the scripts, embedded files and launch actions of active content.
"""

import codecs
import re
import struct
from dataclasses import dataclass
from typing import Literal

Kind = Literal["image", "audio", "video", "pdf", "text"]
KINDS: frozenset[str] = frozenset({"image", "audio", "video", "pdf", "text"})

# How much of the start of a file sniff() wants to see.
SNIFF_SIZE = 64 * 1024


@dataclass(frozen=True)
class Sniffed:
    kind: Kind
    mime: str
    extension: str


JPEG = Sniffed("image", "image/jpeg", ".jpg")
PNG = Sniffed("image", "image/png", ".png")
GIF = Sniffed("image", "image/gif", ".gif")
WEBP = Sniffed("image", "image/webp", ".webp")
AVIF = Sniffed("image", "image/avif", ".avif")
PDF = Sniffed("pdf", "application/pdf", ".pdf")
MP3 = Sniffed("audio", "audio/mpeg", ".mp3")
FLAC = Sniffed("audio", "audio/flac", ".flac")
OGG_VORBIS = Sniffed("audio", "audio/ogg", ".ogg")
OGG_OPUS = Sniffed("audio", "audio/ogg", ".opus")
WAV = Sniffed("audio", "audio/wav", ".wav")
M4A = Sniffed("audio", "audio/mp4", ".m4a")
MP4 = Sniffed("video", "video/mp4", ".mp4")
M4V = Sniffed("video", "video/x-m4v", ".m4v")
MOV = Sniffed("video", "video/quicktime", ".mov")
WEBM = Sniffed("video", "video/webm", ".webm")
MATROSKA = Sniffed("video", "video/x-matroska", ".mkv")
TEXT = Sniffed("text", "text/plain", ".txt")

# Programs, archives and document formats that could otherwise pass as text.
_REFUSED_PREFIXES = (
    b"MZ",  # Windows and DOS programs
    b"\x7fELF",
    b"#!",  # scripts run by an interpreter
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # Mach-O
    b"\xca\xfe\xba\xbe",  # Mach-O universal binaries and Java classes
    b"\x00asm",  # WebAssembly
    b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08",  # ZIP, hence Office documents, JARs, APKs
    b"%!",  # PostScript is a program
    b"{\\rtf",
)  # fmt: skip

# ISO base media (MP4 family) brands, by the major brand in the ftyp box.
_AVIF_BRANDS = {b"avif", b"avis"}
_HEIF_FAMILY_BRANDS = {b"mif1", b"msf1", b"miaf"}
_IMAGE_BRANDS = (
    _AVIF_BRANDS | _HEIF_FAMILY_BRANDS | {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"avci"}
)
_MP4_BRANDS: dict[bytes, Sniffed] = {
    **dict.fromkeys(
        [b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"mmp4", b"dash"], MP4
    ),
    b"qt  ": MOV,
    b"M4V ": M4V, b"M4VH": M4V, b"M4VP": M4V,
    b"M4A ": M4A, b"M4B ": M4A,
}  # fmt: skip

# Markup or script near the start of a text file: a browser that sniffs would render it as a page.
_MARKUP_START = re.compile(r"\A[\ufeff\s]*<[a-z!?/]", re.IGNORECASE)
_MARKUP_MARKERS = (
    "<svg", "<html", "<!doctype", "<script", "<?xml", "<iframe", "<body", "<head", "<object", "<embed",
)  # fmt: skip
# Plain text has no control characters other than tab, line breaks and form feed.
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")

# A ZIP archive is read from its end-of-central-directory record, at most 22 + 65,535 bytes
# from the end: a file ending with one is also an archive.
_TAIL_SIZE = 22 + 0xFFFF
_ZIP_END = b"PK\x05\x06"

# Markup that makes a page run something, looked for in the whole file. Each is long enough, or
# tied to a tag, so that it does not turn up by chance in compressed media.
_ACTIVE_MARKUP = re.compile(
    rb"<(?:script|iframe|object|embed|frame|frameset|applet)[\s/>]"
    rb"|javascript:|vbscript:|data:text/html"
    rb"|<[a-z][^<>]{0,1024}?[\s/\"']on[a-z]{3,20}\s{0,16}="
)
# Shorter markers of a page, looked for where a browser or another reader sniffs: the first
# and last bytes. Anywhere in a large video they would turn up by chance.
_PAGE_MARKUP = re.compile(
    rb"<(?:html|svg|body|head|script|iframe|object|embed)(?:[\s/>]|\Z)|<!doctype\s+html"
)
# Regions scanned chunk by chunk overlap by this much, longer than any match above.
_OVERLAP = 2048


def _pdf_name(name: str) -> bytes:
    # PDF names may spell any character as #xx, which is how scripts are hidden from naive scans.
    return b"".join(b"(?:%s|#%x|#%X)" % (re.escape(char.encode()), ord(char), ord(char)) for char in name)


# Scripts always come with the name JavaScript (an action's type, or the document's scripts);
# the shorter /JS key would turn up by chance in compressed streams.
_PDF_ACTIVE_NAMES = ("JavaScript", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia", "XFA")
_PDF_ACTIVE = re.compile(
    rb"/(?:" + b"|".join(_pdf_name(name) for name in _PDF_ACTIVE_NAMES) + rb")(?![^\s()<>\[\]{}/%])"
)


def sniff(head: bytes) -> Sniffed | None:
    """Return the type of a file from its first bytes (ideally SNIFF_SIZE of them), or None.

    None means the file is not one of the accepted types, or is one of them and
    something more dangerous at the same time.
    """
    if head.startswith(_REFUSED_PREFIXES):
        return None
    for recognise in (_image, _pdf, _audio, _iso_media, _matroska):
        found = recognise(head)
        if found is not None:
            return found
    return TEXT if is_plain_text_start(head[:SNIFF_SIZE]) else None


def _image(head: bytes) -> Sniffed | None:
    if head.startswith(b"\xff\xd8\xff") and len(head) > 3 and head[3] >= 0xC0 and head[3] != 0xFF:
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"):
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP" and head[12:16] in (b"VP8 ", b"VP8L", b"VP8X"):
        return WEBP
    return None


def _pdf(head: bytes) -> Sniffed | None:
    # The header must open the file: readers accept it further in, which is how PDF polyglots are made.
    return PDF if re.match(rb"%PDF-[12]\.\d", head) else None


def _audio(head: bytes) -> Sniffed | None:
    # RF64 and BW64 are the broadcast forms that field recorders write past 4 GB.
    if head[:4] in (b"RIFF", b"RF64", b"BW64") and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"fLaC") and len(head) >= 8 and head[4] & 0x7F == 0 and head[5:8] == b"\x00\x00\x22":
        return FLAC
    if head.startswith(b"OggS\x00") and len(head) > 27 and head[5] & 0x02:
        packet = head[27 + head[26] :]
        if packet.startswith(b"\x01vorbis"):
            return OGG_VORBIS
        if packet.startswith(b"OpusHead"):
            return OGG_OPUS
        return None
    if head.startswith(b"ID3"):
        return _after_id3(head)
    return MP3 if _mpeg_frames_at(head, 0, frames=2) else None


def _after_id3(head: bytes) -> Sniffed | None:
    if (
        len(head) < 10
        or head[3] not in (2, 3, 4)
        or head[5] & 0x0F
        or any(byte >= 0x80 for byte in head[6:10])
    ):
        return None
    size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
    audio_start = 10 + size + (10 if head[5] & 0x10 else 0)
    if audio_start + 4 > len(head):
        # A tag holding cover art can be longer than the head: the tag itself is all we can check.
        return MP3
    if head.startswith(b"fLaC", audio_start):
        return _audio(head[audio_start:])
    return MP3 if _mpeg_frames_at(head, audio_start, frames=1) else None


_MPEG_BITRATES = {
    (3, 3): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (3, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (3, 1): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (2, 3): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (2, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (2, 1): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}  # by (MPEG-1 or not, layer): kbit/s
_MPEG_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mpeg_frame(header: bytes) -> tuple[tuple[int, int, int], int] | None:
    """The (version, layer, sample rate) of an MPEG audio frame header and the frame's length."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    bitrate_index, rate_index, padding = header[2] >> 4, (header[2] >> 2) & 3, (header[2] >> 1) & 1
    # Version 1 and layer 0 are reserved (layer 0 is how AAC's ADTS differs); free bitrate has no length.
    if version == 1 or layer == 0 or bitrate_index in (0, 15) or rate_index == 3 or header[3] & 3 == 2:
        return None
    bitrate = _MPEG_BITRATES[(3 if version == 3 else 2, layer)][bitrate_index] * 1000
    rate = _MPEG_SAMPLE_RATES[version][rate_index]
    if layer == 3:  # layer I
        length = (12 * bitrate // rate + padding) * 4
    elif layer == 1 and version != 3:  # layer III, MPEG-2 and 2.5
        length = 72 * bitrate // rate + padding
    else:
        length = 144 * bitrate // rate + padding
    return (version, layer, rate), length


def _mpeg_frames_at(head: bytes, offset: int, *, frames: int) -> bool:
    # Two frame headers in a row, agreeing with each other, are not an accident of arbitrary data.
    first = _mpeg_frame(head[offset : offset + 4])
    if first is None:
        return False
    stream, length = first
    for _ in range(frames - 1):
        offset += length
        following = _mpeg_frame(head[offset : offset + 4])
        if following is None or following[0] != stream:
            return False
        stream, length = following
    return True


def _iso_media(head: bytes) -> Sniffed | None:
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    (box_size,) = struct.unpack(">I", head[:4])
    if box_size < 16 or box_size % 4 or box_size > 4096:
        return None
    major = head[8:12]
    compatible = {head[start : start + 4] for start in range(16, min(box_size, len(head)) - 3, 4)}
    if major in _AVIF_BRANDS or (major in _HEIF_FAMILY_BRANDS and compatible & _AVIF_BRANDS):
        return AVIF
    if major in _MP4_BRANDS:
        return _MP4_BRANDS[major]
    if major in _IMAGE_BRANDS:
        return None
    # Cameras write their own major brand (XAVC, for one) and list the standard ones as compatible.
    for brand in (b"isom", b"iso2", b"mp42", b"mp41", b"qt  "):
        if brand in compatible:
            return _MP4_BRANDS[brand]
    return None


def _ebml_number(data: bytes, offset: int, *, keep_marker: bool) -> tuple[int, int] | None:
    """An EBML variable-length number at offset: its value and the offset after it."""
    if offset >= len(data) or data[offset] == 0:
        return None
    length = 8 - data[offset].bit_length() + 1
    if offset + length > len(data):
        return None
    value = int.from_bytes(data[offset : offset + length], "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
    return value, offset + length


def _matroska(head: bytes) -> Sniffed | None:
    if not head.startswith(b"\x1a\x45\xdf\xa3"):
        return None
    header_size = _ebml_number(head, 4, keep_marker=False)
    if header_size is None:
        return None
    size, offset = header_size
    end = min(offset + size, len(head))
    while offset < end:
        element = _ebml_number(head, offset, keep_marker=True)
        if element is None:
            return None
        element_id, offset = element
        element_size = _ebml_number(head, offset, keep_marker=False)
        if element_size is None:
            return None
        size, offset = element_size
        if element_id == 0x4282:  # DocType
            doctype = head[offset : offset + size].rstrip(b"\x00")
            return {b"webm": WEBM, b"matroska": MATROSKA}.get(doctype)
        offset += size
    return None


def is_plain_text_start(head: bytes) -> bool:
    """Whether the start of a file is plain UTF-8 text that could not be taken for markup or a script.

    The head may end in the middle of a character; the rest of the file is checked
    by ContentScanner.
    """
    if not head:
        return False
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    if _TEXT_CONTROL.search(text) or _MARKUP_START.match(text):
        return False
    start = text[:1024].lower()
    return not any(marker in start for marker in _MARKUP_MARKERS)


class _PlainTextChecker:
    """Checks, chunk after chunk, that a whole file is UTF-8 without control characters."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.ok = True

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        if not self.ok:
            return
        try:
            text = self._decoder.decode(chunk, final=final)
        except UnicodeDecodeError:
            self.ok = False
            return
        if _TEXT_CONTROL.search(text):
            self.ok = False


class ContentScanner:
    """Looks through a whole file, chunk after chunk, for what makes it more than its sniffed type.

    finish() names the problem with the code of the refusal: "polyglot" for a file
    that is also a web page, a ZIP archive or a PDF; "active_content" for a PDF with
    scripts, embedded files or launch actions; "unknown_type" for text that stops
    being plain UTF-8 text after its start.
    """

    def __init__(self, sniffed: Sniffed) -> None:
        self.sniffed = sniffed
        self.head = b""
        self.tail = b""
        self.problem: str | None = None
        self._carry = b""
        self._text = _PlainTextChecker() if sniffed.kind == "text" else None

    def feed(self, chunk: bytes) -> None:
        """Scan the next chunk; `problem` is set as soon as one shows, and the rest need not be read."""
        if self.problem is not None:
            return
        if len(self.head) < SNIFF_SIZE:
            self.head += chunk[: SNIFF_SIZE - len(self.head)]
        self.tail = (self.tail + chunk)[-_TAIL_SIZE:]
        if self._text is not None:
            self._text.feed(chunk)
            if not self._text.ok:
                self.problem = "unknown_type"
                return
        window = self._carry + chunk
        self._carry = window[-_OVERLAP:]
        if _ACTIVE_MARKUP.search(window.lower()):
            self.problem = "polyglot"
        elif self.sniffed.kind == "pdf" and _PDF_ACTIVE.search(window):
            self.problem = "active_content"

    def finish(self) -> str | None:
        """The code of the first problem found, if any, once the whole file was fed."""
        if self.problem is not None:
            return self.problem
        if self._text is not None:
            self._text.feed(b"", final=True)
            if not self._text.ok:
                return "unknown_type"
        if _PAGE_MARKUP.search(self.head.lower()) or _PAGE_MARKUP.search(self.tail.lower()):
            return "polyglot"
        if _ZIP_END in self.tail:
            return "polyglot"
        # PDF readers find a PDF header anywhere in the first KiB of a file.
        if self.sniffed.kind not in ("pdf", "text") and b"%PDF-" in self.head[:1024]:
            return "polyglot"
        return None
