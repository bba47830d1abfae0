"""The Settings page: brand, Slack connection, scoring model, data folder and backups."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from plm_desktop import paths
from plm_desktop.gui.context import TOPIC_SCORING, TOPIC_SETTINGS, AppContext
from plm_desktop.gui.forms import load_form
from plm_desktop.gui.pages.base import Navigator, Page
from plm_desktop.gui.tasks import Task

log = logging.getLogger(__name__)

IMPACT_DELAY_MS = 400
"""Quiet time after the last edit before "what would change" is counted again."""

_SECTION_TITLES = {
    "": "Ranking",
    "frequency": "Usage frequency (active days in the week)",
    "depth": "Feature depth (features used in the week)",
    "collaboration": "Collaboration (invites over the window)",
    "sentiment": "Sentiment (latest NPS answer)",
    "support_tickets": "Optional signal: support tickets",
    "content_views": "Optional signal: content views",
    "integrations": "Optional signal: integrations connected",
    "milestones": "Milestone thresholds",
}

_FIELD_LABELS = {
    "window_weeks": "Weeks in the scoring window",
    "candidate_min": "Advocate candidate from score",
    "segment_percent": "Segment export: top %",
    "daily_min_days": "Days that count as daily",
    "daily_points": "Points for daily use",
    "weekly_points": "Points for weekly use",
    "monthly_points": "Points for monthly use",
    "deep_min": "Features for deep use",
    "deep_points": "Points for deep use",
    "mid_min": "Features for medium use",
    "mid_points": "Points for medium use",
    "light_points": "Points for light use",
    "high_min": "Invites for high collaboration",
    "high_points": "Points for high collaboration",
    "some_points": "Points for some collaboration",
    "promoter_min": "NPS from which a promoter",
    "promoter_points": "Points for a promoter",
    "passive_min": "NPS from which a passive",
    "passive_points": "Points for a passive",
    "enabled": "Counted in the score",
    "minimum": "Value needed",
    "points": "Points",
    "first_project_min": "First project: projects completed",
    "task_total": "Task milestone: tasks completed",
    "team_invites": "Team builder: invites sent",
    "streak_weeks": "Streak: weeks in a row",
    "roi_metric": "ROI: custom column",
    "roi_threshold": "ROI: value to reach",
    "roi_running_total": "ROI: count the running total",
    "top_percent": "Top performer: within top %",
}


@dataclass
class SettingsState:
    """Everything the page shows, read in one background call."""

    brand: Any
    families: list[str]
    model: Any
    store_status: Any
    has_token: bool
    has_webhook: bool


def model_fields(model: Any, prefix: str = "") -> list[tuple[str, str, Any]]:
    """(section, dotted path, value) for every number, flag and name in the model."""
    found = []
    for field in dataclasses.fields(model):
        value = getattr(model, field.name)
        path = prefix + field.name
        if dataclasses.is_dataclass(value):
            found.extend(model_fields(value, path + "."))
        else:
            found.append((prefix.rstrip("."), path, value))
    return found


def _set_path(data: dict, path: str, value: Any) -> None:
    head, _, rest = path.partition(".")
    if rest:
        _set_path(data.setdefault(head, {}), rest, value)
    else:
        data[head] = value


class SettingsPage(Page):
    """Brand, Slack, scoring model (with a live impact count), data folder and backups.

    Signals:
        brand_saved(Brand), model_saved(ScoringModel), impact_ready(ModelImpact),
        connection_tested(str): for tests and other pages.
    """

    brand_saved = Signal(object)
    model_saved = Signal(object)
    impact_ready = Signal(object)
    connection_tested = Signal(str)
    secret_saved = Signal(object)

    topics = frozenset({TOPIC_SETTINGS, TOPIC_SCORING})

    def __init__(self, ctx: AppContext, nav: Navigator, parent: QWidget | None = None) -> None:
        super().__init__(ctx, nav, parent)
        self.ui = load_form("settings_page.ui", self)
        self.state: SettingsState | None = None
        self.logo_png: bytes | None = None
        self.model_inputs: dict[str, QWidget] = {}
        self._impact_generation = 0
        self._impact_task: Task | None = None
        self._filling = False
        self._impact_timer = QTimer(self)
        self._impact_timer.setSingleShot(True)
        self._impact_timer.setInterval(IMPACT_DELAY_MS)
        self._impact_timer.timeout.connect(self.count_impact)

        ui = self.ui
        ui.theme_combo.addItem("Light cards", "light")
        ui.theme_combo.addItem("Dark cards", "dark")
        ui.primary_button.clicked.connect(lambda: self._pick_colour(ui.primary_edit))
        ui.secondary_button.clicked.connect(lambda: self._pick_colour(ui.secondary_edit))
        ui.logo_button.clicked.connect(self._choose_logo)
        ui.logo_remove_button.clicked.connect(lambda: self._show_logo(None))
        ui.brand_save_button.clicked.connect(self.save_brand)
        ui.token_save_button.clicked.connect(self.save_token)
        ui.webhook_save_button.clicked.connect(self.save_webhook)
        ui.test_button.clicked.connect(self.test_connection)
        ui.model_save_button.clicked.connect(self.save_model)
        ui.model_revert_button.clicked.connect(self._revert_model)
        ui.model_reset_button.clicked.connect(self._reset_model)
        ui.open_folder_button.clicked.connect(self._open_data_folder)
        ui.open_database_button.clicked.connect(self._choose_database)
        ui.backup_button.clicked.connect(self._choose_backup)
        ui.restore_button.clicked.connect(self._choose_restore)
        self._build_model_form()
        self._show_data_paths()
        ctx.database_changed.connect(lambda _p: self._show_data_paths())

    # -- loading --------------------------------------------------------------------------

    def reload(self) -> Task:
        ctx = self.ctx

        def load(control) -> SettingsState:
            from plm_desktop.cards import family_names, load_brand
            from plm_desktop.scoring import ScoringModel

            store = ctx.secrets()
            return SettingsState(
                brand=load_brand(control.db),
                families=family_names(),
                model=ScoringModel.load(control.db),
                store_status=store.status,
                has_token=bool(store.bot_token()),
                has_webhook=bool(store.webhook_url()),
            )

        return ctx.tasks.read(
            load,
            title="Loading the settings",
            on_result=self._show_state,
            on_error=lambda exc: ctx.errors.report("Could not load the settings.", exc),
        )

    def _show_state(self, state: SettingsState) -> None:
        self.state = state
        ui = self.ui
        brand = state.brand
        ui.product_name_edit.setText(brand.product_name)
        ui.product_url_edit.setText(brand.product_url)
        ui.primary_edit.setText(brand.primary)
        ui.secondary_edit.setText(brand.secondary)
        ui.theme_combo.setCurrentIndex(max(0, ui.theme_combo.findData(brand.theme)))
        ui.font_combo.clear()
        ui.font_combo.addItems(state.families)
        if ui.font_combo.findText(brand.font) < 0:
            ui.font_combo.addItem(brand.font)
        ui.font_combo.setCurrentText(brand.font)
        self._show_logo(brand.logo_png)
        self._show_swatches()
        self._show_secret_status(state.store_status, state.has_token, state.has_webhook)
        self._fill_model(state.model)
        ui.impact_label.setText("No unsaved changes.")
        self.loaded.emit()

    # -- brand ----------------------------------------------------------------------------

    def _pick_colour(self, edit: QLineEdit) -> None:
        colour = QColorDialog.getColor(QColor(edit.text()), self, "Choose a colour")
        if colour.isValid():
            edit.setText(colour.name().upper())
            self._show_swatches()

    def _show_swatches(self) -> None:
        for edit in (self.ui.primary_edit, self.ui.secondary_edit):
            colour = QColor(edit.text())
            if colour.isValid():
                text = "#000" if colour.lightness() > 140 else "#fff"
                edit.setStyleSheet(f"background: {colour.name()}; color: {text};")

    def _choose_logo(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Choose a logo", str(Path.home()), "Images (*.png *.jpg *.jpeg *.svg *.webp)"
        )
        if name:
            self.load_logo(Path(name))

    def load_logo(self, path: Path) -> Task:
        """Read and check the logo at ``path`` in the background, then show it."""

        def read(_control) -> bytes:
            from plm_desktop.cards import read_logo_file

            return read_logo_file(path)

        return self.ctx.tasks.read(
            read,
            title="Reading the logo",
            on_result=self._show_logo,
            on_error=lambda exc: self._brand_problem(f"The logo {path.name} cannot be used.", exc),
        )

    def _show_logo(self, png: bytes | None) -> None:
        self.logo_png = png
        label = self.ui.logo_preview
        if not png:
            label.setPixmap(QPixmap())
            label.setText("No logo")
            return
        pixmap = QPixmap()
        pixmap.loadFromData(png)
        ratio = self.devicePixelRatioF()
        scaled = pixmap.scaled(
            int(64 * ratio),
            int(64 * ratio),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        scaled.setDevicePixelRatio(ratio)
        label.setPixmap(scaled)

    def brand_values(self) -> dict[str, Any]:
        ui = self.ui
        return {
            "product_name": ui.product_name_edit.text().strip(),
            "product_url": ui.product_url_edit.text().strip(),
            "primary": ui.primary_edit.text().strip(),
            "secondary": ui.secondary_edit.text().strip(),
            "theme": ui.theme_combo.currentData(),
            "font": ui.font_combo.currentText().strip(),
            "logo_png": self.logo_png,
        }

    def save_brand(self) -> Task:
        """Check the brand fields and save them with the database."""
        values = self.brand_values()

        def save(control):
            from plm_desktop.cards import Brand, save_brand

            brand = Brand(**values)
            save_brand(control.db, brand)
            return brand

        def saved(brand) -> None:
            self.ui.brand_status.setText("Brand saved.")
            self.ui.brand_status.setStyleSheet("")
            self._show_swatches()
            self.ctx.announce(TOPIC_SETTINGS)
            self.brand_saved.emit(brand)

        return self.ctx.tasks.write(
            save,
            title="Saving the brand",
            on_result=saved,
            on_error=lambda exc: self._brand_problem("The brand was not saved.", exc),
        )

    def _brand_problem(self, message: str, exc: BaseException) -> None:
        from plm_desktop.gui.errors import describe_exception

        self.ui.brand_status.setText(f"{message} {describe_exception(exc)}")
        self.ui.brand_status.setStyleSheet("color: #c0392b;")
        self.ctx.errors.report(message, exc, severe=False)

    # -- Slack ----------------------------------------------------------------------------

    def _show_secret_status(self, status: Any, has_token: bool, has_webhook: bool) -> None:
        ui = self.ui
        ui.token_edit.setPlaceholderText(
            "saved (paste a new one to replace it)" if has_token else "xoxb-…"
        )
        ui.webhook_edit.setPlaceholderText(
            "saved (paste a new one to replace it)"
            if has_webhook
            else "https://hooks.slack.com/services/…"
        )
        colour = "" if status.durable else "color: #b26a00;"
        ui.store_status.setStyleSheet(colour)
        ui.store_status.setText(status.message)

    def save_token(self) -> Task | None:
        """Keep the pasted bot token in the secret store (never in the database)."""
        token = self.ui.token_edit.text().strip()
        if not token:
            return None
        return self._save_secret("token", token)

    def save_webhook(self) -> Task | None:
        """Keep the pasted incoming-webhook URL in the secret store."""
        url = self.ui.webhook_edit.text().strip()
        if not url:
            return None
        return self._save_secret("webhook", url)

    def _save_secret(self, which: str, value: str) -> Task:
        ctx = self.ctx

        def save(_control):
            store = ctx.secrets()
            if which == "token":
                status = store.set_bot_token(value)
            else:
                status = store.set_webhook_url(value)
            return status, bool(store.bot_token()), bool(store.webhook_url())

        def saved(result) -> None:
            status, has_token, has_webhook = result
            (self.ui.token_edit if which == "token" else self.ui.webhook_edit).clear()
            self._show_secret_status(status, has_token, has_webhook)
            what = "Slack token" if which == "token" else "Webhook URL"
            where = "the keyring" if status.kind == "keyring" else "memory for this session"
            ctx.errors.inform(f"{what} saved in {where}.")
            self.secret_saved.emit(status)

        def failed(exc: BaseException) -> None:
            from plm_desktop.gui.errors import describe_exception

            self.ui.store_status.setText(describe_exception(exc))
            self.ui.store_status.setStyleSheet("color: #c0392b;")
            ctx.errors.report("The Slack secret was not saved.", exc, severe=False)

        return ctx.tasks.read(
            save, title="Saving the Slack secret", on_result=saved, on_error=failed
        )

    def test_connection(self) -> Task:
        """Ask Slack who the saved token is and which permissions it lacks."""
        ctx = self.ctx
        self.ui.connection_label.setText("Asking Slack…")
        self.ui.connection_label.setStyleSheet("")

        def ask(control) -> str:
            from plm_desktop.sharing.send import connection_report

            return connection_report(control.db, tokens=ctx.secrets())

        def answered(text: str) -> None:
            self.ui.connection_label.setText(text)
            self.connection_tested.emit(text)

        def failed(exc: BaseException) -> None:
            from plm_desktop.gui.errors import describe_exception

            text = describe_exception(exc)
            self.ui.connection_label.setText(text)
            self.ui.connection_label.setStyleSheet("color: #c0392b;")
            ctx.errors.report("The Slack connection test failed.", exc, severe=False)
            self.connection_tested.emit(text)

        return ctx.tasks.read(
            ask, title="Testing the Slack connection", on_result=answered, on_error=failed
        )

    # -- scoring model --------------------------------------------------------------------

    def _build_model_form(self) -> None:
        from plm_desktop.scoring import ScoringModel

        form = QFormLayout(self.ui.model_host)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        section = None
        for group, path, value in model_fields(ScoringModel()):
            if group != section:
                section = group
                title = QLabel(_SECTION_TITLES.get(group, group.replace("_", " ").capitalize()))
                title.setStyleSheet("font-weight: 600; margin-top: 10px;")
                form.addRow(title)
            name = path.rsplit(".", 1)[-1]
            label = _FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
            widget = self._input_for(value)
            widget.setObjectName("model_" + path.replace(".", "__"))
            widget.setAccessibleName(f"{_SECTION_TITLES.get(group, group)}: {label}")
            form.addRow(label, widget)
            self.model_inputs[path] = widget

    def _input_for(self, value: Any) -> QWidget:
        if isinstance(value, bool):
            box = QCheckBox()
            box.toggled.connect(self._model_edited)
            return box
        if isinstance(value, int):
            spin = QSpinBox()
            spin.setRange(0, 1_000_000)
            spin.valueChanged.connect(self._model_edited)
            return spin
        if isinstance(value, float):
            dspin = QDoubleSpinBox()
            dspin.setRange(0.0, 1_000_000.0)
            dspin.setDecimals(2)
            dspin.valueChanged.connect(self._model_edited)
            return dspin
        edit = QLineEdit()
        edit.textChanged.connect(self._model_edited)
        return edit

    def _fill_model(self, model: Any) -> None:
        self._filling = True
        try:
            for _group, path, value in model_fields(model):
                widget = self.model_inputs.get(path)
                if isinstance(widget, QCheckBox):
                    widget.setChecked(bool(value))
                elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
                    widget.setValue(value)
                elif isinstance(widget, QLineEdit):
                    widget.setText(str(value))
        finally:
            self._filling = False

    def model_values(self) -> dict[str, Any]:
        """The model as typed, in the nested form ``ScoringModel.from_dict`` reads."""
        data: dict[str, Any] = {}
        for path, widget in self.model_inputs.items():
            if isinstance(widget, QCheckBox):
                value: Any = widget.isChecked()
            elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
                value = widget.value()
            else:
                value = widget.text().strip()
            _set_path(data, path, value)
        return data

    def set_model_value(self, path: str, value: Any) -> None:
        """Type ``value`` into the model field ``path`` (``"milestones.task_total"``)."""
        widget = self.model_inputs[path]
        if isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
            widget.setValue(value)
        else:
            widget.setText(str(value))

    def _model_edited(self, *_args: Any) -> None:
        if self._filling:
            return
        self.ui.impact_label.setText("Counting what would change…")
        self._impact_generation += 1
        if self._impact_task is not None:
            self._impact_task.cancel()
        self._impact_timer.start()

    def count_impact(self) -> Task | None:
        """Count, in the background, what saving the typed model would change."""
        from plm_desktop.scoring import ModelError, ScoringModel

        self._impact_timer.stop()
        generation = self._impact_generation
        try:
            candidate = ScoringModel.from_dict(self.model_values())
        except ModelError as exc:
            self.ui.impact_label.setText(f"Not valid yet: {exc}")
            self.ui.model_save_button.setEnabled(False)
            return None
        self.ui.model_save_button.setEnabled(True)

        def count(control):
            from plm_desktop.gui.model_impact import model_impact

            return model_impact(control.db, candidate, cancelled=control.cancelled)

        def counted(impact) -> None:
            if generation != self._impact_generation:
                return
            self.ui.impact_label.setText(impact.sentence())
            self.impact_ready.emit(impact)

        def failed(exc: BaseException) -> None:
            if generation == self._impact_generation:
                self.ui.impact_label.setText(f"Could not count the change: {exc}")

        self._impact_task = self.ctx.tasks.read(
            count, title="Counting what would change", on_result=counted, on_error=failed
        )
        return self._impact_task

    def save_model(self) -> Task | None:
        """Save the typed model and rescore every week with it."""
        from plm_desktop.scoring import ModelError, ScoringModel

        try:
            model = ScoringModel.from_dict(self.model_values())
        except ModelError as exc:
            self.ctx.errors.report("The model was not saved.", exc)
            return None

        def save(control):
            from plm_desktop.scoring import rescore_all

            model.save(control.db)
            return rescore_all(control.db, model)

        def saved(_result) -> None:
            self.ui.impact_label.setText(
                "Saved; every week was rescored. New milestone thresholds apply from the next "
                "import."
            )
            self.ctx.errors.inform("Scoring model saved and every week rescored.")
            self.ctx.announce(TOPIC_SCORING)
            self.model_saved.emit(model)

        return self.ctx.tasks.write(
            save,
            title="Saving the model and rescoring",
            on_result=saved,
            on_error=lambda exc: self.ctx.errors.report("The model was not saved.", exc),
        )

    def _revert_model(self) -> None:
        if self.state is not None:
            self._fill_model(self.state.model)
            self.ui.impact_label.setText("No unsaved changes.")

    def _reset_model(self) -> None:
        from plm_desktop.scoring import ScoringModel

        self._fill_model(ScoringModel())
        self._model_edited()

    # -- data folder and backups ----------------------------------------------------------

    def _show_data_paths(self) -> None:
        self.ui.folder_label.setText(str(paths.data_dir()))
        db_path = self.ctx.db_path
        text = str(db_path) if db_path else "none open"
        if self.ctx.demo:
            text += " (throwaway copy of the sample data)"
        self.ui.database_path_label.setText(text)

    def _open_data_folder(self) -> None:
        self.nav.open_data_folder()

    def _choose_database(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Open or create a database",
            str(paths.data_dir()),
            "PLM Desktop databases (*.sqlite)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if name:
            self.nav.open_database_file(Path(name))

    def _choose_backup(self) -> None:
        self.nav.choose_backup_target()

    def _choose_restore(self) -> None:
        self.nav.choose_restore_source()
