"""Starting the window: the QApplication, the shared context and the main window.

``run_app`` is what ``plm-desktop`` (no subcommand) calls. Start-up imports only Qt and
the window's own modules; the engine (Pillow, httpx, keyring...) is imported by the
background tasks that need it, so the window paints first.
"""

from __future__ import annotations

import atexit
import logging
import sys
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from plm_desktop import APP_ID, APP_NAME, __version__, paths
from plm_desktop.gui.context import AppContext
from plm_desktop.gui.errors import ErrorReporter, install_excepthook
from plm_desktop.gui.main_window import MainWindow
from plm_desktop.gui.tasks import TaskRunner
from plm_desktop.gui.theme import app_icon, apply_theme

log = logging.getLogger(__name__)


def ensure_application(argv: list[str] | None = None) -> QApplication:
    """The process's QApplication, created with the app's name, icon and theme."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        _release_clipboard_at_exit()
        return existing
    # Fractional scale factors (150 %) are kept as they are, so text and drawn parts stay
    # sharp on high-DPI screens instead of being rounded to 1x or 2x.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName(APP_ID)
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationDisplayName(APP_NAME)
    app.setWindowIcon(app_icon())
    apply_theme(app)
    _release_clipboard_at_exit()
    return app


_clipboard_release_registered = False


def _release_clipboard_at_exit() -> None:
    global _clipboard_release_registered
    if not _clipboard_release_registered:
        atexit.register(_hand_clipboard_to_qt)
        _clipboard_release_registered = True


def _hand_clipboard_to_qt() -> None:
    """Replace clipboard data made in Python with a copy Qt owns, before Python exits.

    The share page puts a ``QMimeData`` built in Python (post text plus card image) on
    the clipboard. Qt frees the clipboard only after the interpreter has shut down, and
    freeing a Python-made object then crashes the process. The post's text is what the
    founder most likely still wants to paste, so it is kept (the card stays saved as a
    file); otherwise the image is kept.
    """
    if QGuiApplication.instance() is None:
        return
    clipboard = QGuiApplication.clipboard()
    mime = clipboard.mimeData()
    if mime is None or not shiboken6.createdByPython(mime):
        return
    if mime.hasText():
        clipboard.setText(mime.text())
    elif mime.hasImage():
        clipboard.setImage(clipboard.image())
    else:
        clipboard.clear()


def build_window(*, inline_tasks: bool = False) -> MainWindow:
    """The main window with a fresh context (tests pass ``inline_tasks=True``)."""
    errors = ErrorReporter()
    tasks = TaskRunner(inline=inline_tasks)
    ctx = AppContext(tasks=tasks, errors=errors)
    window = MainWindow(ctx)
    errors.setParent(window)
    tasks.setParent(window)
    ctx.setParent(window)
    return window


def start_window(window: MainWindow, *, db_path: Path | None = None, demo: bool = False) -> None:
    """Open the requested database (or the sample) in ``window``."""
    if demo:
        window.explore_sample_data()
    else:
        window.open_database_file(Path(db_path) if db_path else paths.default_db_path())


def run_app(db_path: Path | None = None, demo: bool = False) -> int:
    """Show the window and run the event loop until it closes; returns the exit code.

    Args:
        db_path: the database file; the user data folder's one when None.
        demo: open a throwaway copy of the bundled sample data instead.
    """
    app = ensure_application()
    window = build_window()
    restore_hook = install_excepthook(window.ctx.errors)
    try:
        window.show()
        start_window(window, db_path=db_path, demo=demo)
        log.info("window started (version %s)", __version__)
        return app.exec()
    finally:
        restore_hook()
