"""Colour parsing and WCAG contrast: text on a card must reach AA (4.5:1).

Brand colours are whatever the founder picked; when one would be too faint as text on
the card's background, it is darkened (light theme) or lightened (dark theme) just
enough to pass, keeping its hue, and the change is reported so the founder knows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

RGB = tuple[int, int, int]

AA_TEXT = 4.5
"""WCAG 2.x AA minimum contrast ratio for normal text."""

_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


class ColourError(ValueError):
    """A colour is not written as ``#RRGGBB`` (or ``#RGB``)."""


def parse_colour(text: str) -> RGB:
    """``"#1a2B3c"``, ``"1a2b3c"`` or ``"#abc"`` as an (r, g, b) tuple.

    Raises:
        ColourError: anything else.
    """
    match = _HEX.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ColourError(f"not a colour in the form #RRGGBB: {text!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def to_hex(rgb: RGB) -> str:
    """``(26, 43, 60)`` as ``"#1A2B3C"``."""
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: RGB) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio between two colours, 1 to 21."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def worst_contrast(fg: RGB, backgrounds: Sequence[RGB]) -> float:
    """The lowest ratio of ``fg`` against any of ``backgrounds``."""
    return min(contrast_ratio(fg, bg) for bg in backgrounds)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """``a`` moved a fraction ``t`` of the way toward ``b``."""
    red, green, blue = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
    return red, green, blue


@dataclass(frozen=True)
class ContrastFix:
    """A text colour that passes, and what was done to get it."""

    colour: RGB
    original: RGB
    ratio: float
    original_ratio: float

    @property
    def adjusted(self) -> bool:
        return self.colour != self.original


def ensure_contrast(fg: RGB, backgrounds: Sequence[RGB], minimum: float = AA_TEXT) -> ContrastFix:
    """``fg`` if it reaches ``minimum`` against every background, else the nearest colour
    of the same hue (mixed toward black or white) that does.

    The direction is the one with more room: toward black on light backgrounds, toward
    white on dark ones. Pure black or white always gets there for one background; for
    backgrounds spanning light and dark the better end is returned even if short.
    """
    return _ensure_contrast(tuple(fg), tuple(backgrounds), minimum)


@lru_cache(maxsize=256)
def _ensure_contrast(fg: RGB, backgrounds: tuple[RGB, ...], minimum: float) -> ContrastFix:
    before = worst_contrast(fg, backgrounds)
    if before >= minimum:
        return ContrastFix(fg, fg, before, before)
    black, white = (0, 0, 0), (255, 255, 255)
    target = (
        black
        if worst_contrast(black, backgrounds) >= worst_contrast(white, backgrounds)
        else white
    )
    if worst_contrast(target, backgrounds) < minimum:
        return ContrastFix(target, fg, worst_contrast(target, backgrounds), before)
    lo, hi = 0.0, 1.0
    for _ in range(24):
        mid = (lo + hi) / 2
        if worst_contrast(mix(fg, target, mid), backgrounds) >= minimum:
            hi = mid
        else:
            lo = mid
    colour = mix(fg, target, hi)
    return ContrastFix(colour, fg, worst_contrast(colour, backgrounds), before)
