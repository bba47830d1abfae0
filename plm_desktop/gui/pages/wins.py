"""The Wins page: this week's new milestones, a queue of wins to celebrate."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHeaderView, QTableWidgetItem, QWidget

from plm_desktop.gui import theme
from plm_desktop.gui.context import TOPIC_OUTBOX, TOPIC_SCORING, TOPIC_USAGE, AppContext
from plm_desktop.gui.forms import load_form
from plm_desktop.gui.pages.base import Navigator, Page
from plm_desktop.gui.pages.leaderboard import week_title
from plm_desktop.gui.tasks import Task

log = logging.getLogger(__name__)

COLUMNS = ("Who", "Company", "Milestone", "Measured", "Status")


_UNITS = {
    "first_project": ("project", "projects"),
    "task_100": ("task", "tasks"),
    "team_builder": ("invite", "invites"),
    "streak_90": ("week in a row", "weeks in a row"),
}


def measured_text(milestone: Any) -> str:
    """The value at the crossing in words (``112 tasks``, ``13 weeks in a row``, ``top 2 %``)."""
    value = milestone.value
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        number = f"{value:,.1f}"
    else:
        number = f"{int(value):,}"
    if milestone.kind == "top_5":
        return f"top {number} %"
    if milestone.kind == "roi":
        return f"{number} {str(milestone.detail.get('metric', '')).replace('_', ' ')}".strip()
    singular, plural = _UNITS.get(milestone.kind, ("", ""))
    unit = singular if number == "1" else plural
    return f"{number} {unit}".strip()


class WinsPage(Page):
    """This week's milestones as a queue; each opens the card studio for its user."""

    topics = frozenset({TOPIC_USAGE, TOPIC_SCORING, TOPIC_OUTBOX})

    def __init__(self, ctx: AppContext, nav: Navigator, parent: QWidget | None = None) -> None:
        super().__init__(ctx, nav, parent)
        self.ui = load_form("wins_page.ui", self)
        self.view = None
        self._weeks: list[str] = []
        table = self.ui.wins_table
        table.setColumnCount(len(COLUMNS))
        table.setHorizontalHeaderLabels(COLUMNS)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setDefaultSectionSize(30)
        table.itemDoubleClicked.connect(lambda _item: self.celebrate_selected())
        table.itemSelectionChanged.connect(self._selection_changed)
        self.ui.celebrate_button.clicked.connect(self.celebrate_selected)
        self.ui.leaderboard_button.clicked.connect(self._show_on_leaderboard)
        self.ui.week_combo.activated.connect(lambda _i: self.reload())
        QShortcut(QKeySequence(Qt.Key.Key_Return), table, activated=self.celebrate_selected)
        self._selection_changed()

    def reload(self) -> Task:
        from plm_desktop.gui.leaderboard_data import load_wins

        week = self.ui.week_combo.currentData()

        def load(control):
            from plm_desktop.scoring import scored_weeks

            return load_wins(control.db, week), list(reversed(scored_weeks(control.db)))

        return self.ctx.tasks.read(
            load,
            title="Loading this week's wins",
            on_result=self._show,
            on_error=lambda exc: self.ctx.errors.report("Could not load the wins.", exc),
        )

    def _show(self, loaded: tuple[Any, list[str]]) -> None:
        view, weeks = loaded
        self.view = view
        combo = self.ui.week_combo
        combo.blockSignals(True)
        combo.clear()
        for week in weeks:
            combo.addItem(week_title(week), week)
        if view.week is not None:
            combo.setCurrentIndex(max(0, combo.findData(view.week)))
        combo.blockSignals(False)

        wins = view.wins
        waiting = sum(1 for m in wins if (m.user_id, m.kind) not in view.shared)
        if view.week is None:
            self.ui.headline_label.setText("No wins yet: import a usage export first.")
        elif not wins:
            self.ui.headline_label.setText(f"No new wins in the week of {week_title(view.week)}.")
        else:
            self.ui.headline_label.setText(
                f"{len(wins)} new win{'s' if len(wins) != 1 else ''} this week "
                f"(week of {week_title(view.week)}) · {waiting} still to celebrate"
            )

        table = self.ui.wins_table
        table.setRowCount(len(wins))
        for row, milestone in enumerate(wins):
            shared = (milestone.user_id, milestone.kind) in view.shared
            values = [
                milestone.name or milestone.email or milestone.user_id,
                view.companies.get(milestone.user_id, ""),
                milestone.label,
                measured_text(milestone),
                "sent" if shared else "to celebrate",
            ]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, row)
                if column == 4 and not shared:
                    item.setForeground(theme.ACCENT)
                table.setItem(row, column, item)
        if wins:
            table.selectRow(0)
        self._selection_changed()
        self.loaded.emit()

    def selected_win(self) -> Any:
        rows = self.ui.wins_table.selectionModel().selectedRows()
        if not rows or self.view is None:
            return None
        return self.view.wins[rows[0].row()]

    def _selection_changed(self) -> None:
        has = self.selected_win() is not None
        self.ui.celebrate_button.setEnabled(has)
        self.ui.leaderboard_button.setEnabled(has)

    def celebrate_selected(self) -> None:
        """Open the card studio for the selected win."""
        win = self.selected_win()
        if win is not None:
            log.info("celebrating %s of %s", win.kind, win.week)
            self.nav.open_card_studio(win.user_id, win.kind, win.week)

    def _show_on_leaderboard(self) -> None:
        win = self.selected_win()
        if win is not None:
            self.nav.show_page("leaderboard", user_id=win.user_id)
