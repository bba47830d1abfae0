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

from plm_desktop.scoring.engine import INDEXED_RANKS, extra_points_of
from plm_desktop.scoring.model import ScoringModel
from plm_desktop.scoring.weekdates import as_week, shift_week, week_label
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
    s.frequency, s.depth, s.collaboration, s.sentiment, s.extra_points,
    s.candidate, s.top_percent, p.rank,
    s.active_days, s.features_used, s.invites, s.nps
"""

# The stored row, its user and its rank in the previous scored week (:previous).
_FROM = """
FROM scores AS s
LEFT JOIN users AS u ON u.user_id = s.user_id
LEFT JOIN scores AS p ON p.week = :previous AND p.user_id = s.user_id
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
    """(week, ranked_count, candidate_count, missing JSON, model JSON, previous scored
    week) or None if nothing is scored."""
    columns = (
        "week, ranked_count, candidate_count, missing_signals, model, "
        "(SELECT MAX(p.week) FROM score_weeks AS p WHERE p.week < w.week)"
    )
    if week is None:
        return db.conn.execute(
            f"SELECT {columns} FROM score_weeks AS w ORDER BY week DESC LIMIT 1"
        ).fetchone()
    week = as_week(week)
    row = db.conn.execute(
        f"SELECT {columns} FROM score_weeks AS w WHERE week = ?", (week,)
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
    week, ranked_count, candidate_count, missing_json, model_json, previous = header
    model = ScoringModel.from_dict(json.loads(model_json))
    params = {"week": week, "previous": previous, "top": -1 if top is None else max(top, 0)}
    if top is not None and top <= INDEXED_RANKS:
        # The repeated bound lets SQLite use the partial index of the top ranks.
        where = f"WHERE s.week = :week AND s.rank <= {INDEXED_RANKS:d} AND s.rank <= :top"
        query = f"SELECT {_COLUMNS} {_FROM} {where} ORDER BY s.rank LIMIT :top"
        rows = db.conn.execute(query, params)
    else:
        where = "WHERE s.week = :week ORDER BY s.rank LIMIT :top"
        rows = db.conn.execute(f"SELECT {_COLUMNS} {_FROM} {where}", params)
    missing = json.loads(missing_json)
    ranked = _ranked_users(db, rows.fetchall(), model, missing)
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
    week, _count, _candidates, missing_json, model_json, previous = header
    row = db.conn.execute(
        f"SELECT {_COLUMNS} {_FROM} WHERE s.user_id = :user_id AND s.week = :week",
        {"user_id": user_id, "week": week, "previous": previous},
    ).fetchone()
    if row is None:
        return None
    model = ScoringModel.from_dict(json.loads(model_json))
    return _ranked_users(db, [row], model, json.loads(missing_json))[0]


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


def _ranked_users(
    db: Database, rows: list[tuple], model: ScoringModel, missing: list[str]
) -> list[RankedUser]:
    """Stored rows as RankedUsers, with the details explanations need looked up."""
    if not rows:
        return []
    week = rows[0][0]
    details = _details(db, week, [r[2] for r in rows], model)
    ranked = []
    for row in rows:
        previous_rank = row[15]
        rank = row[1]
        if previous_rank is None:
            movement = "new"
        else:
            movement = "up" if rank < previous_rank else "down" if rank > previous_rank else "same"
        last_active, nps_week, extras = details.get(row[2], (None, None, (None, None, None)))
        extra_points = extra_points_of(extras, model)
        user = RankedUser(
            week=week,
            rank=rank,
            user_id=row[2],
            email=row[3],
            name=row[4],
            company=row[5],
            title=row[6],
            score=row[7],
            points=Points(*row[8:12], *extra_points),
            candidate=bool(row[13]),
            top_percent=row[14],
            movement=movement,
            previous_rank=previous_rank,
            raw=RawValues(
                active_days=row[16],
                features_used=row[17],
                invites=row[18],
                last_active_week=last_active,
                nps=row[19],
                nps_week=nps_week,
                support_tickets=extras[0],
                content_views=extras[1],
                integrations=extras[2],
            ),
        )
        user.explanation = explain(user, model, missing)
        ranked.append(user)
    return ranked


def _details(
    db: Database, week: str, user_ids: list[str], model: ScoringModel
) -> dict[str, tuple[str | None, str | None, tuple]]:
    """Per user: last active week in the window, week of the latest NPS answer, and the
    optional signals' raw values (None when the model has them all off)."""
    start = shift_week(week, 1 - model.window_weeks)
    extras = bool(model.enabled_extras())
    found: dict[str, list] = {u: [None, None, (None, None, None)] for u in user_ids}
    for first in range(0, len(user_ids), 500):
        batch = user_ids[first : first + 500]
        marks = ",".join("?" * len(batch))
        for user_id, last_active, tickets, views in db.conn.execute(
            "SELECT user_id, MAX(CASE WHEN active_days > 0 THEN week END), "
            "TOTAL(support_tickets), TOTAL(content_views) "
            f"FROM usage WHERE week >= ? AND week <= ? AND user_id IN ({marks}) "
            "GROUP BY user_id",
            (start, week, *batch),
        ):
            found[user_id][0] = last_active
            if extras:
                found[user_id][2] = (int(tickets), int(views), None)
        for user_id, answered in db.conn.execute(
            "SELECT user_id, MAX(week) FROM usage "
            f"WHERE nps IS NOT NULL AND week <= ? AND user_id IN ({marks}) GROUP BY user_id",
            (week, *batch),
        ):
            found[user_id][1] = answered
        if not extras:
            continue
        for user_id, integrations, _week in db.conn.execute(
            "SELECT user_id, integrations_connected, MAX(week) FROM usage "
            "WHERE integrations_connected IS NOT NULL AND week >= ? AND week <= ? "
            f"AND user_id IN ({marks}) GROUP BY user_id",
            (start, week, *batch),
        ):
            tickets, views, _none = found[user_id][2]
            found[user_id][2] = (tickets or 0, views or 0, integrations)
    return {u: tuple(v) for u, v in found.items()}


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
