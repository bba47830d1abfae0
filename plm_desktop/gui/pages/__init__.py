"""The window's pages, in sidebar order.

To add a page: write ``plm_desktop/gui/pages/<name>.py`` with a :class:`~.base.Page`
subclass and add one :class:`PageSpec` line to :data:`PAGES`. The main window builds a
page the first time it is shown, so a page module's imports cost nothing at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    """How the main window lists and builds one page.

    Attributes:
        page_id: stable name used for navigation (``window.show_page("leaderboard")``).
        title: the sidebar label.
        factory: ``"module:ClassName"`` of the page class, imported on first show.
        shortcut: key sequence that opens the page (``"Ctrl+2"``), or "" for none.
        in_sidebar: False for pages reached only by navigation (the welcome page).
    """

    page_id: str
    title: str
    factory: str
    shortcut: str = ""
    in_sidebar: bool = True


PAGES: list[PageSpec] = [
    PageSpec("welcome", "Welcome", "plm_desktop.gui.pages.welcome:WelcomePage", in_sidebar=False),
    PageSpec("import", "Import", "plm_desktop.gui.pages.import_page:ImportPage", "Ctrl+1"),
    PageSpec(
        "leaderboard",
        "Leaderboard",
        "plm_desktop.gui.pages.leaderboard:LeaderboardPage",
        "Ctrl+2",
    ),
    PageSpec("wins", "Wins", "plm_desktop.gui.pages.wins:WinsPage", "Ctrl+3"),
    # GUI engineer B: card studio ("studio", Ctrl+4), share ("share", Ctrl+5) and
    # outbox ("outbox", Ctrl+6). Loop engineer: "loop" (Ctrl+7).
    PageSpec("studio", "Card studio", "plm_desktop.gui.card_studio:CardStudioPage", "Ctrl+4"),
    PageSpec("share", "Share", "plm_desktop.gui.share_page:SharePage", "Ctrl+5"),
    PageSpec("outbox", "Outbox", "plm_desktop.gui.outbox_page:OutboxPage", "Ctrl+6"),
    PageSpec("loop", "Loop", "plm_desktop.gui.loop_page:LoopPage", "Ctrl+7"),
    # Settings stays last in the sidebar.
    PageSpec("settings", "Settings", "plm_desktop.gui.pages.settings:SettingsPage", "Ctrl+,"),
]
