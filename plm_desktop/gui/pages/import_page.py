"""The Import page: preview a usage export, correct its mapping and week, import it.

Nothing is stored until Import is pressed. The preview reads only the head of the file
(on the read pool); the import itself runs on the database-write worker with progress
and Cancel, and a refused file lists every located problem (file, line, column, reason).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHeaderView, QTableWidgetItem, QWidget

from plm_desktop.gui.context import TOPIC_USAGE, AppContext
from plm_desktop.gui.forms import load_form
from plm_desktop.gui.pages.base import Navigator, Page
from plm_desktop.gui.tasks import Task

log = logging.getLogger(__name__)

IGNORE_TARGET = "ignore"
CUSTOM_TARGET = "custom"

_FIELD_LABELS = {
    "user_id": "User id",
    "email": "Email",
    "name": "Name",
    "company": "Company",
    "title": "Job title",
    "week": "Week",
    "active_days": "Active days",
    "sessions": "Sessions",
    "features_used": "Features used",
    "invites_sent": "Invites sent",
    "nps": "NPS answer",
    "tasks_completed": "Tasks completed",
    "projects_completed": "Projects completed",
    "integrations_connected": "Integrations connected",
    "support_tickets": "Support tickets",
    "content_views": "Content views",
}

_WEEK_ORIGINS = {
    "column": "from the file's week column",
    "given": "as typed",
    "file name": "from the file name",
}


def target_choices() -> list[tuple[str, str]]:
    """(label, target) pairs a column can be mapped to, in the order shown."""
    from plm_desktop.importer.mapping import CANONICAL_FIELDS

    choices = [
        (_FIELD_LABELS.get(f, f.replace("_", " ").capitalize()), f) for f in CANONICAL_FIELDS
    ]
    choices.append(("Custom metric", CUSTOM_TARGET))
    choices.append(("Leave out", IGNORE_TARGET))
    return choices


def current_target(column: Any) -> str:
    """What a previewed column maps to now, as a target name."""
    if column.field is not None:
        return column.field
    if column.custom is not None:
        return CUSTOM_TARGET
    return IGNORE_TARGET


class ImportPage(Page):
    """Preview, mapping, import with progress and Cancel, located errors, history.

    Signals:
        preview_ready(Preview): a preview was shown.
        import_done(object): the import ended; an ``ImportResult``, or the exception
            (``ImportRejected``, ``ImportCancelled``...) that ended it.
    """

    preview_ready = Signal(object)
    import_done = Signal(object)

    topics = frozenset({TOPIC_USAGE})

    def __init__(self, ctx: AppContext, nav: Navigator, parent: QWidget | None = None) -> None:
        super().__init__(ctx, nav, parent)
        self.ui = load_form("import_page.ui", self)
        self.path: Path | None = None
        self.preview = None
        self.overrides: dict[str, str] = {}
        self.import_task: Task | None = None
        self._choices = target_choices()

        ui = self.ui
        # The first rows are beside the mapping (rows_table), so no sample column here.
        ui.mapping_table.setColumnCount(3)
        ui.mapping_table.setHorizontalHeaderLabels(["Column in the file", "Stored as", "Note"])
        ui.problems_table.setColumnCount(4)
        ui.problems_table.setHorizontalHeaderLabels(["File", "Line", "Column", "Reason"])
        ui.history_table.setColumnCount(8)
        ui.history_table.setHorizontalHeaderLabels(
            ["Imported", "File", "Weeks", "Rows", "Inserted", "Updated", "Unchanged", "Warnings"]
        )
        for table in (ui.problems_table, ui.history_table):
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            table.horizontalHeader().setStretchLastSection(True)
        ui.splitter.setStretchFactor(0, 3)
        ui.splitter.setStretchFactor(1, 1)
        ui.tables_splitter.setStretchFactor(0, 1)
        ui.tables_splitter.setStretchFactor(1, 1)
        ui.tables_splitter.setSizes([560, 480])
        history_header = ui.history_table.horizontalHeader()
        history_header.setStretchLastSection(False)
        history_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        ui.problems_table.hide()
        ui.progress_bar.hide()
        ui.cancel_button.hide()
        ui.import_button.setEnabled(False)

        ui.choose_button.clicked.connect(self.nav.choose_import_file)
        ui.week_edit.editingFinished.connect(self._week_edited)
        ui.import_button.clicked.connect(self.start_import)
        ui.cancel_button.clicked.connect(self.cancel_import)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.start_import)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.cancel_import)

    # -- history ------------------------------------------------------------------------

    def reload(self) -> None:
        from plm_desktop.gui.import_log import import_history

        self.ctx.tasks.read(
            lambda control: import_history(control.db),
            title="Loading the import history",
            on_result=self._show_history,
            on_error=lambda exc: self.ctx.errors.report(
                "Could not read the import history.", exc, severe=False
            ),
        )

    def _show_history(self, records: list) -> None:
        table = self.ui.history_table
        table.setRowCount(len(records))
        for row, record in enumerate(records):
            values = [
                _local_time(record.imported_at),
                record.file_name,
                ", ".join(record.weeks)
                if len(record.weeks) <= 3
                else f"{record.weeks[0]} … {record.weeks[-1]} ({len(record.weeks)})",
                f"{record.rows:,}",
                f"{record.inserted:,}",
                f"{record.updated:,}",
                f"{record.unchanged:,}",
                str(record.warnings),
            ]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column >= 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(row, column, item)
        self.loaded.emit()

    # -- preview --------------------------------------------------------------------------

    def open_request(self, path: str | None = None, **_request: Any) -> None:
        if path:
            self.preview_file(Path(path))

    def preview_file(self, path: Path, *, keep_choices: bool = False) -> Task:
        """Read the head of ``path`` and show how it would be imported."""
        if not keep_choices:
            self.overrides = {}
            self.ui.week_edit.clear()
        self.path = path
        self.ui.file_label.setText(path.name)
        self.ui.status_label.setText("Reading the file…")
        self.ui.import_button.setEnabled(False)
        week = self.ui.week_edit.text().strip() or None
        overrides = dict(self.overrides)

        def read_preview(_control):
            from plm_desktop.importer import preview_file

            return preview_file(path, week=week, overrides=overrides)

        return self.ctx.tasks.read(
            read_preview,
            title=f"Previewing {path.name}",
            on_result=self._show_preview,
            on_error=self._preview_failed,
        )

    def _preview_failed(self, exc: BaseException) -> None:
        from plm_desktop.importer import ImportRejected

        self.preview = None
        self.ui.import_button.setEnabled(False)
        if isinstance(exc, ImportRejected):
            self._show_problems(exc.problems)
            self.ui.status_label.setText("This file cannot be imported:")
        else:
            self.ui.status_label.setText(f"Cannot preview the file: {exc}")
        self.ctx.errors.report(
            f"Cannot preview {self.path.name if self.path else 'the file'}.", exc, severe=False
        )
        self.preview_ready.emit(None)

    def _show_preview(self, preview: Any) -> None:
        self.preview = preview
        ui = self.ui
        delimiter = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(
            preview.delimiter, repr(preview.delimiter)
        )
        ui.format_label.setText(
            f"{preview.encoding} · {delimiter}-separated · header on line {preview.header_line}"
        )
        self._show_week(preview)
        self._fill_mapping(preview)
        self._fill_rows(preview)
        self._show_problems(preview.problems, preview.warnings)
        if preview.importable:
            ui.status_label.setText(
                f"Ready: {len(preview.columns)} columns. Check the mapping and the week, then "
                "press Import."
            )
        else:
            ui.status_label.setText("Fix what is listed below before importing.")
        ui.import_button.setEnabled(preview.importable and self.import_task is None)
        self.preview_ready.emit(preview)

    def _show_week(self, preview: Any) -> None:
        edit, label = self.ui.week_edit, self.ui.week_origin_label
        if preview.week_origin == "column":
            edit.clear()
            edit.setEnabled(False)
            label.setText(_WEEK_ORIGINS["column"])
            label.setStyleSheet("")
            return
        edit.setEnabled(True)
        if preview.week and not edit.text().strip():
            edit.setText(preview.week)
        if preview.week_origin is None:
            label.setText("needed: type any day of the week")
            label.setStyleSheet("color: #c0392b;")
        else:
            label.setText(_WEEK_ORIGINS.get(preview.week_origin, preview.week_origin))
            label.setStyleSheet("")

    def _fill_mapping(self, preview: Any) -> None:
        table = self.ui.mapping_table
        same_columns = table.rowCount() == len(preview.columns) and all(
            table.item(row, 0) is not None and table.item(row, 0).text() == column.header
            for row, column in enumerate(preview.columns)
        )
        if not same_columns:
            table.setRowCount(len(preview.columns))
        for row, column in enumerate(preview.columns):
            if same_columns:
                # Keep the drop-downs: one of them may be the sender of this re-preview.
                combo = table.cellWidget(row, 1)
                combo.blockSignals(True)
                combo.setCurrentIndex(max(0, combo.findData(current_target(column))))
                combo.blockSignals(False)
            else:
                header_item = QTableWidgetItem(column.header)
                header_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                table.setItem(row, 0, header_item)
                table.setCellWidget(row, 1, self._target_combo(column))

            note = column.note or {"override": "your choice"}.get(column.how, "")
            if column.custom is not None and not note:
                note = f"kept as custom metric {column.custom!r}"
            note_item = QTableWidgetItem(note)
            note_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            note_item.setToolTip(note)
            table.setItem(row, 2, note_item)
        if not same_columns:
            table.resizeColumnsToContents()
            table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)

    def _target_combo(self, column: Any) -> QComboBox:
        combo = QComboBox(self.ui.mapping_table)
        combo.setAccessibleName(f"Stored as, for column {column.header}")
        for label, target in self._choices:
            combo.addItem(label, target)
        combo.setCurrentIndex(max(0, combo.findData(current_target(column))))
        combo.currentIndexChanged.connect(
            lambda _i, header=column.header, box=combo: self._mapping_changed(header, box)
        )
        return combo

    def _fill_rows(self, preview: Any) -> None:
        table = self.ui.rows_table
        table.setColumnCount(len(preview.headers))
        table.setHorizontalHeaderLabels(preview.headers)
        table.setRowCount(len(preview.rows))
        table.setVerticalHeaderLabels(
            [str(preview.header_line + 1 + n) for n in range(len(preview.rows))]
        )
        for row, values in enumerate(preview.rows):
            for column, value in enumerate(values[: len(preview.headers)]):
                table.setItem(row, column, QTableWidgetItem(value))
        table.resizeColumnsToContents()

    def _mapping_changed(self, header: str, combo: QComboBox) -> None:
        target = combo.currentData()
        self.overrides[header] = target
        log.debug("mapping of column %r set to %s", header, target)
        if self.path is not None:
            self.preview_file(self.path, keep_choices=True)

    def set_mapping(self, header: str, target: str) -> None:
        """Choose ``target`` for the column ``header`` as the drop-down would."""
        for row in range(self.ui.mapping_table.rowCount()):
            if self.ui.mapping_table.item(row, 0).text() == header:
                combo = self.ui.mapping_table.cellWidget(row, 1)
                combo.setCurrentIndex(combo.findData(target))
                return
        raise KeyError(header)

    def _week_edited(self) -> None:
        if self.path is not None and self.ui.week_edit.isModified():
            self.ui.week_edit.setModified(False)
            self.preview_file(self.path, keep_choices=True)

    def _show_problems(self, problems: list, warnings: list[str] | tuple = ()) -> None:
        table = self.ui.problems_table
        rows = [
            (p.file, "" if p.line is None else str(p.line), p.column or "", p.message)
            for p in problems
        ]
        name = self.path.name if self.path else ""
        rows += [(name, "", "", f"Note: {w}") for w in warnings]
        table.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                table.setItem(row, column, item)
        table.setVisible(bool(rows))

    # -- import ---------------------------------------------------------------------------

    def start_import(self) -> Task | None:
        """Import the previewed file on the write worker, with progress and Cancel."""
        if self.path is None or self.preview is None or not self.preview.importable:
            return None
        if self.import_task is not None:
            return None
        path = self.path
        week = None
        if self.ui.week_edit.isEnabled():
            week = self.ui.week_edit.text().strip() or None
        overrides = dict(self.overrides)

        db_path = self.ctx.db_path

        def run_import(control):
            from plm_desktop.gui.import_process import import_usage_isolated, should_isolate

            if db_path is not None and should_isolate(path):
                # Big files: a child process, so the GUI thread never waits for the
                # interpreter lock while a million rows are parsed and rescored.
                return import_usage_isolated(
                    db_path,
                    path,
                    week=week,
                    overrides=overrides or None,
                    progress=control.progress,
                    cancel=control.cancelled,
                )
            from plm_desktop.pipeline import import_usage

            return import_usage(
                control.db,
                path,
                week=week,
                overrides=overrides or None,
                progress=control.progress,
                cancel=control.cancelled,
            )

        ui = self.ui
        ui.import_button.setEnabled(False)
        ui.choose_button.setEnabled(False)
        ui.progress_bar.setValue(0)
        ui.status_label.setText(f"Importing {path.name}…")
        log.info("import of %s started from the window", path.name)
        task = self.ctx.tasks.write(
            run_import,
            title=f"Importing {path.name}",
            on_result=self._import_succeeded,
            on_error=self._import_failed,
            on_cancelled=self._import_cancelled,
            on_progress=self._import_progress,
        )
        if not task.is_done:
            self.import_task = task
            task.progress_shown.connect(self._show_progress)
        return task

    def cancel_import(self) -> None:
        """Stop the running import; nothing from it is stored."""
        if self.import_task is not None and not self.import_task.is_done:
            self.ui.status_label.setText("Cancelling…")
            self.ui.cancel_button.setEnabled(False)
            self.import_task.cancel()

    def _show_progress(self) -> None:
        self.ui.progress_bar.show()
        self.ui.cancel_button.show()
        self.ui.cancel_button.setEnabled(True)

    def _import_progress(self, done: object, total: object) -> None:
        if isinstance(total, (int, float)) and total:
            self.ui.progress_bar.setValue(int(1000 * min(1.0, float(done) / float(total))))

    def _import_over(self) -> None:
        self.import_task = None
        ui = self.ui
        ui.progress_bar.hide()
        ui.cancel_button.hide()
        ui.choose_button.setEnabled(True)
        ui.import_button.setEnabled(self.preview is not None and self.preview.importable)

    def _import_succeeded(self, result: Any) -> None:
        self._import_over()
        if result.changed:
            text = (
                f"Imported {result.file}: {result.inserted:,} inserted, {result.updated:,} "
                f"updated, {result.unchanged:,} unchanged ({result.rows:,} rows, "
                f"{_weeks_text(result.weeks)})."
            )
        elif result.already_imported:
            text = f"{result.file} was imported before; nothing changed ({result.rows:,} rows)."
        else:
            text = f"{result.file}: nothing changed ({result.unchanged:,} rows already stored)."
        self.ui.status_label.setText(text)
        self._show_problems([], result.warnings)
        self.ctx.errors.inform(text)
        if result.changed:
            self.ctx.announce(TOPIC_USAGE)
        self.import_done.emit(result)

    def _import_failed(self, exc: BaseException) -> None:
        from plm_desktop.importer import ImportRejected

        self._import_over()
        if isinstance(exc, ImportRejected):
            count = len(exc.problems)
            self.ui.status_label.setText(
                f"Nothing was stored: {count} problem{'s' if count != 1 else ''} to fix in "
                f"{exc.file or 'the file'}"
                + (" (the first ones found)." if exc.truncated else ".")
            )
            self._show_problems(exc.problems)
            self.ctx.errors.report(f"{exc.file} was not imported.", exc, severe=False)
        else:
            self.ui.status_label.setText("The import failed; nothing was stored.")
            self.ctx.errors.report(
                f"The import of {self.path.name if self.path else 'the file'} failed.", exc
            )
        self.import_done.emit(exc)

    def _import_cancelled(self) -> None:
        self._import_over()
        self.ui.status_label.setText("Import cancelled; nothing was stored.")
        self.ctx.errors.inform("Import cancelled; nothing was stored.")
        from plm_desktop.importer import ImportCancelled

        self.import_done.emit(ImportCancelled())


def _weeks_text(weeks: list[str]) -> str:
    if not weeks:
        return "no week"
    if len(weeks) == 1:
        return f"week of {weeks[0]}"
    return f"{len(weeks)} weeks, {weeks[0]} to {weeks[-1]}"


def _local_time(iso_utc: str) -> str:
    try:
        moment = datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
    except ValueError:
        return iso_utc
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")
