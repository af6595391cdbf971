"""Illustrations for the demo town's proposals, drawn with Pillow from simple shapes.

No photo files ship with pb: each picture is drawn afresh when the town is seeded, the same
every time (fixed shapes, a fixed random seed for the flowers), and credited on its proposal
as "Illustration generated for the pb demo". `scene(name)` returns a PNG, as a person's
upload would be, for the pictures service to check and re-encode.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable

from PIL import Image, ImageDraw

W, H = 720, 480
Colour = tuple[int, int, int]
SKY, SKY_LOW = (120, 180, 230), (205, 230, 245)
GRASS, GRASS_DARK = (110, 170, 90), (80, 140, 70)
ROAD, WHITE, BLACK = (85, 88, 92), (245, 245, 240), (35, 35, 35)
PAVEMENT, BRICK = (190, 185, 175), (170, 90, 70)
AMBER, WOOD, LEAF = (245, 165, 40), (140, 95, 55), (60, 130, 70)


def _sky(d: ImageDraw.ImageDraw, top: Colour = SKY, low: Colour = SKY_LOW,
         until: int = H) -> None:
    for y in range(until):
        t = y / max(until - 1, 1)
        d.line([(0, y), (W, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(
            top, low, strict=True)))


def _tree(d: ImageDraw.ImageDraw, x: int, ground: int, size: int) -> None:
    d.rectangle([x - size // 8, ground - size, x + size // 8, ground], fill=WOOD)
    for dx, dy, r in ((0, -size * 1.4, size * 0.7), (-size * 0.45, -size, size * 0.5),
                      (size * 0.45, -size, size * 0.5)):
        cx, cy = x + dx, ground + dy
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=LEAF)


def _bench(d: ImageDraw.ImageDraw, x: int, y: int, width: int = 90) -> None:
    d.rectangle([x, y, x + width, y + 8], fill=WOOD)
    d.rectangle([x, y - 22, x + width, y - 14], fill=WOOD)
    for leg in (x + 6, x + width - 12):
        d.rectangle([leg, y + 8, leg + 6, y + 26], fill=BLACK)


def _flowers(d: ImageDraw.ImageDraw, box: tuple[int, int, int, int], count: int,
             seed: str) -> None:
    draw = random.Random(seed)
    colours = [(230, 80, 90), (250, 210, 60), (150, 110, 210), (245, 245, 245), (240, 130, 60)]
    for _ in range(count):
        x, y = draw.randint(box[0], box[2]), draw.randint(box[1], box[3])
        r = draw.randint(3, 6)
        d.ellipse([x - r, y - r, x + r, y + r], fill=draw.choice(colours))


def park() -> Image.Image:
    """A pocket park on a corner plot: a path, benches, trees and wildflowers."""
    img = Image.new("RGB", (W, H))
    d = ImageDraw.Draw(img)
    _sky(d, until=220)
    for x in range(0, W, 120):  # the terraced houses behind
        d.rectangle([x, 120, x + 110, 220], fill=(200 - x // 12, 150, 130))
        d.polygon([(x, 120), (x + 55, 85), (x + 110, 120)], fill=(110, 80, 80))
        for wx in (x + 18, x + 66):
            d.rectangle([wx, 145, wx + 26, 175], fill=(235, 235, 215))
    d.rectangle([0, 220, W, H], fill=GRASS)
    d.polygon([(300, H), (420, H), (390, 220), (350, 220)], fill=(215, 195, 150))
    _flowers(d, (20, 300, 280, 460), 140, "park-left")
    _flowers(d, (450, 320, 700, 460), 120, "park-right")
    for x, size in ((90, 70), (620, 80), (230, 55)):
        _tree(d, x, 300, size)
    _bench(d, 450, 280)
    _bench(d, 190, 330)
    d.line([(0, 232), (W, 232)], fill=WOOD, width=4)  # the new fence
    for x in range(0, W, 30):
        d.line([(x, 222), (x, 244)], fill=WOOD, width=3)
    return img


def crossing(dusk: bool = False) -> Image.Image:
    """A zebra crossing with Belisha beacons outside a primary school (or at dusk, lit)."""
    img = Image.new("RGB", (W, H))
    d = ImageDraw.Draw(img)
    _sky(d, *(((40, 50, 100), (230, 140, 90)) if dusk else (SKY, SKY_LOW)), until=260)
    d.rectangle([120, 90, 600, 260], fill=BRICK)  # the school
    d.polygon([(100, 90), (360, 30), (620, 90)], fill=(90, 60, 60))
    for x in range(150, 580, 75):
        d.rectangle([x, 120, x + 45, 170], fill=(250, 230, 150) if dusk else (200, 225, 240))
    d.rectangle([330, 190, 390, 260], fill=(40, 90, 140))
    d.rectangle([0, 260, W, 300], fill=PAVEMENT)
    d.rectangle([0, 300, W, 430], fill=ROAD)
    d.rectangle([0, 430, W, H], fill=PAVEMENT)
    for x in range(250, 480, 36):  # the stripes
        d.rectangle([x, 306, x + 20, 424], fill=WHITE)
    for x, foot in ((215, 290), (505, 470)):
        for y in range(foot - 150, foot, 20):
            d.rectangle([x, y, x + 8, y + 10], fill=BLACK if (y // 20) % 2 else WHITE)
        glow = 26 if dusk else 16
        d.ellipse([x + 4 - glow, foot - 150 - glow, x + 4 + glow, foot - 150 + glow],
                  fill=AMBER)
    if dusk:
        for x in (60, 660):
            d.rectangle([x, 170, x + 6, 300], fill=(60, 60, 60))
            d.polygon([(x - 30, 300), (x + 36, 300), (x + 3, 180)], fill=(90, 90, 70))
            d.ellipse([x - 12, 158, x + 18, 182], fill=(255, 240, 180))
    return img


def square() -> Image.Image:
    """A market square: coloured shop fronts, benches and planters on paving."""
    img = Image.new("RGB", (W, H))
    d = ImageDraw.Draw(img)
    _sky(d, until=200)
    fronts = [(230, 120, 120), (245, 210, 120), (130, 190, 200), (180, 150, 210), (150, 200, 140),
              (240, 170, 110)]
    for i, colour in enumerate(fronts):
        x = i * 120
        d.rectangle([x, 60 + 15 * (i % 2), x + 120, 240], fill=colour)
        d.rectangle([x + 20, 170, x + 100, 240], fill=(70, 80, 90))
        d.rectangle([x + 15, 95 + 15 * (i % 2), x + 50, 135 + 15 * (i % 2)], fill=WHITE)
        d.rectangle([x + 70, 95 + 15 * (i % 2), x + 105, 135 + 15 * (i % 2)], fill=WHITE)
    d.rectangle([0, 240, W, H], fill=(200, 195, 185))
    for y in range(250, H, 28):
        d.line([(0, y), (W, y)], fill=(175, 170, 160), width=2)
    for x, y in ((60, 330), (300, 390), (520, 330)):
        _bench(d, x, y, 110)
    for x, y in ((210, 300), (450, 420), (640, 380)):
        d.rectangle([x, y, x + 60, y + 40], fill=WOOD)
        _flowers(d, (x + 4, y - 18, x + 56, y + 4), 26, f"square-{x}")
    return img


def skate() -> Image.Image:
    """A skate park: two curved ramps, a rail and bright painted walls."""
    img = Image.new("RGB", (W, H))
    d = ImageDraw.Draw(img)
    _sky(d, until=250)
    d.rectangle([0, 170, W, 250], fill=(150, 150, 155))
    for x, colour in ((40, (240, 90, 120)), (220, (90, 200, 220)), (430, (250, 200, 60))):
        d.ellipse([x, 180, x + 150, 240], fill=colour)
    d.rectangle([0, 250, W, H], fill=(175, 175, 170))
    for side in (1, -1):  # quarter pipes: concave, the coping at the top
        edge = 0 if side == 1 else W
        arc = [(edge + side * 190 * (1 - math.cos(t / 20 * math.pi / 2)),
                240 + 190 * math.sin(t / 20 * math.pi / 2)) for t in range(21)]
        d.polygon([(edge, 240), *arc, (edge, 430)], fill=(110, 120, 140))
        d.line([(edge, 238), (edge + side * 30, 238)], fill=(60, 60, 70), width=6)
    d.line([(260, 360), (470, 360)], fill=(60, 60, 70), width=8)  # the rail
    for x in (280, 450):
        d.line([(x, 360), (x, 400)], fill=(60, 60, 70), width=6)
    d.rectangle([200, 420, 540, 440], fill=(150, 150, 145))
    return img


def _bike(d: ImageDraw.ImageDraw, x: int, y: int, colour: Colour) -> None:
    r = 52
    for cx in (x, x + 150):
        d.ellipse([cx - r, y - r, cx + r, y + r], outline=BLACK, width=6)
        d.ellipse([cx - 6, y - 6, cx + 6, y + 6], fill=BLACK)
    seat, bars = (x + 55, y - 85), (x + 130, y - 95)
    for a, b in ((x, y), (x + 70, y)), ((x + 70, y), seat), (seat, (x, y)), \
                (seat, (x + 120, y - 75)), ((x + 70, y), (x + 120, y - 75)), \
                ((x + 150, y), bars):
        d.line([a, b], fill=colour, width=7)
    d.rectangle([seat[0] - 18, seat[1] - 8, seat[0] + 14, seat[1]], fill=BLACK)
    d.line([bars, (bars[0] + 22, bars[1] - 4)], fill=BLACK, width=6)


def bikes() -> Image.Image:
    """Two bicycles on stands in a workshop, with tools on the wall."""
    img = Image.new("RGB", (W, H))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, W, 330], fill=(235, 225, 205))
    d.rectangle([0, 330, W, H], fill=(150, 120, 95))
    d.rectangle([40, 40, 680, 140], fill=(200, 170, 130))  # the tool board
    for i, x in enumerate(range(70, 660, 55)):
        d.line([(x, 60), (x, 60 + 40 + 15 * (i % 3))], fill=(90, 90, 100), width=6)
        d.ellipse([x - 9, 52, x + 9, 70], outline=(90, 90, 100), width=4)
    _bike(d, 110, 360, (220, 60, 60))
    _bike(d, 430, 360, (40, 110, 190))
    for x in (185, 505):
        d.line([(x, 300), (x, 420)], fill=(90, 90, 100), width=5)
    return img


def football() -> Image.Image:
    """A football pitch in a park, with two goals and trees around it."""
    img = Image.new("RGB", (W, H))
    d = ImageDraw.Draw(img)
    _sky(d, until=190)
    for x, size in ((60, 60), (160, 45), (560, 55), (660, 65)):
        _tree(d, x, 200, size)
    d.rectangle([0, 190, W, H], fill=GRASS)
    for i, y in enumerate(range(190, H, 36)):
        if i % 2:
            d.rectangle([0, y, W, y + 36], fill=GRASS_DARK)
    d.polygon([(120, 230), (600, 230), (700, 460), (20, 460)], outline=WHITE, width=4)
    d.line([(360, 230), (360, 460)], fill=WHITE, width=4)
    d.ellipse([300, 310, 420, 380], outline=WHITE, width=4)
    for x0, x1 in ((60, 140), (580, 660)):
        d.rectangle([x0, 250, x1, 300], outline=WHITE, width=6)
    d.ellipse([400, 380, 424, 404], fill=WHITE, outline=BLACK, width=2)
    return img


def murals() -> Image.Image:
    """Colourful murals on a harbour wall, with boats on the water."""
    img = Image.new("RGB", (W, H))
    d = ImageDraw.Draw(img)
    _sky(d, until=160)
    d.rectangle([0, 120, W, 300], fill=(160, 150, 140))  # the wall
    for x in range(0, W, 60):
        d.line([(x, 120), (x, 300)], fill=(145, 135, 125), width=2)
    d.ellipse([40, 140, 200, 290], fill=(245, 200, 70))
    d.polygon([(220, 290), (330, 140), (440, 290)], fill=(60, 150, 170))
    d.ellipse([460, 150, 540, 230], fill=(230, 90, 100))
    d.rectangle([560, 150, 690, 280], fill=(120, 90, 180))
    d.ellipse([590, 180, 660, 250], fill=(250, 240, 230))
    d.rectangle([0, 300, W, H], fill=(50, 110, 160))
    for y in range(320, H, 24):
        d.line([(0, y), (W, y)], fill=(70, 130, 180), width=2)
    for x, colour in ((120, (220, 60, 60)), (420, (250, 250, 245))):
        d.polygon([(x, 380), (x + 130, 380), (x + 110, 410), (x + 20, 410)], fill=colour)
        d.line([(x + 65, 300), (x + 65, 380)], fill=BLACK, width=3)
        d.polygon([(x + 68, 305), (x + 68, 372), (x + 115, 372)], fill=WHITE)
    return img


SCENES: dict[str, Callable[[], Image.Image]] = {
    "park": park, "crossing": crossing, "crossing at dusk": lambda: crossing(dusk=True),
    "square": square, "skate": skate, "bikes": bikes, "football": football,
    "murals": murals,
}


def scene(name: str) -> bytes:
    """Return the named illustration as PNG bytes."""
    out = io.BytesIO()
    SCENES[name]().save(out, "PNG")
    return out.getvalue()
