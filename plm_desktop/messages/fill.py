"""Filling message templates: the words that go with a win card, per channel and persona.

Templates are data (``resources/messages/templates.json``, overridable per database in
the ``message_templates`` setting). Filling one never sends a ``{stat}`` or an empty gap:
every placeholder the data cannot fill is collected and raised together as
:class:`MissingPlaceholders` before anything leaves the app.
"""

from __future__ import annotations

import json
import logging
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from plm_desktop.messages.length import LINKEDIN_LIMIT, X_LIMIT, linkedin_length, x_length
from plm_desktop.messages.persona import PERSONAS, UnknownPersona
from plm_desktop.resources import resource_path
from plm_desktop.store import Database

log = logging.getLogger(__name__)

CHANNELS = ("slack", "slack-channel", "linkedin", "x")
TEMPLATES_SETTING = "message_templates"
SLACK_LIMIT = 40_000
"""Slack cuts a message's text at 40,000 characters."""

_LIMITS = {
    "slack": (SLACK_LIMIT, len),
    "slack-channel": (SLACK_LIMIT, len),
    "linkedin": (LINKEDIN_LIMIT, linkedin_length),
    "x": (X_LIMIT, x_length),
}
_SLACK_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}

Templates = dict[str, dict[str, dict[str, list[str]]]]


class UnknownChannel(ValueError):
    """A channel other than slack, slack-channel, linkedin or x was asked for."""


class TemplateDataError(ValueError):
    """Stored message templates are malformed; the message says where."""


class MissingPlaceholders(ValueError):
    """The data cannot fill every placeholder of the message; nothing may be sent.

    Attributes:
        channel: the channel the message was for.
        missing: placeholders with no value (``["stat", "link"]``).
        unknown: placeholders no data ever fills (a typo in an edited template).
    """

    def __init__(
        self, channel: str, missing: list[str], unknown: list[str], who: str = ""
    ) -> None:
        self.channel = channel
        self.missing = missing
        self.unknown = unknown
        parts = []
        if missing:
            parts.append("no value for " + ", ".join("{" + m + "}" for m in missing))
        if unknown:
            parts.append("unknown placeholder " + ", ".join("{" + u + "}" for u in unknown))
        target = f" for {who}" if who else ""
        super().__init__(f"cannot fill the {channel} message{target}: " + "; ".join(parts))


class MessageTooLong(ValueError):
    """Even the shortest variant of the message is over the channel's limit."""

    def __init__(self, channel: str, length: int, limit: int) -> None:
        self.channel, self.length, self.limit = channel, length, limit
        super().__init__(
            f"the {channel} message is {length} characters long by {channel}'s count; "
            f"the limit is {limit}"
        )


@dataclass(frozen=True)
class MessageContext:
    """What a message can say about one user's win. None means "not known".

    Attributes:
        name: the user's full name.
        first_name: how to greet them; the first word of ``name`` when None.
        milestone: the milestone in words (``"Productivity Machine"``).
        milestone_kind: the milestone kind, which picks kind-specific templates.
        stat, stat_label: the card's big number and its words.
        top_percent, rank, ranked_count: the week's standing (``top_5``).
        product: the product's name; ``hashtag`` is made from it.
        link: where the post sends people (the advocate's referral link).
        company, title, week: about the user and the week of the win.
        persona: ``ic`` or ``leader`` (from title or the founder's choice).
        extra: further placeholders a founder's edited template may use.
    """

    name: str | None = None
    first_name: str | None = None
    milestone: str | None = None
    milestone_kind: str | None = None
    stat: str | None = None
    stat_label: str | None = None
    top_percent: int | float | str | None = None
    rank: int | str | None = None
    ranked_count: int | str | None = None
    product: str | None = None
    link: str | None = None
    company: str | None = None
    title: str | None = None
    week: str | None = None
    persona: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def values(self) -> dict[str, str | None]:
        """Every placeholder this context can fill, as text (None or "" when unknown)."""
        first = self.first_name
        if first is None and self.name and self.name.strip():
            first = self.name.split()[0]
        values: dict[str, Any] = {
            "name": self.name,
            "first_name": first,
            "milestone": self.milestone,
            "stat": self.stat,
            "stat_label": self.stat_label,
            "top_percent": self.top_percent,
            "rank": self.rank,
            "ranked_count": self.ranked_count,
            "product": self.product,
            "hashtag": product_hashtag(self.product),
            "link": self.link,
            "company": self.company,
            "title": self.title,
            "week": self.week,
        }
        values.update(self.extra)
        return {key: _text(value) for key, value in values.items()}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    return str(value).strip()


def product_hashtag(product: str | None) -> str | None:
    """``"Acme analytics 2"`` as ``"#AcmeAnalytics2"``; None when nothing is left."""
    if not product:
        return None
    words = re.findall(r"\w+", product)
    tag = "".join(w[:1].upper() + w[1:] for w in words).replace("_", "")
    return f"#{tag}" if tag and not tag.isdigit() else None


@lru_cache(maxsize=1)
def _bundled_templates() -> str:
    return resource_path("messages", "templates.json").read_text("utf-8")


