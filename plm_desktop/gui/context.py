"""What every page is given: the database, the task runner, the error path, settings.

Pages receive one :class:`AppContext` in their constructor and reach nothing global: a
test builds a context around a temporary database and an inline task runner, and the
page under test behaves exactly as in the window.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal

from plm_desktop import paths
from plm_desktop.gui.errors import ErrorReporter
from plm_desktop.gui.tasks import TaskRunner

log = logging.getLogger(__name__)

SETTINGS_FILE_NAME = "window.ini"

# Topics for AppContext.data_changed: what was written, so pages know whether to reload.
TOPIC_USAGE = "usage"  # an import stored rows (and scores/milestones were refreshed)
TOPIC_SCORING = "scoring"  # the model or thresholds changed and scores were recomputed
TOPIC_SETTINGS = "settings"  # brand or other settings saved with the database
TOPIC_OUTBOX = "outbox"  # a share was queued, sent or failed
TOPIC_SIGNUPS = "signups"  # the loop imported signups or outcomes


def open_window_settings() -> QSettings:
    """Machine-local window settings (geometry, last folder) in the config folder.

    Settings that belong to the data (brand, model) are saved in the database instead.
    """
    folder = paths.ensure_dir(paths.config_dir())
    return QSettings(str(folder / SETTINGS_FILE_NAME), QSettings.Format.IniFormat)


class AppContext(QObject):
    """The shared services of one window.

    Attributes:
        tasks: the background-task helper; every engine call goes through it.
        errors: the one path for errors the founder should see.
        settings: machine-local window settings (``QSettings``, INI in the config folder).
        db_path: the database file in use, or None before one is chosen.
        demo: True when the database is a throwaway copy of the sample data.
        secrets(): the Slack secret store, opened on first use (from a task).

    Signals:
        database_changed(path): another database file is now open (pages reload all).
        data_changed(topic): something was written; ``topic`` is one of the ``TOPIC_*``
            names so a page reloads only when it shows that data.
        busy_changed(bool): a long task started or ended (for a window-wide indicator).
    """

    database_changed = Signal(object)
    data_changed = Signal(str)

    def __init__(
        self,
        *,
        tasks: TaskRunner,
        errors: ErrorReporter,
        settings: QSettings | None = None,
        secrets_factory: Callable[[], Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.errors = errors
        self.settings = settings if settings is not None else open_window_settings()
        self.db_path: Path | None = None
        self.demo = False
        self._secrets_factory = secrets_factory or _open_token_store
        self._secrets: Any = None
        self._secrets_lock = threading.Lock()

    def secrets(self) -> Any:
        """The Slack secret store (``TokenStore``), opened on first use.

        Call it from a task: finding the system keyring may wait on D-Bus. One store per
        window, so a token kept "for this session only" lasts as long as the window.
        """
        with self._secrets_lock:
            if self._secrets is None:
                self._secrets = self._secrets_factory()
            return self._secrets

    def use_database(self, path: Path | None, *, demo: bool = False) -> None:
        """Switch every later task to the database at ``path`` and tell the pages.

        The file must already exist with an up-to-date schema (the main window opens and
        migrates it on the write worker before calling this).
        """
        self.tasks.set_database(path)
        self.db_path = Path(path) if path is not None else None
        self.demo = demo
        log.info("window now uses database %s%s", path, " (sample data)" if demo else "")
        self.database_changed.emit(self.db_path)

    def announce(self, topic: str) -> None:
        """Tell the pages that data under ``topic`` was written."""
        self.data_changed.emit(topic)


def _open_token_store() -> Any:
    from plm_desktop.sharing.secrets import open_token_store

    return open_token_store()
