"""Rendering a win card: a spec (who, what, the stat) in a brand at one size.

The background (gradient, glow, the template's motif) depends only on the brand's
colours, the theme, the template and the size, so it is built once and kept; a render
then copies it and draws the logo and the text, which is what makes a live preview
cheap. The same inputs always give the same pixels.
"""

from __future__ import annotations

import io
import logging
import threading
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from plm_desktop.cards.brand import Brand
from plm_desktop.cards.contrast import (
    RGB,
    ensure_contrast,
    mix,
    parse_colour,
    to_hex,
)
from plm_desktop.cards.fonts import load_font, resolve_family
from plm_desktop.cards.logo import load_logo
from plm_desktop.cards.motifs import MotifColours, render_motif
from plm_desktop.cards.templates import (
    ELEMENTS,
    MILESTONE_KINDS,
    Box,
    CardLayout,
    card_layouts,
    card_templates,
)
from plm_desktop.cards.textfit import FittedText, TextStyle, fit_text

log = logging.getLogger(__name__)

SIZES: dict[str, tuple[int, int]] = {
    "linkedin": (1200, 627),
    "square": (1200, 1200),
    "portrait": (1080, 1350),
}
"""Card sizes by name, in pixels at 1x: where the card will be posted."""

SCALES = (1, 2)
PNG_COMPRESS_LEVEL = 1
"""zlib level for card PNGs: level 1 is several times faster than 6 for ~10% more bytes."""

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_THEMES = {
    # background start, ink (main text), muted (secondary text)
    "light": ((255, 255, 255), (17, 24, 39), (75, 85, 99)),
    "dark": ((12, 15, 24), (248, 250, 252), (203, 213, 225)),
}


# FreeType faces and the caches here are shared by every render; the window may render a
# preview on a worker thread while another is encoded, so renders take turns.
_RENDER_LOCK = threading.Lock()


class CardError(ValueError):
    """A card cannot be rendered as asked (unknown size, kind or scale)."""


@dataclass(frozen=True)
class CardSpec:
    """What one card says. Every text is final: the renderer only fits and draws it.

    Attributes:
        kind: the milestone kind, which picks the template (motif, default words).
        name: the user's full name as it should appear.
        stat: the big number, already formatted (``"1,204"``, ``"#3"``).
        stat_label: the words under the stat (``"tasks completed"``).
        headline: the card's title; empty takes the template's.
        eyebrow: the small line above the headline; empty takes the template's.
        supporting: one line of context under the stat.
        card_date: the date shown in the footer (the milestone's week).
        date_prefix: words before the date (``"Week of"``).
        user_id: whose card this is (not drawn; for file names and logs).
    """

    kind: str
    name: str
    stat: str
    stat_label: str = ""
    headline: str = ""
    eyebrow: str = ""
    supporting: str = ""
    card_date: date | None = None
    date_prefix: str = ""
    user_id: str = ""


@dataclass
class RenderedCard:
    """A rendered card and what the renderer had to change to draw it well.

    Attributes:
        image: the card, RGB.
        adjustments: human-readable notes (colours darkened for contrast, text shrunk
            or cut short), empty when the card is exactly as asked.
        size: the size name; ``scale`` 1 or 2.
        safe_box: (x, y, width, height) that all text stays inside, in image pixels.
        text_mask: when asked for, an ``L`` image where every text pixel drawn is
            non-zero (used to check that text stays inside ``safe_box``).
    """

    image: Image.Image
    adjustments: list[str]
    size: str
    scale: int
    safe_box: Box
    fitted: dict[str, FittedText] = field(default_factory=dict, repr=False)
    text_mask: Image.Image | None = field(default=None, repr=False)


