"""The segment export: the top N % of ranked users with their scores, as CSV.

Founders open the file in a spreadsheet or upload it to an ad or CRM tool, so every cell
a spreadsheet could read as a formula is neutralised first.
"""

from __future__ import annotations

import csv
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from plm_desktop.scoring.leaderboard import Leaderboard, leaderboard
from plm_desktop.scoring.model import ScoringModel
from plm_desktop.store import Database

log = logging.getLogger(__name__)

# A leading =, +, - or @ makes spreadsheets evaluate a cell; tab and carriage return do
# in some of them too.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADER = [
    "week",
    "rank",
    "top_percent",
    "user_id",
    "email",
    "name",
    "company",
    "title",
    "score",
    "candidate",
    "frequency",
    "depth",
    "collaboration",
    "sentiment",
]
EXTRA_HEADER = ["support_tickets", "content_views", "integrations"]


@dataclass
class SegmentExport:
    """What was written: where, for which week, how many users."""

    path: Path
    week: str | None
    users: int
    percent: int


def neutralise_cell(value: object) -> str:
    """The cell as text a spreadsheet shows as typed: formula starts get a leading ``'``."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def segment(
    db: Database, week: date | str | None = None, percent: int | None = None
) -> Leaderboard:
    """The ranked users of ``week`` (default: latest) whose top N % is at most ``percent``
    (default: the model's segment percent, 10)."""
    if percent is None:
        percent = ScoringModel.load(db).segment_percent
    # ceil(100 * rank / n) <= percent exactly when rank <= percent * n / 100.
    ranked = leaderboard(db, week, top=0).ranked_count
    board = leaderboard(db, week, top=percent * ranked // 100)
    board.rows = [r for r in board.rows if r.top_percent <= percent]
    return board


def export_segment(
    db: Database,
    out: Path | str,
    week: date | str | None = None,
    percent: int | None = None,
) -> SegmentExport:
    """Write the segment of ``week`` to ``out`` as UTF-8 CSV, replacing it whole.

    The file is written beside ``out`` and moved into place, so a failure never leaves
    half a file behind.

    Raises:
        UnknownWeek: ``week`` has no stored scores.
        OSError: ``out`` cannot be written.
    """
    model = ScoringModel.load(db)
    percent = model.segment_percent if percent is None else percent
    board = segment(db, week, percent)
    extras = [name for name in EXTRA_HEADER if getattr(model, name).enabled]
    out = Path(out)

    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent or Path("."))
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(HEADER + extras)
            for row in board.rows:
                points = row.points.as_dict()
                values = [
                    row.week,
                    row.rank,
                    row.top_percent,
                    row.user_id,
                    row.email,
                    row.name,
                    row.company,
                    row.title,
                    row.score,
                    "yes" if row.candidate else "no",
                    points["frequency"],
                    points["depth"],
                    points["collaboration"],
                    points["sentiment"],
                ] + [points[name] for name in extras]
                writer.writerow([neutralise_cell(v) for v in values])
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    log.info("exported a segment of %d users (week %s) to %s", len(board.rows), board.week, out)
    return SegmentExport(out, board.week, len(board.rows), percent)
