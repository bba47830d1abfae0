"""Win cards: a milestone drawn as a branded image, with Pillow only (no Qt).

``render_card(spec, brand, size, scale)`` draws a :class:`CardSpec` in a :class:`Brand`;
``card_for_milestone(db, user_id, kind, week)`` builds the spec from the store.
"""

from plm_desktop.cards.brand import Brand, BrandError, load_brand, save_brand
from plm_desktop.cards.fonts import FontNotFound, family_names
from plm_desktop.cards.logo import LogoRejected, read_logo_file
from plm_desktop.cards.milestone_cards import (
    NoMilestone,
    UnknownUser,
    WinFacts,
    card_for_milestone,
    win_facts,
)
from plm_desktop.cards.render import (
    SIZES,
    CardError,
    CardSpec,
    RenderedCard,
    encode_png,
    render_card,
    save_png,
)
from plm_desktop.cards.templates import MILESTONE_KINDS

__all__ = [
    "MILESTONE_KINDS",
    "SIZES",
    "Brand",
    "BrandError",
    "CardError",
    "CardSpec",
    "FontNotFound",
    "LogoRejected",
    "NoMilestone",
    "RenderedCard",
    "UnknownUser",
    "WinFacts",
    "card_for_milestone",
    "encode_png",
    "family_names",
    "load_brand",
    "read_logo_file",
    "render_card",
    "save_brand",
    "save_png",
    "win_facts",
]
