"""The Leaderboard page: the week's top ten (or everyone), why each ranks, what was sent."""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QHeaderView, QListWidgetItem, QWidget

from plm_desktop.gui.board_model import (
    COL_CANDIDATE,
    COL_COMPANY,
    COL_MOVE,
    COL_NAME,
    COL_PARTS,
    COL_RANK,
    COL_SCORE,
    COL_TITLE,
    COL_TREND,
    USER_ROLE,
    BoardFilter,
    LeaderboardModel,
    PartBarsDelegate,
    SparklineDelegate,
)
from plm_desktop.gui.context import TOPIC_OUTBOX, TOPIC_SCORING, TOPIC_USAGE, AppContext
from plm_desktop.gui.forms import load_form
from plm_desktop.gui.pages.base import Navigator, Page
from plm_desktop.gui.tasks import Task

log = logging.getLogger(__name__)

_STATE_LABELS = {
    "queued": "queued",
    "sending": "sending",
    "sent": "sent",
    "failed": "failed",
    "handed_to_user": "handed over",
}


def week_title(week: str) -> str:
    """``2026-11-30`` as ``30 Nov 2026``."""
    from datetime import date

    try:
        return date.fromisoformat(week).strftime("%-d %b %Y")
    except ValueError:
        return week


def part_legend() -> str:
    """The colour key of the part bars, as rich text."""
    from plm_desktop.gui import theme

    keys = [
        f"<span style='color:{theme.PART_COLOURS[p].name()}'>■</span> {p}"
        for p in ("frequency", "depth", "collaboration", "sentiment")
    ]
    return (
        "Parts: " + " &nbsp; ".join(keys) + " &nbsp;·&nbsp; ★ advocate candidate"
        " &nbsp;·&nbsp; 8 weeks: score trend, 0 to 100"
    )


