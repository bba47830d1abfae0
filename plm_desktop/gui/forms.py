"""Loading the Qt Designer forms in ``ui/`` at run time.

Forms are loaded with ``QUiLoader`` and composed into a page as ``self.ui`` (never
inherited): ``self.ui = load_form("import_page.ui", self)`` returns the form's top widget,
already placed in a layout of ``self``, and every named child is reachable as an
attribute (``self.ui.preview_table``).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QVBoxLayout, QWidget

from plm_desktop.resources import form_path

log = logging.getLogger(__name__)

_custom_widgets: dict[str, type[QWidget]] = {}


class FormError(RuntimeError):
    """A Designer form is missing or cannot be read (a broken installation)."""


def register_custom_widget(widget_class: type[QWidget]) -> None:
    """Let forms use ``widget_class`` where Designer has a promoted widget of that name."""
    _custom_widgets[widget_class.__name__] = widget_class


def load_form(name: str, host: QWidget | None = None) -> QWidget:
    """Load ``ui/<name>`` and, with ``host``, fill ``host`` with it.

    Args:
        name: the form's file name, e.g. ``"import_page.ui"``.
        host: the widget that composes the form; the form becomes its only child in a
            margin-less layout.

    Returns:
        The form's top widget; named children are its attributes.
    """
    path = form_path(name)
    file = QFile(str(path))
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FormError(f"cannot open the form {path}: {file.errorString()}")
    loader = QUiLoader()
    for widget_class in _custom_widgets.values():
        loader.registerCustomWidget(widget_class)
    try:
        form = loader.load(file, host)
    finally:
        file.close()
    if form is None:
        raise FormError(f"cannot read the form {path}: {loader.errorString()}")
    if host is not None:
        layout = host.layout() or QVBoxLayout(host)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(form)
    log.debug("loaded form %s", name)
    return form
