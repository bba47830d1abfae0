"""What happens around an import: the one entry point the window and the command line call.

Keeping it in one place means both front ends store, and later rescore, exactly the same
way after each file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

from plm_desktop.importer import ImportResult, import_usage_file
from plm_desktop.importer.usage import CancelCheck, ProgressCallback
from plm_desktop.loop.attribution import link_signups_to_users
from plm_desktop.scoring import RefreshResult, refresh_weeks
from plm_desktop.store import Database

log = logging.getLogger(__name__)


def import_usage(
    db: Database,
    path: Path | str,
    *,
    week: str | date | None = None,
    overrides: dict[str, str] | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
) -> ScoredImport:
    """Import one usage export (see :func:`plm_desktop.importer.import_usage_file`), then
    rescore the weeks it touched and detect their milestones; when it brought new users,
    link signups to the users they became.

    Weeks that already had stored scores are rescored only when the import changed
    something; weeks without scores (an older database) are scored either way.

    Returns:
        The import's result with ``scored`` set when scores were refreshed.

    Raises:
        ImportRejected: the file was refused; nothing was stored.
        ImportCancelled: ``cancel`` asked to stop; nothing was stored.
    """
    result = import_usage_file(
        db, path, week=week, overrides=overrides, progress=progress, cancel=cancel
    )
    scored = None
    if result.weeks and (result.changed or _unscored(db, result.weeks)):
        scored = refresh_weeks(db, result.weeks)
        log.info(
            "scored %d weeks after importing %s: %d new milestones",
            len(scored.weeks),
            result.file,
            len(scored.milestones),
        )
    if result.users_added:
        # Someone who signed up through an advocate's link may have just started using
        # the product: link them now so their own activation shows beside the advocate.
        link_signups_to_users(db)
    values = {f.name: getattr(result, f.name) for f in fields(result)}
    return ScoredImport(**values, scored=scored)


@dataclass
class ScoredImport(ImportResult):
    """An :class:`ImportResult` plus what the rescoring after it stored."""

    scored: RefreshResult | None = None  # None: nothing needed rescoring


def _unscored(db: Database, weeks: list[str]) -> bool:
    marks = ",".join("?" * len(weeks))
    found = db.conn.execute(
        f"SELECT COUNT(*) FROM score_weeks WHERE week IN ({marks})", weeks
    ).fetchone()[0]
    return found < len(set(weeks))