def default_templates() -> Templates:
    """The templates shipped with the app (a fresh copy, safe to change)."""
    raw = json.loads(_bundled_templates())
    return _checked(raw, "resources/messages/templates.json")


def _checked(raw: Any, where: str) -> Templates:
    if not isinstance(raw, dict):
        raise TemplateDataError(f"{where}: not an object")
    out: Templates = {}
    for channel, personas in raw.items():
        if channel.startswith("_"):
            continue
        if channel not in CHANNELS:
            raise TemplateDataError(f"{where}: unknown channel {channel!r}")
        if not isinstance(personas, dict):
            raise TemplateDataError(f"{where}: {channel}: not an object")
        for persona, kinds in personas.items():
            if persona not in PERSONAS or not isinstance(kinds, dict):
                raise TemplateDataError(f"{where}: {channel}: bad persona entry {persona!r}")
            for kind, variants in kinds.items():
                if isinstance(variants, str):
                    variants = [variants]
                if not variants or not all(isinstance(v, str) for v in variants):
                    raise TemplateDataError(
                        f"{where}: {channel}/{persona}/{kind}: a list of texts is expected"
                    )
                for variant in variants:
                    try:
                        list(string.Formatter().parse(variant))
                    except ValueError as exc:
                        raise TemplateDataError(
                            f"{where}: {channel}/{persona}/{kind}: {exc}: {variant[:60]!r}"
                        ) from None
                out.setdefault(channel, {}).setdefault(persona, {})[kind] = list(variants)
    return out


def load_templates(db: Database) -> Templates:
    """The bundled templates with the founder's edits (setting ``message_templates``)
    laid over them, entry by entry."""
    templates = default_templates()
    edits = db.get_setting(TEMPLATES_SETTING)
    if edits:
        for channel, personas in _checked(edits, f"setting {TEMPLATES_SETTING!r}").items():
            for persona, kinds in personas.items():
                templates.setdefault(channel, {}).setdefault(persona, {}).update(kinds)
    return templates


def save_template(
    db: Database, channel: str, persona: str, variants: list[str], kind: str = "default"
) -> None:
    """Save the founder's own wording for one channel, persona and kind."""
    edits = db.get_setting(TEMPLATES_SETTING) or {}
    edits.setdefault(channel, {}).setdefault(persona, {})[kind] = list(variants)
    _checked(edits, "the edited template")
    db.set_setting(TEMPLATES_SETTING, edits)
    log.info("saved an edited %s template for %s/%s", channel, persona, kind)


def placeholders(template: str) -> list[str]:
    """The placeholder names in ``template``, in order, without repeats."""
    names = [name for _text, name, _spec, _conv in string.Formatter().parse(template) if name]
    return list(dict.fromkeys(names))


def fill_message(
    channel: str,
    context: MessageContext,
    persona: str | None = None,
    *,
    templates: Templates | None = None,
) -> str:
    """The message for ``channel`` filled from ``context``.

    Args:
        channel: ``slack`` (DM to the user), ``slack-channel``, ``linkedin`` or ``x``.
        context: what is known about the win.
        persona: ``ic`` or ``leader``; default the context's persona, else ``ic``.
        templates: the templates to use (default: the bundled ones; pass
            ``load_templates(db)`` for the founder's edits).

    Raises:
        UnknownChannel: not one of :data:`CHANNELS`.
        MissingPlaceholders: some placeholder has no value (nothing is returned).
        MessageTooLong: every variant is over the channel's length limit.
    """
    if channel not in CHANNELS:
        raise UnknownChannel(f"unknown channel {channel!r}; choose one of {', '.join(CHANNELS)}")
    persona = persona or context.persona or "ic"
    if persona not in PERSONAS:
        raise UnknownPersona(f"persona {persona!r} is not one of {', '.join(PERSONAS)}")
    templates = templates if templates is not None else default_templates()
    by_kind = templates.get(channel, {}).get(persona, {})
    variants = by_kind.get(context.milestone_kind or "") or by_kind.get("default")
    if not variants:
        raise TemplateDataError(f"no {channel} template for persona {persona}")

    values = context.values()
    first = variants[0]
    unknown = [name for name in placeholders(first) if name not in values]
    missing = [name for name in placeholders(first) if name in values and not values[name]]
    if missing or unknown:
        raise MissingPlaceholders(channel, missing, unknown, context.name or "")

    if channel in ("slack", "slack-channel"):
        values = {k: _slack_escape(v) for k, v in values.items()}
    limit, measure = _LIMITS[channel]
    shortest = None
    for variant in variants:
        names = placeholders(variant)
        if any(name not in values or not values[name] for name in names):
            continue  # a shorter variant may only drop data, never need more
        text = variant.format_map({name: values[name] for name in names})
        length = measure(text)
        if length <= limit:
            return text
        shortest = length if shortest is None else min(shortest, length)
    raise MessageTooLong(channel, shortest or 0, limit)


def _slack_escape(value: str | None) -> str | None:
    if value is None:
        return None
    return "".join(_SLACK_ESCAPES.get(c, c) for c in value)
