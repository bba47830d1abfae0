"""The window half of ``plm-desktop --self-test``: open, show every page, close.

Lives in the Qt layer so that :mod:`plm_desktop.selftest` stays plain Python and only
reaches Qt through this one call.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent

from plm_desktop.gui.app import build_window, ensure_application
from plm_desktop.gui.pages import PAGES


@dataclass(frozen=True)
class WindowCheck:
    """What opening the main window on a database showed."""

    shown: list[str]  # page ids, in sidebar order
    platform: str  # the Qt platform plugin that drew it
    width: int
    height: int
    errors: list[str]  # anything the window reported through its error path


def show_every_page(db_path: Path) -> WindowCheck:
    """Open the main window on ``db_path``, show each page once, then close the window."""
    app = ensure_application([sys.argv[0] if sys.argv else "plm-desktop"])
    window = build_window(inline_tasks=True)
    errors: list[str] = []
    window.ctx.errors.reported.connect(lambda error: errors.append(str(error)))
    try:
        window.show()
        window.open_database_file(db_path)
        QCoreApplication.processEvents()
        shown = []
        for spec in PAGES:
            if window.show_page(spec.page_id) is not None:
                shown.append(spec.page_id)
            QCoreApplication.processEvents()
        size = window.size()
    finally:
        window.close()
        window.deleteLater()
        # processEvents() leaves deferred deletes queued; deliver them so the window is
        # gone before the caller (a test, or interpreter shutdown) carries on.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return WindowCheck(shown, app.platformName(), size.width(), size.height(), errors)
