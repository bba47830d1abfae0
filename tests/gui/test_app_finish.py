"""The finish of the window: --demo, shortcuts, the log file, accessible names, the icon."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
)


def test_demo_opens_a_throwaway_sample_straight_into_the_leaderboard(make_window, qtbot):
    from plm_desktop.gui.app import start_window

    win = make_window()
    win.show()
    start_window(win, demo=True)
    assert win.ctx.demo
    assert win.current_page_id == "leaderboard"
    assert win.page("leaderboard").view.board.ranked_count == 300
    assert win.database_label.text() == "Sample data (throwaway copy)"
    sample = Path(win.ctx.db_path)
    assert sample.is_file()
    win.close()
    assert not sample.parent.exists(), "the throwaway copy is removed when the window closes"


def test_page_shortcuts_switch_pages(window, qtbot):
    window.activateWindow()
    qtbot.waitExposed(window)
    for key, page_id in ((Qt.Key.Key_2, "leaderboard"), (Qt.Key.Key_3, "wins")):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.current_page_id == page_id
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_id == "settings"


class UrlCatcher(QObject):
    def __init__(self):
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_help_opens_the_log_file(window, plm_home):
    import logging

    from plm_desktop import logsetup

    logsetup.configure()
    logging.getLogger("plm_desktop.test").warning("a line for the log")
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        window.open_log_file()
    finally:
        QDesktopServices.unsetUrlHandler("file")
        logsetup.configure(to_file=False)
    assert [u.toLocalFile() for u in catcher.urls] == [str(logsetup.log_file_path())]
    assert str(plm_home) in catcher.urls[0].toLocalFile()


def _inside_combo(widget) -> bool:
    parent = widget.parent()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parent()
    return False


def _unnamed_controls(page) -> list[str]:
    """Inputs a screen reader could not name: no accessible name and no buddy label."""
    buddies = {label.buddy() for label in page.findChildren(QLabel) if label.buddy()}
    kinds = (QLineEdit, QComboBox, QAbstractSpinBox, QCheckBox, QAbstractItemView)
    missing = []
    for widget in page.findChildren(QObject):
        if not isinstance(widget, kinds) or widget in buddies:
            continue
        if isinstance(widget, QCheckBox) and widget.text():
            continue
        if isinstance(widget, QLineEdit) and isinstance(widget.parent(), (QComboBox,)):
            continue  # the editor inside an editable combo box
        if isinstance(widget, QLineEdit) and isinstance(widget.parent(), QAbstractSpinBox):
            continue
        if isinstance(widget, QHeaderView) or _inside_combo(widget):
            continue  # parts of a named table or combo box
        if not widget.accessibleName():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def test_every_input_of_my_screens_has_an_accessible_name(sample_window, tmp_path):
    csv = tmp_path / "usage-2026-11-30.csv"
    csv.write_text("user_id,active_days\nu1,3\n", encoding="utf-8")
    sample_window.open_import(csv)
    for page_id in ("welcome", "import", "leaderboard", "wins", "settings"):
        page = sample_window.show_page(page_id)
        assert _unnamed_controls(page) == [], page_id
    assert sample_window.sidebar.accessibleName() == "Pages"


def test_window_has_the_app_icon_and_name(window):
    from plm_desktop import APP_NAME

    assert window.windowTitle() == APP_NAME
    sizes = {s.width() for s in window.windowIcon().availableSizes()}
    assert {16, 32, 256} <= sizes


def test_switching_to_dark_repaints_the_whole_window_dark(window, qapp, qtbot):
    from PySide6.QtGui import QPalette

    from plm_desktop.gui import theme

    def sidebar_lightness() -> int:
        return window.sidebar.palette().color(QPalette.ColorRole.Base).lightness()

    try:
        theme.apply_scheme(qapp, Qt.ColorScheme.Dark)
        assert theme.is_dark()
        qtbot.waitUntil(lambda: sidebar_lightness() < 80, timeout=2000)
        image = window.grab().toImage()
        assert image.pixelColor(60, image.height() // 2).lightness() < 80
    finally:
        theme.apply_scheme(qapp, Qt.ColorScheme.Light)
    qtbot.waitUntil(lambda: sidebar_lightness() > 200, timeout=2000)
