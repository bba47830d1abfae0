"""From the store to a card: the user, their milestone and the template's words.

:func:`win_facts` gathers what is known about one user's win (who, which milestone,
which week, the week's standing); :func:`card_for_milestone` turns that into a
:class:`CardSpec`. The copy for the same win is built from the same facts (see
``plm_desktop.messages.context``), so card and message always agree.
"""

from __future__ import annotations

import logging
import string
from dataclasses import dataclass
from datetime import date
from typing import Any

from plm_desktop.cards.brand import Brand, load_brand
from plm_desktop.cards.render import CardError, CardSpec, format_date
from plm_desktop.cards.templates import MILESTONE_KINDS, CardTemplate, card_templates
from plm_desktop.scoring import Milestone, leaderboard, milestones_of_user
from plm_desktop.scoring.weekdates import as_week
from plm_desktop.store import Database

log = logging.getLogger(__name__)


class UnknownUser(CardError, LookupError):
    """No user with that id is in the database."""


class NoMilestone(CardError, LookupError):
    """The user has no milestone matching the kind and week asked for."""


@dataclass(frozen=True)
class WinFacts:
    """Everything known about one user's win, ready for a card or a message.

    Attributes:
        user_id, name, email, company, title: from the users table (name may be None).
        persona: the founder's persona override for the user, or None.
        milestone: the milestone being celebrated.
        template: the card template of its kind.
        words: the template's texts filled for this win (eyebrow, headline, stat,
            stat_label, supporting).
        week: the Monday of the milestone's week.
        top_percent, rank, ranked_count, score: the user's standing that week, when
            known (always for ``top_5``).
        product: the brand's product name.
    """

    user_id: str
    name: str | None
    email: str | None
    company: str | None
    title: str | None
    persona: str | None
    milestone: Milestone
    template: CardTemplate
    words: dict[str, str]
    week: date
    top_percent: int | None
    rank: int | None
    ranked_count: int | None
    score: float | None
    product: str

    @property
    def display_name(self) -> str:
        """The name to print on the card: the name, else the email's local part."""
        if self.name and self.name.strip():
            return self.name.strip()
        if self.email:
            return self.email.split("@")[0]
        return self.user_id


def format_number(value: Any) -> str:
    """``1204.0`` as ``"1,204"``, ``12.5`` as ``"12.5"``."""
    if isinstance(value, float):
        value = round(value, 1)  # sums of decimals carry float noise (13.000000000000002)
        if value.is_integer():
            value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def _pick(milestones: list[Milestone], kind: str | None, week: str | None) -> Milestone | None:
    chosen = [
        m
        for m in milestones
        if (kind is None or m.kind == kind) and (week is None or m.week == week)
    ]
    return chosen[-1] if chosen else None


def win_facts(
    db: Database,
    user_id: str,
    kind: str | None = None,
    week: date | str | None = None,
    brand: Brand | None = None,
) -> WinFacts:
    """The facts of ``user_id``'s milestone of ``kind`` in ``week``.

    With no kind, the user's latest milestone; with no week, the latest of that kind.

    Raises:
        CardError: ``kind`` is not a milestone kind.
        UnknownUser: no such user.
        NoMilestone: the user has no such milestone (the message lists what they have).
    """
    if kind is not None and kind not in MILESTONE_KINDS:
        raise CardError(f"unknown milestone {kind!r}; known: {', '.join(MILESTONE_KINDS)}")
    row = db.conn.execute(
        "SELECT name, email, company, title, persona FROM users WHERE user_id = ?", (user_id,)
    ).fetchone()
    if row is None:
        raise UnknownUser(f"no user {user_id!r} in this database")
    name, email, company, title, persona = row

    week_text = as_week(week) if week is not None else None
    everything = milestones_of_user(db, user_id)
    milestone = _pick(everything, kind, week_text)
    if milestone is None:
        wanted = " ".join(
            p for p in (kind or "milestone", f"in week {week_text}" if week_text else "") if p
        )
        have = ", ".join(f"{m.kind} ({m.week})" for m in everything) or "none yet"
        raise NoMilestone(f"user {user_id!r} has no {wanted}; their milestones: {have}")

    brand = brand or load_brand(db)
    template = card_templates()[milestone.kind]
    top_percent = rank = ranked_count = score = None
    if milestone.kind == "top_5":
        top_percent = round(milestone.value) if milestone.value is not None else None
        rank = milestone.detail.get("rank")
        score = milestone.detail.get("score")
        ranked_count = leaderboard(db, milestone.week, top=1).ranked_count

    values = {
        "value": format_number(milestone.value) if milestone.value is not None else None,
        "product": brand.product_name,
        "top_percent": top_percent,
        "rank": rank,
        "ranked_count": format_number(ranked_count) if ranked_count is not None else None,
        "score": format_number(score) if score is not None else None,
        "week_label": format_date(date.fromisoformat(milestone.week)),
        "company": company,
        "metric_words": str(milestone.detail.get("metric", "")).replace("_", " ") or None,
        "threshold": milestone.detail.get("threshold"),
    }
    plural = milestone.value != 1
    words = {
        "eyebrow": template.eyebrow,
        "headline": template.headline,
        "stat": template.stat,
        "stat_label": template.stat_label_plural if plural else template.stat_label,
        "supporting": template.supporting,
    }
    filled = {key: _fill(text, values, milestone, user_id) for key, text in words.items()}
    return WinFacts(
        user_id=user_id,
        name=name,
        email=email,
        company=company,
        title=title,
        persona=persona,
        milestone=milestone,
        template=template,
        words=filled,
        week=date.fromisoformat(milestone.week),
        top_percent=top_percent,
        rank=rank,
        ranked_count=ranked_count,
        score=score,
        product=brand.product_name,
    )


def _fill(text: str, values: dict[str, Any], milestone: Milestone, user_id: str) -> str:
    names = [n for _t, n, _s, _c in string.Formatter().parse(text) if n]
    lacking = [n for n in names if values.get(n) in (None, "")]
    if lacking:
        raise CardError(
            f"cannot word the {milestone.kind} card of {user_id!r} (week {milestone.week}): "
            f"no value for {', '.join('{' + n + '}' for n in lacking)}"
        )
    return text.format_map({n: values[n] for n in names})


def card_for_milestone(
    db: Database,
    user_id: str,
    kind: str | None = None,
    week: date | str | None = None,
) -> CardSpec:
    """The card for ``user_id``'s milestone of ``kind`` in ``week``, built from the store.

    With no kind, the user's latest milestone; with no week, the latest of that kind.
    Raises as :func:`win_facts` does.
    """
    facts = win_facts(db, user_id, kind, week)
    log.debug("built %s card spec for %s, week %s", facts.milestone.kind, user_id, facts.week)
    return spec_from_facts(facts)


def spec_from_facts(facts: WinFacts) -> CardSpec:
    """The card that shows ``facts``."""
    return CardSpec(
        kind=facts.milestone.kind,
        name=facts.display_name,
        stat=facts.words["stat"],
        stat_label=facts.words["stat_label"],
        headline=facts.words["headline"],
        eyebrow=facts.words["eyebrow"],
        supporting=facts.words["supporting"],
        card_date=facts.week,
        date_prefix="Week of" if facts.milestone.kind == "top_5" else "",
        user_id=facts.user_id,
    )