def format_date(day: date) -> str:
    """``date(2026, 11, 30)`` as ``"30 November 2026"`` (fixed English, any locale)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _scaled(box: Box, scale: int) -> Box:
    return tuple(v * scale for v in box)  # type: ignore[return-value]


@dataclass(frozen=True)
class _Background:
    image: Image.Image
    column_colours: tuple[RGB, ...]
    header_colours: tuple[RGB, ...]
    footer_colours: tuple[RGB, ...]


def _sample_colours(image: Image.Image, box: Box) -> tuple[RGB, ...]:
    """The colours under ``box``, averaged over small blocks (for contrast checks)."""
    x, y, w, h = box
    crop = image.crop((x, y, x + w, y + h)).resize((24, 12), Image.Resampling.BOX)
    return tuple(sorted(colour for _count, colour in crop.getcolors(24 * 12)))


# Twelve covers every template at two sizes; a 2x portrait background alone is ~17 MB.
@lru_cache(maxsize=12)
def _background(
    kind: str, size: str, scale: int, theme: str, primary: RGB, secondary: RGB
) -> _Background:
    layout = card_layouts()[size]
    width, height = layout.width * scale, layout.height * scale
    start, ink, _muted = _THEMES[theme]
    end = mix(start, primary, 0.10 if theme == "light" else 0.16)

    # Gradient and glow are smooth, so they are made at an eighth of the size and scaled
    # up: the same look for a fraction of the work.
    small = (max(2, width // 8), max(2, height // 8))
    vertical = Image.linear_gradient("L").resize(small, Image.Resampling.BILINEAR)
    horizontal = vertical.transpose(Image.Transpose.ROTATE_90).resize(small)
    ramp = ImageChops.add(vertical, ImageChops.invert(horizontal), scale=2.0)
    base = Image.composite(Image.new("RGB", small, end), Image.new("RGB", small, start), ramp)

    mx, my, mw, mh = layout.motif
    glow = Image.new("L", small, 0)
    cx, cy = (mx + mw / 2) * scale / 8, (my + mh / 2) * scale / 8
    radius = max(mw, mh) * scale / 8 * 0.55
    ImageDraw.Draw(glow).ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=90)
    glow = glow.filter(ImageFilter.GaussianBlur(radius * 0.45))
    tint = mix(start, secondary, 0.35 if theme == "light" else 0.4)
    base = Image.composite(Image.new("RGB", small, tint), base, glow)
    image = base.resize((width, height), Image.Resampling.BICUBIC)

    template = card_templates()[kind]
    colours = MotifColours(primary, secondary, start, ink)
    if template.motif == "seal":
        _draw_frame(image, layout, scale, colours)
    motif_box = _scaled(layout.motif, scale)
    motif = render_motif(
        template.motif, (motif_box[2], motif_box[3]), colours, supersample=4 - scale
    )
    image.paste(motif, (motif_box[0], motif_box[1]), motif)

    return _Background(
        image,
        _sample_colours(image, _scaled(layout.column, scale)),
        _sample_colours(image, _scaled(layout.header, scale)),
        _sample_colours(image, _scaled(layout.footer, scale)),
    )


def _draw_frame(image: Image.Image, layout: CardLayout, scale: int, c: MotifColours) -> None:
    """The certificate's double border, in the margin outside the safe box."""
    draw = ImageDraw.Draw(image)
    m = layout.safe_margin * scale
    w, h = image.size
    outer, inner = round(m * 0.3), round(m * 0.55)
    draw.rectangle(
        (outer, outer, w - outer - 1, h - outer - 1), outline=c.primary, width=max(2, scale * 3)
    )
    draw.rectangle(
        (inner, inner, w - inner - 1, h - inner - 1), outline=c.secondary, width=max(1, scale)
    )


@lru_cache(maxsize=16)
def _logo_image(logo_png: bytes, box_w: int, box_h: int) -> Image.Image:
    logo = load_logo(logo_png, source="brand logo")
    logo.thumbnail((box_w, box_h), Image.Resampling.LANCZOS)
    return logo


@lru_cache(maxsize=256)
def _text_mask(text: str, path: Path, size: int) -> tuple[Image.Image, int, int] | None:
    """``text`` rasterised once as an ``L`` mask, with its offset from the baseline origin.

    Rasterising glyphs is most of a render's cost; a preview redraws mostly unchanged
    lines, so each is drawn once and pasted from here afterwards.
    """
    font = load_font(path, size)
    left, top, right, bottom = font.getbbox(text, anchor="ls")
    if right <= left or bottom <= top:
        return None
    mask = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, font=font, fill=255, anchor="ls")
    return mask, left, top


