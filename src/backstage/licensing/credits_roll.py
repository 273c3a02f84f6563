"""The end-credits roll: the credits drawn as one tall picture, scrolled over black by FFmpeg.

Pillow lays the credits out (the film's title, then each section: roles on the left of the
centre, names on the right, the works and their licenses under the names; sections with many
people in columns) on a canvas that starts and ends with a screen of black, so the roll starts
and ends on black. FFmpeg crops a screen-high window moving down the canvas a whole number of
pixels per frame (no judder) and encodes it as H.264 in MP4, ready to drop into an edit.

A canvas taller than FFmpeg takes in one picture is cut into tiles that overlap by one screen;
each tile scrolls in turn and their videos are joined, which is seamless because every frame
shows rows of one tile only.

The text is drawn with Pillow's built-in scalable font unless ``CREDITS_FONT`` names a font file:
the built-in font has the ASCII letters only, so names are written without their accents there
(Żółć as Zolc) rather than as empty boxes.
"""

import math
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from backstage.licensing.credits import CreditedWork, CreditLine, Credits, CreditSection
from backstage.media import ffmpeg
from backstage.media.ffmpeg_probe import MediaError, input_url

FPS = 25
# A line of text takes ten seconds to cross the screen: time to read a role and a name.
SCREENS_PER_SECOND = 0.1
# Rows of the canvas each tile scrolls through; a tile is this plus a screen high, well within
# what FFmpeg decodes in one picture, and a few tens of megabytes in memory.
TILE_ROWS = 16_000
# From this many people a section is set in columns, as backers are in a film's credits.
COLUMNS_FROM = 24
# The part of the progress the drawing takes; FFmpeg's encoding takes the rest.
DRAWING_SHARE = 0.05
# Bits per second a 1080p roll may take at most (scaled by the frame's area): text on black takes far less.
MAX_BITRATE = 8_000_000

Progress = Callable[[float], None]


@dataclass(frozen=True)
class _Text:
    """One line of text at a place of the canvas."""

    text: str
    x: int
    y: int  # top of the line
    size: int
    fill: int  # grey level
    anchor: str  # Pillow's: "la" left, "ma" centre, "ra" right, at the ascender

    @property
    def bottom(self) -> int:
        return self.y + _line_height(self.size)


