"""Milestones: the wins worth celebrating, detected per user and week after an import.

Each milestone is recorded once, in the week it was first crossed; detecting the same
weeks again (a re-import, a refresh) records nothing new. ``top_5`` is the exception that
proves the rule: it is about one week, so it is recorded once per user and week.

A milestone fires only when detection runs over the week it was crossed in. Raising or
lowering a threshold therefore never celebrates old weeks: users who already passed the
new threshold long ago are not sent a card for it today.
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from plm_desktop.scoring.model import ScoringModel
from plm_desktop.scoring.weekdates import as_week, shift_week
from plm_desktop.store import Database

log = logging.getLogger(__name__)

KINDS = ("first_project", "task_100", "team_builder", "streak_90", "roi", "top_5")

# How each kind reads on a screen or in a terminal.
KIND_LABELS = {
    "first_project": "first project completed",
    "task_100": "100th task completed",
    "team_builder": "team builder",
    "streak_90": "90-day streak",
    "roi": "measurable ROI",
    "top_5": "top 5 % this week",
}


@dataclass
class Milestone:
    """One crossed milestone of one user.

    ``value`` is the measured value at the crossing (the running total, the streak
    length, the top percent); ``detail`` holds the threshold and what was measured.
    """

    user_id: str
    kind: str
    week: str
    value: float | None
    detail: dict[str, Any] = field(default_factory=dict)
    milestone_id: int | None = None
    detected_at: str | None = None
    email: str | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        """The kind in words, with the founder's own thresholds where they differ."""
        if self.kind == "task_100" and self.detail.get("threshold") not in (None, 100):
            return f"{_number(self.detail['threshold'])}th task completed"
        if self.kind == "top_5" and self.detail.get("threshold") not in (None, 5):
            return f"top {_number(self.detail['threshold'])} % this week"
        if self.kind == "roi" and self.detail.get("metric"):
            return f"measurable ROI ({self.detail['metric']})"
        return KIND_LABELS.get(self.kind, self.kind)


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


_SELECT = """
SELECT m.milestone_id, m.user_id, m.kind, m.week, m.value, m.detail, m.detected_at,
       u.email, u.name
FROM milestones AS m LEFT JOIN users AS u ON u.user_id = m.user_id
"""


def _from_row(row: tuple) -> Milestone:
    return Milestone(
        milestone_id=row[0],
        user_id=row[1],
        kind=row[2],
        week=row[3],
        value=row[4],
        detail=json.loads(row[5]),
        detected_at=row[6],
        email=row[7],
        name=row[8],
    )


def milestones_in_week(db: Database, week: date | str | None = None) -> list[Milestone]:
    """Who crossed what in ``week`` (default: the latest week with usage rows)."""
    if week is None:
        latest = db.conn.execute("SELECT MAX(week) FROM usage").fetchone()[0]
        if latest is None:
            return []
        week = latest
    rows = db.conn.execute(
        _SELECT + " WHERE m.week = ? ORDER BY m.kind, m.user_id", (as_week(week),)
    ).fetchall()
    order = {kind: i for i, kind in enumerate(KINDS)}
    found = [_from_row(r) for r in rows]
    found.sort(key=lambda m: (order.get(m.kind, len(order)), m.user_id))
    return found


def milestones_of_user(db: Database, user_id: str) -> list[Milestone]:
    """Every milestone ``user_id`` has crossed, oldest first."""
    rows = db.conn.execute(
        _SELECT + " WHERE m.user_id = ? ORDER BY m.week, m.milestone_id", (user_id,)
    ).fetchall()
    return [_from_row(r) for r in rows]


@dataclass
class _Progress:
    """A user's running totals before the week being looked at."""

    projects: float = 0.0
    tasks: float = 0.0
    invites: float = 0.0
    roi_total: float = 0.0
    roi_best: float = 0.0
    streak: int = 0
    last_active: int | None = None  # week number (ordinal // 7) of the latest activity


