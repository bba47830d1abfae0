"""What a page is: a widget given the shared context and a way to navigate.

A page loads its data through ``self.ctx.tasks`` (never on the GUI thread), reports
errors through ``self.ctx.errors`` and reloads when the data it shows changes: list the
``TOPIC_*`` names it shows in :attr:`Page.topics` and implement :meth:`Page.reload`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from plm_desktop.gui.context import AppContext


class Navigator(Protocol):
    """What a page may ask of the main window."""

    def show_page(self, page_id: str, **request: Any) -> QWidget | None:
        """Bring ``page_id`` to front; ``request`` goes to its :meth:`Page.open_request`."""
        ...

    def open_card_studio(self, user_id: str, milestone_kind: str | None, week: str | None) -> None:
        """Open the card studio for this user's milestone."""
        ...

    def open_import(self, path: str) -> None:
        """Show the import page with ``path`` previewed."""
        ...

    def choose_import_file(self) -> None:
        """Ask for a usage export with a file dialog and preview it."""
        ...

    def explore_sample_data(self) -> object:
        """Open a throwaway copy of the bundled sample data."""
        ...

    def backup_database(self, target: Path) -> object:
        """Write a copy of the open database to ``target`` in the background."""
        ...

    def restore_database(self, source: Path) -> object:
        """Replace the open database with the backup ``source`` in the background."""
        ...

    def choose_backup_target(self) -> None:
        """Ask where to write a backup (file dialog), then write it."""
        ...

    def choose_restore_source(self) -> None:
        """Ask for a backup to restore (file dialog and confirmation), then restore it."""
        ...

    def open_database_file(self, path: Path, *, demo: bool = False) -> object:
        """Open (creating or migrating) another database file and show it."""
        ...

    def open_data_folder(self) -> None:
        """Show the data folder in the system's file manager."""
        ...


class Page(QWidget):
    """Base class of the window's pages.

    Subclasses set :attr:`topics` and override :meth:`reload` (start background loads) and
    optionally :meth:`open_request`. The main window calls :meth:`page_shown` each time
    the page comes to front; it reloads when the data changed while the page was hidden.

    Signals:
        loaded(): the page finished showing fresh data (tests wait on it).
    """

    loaded = Signal()

    topics: frozenset[str] = frozenset()
    """``data_changed`` topics whose changes this page shows."""

    def __init__(self, ctx: AppContext, nav: Navigator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.nav = nav
        self._stale = True
        ctx.database_changed.connect(self._on_database_changed)
        ctx.data_changed.connect(self._on_data_changed)

    def page_shown(self) -> None:
        """Called by the main window whenever this page comes to front."""
        if self._stale and self.ctx.db_path is not None:
            self._stale = False
            self.reload()

    def reload(self) -> None:
        """Start loading what the page shows (through ``self.ctx.tasks``)."""

    def open_request(self, **request: Any) -> None:
        """Handle a navigation request, e.g. a user to select. Default: ignore."""

    def mark_stale(self) -> None:
        """Reload now if visible, otherwise the next time the page is shown."""
        self._stale = True
        if self.isVisible():
            self.page_shown()

    def _on_database_changed(self, _path: object) -> None:
        self.mark_stale()

    def _on_data_changed(self, topic: str) -> None:
        if topic in self.topics:
            self.mark_stale()
