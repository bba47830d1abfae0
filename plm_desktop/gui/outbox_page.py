"""The Outbox page: every share with its state; retry failed ones, confirm before repeats.

Retries run on the database-write worker (the outbox writes each step as it goes) and
carry on from the step a share stopped at, so a retry never posts a card twice. Sending
a card that already arrived, or may have, happens only after the founder confirms in
the bar under the table.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHeaderView, QTableWidgetItem, QWidget

from plm_desktop.gui.context import TOPIC_OUTBOX, AppContext
from plm_desktop.gui.forms import load_form
from plm_desktop.gui.pages.base import Navigator, Page
from plm_desktop.gui.share_actions import CHANNEL_LABELS
from plm_desktop.gui.share_services import ShareServices
from plm_desktop.gui.status_colours import status_colour
from plm_desktop.gui.tasks import Task

log = logging.getLogger(__name__)

STATE_LABELS = {
    "queued": "Waiting",
    "sending": "Sending",
    "sent": "Sent",
    "failed": "Failed",
    "handed_to_user": "Handed to you",
}
FILTERS = (
    ("Every share", None),
    ("Failed", {"failed"}),
    ("Not sent yet", {"queued", "sending", "failed"}),
    ("Sent", {"sent"}),
    ("LinkedIn and X posts", {"handed_to_user"}),
)
RETRYABLE = frozenset({"queued", "sending", "failed"})
COLUMNS = ("#", "When", "User", "Channel", "Milestone", "Week", "To", "State", "Tries", "Problem")
_STATE_COLOURS = {"failed": "error", "sent": "success"}
_CHANNEL_NAMES = {**CHANNEL_LABELS, "webhook": "Slack webhook"}


class OutboxPage(Page):
    """Every share, newest first, with Retry and a confirmed Send again.

    Attributes:
        services: the Slack client factories (tests point them at the loopback peer).

    Signals:
        retried(list): a retry ended; per share, the sent entry or the exception.
    """

    retried = Signal(object)

    topics = frozenset({TOPIC_OUTBOX})

    def __init__(self, ctx: AppContext, nav: Navigator, parent: QWidget | None = None) -> None:
        super().__init__(ctx, nav, parent)
        self.ui = load_form("outbox_page.ui", self)
        self.services = ShareServices()
        self.entries: list = []
        self.names: dict[str, str] = {}
        self.pending_force: list[int] = []
        self._shown: list = []

        ui = self.ui
        table = ui.outbox_table
        table.setColumnCount(len(COLUMNS))
        table.setHorizontalHeaderLabels(list(COLUMNS))
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        ui.splitter.setStretchFactor(0, 3)
        ui.splitter.setStretchFactor(1, 1)
        for label, _states in FILTERS:
            ui.filter_combo.addItem(label)
        ui.detail_error_label.setStyleSheet(f"color: {status_colour(self, 'error')};")
        ui.confirm_bar.hide()
        ui.send_progress.hide()
        ui.retry_button.setEnabled(False)
        ui.send_again_button.setEnabled(False)

        ui.filter_combo.currentIndexChanged.connect(lambda _i: self._fill_table())
        ui.refresh_button.clicked.connect(self.reload)
        table.itemSelectionChanged.connect(self._selection_changed)
        ui.retry_button.clicked.connect(self.retry_selected)
        ui.send_again_button.clicked.connect(self.ask_send_again)
        ui.confirm_button.clicked.connect(self.confirm_send_again)
        ui.confirm_cancel_button.clicked.connect(self._cancel_confirm)

    # -- loading ------------------------------------------------------------------------

    def reload(self) -> None:
        """Read every share (on the read pool)."""
        from plm_desktop.gui.share_actions import outbox_entries

        self.ctx.tasks.read(
            lambda control: outbox_entries(control.db),
            title="Loading the outbox",
            on_result=self._show,
            on_error=lambda exc: self.ctx.errors.report("Could not load the outbox.", exc),
        )

    def _show(self, listing) -> None:
        self.entries = entries = listing.entries
        self.names = listing.names
        counts = {state: 0 for state in STATE_LABELS}
        for entry in entries:
            counts[entry.state] = counts.get(entry.state, 0) + 1
        if entries:
            waiting = counts["queued"] + counts["sending"]
            self.ui.summary_label.setText(
                f"{len(entries)} shares: {counts['sent']} sent, {counts['failed']} failed, "
                f"{waiting} waiting, {counts['handed_to_user']} handed to you to post. "
                "A failed send keeps its message and card; retry it when the problem is fixed."
            )
        self._fill_table()
        self.loaded.emit()

    def _fill_table(self) -> None:
        _label, states = FILTERS[max(0, self.ui.filter_combo.currentIndex())]
        selected = {entry.share_id for entry in self.selected_entries()}
        self._shown = [e for e in self.entries if states is None or e.state in states]
        table = self.ui.outbox_table
        table.blockSignals(True)
        table.clearSelection()
        table.setRowCount(len(self._shown))
        for row, entry in enumerate(self._shown):
            values = (
                f"{entry.share_id}",
                _local_time(entry.sent_at or entry.updated_at),
                self.names.get(entry.user_id, entry.user_id),
                _CHANNEL_NAMES.get(entry.channel, entry.channel),
                _milestone_label(entry.milestone),
                entry.week or "",
                entry.target if entry.channel not in ("linkedin", "x") else "",
                STATE_LABELS.get(entry.state, entry.state),
                f"{entry.attempts}",
                (entry.error or "").splitlines()[0] if entry.error else "",
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 7 and entry.state in _STATE_COLOURS:
                    item.setForeground(_colour(status_colour(self, _STATE_COLOURS[entry.state])))
                if column == 9 and entry.error:
                    item.setToolTip(entry.error)
                table.setItem(row, column, item)
            if entry.share_id in selected:
                table.selectRow(row)
        table.blockSignals(False)
        self._selection_changed()

    # -- selection ------------------------------------------------------------------------

    def selected_entries(self) -> list:
        """The shares selected in the table, in table order."""
        rows = sorted({index.row() for index in self.ui.outbox_table.selectedIndexes()})
        return [self._shown[row] for row in rows if row < len(self._shown)]

    def select_share(self, share_id: int) -> None:
        """Select the row of ``share_id`` (when the filter shows it)."""
        table = self.ui.outbox_table
        table.clearSelection()
        for row, entry in enumerate(self._shown):
            if entry.share_id == share_id:
                table.selectRow(row)

    def _selection_changed(self) -> None:
        chosen = self.selected_entries()
        ui = self.ui
        retryable = [e for e in chosen if e.state in RETRYABLE]
        ui.retry_button.setEnabled(bool(retryable))
        ui.send_again_button.setEnabled(
            len(chosen) == 1 and chosen[0].state == "sent" and chosen[0].channel != "webhook"
        )
        if len(chosen) == 1:
            entry = chosen[0]
            ui.detail_text.setPlainText(entry.text)
            ui.detail_error_label.setText(entry.error or "")
            ui.detail_error_label.setVisible(bool(entry.error))
        else:
            ui.detail_text.setPlainText("")
            ui.detail_error_label.hide()

    # -- retrying -------------------------------------------------------------------------

    def retry_selected(self) -> Task | None:
        """Retry every selected share that is not sent yet."""
        ids = [e.share_id for e in self.selected_entries() if e.state in RETRYABLE]
        if not ids:
            self.ctx.errors.report("Select a failed share to retry.", severe=False)
            return None
        return self.retry(ids)

    def retry(self, share_ids: list[int], *, force: bool = False) -> Task:
        """Send ``share_ids`` again on the write worker; ``force`` after a confirmation."""
        from plm_desktop.gui.share_actions import retry_share
        from plm_desktop.sharing.outbox import DeliveryFailed, DuplicateShare, ShareInProgress
        from plm_desktop.sharing.send import SendRefused

        slack_factory = self.services.slack_factory
        webhook_factory = self.services.webhook_factory
        expected = (DeliveryFailed, DuplicateShare, ShareInProgress, SendRefused, ValueError)

        def send(control) -> list:
            outcomes: list = []
            for share_id in share_ids:
                try:
                    outcomes.append(
                        retry_share(
                            control.db,
                            share_id,
                            force=force,
                            slack_factory=slack_factory,
                            webhook_factory=webhook_factory,
                        )
                    )
                except expected as exc:  # one share's failure does not stop the others
                    outcomes.append(exc)
            return outcomes

        self.ui.confirm_bar.hide()
        self.ui.send_progress.show()
        self.ui.retry_button.setEnabled(False)
        self.ui.result_label.setText(f"Sending {len(share_ids)} share(s)…")
        return self.ctx.tasks.write(
            send,
            title="Retrying shares",
            on_result=self._retried,
            on_error=self._retry_failed,
        )

    def _retried(self, outcomes: list) -> None:
        from plm_desktop.gui.errors import describe_exception
        from plm_desktop.sharing.outbox import DuplicateShare

        self.ui.send_progress.hide()
        sent = [o for o in outcomes if not isinstance(o, BaseException)]
        repeats = [o for o in outcomes if isinstance(o, DuplicateShare)]
        failures = [
            o
            for o in outcomes
            if isinstance(o, BaseException) and not isinstance(o, DuplicateShare)
        ]
        parts = []
        if sent:
            parts.append(f"{len(sent)} sent.")
        if failures:
            parts.append(f"{len(failures)} failed: {describe_exception(failures[0])}")
            self.ctx.errors.report("A retry failed.", failures[0], severe=False)
        self.ui.result_label.setText(" ".join(parts))
        if repeats:
            from plm_desktop.gui.share_actions import duplicate_question

            self.pending_force = [o.existing.share_id for o in repeats]
            who = self.names.get(repeats[0].existing.user_id)
            self.ui.confirm_label.setText(duplicate_question(repeats[0], who))
            self.ui.confirm_bar.show()
        self.ctx.announce(TOPIC_OUTBOX)
        self.retried.emit(outcomes)

    def _retry_failed(self, exc: BaseException) -> None:
        self.ui.send_progress.hide()
        self.ctx.errors.report("Could not retry the shares.", exc)
        self.ctx.announce(TOPIC_OUTBOX)
        self.retried.emit([exc])

    def ask_send_again(self) -> None:
        """Ask before sending the selected sent share once more."""
        chosen = [e for e in self.selected_entries() if e.state == "sent"]
        if len(chosen) != 1:
            return
        entry = chosen[0]
        when = _local_time(entry.sent_at or entry.updated_at)
        self.pending_force = [entry.share_id]
        who = self.names.get(entry.user_id, entry.user_id)
        self.ui.confirm_label.setText(
            f"Share #{entry.share_id} ({_milestone_label(entry.milestone) or 'card'}) already "
            f"reached {who} by {_CHANNEL_NAMES.get(entry.channel, entry.channel)} on {when}. "
            "Send the same message and card again?"
        )
        self.ui.confirm_bar.show()

    def confirm_send_again(self) -> Task | None:
        """The founder confirmed: send the pending shares even though they may repeat."""
        ids, self.pending_force = self.pending_force, []
        if not ids:
            return None
        return self.retry(ids, force=True)

    def _cancel_confirm(self) -> None:
        self.pending_force = []
        self.ui.confirm_bar.hide()
        self.ui.result_label.setText("Not sent again.")


def _colour(name: str):
    from PySide6.QtGui import QColor

    return QColor(name)


def _local_time(stamp: str | None) -> str:
    from plm_desktop.gui.share_actions import local_time

    return local_time(stamp)


def _milestone_label(kind: str | None) -> str:
    from plm_desktop.scoring.milestones import KIND_LABELS

    return KIND_LABELS.get(kind, kind) if kind else ""
