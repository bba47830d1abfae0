"""Card templates and layouts, read from ``resources/cards``.

``templates.json`` holds the words and motif of each milestone kind's card;
``layouts.json`` holds where things go for each size. Both are checked when read, so a
layout whose boxes leave the safe margin or whose column cannot hold its elements is an
error at load time, not a card with text off its edge.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from plm_desktop.cards.motifs import MOTIFS
from plm_desktop.cards.textfit import TextStyle
from plm_desktop.resources import resource_path

MILESTONE_KINDS = ("first_project", "task_100", "team_builder", "streak_90", "roi", "top_5")
"""Every kind of card: one per milestone kind (``top_5`` is the weekly stats card)."""

ELEMENTS = ("eyebrow", "headline", "name", "stat", "stat_label", "supporting")
"""The text column of every card, top to bottom."""

Box = tuple[int, int, int, int]


class TemplateError(ValueError):
    """A template or layout file is malformed; the message names the file and entry."""


@dataclass(frozen=True)
class CardTemplate:
    """The words and motif of one kind of card (format strings, see templates.json)."""

    kind: str
    name: str
    milestone: str
    eyebrow: str
    headline: str
    stat: str
    stat_label: str
    stat_label_plural: str
    supporting: str
    motif: str


@dataclass(frozen=True)
class ElementLayout:
    """One element of the text column: its style, the most height it may take, the gap
    after it."""

    style: TextStyle
    height: int
    gap: int


@dataclass(frozen=True)
class CardLayout:
    """Where everything goes on a card of one size, at 1x."""

    size: str
    width: int
    height: int
    safe_margin: int
    header: Box
    logo_max_width: int
    motif: Box
    column: Box
    footer: Box
    align: str
    elements: dict[str, ElementLayout]
    header_text: TextStyle
    footer_text: TextStyle

    @property
    def safe_box(self) -> Box:
        m = self.safe_margin
        return (m, m, self.width - 2 * m, self.height - 2 * m)


def _style(raw: dict) -> TextStyle:
    return TextStyle(
        role=raw["role"],
        max_size=int(raw["max"]),
        min_size=int(raw["min"]),
        max_lines=int(raw.get("lines", 1)),
        line_spacing=float(raw.get("spacing", 1.12)),
    )


def _inside(inner: Box, outer: Box) -> bool:
    return (
        inner[0] >= outer[0]
        and inner[1] >= outer[1]
        and inner[0] + inner[2] <= outer[0] + outer[2]
        and inner[1] + inner[3] <= outer[1] + outer[3]
    )


@lru_cache(maxsize=1)
def card_templates() -> dict[str, CardTemplate]:
    """Every kind's template (raises :class:`TemplateError` on a malformed file)."""
    path = resource_path("cards", "templates.json")
    raw = json.loads(path.read_text("utf-8"))
    templates = {}
    for kind in MILESTONE_KINDS:
        entry = raw.get(kind)
        if not isinstance(entry, dict):
            raise TemplateError(f"{path}: no template for milestone kind {kind!r}")
        try:
            template = CardTemplate(kind=kind, **entry)
        except TypeError as exc:
            raise TemplateError(f"{path}: template {kind!r}: {exc}") from None
        if template.motif not in MOTIFS:
            raise TemplateError(f"{path}: template {kind!r}: unknown motif {template.motif!r}")
        templates[kind] = template
    return templates


@lru_cache(maxsize=1)
def card_layouts() -> dict[str, CardLayout]:
    """Every size's layout, checked against its safe margin."""
    path = resource_path("cards", "layouts.json")
    raw = json.loads(path.read_text("utf-8"))
    layouts = {}
    for size, entry in raw.items():
        if size.startswith("_"):
            continue
        try:
            layout = CardLayout(
                size=size,
                width=int(entry["width"]),
                height=int(entry["height"]),
                safe_margin=int(entry["safe_margin"]),
                header=tuple(entry["header"]),
                logo_max_width=int(entry["logo_max_width"]),
                motif=tuple(entry["motif"]),
                column=tuple(entry["column"]),
                footer=tuple(entry["footer"]),
                align=entry.get("align", "left"),
                elements={
                    name: ElementLayout(_style(e), int(e["h"]), int(e.get("gap", 0)))
                    for name, e in entry["elements"].items()
                },
                header_text=_style(entry["header_text"]),
                footer_text=_style(entry["footer_text"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise TemplateError(f"{path}: layout {size!r}: missing or bad value {exc}") from None
        _check_layout(path.name, layout)
        layouts[size] = layout
    return layouts


def _check_layout(file_name: str, layout: CardLayout) -> None:
    where = f"{file_name}: layout {layout.size!r}"
    for name in ("header", "column", "footer"):
        if not _inside(getattr(layout, name), layout.safe_box):
            raise TemplateError(f"{where}: {name} box leaves the safe margin")
    missing = [e for e in ELEMENTS if e not in layout.elements]
    if missing:
        raise TemplateError(f"{where}: no layout for {', '.join(missing)}")
    needed = sum(e.height + e.gap for e in layout.elements.values())
    if needed > layout.column[3]:
        raise TemplateError(
            f"{where}: elements need {needed} px but the column is {layout.column[3]} px tall"
        )
    if layout.align not in ("left", "center"):
        raise TemplateError(f"{where}: align must be left or center, not {layout.align!r}")