def render_credits_roll(
    credits: Credits,
    output: Path,
    *,
    width: int = 1920,
    height: int = 1080,
    progress: Progress | None = None,
) -> None:
    """Render the credits as an H.264 MP4 roll at ``output`` (``width`` x ``height``, 25 fps).

    ``progress`` is told the fraction done, from 0.0 to 1.0. Raises ValueError for a size H.264
    cannot take, and MediaError when FFmpeg fails; nothing is left at ``output`` then.
    """
    if width % 2 or height % 2 or not (16 <= width <= 7680 and 16 <= height <= 4320):
        raise ValueError(f"A roll is at least 16x16 and at most 7680x4320, with even sides: {width}x{height}")
    report = progress or (lambda fraction: None)
    binary = ffmpeg.ffmpeg_binary()
    if shutil.which(binary) is None:
        raise MediaError("ffmpeg_missing", f"{binary} is not an executable file")
    texts, content_bottom = layout(credits, width=width, height=height)
    step = scroll_step(height)
    # The canvas: a screen of black, the credits, a screen of black; scrolled a whole number of steps.
    canvas_height = height + math.ceil(content_bottom / step) * step
    frames = (canvas_height - height) // step + 1
    tile_rows = max(step, TILE_ROWS // step * step)
    output = Path(output).absolute()
    with tempfile.TemporaryDirectory(prefix="credits-roll-") as folder:
        tiles: list[tuple[Path, int]] = []
        count = math.ceil(frames * step / tile_rows)
        for index in range(count):
            top = index * tile_rows
            path = Path(folder) / f"tile-{index}.png"
            _draw_tile(texts, path, width=width, top=top, rows=min(tile_rows + height, canvas_height - top))
            tiles.append((path, min(frames - top // step, tile_rows // step)))
            report(DRAWING_SHARE * (index + 1) / count)
        duration = frames / FPS
        job = ffmpeg.Job(
            argv=_argv(binary, tiles, output, width=width, height=height, step=step),
            outputs=[ffmpeg.Output(kind="credits_roll", label="", path=output, mime="video/mp4")],
            paths=(output,),
            max_file_bytes=int(duration * MAX_BITRATE * (width * height) / (1920 * 1080) / 8)
            + 64 * 1024 * 1024,
        )
        ffmpeg.run(
            job,
            duration=duration,
            on_progress=lambda percent: report(DRAWING_SHARE + (1 - DRAWING_SHARE) * percent / 100),
        )


def scroll_step(height: int) -> int:
    """Pixels the roll moves each frame for a screen of this height."""
    return max(1, round(height * SCREENS_PER_SECOND / FPS))


def roll_duration(credits: Credits, *, width: int = 1920, height: int = 1080) -> float:
    """How long the roll of these credits lasts, in seconds."""
    _texts, content_bottom = layout(credits, width=width, height=height)
    step = scroll_step(height)
    return (math.ceil(content_bottom / step) + 1) / FPS


# --- Layout ---------------------------------------------------------------------------------------


def layout(credits: Credits, *, width: int, height: int) -> tuple[list[_Text], int]:
    """Every line of the roll, placed on the canvas; and where the credits end (before the last screen)."""
    unit = height / 1080
    margin = round(width * 0.08)
    centre = width // 2
    gutter = round(30 * unit)
    texts: list[_Text] = []
    y = height  # the first screen is black

    def centred(text: str, size: int, fill: int, max_width: int = width - 2 * margin) -> None:
        nonlocal y
        for part in _wrap(text, size, max_width):
            texts.append(_Text(part, centre, y, size, fill, "ma"))
            y += _line_height(size)

    centred(credits.production.title, _size(84, unit), 255)
    y += round(260 * unit)
    for section in credits.sections:
        centred(section.title.upper(), _size(38, unit), 150)
        y += round(36 * unit)
        if len(section.lines) >= COLUMNS_FROM and width >= 640:
            y = _columns(texts, section, y, unit=unit, width=width, margin=margin)
        else:
            for line in section.lines:
                y = _two_sides(texts, line, y, unit=unit, centre=centre, gutter=gutter, margin=margin)
                y += round(22 * unit)
        y += round(150 * unit)
    film_license = credits.film_license
    if film_license is not None:
        centred(
            _("This film is free: it is released under the %(license)s license.")
            % {"license": film_license.name},
            _size(30, unit),
            200,
        )
        centred(film_license.url, _size(26, unit), 160)
        y += round(40 * unit)
    centred(str(settings.STUDIO_NAME), _size(44, unit), 255)
    return texts, y + round(60 * unit)


def _two_sides(
    texts: list[_Text], line: CreditLine, y: int, *, unit: float, centre: int, gutter: int, margin: int
) -> int:
    """Role on the left of the centre, name and works on the right; where the next line starts."""
    column = centre - gutter - margin
    role_size, name_size, work_size = _size(30, unit), _size(40, unit), _size(26, unit)
    left = y + round((_line_height(name_size) - _line_height(role_size)) / 2)
    for part in _wrap(line.role_text, role_size, column):
        texts.append(_Text(part, centre - gutter, left, role_size, 175, "ra"))
        left += _line_height(role_size)
    right = y
    for part in _wrap(line.name, name_size, column):
        texts.append(_Text(part, centre + gutter, right, name_size, 255, "la"))
        right += _line_height(name_size)
    for work in line.works:
        for part in _wrap(_work_text(work), work_size, column):
            texts.append(_Text(part, centre + gutter, right, work_size, 140, "la"))
            right += _line_height(work_size)
    return max(left, right)


def _columns(
    texts: list[_Text], section: CreditSection, y: int, *, unit: float, width: int, margin: int
) -> int:
    """Many people set in columns: a name, its roles and works under it; where the section ends."""
    count = 3 if width >= 1280 else 2
    column = (width - 2 * margin) // count
    inner = column - round(20 * unit)
    name_size, role_size, work_size = _size(34, unit), _size(24, unit), _size(22, unit)
    for start in range(0, len(section.lines), count):
        bottom = y
        for index, line in enumerate(section.lines[start : start + count]):
            x = margin + column * index + column // 2
            cell = y
            for text, size, fill in [
                (line.name, name_size, 255),
                (line.role_text, role_size, 165),
                *((_work_text(work), work_size, 140) for work in line.works),
            ]:
                for part in _wrap(text, size, inner):
                    texts.append(_Text(part, x, cell, size, fill, "ma"))
                    cell += _line_height(size)
            bottom = max(bottom, cell)
        y = bottom + round(18 * unit)
    return y


def _work_text(work: CreditedWork) -> str:
    return f"“{work.title}” · {work.license}" if work.license else f"“{work.title}”"


def _size(points: int, unit: float) -> int:
    return max(8, round(points * unit))


def _line_height(size: int) -> int:
    return round(size * 1.3)


# --- Drawing --------------------------------------------------------------------------------------


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return _loaded_font(str(getattr(settings, "CREDITS_FONT", "") or ""), size)


@cache
def _loaded_font(path: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if path:
        return ImageFont.truetype(path, size=size)
    return ImageFont.load_default(size=size)


def _draw_tile(texts: list[_Text], path: Path, *, width: int, top: int, rows: int) -> None:
    image = Image.new("L", (width, rows), 0)
    draw = ImageDraw.Draw(image)
    for text in texts:
        if text.bottom < top or text.y >= top + rows:
            continue
        draw.text(
            (text.x, text.y - top),
            drawable(text.text, text.size),
            fill=text.fill,
            font=_font(text.size),
            anchor=text.anchor,
        )
    image.save(path, format="PNG", compress_level=3)


def _wrap(text: str, size: int, width: int) -> list[str]:
    """The text cut at spaces into lines no wider than ``width`` (a word too long is cut where it must)."""
    text = " ".join(drawable(text, size).split())
    if not text:
        return []
    font = _font(size)
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        attempt = f"{current} {word}" if current else word
        if font.getlength(attempt) <= width:
            current = attempt
            continue
        if current:
            lines.append(current)
        while font.getlength(word) > width and len(word) > 1:
            cut = max(1, next((n for n in range(len(word), 0, -1) if font.getlength(word[:n]) <= width), 1))
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    lines.append(current)
    return lines


# Letters that do not decompose into a base letter and an accent.
_FOLDED = str.maketrans(
    {
        "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ħ": "h",
        "Ħ": "H", "ı": "i", "ŧ": "t", "Ŧ": "T", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe",
        "Œ": "OE", "þ": "th", "Þ": "Th", "—": "-", "–": "-", "‐": "-", "…": "...", "«": '"',
        "»": '"', "„": '"', "‚": "'", "“": '"', "”": '"', "‘": "'", "’": "'", "·": "-", "\u00a0": " ", "\u202f": " ",
    }
)  # fmt: skip


def drawable(text: str, size: int) -> str:
    """The text as the font can draw it: a letter it lacks is written without its accent if it can be."""
    font = _font(size)
    if all(_has_glyph(font, char) for char in text):
        return text
    out = []
    for char in text:
        if _has_glyph(font, char):
            out.append(char)
            continue
        folded = "".join(
            part
            for part in unicodedata.normalize("NFKD", char.translate(_FOLDED))
            if not unicodedata.combining(part)
        )
        out.append(folded if folded and all(_has_glyph(font, part) for part in folded) else char)
    return "".join(out)


@cache
def _has_glyph(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, char: str) -> bool:
    if char.isspace() or unicodedata.category(char).startswith("C"):
        return True
    # A missing letter is drawn as the font's "no glyph" box: compare with a code point no font has.
    return _glyph(font, char) != _glyph(font, "\U0010fffd")


def _glyph(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, char: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(char)
    return mask.size, bytes(mask)


# --- FFmpeg ---------------------------------------------------------------------------------------


def _argv(
    binary: str, tiles: list[tuple[Path, int]], output: Path, *, width: int, height: int, step: int
) -> list[str]:
    inputs: list[str] = []
    chains: list[str] = []
    for index, (path, frames) in enumerate(tiles):
        inputs += ["-f", "png_pipe", "-protocol_whitelist", "file", "-i", input_url(path)]
        # The one picture repeated for each frame of the tile, then a window moved `step` rows a frame.
        chains.append(
            f"[{index}:v]loop=loop={frames - 1}:size=1:start=0,settb=1/{FPS},setpts=N,"
            f"crop={width}:{height}:0:n*{step}[t{index}]"
        )
    joined = "".join(f"[t{index}]" for index in range(len(tiles)))
    graph = ";".join(chains) + f";{joined}concat=n={len(tiles)}:v=1:a=0,format=yuv420p[roll]"
    return [
        binary, "-nostdin", "-hide_banner", "-nostats", "-v", "error", "-y",
        *inputs,
        "-filter_complex", graph,
        "-map", "[roll]",
        "-an",
        "-c:v", "libx264",
        "-preset", "veryfast",
        "-profile:v", "high",
        "-pix_fmt", "yuv420p",
        "-crf", "20",
        "-r", str(FPS),
        "-g", str(FPS * 2),
        "-threads", str(ffmpeg.THREADS),
        "-movflags", "+faststart",
        "-map_metadata", "-1",
        "-f", "mp4",
        "-protocol_whitelist", "file",
        "file:" + str(output),
    ]  # fmt: skip
