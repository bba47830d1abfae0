"""What a changed scoring model would change, counted before the founder saves it.

Plain Python. The database is copied into memory with SQLite's backup API and the
candidate model is applied to the copy with the scoring engine's own functions, so the
counts are exactly what saving would produce, and the real file is never touched.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from plm_desktop.store import Database

log = logging.getLogger(__name__)


class ImpactCancelled(Exception):
    """A newer edit made this count useless; it was stopped."""


@dataclass(frozen=True)
class ModelImpact:
    """How the latest scored week would look under a candidate model.

    Attributes:
        week: the week compared (the latest scored one), or None when nothing is scored.
        ranked: users ranked that week.
        scores_changed: users whose score would differ.
        candidates_before, candidates_after: advocate candidates now and with the model.
        became_candidates, stopped_being_candidates: users crossing the threshold.
        top_ten_changed: users entering (and so as many leaving) the top ten.
        wins_before, wins_after: milestones the week would have under each model, counted
            as if every milestone were detected afresh.
    """

    week: str | None
    ranked: int
    scores_changed: int
    candidates_before: int
    candidates_after: int
    became_candidates: int
    stopped_being_candidates: int
    top_ten_changed: int
    wins_before: int
    wins_after: int

    def sentence(self) -> str:
        """The count in words for the settings page."""
        if self.week is None:
            return "Nothing is scored yet, so saving changes no score."
        if self.scores_changed == 0 and self.wins_before == self.wins_after:
            return f"No change for the week of {self.week}."
        parts = [
            f"In the week of {self.week}: {self.scores_changed:,} of {self.ranked:,} scores "
            "would change",
            f"advocate candidates {self.candidates_before} → {self.candidates_after} "
            f"(+{self.became_candidates}, −{self.stopped_being_candidates})",
            f"{self.top_ten_changed} new in the top ten",
            f"wins that week {self.wins_before} → {self.wins_after}",
        ]
        return "; ".join(parts) + "."


def _memory_copy(db: Database) -> Database:
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    db.conn.backup(conn)
    conn.execute("PRAGMA foreign_keys = ON")
    return Database(conn, None)


def _week_state(db: Database, week: str) -> dict[str, tuple[int, int, bool]]:
    return {
        user_id: (score, rank, bool(candidate))
        for user_id, score, rank, candidate in db.conn.execute(
            "SELECT user_id, score, rank, candidate FROM scores WHERE week = ?", (week,)
        )
    }


def _wins_in(db: Database, week: str, model, all_weeks: list[str]) -> int:
    from plm_desktop.scoring import detect_milestones

    with db.transaction() as conn:
        conn.execute("DELETE FROM milestones")
    detect_milestones(db, all_weeks, model)
    return db.conn.execute("SELECT COUNT(*) FROM milestones WHERE week = ?", (week,)).fetchone()[0]


def model_impact(
    db: Database, candidate, *, cancelled: Callable[[], bool] = lambda: False
) -> ModelImpact:
    """Count what saving ``candidate`` (a ``ScoringModel``) would change.

    Raises:
        ModelError: the candidate model is not valid (the message names the value).
        ImpactCancelled: ``cancelled()`` turned True between steps.
    """
    from plm_desktop.scoring import ScoringModel, latest_scored_week, rescore_all, weeks

    candidate.validate()
    week = latest_scored_week(db)
    if week is None:
        return ModelImpact(None, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    current = ScoringModel.load(db)
    copy = _memory_copy(db)
    try:
        all_weeks = weeks(copy)
        rescore_all(copy, current)
        before = _week_state(copy, week)
        wins_before = _wins_in(copy, week, current, all_weeks)
        if cancelled():
            raise ImpactCancelled()
        rescore_all(copy, candidate)
        after = _week_state(copy, week)
        if cancelled():
            raise ImpactCancelled()
        wins_after = _wins_in(copy, week, candidate, all_weeks)
    finally:
        copy.close()

    changed = sum(1 for uid, state in after.items() if before.get(uid, (None,))[0] != state[0])
    cand_before = {uid for uid, s in before.items() if s[2]}
    cand_after = {uid for uid, s in after.items() if s[2]}
    top_before = {uid for uid, s in before.items() if s[1] <= 10}
    top_after = {uid for uid, s in after.items() if s[1] <= 10}
    impact = ModelImpact(
        week=week,
        ranked=len(after),
        scores_changed=changed,
        candidates_before=len(cand_before),
        candidates_after=len(cand_after),
        became_candidates=len(cand_after - cand_before),
        stopped_being_candidates=len(cand_before - cand_after),
        top_ten_changed=len(top_after - top_before),
        wins_before=wins_before,
        wins_after=wins_after,
    )
    log.debug("model impact for week %s: %s", week, impact)
    return impact
