"""image_variants(): WebP copies of still images, upright, never upscaled, without metadata; bombs refused."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from backstage.media.ffmpeg import MediaError
from backstage.media.images import image_variants


def colour(image: Image.Image, x: int, y: int, mode: str = "RGB") -> tuple[int, ...]:
    pixel = image.convert(mode).getpixel((x, y))
    return pixel if isinstance(pixel, tuple) else (int(pixel or 0),)


def save(image: Image.Image, path: Path, **options) -> Path:
    image.save(path, **options)
    return path


def halves(size: tuple[int, int], first: str = "red", second: str = "blue") -> Image.Image:
    """An image whose left half is one colour and right half another."""
    image = Image.new("RGB", size, first)
    image.paste(Image.new("RGB", (size[0] // 2, size[1]), second), (size[0] // 2, 0))
    return image


def test_copies_at_each_width(tmp_path):
    source = save(halves((2000, 1000)), tmp_path / "wide.jpg", quality=90)
    outputs = image_variants(source, tmp_path / "out")
    assert [(o.kind, o.label, o.mime, o.width, o.height) for o in outputs] == [
        ("image", "w320", "image/webp", 320, 160),
        ("image", "w1280", "image/webp", 1280, 640),
    ]
    for output in outputs:
        assert output.path.parent == tmp_path / "out"
        with Image.open(output.path) as copy:
            assert (copy.format, copy.size) == ("WEBP", (output.width, output.height))
            red, blue = (
                colour(copy, 5, 5),
                colour(copy, copy.width - 5, 5),
            )
            assert red[0] > 200 > red[2] and blue[2] > 200 > blue[0]


def test_never_upscaled(tmp_path):
    small = save(halves((200, 100)), tmp_path / "small.png")
    assert [(o.label, o.width, o.height) for o in image_variants(small, tmp_path / "a")] == [
        ("w200", 200, 100)
    ]
    medium = save(halves((1000, 500)), tmp_path / "medium.png")
    assert [(o.label, o.width) for o in image_variants(medium, tmp_path / "b")] == [
        ("w320", 320),
        ("w1000", 1000),
    ]


def test_exif_orientation_is_applied(tmp_path):
    # Stored on its side, red on the left: the camera says to turn it a quarter clockwise to show it.
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Camera maker"
    source = save(halves((400, 200)), tmp_path / "phone.jpg", exif=exif.tobytes(), quality=95)
    (output,) = image_variants(source, tmp_path / "out")
    assert (output.label, output.width, output.height) == ("w200", 200, 400)
    with Image.open(output.path) as copy:
        assert copy.size == (200, 400)
        top, bottom = colour(copy, 100, 20), colour(copy, 100, 380)
        assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]
        assert not copy.getexif()
    data = output.path.read_bytes()
    assert b"EXIF" not in data and b"Camera maker" not in data


def test_metadata_is_dropped_and_transparency_kept(tmp_path):
    image = Image.new("RGBA", (400, 300), (0, 128, 0, 0))
    image.paste((255, 0, 0, 255), (0, 0, 200, 300))
    exif = Image.Exif()
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS latitude
    source = save(image, tmp_path / "transparent.png", exif=exif.tobytes())
    (output,) = image_variants(source, tmp_path / "out", widths=(1280,))
    with Image.open(output.path) as copy:
        assert copy.mode == "RGBA"
        assert colour(copy, 10, 10, "RGBA")[3] == 255 and colour(copy, 390, 10, "RGBA")[3] == 0
        assert not copy.getexif()
    assert b"EXIF" not in output.path.read_bytes()


def test_sixteen_bit_greys_are_not_white(tmp_path):
    source = tmp_path / "grey16.png"
    Image.new("I;16", (400, 300), 16000).save(source)
    (output,) = image_variants(source, tmp_path / "out", widths=(1280,))
    with Image.open(output.path) as copy:
        (level,) = colour(copy, 10, 10, "L")
        assert 40 < level < 90  # 16000 / 256 = 62


def test_animation_gives_its_first_frame(tmp_path):
    frames = [Image.new("RGB", (400, 200), colour) for colour in ("red", "blue", "green")]
    source = tmp_path / "animation.gif"
    frames[0].save(source, save_all=True, append_images=frames[1:], duration=100)
    (output,) = image_variants(source, tmp_path / "out", widths=(320,))
    with Image.open(output.path) as copy:
        red = colour(copy, 10, 10)
        assert red[0] > 200 > red[2]


def png_claiming(width: int, height: int, pixels: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greys
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_decompression_bombs_are_refused(tmp_path):
    # 100,000 x 100,000 in a few bytes: the header alone gives it away.
    claimed = tmp_path / "claimed.png"
    claimed.write_bytes(png_claiming(100_000, 100_000, zlib.compress(b"\x00" * 1000)))
    # 10,000 x 10,000 of real, highly compressed zeros: 100 megapixels in about 12 KB.
    width = height = 10_000
    rows = zlib.compress((b"\x00" + bytes(width // 8)) * height, 9)
    real = tmp_path / "real.png"
    real.write_bytes(png_claiming(width, height, rows))
    assert real.stat().st_size < 100_000
    for path in (claimed, real):
        out = tmp_path / f"out-{path.stem}"
        with pytest.raises(MediaError) as raised:
            image_variants(path, out)
        assert raised.value.code == "too_large"
        assert not out.exists() or list(out.iterdir()) == []


def test_pixel_budget_can_be_lowered(tmp_path):
    source = save(halves((1000, 1000)), tmp_path / "square.png")
    with pytest.raises(MediaError) as raised:
        image_variants(source, tmp_path / "out", max_pixels=999_999)
    assert raised.value.code == "too_large"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"just some text, named like an image\n" * 10, "not_media"),
        (b"", "not_media"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "not_media"),
    ],
)
def test_what_is_not_an_image(tmp_path, content, code):
    path = tmp_path / "picture.png"
    path.write_bytes(content)
    with pytest.raises(MediaError) as raised:
        image_variants(path, tmp_path / "out")
    assert raised.value.code == code


def test_a_truncated_image_is_corrupt(tmp_path):
    buffer = io.BytesIO()
    halves((1200, 800)).save(buffer, "JPEG", quality=95)
    path = tmp_path / "cut.jpg"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    out = tmp_path / "out"
    with pytest.raises(MediaError) as raised:
        image_variants(path, out)
    assert raised.value.code == "corrupt"
    assert not out.exists() or list(out.iterdir()) == []


def test_formats_other_than_those_accepted_are_not_decoded(tmp_path):
    path = save(halves((400, 200)), tmp_path / "picture.tiff")
    with pytest.raises(MediaError) as raised:
        image_variants(path, tmp_path / "out")
    assert raised.value.code == "not_media"
