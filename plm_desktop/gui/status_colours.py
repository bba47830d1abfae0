"""Colours for "failed" and "sent" text that stay readable in the light and dark themes."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from plm_desktop.gui.theme import is_dark

_LIGHT = {"error": "#b3261e", "success": "#1b7a3d"}
_DARK = {"error": "#ff8a80", "success": "#7bd88f"}


def status_colour(widget: QWidget, kind: str) -> str:
    """``#RRGGBB`` for ``kind`` (``error`` or ``success``) on ``widget``'s background."""
    return (_DARK if is_dark(widget.palette()) else _LIGHT)[kind]
