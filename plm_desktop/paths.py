"""Where the app keeps its files on this machine.

Nothing here creates a folder at import time; callers ask for a path and create it when
they are about to write. ``PLM_DESKTOP_HOME`` puts every folder under one root, which is
how the tests and ``--demo`` keep their files apart from the founder's.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from plm_desktop import APP_ID

HOME_ENV = "PLM_DESKTOP_HOME"
DB_FILE_NAME = "plm.sqlite"


def _root_override() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value) if value else None


def data_dir() -> Path:
    """The folder that holds the database, its backups and exported cards."""
    root = _root_override()
    if root is not None:
        return root / "data"
    return Path(platformdirs.user_data_dir(APP_ID, appauthor=False))


def log_dir() -> Path:
    """The folder of the rotating log file."""
    root = _root_override()
    if root is not None:
        return root / "logs"
    return Path(platformdirs.user_log_dir(APP_ID, appauthor=False))


def config_dir() -> Path:
    """The folder of machine-local settings (not the ones saved with the database)."""
    root = _root_override()
    if root is not None:
        return root / "config"
    return Path(platformdirs.user_config_dir(APP_ID, appauthor=False))


def default_db_path() -> Path:
    """The database used when no ``--db`` is given."""
    return data_dir() / DB_FILE_NAME


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if missing and return it."""
    path.mkdir(parents=True, exist_ok=True)
    return path
