"""Pictures for the demo data, drawn with Pillow from a seeded random generator: skies with
a sun or a moon over the sea or hills, city lights out of focus, stage lights over a crowd,
a record on a table; and avatars, a coloured ground with a simple pattern. Each comes with
a short description, the alt text a moment may give it. Same generator, same pixels.

Soft parts (glows, bokeh, light beams) are drawn at a quarter of the size, blurred and
scaled up: blurred, nothing is lost, and the blur reads a sixteenth of the pixels."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

RGB = tuple[int, int, int]
Scene = Callable[[random.Random, tuple[int, int], "Palette"], tuple[Image.Image, str]]

# Moments' pictures: landscape, portrait and square, as phones take them.
PHOTO_SIZES = ((1440, 1080), (1080, 1440), (1080, 1080), (1080, 1350), (1620, 1080))
AVATAR_SIDE = 480  # more than the largest avatar (400): the pipeline scales it down
SOFT = 4  # soft layers are drawn this many times smaller


def _rgb(hex_colour: str) -> RGB:
    value = int(hex_colour.lstrip("#"), 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def _moved(colour: RGB, shift: list[int]) -> RGB:
    r, g, b = (min(255, max(0, c + s)) for c, s in zip(colour, shift, strict=True))
    return r, g, b


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
    return r, g, bl


@dataclass(frozen=True)
class Palette:
    """A sky's colours, top to bottom, a light (sun, moon, lamps) and a dark (land, crowd),
    named for alt texts."""

    name: str
    sky: tuple[RGB, ...]
    light: RGB
    dark: RGB

    def jittered(self, rng: random.Random) -> Palette:
        """The same palette, every colour moved a little: no two pictures quite alike."""
        shift = [rng.randint(-14, 14) for _ in range(3)]
        return Palette(
            self.name,
            tuple(_moved(c, shift) for c in self.sky),
            _moved(self.light, shift),
            _moved(self.dark, shift),
        )


def _palette(name: str, sky: tuple[str, ...], light: str, dark: str) -> Palette:
    return Palette(name, tuple(_rgb(c) for c in sky), _rgb(light), _rgb(dark))


PALETTES = (
    _palette("pink and orange", ("#2b1d4e", "#b2456e", "#f28c5b", "#fcd29f"), "#fff1c9", "#1d1430"),
    _palette("golden", ("#4a6fa5", "#e9a86b", "#f6c667", "#fde9b5"), "#fffbe6", "#3b2a1a"),
    _palette("violet", ("#0f0c29", "#302b63", "#7b4397", "#dc2430"), "#ffd6e0", "#0b0820"),
    _palette("teal", ("#0b3d4f", "#1f7a8c", "#7fc8c4", "#e1f2ef"), "#fdf6e3", "#06232d"),
    _palette("blue", ("#050a30", "#0e2a63", "#3d5a98", "#8fb3de"), "#f4f1de", "#030616"),
    _palette("red", ("#3a0c1e", "#8e1f2f", "#e2543e", "#f9b384"), "#ffe8c2", "#1e0710"),
    _palette("green", ("#16302b", "#3f6e57", "#a3c69a", "#eef4d7"), "#fffbe0", "#0b1a16"),
    _palette("pastel", ("#a1c4fd", "#c2e9fb", "#fbc2eb", "#fde2e4"), "#ffffff", "#5b5f97"),
    _palette("amber", ("#1b1b2f", "#533a71", "#c86b3c", "#f8b400"), "#fff3b0", "#120f1c"),
    _palette("grey", ("#232526", "#414345", "#8e9eab", "#d7dde1"), "#fafafa", "#101112"),
)


def gradient(size: tuple[int, int], stops: tuple[RGB, ...]) -> Image.Image:
    """A vertical gradient through `stops`, evenly spaced, top to bottom."""
    h = size[1]
    column = []
    for y in range(h):
        at = y / max(h - 1, 1) * (len(stops) - 1)
        i = min(int(at), len(stops) - 2)
        column.append(_mix(stops[i], stops[i + 1], at - i))
    strip = Image.new("RGB", (1, h))
    strip.putdata(column)
    return strip.resize(size, Image.Resampling.NEAREST)  # every column the same


def soft(
    size: tuple[int, int], blur: float, draw: Callable[[ImageDraw.ImageDraw], None]
) -> Image.Image:
    """An RGBA layer drawn small by `draw` (coordinates in the small layer), blurred and
    scaled up to `size`."""
    small = Image.new("RGBA", (size[0] // SOFT, size[1] // SOFT), (0, 0, 0, 0))
    draw(ImageDraw.Draw(small))
    return small.filter(ImageFilter.GaussianBlur(blur)).resize(size, Image.Resampling.BILINEAR)


def glow(image: Image.Image, centre: tuple[float, float], radius: float, colour: RGB) -> None:
    """A soft halo around `centre`, then a crisp disc of `radius`."""
    half = round(radius * 4.5) // SOFT * SOFT  # the halo and its blur, no more
    c, r = half / SOFT, radius / SOFT
    mask = Image.new("L", (2 * half // SOFT,) * 2)
    draw = ImageDraw.Draw(mask)
    for scale, alpha in ((3.2, 40), (2.0, 70), (1.3, 120)):
        draw.ellipse((c - r * scale, c - r * scale, c + r * scale, c + r * scale), alpha)
    mask = mask.filter(ImageFilter.GaussianBlur(r * 0.8))
    x, y = round(centre[0]) - half, round(centre[1]) - half
    image.paste(colour, (x, y, x + 2 * half, y + 2 * half), mask.resize((2 * half,) * 2))
    ImageDraw.Draw(image).ellipse(
        (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius), colour
    )


def ridge(
    rng: random.Random, width: int, base: float, amplitude: float
) -> list[tuple[float, float]]:
    """A line of hills: a few sine waves summed, every 8 pixels across."""
    waves = [
        (rng.uniform(0.5, 4) / width, rng.uniform(0, math.tau), rng.random()) for _ in range(4)
    ]
    total = sum(w for _, _, w in waves)
    return [
        (x, base - amplitude * sum(w * math.sin(f * x * math.tau + p) for f, p, w in waves) / total)
        for x in range(0, width + 8, 8)
    ]


def land(image: Image.Image, points: list[tuple[float, float]], colour: RGB) -> None:
    w, h = image.size
    ImageDraw.Draw(image).polygon([*points, (w, h), (0, h)], colour)


# --- moments -------------------------------------------------------------------------------


def sun_over_sea(rng: random.Random, size: tuple[int, int], p: Palette) -> tuple[Image.Image, str]:
    w, h = size
    horizon = round(h * rng.uniform(0.55, 0.7))
    image = gradient((w, horizon), p.sky).convert("RGBA")
    sea = gradient((w, h - horizon), (_mix(p.sky[-1], p.dark, 0.45), p.dark)).convert("RGBA")
    canvas = Image.new("RGBA", size)
    canvas.paste(image, (0, 0))
    canvas.paste(sea, (0, horizon))
    sun_x, radius = rng.uniform(0.25, 0.75) * w, rng.uniform(0.05, 0.09) * w
    glow(canvas, (sun_x, horizon - radius * rng.uniform(0.1, 1.4)), radius, p.light)
    canvas.paste(sea.crop((0, 0, w, h - horizon)), (0, horizon))  # the sea hides a setting sun
    draw = ImageDraw.Draw(canvas, "RGBA")
    for i in range(70):  # its reflection, broken by the waves
        y = horizon + (h - horizon) * (i / 70) ** 1.3 + rng.uniform(0, 6)
        half = radius * (0.3 + 1.6 * i / 70) * rng.uniform(0.3, 1.2)
        x = sun_x + rng.gauss(0, radius * 0.25)
        draw.line((x - half, y, x + half, y), (*p.light, rng.randint(60, 170)), width=3)
    return canvas, f"A {p.name} sunset over the sea"


def moon_over_hills(
    rng: random.Random, size: tuple[int, int], p: Palette
) -> tuple[Image.Image, str]:
    w, h = size
    night = (_mix(p.dark, p.sky[0], 0.5), p.sky[0], p.sky[1])
    canvas = gradient(size, night).convert("RGBA")
    draw = ImageDraw.Draw(canvas, "RGBA")
    for _ in range(rng.randint(90, 220)):
        x, y, r = rng.uniform(0, w), rng.uniform(0, h * 0.7), rng.choice((1, 1, 2, 3))
        draw.ellipse((x - r, y - r, x + r, y + r), (255, 255, 240, rng.randint(90, 230)))
    radius = rng.uniform(0.04, 0.07) * w
    glow(canvas, (rng.uniform(0.2, 0.8) * w, rng.uniform(0.15, 0.35) * h), radius, p.light)
    layers = rng.randint(2, 4)
    for i in range(layers):
        base = h * (0.62 + 0.1 * i)
        land(canvas, ridge(rng, w, base, h * 0.08), _mix(p.sky[1], p.dark, (i + 1) / layers))
    return canvas, f"The moon over dark hills, a {p.name} night sky"


def hills_at_dusk(rng: random.Random, size: tuple[int, int], p: Palette) -> tuple[Image.Image, str]:
    w, h = size
    canvas = gradient(size, p.sky).convert("RGBA")
    if rng.random() < 0.7:
        glow(canvas, (rng.uniform(0.2, 0.8) * w, h * rng.uniform(0.35, 0.5)), w * 0.06, p.light)
    layers = rng.randint(4, 6)
    for i in range(layers):
        base = h * (0.5 + 0.45 * i / layers)
        colour = _mix(p.sky[-2], p.dark, (i + 1) / layers)
        land(canvas, ridge(rng, w, base, h * (0.05 + 0.02 * i)), colour)
    return canvas, f"Layers of hills fading into a {p.name} dusk"


def city_lights(rng: random.Random, size: tuple[int, int], p: Palette) -> tuple[Image.Image, str]:
    w, h = size
    canvas = gradient(size, (p.dark, _mix(p.dark, p.sky[1], 0.5), p.dark)).convert("RGBA")
    colours = (*p.sky[1:], p.light)

    def bokeh(d: ImageDraw.ImageDraw) -> None:
        for _ in range(rng.randint(40, 80)):
            x, y = rng.uniform(0, w / SOFT), rng.gauss(h / SOFT / 2, h / SOFT / 5)
            r = rng.uniform(4, 22)
            d.ellipse((x - r, y - r, x + r, y + r), (*rng.choice(colours), rng.randint(70, 170)))

    canvas.alpha_composite(soft(size, 1.6, bokeh))
    return canvas, f"City lights out of focus, {p.name} at night"


def stage_lights(rng: random.Random, size: tuple[int, int], p: Palette) -> tuple[Image.Image, str]:
    w, h = size
    canvas = gradient(size, (p.dark, _mix(p.dark, p.sky[0], 0.6))).convert("RGBA")
    sw, sh = w / SOFT, h / SOFT

    def beams(d: ImageDraw.ImageDraw) -> None:
        for _ in range(rng.randint(4, 7)):
            top = rng.uniform(0.1, 0.9) * sw
            bottom = top + rng.uniform(-0.5, 0.5) * sw
            spread = rng.uniform(0.08, 0.2) * sw
            colour = (*rng.choice((*p.sky[1:], p.light)), rng.randint(60, 120))
            d.polygon(
                [(top - 3, 0), (top + 3, 0), (bottom + spread, sh), (bottom - spread, sh)], colour
            )

    canvas.alpha_composite(soft(size, 3, beams))
    draw = ImageDraw.Draw(canvas)
    floor = h * rng.uniform(0.78, 0.86)
    x = -20.0
    while x < w + 20:  # the crowd: heads and shoulders against the light
        head = rng.uniform(0.018, 0.03) * w
        y = floor - rng.uniform(0, 0.05) * h
        draw.ellipse((x - head, y - 2 * head, x + head, y), p.dark)
        draw.rounded_rectangle((x - 2 * head, y - head * 0.3, x + 2 * head, h), head, p.dark)
        if rng.random() < 0.12:  # a raised hand
            draw.line((x + head, y, x + 2.5 * head, y - 5 * head), p.dark, width=round(head * 0.6))
        x += rng.uniform(1.6, 3) * head
    return canvas, f"A crowd under {p.name} stage lights"


def record(rng: random.Random, size: tuple[int, int], p: Palette) -> tuple[Image.Image, str]:
    w, h = size
    canvas = gradient(size, (p.sky[-1], p.sky[-2])).convert("RGBA")
    radius = min(w, h) * rng.uniform(0.36, 0.44)
    cx, cy = w / 2 + rng.uniform(-0.08, 0.08) * w, h / 2 + rng.uniform(-0.08, 0.08) * h

    def shadow(d: ImageDraw.ImageDraw) -> None:
        x, y, r = (cx + radius * 0.06) / SOFT, (cy + radius * 0.08) / SOFT, radius / SOFT
        d.ellipse((x - r, y - r, x + r, y + r), (0, 0, 0, 110))

    canvas.alpha_composite(soft(size, 6, shadow))
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), (18, 18, 20))
    r = radius * 0.96
    while r > radius * 0.38:  # grooves
        grey = rng.randint(26, 44)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(grey, grey, grey + 2), width=2)
        r -= rng.uniform(4, 9)
    label = radius * 0.33
    draw.ellipse((cx - label, cy - label, cx + label, cy + label), p.sky[2])
    draw.ellipse((cx - label * 0.6, cy - label * 0.6, cx + label * 0.6, cy + label * 0.6), p.sky[1])
    draw.ellipse((cx - 8, cy - 8, cx + 8, cy + 8), p.sky[-1])
    return canvas, f"A vinyl record with a {p.name} label"


SCENES: tuple[Scene, ...] = (
    sun_over_sea,
    moon_over_hills,
    hills_at_dusk,
    city_lights,
    stage_lights,
    record,
)


def photo(rng: random.Random) -> tuple[Image.Image, str]:
    """A moment's picture (RGB) and its description."""
    size = rng.choice(PHOTO_SIZES)
    image, description = rng.choice(SCENES)(rng, size, rng.choice(PALETTES).jittered(rng))
    return image.convert("RGB"), description