def detect_milestones(
    db: Database, weeks: Iterable[date | str], model: ScoringModel | None = None
) -> list[Milestone]:
    """Record the milestones first crossed in ``weeks``; return those newly recorded.

    Running totals start from every week before the earliest one given, so weeks may be
    detected in any order and any number of times. ``top_5`` reads the stored scores,
    so score the weeks first (``refresh_weeks`` does both).
    """
    model = model or ScoringModel.load(db)
    targets = sorted({as_week(w) for w in weeks})
    if not targets:
        return []
    rules = model.milestones
    roi_path = '$."' + rules.roi_metric.replace('"', '\\"') + '"'
    conn = db.conn

    with db.transaction():
        progress = _saved_progress(conn, targets[0], rules.roi_metric)
        if progress is None:
            progress = _progress_before(conn, targets[0], rules.streak_weeks, roi_path)
        already = _recorded_once(conn)
        found: list[Milestone] = []
        for week in targets:
            found.extend(_crossed_in_week(conn, week, progress, already, model, roi_path))
            found.extend(_top_percent_in_week(conn, week, model))
        recorded = _record(conn, found)
        _save_progress(conn, progress, targets[-1], rules.roi_metric)

    if recorded:
        log.info(
            "recorded %d new milestones in %d weeks (%s to %s)",
            len(recorded),
            len(targets),
            targets[0],
            targets[-1],
        )
    return recorded


def _saved_progress(
    conn: sqlite3.Connection, week: str, roi_metric: str
) -> dict[str, _Progress] | None:
    """The running totals saved by the last detection, if they end just before ``week``.

    Detection after importing the newest week then reads one row per user instead of
    every earlier usage row. Any change to an earlier week makes detection start there,
    which no longer follows on from the saved totals, so they are rebuilt.
    """
    saved = conn.execute("SELECT value FROM settings WHERE key = ?", (_PROGRESS_KEY,)).fetchone()
    if saved is None:
        return None
    state = json.loads(saved[0])
    before = conn.execute("SELECT MAX(week) FROM usage WHERE week < ?", (week,)).fetchone()[0]
    if before is None or state.get("through") != before or state.get("roi_metric") != roi_metric:
        return None
    return {
        row[0]: _Progress(*row[1:])
        for row in conn.execute(
            "SELECT user_id, projects, tasks, invites, roi_total, roi_best, streak, last_active "
            "FROM milestone_progress"
        )
    }


def _save_progress(
    conn: sqlite3.Connection, progress: dict[str, _Progress], through: str, roi_metric: str
) -> None:
    """Keep the running totals through ``through`` for the next detection."""
    conn.execute("DELETE FROM milestone_progress")
    conn.executemany(
        "INSERT INTO milestone_progress (user_id, projects, tasks, invites, roi_total, "
        "roi_best, streak, last_active) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (u, p.projects, p.tasks, p.invites, p.roi_total, p.roi_best, p.streak, p.last_active)
            for u, p in sorted(progress.items())
        ],
    )
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (_PROGRESS_KEY, json.dumps({"through": through, "roi_metric": roi_metric})),
    )


_PROGRESS_KEY = "milestones.progress"


def _progress_before(
    conn: sqlite3.Connection, week: str, streak_weeks: int, roi_path: str
) -> dict[str, _Progress]:
    """Each user's totals over the weeks before ``week`` and the streak ending just before."""
    progress: dict[str, _Progress] = {}
    rows = conn.execute(
        """
        SELECT user_id, TOTAL(projects_completed), TOTAL(tasks_completed),
               TOTAL(invites_sent), TOTAL(CAST(json_extract(custom, :path) AS REAL)),
               MAX(CAST(json_extract(custom, :path) AS REAL))
        FROM usage WHERE week < :week GROUP BY user_id
        """,
        {"week": week, "path": roi_path},
    )
    for user_id, projects, tasks, invites, roi_total, roi_best in rows:
        progress[user_id] = _Progress(projects, tasks, invites, roi_total, roi_best or 0.0)

    # Only the weeks a streak can still be counting matter: the last streak_weeks ones.
    since = shift_week(week, -streak_weeks)
    active = conn.execute(
        "SELECT user_id, week FROM usage WHERE week >= ? AND week < ? AND active_days > 0 "
        "ORDER BY week",
        (since, week),
    )
    for user_id, active_week in active:
        p = progress.setdefault(user_id, _Progress())
        _step_streak(p, active_week)
    return progress


