"""Real pictures made with Pillow, and hostile files, for the picture pipeline's tests."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageCms, ImageDraw


def scene(width: int, height: int, *, seed: int = 0, mode: str = "RGB") -> Image.Image:
    """A photo-like picture: a sky gradient, a sun and hills, so that encoders have real work."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = int(120 + 100 * y / max(height, 1))
        draw.line([(0, y), (width, y)], fill=(40 + seed * 30 % 200, shade // 2 + 40, shade))
    draw.ellipse([width * 0.6, height * 0.1, width * 0.8, height * 0.1 + width * 0.2],
                 fill=(250, 210, 90))
    draw.polygon([(0, height), (width * 0.3, height * 0.55), (width * 0.7, height),
                  (width, height * 0.6), (width, height)], fill=(40, 110, 60))
    return image.convert(mode) if mode != "RGB" else image


def jpeg(width: int, height: int, *, seed: int = 0, orientation: int | None = None,
         gps: bool = False, icc: bool = False) -> bytes:
    image = scene(width, height, seed=seed)
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    buffer = io.BytesIO()
    extra = {"icc_profile": ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()}
    image.save(buffer, "JPEG", quality=90, exif=exif.tobytes(), **(extra if icc else {}))
    return buffer.getvalue()


def png(width: int, height: int, *, alpha: bool = False) -> bytes:
    buffer = io.BytesIO()
    scene(width, height, seed=2, mode="RGBA" if alpha else "RGB").save(buffer, "PNG")
    return buffer.getvalue()


def webp(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    scene(width, height, seed=3).save(buffer, "WEBP", quality=85)
    return buffer.getvalue()


def gif(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    scene(width, height, seed=4).convert("P").save(buffer, "GIF")
    return buffer.getvalue()


def png_bomb(width: int = 12_000, height: int = 12_000) -> bytes:
    """A few hundred bytes that claim a ``width`` x ``height`` canvas: a real PNG whose IHDR was
    rewritten (CRC included), with a tiny compressed stream of zeros."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\x00" * (1 + (width + 7) // 8) * 64, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + \
        chunk(b"IEND", b"")


SVG_WITH_SCRIPT = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="800" '
                   b'height="600"><script>alert(document.cookie)</script>'
                   b'<rect width="800" height="600" fill="red"/></svg>')
HTML_PAGE = (b"<!DOCTYPE html><html><head><title>Login</title></head><body><p>Please sign in"
             b"</p></body></html>")


def truncated_jpeg() -> bytes:
    whole = jpeg(1200, 800, seed=5)
    return whole[: len(whole) // 2]
