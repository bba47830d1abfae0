"""The main window: a sidebar of pages, menus, the status bar and whole-window drops.

Pages are listed in :data:`plm_desktop.gui.pages.PAGES` and built the first time they are
shown. The window owns the database switches (open, sample data, restore) and the
shortcuts; everything else is in the pages.
"""

from __future__ import annotations

import importlib
import logging
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from plm_desktop import APP_NAME, __version__, paths
from plm_desktop.gui.context import AppContext
from plm_desktop.gui.errors import MessageBanner
from plm_desktop.gui.pages import PAGES, PageSpec
from plm_desktop.gui.pages.base import Page
from plm_desktop.gui.tasks import Lane, Task
from plm_desktop.gui.theme import app_icon

log = logging.getLogger(__name__)

USAGE_FILE_SUFFIXES = (".csv", ".tsv", ".txt")
"""Files a drop on the window is taken to be a usage export."""

_GEOMETRY_KEY = "window/geometry"
_STATE_KEY = "window/state"
_PAGE_KEY = "window/page"


def dropped_usage_files(urls: list[QUrl]) -> list[Path]:
    """The local usage files among dropped ``urls``."""
    found = []
    for url in urls:
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if path.suffix.lower() in USAGE_FILE_SUFFIXES:
                found.append(path)
    return found


