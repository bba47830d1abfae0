"""The decorative drawing of each card template (medal, bars, network, seal, chart, podium).

Motifs are pure shapes in the brand's colours, no text. Each is drawn on a transparent
layer three times larger than needed and scaled down, which gives smooth edges that
Pillow's shape drawing lacks. They are part of the cached background, so their cost is
paid once per brand, template and size.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw

from plm_desktop.cards.contrast import RGB, mix

SUPERSAMPLE = 3


@dataclass(frozen=True)
class MotifColours:
    """Colours a motif may use."""

    primary: RGB
    secondary: RGB
    background: RGB
    ink: RGB

    @property
    def light(self) -> RGB:
        """The primary colour softened toward the background."""
        return mix(self.primary, self.background, 0.55)

    @property
    def faint(self) -> RGB:
        return mix(self.primary, self.background, 0.82)

    @property
    def on_primary(self) -> RGB:
        """White or near-black, whichever stands out on the primary colour."""
        return (255, 255, 255) if sum(self.primary) < 480 else (17, 24, 39)


Drawer = Callable[[ImageDraw.ImageDraw, int, int, MotifColours], None]


def _star(cx: float, cy: float, outer: float, inner: float, points: int = 5) -> list:
    out = []
    for i in range(points * 2):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / points
        out.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return out


def _ribbons(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, c: MotifColours) -> None:
    dark = mix(c.secondary, (0, 0, 0), 0.2)
    for side, colour in ((-1, c.secondary), (1, dark)):
        x0 = cx + side * r * 0.25
        x1 = cx + side * r * 0.85
        top = cy + r * 0.35
        bottom = cy + r * 1.55
        notch = bottom - r * 0.22
        mid = (x0 + x1) / 2
        draw.polygon(
            [(x0, top), (x1, top - r * 0.15), (x1, bottom), (mid, notch), (x0, bottom)],
            fill=colour,
        )


def _person(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, colour: RGB) -> None:
    head = r * 0.34
    draw.ellipse((cx - head, cy - r * 0.62, cx + head, cy - r * 0.62 + 2 * head), fill=colour)
    body_w = r * 0.62
    draw.pieslice(
        (cx - body_w, cy + r * 0.02, cx + body_w, cy + r * 0.02 + 2 * body_w * 0.9),
        180,
        360,
        fill=colour,
    )


def draw_medal(draw: ImageDraw.ImageDraw, w: int, h: int, c: MotifColours) -> None:
    """Getting Started Champion: a medal on two ribbons with a star."""
    r = min(w * 0.36, h * 0.3)
    cx, cy = w / 2, h * 0.38
    _ribbons(draw, cx, cy, r, c)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=c.primary)
    ring = r * 0.82
    draw.ellipse(
        (cx - ring, cy - ring, cx + ring, cy + ring), outline=c.on_primary, width=int(r * 0.05)
    )
    draw.polygon(_star(cx, cy, r * 0.52, r * 0.22), fill=c.on_primary)
    _sparkles(draw, w, h, c, seed=1)


def draw_bars(draw: ImageDraw.ImageDraw, w: int, h: int, c: MotifColours) -> None:
    """Productivity Machine: rising bars crowned with a tick."""
    heights = (0.28, 0.42, 0.5, 0.66, 0.86)
    n = len(heights)
    left, right, base = w * 0.1, w * 0.9, h * 0.9
    slot = (right - left) / n
    bar_w = slot * 0.68
    radius = bar_w * 0.22
    for i, frac in enumerate(heights):
        x0 = left + i * slot + (slot - bar_w) / 2
        top = base - frac * h * 0.78
        colour = c.secondary if i == n - 1 else mix(c.primary, c.background, 0.5 - i * 0.1)
        draw.rounded_rectangle((x0, top, x0 + bar_w, base), radius=radius, fill=colour)
    draw.line((left, base, right, base), fill=c.light, width=max(2, int(h * 0.012)))
    tick_r = bar_w * 0.42
    tx = left + (n - 1) * slot + slot / 2
    ty = base - heights[-1] * h * 0.78 - tick_r * 1.5
    draw.ellipse((tx - tick_r, ty - tick_r, tx + tick_r, ty + tick_r), fill=c.primary)
    draw.line(
        [
            (tx - tick_r * 0.45, ty + tick_r * 0.02),
            (tx - tick_r * 0.1, ty + tick_r * 0.36),
            (tx + tick_r * 0.5, ty - tick_r * 0.32),
        ],
        fill=c.on_primary,
        width=max(2, int(tick_r * 0.2)),
        joint="curve",
    )


def draw_network(draw: ImageDraw.ImageDraw, w: int, h: int, c: MotifColours) -> None:
    """Team Builder: a person at the centre joined to the teammates they brought in."""
    cx, cy = w / 2, h / 2
    ring = min(w, h) * 0.36
    centre_r = min(w, h) * 0.14
    node_r = min(w, h) * 0.075
    count = 6
    nodes = []
    for i in range(count):
        angle = -math.pi / 2 + i * 2 * math.pi / count
        nodes.append((cx + ring * math.cos(angle), cy + ring * math.sin(angle)))
    line_w = max(2, int(min(w, h) * 0.012))
    for i, (x, y) in enumerate(nodes):
        nx, ny = nodes[(i + 1) % count]
        draw.line((x, y, nx, ny), fill=c.faint, width=line_w)
        draw.line((cx, cy, x, y), fill=c.light, width=line_w)
    for i, (x, y) in enumerate(nodes):
        colour = c.secondary if i % 2 == 0 else mix(c.secondary, c.primary, 0.5)
        draw.ellipse((x - node_r, y - node_r, x + node_r, y + node_r), fill=colour)
        _person(draw, x, y, node_r * 0.8, (255, 255, 255))
    draw.ellipse((cx - centre_r, cy - centre_r, cx + centre_r, cy + centre_r), fill=c.primary)
    _person(draw, cx, cy, centre_r * 0.8, c.on_primary)


def draw_seal(draw: ImageDraw.ImageDraw, w: int, h: int, c: MotifColours) -> None:
    """Power User: a certificate seal with ribbons."""
    r = min(w * 0.34, h * 0.3)
    cx, cy = w / 2, h * 0.4
    _ribbons(draw, cx, cy, r, c)
    points = []
    for i in range(240):
        angle = i * 2 * math.pi / 240
        radius = r * (1 + 0.055 * math.cos(angle * 24))
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=c.primary)
    for frac, width in ((0.8, 0.04), (0.68, 0.02)):
        rr = r * frac
        draw.ellipse(
            (cx - rr, cy - rr, cx + rr, cy + rr), outline=c.on_primary, width=int(r * width)
        )
    draw.polygon(_star(cx, cy, r * 0.4, r * 0.17), fill=c.on_primary)


def draw_chart(draw: ImageDraw.ImageDraw, w: int, h: int, c: MotifColours) -> None:
    """ROI report card: a rising line over a grid, ending in an arrow."""
    pad = min(w, h) * 0.06
    panel = (pad, pad, w - pad, h - pad)
    draw.rounded_rectangle(panel, radius=min(w, h) * 0.06, fill=c.faint)
    left, top, right, bottom = pad * 2.5, pad * 2.5, w - pad * 2.5, h - pad * 2.5
    grid_w = max(1, int(min(w, h) * 0.006))
    for i in range(5):
        y = top + (bottom - top) * i / 4
        draw.line((left, y, right, y), fill=c.light, width=grid_w)
    values = (0.12, 0.22, 0.18, 0.38, 0.46, 0.62, 0.78, 0.92)
    pts = [
        (left + (right - left) * i / (len(values) - 1), bottom - (bottom - top) * v)
        for i, v in enumerate(values)
    ]
    draw.polygon([(left, bottom), *pts, (right, bottom)], fill=mix(c.primary, c.faint, 0.7))
    line_w = max(3, int(min(w, h) * 0.022))
    draw.line(pts, fill=c.primary, width=line_w, joint="curve")
    dot = line_w * 1.1
    for x, y in pts[:-1]:
        draw.ellipse((x - dot, y - dot, x + dot, y + dot), fill=c.primary)
    ex, ey = pts[-1]
    px, py = pts[-2]
    angle = math.atan2(ey - py, ex - px)
    size = line_w * 3.2
    tip = (ex + size * 0.6 * math.cos(angle), ey + size * 0.6 * math.sin(angle))
    wing = 2.5
    draw.polygon(
        [
            tip,
            (ex + size * math.cos(angle + wing), ey + size * math.sin(angle + wing)),
            (ex + size * math.cos(angle - wing), ey + size * math.sin(angle - wing)),
        ],
        fill=c.secondary,
    )


def draw_podium(draw: ImageDraw.ImageDraw, w: int, h: int, c: MotifColours) -> None:
    """Top 5 % weekly stats: a podium with a star over the top step."""
    base = h * 0.92
    block_w = w * 0.26
    gap = w * 0.02
    cx = w / 2
    steps = (
        (cx - block_w * 1.5 - gap, 0.36, mix(c.secondary, c.background, 0.35)),
        (cx - block_w / 2, 0.56, c.primary),
        (cx + block_w / 2 + gap, 0.24, mix(c.secondary, c.background, 0.55)),
    )
    radius = block_w * 0.08
    for x0, frac, colour in steps:
        draw.rounded_rectangle(
            (x0, base - frac * h, x0 + block_w, base), radius=radius, fill=colour
        )
    star_cy = base - 0.56 * h - h * 0.17
    draw.polygon(_star(cx, star_cy, h * 0.13, h * 0.055), fill=c.secondary)
    _sparkles(draw, w, h, c, seed=5)


def _sparkles(draw: ImageDraw.ImageDraw, w: int, h: int, c: MotifColours, seed: int) -> None:
    """A few fixed confetti dots (seeded, so every render is identical)."""
    rng = random.Random(seed)
    for i in range(14):
        x, y = rng.uniform(0.04, 0.96) * w, rng.uniform(0.04, 0.6) * h
        if abs(x - w / 2) < w * 0.3 and y > h * 0.08:
            continue
        r = rng.uniform(0.006, 0.014) * min(w, h)
        colour = c.secondary if i % 2 else c.light
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)


MOTIFS: dict[str, Drawer] = {
    "medal": draw_medal,
    "bars": draw_bars,
    "network": draw_network,
    "seal": draw_seal,
    "chart": draw_chart,
    "podium": draw_podium,
}


def render_motif(
    name: str, size: tuple[int, int], colours: MotifColours, supersample: int = SUPERSAMPLE
) -> Image.Image:
    """The motif ``name`` as a transparent RGBA image of ``size``.

    ``supersample`` is how many times larger it is drawn before scaling down (3 gives
    smooth edges at 1x; 2 is enough when the card itself is drawn at 2x).
    """
    try:
        drawer = MOTIFS[name]
    except KeyError:
        raise ValueError(f"unknown card motif {name!r}; known: {', '.join(MOTIFS)}") from None
    big = (size[0] * supersample, size[1] * supersample)
    layer = Image.new("RGBA", big, (0, 0, 0, 0))
    drawer(ImageDraw.Draw(layer), big[0], big[1], colours)
    return layer.resize(size, Image.Resampling.LANCZOS)
