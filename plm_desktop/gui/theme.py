"""Look of the window: Fusion style, light or dark following the system, the app icon.

Custom-drawn widgets (score bars, sparklines) take their colours from the palette plus
the few accent colours here, so they read well in both schemes.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QIcon,
    QPainter,
    QPainterPath,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import QApplication

from plm_desktop.resources import resource_path

log = logging.getLogger(__name__)

ACCENT = QColor("#4f6bed")
"""Selection, progress and the candidate mark."""

PART_COLOURS = {
    "frequency": QColor("#0ea5e9"),
    "depth": QColor("#1a9e77"),
    "collaboration": QColor("#e08a1e"),
    "sentiment": QColor("#c2417a"),
}
"""One colour per score part, the same on every screen."""

UP_COLOUR = QColor("#1a9e55")
DOWN_COLOUR = QColor("#d0433a")

_ICON_NAMES = ("plm-desktop.svg", "plm-desktop.png", "icon.svg", "icon.png")


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the window background is dark (the dark scheme is in use)."""
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def _dark_palette() -> QPalette:
    palette = QPalette()
    window = QColor(0x2B, 0x2D, 0x31)
    base = QColor(0x1F, 0x21, 0x24)
    text = QColor(0xE8, 0xEA, 0xED)
    role = QPalette.ColorRole
    palette.setColor(role.Window, window)
    palette.setColor(role.WindowText, text)
    palette.setColor(role.Base, base)
    palette.setColor(role.AlternateBase, window)
    palette.setColor(role.ToolTipBase, base)
    palette.setColor(role.ToolTipText, text)
    palette.setColor(role.PlaceholderText, QColor(0x9A, 0xA0, 0xA6))
    palette.setColor(role.Text, text)
    palette.setColor(role.Button, window)
    palette.setColor(role.ButtonText, text)
    palette.setColor(role.BrightText, QColor("#ff6b6b"))
    palette.setColor(role.Link, QColor("#8ab4f8"))
    palette.setColor(role.Highlight, ACCENT)
    palette.setColor(role.HighlightedText, QColor("white"))
    palette.setColor(role.Mid, QColor(0x3C, 0x40, 0x43))
    palette.setColor(role.Dark, QColor(0x18, 0x19, 0x1B))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.Text, role.ButtonText, role.WindowText):
        palette.setColor(disabled, r, QColor(0x80, 0x86, 0x8B))
    return palette


def apply_theme(app: QApplication) -> None:
    """Use Fusion and the system's light or dark scheme, now and when it changes."""
    app.setStyle("Fusion")
    _apply_scheme(app)
    hints = QGuiApplication.styleHints()
    hints.colorSchemeChanged.connect(lambda scheme: apply_scheme(app, scheme))


def _apply_scheme(app: QApplication) -> None:
    apply_scheme(app, QGuiApplication.styleHints().colorScheme())


def apply_scheme(app: QApplication, scheme: Qt.ColorScheme) -> None:
    """Use the dark palette for ``Qt.ColorScheme.Dark``, the style's light one otherwise."""
    if scheme == Qt.ColorScheme.Dark:
        app.setPalette(_dark_palette())
        log.debug("applied the dark palette")
    else:
        palette = app.style().standardPalette()
        palette.setColor(QPalette.ColorRole.Highlight, ACCENT)
        app.setPalette(palette)


def app_icon() -> QIcon:
    """The app's icon from ``resources/icons`` (every bundled size, so the task bar and
    the title bar each get a sharp one), or a drawn monogram when none is bundled."""
    folder = resource_path("icons")
    icon = QIcon()
    if folder.is_dir():
        for path in sorted(folder.glob("plm-desktop-*.png")):
            icon.addFile(str(path))
        if icon.isNull():
            for name in _ICON_NAMES:
                if (folder / name).is_file():
                    icon.addFile(str(folder / name))
                    break
    return icon if not icon.isNull() else _drawn_icon()


def _drawn_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, size, size), size * 0.22, size * 0.22)
        painter.fillPath(path, ACCENT)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(6, int(size * 0.42)))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "PL")
        painter.end()
        icon.addPixmap(pixmap)
    return icon
