"""What advocates' shares achieved, as the founder reads it off LinkedIn, the CRM or the
calendar: a post with its URL, impressions, clicks, demo requests, deals with pipeline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from plm_desktop.store import Database

log = logging.getLogger(__name__)

OUTCOME_KINDS = ("posted", "impressions", "clicks", "demo_requests", "deal")


class OutcomeError(ValueError):
    """An outcome that cannot be recorded as given; the message says what to fix."""


@dataclass(frozen=True)
class Outcome:
    """One recorded outcome of an advocate's sharing."""

    outcome_id: int
    advocate_user_id: str
    kind: str
    occurred_on: date
    amount: int
    pipeline_value: float | None
    url: str | None
    milestone_kind: str | None
    note: str | None


@dataclass(frozen=True)
class OutcomeTotals:
    """An advocate's outcomes added up (over all time or a period)."""

    posts: int = 0
    impressions: int = 0
    clicks: int = 0
    demo_requests: int = 0
    deals: int = 0
    pipeline: float = 0.0


def record_outcome(
    db: Database,
    advocate_user_id: str,
    kind: str,
    *,
    occurred_on: date,
    amount: int = 1,
    pipeline_value: float | None = None,
    url: str | None = None,
    milestone_kind: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Store one outcome for an advocate and return it.

    ``amount`` is the count for impressions, clicks and demo requests (1 for a post or
    a deal); a deal carries its ``pipeline_value``; a post carries its ``url``.

    Raises:
        OutcomeError: unknown advocate or kind, a negative number, a deal without a
            value, a post URL that is not a web address.
    """
    if kind not in OUTCOME_KINDS:
        raise OutcomeError(f"unknown outcome {kind!r}; expected one of {', '.join(OUTCOME_KINDS)}")
    if amount < 0:
        raise OutcomeError(f"{kind} cannot be negative (got {amount})")
    if kind == "deal" and (pipeline_value is None or pipeline_value < 0):
        raise OutcomeError("a deal needs its pipeline value (0 or more)")
    if kind != "deal" and pipeline_value is not None:
        raise OutcomeError(f"only a deal carries a pipeline value, not {kind}")
    if url is not None:
        url = url.strip() or None
    if url is not None and urlsplit(url).scheme not in ("http", "https"):
        raise OutcomeError(f"the post URL must start with http:// or https:// (got {url!r})")
    _require_user(db, advocate_user_id)

    recorded_at = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    with db.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO outcomes (advocate_user_id, kind, occurred_on, amount, pipeline_value,"
            " url, milestone_kind, note, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                advocate_user_id,
                kind,
                occurred_on.isoformat(),
                amount,
                pipeline_value,
                url,
                milestone_kind,
                note,
                recorded_at,
            ),
        )
    log.info("recorded %s (%d) for advocate %s on %s", kind, amount, advocate_user_id, occurred_on)
    return Outcome(
        cursor.lastrowid,
        advocate_user_id,
        kind,
        occurred_on,
        amount,
        pipeline_value,
        url,
        milestone_kind,
        note,
    )


def delete_outcome(db: Database, outcome_id: int) -> None:
    """Remove an outcome recorded by mistake."""
    with db.transaction() as conn:
        conn.execute("DELETE FROM outcomes WHERE outcome_id = ?", (outcome_id,))


def outcomes_of(db: Database, advocate_user_id: str) -> list[Outcome]:
    """An advocate's outcomes, newest first."""
    rows = db.conn.execute(
        "SELECT outcome_id, advocate_user_id, kind, occurred_on, amount, pipeline_value, url,"
        " milestone_kind, note FROM outcomes WHERE advocate_user_id = ?"
        " ORDER BY occurred_on DESC, outcome_id DESC",
        (advocate_user_id,),
    ).fetchall()
    return [
        Outcome(r[0], r[1], r[2], date.fromisoformat(r[3]), *r[4:])  # type: ignore[arg-type]
        for r in rows
    ]


def totals_of(
    db: Database, advocate_user_id: str, *, start: date | None = None, end: date | None = None
) -> OutcomeTotals:
    """An advocate's outcomes summed, optionally only those dated within ``start..end``."""
    sql = (
        "SELECT kind, SUM(amount), SUM(COALESCE(pipeline_value, 0)) FROM outcomes"
        " WHERE advocate_user_id = ? AND occurred_on >= ? AND occurred_on <= ? GROUP BY kind"
    )
    low = start.isoformat() if start else "0000-01-01"
    high = end.isoformat() if end else "9999-12-31"
    sums = {
        kind: (amount, value)
        for kind, amount, value in db.conn.execute(sql, (advocate_user_id, low, high))
    }
    return OutcomeTotals(
        posts=sums.get("posted", (0, 0))[0],
        impressions=sums.get("impressions", (0, 0))[0],
        clicks=sums.get("clicks", (0, 0))[0],
        demo_requests=sums.get("demo_requests", (0, 0))[0],
        deals=sums.get("deal", (0, 0))[0],
        pipeline=float(sums.get("deal", (0, 0.0))[1]),
    )


def _require_user(db: Database, user_id: str) -> None:
    row = db.conn.execute("SELECT 1 FROM users WHERE user_id = ?", (user_id,)).fetchone()
    if row is None:
        raise OutcomeError(f"no user {user_id!r} in the database; import their usage first")
