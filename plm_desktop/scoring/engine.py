"""Computing and storing scores per user and week.

Weeks are scored oldest first in one pass over the usage rows: each week's rows are read
once, in primary-key order, and folded into running per-user state (invites in the
window, the latest week with activity, the latest NPS answer). A week's ranking is then
a sort of plain integer keys, and its rows are written in user order, which is the order
of the table's primary key. Reading every row once instead of once per window week, and
appending instead of inserting at random, is what lets all weeks of a large file be
rescored in a few seconds.

Scores are stored, not computed per view: the leaderboard is a read of a few rows.
They are recomputed for the affected weeks after an import (:func:`refresh_weeks`) and
for every week after the model changes (:func:`rescore_all`).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from operator import itemgetter

from plm_desktop.scoring import milestones as milestone_detection
from plm_desktop.scoring.model import ScoringModel
from plm_desktop.scoring.weekdates import as_week
from plm_desktop.store import Database

log = logging.getLogger(__name__)

# The usage column behind each signal, in the order signals are reported.
SIGNAL_COLUMNS = {
    "frequency": "active_days",
    "depth": "features_used",
    "collaboration": "invites_sent",
    "sentiment": "nps",
    "support_tickets": "support_tickets",
    "content_views": "content_views",
    "integrations": "integrations_connected",
}

# Only this many top ranks are indexed (see migration 0002); queries repeat the bound.
INDEXED_RANKS = 1000

_INSERT = """
INSERT INTO scores (
    week, user_id, rank, score, frequency, depth, collaboration, sentiment, extra_points,
    active_days, features_used, invites, nps, top_percent, candidate)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

# Positions in a stored score row (the order of _INSERT's columns).
RANK, SCORE, TOP_PERCENT, CANDIDATE = 2, 3, 13, 14


@dataclass
class RefreshResult:
    """What a refresh stored: the weeks scored and the milestones newly recorded."""

    weeks: list[str]
    ranked: dict[str, int] = field(default_factory=dict)  # week -> ranked users
    milestones: list[milestone_detection.Milestone] = field(default_factory=list)


@dataclass
class ScoredWeek:
    """One week's computed scores, before or instead of being stored."""

    week: str
    rows: list[list]  # in user order, columns as in the scores table
    missing: list[str]
    candidates: int


def weeks(db: Database) -> list[str]:
    """Every week that has usage rows, oldest first (ISO Mondays).

    Walks the primary key one week at a time, so it costs one seek per week however many
    rows each week holds.
    """
    rows = db.conn.execute(
        """
        WITH RECURSIVE w(week) AS (
            SELECT MIN(week) FROM usage
            UNION ALL
            SELECT (SELECT MIN(week) FROM usage WHERE week > w.week) FROM w
            WHERE w.week IS NOT NULL
        )
        SELECT week FROM w WHERE week IS NOT NULL
        """
    ).fetchall()
    return [r[0] for r in rows]


def scored_weeks(db: Database) -> list[str]:
    """Weeks that have stored scores, oldest first."""
    return [r[0] for r in db.conn.execute("SELECT week FROM score_weeks ORDER BY week")]


def rescore_all(db: Database, model: ScoringModel | None = None) -> RefreshResult:
    """Recompute the stored scores of every week (after the model changed).

    Milestones are not detected here: a new threshold or model fires milestones from the
    next import on, instead of celebrating old weeks again.
    """
    model = model or ScoringModel.load(db)
    all_weeks = weeks(db)
    with db.transaction() as conn:
        conn.execute("DELETE FROM scores")
        conn.execute("DELETE FROM score_weeks")
        ranked = _store(conn, model, score_weeks(conn, model, all_weeks, all_weeks))
    log.info("rescored %d weeks in %s", len(all_weeks), db.path)
    return RefreshResult(weeks=all_weeks, ranked=ranked)


def affected_weeks(all_weeks: Sequence[str], changed: Iterable[date | str]) -> list[str]:
    """The weeks a change to ``changed`` can move.

    A week's rows count in the window of the weeks after it, its NPS answers carry
    forward until a later answer, and its ranks feed the next week's movement; so every
    week from the earliest changed one on is affected.
    """
    changed = [as_week(w) for w in changed]
    if not changed:
        return []
    first = min(changed)
    return [w for w in all_weeks if w >= first]