@functools.lru_cache(maxsize=4096)
def _week_number(week: str) -> int:
    return date.fromisoformat(week).toordinal() // 7


def _step_streak(progress: _Progress, active_week: str) -> None:
    number = _week_number(active_week)
    consecutive = progress.last_active == number - 1
    progress.streak = progress.streak + 1 if consecutive else 1
    progress.last_active = number


def _recorded_once(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    rows = conn.execute("SELECT user_id, kind FROM milestones WHERE kind != 'top_5'")
    return {(r[0], r[1]) for r in rows}


def _crossed_in_week(
    conn: sqlite3.Connection,
    week: str,
    progress: dict[str, _Progress],
    already: set[tuple[str, str]],
    model: ScoringModel,
    roi_path: str,
) -> list[Milestone]:
    """Running-total and streak milestones crossed in ``week``; advances ``progress``."""
    rules = model.milestones
    rows = conn.execute(
        """
        SELECT user_id, projects_completed, tasks_completed, invites_sent,
               active_days > 0, CAST(json_extract(custom, ?) AS REAL)
        FROM usage WHERE week = ?
        """,
        (roi_path, week),
    )
    found = []

    def crossed(user_id: str, kind: str, before: float, after: float, threshold: float) -> bool:
        return (user_id, kind) not in already and before < threshold <= after

    for user_id, projects, tasks, invites, active, roi in rows:
        p = progress.setdefault(user_id, _Progress())
        totals = (
            ("first_project", "projects_completed", p.projects, projects, rules.first_project_min),
            ("task_100", "tasks_completed", p.tasks, tasks, rules.task_total),
            ("team_builder", "invites_sent", p.invites, invites, rules.team_invites),
        )
        for kind, metric, before, value, threshold in totals:
            after = before + (value or 0)
            if crossed(user_id, kind, before, after, threshold):
                found.append(
                    Milestone(
                        user_id, kind, week, after, {"metric": metric, "threshold": threshold}
                    )
                )
        p.projects += projects or 0
        p.tasks += tasks or 0
        p.invites += invites or 0

        if rules.roi_running_total:
            roi_before, roi_after = p.roi_total, p.roi_total + (roi or 0)
        else:
            roi_before, roi_after = p.roi_best, roi or 0
        if crossed(user_id, "roi", roi_before, roi_after, rules.roi_threshold):
            detail = {
                "metric": rules.roi_metric,
                "threshold": rules.roi_threshold,
                "running_total": rules.roi_running_total,
            }
            found.append(Milestone(user_id, "roi", week, roi_after, detail))
        p.roi_total += roi or 0
        p.roi_best = max(p.roi_best, roi or 0)

        if active:
            _step_streak(p, week)
            if p.streak == rules.streak_weeks and (user_id, "streak_90") not in already:
                detail = {"metric": "weeks_active_in_a_row", "threshold": rules.streak_weeks}
                found.append(Milestone(user_id, "streak_90", week, float(p.streak), detail))
    return found


def _top_percent_in_week(
    conn: sqlite3.Connection, week: str, model: ScoringModel
) -> list[Milestone]:
    """Ranked candidates whose top N % is within the milestone's percent in ``week``."""
    limit = model.milestones.top_percent
    rows = conn.execute(
        "SELECT user_id, top_percent, rank, score FROM scores "
        "WHERE week = ? AND candidate = 1 AND top_percent <= ? ORDER BY rank",
        (week, limit),
    )
    return [
        Milestone(
            user_id,
            "top_5",
            week,
            float(top),
            {"metric": "top_percent", "threshold": limit, "rank": rank, "score": score},
        )
        for user_id, top, rank, score in rows
    ]


def _record(conn: sqlite3.Connection, found: list[Milestone]) -> list[Milestone]:
    """Insert what is not yet recorded; the unique indexes make repeats a no-op."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    recorded = []
    for m in found:
        cursor = conn.execute(
            "INSERT OR IGNORE INTO milestones (user_id, kind, week, value, detail, detected_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (m.user_id, m.kind, m.week, m.value, json.dumps(m.detail, sort_keys=True), now),
        )
        if cursor.rowcount == 1:
            m.milestone_id = cursor.lastrowid
            m.detected_at = now
            recorded.append(m)
    return recorded
