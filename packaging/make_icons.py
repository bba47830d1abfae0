"""Draw the PLM Desktop app icon at every size desktops ask for.

The icon is a rounded indigo tile with three rising white bars (users climbing the
leaderboard) and a gold star over the tallest (the win worth celebrating). It is drawn
from shapes, not from a source image, so the same Pillow gives the same bytes on every
run: ``python packaging/make_icons.py`` rewrites ``resources/icons/`` and ``git diff``
stays empty unless the design changed.

Writes ``plm-desktop-<size>.png`` for the hicolor sizes 16..512, ``plm-desktop.png``
(256 px, the name the window looks up), ``plm-desktop.ico`` (Windows installer and
executable) and ``plm-desktop.icns`` (macOS ``.app``), assembled from the same drawings.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from PIL import Image, ImageDraw

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICON_NAME = "plm-desktop"

_TILE = (55, 48, 163, 255)  # indigo
_TILE_EDGE = (40, 34, 128, 255)
_BAR = (255, 255, 255, 255)
_STAR = (255, 196, 47, 255)
# Every shape is drawn this many times larger, then scaled down: smooth edges without
# depending on the anti-aliasing of any one drawing primitive.
_SUPERSAMPLE = 8

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "resources" / "icons"


def _star_points(cx: float, cy: float, outer: float, inner: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def draw_icon(size: int) -> Image.Image:
    """The icon as an RGBA image of ``size`` x ``size`` pixels.

    Below 32 px the star is left out and the bars widen: at that size detail turns to
    noise, and three bright bars on indigo still read as the same icon.
    """
    big = size * _SUPERSAMPLE
    unit = big / 64  # the design is laid out on a 64 x 64 grid
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    margin = 2 * unit if size >= 32 else 0.5 * unit
    draw.rounded_rectangle(
        (margin, margin, big - margin, big - margin),
        radius=12 * unit,
        fill=_TILE,
        outline=_TILE_EDGE,
        width=max(1, round(unit)) if size >= 48 else 0,
    )

    small = size < 32
    bar_width = 11 * unit if small else 9 * unit
    gap = 4 * unit if small else 4.5 * unit
    base = 52 * unit
    heights = (14, 23, 32) if small else (12, 20, 28)
    left = (big - (3 * bar_width + 2 * gap)) / 2
    for index, height in enumerate(heights):
        x0 = left + index * (bar_width + gap)
        draw.rounded_rectangle(
            (x0, base - height * unit, x0 + bar_width, base),
            radius=2 * unit,
            fill=_BAR,
        )

    if not small:
        tallest_x = left + 2 * (bar_width + gap) + bar_width / 2
        star_y = base - heights[2] * unit - 9.5 * unit
        draw.polygon(_star_points(tallest_x, star_y, 7.5 * unit, 3.2 * unit), fill=_STAR)

    return image.resize((size, size), Image.Resampling.LANCZOS)


def write_icons(out_dir: Path) -> list[Path]:
    """Write every PNG size plus the ``.ico`` and ``.icns`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    images = {}
    for size in ICON_SIZES:
        images[size] = draw_icon(size)
        path = out_dir / f"{ICON_NAME}-{size}.png"
        images[size].save(path, optimize=True)
        written.append(path)

    # The unsized name is what the window asks for first (gui/theme.py).
    plain = out_dir / f"{ICON_NAME}.png"
    images[256].save(plain, optimize=True)
    written.append(plain)

    ico = out_dir / f"{ICON_NAME}.ico"
    images[256].save(
        ico,
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != 256],
    )
    written.append(ico)

    icns = out_dir / f"{ICON_NAME}.icns"
    images[512].save(icns, append_images=[images[s] for s in (16, 32, 64, 128, 256)])
    written.append(icns)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args()
    for path in write_icons(args.out):
        print(f"wrote {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")


if __name__ == "__main__":
    main()
