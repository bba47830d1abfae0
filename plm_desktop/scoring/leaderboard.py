"""Reading stored scores: the leaderboard of a week, one user's score, a user's trend.

Everything here reads the ``scores`` table written by the engine; nothing recomputes.
Explanations are built from the raw values stored beside the points, with the model the
week was scored with, so they always agree with the points shown.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date

from plm_desktop.scoring.engine import INDEXED_RANKS
from plm_desktop.scoring.model import ScoringModel
from plm_desktop.scoring.weekdates import as_week, week_label
from plm_desktop.store import Database

log = logging.getLogger(__name__)


class UnknownWeek(LookupError):
    """The week asked for has no stored scores; the message lists the weeks that do."""

    def __init__(self, week: str, available: list[str]) -> None:
        self.week = week
        self.available = available
        if available:
            shown = ", ".join(available[-6:])
            more = f" (and {len(available) - 6} earlier)" if len(available) > 6 else ""
            text = f"no scores for the week of {week}; scored weeks: {shown}{more}"
        else:
            text = f"no scores for the week of {week}: nothing has been imported yet"
        super().__init__(text)


@dataclass
class Points:
    """Points per part; the optional signals are 0 while switched off."""

    frequency: int
    depth: int
    collaboration: int
    sentiment: int
    support_tickets: int = 0
    content_views: int = 0
    integrations: int = 0

    def as_dict(self, extras: bool = True) -> dict[str, int]:
        """The four parts (and the optional signals when ``extras``) by name."""
        parts = {
            "frequency": self.frequency,
            "depth": self.depth,
            "collaboration": self.collaboration,
            "sentiment": self.sentiment,
        }
        if extras:
            parts.update(
                support_tickets=self.support_tickets,
                content_views=self.content_views,
                integrations=self.integrations,
            )
        return parts


@dataclass
class RawValues:
    """The usage values behind the points of one user in one week."""

    active_days: int | None  # in the week; None: no row or no value
    features_used: int | None  # in the week
    invites: int  # summed over the window
    last_active_week: str | None  # latest week of the window with activity
    nps: int | None  # latest answer up to the week
    nps_week: str | None
    support_tickets: int | None
    content_views: int | None
    integrations: int | None


@dataclass
class RankedUser:
    """One row of a leaderboard: who, the score and its parts, and why."""

    week: str
    rank: int
    user_id: str
    email: str | None
    name: str | None
    company: str | None
    title: str | None
    score: int
    points: Points
    candidate: bool
    top_percent: int
    movement: str  # 'new', 'up', 'down' or 'same' since the previous scored week
    previous_rank: int | None
    raw: RawValues
    explanation: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """The row as the command line's ``--json`` prints it."""
        return {
            "week": self.week,
            "rank": self.rank,
            "user_id": self.user_id,
            "email": self.email,
            "name": self.name,
            "company": self.company,
            "title": self.title,
            "score": self.score,
            "points": self.points.as_dict(),
            "candidate": self.candidate,
            "top_percent": self.top_percent,
            "movement": self.movement,
            "previous_rank": self.previous_rank,
            "explanation": self.explanation,
        }


@dataclass
class Leaderboard:
    """The top of one week's ranking, with what the founder should know about it."""

    week: str | None  # None: nothing scored yet
    ranked_count: int
    candidate_count: int
    missing_signals: list[str]  # parts with no data, scored 0 for everyone
    rows: list[RankedUser]
    notes: list[str] = field(default_factory=list)  # the missing signals, in words


@dataclass
class TrendPoint:
    """A user's score and rank in one week; both None when the user was not ranked."""

    week: str
    score: int | None
    rank: int | None


_COLUMNS = """
    s.week, s.rank, s.user_id, u.email, u.name, u.company, u.title, s.score,
    s.frequency, s.depth, s.collaboration, s.sentiment,
    s.support_points, s.content_points, s.integration_points,
    s.candidate, s.top_percent, s.movement, s.previous_rank,
    s.active_days, s.features_used, s.invites, s.last_active_week, s.nps, s.nps_week,
    s.support_tickets, s.content_views, s.integrations
"""

