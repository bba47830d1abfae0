"""The power-user model: stored scores per user and week, the leaderboard, milestones.

No Qt here; the window and the command line both call these functions.
"""

from plm_desktop.scoring.engine import (
    RefreshResult,
    affected_weeks,
    refresh_weeks,
    rescore_all,
    scored_weeks,
    weeks,
)
from plm_desktop.scoring.leaderboard import (
    Leaderboard,
    Points,
    RankedUser,
    RawValues,
    TrendPoint,
    UnknownWeek,
    latest_scored_week,
    leaderboard,
    trend,
    user_score,
)
from plm_desktop.scoring.milestones import (
    KINDS,
    Milestone,
    detect_milestones,
    milestones_in_week,
    milestones_of_user,
)
from plm_desktop.scoring.model import ModelError, ScoringModel
from plm_desktop.scoring.preview import ModelChangePreview, preview_model_change
from plm_desktop.scoring.segment import SegmentExport, export_segment, neutralise_cell, segment

__all__ = [
    "KINDS",
    "Leaderboard",
    "Milestone",
    "ModelChangePreview",
    "ModelError",
    "Points",
    "RankedUser",
    "RawValues",
    "RefreshResult",
    "SegmentExport",
    "ScoringModel",
    "TrendPoint",
    "UnknownWeek",
    "affected_weeks",
    "detect_milestones",
    "export_segment",
    "latest_scored_week",
    "leaderboard",
    "milestones_in_week",
    "milestones_of_user",
    "neutralise_cell",
    "preview_model_change",
    "refresh_weeks",
    "rescore_all",
    "scored_weeks",
    "segment",
    "trend",
    "user_score",
    "weeks",
]
