"""What the card studio and the share page work on: a card design and the wins to pick.

Plain Python (no Qt): these functions run on the window's worker threads and are
tested like the engine. A :class:`CardDesign` is everything needed to draw one card
(what it says, the brand it is drawn in, the size), so the studio can hand the exact
card the founder designed to the share page.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from plm_desktop.cards import Brand, CardSpec, RenderedCard, encode_png, render_card
from plm_desktop.store import Database

log = logging.getLogger(__name__)

RECENT_WEEKS = 4
"""How many of the latest weeks' wins the pickers list."""

SAMPLE_NAME = "Ada Lovelace"
"""The name on the studio's sample card, shown before a win is chosen."""

_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class CardDesign:
    """One card as the founder designed it.

    Attributes:
        spec: what the card says.
        brand: how it looks (colours, theme, logo), possibly changed in the studio only.
        size: ``linkedin``, ``square`` or ``portrait``.
        milestone_week: the week of the milestone behind the card, or None for a sample.
    """

    spec: CardSpec
    brand: Brand
    size: str = "linkedin"
    milestone_week: str | None = None

    @property
    def user_id(self) -> str:
        return self.spec.user_id

    @property
    def is_sample(self) -> bool:
        """True for the studio's sample card, which celebrates nobody."""
        return not self.spec.user_id

    def file_name(self) -> str:
        """A file name for the saved card: ``ada-lovelace-task_100-2026-11-30.png``."""
        parts = [self.spec.name or "card", self.spec.kind]
        if self.milestone_week:
            parts.append(self.milestone_week)
        stem = _UNSAFE_FILE_CHARS.sub("-", "-".join(parts).lower()).strip("-")
        return f"{stem or 'card'}.png"

    def render(self, scale: int = 1) -> RenderedCard:
        """Draw the card (raises the renderer's ``CardError``/``FontNotFound``)."""
        return render_card(self.spec, self.brand, size=self.size, scale=scale)

    def png(self) -> bytes:
        """The card as PNG bytes, as it is saved and sent."""
        return encode_png(self.render())


@dataclass(frozen=True)
class WinChoice:
    """A milestone a card can be made for, as listed in the pickers.

    Attributes:
        user_id: the advocate.
        kind: the milestone kind.
        week: the milestone's week (ISO Monday).
        label: how the picker shows it ("Ada Lovelace: Productivity Machine, week of ...").
    """

    user_id: str
    kind: str
    week: str
    label: str


def recent_wins(db: Database, weeks: int = RECENT_WEEKS) -> list[WinChoice]:
    """The wins of the latest ``weeks`` weeks with usage, newest week first."""
    from plm_desktop.scoring import milestones_in_week
    from plm_desktop.scoring import weeks as imported_weeks

    choices: list[WinChoice] = []
    for week in reversed(imported_weeks(db)[-weeks:]):
        for milestone in milestones_in_week(db, week):
            who = milestone.name or milestone.email or milestone.user_id
            choices.append(
                WinChoice(
                    user_id=milestone.user_id,
                    kind=milestone.kind,
                    week=milestone.week,
                    label=f"{who}: {milestone.label}, week of {milestone.week}",
                )
            )
    return choices


def design_for_win(db: Database, user_id: str, kind: str | None, week: str | None) -> CardDesign:
    """The card the store suggests for ``user_id``'s milestone, in the saved brand.

    Raises:
        LookupError: the user or the milestone is not in the store (from the cards engine).
        BrandError: the saved brand is unusable.
    """
    from plm_desktop.cards import card_for_milestone, load_brand

    spec = card_for_milestone(db, user_id, kind=kind, week=week)
    milestone_week = spec.card_date.isoformat() if spec.card_date else week
    return CardDesign(spec=spec, brand=load_brand(db), milestone_week=milestone_week)


def sample_design(db: Database | None = None) -> CardDesign:
    """A sample card in the saved brand (the default brand without a database)."""
    from plm_desktop.cards import load_brand

    brand = load_brand(db) if db is not None else Brand()
    spec = CardSpec(
        kind="task_100",
        name=SAMPLE_NAME,
        stat="1,204",
        stat_label="tasks completed",
        supporting=f"Getting real work done in {brand.product_name}.",
        card_date=date.today(),
        date_prefix="Week of",
    )
    return CardDesign(spec=spec, brand=brand)


def with_logo_file(design: CardDesign, path: Path) -> CardDesign:
    """``design`` with the logo read from ``path`` (raises ``LogoRejected``)."""
    return replace(design, brand=design.brand.with_logo_file(path))


def save_card_png(design: CardDesign, target: Path) -> Path:
    """Render ``design`` and write it as a PNG at ``target``; returns the path."""
    from plm_desktop.cards import save_png

    return save_png(design.render(), target)
