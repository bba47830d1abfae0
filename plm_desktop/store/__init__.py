"""The local SQLite store: one file, versioned schema, WAL journal."""

from plm_desktop.store.database import Database, MigrationError, open_database

__all__ = ["Database", "MigrationError", "open_database"]
