"""What a model change would do, before the founder saves it.

The settings screen shows this next to the edited numbers: how many users would gain or
lose advocate-candidate status and who would enter or leave the top ten. The candidate
model scores the week in memory; nothing is stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from plm_desktop.scoring.engine import score_weeks, weeks
from plm_desktop.scoring.leaderboard import UnknownWeek, latest_scored_week
from plm_desktop.scoring.model import ScoringModel
from plm_desktop.scoring.weekdates import as_week
from plm_desktop.store import Database

log = logging.getLogger(__name__)


@dataclass
class ModelChangePreview:
    """How one week's ranking would change under a candidate model."""

    week: str | None
    ranked_count: int
    candidates_now: int
    candidates_after: int
    candidate_changes: int  # users whose candidate status would flip
    top_changes: int  # users who would enter or leave the top N
    top: int
    changed_users: int = 0  # candidate status or top-N membership would change (once each)
    entering_top: list[str] = field(default_factory=list)  # user ids, by new rank
    leaving_top: list[str] = field(default_factory=list)  # user ids, by current rank


def preview_model_change(
    db: Database, model: ScoringModel, week: date | str | None = None, top: int = 10
) -> ModelChangePreview:
    """Compare ``week``'s stored scores (default: latest) with ``model``'s, unsaved.

    Raises:
        ModelError: ``model`` has a value that cannot work.
        UnknownWeek: ``week`` has no stored scores.
    """
    model.validate()
    week = latest_scored_week(db) if week is None else as_week(week)
    if week is None:
        return ModelChangePreview(None, 0, 0, 0, 0, 0, top)
    current = {
        user_id: (rank, bool(candidate))
        for user_id, rank, candidate in db.conn.execute(
            "SELECT user_id, rank, candidate FROM scores WHERE week = ?", (week,)
        )
    }
    if not current:
        available = [r[0] for r in db.conn.execute("SELECT week FROM score_weeks ORDER BY week")]
        raise UnknownWeek(week, available)

    scored = next(score_weeks(db.conn, model, weeks(db), [week]))
    flags = (scored.score >= scored.candidate_min).tolist()
    ranks = zip(scored.rank.tolist(), flags, strict=True)
    after = dict(zip(scored.ranked_user_ids(), ranks, strict=True))

    flipped = {u for u, (_r, c) in after.items() if current.get(u, (0, False))[1] != c}
    flipped |= {u for u, (_r, c) in current.items() if c and u not in after}
    top_now = {u for u, (r, _c) in current.items() if r <= top}
    top_after = {u for u, (r, _c) in after.items() if r <= top}
    entering = sorted(top_after - top_now, key=lambda u: after[u][0])
    leaving = sorted(top_now - top_after, key=lambda u: current[u][0])
    preview = ModelChangePreview(
        week=week,
        ranked_count=len(after),
        candidates_now=sum(c for _r, c in current.values()),
        candidates_after=sum(c for _r, c in after.values()),
        candidate_changes=len(flipped),
        top_changes=len(entering) + len(leaving),
        top=top,
        changed_users=len(flipped | set(entering) | set(leaving)),
        entering_top=entering,
        leaving_top=leaving,
    )
    log.debug("previewed a model change on %s: %d users would change", week, preview.changed_users)
    return preview