_SIGNAL_NOTES = {
    "frequency": "no active_days values in this week: usage frequency scores 0",
    "depth": "no features_used values in this week: feature depth scores 0",
    "collaboration": "no invites_sent values in the window: collaboration scores 0",
    "sentiment": "no NPS answers up to this week: sentiment scores 0",
    "support_tickets": "no support_tickets values in the window: that signal scores 0",
    "content_views": "no content_views values in the window: that signal scores 0",
    "integrations": "no integrations_connected values in the window: that signal scores 0",
}


def latest_scored_week(db: Database) -> str | None:
    """The newest week with stored scores, or None."""
    return db.conn.execute("SELECT MAX(week) FROM score_weeks").fetchone()[0]


def _week_header(db: Database, week: date | str | None) -> tuple | None:
    """(week, ranked_count, candidate_count, missing JSON, model JSON) or None if empty."""
    if week is None:
        row = db.conn.execute(
            "SELECT week, ranked_count, candidate_count, missing_signals, model "
            "FROM score_weeks ORDER BY week DESC LIMIT 1"
        ).fetchone()
        return row
    week = as_week(week)
    row = db.conn.execute(
        "SELECT week, ranked_count, candidate_count, missing_signals, model "
        "FROM score_weeks WHERE week = ?",
        (week,),
    ).fetchone()
    if row is None:
        available = [r[0] for r in db.conn.execute("SELECT week FROM score_weeks ORDER BY week")]
        raise UnknownWeek(week, available)
    return row


def leaderboard(db: Database, week: date | str | None = None, top: int | None = 10) -> Leaderboard:
    """The ``top`` ranked users of ``week`` (default: the latest scored week).

    ``top=None`` returns every ranked user. An empty database gives an empty leaderboard.

    Raises:
        UnknownWeek: ``week`` has no stored scores.
    """
    header = _week_header(db, week)
    if header is None:
        return Leaderboard(None, 0, 0, [], [], ["no usage imported yet"])
    week, ranked_count, candidate_count, missing_json, model_json = header
    model = ScoringModel.from_dict(json.loads(model_json))
    select = f"SELECT {_COLUMNS} FROM scores AS s LEFT JOIN users AS u ON u.user_id = s.user_id"
    if top is not None and top <= INDEXED_RANKS:
        # The repeated bound lets SQLite use the partial index of the top ranks.
        rows = db.conn.execute(
            f"{select} WHERE s.week = ? AND s.rank <= {INDEXED_RANKS:d} AND s.rank <= ? "
            "ORDER BY s.rank",
            (week, max(top, 0)),
        ).fetchall()
    else:
        limit = -1 if top is None else top
        rows = db.conn.execute(
            f"{select} WHERE s.week = ? ORDER BY s.rank LIMIT ?", (week, limit)
        ).fetchall()
    missing = json.loads(missing_json)
    ranked = [_ranked_user(r, model, missing) for r in rows]
    notes = [_SIGNAL_NOTES[s] for s in missing if s in _SIGNAL_NOTES]
    return Leaderboard(week, ranked_count, candidate_count, missing, ranked, notes)


def user_score(db: Database, user_id: str, week: date | str | None = None) -> RankedUser | None:
    """One user's stored score in ``week`` (default: latest), or None if not ranked then.

    Raises:
        UnknownWeek: ``week`` has no stored scores.
    """
    header = _week_header(db, week)
    if header is None:
        return None
    week, _count, _candidates, missing_json, model_json = header
    row = db.conn.execute(
        f"SELECT {_COLUMNS} FROM scores AS s LEFT JOIN users AS u ON u.user_id = s.user_id "
        "WHERE s.user_id = ? AND s.week = ?",
        (user_id, week),
    ).fetchone()
    if row is None:
        return None
    model = ScoringModel.from_dict(json.loads(model_json))
    return _ranked_user(row, model, json.loads(missing_json))


