"""The brand a card is drawn in: product name, logo, two colours, theme and font.

The brand is saved with the database (setting ``brand``), logo included as PNG bytes,
so moving the database file to another laptop keeps the cards looking the same.
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from plm_desktop.cards.contrast import ColourError, parse_colour, to_hex
from plm_desktop.cards.fonts import DEFAULT_FAMILY
from plm_desktop.cards.logo import read_logo_file
from plm_desktop.store import Database

log = logging.getLogger(__name__)

BRAND_SETTING = "brand"
THEMES = ("light", "dark")


class BrandError(ValueError):
    """A brand value is not usable; the message names the field and the value."""


@dataclass(frozen=True)
class Brand:
    """How cards look for this product.

    Attributes:
        product_name: shown on every card and used in the copy as ``{product}``.
        product_url: the product's site; the card footer and ``{link}`` until a
            referral link exists.
        primary: main colour (stat, motif), ``#RRGGBB``.
        secondary: second colour (eyebrow, motif accents), ``#RRGGBB``.
        theme: ``light`` or ``dark`` card background.
        font: a bundled family name (see ``fonts.family_names()``) or a font file path.
        logo_png: the logo, already checked and normalised (see ``logo.read_logo_file``).
    """

    product_name: str = "Your product"
    product_url: str = ""
    primary: str = "#4F46E5"
    secondary: str = "#0E6F8A"
    theme: str = "light"
    font: str = DEFAULT_FAMILY
    logo_png: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for name in ("primary", "secondary"):
            value = getattr(self, name)
            try:
                object.__setattr__(self, name, to_hex(parse_colour(value)))
            except ColourError:
                raise BrandError(f"brand {name} colour: not #RRGGBB: {value!r}") from None
        if self.theme not in THEMES:
            raise BrandError(f"brand theme: {self.theme!r} is not one of {', '.join(THEMES)}")
        if not self.product_name.strip():
            raise BrandError("brand product name: empty")
        if not str(self.font).strip():
            raise BrandError("brand font: empty")

    def with_logo_file(self, path: Path | str) -> Brand:
        """This brand with the logo read from ``path`` (raises ``LogoRejected``)."""
        return replace(self, logo_png=read_logo_file(path))

    def to_setting(self) -> dict[str, Any]:
        """The JSON value stored under the ``brand`` setting."""
        return {
            "product_name": self.product_name,
            "product_url": self.product_url,
            "primary": self.primary,
            "secondary": self.secondary,
            "theme": self.theme,
            "font": self.font,
            "logo_png": base64.b64encode(self.logo_png).decode("ascii") if self.logo_png else None,
        }

    @classmethod
    def from_setting(cls, value: dict[str, Any]) -> Brand:
        """A brand from its stored JSON value; keys it lacks take their defaults.

        Raises:
            BrandError: a stored value is invalid (the message names it).
        """
        if not isinstance(value, dict):
            raise BrandError(f"setting {BRAND_SETTING!r} is not an object: {value!r}")
        known = {k: v for k, v in value.items() if k in _FIELDS and k != "logo_png"}
        logo = value.get("logo_png")
        if logo:
            try:
                known["logo_png"] = base64.b64decode(logo, validate=True)
            except (binascii.Error, TypeError, ValueError):
                raise BrandError(f"setting {BRAND_SETTING!r}: logo_png is not base64") from None
        return cls(**known)


_FIELDS = {f for f in Brand.__dataclass_fields__}


def load_brand(db: Database) -> Brand:
    """The brand saved with ``db``, or the default brand when none was saved."""
    value = db.get_setting(BRAND_SETTING)
    return Brand() if value is None else Brand.from_setting(value)


def save_brand(db: Database, brand: Brand) -> None:
    """Save ``brand`` with ``db``, replacing the earlier one."""
    db.set_setting(BRAND_SETTING, brand.to_setting())
    log.info("saved brand for %s (theme %s, font %s)", brand.product_name, brand.theme, brand.font)
