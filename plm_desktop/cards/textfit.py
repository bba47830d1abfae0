"""Fitting a piece of card text into its box.

Text is first drawn as large as the template allows on one line; if it does not fit it
shrinks, down to the template's minimum size; at the minimum it wraps onto more lines
(at spaces, or anywhere in text without spaces such as CJK); what still does not fit
ends in an ellipsis. Sizes come from the glyphs' real ink boxes, including fallback
fonts, so fitted text never reaches outside its box.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from plm_desktop.cards.fonts import FallbackFinder, load_font, split_runs, system_fallbacks

ELLIPSIS = "\u2026"


@dataclass(frozen=True)
class TextStyle:
    """How one element of a template is set (sizes in pixels at 1x)."""

    role: str
    max_size: int
    min_size: int
    max_lines: int = 1
    line_spacing: float = 1.15


@dataclass(frozen=True)
class PlacedRun:
    """A run of one font within a line, ``x`` pixels from the line's origin."""

    text: str
    path: Path
    x: int


@dataclass(frozen=True)
class FittedLine:
    """One line, measured from its origin on the baseline.

    ``left`` is the ink's left edge relative to the origin (0 or negative), ``width`` the
    ink's full width, ``ascent``/``descent`` how far ink and font metrics reach above and
    below the baseline.
    """

    text: str
    runs: tuple[PlacedRun, ...]
    left: int
    width: int
    ascent: int
    descent: int


@dataclass(frozen=True)
class FittedText:
    """Text laid out to fit a box: its lines, the size used and what had to give."""

    lines: tuple[FittedLine, ...]
    size: int
    gap: int
    shrunk: bool = False
    wrapped: bool = False
    ellipsized: bool = False

    @property
    def height(self) -> int:
        if not self.lines:
            return 0
        return self.lines[0].ascent + self.gap * (len(self.lines) - 1) + self.lines[-1].descent

    @property
    def width(self) -> int:
        return max((line.width for line in self.lines), default=0)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def measure_line(
    text: str, primary: Path, size: int, finder: FallbackFinder | None = None
) -> FittedLine:
    """Lay ``text`` out on one line at ``size`` and measure its ink."""
    return _measure_line(text, primary, size, finder or system_fallbacks())


@lru_cache(maxsize=4096)
def _measure_line(text: str, primary: Path, size: int, finder: FallbackFinder) -> FittedLine:
    base = load_font(primary, size)
    ascent, descent = base.getmetrics()
    runs, x = [], 0.0
    left, right = 0.0, 0.0
    for run in split_runs(text, primary, finder):
        font = load_font(run.path, size)
        x0, top, x1, bottom = font.getbbox(run.text, anchor="ls")
        at = round(x)  # runs sit on whole pixels so their rendered masks can be reused
        if x1 > x0:
            left = min(left, at + x0)
            right = max(right, at + x1)
            ascent = max(ascent, -top)
            descent = max(descent, bottom)
        runs.append(PlacedRun(run.text, run.path, at))
        x += font.getlength(run.text)
    right = max(right, x)
    left_px = int(left) if left >= 0 else -int(-left + 0.999)
    return FittedLine(
        text, tuple(runs), left_px, int(right + 0.999) - left_px, int(ascent), int(descent)
    )


def _gap(size: int, style: TextStyle) -> int:
    return round(size * style.line_spacing)


def _height(lines: list[FittedLine], gap: int) -> int:
    if not lines:
        return 0
    return lines[0].ascent + gap * (len(lines) - 1) + lines[-1].descent


def fit_text(
    text: str,
    primary: Path,
    box: tuple[int, int],
    style: TextStyle,
    scale: int = 1,
    finder: FallbackFinder | None = None,
) -> FittedText:
    """Fit ``text`` into a ``box`` of (width, height) pixels.

    Args:
        text: what to set; runs of whitespace become single spaces.
        primary: the font file for the element's role.
        box: the room available, already scaled.
        style: sizes at 1x; multiplied by ``scale``.
        scale: 1 or 2 (render at twice the pixels for sharpness).
        finder: where fallback fonts come from (default: the system's).
    """
    return _fit_text(
        " ".join(text.split()), primary, box, style, scale, finder or system_fallbacks()
    )