class _Painter:
    """Draws fitted text onto the card and, when asked, onto a text mask too."""

    def __init__(self, image: Image.Image, with_mask: bool) -> None:
        self.image = image
        self.mask = Image.new("L", image.size, 0) if with_mask else None

    def text(self, fitted: FittedText, box: Box, y: int, colour: RGB, align: str) -> None:
        x0, _y0, width, _h = box
        baseline = y
        for index, line in enumerate(fitted.lines):
            baseline += line.ascent if index == 0 else fitted.gap
            if align == "center":
                origin = x0 + (width - line.width) // 2 - line.left
            elif align == "right":
                origin = x0 + width - line.width - line.left
            else:
                origin = x0 - line.left
            for run in line.runs:
                found = _text_mask(run.text, run.path, fitted.size)
                if found is None:
                    continue
                glyphs, left, top = found
                at = (origin + run.x + left, baseline + top)
                self.image.paste(colour, at, glyphs)
                if self.mask is not None:
                    self.mask.paste(255, at, glyphs)


def render_card(
    spec: CardSpec,
    brand: Brand,
    size: str = "linkedin",
    scale: int = 1,
    *,
    text_mask: bool = False,
) -> RenderedCard:
    """Render ``spec`` in ``brand`` at ``size`` (``linkedin``, ``square``, ``portrait``).

    Args:
        spec: what the card says.
        brand: how it looks.
        size: one of :data:`SIZES`.
        scale: 1, or 2 for twice the pixels (sharper on high-density screens).
        text_mask: also return a mask of every text pixel drawn (for checks).

    Raises:
        CardError: unknown size, kind or scale.
        FontNotFound: the brand's font cannot be found or read.
        LogoRejected: the brand's stored logo cannot be decoded.
    """
    if size not in SIZES:
        raise CardError(f"unknown card size {size!r}; choose one of {', '.join(SIZES)}")
    if spec.kind not in MILESTONE_KINDS:
        raise CardError(
            f"unknown milestone kind {spec.kind!r}; known: {', '.join(MILESTONE_KINDS)}"
        )
    if scale not in SCALES:
        raise CardError(f"scale must be 1 or 2, not {scale!r}")

    with _RENDER_LOCK:
        drawing = _CardDrawing(spec, brand, size, scale, text_mask)
        drawing.header()
        drawing.footer()
        drawing.column()
    log.debug(
        "rendered %s card (%s, %dx) with %d adjustments",
        spec.kind,
        size,
        scale,
        len(drawing.adjustments),
    )
    return RenderedCard(
        image=drawing.image,
        adjustments=drawing.adjustments,
        size=size,
        scale=scale,
        safe_box=_scaled(drawing.layout.safe_box, scale),
        fitted=drawing.fitted,
        text_mask=drawing.painter.mask,
    )


def _plain(text: str, fallback: str) -> str:
    """A template's default words, unless they need data the spec does not carry."""
    return fallback if "{" in text else text


