"""What a changed scoring model would change, counted before the founder saves it.

Plain Python over the scoring engine. The real file is never written: scores are
previewed in memory by the engine, and milestone thresholds are tried on an in-memory
copy of the database (SQLite's backup API).
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
        preview: the scoring engine's ``ModelChangePreview`` (candidates and top ten).
        wins_before, wins_after: milestones the week would have under the current and
            the candidate thresholds, each detected afresh; None when the thresholds
            did not change (nothing to count).
    """

    preview: object
    wins_before: int | None = None
    wins_after: int | None = None

    @property
    def week(self) -> str | None:
        return self.preview.week

    def sentence(self) -> str:
        """The count in words for the settings page."""
        p = self.preview
        if p.week is None:
            return "Nothing is scored yet, so saving changes no score."
        wins_change = self.wins_before is not None and self.wins_before != self.wins_after
        if p.changed_users == 0 and not wins_change:
            return f"No change for the week of {p.week}."
        parts = [
            f"In the week of {p.week}: {p.changed_users:,} of {p.ranked_count:,} users "
            "would change",
            f"advocate candidates {p.candidates_now} → {p.candidates_after} "
            f"({p.candidate_changes} flip)",
            f"{len(p.entering_top)} new in the top {p.top}",
        ]
        if self.wins_before is not None:
            parts.append(f"wins that week {self.wins_before} → {self.wins_after}")
        return "; ".join(parts) + "."


def _memory_copy(db: Database) -> Database:
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    db.conn.backup(conn)
    conn.execute("PRAGMA foreign_keys = ON")
    return Database(conn, None)


def _wins_in(db: Database, week: str, model, all_weeks: list[str]) -> int:
    from plm_desktop.scoring import detect_milestones, rescore_all

    rescore_all(db, model)
    with db.transaction() as conn:
        conn.execute("DELETE FROM milestones")
    detect_milestones(db, all_weeks, model)
    return db.conn.execute("SELECT COUNT(*) FROM milestones WHERE week = ?", (week,)).fetchone()[0]


def model_impact(
    db: Database, candidate, *, cancelled: Callable[[], bool] = lambda: False
) -> ModelImpact:
    """Count what saving ``candidate`` (a ``ScoringModel``) would change.

    Scores come from the engine's in-memory preview. Milestone thresholds are counted
    only when they differ from the saved ones: on an in-memory copy of the database,
    every milestone is detected afresh under each set of thresholds, so the two counts
    compare like with like.

    Raises:
        ModelError: the candidate model is not valid (the message names the value).
        ImpactCancelled: ``cancelled()`` turned True between steps.
    """
    from plm_desktop.scoring import ScoringModel, weeks
    from plm_desktop.scoring.preview import preview_model_change

    preview = preview_model_change(db, candidate)
    current = ScoringModel.load(db)
    if preview.week is None or candidate.milestones == current.milestones:
        return ModelImpact(preview)
    if cancelled():
        raise ImpactCancelled()
    copy = _memory_copy(db)
    try:
        all_weeks = weeks(copy)
        wins_before = _wins_in(copy, preview.week, current, all_weeks)
        if cancelled():
            raise ImpactCancelled()
        wins_after = _wins_in(copy, preview.week, candidate, all_weeks)
    finally:
        copy.close()
    log.debug(
        "milestones in %s: %d now, %d with the new thresholds",
        preview.week,
        wins_before,
        wins_after,
    )
    return ModelImpact(preview, wins_before, wins_after)