@lru_cache(maxsize=512)
def _fit_text(
    text: str,
    primary: Path,
    box: tuple[int, int],
    style: TextStyle,
    scale: int,
    finder: FallbackFinder,
) -> FittedText:
    width, height = box
    max_size, min_size = style.max_size * scale, style.min_size * scale
    if not text:
        return FittedText((), max_size, _gap(max_size, style))

    def one_line(size: int) -> FittedLine | None:
        line = _measure_line(text, primary, size, finder)
        fits = line.width <= width and line.ascent + line.descent <= height
        return line if fits else None

    line = one_line(max_size)
    if line is not None:
        return FittedText((line,), max_size, _gap(max_size, style))

    lo, hi, best = min_size, max_size - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        found = one_line(mid)
        if found is not None:
            best, lo = (found, mid), mid + 1
        else:
            hi = mid - 1
    if best is not None:
        return FittedText((best[0],), best[1], _gap(best[1], style), shrunk=True)

    return _wrap(text, primary, box, style, min_size, finder)


def _wrap(
    text: str,
    primary: Path,
    box: tuple[int, int],
    style: TextStyle,
    size: int,
    finder: FallbackFinder,
) -> FittedText:
    width, height = box
    gap = _gap(size, style)

    def measure(part: str) -> FittedLine:
        return _measure_line(part, primary, size, finder)

    def fits(part: str) -> bool:
        return measure(part).width <= width

    lines: list[str] = []
    rest = text
    while rest and len(lines) < style.max_lines:
        line, rest = _take_line(rest, fits)
        if not line:
            break
        trial = [measure(t) for t in [*lines, line]]
        if _height(trial, gap) > height:
            rest = f"{line} {rest}".strip()
            break
        lines.append(line)

    ellipsized = False
    if rest:
        ellipsized = True
        last = f"{lines.pop()} {rest}" if lines else rest
        lines.append(_ellipsize(last, fits))
        while lines and _height([measure(t) for t in lines], gap) > height:
            lines.pop()
            if lines:
                lines[-1] = _ellipsize(lines[-1] + " " + ELLIPSIS, fits)

    measured = tuple(measure(t) for t in lines if t)
    return FittedText(
        measured, size, gap, shrunk=True, wrapped=len(measured) > 1, ellipsized=ellipsized
    )


def _take_line(text: str, fits) -> tuple[str, str]:
    """The longest start of ``text`` that fits, broken at a space when there is one."""
    words = text.split(" ")
    line = ""
    for index, word in enumerate(words):
        candidate = f"{line} {word}" if line else word
        if fits(candidate):
            line = candidate
            continue
        if line:
            return line, " ".join(words[index:])
        # A single word wider than the line: break it between characters.
        cut = _longest_prefix(word, fits)
        if cut == 0:
            return "", text
        return word[:cut], " ".join([word[cut:], *words[index + 1 :]]).strip()
    return line, ""


def _longest_prefix(word: str, fits) -> int:
    lo, hi = 0, len(word)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(word[:mid]):
            lo = mid
        else:
            hi = mid - 1
    return lo


def _ellipsize(text: str, fits) -> str:
    """``text`` cut short enough that it fits with a trailing ellipsis."""
    text = text.rstrip()
    if fits(text) and not text.endswith(ELLIPSIS):
        text = text + ELLIPSIS
        if fits(text):
            return text
        text = text[:-1]
    text = text.removesuffix(ELLIPSIS)
    keep = _longest_prefix(text, lambda part: fits(part.rstrip(" ,.;:-") + ELLIPSIS))
    head = text[:keep].rstrip(" ,.;:-")
    return head + ELLIPSIS if head else ""
