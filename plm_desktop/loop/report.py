"""Telling an advocate what their share achieved: "your post led to 3 demo requests".

The numbers come from the attribution (signups and demo requests carrying the
advocate's code) and the demo requests the founder recorded, counted from the day of the
advocate's latest post. The text is what goes out through the Slack path and outbox.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from plm_desktop.store import Database

log = logging.getLogger(__name__)


class NothingToReport(Exception):  # noqa: N818 - a state, not a fault
    """The advocate's shares have led to nothing measurable yet; nothing worth sending."""


@dataclass(frozen=True)
class ReportBack:
    """A filled report-back message and the numbers behind it."""

    advocate_user_id: str
    text: str
    demo_requests: int
    signups: int
    since: date | None
    post_url: str | None


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def first_name(name: str | None, fallback: str = "there") -> str:
    """The first word of a name, or ``fallback`` when the name is unknown."""
    if not name or not name.strip():
        return fallback
    return name.strip().split()[0]


def report_back_text(
    *,
    first: str,
    demo_requests: int,
    signups: int,
    since: date | None,
    product: str | None = None,
) -> str:
    """The report-back sentence for these numbers.

    Raises:
        NothingToReport: both numbers are zero.
    """
    results = []
    if demo_requests:
        results.append(_plural(demo_requests, "demo request", "demo requests"))
    if signups:
        results.append(_plural(signups, "signup", "signups"))
    if not results:
        raise NothingToReport("no demo requests or signups attributed yet")
    what = " and ".join(results)
    post = f"your post from {since.day} {since:%b}" if since else "sharing your win"
    thanks = f"Thank you for spreading the word about {product}!" if product else "Thank you!"
    return f"Hi {first}, a quick update: {post} led to {what} so far. {thanks}"


def report_back(db: Database, advocate_user_id: str, *, product: str | None = None) -> ReportBack:
    """The report-back message for an advocate, filled from what the store knows.

    Counts start at the advocate's latest recorded post when there is one (so the
    message speaks of that post), otherwise they cover everything attributed to them.

    Raises:
        NothingToReport: nothing is attributed to the advocate in that span.
        LookupError: no such user.
    """
    user = db.conn.execute(
        "SELECT name FROM users WHERE user_id = ?", (advocate_user_id,)
    ).fetchone()
    if user is None:
        raise LookupError(f"no user {advocate_user_id!r} in the database")
    post = db.conn.execute(
        "SELECT occurred_on, url FROM outcomes WHERE advocate_user_id = ? AND kind = 'posted'"
        " ORDER BY occurred_on DESC, outcome_id DESC LIMIT 1",
        (advocate_user_id,),
    ).fetchone()
    since = date.fromisoformat(post[0]) if post else None
    low = since.isoformat() if since else "0000-01-01"

    counts = dict(
        db.conn.execute(
            "SELECT s.kind, COUNT(*) FROM signups s JOIN attribution a USING (signup_id)"
            " WHERE a.advocate_user_id = ? AND s.signed_up_on >= ? GROUP BY s.kind",
            (advocate_user_id, low),
        ).fetchall()
    )
    recorded = db.conn.execute(
        "SELECT COALESCE(SUM(amount), 0) FROM outcomes WHERE advocate_user_id = ?"
        " AND kind = 'demo_requests' AND occurred_on >= ?",
        (advocate_user_id, low),
    ).fetchone()[0]
    demos = counts.get("demo", 0) + int(recorded)
    signups = counts.get("signup", 0)
    text = report_back_text(
        first=first_name(user[0]),
        demo_requests=demos,
        signups=signups,
        since=since,
        product=product,
    )
    return ReportBack(advocate_user_id, text, demos, signups, since, post[1] if post else None)


def send_report_back(
    db: Database,
    advocate_user_id: str,
    *,
    text: str | None = None,
    destination=None,
    slack=None,
    webhook=None,
    outbox=None,
    force: bool = False,
    product: str | None = None,
):
    """Send the report-back to the advocate through the sharing side's outbox and Slack.

    The message is recorded in the outbox before it leaves, like every share; it carries
    no card and no milestone, and its week is the Monday of the post it reports on, so
    the same report for the same post is not sent twice unless ``force`` is given.

    Args:
        text: the message as the founder edited it (default: :func:`report_back`'s).
        destination: a :class:`~plm_desktop.sharing.send.Destination` (DM by default).
        slack / webhook / outbox: as :func:`~plm_desktop.sharing.send.send_prepared`.

    Returns:
        ``(ReportBack, SendResult)``.

    Raises:
        NothingToReport: nothing attributed yet.
        SendRefused, DuplicateShare, DeliveryFailed: from the send path.
    """
    from plm_desktop.sharing.send import Destination, send_prepared

    report = report_back(db, advocate_user_id, product=product)
    week = None
    if report.since is not None:
        week = date.fromordinal(report.since.toordinal() - report.since.weekday()).isoformat()
    result = send_prepared(
        db,
        user_id=advocate_user_id,
        destination=destination or Destination.dm(),
        text=text or report.text,
        week=week,
        force=force,
        slack=slack,
        webhook=webhook,
        outbox=outbox,
    )
    log.info("report-back sent to advocate %s (share #%d)", advocate_user_id, result.share_id)
    return report, result