def refresh_weeks(
    db: Database,
    changed: Iterable[date | str],
    model: ScoringModel | None = None,
    *,
    detect: bool = True,
) -> RefreshResult:
    """Rescore the weeks a change to ``changed`` affects and detect their milestones.

    Called after every successful import with the weeks it touched. Detection covers
    the same weeks, so a milestone crossed in any of them is found (and, having been
    recorded once, never again).
    """
    model = model or ScoringModel.load(db)
    all_weeks = weeks(db)
    targets = affected_weeks(all_weeks, changed)
    with db.transaction() as conn:
        _drop_vanished_weeks(conn, all_weeks)
        for week in targets:
            conn.execute("DELETE FROM scores WHERE week = ?", (week,))
            conn.execute("DELETE FROM score_weeks WHERE week = ?", (week,))
        ranked = _store(conn, model, score_weeks(conn, model, all_weeks, targets))
    result = RefreshResult(weeks=targets, ranked=ranked)
    if detect and targets:
        result.milestones = milestone_detection.detect_milestones(db, targets, model)
    if targets:
        log.info(
            "refreshed scores of %d weeks (%s to %s), %d new milestones",
            len(targets),
            targets[0],
            targets[-1],
            len(result.milestones),
        )
    return result


def _drop_vanished_weeks(conn: sqlite3.Connection, all_weeks: Sequence[str]) -> None:
    """Forget scores of weeks that no longer have usage rows."""
    stored = [r[0] for r in conn.execute("SELECT week FROM score_weeks")]
    for week in set(stored) - set(all_weeks):
        conn.execute("DELETE FROM scores WHERE week = ?", (week,))
        conn.execute("DELETE FROM score_weeks WHERE week = ?", (week,))


def _store(conn: sqlite3.Connection, model: ScoringModel, scored: Iterable[ScoredWeek]) -> dict:
    model_json = json.dumps(model.to_dict(), sort_keys=True)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    ranked = {}
    for week in scored:
        conn.executemany(_INSERT, week.rows)
        conn.execute(
            "INSERT INTO score_weeks (week, ranked_count, candidate_count, missing_signals,"
            " model, scored_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                week.week,
                len(week.rows),
                week.candidates,
                json.dumps(week.missing),
                model_json,
                now,
            ),
        )
        ranked[week.week] = len(week.rows)
    return ranked


def _week_number(week: str) -> int:
    return date.fromisoformat(week).toordinal() // 7


def _week_text(number: int) -> str:
    return date.fromordinal(number * 7 + 1).isoformat()


class _Tiers:
    """The model's thresholds as plain attributes, for the hot loop."""

    def __init__(self, model: ScoringModel) -> None:
        f, d, c, s = model.frequency, model.depth, model.collaboration, model.sentiment
        self.daily_min, self.daily, self.weekly, self.monthly = (
            f.daily_min_days,
            f.daily_points,
            f.weekly_points,
            f.monthly_points,
        )
        self.deep_min, self.deep, self.mid_min, self.mid, self.light = (
            d.deep_min,
            d.deep_points,
            d.mid_min,
            d.mid_points,
            d.light_points,
        )
        self.high_min, self.high, self.some = c.high_min, c.high_points, c.some_points
        self.promoter_min, self.promoter = s.promoter_min, s.promoter_points
        self.passive_min, self.passive = s.passive_min, s.passive_points
        self.extras = [
            (x.minimum, x.points) if x.enabled else None
            for x in (model.support_tickets, model.content_views, model.integrations)
        ]
        self.candidate_min = model.candidate_min


