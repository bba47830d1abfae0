"""What the funnel reads from other parts of the store, in one place.

Usage and milestones are the scoring side's tables, cards sent are the outbox's; the loop
reads them here only, so a change in their schema touches this module and nothing else.
Weekly facts belong to the period their week's Monday falls in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from plm_desktop.loop.periods import Period
from plm_desktop.store import Database


@dataclass(frozen=True)
class Post:
    """One recorded share by an advocate, with the milestone its card celebrated."""

    advocate_user_id: str
    occurred_on: date
    milestone_kind: str | None


def _bounds(period: Period) -> tuple[str, str]:
    return period.start.isoformat(), period.end.isoformat()


def active_user_count(db: Database, period: Period) -> int:
    """Users with activity in a week of the period.

    A usage row counts as activity when its active days are above zero; an export
    without active days falls back to sessions, and one with neither counts the row.
    """
    row = db.conn.execute(
        "SELECT COUNT(DISTINCT user_id) FROM usage WHERE week BETWEEN ? AND ?"
        " AND COALESCE(active_days, sessions, 1) > 0",
        _bounds(period),
    ).fetchone()
    return row[0]


def milestone_users(db: Database, period: Period) -> dict[str, set[str]]:
    """Users who crossed a milestone in the period, with the kinds they crossed."""
    found: dict[str, set[str]] = defaultdict(set)
    for user_id, kind in db.conn.execute(
        "SELECT user_id, kind FROM milestones WHERE week BETWEEN ? AND ?", _bounds(period)
    ):
        found[user_id].add(kind)
    return dict(found)


def card_recipients(db: Database, period: Period) -> dict[str, set[str | None]]:
    """Users who were sent (or handed) a card in the period, with the milestone kinds."""
    found: dict[str, set[str | None]] = defaultdict(set)
    for user_id, kind, _day in _cards(db, period.start, period.end):
        found[user_id].add(kind)
    return dict(found)


def card_recipients_since(db: Database, period: Period) -> set[str]:
    """Users sent a card from the period's first day on, up to now."""
    return {user_id for user_id, _kind, _day in _cards(db, period.start, None)}


def _cards(
    db: Database, start: date | None, end: date | None
) -> list[tuple[str, str | None, date]]:
    """``(user_id, milestone_kind, day)`` of every share that reached its user.

    A share reached the user when Slack took it (``sent``) or when the LinkedIn/X post
    was put in the user's hands (``handed_to_user``); queued and failed ones did not.
    Messages with neither a milestone nor a card (a report-back) are not cards.
    """
    low = start.isoformat() if start else "0000-01-01"
    high = end.isoformat() if end else "9999-12-31"
    rows = db.conn.execute(
        "SELECT user_id, milestone, substr(COALESCE(sent_at, updated_at), 1, 10) AS day"
        " FROM outbox WHERE state IN ('sent', 'handed_to_user')"
        " AND (milestone IS NOT NULL OR card_path IS NOT NULL) AND day BETWEEN ? AND ?",
        (low, high),
    ).fetchall()
    return [(u, k, date.fromisoformat(d)) for u, k, d in rows]


def posts(db: Database, period: Period) -> list[Post]:
    """Shares recorded in the period. A post without a milestone is taken to carry the
    latest card the advocate was sent on or before the day of the post."""
    rows = db.conn.execute(
        "SELECT advocate_user_id, occurred_on, milestone_kind FROM outcomes"
        " WHERE kind = 'posted' AND occurred_on BETWEEN ? AND ? ORDER BY occurred_on",
        _bounds(period),
    ).fetchall()
    cards_by_user: dict[str, list[tuple[date, str | None]]] = defaultdict(list)
    if any(kind is None for _, _, kind in rows):
        for user_id, kind, day in _cards(db, None, period.end):
            cards_by_user[user_id].append((day, kind))
    found = []
    for user_id, day_text, kind in rows:
        day = date.fromisoformat(day_text)
        if kind is None:
            earlier = sorted(c for c in cards_by_user.get(user_id, []) if c[0] <= day and c[1])
            kind = earlier[-1][1] if earlier else None
        found.append(Post(user_id, day, kind))
    return found


def outcome_sum(db: Database, period: Period, kind: str) -> int:
    """Total amount of one outcome kind recorded in the period."""
    row = db.conn.execute(
        "SELECT COALESCE(SUM(amount), 0) FROM outcomes WHERE kind = ?"
        " AND occurred_on BETWEEN ? AND ?",
        (kind, *_bounds(period)),
    ).fetchone()
    return int(row[0])


def pipeline(db: Database, period: Period) -> float:
    """Pipeline value of the deals advocates brought, recorded in the period."""
    row = db.conn.execute(
        "SELECT COALESCE(SUM(pipeline_value), 0) FROM outcomes WHERE kind = 'deal'"
        " AND occurred_on BETWEEN ? AND ?",
        _bounds(period),
    ).fetchone()
    return float(row[0])


def new_advocate_count(db: Database, period: Period) -> int:
    """Advocates whose first recorded share falls in the period."""
    row = db.conn.execute(
        "SELECT COUNT(*) FROM (SELECT advocate_user_id, MIN(occurred_on) AS first FROM outcomes"
        " WHERE kind = 'posted' GROUP BY advocate_user_id) WHERE first BETWEEN ? AND ?",
        _bounds(period),
    ).fetchone()
    return row[0]


def attributed_signups(db: Database, period: Period) -> dict[str, int]:
    """Signups in the period credited to an advocate, counted per kind (signup, demo)."""
    rows = db.conn.execute(
        "SELECT s.kind, COUNT(*) FROM signups s JOIN attribution a USING (signup_id)"
        " WHERE s.signed_up_on BETWEEN ? AND ? GROUP BY s.kind",
        _bounds(period),
    ).fetchall()
    return dict(rows)


def unattributed_signup_count(db: Database, period: Period) -> int:
    """Signups in the period no advocate is credited with yet."""
    row = db.conn.execute(
        "SELECT COUNT(*) FROM signups s LEFT JOIN attribution a USING (signup_id)"
        " WHERE a.signup_id IS NULL AND s.signed_up_on BETWEEN ? AND ?",
        _bounds(period),
    ).fetchone()
    return row[0]


def latest_day(db: Database) -> date | None:
    """The latest usage week's Monday; with no usage, the newest signup or outcome."""
    row = db.conn.execute(
        "SELECT COALESCE((SELECT MAX(week) FROM usage), (SELECT MAX(day) FROM ("
        "SELECT MAX(signed_up_on) AS day FROM signups"
        " UNION ALL SELECT MAX(occurred_on) FROM outcomes)))"
    ).fetchone()
    return None if row[0] is None else date.fromisoformat(row[0])
