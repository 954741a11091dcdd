"""The demo's pictures, drawn with Pillow: ``python -m wiredesk.demo.draw`` writes
``pictures/*.jpg`` (1600x900, flat illustrations, original work for Wiredesk under the project's
licence).

The demo feeds name them on their outlets' ``.example`` addresses, as a real feed names its
pictures; :mod:`wiredesk.newsroom.demopictures` hands these files to the picture pipeline in their
place, so the demo shows the desk's own renditions without any network.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

PICTURES_DIR = Path(__file__).resolve().parent / "pictures"
W, H = 1600, 900
RGB = tuple[int, int, int]


def _sky(top: RGB, bottom: RGB, height: int = H) -> Image.Image:
    image = Image.new("RGB", (W, H), bottom)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(height - 1, 1)
        colour = tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (W, y)], fill=colour)
    return image


def _waves(draw: ImageDraw.ImageDraw, y0: int, colour: RGB, rng: random.Random,
           rows: int = 8) -> None:
    draw.rectangle([0, y0, W, H], fill=colour)
    for row in range(rows):
        y = y0 + 20 + row * (H - y0) // rows
        light = tuple(min(255, c + 30) for c in colour)
        for x in range(-40, W, 120):
            dx = rng.randint(0, 60)
            draw.arc([x + dx, y, x + dx + 90, y + 24], 200, 340, fill=light, width=4)


def seawall(rng: random.Random) -> Image.Image:
    image = _sky((120, 180, 225), (230, 240, 245), 560)
    draw = ImageDraw.Draw(image)
    for n in range(9):
        x = 120 + n * 150
        h = rng.randint(120, 220)
        draw.rectangle([x, 520 - h, x + 110, 520], fill=rng.choice(
            [(236, 214, 180), (214, 120, 90), (245, 235, 220), (190, 200, 210)]))
        draw.polygon([(x - 10, 520 - h), (x + 55, 470 - h), (x + 120, 520 - h)],
                     fill=(170, 70, 50))
        for wy in range(520 - h + 25, 500, 45):
            draw.rectangle([x + 20, wy, x + 45, wy + 25], fill=(60, 80, 110))
            draw.rectangle([x + 65, wy, x + 90, wy + 25], fill=(60, 80, 110))
    draw.rectangle([0, 520, W, 600], fill=(120, 160, 90))
    draw.polygon([(0, 600), (W, 600), (W, 640), (0, 660)], fill=(150, 150, 150))
    _waves(draw, 650, (30, 90, 140), rng)
    return image


def drought(rng: random.Random) -> Image.Image:
    image = _sky((240, 150, 60), (250, 220, 150), 520)
    draw = ImageDraw.Draw(image)
    draw.ellipse([1100, 90, 1300, 290], fill=(255, 240, 200))
    draw.rectangle([0, 520, W, H], fill=(190, 130, 70))
    for _ in range(90):
        x, y = rng.randint(0, W), rng.randint(540, H)
        points = [(x, y)]
        for _ in range(4):
            x, y = x + rng.randint(-60, 60), y + rng.randint(-25, 25)
            points.append((x, y))
        draw.line(points, fill=(140, 90, 50), width=3)
    for n in range(5):
        x = 150 + n * 300
        draw.line([(x, 520), (x, 420)], fill=(90, 60, 40), width=10)
        draw.ellipse([x - 70, 360, x + 70, 440], fill=(120, 120, 60))
    return image


def forest(rng: random.Random) -> Image.Image:
    image = _sky((150, 200, 230), (220, 235, 230), 300)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 300, W, H], fill=(30, 90, 40))
    for _ in range(260):
        x, y = rng.randint(-50, W), rng.randint(260, H)
        r = rng.randint(40, 90)
        g = rng.randint(90, 170)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(20, g, 40 + rng.randint(0, 30)))
    draw.polygon([(0, 760), (400, 640), (800, 700), (1200, 610), (W, 650), (W, 720),
                  (1200, 680), (800, 770), (400, 710), (0, 830)], fill=(170, 120, 70))
    return image


def ballot(rng: random.Random) -> Image.Image:
    image = _sky((245, 240, 230), (225, 215, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 700, W, H], fill=(120, 90, 70))
    draw.polygon([(560, 380), (1040, 380), (1100, 720), (500, 720)], fill=(30, 70, 140))
    draw.rectangle([540, 340, 1060, 400], fill=(40, 90, 170))
    draw.rectangle([700, 355, 900, 375], fill=(10, 30, 60))
    draw.polygon([(740, 120), (880, 140), (860, 368), (720, 350)], fill=(255, 255, 250))
    for n in range(5):
        draw.line([(750, 170 + n * 35), (850, 185 + n * 35)], fill=(150, 150, 150), width=5)
    draw.line([(760, 320), (790, 345), (840, 290)], fill=(200, 30, 30), width=10)
    return image


def pills(rng: random.Random) -> Image.Image:
    image = _sky((225, 240, 245), (200, 225, 235))
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = rng.randint(0, W), rng.randint(0, H)
        colour = rng.choice([(230, 80, 70), (70, 140, 220), (250, 200, 60), (90, 180, 120)])
        angle = rng.random() * math.pi
        dx, dy = 60 * math.cos(angle), 60 * math.sin(angle)
        draw.line([(x - dx, y - dy), (x + dx, y + dy)], fill=colour, width=50)
        draw.ellipse([x - dx - 25, y - dy - 25, x - dx + 25, y - dy + 25], fill=colour)
        draw.ellipse([x + dx - 25, y + dy - 25, x + dx + 25, y + dy + 25], fill=(250, 250, 250))
    return image


def smog(rng: random.Random) -> Image.Image:
    image = _sky((170, 165, 150), (210, 200, 180))
    draw = ImageDraw.Draw(image)
    x = 0
    while x < W:
        w, h = rng.randint(60, 160), rng.randint(150, 520)
        draw.rectangle([x, H - h, x + w, H], fill=(110, 105, 100))
        x += w + rng.randint(0, 20)
    haze = Image.new("RGB", (W, H), (200, 190, 170))
    image = Image.blend(image, haze, 0.45).filter(ImageFilter.GaussianBlur(3))
    draw = ImageDraw.Draw(image)
    draw.ellipse([1150, 150, 1260, 260], fill=(230, 170, 110))
    return image


def typhoon(rng: random.Random) -> Image.Image:
    image = _sky((40, 50, 70), (110, 120, 140), 600)
    draw = ImageDraw.Draw(image)
    cx, cy = 800, 300
    for n in range(240):
        t = n / 240 * 6 * math.pi
        r = 20 + t * 38
        x, y = cx + r * math.cos(t), cy + r * math.sin(t) * 0.55
        draw.ellipse([x - 40, y - 25, x + 40, y + 25], fill=(200, 205, 215))
    _waves(draw, 600, (40, 70, 90), rng, rows=10)
    for n in range(6):
        x = 100 + n * 260
        draw.line([(x, 600), (x + 40, 470)], fill=(60, 50, 40), width=12)
        for k in range(5):
            draw.line([(x + 40, 470), (x + 120 + k * 10, 450 + k * 20)], fill=(40, 90, 50),
                      width=8)
    return image


def chips(rng: random.Random) -> Image.Image:
    image = _sky((20, 40, 50), (10, 25, 35))
    draw = ImageDraw.Draw(image)
    for _ in range(80):
        x, y = rng.randint(0, W), rng.randint(0, H)
        points = [(x, y)]
        for _ in range(4):
            if rng.random() < 0.5:
                x += rng.choice([-1, 1]) * rng.randint(40, 160)
            else:
                y += rng.choice([-1, 1]) * rng.randint(40, 160)
            points.append((x, y))
        draw.line(points, fill=(40, 160, 130), width=4)
        draw.ellipse([x - 7, y - 7, x + 7, y + 7], fill=(200, 180, 80))
    draw.rectangle([550, 200, 1050, 700], fill=(45, 50, 55), outline=(200, 180, 80), width=6)
    for n in range(12):
        for side in (0, 1):
            x = 580 + n * 40
            y = 170 if side == 0 else 700
            draw.rectangle([x, y, x + 18, y + 30], fill=(210, 190, 90))
            draw.rectangle([520 if side == 0 else 1050, 230 + n * 40,
                            550 if side == 0 else 1080, 248 + n * 40], fill=(210, 190, 90))
    draw.rectangle([650, 300, 950, 600], fill=(70, 80, 90))
    return image


def chart(rng: random.Random) -> Image.Image:
    image = _sky((245, 245, 240), (230, 232, 228))
    draw = ImageDraw.Draw(image)
    for y in range(150, 800, 110):
        draw.line([(100, y), (1500, y)], fill=(200, 200, 195), width=2)
    x, y, points = 100, 650, []
    for _ in range(40):
        points.append((x, y))
        x += 35
        y = max(180, min(760, y + rng.randint(-70, 45)))
    draw.line(points, fill=(180, 40, 40), width=8)
    for n in range(14):
        h = rng.randint(60, 260)
        draw.rectangle([130 + n * 100, 800 - h, 190 + n * 100, 800], fill=(40, 90, 150))
    return image


def factory(rng: random.Random) -> Image.Image:
    image = _sky((170, 200, 225), (235, 235, 230), 620)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 620, W, H], fill=(110, 110, 105))
    for n in range(5):
        x = 150 + n * 260
        draw.polygon([(x, 620), (x, 420), (x + 130, 340), (x + 130, 420), (x + 260, 340),
                      (x + 260, 620)], fill=(150, 80, 60))
    for x in (300, 700, 1150):
        draw.rectangle([x, 150, x + 60, 420], fill=(120, 60, 50))
        for k in range(5):
            r = 40 + k * 18
            draw.ellipse([x - 20 + k * 60, 110 - k * 25 - r, x + 20 + k * 60 + r,
                          110 - k * 25 + r // 2], fill=(235, 235, 235))
    return image


def cocoa(rng: random.Random) -> Image.Image:
    image = _sky((60, 110, 50), (30, 70, 35))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randint(0, W), rng.randint(0, H)
        draw.ellipse([x - 160, y - 40, x + 160, y + 40], fill=(50, 120 + rng.randint(0, 60), 50))
    for n in range(7):
        x, y = 200 + n * 200, 350 + rng.randint(-120, 160)
        colour = rng.choice([(200, 120, 40), (170, 80, 40), (220, 160, 50)])
        draw.ellipse([x - 70, y - 130, x + 70, y + 130], fill=colour)
        for k in range(-2, 3):
            draw.line([(x + k * 25, y - 120), (x + k * 25, y + 120)],
                      fill=tuple(c - 40 for c in colour), width=4)
    return image


def port(rng: random.Random) -> Image.Image:
    image = _sky((120, 170, 215), (220, 230, 240), 560)
    draw = ImageDraw.Draw(image)
    _waves(draw, 700, (30, 80, 120), rng, rows=4)
    draw.rectangle([0, 560, W, 700], fill=(150, 150, 150))
    colours = [(200, 60, 50), (40, 90, 160), (230, 160, 40), (60, 140, 90), (120, 120, 130)]
    for row in range(4):
        for col in range(14):
            x, y = 60 + col * 105, 640 - row * 45
            if rng.random() < 0.85:
                draw.rectangle([x, y - 40, x + 100, y], fill=rng.choice(colours),
                               outline=(60, 60, 60), width=2)
    for x in (250, 800, 1300):
        draw.rectangle([x, 200, x + 30, 560], fill=(220, 90, 40))
        draw.rectangle([x + 140, 200, x + 170, 560], fill=(220, 90, 40))
        draw.rectangle([x - 120, 180, x + 330, 215], fill=(220, 90, 40))
    return image


def planet(rng: random.Random) -> Image.Image:
    image = Image.new("RGB", (W, H), (5, 8, 25))
    draw = ImageDraw.Draw(image)
    for _ in range(400):
        x, y, s = rng.randint(0, W), rng.randint(0, H), rng.choice([1, 1, 2, 3])
        draw.ellipse([x, y, x + s, y + s], fill=(255, 255, 255))
    draw.ellipse([1200, -200, 1900, 500], fill=(255, 200, 120))
    for r in range(260, 0, -10):
        shade = int(60 + (260 - r) * 0.6)
        draw.ellipse([600 - r, 480 - r, 600 + r, 480 + r], fill=(40, shade, 180))
    for k in range(6):
        y = 380 + k * 40
        draw.arc([350, y - 20, 850, y + 20], 0, 180, fill=(120, 200, 230), width=5)
    return image


def glacier(rng: random.Random) -> Image.Image:
    image = _sky((170, 210, 240), (235, 245, 250), 420)
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 420), (300, 300), (700, 340), (1100, 280), (W, 360), (W, 600),
                  (0, 600)], fill=(235, 245, 250))
    for x in range(0, W, 70):
        draw.line([(x, 430), (x + rng.randint(-20, 20), 600)], fill=(170, 210, 230), width=5)
    _waves(draw, 600, (20, 60, 100), rng)
    for _ in range(6):
        x, y = rng.randint(0, W), rng.randint(650, 850)
        draw.polygon([(x, y), (x + 60, y - 40), (x + 120, y)], fill=(230, 245, 250))
    return image


def marathon(rng: random.Random) -> Image.Image:
    image = _sky((140, 190, 230), (240, 230, 200), 400)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 400, W, H], fill=(120, 170, 90))
    draw.polygon([(700, 400), (900, 400), (1500, H), (100, H)], fill=(90, 90, 95))
    draw.line([(800, 400), (800, H)], fill=(240, 240, 240), width=6)
    for n in range(9):
        x = 450 + n * 80 + rng.randint(-20, 20)
        y = 620 + rng.randint(-40, 60)
        colour = rng.choice([(220, 60, 60), (40, 120, 200), (250, 200, 50), (255, 255, 255)])
        draw.ellipse([x - 14, y - 100, x + 14, y - 72], fill=(120, 80, 60))
        draw.rectangle([x - 16, y - 72, x + 16, y - 20], fill=colour)
        draw.line([(x, y - 20), (x - 20, y + 30)], fill=(60, 60, 60), width=9)
        draw.line([(x, y - 20), (x + 22, y + 25)], fill=(60, 60, 60), width=9)
    return image


def football(rng: random.Random) -> Image.Image:
    image = Image.new("RGB", (W, H), (40, 130, 60))
    draw = ImageDraw.Draw(image)
    for n in range(0, W, 200):
        draw.rectangle([n, 0, n + 100, H], fill=(50, 145, 70))
    draw.rectangle([80, 80, W - 80, H - 80], outline=(240, 240, 240), width=8)
    draw.line([(W // 2, 80), (W // 2, H - 80)], fill=(240, 240, 240), width=8)
    draw.ellipse([W // 2 - 140, H // 2 - 140, W // 2 + 140, H // 2 + 140],
                 outline=(240, 240, 240), width=8)
    draw.rectangle([80, 250, 330, 650], outline=(240, 240, 240), width=8)
    draw.rectangle([W - 330, 250, W - 80, 650], outline=(240, 240, 240), width=8)
    draw.ellipse([960, 380, 1040, 460], fill=(250, 250, 250), outline=(30, 30, 30), width=4)
    return image


def tennis(rng: random.Random) -> Image.Image:
    image = Image.new("RGB", (W, H), (40, 100, 170))
    draw = ImageDraw.Draw(image)
    draw.polygon([(300, 150), (1300, 150), (1550, 850), (50, 850)], fill=(60, 130, 200),
                 outline=(250, 250, 250), width=8)
    draw.line([(175, 500), (1425, 500)], fill=(30, 30, 30), width=14)
    draw.line([(800, 150), (800, 850)], fill=(250, 250, 250), width=6)
    draw.ellipse([1080, 260, 1130, 310], fill=(210, 230, 60))
    return image


def deepsea(rng: random.Random) -> Image.Image:
    image = _sky((10, 40, 80), (2, 8, 20))
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x, y, r = rng.randint(0, W), rng.randint(0, H), rng.randint(15, 50)
        colour = rng.choice([(255, 120, 160), (120, 230, 220), (250, 200, 90), (180, 140, 255)])
        draw.ellipse([x - r, y - r // 2, x + r, y + r // 2], fill=colour)
        for k in range(4):
            draw.line([(x - r // 2 + k * r // 3, y), (x - r // 2 + k * r // 3 + rng.randint(
                -10, 10), y + r * 2)], fill=colour, width=3)
    draw.rectangle([0, 820, W, H], fill=(40, 35, 30))
    return image


def battery(rng: random.Random) -> Image.Image:
    image = _sky((235, 240, 245), (210, 220, 230))
    draw = ImageDraw.Draw(image)
    for n in range(4):
        x = 240 + n * 300
        draw.rounded_rectangle([x, 250, x + 200, 750], radius=30, fill=(60, 70, 85))
        draw.rectangle([x + 70, 220, x + 130, 250], fill=(60, 70, 85))
        level = rng.randint(2, 5)
        for k in range(level):
            draw.rectangle([x + 25, 630 - k * 90, x + 175, 700 - k * 90], fill=(90, 200, 120))
    return image


# Which story each picture illustrates (the file name is the feed's).
DRAWINGS: dict[str, Callable[[random.Random], Image.Image]] = {
    "lisbon-seawall": seawall, "sahel-drought": drought, "amazon-canopy": forest,
    "ballot-box": ballot, "medicine-pool": pills, "delhi-smog": smog, "typhoon-quilla": typhoon,
    "chip-board": chips, "bond-chart": chart, "factory-orders": factory, "cocoa-pods": cocoa,
    "harbor-port": port, "mini-neptune": planet, "glacier-front": glacier,
    "sodium-cell": battery, "deep-sea": deepsea, "marathon-road": marathon,
    "football-pitch": football, "tennis-court": tennis,
}


def main() -> None:
    PICTURES_DIR.mkdir(exist_ok=True)
    for n, (name, drawing) in enumerate(sorted(DRAWINGS.items())):
        image = drawing(random.Random(n))
        image.save(PICTURES_DIR / f"{name}.jpg", "JPEG", quality=78, optimize=True,
                   progressive=True)


if __name__ == "__main__":
    main()