def score_weeks(
    conn: sqlite3.Connection,
    model: ScoringModel,
    all_weeks: Sequence[str],
    targets: Sequence[str],
) -> Iterator[ScoredWeek]:
    """Compute the scores of ``targets`` (weeks of ``all_weeks``), oldest first.

    Reads the usage rows from the first target's window on, plus the latest NPS answer
    before it. Nothing is written; :func:`rescore_all` and :func:`refresh_weeks` store
    what this yields.
    """
    targets = sorted(set(targets))
    if not targets:
        return
    window = model.window_weeks
    extras = bool(model.enabled_extras())
    tiers = _Tiers(model)
    first = _week_number(targets[0])
    last = _week_number(targets[-1])
    wanted = {_week_number(w) for w in targets}

    latest_nps: dict[str, tuple[int, int]] = {
        user_id: (nps, _week_number(week))
        for user_id, nps, week in conn.execute(
            "SELECT user_id, nps, MAX(week) FROM usage "
            "WHERE nps IS NOT NULL AND week < ? GROUP BY user_id",
            (_week_text(first - window + 1),),
        )
    }
    columns = "user_id, active_days, features_used, invites_sent, nps"
    if extras:
        columns += ", support_tickets, content_views, integrations_connected"

    # Running state over the window: rows per week, sums, last weeks seen.
    kept: dict[int, dict[str, tuple]] = {}
    invites: dict[str, int] = {}
    tickets: dict[str, int] = {}
    views: dict[str, int] = {}
    integrations: dict[str, tuple[int, int]] = {}
    last_row: dict[str, int] = {}
    last_active: dict[str, int] = {}
    existing = {_week_number(w) for w in all_weeks}

    for number in range(first - window + 1, last + 1):
        # Rows keep the user id first; the values follow at 1, 2, 3...
        rows: dict[str, tuple] = {}
        if number in existing:
            cursor = conn.execute(
                f"SELECT {columns} FROM usage WHERE week = ?", (_week_text(number),)
            )
            fetched = cursor.fetchall()
            rows = dict(zip(map(itemgetter(0), fetched), fetched, strict=True))
        kept[number] = rows
        leaving = kept.pop(number - window, None)
        if leaving:
            for user_id, row in leaving.items():
                if row[3]:
                    invites[user_id] -= row[3]
                if extras:
                    if row[5]:
                        tickets[user_id] -= row[5]
                    if row[6]:
                        views[user_id] -= row[6]
        last_row.update(dict.fromkeys(rows, number))
        for user_id, row in rows.items():
            if row[1] and row[1] > 0:
                last_active[user_id] = number
            if row[3]:
                invites[user_id] = invites.get(user_id, 0) + row[3]
            if row[4] is not None:
                latest_nps[user_id] = (row[4], number)
            if extras:
                if row[5]:
                    tickets[user_id] = tickets.get(user_id, 0) + row[5]
                if row[6]:
                    views[user_id] = views.get(user_id, 0) + row[6]
                if row[7] is not None:
                    integrations[user_id] = (row[7], number)

        if number not in wanted:
            continue
        start = number - window + 1
        ranked_users = sorted(u for u, seen in last_row.items() if seen >= start)
        state = (invites, tickets, views, integrations, last_active, latest_nps)
        scored = _score_one_week(number, start, rows, ranked_users, state, tiers, extras)
        missing = _missing(model, kept, rows, bool(latest_nps))
        candidates = sum(row[CANDIDATE] for row in scored)
        yield ScoredWeek(_week_text(number), scored, missing, candidates)


