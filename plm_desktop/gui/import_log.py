"""The import history the Import page lists: plain Python over the ``imports`` table."""

from __future__ import annotations

import json
from dataclasses import dataclass

from plm_desktop.store import Database


@dataclass(frozen=True)
class ImportRecord:
    """One stored usage import, newest first in :func:`import_history`."""

    import_id: int
    file_name: str
    weeks: list[str]
    rows: int
    inserted: int
    updated: int
    unchanged: int
    warnings: int
    imported_at: str


def import_history(db: Database, limit: int = 200) -> list[ImportRecord]:
    """The latest usage imports with their counts, newest first."""
    rows = db.conn.execute(
        "SELECT import_id, file_name, weeks, rows, inserted, updated, unchanged, warnings, "
        "imported_at FROM imports WHERE kind = 'usage' ORDER BY import_id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [
        ImportRecord(
            import_id=row[0],
            file_name=row[1],
            weeks=list(json.loads(row[2] or "[]")),
            rows=row[3],
            inserted=row[4],
            updated=row[5],
            unchanged=row[6],
            warnings=len(json.loads(row[7] or "[]")),
            imported_at=row[8],
        )
        for row in rows
    ]
