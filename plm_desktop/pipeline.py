"""What happens around an import: the one entry point the window and the command line call.

Keeping it in one place means both front ends store, and later rescore, exactly the same
way after each file.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from plm_desktop.importer import ImportResult, import_usage_file
from plm_desktop.importer.usage import CancelCheck, ProgressCallback
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
) -> ImportResult:
    """Import one usage export (see :func:`plm_desktop.importer.import_usage_file`).

    Raises:
        ImportRejected: the file was refused; nothing was stored.
        ImportCancelled: ``cancel`` asked to stop; nothing was stored.
    """
    return import_usage_file(
        db, path, week=week, overrides=overrides, progress=progress, cancel=cancel
    )
