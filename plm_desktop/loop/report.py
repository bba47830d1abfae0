"""Telling an advocate what their share achieved: "your post led to 3 demo requests".

The numbers come from the attribution (signups and demo requests carrying the
advocate's code or credited by hand) and the demo requests the founder recorded. The
text is what goes out through the Slack path and outbox.
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
    """A filled report-back message and the numbers behind it.

    Attributes:
        posts: how many posts the founder recorded for the advocate.
        since: the day of their first post, or None when none was recorded.
        latest_post: the day of their latest post, or None.
        post_url: the latest post's URL, when recorded.
    """

    advocate_user_id: str
    text: str
    demo_requests: int
    signups: int
    posts: int
    since: date | None
    latest_post: date | None
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
    posts: int = 0,
    since: date | None = None,
    product: str | None = None,
) -> str:
    """The report-back sentence for these numbers.

    One post is "your post from 12 Nov", several are "your 3 posts since 3 Sep" (a
    signup carries the advocate's code, not the post's), none is "sharing your link".

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
    if posts == 1 and since is not None:
        source = f"your post from {since.day} {since:%b}"
    elif posts > 1 and since is not None:
        source = f"your {posts} posts since {since.day} {since:%b}"
    else:
        source = "sharing your link"
    thanks = f"Thank you for spreading the word about {product}!" if product else "Thank you!"
    return f"Hi {first}, a quick update: {source} led to {what} so far. {thanks}"


def report_back(db: Database, advocate_user_id: str, *, product: str | None = None) -> ReportBack:
    """The report-back message for an advocate, filled from what the store knows.

    Counts every signup and demo request credited to the advocate (their code was on
    it, or the founder attributed it) plus the demo requests recorded for them.

    Raises:
        NothingToReport: nothing is attributed to the advocate yet.
        LookupError: no such user.
    """
    user = db.conn.execute(
        "SELECT name FROM users WHERE user_id = ?", (advocate_user_id,)
    ).fetchone()
    if user is None:
        raise LookupError(f"no user {advocate_user_id!r} in the database")
    posts, first_day, last_day = db.conn.execute(
        "SELECT COUNT(*), MIN(occurred_on), MAX(occurred_on) FROM outcomes"
        " WHERE advocate_user_id = ? AND kind = 'posted'",
        (advocate_user_id,),
    ).fetchone()
    url = db.conn.execute(
        "SELECT url FROM outcomes WHERE advocate_user_id = ? AND kind = 'posted'"
        " ORDER BY occurred_on DESC, outcome_id DESC LIMIT 1",
        (advocate_user_id,),
    ).fetchone()
    since = date.fromisoformat(first_day) if first_day else None
    latest = date.fromisoformat(last_day) if last_day else None

    counts = dict(
        db.conn.execute(
            "SELECT s.kind, COUNT(*) FROM signups s JOIN attribution a USING (signup_id)"
            " WHERE a.advocate_user_id = ? GROUP BY s.kind",
            (advocate_user_id,),
        ).fetchall()
    )
    recorded = db.conn.execute(
        "SELECT COALESCE(SUM(amount), 0) FROM outcomes WHERE advocate_user_id = ?"
        " AND kind = 'demo_requests'",
        (advocate_user_id,),
    ).fetchone()[0]
    demos = counts.get("demo", 0) + int(recorded)
    signups = counts.get("signup", 0)
    text = report_back_text(
        first=first_name(user[0]),
        demo_requests=demos,
        signups=signups,
        posts=posts,
        since=since,
        product=product,
    )
    return ReportBack(
        advocate_user_id, text, demos, signups, posts, since, latest, url[0] if url else None
    )


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
    no card and no milestone, and its week is the Monday of the latest post, so one
    report per post goes out and a second needs ``force``.

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
    if report.latest_post is not None:
        day = report.latest_post
        week = date.fromordinal(day.toordinal() - day.weekday()).isoformat()
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
