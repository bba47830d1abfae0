"""The first-run page: drop a usage export, or explore the bundled sample data."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from plm_desktop.gui.context import AppContext
from plm_desktop.gui.forms import load_form
from plm_desktop.gui.pages.base import Navigator, Page


class WelcomePage(Page):
    """Shown while the database holds no usage import yet.

    A drop anywhere on the window (this page included) opens the import preview; the
    main window handles drops, so this page only offers the two ways in.
    """

    def __init__(self, ctx: AppContext, nav: Navigator, parent: QWidget | None = None) -> None:
        super().__init__(ctx, nav, parent)
        self.ui = load_form("welcome_page.ui", self)
        self.ui.choose_button.clicked.connect(self._choose_file)
        self.ui.sample_button.clicked.connect(self._explore_sample)

    def page_shown(self) -> None:
        super().page_shown()
        # Keyboard focus on the way in, rather than on the sidebar's first row.
        self.ui.sample_button.setFocus()

    def _choose_file(self) -> None:
        self.nav.choose_import_file()

    def _explore_sample(self) -> None:
        self.nav.explore_sample_data()