def trend(
    db: Database, user_id: str, week: date | str | None = None, weeks: int = 8
) -> list[TrendPoint]:
    """``user_id``'s score over the last ``weeks`` scored weeks up to ``week``, oldest first.

    Weeks the user was not ranked in appear with ``score`` and ``rank`` None, so the
    trend always has one point per scored week.
    """
    if week is None:
        week = latest_scored_week(db)
        if week is None:
            return []
    week = as_week(week)
    chosen = [
        r[0]
        for r in db.conn.execute(
            "SELECT week FROM score_weeks WHERE week <= ? ORDER BY week DESC LIMIT ?",
            (week, max(weeks, 0)),
        )
    ]
    chosen.reverse()
    if not chosen:
        return []
    marks = ",".join("?" * len(chosen))
    found = {
        w: (score, rank)
        for w, score, rank in db.conn.execute(
            f"SELECT week, score, rank FROM scores WHERE user_id = ? AND week IN ({marks})",
            (user_id, *chosen),
        )
    }
    return [TrendPoint(w, *found.get(w, (None, None))) for w in chosen]


def _ranked_user(row: tuple, model: ScoringModel, missing: list[str]) -> RankedUser:
    points = Points(*row[8:15])
    raw = RawValues(*row[19:28])
    user = RankedUser(
        week=row[0],
        rank=row[1],
        user_id=row[2],
        email=row[3],
        name=row[4],
        company=row[5],
        title=row[6],
        score=row[7],
        points=points,
        candidate=bool(row[15]),
        top_percent=row[16],
        movement=row[17],
        previous_rank=row[18],
        raw=raw,
    )
    user.explanation = explain(user, model, missing)
    return user


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def explain(user: RankedUser, model: ScoringModel, missing: list[str] = ()) -> list[str]:
    """One line per part: the raw value, the tier it falls in and the points it earned."""
    raw, points, label = user.raw, user.points, week_label(user.week)
    window = f"the {model.window_weeks} weeks to {label}"
    lines = []

    days = raw.active_days or 0
    if "frequency" in missing:
        lines.append(f"frequency: no active_days in the export for the week of {label}: 0")
    elif days > 0:
        tier = "daily" if days >= model.frequency.daily_min_days else "weekly"
        lines.append(f"active {days} of 7 days in the week of {label}: {tier}, {points.frequency}")
    elif raw.last_active_week:
        lines.append(
            f"no activity in the week of {label}, last active in the week of "
            f"{week_label(raw.last_active_week)}: monthly, {points.frequency}"
        )
    else:
        lines.append(f"no activity in {window}: 0")

    features = raw.features_used or 0
    if "depth" in missing:
        lines.append(f"depth: no features_used in the export for the week of {label}: 0")
    else:
        if features >= model.depth.deep_min:
            tier = "deep"
        elif features >= model.depth.mid_min:
            tier = "broad"
        elif features >= 1:
            tier = "light"
        else:
            tier = "none"
        lines.append(
            f"used {_plural(features, 'feature')} in the week of {label}: {tier}, {points.depth}"
        )

    if "collaboration" in missing:
        lines.append(f"collaboration: no invites_sent in the export for {window}: 0")
    else:
        lines.append(f"sent {_plural(raw.invites, 'invite')} in {window}: {points.collaboration}")

    if raw.nps is None:
        lines.append(f"no NPS answer up to the week of {label}: 0")
    else:
        if raw.nps >= model.sentiment.promoter_min:
            tier = "promoter"
        elif raw.nps >= model.sentiment.passive_min:
            tier = "passive"
        else:
            tier = "detractor"
        when = week_label(raw.nps_week) if raw.nps_week else label
        lines.append(f"NPS {raw.nps} in the week of {when}: {tier}, {points.sentiment}")

    extras = (
        ("support_tickets", raw.support_tickets, "support ticket", points.support_tickets),
        ("content_views", raw.content_views, "content view", points.content_views),
    )
    for name, value, word, earned in extras:
        if getattr(model, name).enabled:
            lines.append(f"{_plural(value or 0, word)} in {window}: {earned}")
    if model.integrations.enabled:
        lines.append(
            f"{_plural(raw.integrations or 0, 'integration')} connected in {window}: "
            f"{points.integrations}"
        )
    return lines