class MainWindow(QMainWindow):
    """The app's one window.

    Signals:
        page_changed(page_id): a page came to front.
        database_ready(path): a database finished opening and the window shows it.
        card_studio_requested(user_id, milestone_kind, week): emitted by
            :meth:`open_card_studio` (the studio page handles it through
            ``open_request``; this signal is for tests and other listeners).
    """

    page_changed = Signal(str)
    database_ready = Signal(object)
    card_studio_requested = Signal(str, object, object)

    def __init__(self, ctx: AppContext, pages: list[PageSpec] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self._specs = list(pages if pages is not None else PAGES)
        self._pages: dict[str, Page] = {}
        self._placeholders: dict[str, QWidget] = {}
        self._shown_tasks: list[Task] = []
        self._demo_dir: tempfile.TemporaryDirectory[str] | None = None
        self.current_page_id = ""

        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self.setObjectName("main_window")
        self.setAcceptDrops(True)
        self.setMinimumSize(QSize(720, 480))

        self._build_body()
        self._build_status_bar()
        self._build_menus()
        self._restore_geometry()

        ctx.errors.reported.connect(self._show_error_in_status)
        ctx.errors.reported.connect(self.banner.show_error)
        ctx.errors.notice.connect(lambda text: self.statusBar().showMessage(text, 6000))
        ctx.tasks.task_started.connect(self._track_task)
        ctx.database_changed.connect(self._update_database_label)

    # -- layout -----------------------------------------------------------------------

    def _build_body(self) -> None:
        body = QWidget(self)
        layout = QHBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        self.sidebar = QListWidget(body)
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName("Pages")
        self.sidebar.setFixedWidth(170)
        self.sidebar.setFrameShape(QListWidget.Shape.NoFrame)
        self.sidebar.setStyleSheet(
            "QListWidget#sidebar { padding-top: 12px; }"
            "QListWidget#sidebar::item { padding: 9px 14px; }"
        )
        self.stack = QStackedWidget()
        self.stack.setObjectName("pages")

        for spec in self._specs:
            placeholder = QWidget()
            self._placeholders[spec.page_id] = placeholder
            self.stack.addWidget(placeholder)
            if spec.in_sidebar:
                item = QListWidgetItem(spec.title, self.sidebar)
                item.setData(Qt.ItemDataRole.UserRole, spec.page_id)
                tip = f"{spec.title} ({spec.shortcut})" if spec.shortcut else spec.title
                item.setToolTip(tip)
        # Selection, not the current item: a list view makes its first row current when it
        # gets focus, which must not switch pages (the welcome page has no row).
        self.sidebar.itemSelectionChanged.connect(self._on_sidebar_changed)

        right = QWidget(body)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        self.banner = MessageBanner(right)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.stack, 1)

        layout.addWidget(self.sidebar)
        layout.addWidget(right, 1)
        self.setCentralWidget(body)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.task_label = QLabel(self)
        self.task_progress = QProgressBar(self)
        self.task_progress.setMaximumWidth(180)
        self.task_progress.setAccessibleName("Background work progress")
        self.task_cancel = QPushButton("Cancel", self)
        self.task_cancel.setAccessibleName("Cancel background work")
        self.task_cancel.clicked.connect(self._cancel_shown_task)
        self.database_label = QLabel(self)
        self.database_label.setObjectName("database_label")
        for widget in (self.task_label, self.task_progress, self.task_cancel):
            widget.hide()
            bar.addPermanentWidget(widget)
        bar.addPermanentWidget(self.database_label)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.action_import = self._action(
            file_menu,
            "&Import usage file…",
            self.choose_import_file,
            QKeySequence.StandardKey.Open,
        )
        self._action(file_menu, "Explore &sample data", self.explore_sample_data)
        file_menu.addSeparator()
        self._action(file_menu, "&Back up database…", self.choose_backup_target, "Ctrl+Shift+B")
        self._action(file_menu, "&Restore database…", self.choose_restore_source)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        go_menu = self.menuBar().addMenu("&Go")
        for spec in self._specs:
            if spec.in_sidebar:
                self._action(
                    go_menu,
                    spec.title,
                    lambda _=False, page_id=spec.page_id: self.show_page(page_id),
                    spec.shortcut or None,
                )

        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "Open &log file", self.open_log_file)
        self._action(help_menu, "Open &data folder", self.open_data_folder)
        help_menu.addSeparator()
        self._action(help_menu, f"&About {APP_NAME}", self.show_about)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # -- pages --------------------------------------------------------------------------

    def spec(self, page_id: str) -> PageSpec | None:
        return next((s for s in self._specs if s.page_id == page_id), None)

    def page(self, page_id: str) -> Page | None:
        """The page ``page_id``, built now if it has not been shown yet."""
        if page_id in self._pages:
            return self._pages[page_id]
        spec = self.spec(page_id)
        if spec is None:
            return None
        module_name, _, class_name = spec.factory.partition(":")
        page_class = getattr(importlib.import_module(module_name), class_name)
        page = page_class(self.ctx, self)
        page.setObjectName(f"page_{page_id}")
        placeholder = self._placeholders.pop(page_id)
        index = self.stack.indexOf(placeholder)
        self.stack.insertWidget(index, page)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self._pages[page_id] = page
        log.debug("built page %s", page_id)
        return page

    def show_page(self, page_id: str, **request: Any) -> Page | None:
        """Bring ``page_id`` to front and pass it ``request`` (see ``Page.open_request``)."""
        page = self.page(page_id)
        if page is None:
            self.ctx.errors.report(f"The page {page_id!r} is not part of this version.")
            return None
        self.stack.setCurrentWidget(page)
        self.current_page_id = page_id
        self._select_sidebar(page_id)
        page.page_shown()
        if request:
            page.open_request(**request)
        self.page_changed.emit(page_id)
        return page

    def _select_sidebar(self, page_id: str) -> None:
        self.sidebar.blockSignals(True)
        try:
            self.sidebar.clearSelection()
            for row in range(self.sidebar.count()):
                if self.sidebar.item(row).data(Qt.ItemDataRole.UserRole) == page_id:
                    self.sidebar.setCurrentRow(row)
        finally:
            self.sidebar.blockSignals(False)

    def _on_sidebar_changed(self) -> None:
        items = self.sidebar.selectedItems()
        if items:
            self.show_page(items[0].data(Qt.ItemDataRole.UserRole))

    # -- navigation asked by pages --------------------------------------------------------

    def open_card_studio(
        self, user_id: str, milestone_kind: str | None = None, week: str | None = None
    ) -> None:
        """Open the card studio on ``user_id``'s milestone ``milestone_kind`` of ``week``."""
        self.card_studio_requested.emit(user_id, milestone_kind, week)
        self.show_page("studio", user_id=user_id, milestone_kind=milestone_kind, week=week)

    def open_import(self, path: str | Path) -> None:
        """Show the import page previewing ``path``."""
        self.show_page("import", path=str(path))

    # -- drops --------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls() and dropped_usage_files(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls() and dropped_usage_files(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        files = dropped_usage_files(event.mimeData().urls()) if event.mimeData().hasUrls() else []
        if not files:
            event.ignore()
            return
        event.acceptProposedAction()
        if len(files) > 1:
            self.ctx.errors.inform(
                f"{len(files)} files dropped; previewing {files[0].name}. Import the others "
                "one at a time."
            )
        log.info("usage file dropped on the window: %s", files[0].name)
        self.open_import(files[0])

    # -- database -----------------------------------------------------------------------

    def _refuse_switch_while_writing(self) -> bool:
        """True (and says why) when a write is running: switching would wait for it."""
        running = self.ctx.tasks.running
        writing = [t for t in running if t.lane is Lane.WRITE and not t.is_done]
        if writing:
            self.ctx.errors.report(
                f"{writing[0].title} is still running; wait for it or cancel it first.",
                severe=False,
            )
        return bool(writing)

    def open_database_file(self, path: Path, *, demo: bool = False) -> Task | None:
        """Open (creating or migrating) ``path`` on the write worker, then show it."""
        from plm_desktop.gui.database_files import prepare_database

        if self._refuse_switch_while_writing():
            return None
        self.ctx.use_database(None)
        return self.ctx.tasks.write(
            lambda _control: prepare_database(path),
            title="Opening the database",
            on_result=lambda usage_imports: self._database_opened(path, demo, usage_imports),
            on_error=lambda exc: self.ctx.errors.report(f"Could not open {path}.", exc),
        )

    def _database_opened(self, path: Path, demo: bool, usage_imports: int) -> None:
        self.statusBar().clearMessage()
        self.ctx.use_database(path, demo=demo)
        if usage_imports == 0 and not demo:
            self.show_page("welcome")
        else:
            saved = self.ctx.settings.value(_PAGE_KEY, "leaderboard")
            spec = self.spec(str(saved))
            self.show_page(spec.page_id if spec and spec.in_sidebar else "leaderboard")
        self.database_ready.emit(path)

    def explore_sample_data(self) -> Task | None:
        """Open a throwaway copy of the bundled sample data (removed when the window closes)."""
        if self._refuse_switch_while_writing():
            return None
        self._drop_demo_dir()
        self._demo_dir = tempfile.TemporaryDirectory(prefix="plm-demo-")
        path = Path(self._demo_dir.name) / "sample.sqlite"

        def build(_control) -> int:
            from plm_desktop.gui.database_files import prepare_database
            from plm_desktop.sample_data import create_demo_database

            create_demo_database(path).close()
            return prepare_database(path)

        self.ctx.use_database(None)
        self.statusBar().showMessage("Loading the sample data…")
        return self.ctx.tasks.write(
            build,
            title="Loading the sample data",
            on_result=lambda count: self._database_opened(path, True, count),
            on_error=lambda exc: self.ctx.errors.report("Could not load the sample data.", exc),
        )

    def _drop_demo_dir(self) -> None:
        if self._demo_dir is not None:
            self._demo_dir.cleanup()
            self._demo_dir = None

    def _update_database_label(self, path: object) -> None:
        if path is None:
            self.database_label.setText("")
        elif self.ctx.demo:
            self.database_label.setText("Sample data (throwaway copy)")
        else:
            self.database_label.setText(Path(str(path)).name)
        self.database_label.setToolTip(str(path or ""))

    # -- backup and restore -------------------------------------------------------------

    def choose_import_file(self) -> None:
        start = str(self.ctx.settings.value("import/last_folder", str(Path.home())))
        name, _ = QFileDialog.getOpenFileName(
            self, "Import a usage export", start, "Usage exports (*.csv *.tsv *.txt)"
        )
        if name:
            self.ctx.settings.setValue("import/last_folder", str(Path(name).parent))
            self.open_import(name)

    def choose_backup_target(self) -> None:
        from plm_desktop.gui.database_files import backups_dir, default_backup_name

        if self.ctx.db_path is None:
            self.ctx.errors.report("No database is open yet.", severe=False)
            return
        folder = paths.ensure_dir(backups_dir())
        name, _ = QFileDialog.getSaveFileName(
            self, "Back up the database", str(folder / default_backup_name()), "*.sqlite"
        )
        if name:
            self.backup_database(Path(name))

    def backup_database(self, target: Path) -> Task | None:
        """Write a copy of the open database to ``target`` (on the write worker)."""
        from plm_desktop.gui.database_files import backup_database

        live = self.ctx.db_path
        if live is None:
            self.ctx.errors.report("No database is open yet.", severe=False)
            return None
        return self.ctx.tasks.write(
            lambda _control: backup_database(live, target),
            title="Backing up the database",
            on_result=lambda written: self.ctx.errors.inform(f"Backup written to {written}"),
            on_error=lambda exc: self.ctx.errors.report("The backup failed.", exc),
        )

    def choose_restore_source(self) -> None:
        from plm_desktop.gui.database_files import backups_dir

        if self.ctx.db_path is None:
            self.ctx.errors.report("No database is open yet.", severe=False)
            return
        name, _ = QFileDialog.getOpenFileName(
            self, "Restore the database from a backup", str(backups_dir()), "*.sqlite *.bak"
        )
        if not name:
            return
        answer = QMessageBox.question(
            self,
            "Restore the database",
            f"Replace the current data with {Path(name).name}? A copy of the current data "
            "is kept in the backups folder.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.restore_database(Path(name))

    def restore_database(self, source: Path) -> Task | None:
        """Replace the open database with ``source`` (keeping a copy of the current one)."""
        from plm_desktop.gui.database_files import restore_database

        live = self.ctx.db_path
        if live is None:
            self.ctx.errors.report("No database is open yet.", severe=False)
            return None
        if self._refuse_switch_while_writing():
            return None
        demo = self.ctx.demo
        self.ctx.use_database(None)  # waits for running reads and closes the connections

        def done(result) -> None:
            self.ctx.errors.inform(
                f"Restored from {result.source.name}; the previous data is in {result.safety_copy}"
            )
            self.open_database_file(live, demo=demo)

        def failed(exc: BaseException) -> None:
            self.ctx.errors.report("The restore did not happen.", exc)
            self.open_database_file(live, demo=demo)

        return self.ctx.tasks.write(
            lambda _control: restore_database(source, live),
            title="Restoring the database",
            on_result=done,
            on_error=failed,
        )

    # -- help -----------------------------------------------------------------------------

    def open_log_file(self) -> None:
        from plm_desktop.logsetup import log_file_path

        path = log_file_path()
        if not path.exists():
            self.ctx.errors.report(f"No log file yet at {path}.", severe=False)
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def open_data_folder(self) -> None:
        folder = paths.ensure_dir(paths.data_dir())
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def about_dialog(self) -> QDialog:
        """The About dialog (not yet shown): name, version, where the log is."""
        dialog = QDialog(self)
        dialog.setObjectName("about_dialog")
        dialog.setWindowTitle(f"About {APP_NAME}")
        layout = QVBoxLayout(dialog)
        icon = QLabel(dialog)
        icon.setPixmap(self.windowIcon().pixmap(64, 64))
        title = QLabel(f"<b>{APP_NAME}</b> {__version__}", dialog)
        title.setObjectName("about_title")
        text = QLabel(
            "Rank your advocates, celebrate their wins and share win cards.<br>"
            f"Your data stays on this computer.<br><br>Log files: {paths.log_dir()}",
            dialog,
        )
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.close)
        for widget in (icon, title, text, buttons):
            layout.addWidget(widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return dialog

    def show_about(self) -> None:
        """Show the About dialog, non-modal."""
        self.about_dialog().show()

    # -- background work in the status bar --------------------------------------------

    def _track_task(self, task: Task) -> None:
        task.progress_shown.connect(lambda: self._show_task(task))
        task.progress.connect(lambda done, total: self._task_progress(task, done, total))
        task.done.connect(lambda: self._hide_task(task))

    def _show_task(self, task: Task) -> None:
        if task.is_done or task in self._shown_tasks:
            return
        self._shown_tasks.append(task)
        self._refresh_task_widgets()

    def _task_progress(self, task: Task, done: object, total: object) -> None:
        if self._shown_tasks and self._shown_tasks[-1] is task:
            self._set_progress(done, total)

    def _set_progress(self, done: object, total: object) -> None:
        if isinstance(total, (int, float)) and total > 0 and isinstance(done, (int, float)):
            self.task_progress.setRange(0, 1000)
            self.task_progress.setValue(int(1000 * min(1.0, done / total)))
        else:
            self.task_progress.setRange(0, 0)

    def _hide_task(self, task: Task) -> None:
        if task in self._shown_tasks:
            self._shown_tasks.remove(task)
            self._refresh_task_widgets()

    def _refresh_task_widgets(self) -> None:
        visible = bool(self._shown_tasks)
        for widget in (self.task_label, self.task_progress, self.task_cancel):
            widget.setVisible(visible)
        if visible:
            task = self._shown_tasks[-1]
            self.task_label.setText(task.title + "…")
            self.task_progress.setRange(0, 0)

    def _cancel_shown_task(self) -> None:
        if self._shown_tasks:
            self._shown_tasks[-1].cancel()

    def _show_error_in_status(self, error) -> None:
        text = error.message if not error.detail else f"{error.message} {error.detail}"
        self.statusBar().showMessage(text.splitlines()[0], 12000)

    # -- geometry -------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = self.ctx.settings.value(_GEOMETRY_KEY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1180, 760)
        state = self.ctx.settings.value(_STATE_KEY)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)

    def save_geometry(self) -> None:
        """Remember size, position and the page in front for the next start."""
        self.ctx.settings.setValue(_GEOMETRY_KEY, self.saveGeometry())
        self.ctx.settings.setValue(_STATE_KEY, self.saveState())
        if self.current_page_id and self.current_page_id != "welcome":
            self.ctx.settings.setValue(_PAGE_KEY, self.current_page_id)
        self.ctx.settings.sync()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.PaletteChange:
            # After the children have their new palette (hence the zero-delay timer).
            QTimer.singleShot(0, self._repolish_style_sheets)
        super().changeEvent(event)

    def _repolish_style_sheets(self) -> None:
        # A widget with a style sheet keeps the palette it was polished with; clearing and
        # setting the sheet again makes it follow a switch between light and dark.
        for widget in self.findChildren(QWidget):
            sheet = widget.styleSheet()
            if sheet:
                widget.setStyleSheet("")
                widget.setStyleSheet(sheet)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.save_geometry()
        self.ctx.tasks.shutdown()
        self._drop_demo_dir()
        log.info("window closed")
        super().closeEvent(event)
