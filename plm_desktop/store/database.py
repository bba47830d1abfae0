"""Opening the database, migrating its schema and keeping settings with it."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(RuntimeError):
    """The schema could not be brought up to date; the file is left as it was."""


@dataclass(frozen=True)
class Migration:
    """One numbered schema step."""

    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """Every migration shipped with the app, in order."""
    folder = resources.files("plm_desktop.store.migrations")
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a number: {versions}")
    return found


class Database:
    """A connection to the app's SQLite file.

    Engine modules take a ``Database`` and use :attr:`conn` for SQL; :meth:`transaction`
    wraps a unit of work so it is stored whole or not at all.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self.conn = conn
        self.path = path

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the block in one ``BEGIN IMMEDIATE`` transaction; roll back on any error."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.rollback()
            raise
        self.conn.commit()

    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A JSON value saved with the database (model weights, brand, thresholds...)."""
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        """Save a JSON value with the database, replacing any earlier one."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, sort_keys=True)),
            )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(path: Path | str) -> sqlite3.Connection:
    """A raw connection with the pragmas every part of the app relies on.

    Transactions are explicit (``isolation_level=None``): the engine opens them with
    :meth:`Database.transaction` so an import is one unit, never half stored.
    """
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def open_database(path: Path | str, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date.

    Before migrating a database that already holds data, a copy is written beside it as
    ``<name>.v<old>-<timestamp>.bak`` so a failed or unwanted upgrade can be undone.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if migrate and path.exists():
        _refuse_newer_schema(path)
    conn = connect(path)
    db = Database(conn, path)
    if migrate:
        try:
            migrate_database(db)
        except BaseException:
            conn.close()
            raise
    return db


def _refuse_newer_schema(path: Path) -> None:
    """Raise before touching a file a newer app wrote (even switching to WAL alters it)."""
    probe = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        found = probe.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise MigrationError(f"{path} is not a PLM Desktop database: {exc}") from exc
    finally:
        probe.close()
    latest = max((m.version for m in available_migrations()), default=0)
    if found > latest:
        raise MigrationError(
            f"{path} was written by a newer PLM Desktop (schema {found}, this app knows "
            f"up to {latest}); update the app before opening it"
        )


def backup_to(db: Database, target: Path) -> Path:
    """Write a consistent copy of the live database to ``target`` (SQLite backup API)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    dest = sqlite3.connect(str(target))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    return target


def migrate_database(db: Database) -> list[int]:
    """Apply every migration newer than the file's ``user_version``; return those applied."""
    migrations = available_migrations()
    current = db.schema_version
    latest = migrations[-1].version if migrations else 0
    if current > latest:
        raise MigrationError(f"{db.path} has schema {current}; this app knows up to {latest}")
    pending = [m for m in migrations if m.version > current]
    if not pending:
        return []

    if current > 0 and db.path is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        copy = db.path.with_name(f"{db.path.name}.v{current}-{stamp}.bak")
        backup_to(db, copy)
        log.info("backed up %s to %s before migrating from schema %d", db.path, copy, current)

    applied = []
    for migration in pending:
        try:
            with db.transaction() as conn:
                for statement in _split_statements(migration.sql):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {migration.version:d}")
        except sqlite3.Error as exc:
            raise MigrationError(f"migration {migration.name} failed: {exc}") from exc
        applied.append(migration.version)
        log.info("applied migration %s to %s", migration.name, db.path)
    return applied


def _split_statements(sql: str) -> list[str]:
    """Split a migration script into statements (``executescript`` would commit)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise MigrationError(f"unterminated statement in migration: {buffer.strip()[:60]}")
    return statements
