"""The message context for one user's win, from the same facts as its card."""

from __future__ import annotations

from datetime import date

from plm_desktop.cards.brand import Brand, load_brand
from plm_desktop.cards.milestone_cards import win_facts
from plm_desktop.cards.render import format_date
from plm_desktop.messages.fill import MessageContext
from plm_desktop.messages.persona import persona_for_user
from plm_desktop.store import Database


def message_context(
    db: Database,
    user_id: str,
    kind: str | None = None,
    week: date | str | None = None,
    *,
    link: str | None = None,
    brand: Brand | None = None,
) -> MessageContext:
    """What the copy for ``user_id``'s milestone can say.

    Args:
        db: the database.
        user_id: whose win.
        kind, week: which milestone (default: the latest, as for the card).
        link: the advocate's referral link; the brand's product URL when None (and
            ``{link}`` is reported missing when there is neither).
        brand: the brand (default: the one saved with ``db``).

    Raises:
        UnknownUser, NoMilestone, CardError: as ``cards.win_facts``.
    """
    brand = brand or load_brand(db)
    facts = win_facts(db, user_id, kind, week, brand)
    name = facts.name.strip() if facts.name and facts.name.strip() else None
    return MessageContext(
        name=name,
        milestone=facts.template.milestone,
        milestone_kind=facts.milestone.kind,
        stat=facts.words["stat"],
        stat_label=facts.words["stat_label"],
        top_percent=facts.top_percent,
        rank=facts.rank,
        ranked_count=facts.ranked_count,
        product=brand.product_name,
        link=link or brand.product_url or None,
        company=facts.company,
        title=facts.title,
        week=format_date(facts.week),
        persona=persona_for_user(facts.title, facts.persona),
    )
