"""Builders of the files the photo and paper tests upload, made with Pillow and pypdf.

No binary fixtures: every photo, bomb and PDF is made here, small, when a test asks.
"""

from __future__ import annotations

import functools
import io
import random
import struct
import zlib

from PIL import Image, ImageDraw, ImageFilter
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

ORIENTATION = 0x0112
GPS_IFD = 0x8825


def scene(width: int, height: int, seed: int = 0) -> Image.Image:
    """Return a photo-like picture: a sky over leaves, grass and gravel drawn as thousands of
    small shapes, the fine detail that makes real photos weigh what they do (flat colours
    would flatter the page weight). Its 640-pixel WebP weighs about 30 KB, as a phone photo's
    does."""
    rnd = random.Random(seed)
    sky = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    picture = Image.blend(sky, Image.new("RGB", (width, height), (60, 130, 200)), 0.6)
    draw = ImageDraw.Draw(picture)
    for _ in range(width * height // 1800):
        x, y = rnd.randrange(width), rnd.randrange(height // 3, height)
        r = rnd.randrange(max(2, width // 400), max(3, width // 60))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(
            rnd.randrange(20, 120), rnd.randrange(60, 180), rnd.randrange(10, 80)))
    return picture.filter(ImageFilter.GaussianBlur(max(1, width // 1500)))


def photo(width: int = 1600, height: int = 1200, kind: str = "JPEG", *,
          orientation: int | None = None, gps: bool = False, seed: int = 0) -> bytes:
    """Return a photo file, with EXIF orientation and a GPS position when asked."""
    picture = scene(width, height, seed)
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (51.0, 28.0, 40.0), 3: "W", 4: (3.0, 10.0, 30.0)}
        exif[0x010F] = "PhoneMaker"  # camera make
    extra = {"exif": exif.tobytes()} if (orientation or gps) else {}
    if kind == "PNG":
        picture.save(out, "PNG", **extra)
    elif kind == "WEBP":
        picture.save(out, "WEBP", quality=80, **extra)
    else:
        picture.save(out, "JPEG", quality=85, **extra)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + \
        struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@functools.cache
def png_bomb(width: int = 10_000, height: int = 10_000) -> bytes:
    """Return a PNG declaring `width` x `height` pixels (100 megapixels by default) in a few
    kilobytes: every row zero, compressed."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    raw = zlib.compressobj(9)
    rows = b"\x00" * (width + 1) * 100
    body = b"".join(raw.compress(rows) for _ in range(height // 100)) + raw.flush()
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body)
            + _chunk(b"IEND", b""))


@functools.cache
def gif_bomb(frames: int = 40, side: int = 1500) -> bytes:
    """Return an animated GIF of many large frames (each tiny once compressed)."""
    pictures = [Image.new("P", (side, side), i % 2) for i in range(frames)]
    out = io.BytesIO()
    pictures[0].save(out, "GIF", save_all=True, append_images=pictures[1:], loop=0)
    return out.getvalue()


def animated_png(frames: int = 3) -> bytes:
    """Return an animated PNG (APNG)."""
    pictures = [Image.new("RGB", (200, 150), (i * 60, 90, 120)) for i in range(frames)]
    out = io.BytesIO()
    pictures[0].save(out, "PNG", save_all=True, append_images=pictures[1:])
    return out.getvalue()


SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
       b'height="10"><script>alert(1)</script></svg>')


def pdf(pages: int = 2, *, javascript: bool = False, open_action_js: bool = False,
        page_action: bool = False) -> bytes:
    """Return a PDF with `pages` blank pages, with JavaScript in the ways asked for."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if javascript:  # a document-level script, in the catalogue's /Names tree
        action = writer._add_object(DictionaryObject({
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');")}))
        tree = DictionaryObject({NameObject("/Names"): ArrayObject(
            [TextStringObject("hello"), action])})
        writer._root_object[NameObject("/Names")] = DictionaryObject(
            {NameObject("/JavaScript"): writer._add_object(tree)})
    if open_action_js:
        action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                   NameObject("/JS"): TextStringObject("app.alert(1);")})
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    if page_action:
        writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): DictionaryObject({
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(2);")})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