class _CardDrawing:
    """One card being drawn: its layout, colours, and what had to be adjusted so far."""

    def __init__(
        self, spec: CardSpec, brand: Brand, size: str, scale: int, text_mask: bool
    ) -> None:
        self.spec, self.brand, self.size, self.scale = spec, brand, size, scale
        self.layout = card_layouts()[size]
        self.template = card_templates()[spec.kind]
        self.faces = resolve_family(brand.font)
        self.primary = parse_colour(brand.primary)
        self.secondary = parse_colour(brand.secondary)
        self.background = _background(
            spec.kind, size, scale, brand.theme, self.primary, self.secondary
        )
        self.image = self.background.image.copy()
        _start, self.ink, self.muted = _THEMES[brand.theme]
        self.painter = _Painter(self.image, text_mask)
        self.adjustments: list[str] = []
        self.fitted: dict[str, FittedText] = {}

    def colour_for(self, wanted: RGB, backgrounds: tuple[RGB, ...], what: str) -> RGB:
        """``wanted``, or the nearest colour that reads on ``backgrounds`` (reported)."""
        fix = ensure_contrast(wanted, backgrounds)
        if fix.adjusted:
            note = (
                f"{what} colour {to_hex(fix.original)} has only {fix.original_ratio:.1f}:1 "
                f"contrast on the {self.brand.theme} background; drawn as "
                f"{to_hex(fix.colour)} ({fix.ratio:.1f}:1) to meet WCAG AA 4.5:1"
            )
            if note not in self.adjustments:
                self.adjustments.append(note)
        return fix.colour

    def fit(self, text: str, style: TextStyle, box: tuple[int, int], element: str) -> FittedText:
        """``text`` fitted into ``box``; cutting it short is reported."""
        result = fit_text(text, self.faces[style.role], box, style, self.scale)
        self.fitted[element] = result
        if result.ellipsized:
            self.adjustments.append(
                f"{element} too long for the {self.size} card: cut to {result.text!r}"
            )
        return result

    def header(self) -> None:
        """The logo and the product name, top left."""
        x, y, w, h = _scaled(self.layout.header, self.scale)
        text_x = x
        if self.brand.logo_png:
            logo = _logo_image(self.brand.logo_png, self.layout.logo_max_width * self.scale, h)
            self.image.paste(logo, (x, y + (h - logo.height) // 2), logo)
            text_x = x + logo.width + 16 * self.scale
        room = (x + w - text_x, h)
        if room[0] <= 0:
            return
        result = self.fit(self.brand.product_name, self.layout.header_text, room, "product name")
        if result.lines:
            colour = self.colour_for(self.ink, self.background.header_colours, "text")
            top = y + (h - result.height) // 2
            self.painter.text(result, (text_x, y, room[0], h), top, colour, "left")

    def footer(self) -> None:
        """The date bottom left, the product's site bottom right."""
        x, y, w, h = _scaled(self.layout.footer, self.scale)
        colour = self.colour_for(self.muted, self.background.footer_colours, "muted text")
        half = (w - 24 * self.scale) // 2
        spec, style = self.spec, self.layout.footer_text
        if spec.card_date is not None:
            label = " ".join(p for p in (spec.date_prefix, format_date(spec.card_date)) if p)
            result = self.fit(label, style, (half, h), "date")
            top = y + (h - result.height) // 2
            self.painter.text(result, (x, y, half, h), top, colour, "left")
        if self.brand.product_url:
            url = self.brand.product_url
            shown = url.removeprefix("https://").removeprefix("http://").rstrip("/")
            result = self.fit(shown, style, (half, h), "product link")
            top = y + (h - result.height) // 2
            self.painter.text(result, (x + w - half, y, half, h), top, colour, "right")

    def column(self) -> None:
        """The text column: eyebrow, headline, name, stat, its label, the supporting line,
        stacked and centred vertically in the column's box."""
        spec, template = self.spec, self.template
        texts = {
            "eyebrow": (spec.eyebrow or _plain(template.eyebrow, "")).upper(),
            "headline": spec.headline or _plain(template.headline, template.name),
            "name": spec.name,
            "stat": spec.stat,
            "stat_label": spec.stat_label,
            "supporting": spec.supporting,
        }
        under = self.background.column_colours
        colours = {
            "eyebrow": self.colour_for(self.secondary, under, "secondary"),
            "headline": self.colour_for(self.ink, under, "text"),
            "name": self.colour_for(self.ink, under, "text"),
            "stat": self.colour_for(self.primary, under, "primary"),
            "stat_label": self.colour_for(self.ink, under, "text"),
            "supporting": self.colour_for(self.muted, under, "muted text"),
        }
        column = _scaled(self.layout.column, self.scale)
        placed = []
        for element in ELEMENTS:
            if not texts[element].strip():
                continue
            el = self.layout.elements[element]
            box = (column[2], el.height * self.scale)
            result = self.fit(texts[element], el.style, box, element)
            if result.lines:
                placed.append((element, result, el.gap * self.scale))
        total = sum(r.height for _e, r, _g in placed) + sum(g for _e, _r, g in placed[:-1])
        y = column[1] + max(0, (column[3] - total) // 2)
        for element, result, gap in placed:
            self.painter.text(result, column, y, colours[element], self.layout.align)
            y += result.height + gap


def encode_png(
    card: RenderedCard | Image.Image, compress_level: int = PNG_COMPRESS_LEVEL
) -> bytes:
    """The card as PNG bytes (no timestamps or text chunks, so equal cards give equal bytes)."""
    image = card.image if isinstance(card, RenderedCard) else card
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=compress_level)
    return out.getvalue()


def save_png(card: RenderedCard, path: Path | str) -> Path:
    """Write the card as a PNG file at ``path`` (folders created as needed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = encode_png(card)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    log.info("saved %s card to %s (%d bytes)", card.size, path, len(data))
    return path
