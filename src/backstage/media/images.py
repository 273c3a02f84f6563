"""Resized copies of still images for pages: WebP, never larger than the original.

Pillow decodes the image once, with only the plugins of the formats sniffing accepts and under the
pixel budget of core.uploads, and turns it upright as its EXIF orientation says. The copies keep
no metadata (EXIF and XMP hold camera serial numbers and the place a photo was taken), only the
colour profile.
"""

import math
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from backstage.core.uploads import DEFAULT_MAX_PIXELS
from backstage.media.ffmpeg import MediaError, Output

# The formats core.sniffing recognises as images.
PILLOW_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF")
WEBP_QUALITY = 82
_HIGH_DEPTH_MODES = frozenset({"I", "I;16", "I;16B", "I;16L", "I;16N", "F"})


def image_variants(
    source: Path,
    out_dir: Path,
    widths: tuple[int, ...] = (320, 1280),
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> list[Output]:
    """WebP copies of an image at each width asked, labelled "w320" and so on; never upscaled.

    A width beyond the image's own gives one copy at the image's own width instead (an image
    1000 pixels wide gets "w320" and "w1000"). Raises MediaError ("not_media", "too_large",
    "corrupt") for what cannot be decoded safely; nothing is left in out_dir then.
    """
    if not widths or min(widths) < 1:
        raise ValueError(f"Widths must be positive: {widths}")
    upright = _decode(Path(source), widths=widths, max_pixels=max_pixels)
    out_dir = Path(out_dir).absolute()
    out_dir.mkdir(parents=True, exist_ok=True)
    width, height = upright.size
    outputs: list[Output] = []
    try:
        for target in sorted({min(wanted, width) for wanted in widths}):
            size = (target, max(1, round(height * target / width)))
            copy = upright if size == upright.size else upright.resize(size, Image.Resampling.LANCZOS)
            path = out_dir / f"w{target}.webp"
            copy.save(
                path,
                "WEBP",
                quality=WEBP_QUALITY,
                method=4,
                icc_profile=upright.info.get("icc_profile") or None,
                exif=b"",
                xmp=b"",
            )
            outputs.append(Output("image", f"w{target}", path, "image/webp", size[0], size[1]))
    except BaseException:
        for output in outputs:
            output.path.unlink(missing_ok=True)
        raise
    return outputs


def _decode(source: Path, *, widths: tuple[int, ...], max_pixels: int) -> Image.Image:
    """The image's first frame, decoded, upright, in RGB or RGBA."""
    try:
        # Not thread-safe before Python 3.14, which is why the pixel count is also checked by hand.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source, formats=list(PILLOW_FORMATS)) as image:
                width, height = image.size
                if width < 1 or height < 1:
                    raise MediaError("corrupt", f"{width}x{height} image")
                if width * height > max_pixels:
                    raise MediaError("too_large", f"{width}x{height} image")
                if image.format == "JPEG":
                    # Decode at the smallest scale (1/2, 1/4, 1/8) still larger than the largest copy.
                    shown_width = height if _turned(image) else width
                    scale = min(1.0, max(widths) / shown_width)
                    image.draft(image.mode, (math.ceil(width * scale), math.ceil(height * scale)))
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _displayable(upright)
    except MediaError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise MediaError("too_large", str(error)) from None
    except UnidentifiedImageError as error:
        raise MediaError("not_media", str(error)) from None
    except Exception as error:
        # Whatever a decoder trips on in hostile bytes, the file is not an image we can use.
        raise MediaError("corrupt", f"{type(error).__name__}: {error}") from None


def _turned(image: Image.Image) -> bool:
    """Whether the EXIF orientation turns the image a quarter (its width becomes its height)."""
    return image.getexif().get(0x0112) in (5, 6, 7, 8)


def _displayable(image: Image.Image) -> Image.Image:
    profile = image.info.get("icc_profile")
    if image.mode in _HIGH_DEPTH_MODES:
        # 16-bit greys: down to 8 bits rather than clipped to white.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    converted = image.convert("RGBA" if has_alpha else "RGB")
    converted.info = {"icc_profile": profile} if profile and image.mode != "CMYK" else {}
    return converted