class LeaderboardPage(Page):
    """Top ten of a week with movement, parts, trend and the candidate mark.

    Signals:
        detail_shown(user_id): the details panel shows a user (tests wait on it).
        segment_exported(SegmentExport): the top segment was written.
    """

    detail_shown = Signal(str)
    segment_exported = Signal(object)

    topics = frozenset({TOPIC_USAGE, TOPIC_SCORING, TOPIC_OUTBOX})

    def __init__(self, ctx: AppContext, nav: Navigator, parent: QWidget | None = None) -> None:
        super().__init__(ctx, nav, parent)
        self.ui = load_form("leaderboard_page.ui", self)
        self.view = None
        self.selected_user: Any = None
        self.detail = None
        self._generation = 0
        self._pending_user: str | None = None

        self.model = LeaderboardModel(self)
        self.proxy = BoardFilter(self)
        self.proxy.setSourceModel(self.model)
        table = self.ui.table
        table.setModel(self.proxy)
        table.setItemDelegateForColumn(COL_PARTS, PartBarsDelegate(table))
        table.setItemDelegateForColumn(COL_TREND, SparklineDelegate(table))
        table.verticalHeader().setDefaultSectionSize(30)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        for column in (COL_RANK, COL_MOVE, COL_SCORE, COL_CANDIDATE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        for column in (COL_COMPANY, COL_TITLE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, 120)
        header.setSectionResizeMode(COL_PARTS, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(COL_TREND, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(COL_PARTS, 120)
        header.resizeSection(COL_TREND, 100)
        header.setStretchLastSection(False)
        table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.ui.splitter.setStretchFactor(0, 1)
        self.ui.splitter.setStretchFactor(1, 0)
        self.ui.splitter.setSizes([820, 320])
        self.ui.filter_edit.hide()
        self.ui.legend_label.setText(part_legend())

        self.ui.week_combo.activated.connect(lambda _i: self.reload())
        self.ui.show_all_button.toggled.connect(self._show_all_toggled)
        self.ui.filter_edit.textChanged.connect(self.proxy.set_text)
        self.ui.export_button.clicked.connect(self.choose_export_file)
        self.ui.card_button.clicked.connect(self._make_card)
        QShortcut(QKeySequence("Ctrl+L"), self, activated=self.ui.show_all_button.toggle)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self._focus_filter)
        QShortcut(QKeySequence("Ctrl+E"), self, activated=self.choose_export_file)

    # -- loading --------------------------------------------------------------------------

    @property
    def show_all(self) -> bool:
        return self.ui.show_all_button.isChecked()

    def selected_week(self) -> str | None:
        return self.ui.week_combo.currentData()

    def reload(self) -> Task:
        from plm_desktop.gui.leaderboard_data import load_board

        self._generation += 1
        generation = self._generation
        week, show_all = self.selected_week(), self.show_all
        return self.ctx.tasks.read(
            lambda control: load_board(control.db, week, show_all=show_all),
            title="Loading the leaderboard",
            on_result=lambda view: self._show_board(view, generation),
            on_error=lambda exc: self.ctx.errors.report("Could not load the leaderboard.", exc),
        )

    def _show_board(self, view: Any, generation: int) -> None:
        if generation != self._generation:
            return  # a newer request is on its way
        self.view = view
        board = view.board
        combo = self.ui.week_combo
        combo.blockSignals(True)
        combo.clear()
        for week in view.weeks:
            combo.addItem(week_title(week), week)
        if board.week is not None:
            combo.setCurrentIndex(max(0, combo.findData(board.week)))
        combo.blockSignals(False)
        combo.setEnabled(bool(view.weeks))
        self.ui.export_button.setText(f"E&xport top {view.segment_percent} %…")
        self.ui.export_button.setEnabled(board.week is not None)

        keep = self._pending_user or (self.selected_user.user_id if self.selected_user else None)
        self.model.set_rows(board.rows, view.trends, view.part_max)
        self.ui.summary_label.setText(self._summary(view))
        self._select_user(keep)
        self.loaded.emit()

    def _summary(self, view: Any) -> str:
        board = view.board
        if board.week is None:
            return (
                "Nothing is scored yet. Import a usage export (Ctrl+O) or explore the sample "
                "data from the File menu."
            )
        parts = [
            f"Week of {week_title(board.week)}",
            f"{board.ranked_count:,} ranked",
            f"{board.candidate_count:,} advocate candidate"
            f"{'s' if board.candidate_count != 1 else ''} (score {view.candidate_min}+)",
        ]
        if not self.show_all:
            parts.insert(1, "top ten")
        text = " · ".join(parts)
        if board.notes:
            text += "<br><span style='color:#b26a00'>" + html.escape("; ".join(board.notes))
            text += "</span>"
        return text

    # -- selection and details ----------------------------------------------------------

    def open_request(self, user_id: str | None = None, **_request: Any) -> None:
        if user_id:
            self._pending_user = user_id
            if self.view is not None:
                self._select_user(user_id)

    def _select_user(self, user_id: str | None) -> None:
        """Select ``user_id``'s row; a user asked for outside the top ten opens "show all"."""
        target = 0
        if user_id is not None:
            found = None
            for row in range(self.proxy.rowCount()):
                if self.proxy.index(row, 0).data(USER_ROLE).user_id == user_id:
                    found = row
                    break
            if found is not None:
                target = found
                self._pending_user = None
            elif self._pending_user == user_id and not self.show_all:
                self.ui.show_all_button.setChecked(True)  # reloads with everyone
                return
            else:
                self._pending_user = None
        if self.proxy.rowCount() == 0:
            self._clear_detail()
            return
        index = self.proxy.index(target, COL_NAME)
        self.ui.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.ui.table.scrollTo(index)
        self._row_changed(index, None)

    def select_row(self, row: int) -> None:
        """Select the ``row``-th visible row, as a click would."""
        index = self.proxy.index(row, COL_NAME)
        self.ui.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _row_changed(self, current: Any, _previous: Any) -> None:
        if current is None or not current.isValid():
            return
        user = current.data(USER_ROLE)
        if user is None or (self.selected_user is not None and self.selected_user is user):
            return
        self.selected_user = user
        self._show_user_header(user)
        from plm_desktop.gui.leaderboard_data import load_user_detail

        user_id, week = user.user_id, user.week
        self.ctx.tasks.read(
            lambda control: load_user_detail(control.db, user_id, week),
            title="Loading the user's details",
            on_result=lambda detail: self._show_detail(user_id, detail),
            on_error=lambda exc: self.ctx.errors.report(
                "Could not load the user's details.", exc, severe=False
            ),
        )

    def _show_user_header(self, user: Any) -> None:
        ui = self.ui
        ui.name_label.setText(html.escape(user.name or user.email or user.user_id))
        bits = [b for b in (user.title, user.company, user.email) if b]
        mark = " · <b>advocate candidate</b>" if user.candidate else ""
        ui.meta_label.setText(
            html.escape(" · ".join(bits))
            + f"<br>Score <b>{user.score}</b> · rank {user.rank} · top {user.top_percent} %"
            + mark
        )
        ui.explanation_label.setText(
            "<br>".join(f"• {html.escape(line)}" for line in user.explanation)
        )
        ui.card_button.setEnabled(True)

    def _show_detail(self, user_id: str, detail: Any) -> None:
        if self.selected_user is None or self.selected_user.user_id != user_id:
            return
        self.detail = detail
        ui = self.ui
        ui.milestones_list.clear()
        for milestone in reversed(detail.milestones):  # newest first
            item = QListWidgetItem(f"{week_title(milestone.week)}: {milestone.label}")
            item.setData(Qt.ItemDataRole.UserRole, milestone.kind)
            ui.milestones_list.addItem(item)
        if not detail.milestones:
            ui.milestones_list.addItem("No milestone yet.")
        ui.shares_list.clear()
        for share in detail.shares:
            when = (share.sent_at or share.updated_at or share.created_at or "")[:10]
            what = share.milestone or "card"
            state = _STATE_LABELS.get(share.state, share.state)
            ui.shares_list.addItem(f"{when} · {share.channel} · {what} · {state}")
        if not detail.shares:
            ui.shares_list.addItem(detail.shares_note or "Nothing sent yet.")
        self.detail_shown.emit(user_id)

    def _clear_detail(self) -> None:
        self.selected_user = None
        self.detail = None
        ui = self.ui
        ui.name_label.setText("Select a user to see why they rank where they do.")
        for label in (ui.meta_label, ui.explanation_label):
            label.clear()
        ui.milestones_list.clear()
        ui.shares_list.clear()
        ui.card_button.setEnabled(False)

    def _make_card(self) -> None:
        user = self.selected_user
        if user is None:
            return
        kind = None
        if self.detail is not None and self.detail.user is not None and self.detail.milestones:
            kind = self.detail.milestones[-1].kind
        self.nav.open_card_studio(user.user_id, kind, user.week)

    # -- show all -------------------------------------------------------------------------

    def _show_all_toggled(self, on: bool) -> None:
        self.ui.filter_edit.setVisible(on)
        self.ui.table.setSortingEnabled(on)
        if on:
            self.ui.table.sortByColumn(COL_RANK, Qt.SortOrder.AscendingOrder)
        else:
            self.ui.filter_edit.clear()
            self.proxy.sort(-1)
        self.reload()

    def _focus_filter(self) -> None:
        if not self.show_all:
            self.ui.show_all_button.setChecked(True)
        self.ui.filter_edit.setFocus()

    # -- export ---------------------------------------------------------------------------

    def choose_export_file(self) -> None:
        if self.view is None or self.view.board.week is None:
            return
        from plm_desktop import paths

        week = self.view.board.week
        folder = self.ctx.settings.value("export/last_folder", str(paths.data_dir()))
        suggested = str(Path(str(folder)) / f"top-{self.view.segment_percent}pc-{week}.csv")
        name, _ = QFileDialog.getSaveFileName(
            self, "Export the top segment", suggested, "CSV files (*.csv)"
        )
        if name:
            self.ctx.settings.setValue("export/last_folder", str(Path(name).parent))
            self.export_segment(Path(name))

    def export_segment(self, path: Path) -> Task:
        """Write the week's top segment to ``path`` in the background."""
        from plm_desktop.scoring.segment import export_segment

        week = self.view.board.week if self.view is not None else None

        def done(export: Any) -> None:
            self.ctx.errors.inform(
                f"Exported the top {export.percent} % ({export.users} users, week of "
                f"{week_title(export.week)}) to {export.path}"
            )
            self.segment_exported.emit(export)

        return self.ctx.tasks.read(
            lambda control: export_segment(control.db, path, week),
            title="Exporting the top segment",
            on_result=done,
            on_error=lambda exc: self.ctx.errors.report("The export failed.", exc),
        )