def _score_one_week(
    number: int,
    start: int,
    rows: dict[str, tuple],
    users: list[str],
    state: tuple,
    t: _Tiers,
    extras: bool,
) -> list[list]:
    """Points, rank and top N % of each user in ``users`` (sorted by user id).

    This loop runs once per user and week, a million times when every week of a large
    file is rescored, so it avoids calls and allocations it can do without.
    """
    invites, tickets, views, integrations, last_active, latest_nps = state
    week = _week_text(number)
    # Points by raw value, looked up instead of compared: frequency by active days (the
    # last entry also covers more days), depth by features, collaboration by invites,
    # sentiment by NPS answer (index 11 for no answer).
    freq_points = [0] + [t.weekly] * (t.daily_min - 1) + [t.daily]
    freq_cap = t.daily_min
    depth_points = [0] + [t.light] * (t.mid_min - 1) + [t.mid] * (t.deep_min - t.mid_min)
    depth_points.append(t.deep)
    depth_cap = t.deep_min
    collab_points = [0] + [t.some] * (t.high_min - 1) + [t.high]
    collab_cap = t.high_min
    nps_points = [
        t.promoter if v >= t.promoter_min else t.passive if v >= t.passive_min else 0
        for v in range(11)
    ] + [0]
    monthly = t.monthly
    candidate_min = t.candidate_min
    get_row, get_invites, get_active, get_nps = (
        rows.get,
        invites.get,
        last_active.get,
        latest_nps.get,
    )
    parts = []
    keys = []
    for user_id in users:
        row = get_row(user_id)
        if row is None:
            days = features = None
            d = n = 0
        else:
            days, features = row[1], row[2]
            d = days or 0
            n = features or 0
        sent = get_invites(user_id, 0)

        if d > 0:
            frequency = freq_points[d if d < freq_cap else freq_cap]
        elif get_active(user_id, -1) >= start:
            frequency = monthly
        else:
            frequency = 0
        depth = depth_points[n if n < depth_cap else depth_cap] if n > 0 else 0
        collaboration = collab_points[sent if sent < collab_cap else collab_cap]
        answer = get_nps(user_id)
        if answer is None:
            nps = None
            sentiment = 0
        else:
            nps = answer[0]
            sentiment = nps_points[nps if 0 <= nps <= 10 else 11]

        extra = _extra_points(user_id, start, tickets, views, integrations, t) if extras else 0
        score = frequency + depth + collaboration + sentiment + extra

        # One integer orders by score, days, features, invites; sorted descending, ties
        # keep their user id order. The caps sit far above any real week.
        if n > 0xFFFFF:
            n = 0xFFFFF
        keys.append((score << 48) | (d << 40) | (n << 20) | (sent if sent < 0xFFFFF else 0xFFFFF))
        parts.append(
            [
                week,
                user_id,
                0,
                score,
                frequency,
                depth,
                collaboration,
                sentiment,
                extra,
                days,
                features,
                sent,
                nps,
                0,
                score >= candidate_min,
            ]
        )

    count = len(users)
    order = sorted(range(count), key=keys.__getitem__, reverse=True)
    for rank, i in enumerate(order, 1):
        part = parts[i]
        part[RANK] = rank
        part[TOP_PERCENT] = (100 * rank + count - 1) // count
    return parts


def extra_values(
    user_id: str,
    start: int,
    tickets: dict[str, int],
    views: dict[str, int],
    integrations: dict[str, tuple[int, int]],
) -> tuple[int, int, int | None]:
    """The optional signals' raw values for one user: tickets and views summed over the
    window, the latest integrations count reported in it."""
    integration = integrations.get(user_id)
    return (
        tickets.get(user_id, 0),
        views.get(user_id, 0),
        integration[0] if integration and integration[1] >= start else None,
    )


def extra_points_of(values: Sequence[int | None], model: ScoringModel) -> tuple[int, int, int]:
    """Points of each optional signal (support tickets, content views, integrations)."""
    rules = (model.support_tickets, model.content_views, model.integrations)
    return tuple(
        rule.points if rule.enabled and (value or 0) >= rule.minimum else 0
        for rule, value in zip(rules, values, strict=True)
    )


def _extra_points(
    user_id: str,
    start: int,
    tickets: dict[str, int],
    views: dict[str, int],
    integrations: dict[str, tuple[int, int]],
    t: _Tiers,
) -> int:
    values = extra_values(user_id, start, tickets, views, integrations)
    return sum(
        rule[1]
        for rule, value in zip(t.extras, values, strict=True)
        if rule is not None and (value or 0) >= rule[0]
    )


def _missing(
    model: ScoringModel, kept: dict[int, dict[str, tuple]], rows: dict[str, tuple], nps: bool
) -> list[str]:
    """Signals with no value at all where the model looks for them.

    Frequency and depth look at the week itself, collaboration and the optional signals
    at the window, sentiment at every week up to this one.
    """

    def none_in_week(i: int) -> bool:
        return all(row[i] is None for row in rows.values())

    def none_in_window(i: int) -> bool:
        return all(row[i] is None for week in kept.values() for row in week.values())

    missing = []
    if none_in_week(1):
        missing.append("frequency")
    if none_in_week(2):
        missing.append("depth")
    if none_in_window(3):
        missing.append("collaboration")
    if not nps:
        missing.append("sentiment")
    for i, name in enumerate(("support_tickets", "content_views", "integrations"), 5):
        if getattr(model, name).enabled and none_in_window(i):
            missing.append(name)
    return missing
