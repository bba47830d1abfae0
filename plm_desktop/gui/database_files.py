"""Backing up, restoring and creating the database files the window opens.

Plain Python (no Qt): the main window runs these on its database-write worker.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from plm_desktop import paths
from plm_desktop.store import open_database
from plm_desktop.store.database import MigrationError, available_migrations, backup_to

log = logging.getLogger(__name__)


class RestoreRefused(Exception):
    """The chosen file cannot replace the database; nothing was changed."""


@dataclass(frozen=True)
class RestoreResult:
    """A restore that happened: from where, and where the replaced data was kept."""

    source: Path
    database: Path
    safety_copy: Path | None


def backups_dir() -> Path:
    """Where backups go unless the founder picks another folder."""
    return paths.data_dir() / "backups"


def default_backup_name(now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return f"plm-backup-{stamp}.sqlite"


def prepare_database(path: Path) -> int:
    """Create or migrate the database at ``path``; return how many usage imports it holds."""
    db = open_database(path)
    try:
        row = db.conn.execute("SELECT COUNT(*) FROM imports WHERE kind = 'usage'").fetchone()
        return int(row[0])
    finally:
        db.close()


def backup_database(live: Path, target: Path) -> Path:
    """Write a consistent copy of the database ``live`` to ``target``."""
    db = open_database(live, migrate=False)
    try:
        backup_to(db, target)
    finally:
        db.close()
    log.info("backed up the database to %s", target)
    return target


def check_restorable(source: Path) -> int:
    """Raise :class:`RestoreRefused` unless ``source`` is a PLM Desktop database this app
    can open; return its schema version."""
    if not source.is_file():
        raise RestoreRefused(f"{source} does not exist.")
    try:
        probe = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = probe.execute("PRAGMA user_version").fetchone()[0]
            tables = {
                row[0]
                for row in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        raise RestoreRefused(f"{source.name} is not a database file: {exc}") from exc
    if not {"users", "usage", "imports", "settings"} <= tables:
        raise RestoreRefused(f"{source.name} is not a PLM Desktop database (tables missing).")
    latest = max((m.version for m in available_migrations()), default=0)
    if version > latest:
        raise RestoreRefused(
            f"{source.name} was written by a newer PLM Desktop (schema {version}); "
            "update the app before restoring it."
        )
    return int(version)


def restore_database(source: Path, live: Path) -> RestoreResult:
    """Replace the database ``live`` with the backup ``source``.

    The current data is first copied to the backups folder, so a wrong restore can itself
    be undone. The backup is copied in with SQLite's backup API (never a half-written
    file) and migrated if it is older than this app.
    """
    if source.resolve() == live.resolve():
        raise RestoreRefused("That file is the database in use; choose a backup file.")
    check_restorable(source)

    safety: Path | None = None
    if live.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        safety = backup_database(live, backups_dir() / f"plm-before-restore-{stamp}.sqlite")

    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        live.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(str(live))
        try:
            src.backup(dest)
        finally:
            dest.close()
    finally:
        src.close()
    try:
        open_database(live).close()
    except MigrationError as exc:
        raise RestoreRefused(f"{source.name} could not be brought up to date: {exc}") from exc
    log.info("restored the database from %s (safety copy %s)", source.name, safety)
    return RestoreResult(source=source, database=live, safety_copy=safety)