# --- avatars -------------------------------------------------------------------------------

AVATAR_DESCRIPTIONS = {
    "rings": "Concentric rings",
    "stripes": "Diagonal stripes",
    "dots": "A grid of dots",
    "sun": "A sun over a band of colour",
    "peaks": "A mountain under a small sun",
}


def avatar(rng: random.Random) -> tuple[Image.Image, str]:
    """A profile picture (RGB, square): a coloured ground and a simple pattern, no letter."""
    side = AVATAR_SIDE
    p = rng.choice(PALETTES).jittered(rng)
    ground, ink = rng.sample(p.sky, 2)
    canvas = gradient((side, side), (ground, _mix(ground, p.dark, 0.25)))
    draw = ImageDraw.Draw(canvas)
    pattern = rng.choice(tuple(AVATAR_DESCRIPTIONS))
    c = side / 2
    if pattern == "rings":
        for r in range(side // 2, 0, -side // rng.randint(10, 16)):
            draw.ellipse((c - r, c - r, c + r, c + r), outline=ink, width=side // 40)
    elif pattern == "stripes":
        step = side // rng.randint(5, 9)
        for x in range(-side, side, step):
            draw.polygon(
                [(x, side), (x + step // 2, side), (x + side + step // 2, 0), (x + side, 0)], ink
            )
    elif pattern == "dots":
        step = side // rng.randint(4, 7)
        for y in range(step // 2, side, step):
            for x in range(step // 2, side, step):
                dot = step * rng.uniform(0.15, 0.35)
                draw.ellipse((x - dot, y - dot, x + dot, y + dot), ink)
    elif pattern == "sun":
        sun = side * rng.uniform(0.22, 0.32)
        draw.ellipse((c - sun, c * 1.1 - sun, c + sun, c * 1.1 + sun), p.light)
        draw.rectangle((0, side * 0.68, side, side), ink)
    else:
        points = ridge(rng, side, side * 0.62, side * 0.25)
        draw.polygon([*points, (side, side), (0, side)], ink)
        draw.ellipse((side * 0.68, side * 0.16, side * 0.84, side * 0.32), p.light)
    return canvas, f"{AVATAR_DESCRIPTIONS[pattern]}, {p.name}"
