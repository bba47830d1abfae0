"""What the Leaderboard and Wins pages show, gathered in one background call each.

Plain Python over the scoring, milestone and outbox engines: the pages run these on the
read pool and only draw the result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from plm_desktop.store import Database

log = logging.getLogger(__name__)

TREND_WEEKS = 8
"""Weeks drawn in each row's sparkline."""

MAX_TREND_ROWS = 2000
"""In the "show all" view, rows beyond this many get no sparkline (it would cost a
query per thousand users for little use: nobody reads the 5,000th sparkline)."""

PARTS = ("frequency", "depth", "collaboration", "sentiment")


@dataclass
class BoardView:
    """One week's leaderboard as the page draws it.

    Attributes:
        board: the engine's ``Leaderboard`` (rows: ``RankedUser``).
        weeks: every scored week, newest first (for the week picker).
        trends: user id -> scores of the last :data:`TREND_WEEKS` weeks (None: unranked).
        part_max: the most points each of the four parts can give under the model.
        candidate_min: the score from which a user is an advocate candidate.
        segment_percent: the share of ranked users the segment export takes.
    """

    board: Any
    weeks: list[str]
    trends: dict[str, list[int | None]]
    part_max: dict[str, int]
    candidate_min: int
    segment_percent: int


@dataclass
class UserDetail:
    """What the details panel shows about one user."""

    user: Any  # RankedUser
    milestones: list[Any]
    shares: list[Any]  # OutboxEntry, newest first
    shares_note: str = ""


@dataclass
class WinsView:
    """This week's new milestones, newest week first, with what was already shared."""

    week: str | None
    wins: list[Any]  # Milestone
    shared: set[tuple[str, str]] = field(default_factory=set)  # (user_id, kind) sent
    companies: dict[str, str] = field(default_factory=dict)  # user id -> company


def part_maxima(model: Any) -> dict[str, int]:
    """The most points each part can earn under ``model``."""
    return {
        "frequency": max(
            model.frequency.daily_points,
            model.frequency.weekly_points,
            model.frequency.monthly_points,
        ),
        "depth": max(model.depth.deep_points, model.depth.mid_points, model.depth.light_points),
        "collaboration": max(model.collaboration.high_points, model.collaboration.some_points),
        "sentiment": max(model.sentiment.promoter_points, model.sentiment.passive_points),
    }


def load_board(db: Database, week: str | None, *, show_all: bool = False) -> BoardView:
    """The leaderboard of ``week`` (latest when None), its top ten or every ranked user."""
    from plm_desktop.scoring import ScoringModel, leaderboard, scored_weeks

    board = leaderboard(db, week, top=None if show_all else 10)
    weeks = list(reversed(scored_weeks(db)))
    trends: dict[str, list[int | None]] = {}
    if board.week is not None and board.rows:
        ids = [row.user_id for row in board.rows[:MAX_TREND_ROWS]]
        trends = trends_of(db, ids, board.week, TREND_WEEKS)
    model = ScoringModel.load(db)
    return BoardView(
        board=board,
        weeks=weeks,
        trends=trends,
        part_max=part_maxima(model),
        candidate_min=model.candidate_min,
        segment_percent=model.segment_percent,
    )


def trends_of(
    db: Database, user_ids: list[str], week: str, weeks: int = TREND_WEEKS
) -> dict[str, list[int | None]]:
    """Each user's score over the ``weeks`` scored weeks up to ``week``, oldest first.

    One query for all users (the engine's ``trend`` answers for one user at a time).
    """
    chosen = [
        r[0]
        for r in db.conn.execute(
            "SELECT week FROM score_weeks WHERE week <= ? ORDER BY week DESC LIMIT ?",
            (week, weeks),
        )
    ]
    chosen.reverse()
    out: dict[str, list[int | None]] = {uid: [None] * len(chosen) for uid in user_ids}
    if not chosen or not user_ids:
        return out
    position = {w: n for n, w in enumerate(chosen)}
    week_marks = ",".join("?" * len(chosen))
    for start in range(0, len(user_ids), 500):
        batch = user_ids[start : start + 500]
        user_marks = ",".join("?" * len(batch))
        rows = db.conn.execute(
            f"SELECT user_id, week, score FROM scores WHERE week IN ({week_marks}) "
            f"AND user_id IN ({user_marks})",
            (*chosen, *batch),
        )
        for user_id, row_week, score in rows:
            out[user_id][position[row_week]] = score
    return out


def load_user_detail(db: Database, user_id: str, week: str) -> UserDetail:
    """The explanation, milestones and shares of ``user_id`` as of ``week``."""
    from plm_desktop.scoring import milestones_of_user, user_score

    user = user_score(db, user_id, week)
    milestones = milestones_of_user(db, user_id)
    shares, note = shares_of(db, user_id)
    return UserDetail(user=user, milestones=milestones, shares=shares, shares_note=note)


def shares_of(db: Database, user_id: str) -> tuple[list[Any], str]:
    """The outbox entries of ``user_id`` (newest first) and a note if none can be read."""
    try:
        from plm_desktop.sharing.outbox import Outbox
    except ImportError as exc:  # the sharing part is not installed in this build
        return [], f"The outbox is not available: {exc}"
    return Outbox(db).entries(user_id=user_id), ""


def load_wins(db: Database, week: str | None = None) -> WinsView:
    """The milestones crossed in ``week`` (latest scored week when None)."""
    from plm_desktop.scoring import latest_scored_week, milestones_in_week

    week = week or latest_scored_week(db)
    if week is None:
        return WinsView(week=None, wins=[])
    wins = milestones_in_week(db, week)
    companies: dict[str, str] = {}
    ids = sorted({m.user_id for m in wins})
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        marks = ",".join("?" * len(batch))
        for user_id, company in db.conn.execute(
            f"SELECT user_id, company FROM users WHERE user_id IN ({marks})", batch
        ):
            companies[user_id] = company or ""
    # A card counts as delivered when Slack has it or when the founder took the post
    # and card for LinkedIn or X: both celebrate the win (the loop's funnel agrees).
    shared = {
        (user_id, kind)
        for user_id, kind in db.conn.execute(
            "SELECT user_id, milestone FROM outbox"
            " WHERE state IN ('sent', 'handed_to_user') AND milestone IS NOT NULL"
        )
    }
    return WinsView(week=week, wins=wins, shared=shared, companies=companies)
