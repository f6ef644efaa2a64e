"""The badge image (a PNG drawn from the track: a medal with its code) and baking: Open
Badges metadata stored in PNG ``iTXt`` chunks (``openbadges`` for the 2.0 assertion,
``openbadgecredential`` for the 3.0 credential), inserted before ``IEND``."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

SIZE = 256
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Colours at 3:1 or more against white (the medal is read as a graphic), chosen by the code.
COLOURS = ("#0b5394", "#1e6b35", "#8a1c1c", "#5b3a8c", "#7a4a00", "#0f5f63")


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # a Pillow without FreeType: the bitmap font
        return ImageFont.load_default()


@lru_cache(maxsize=64)
def badge_png(code: str) -> bytes:
    """A 256 × 256 medal with the track's code (the same code, the same bytes)."""
    colour = COLOURS[int(hashlib.sha256(code.encode()).hexdigest(), 16) % len(COLOURS)]
    image = Image.new("RGBA", (SIZE, SIZE), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon([(78, 150), (58, 250), (98, 232), (118, 250), (128, 160)], fill="#33475b")
    draw.polygon([(178, 150), (198, 250), (158, 232), (138, 250), (128, 160)], fill="#33475b")
    draw.ellipse((28, 12, 228, 212), fill=colour, outline="#ffffff", width=6)
    draw.ellipse((48, 32, 208, 192), outline="#ffffff", width=3)
    text = code[:6]
    font = _font(64 if len(text) <= 3 else 40)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(
        (128 - (right - left) / 2 - left, 112 - (bottom - top) / 2 - top),
        text,
        fill="#ffffff",
        font=font,
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def itxt(keyword: str, text: str) -> bytes:
    """An uncompressed iTXt chunk: keyword, NUL, compression flag and method (0, 0), empty
    language tag and translated keyword (each NUL-terminated), then the UTF-8 text."""
    data = keyword.encode("latin-1") + b"\x00\x00\x00" + b"\x00" + b"\x00" + text.encode()
    return _chunk(b"iTXt", data)


def bake(png: bytes, chunks: dict[str, str]) -> bytes:
    """``png`` with one iTXt chunk per keyword, just before its IEND chunk."""
    if not png.startswith(PNG_SIGNATURE) or png[-12:-8] != b"\x00\x00\x00\x00":
        raise ValueError("not a PNG ending with IEND")
    end = len(png) - 12
    if png[end + 4 : end + 8] != b"IEND":
        raise ValueError("not a PNG ending with IEND")
    baked = b"".join(itxt(keyword, text) for keyword, text in chunks.items())
    return png[:end] + baked + png[end:]


def read_itxt(png: bytes) -> dict[str, str]:
    """Every uncompressed iTXt chunk of ``png``, by keyword (what ``bake`` wrote)."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    found: dict[str, str] = {}
    position = len(PNG_SIGNATURE)
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        data = png[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"iTXt":
            keyword, _, rest = data.partition(b"\x00")
            flag = rest[0]
            _language, _, rest = rest[2:].partition(b"\x00")
            _translated, _, text = rest.partition(b"\x00")
            found[keyword.decode("latin-1")] = (zlib.decompress(text) if flag else text).decode()
    return found
