"""The Card studio page: design a win card with a live preview, save it, copy it, share it.

Every control edits one :class:`~plm_desktop.gui.card_design.CardDesign`; each edit asks
the :class:`~plm_desktop.gui.card_preview.PreviewRenderer` for a new preview, which is
drawn on the read pool (only the newest edit is drawn when the founder types faster
than cards render). What the renderer had to change (a colour darkened for contrast,
text shrunk or cut short) is listed under the preview, never applied silently.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import QColorDialog, QFileDialog, QFrame, QLabel, QLineEdit, QWidget

from plm_desktop.gui.card_design import CardDesign, WinChoice
from plm_desktop.gui.card_preview import CardPreview, PreviewFrame, PreviewRenderer, card_qimage
from plm_desktop.gui.context import TOPIC_SETTINGS, TOPIC_USAGE, AppContext
from plm_desktop.gui.forms import load_form
from plm_desktop.gui.pages.base import Navigator, Page
from plm_desktop.gui.tasks import Task

log = logging.getLogger(__name__)

LOGO_SUFFIXES = (".png", ".jpg", ".jpeg")
"""Files the logo area accepts when dropped."""

SIZE_LABELS = {
    "linkedin": "LinkedIn or X (1200 × 627)",
    "square": "Square (1200 × 1200)",
    "portrait": "Portrait (1080 × 1350)",
}
THEME_LABELS = {"light": "Light", "dark": "Dark"}

_LAST_FOLDER_KEY = "studio/last_folder"
_INVALID_STYLE = "QLineEdit { border: 2px solid #c62828; }"


def dropped_logo_file(urls: list[QUrl]) -> Path | None:
    """The first local PNG or JPEG among dropped ``urls``."""
    for url in urls:
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if path.suffix.lower() in LOGO_SUFFIXES:
                return path
    return None


class LogoDropArea(QLabel):
    """Shows the card's logo and takes a PNG or JPEG dropped on it.

    Signals:
        logo_dropped(Path): a logo file was dropped.
    """

    logo_dropped = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("logo_drop")
        self.setAccessibleName("Logo: drop a PNG or JPEG file here")
        self.setAcceptDrops(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumHeight(84)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "QLabel#logo_drop { border: 2px dashed palette(mid); border-radius: 8px; }"
        )
        self.has_logo = False
        self.set_logo(None)

    def set_logo(self, png: bytes | None) -> None:
        """Show ``png`` (the brand's normalised logo), or the drop hint when None."""
        self.has_logo = bool(png)
        if not png:
            self.setPixmap(QPixmap())
            self.setText("Drop a logo here (PNG or JPEG)")
            return
        image = QImage.fromData(png)
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap.fromImage(
            image.scaled(
                int(220 * ratio),
                int(64 * ratio),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        pixmap.setDevicePixelRatio(ratio)
        self.setText("")
        self.setPixmap(pixmap)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls() and dropped_logo_file(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls() and dropped_logo_file(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        path = dropped_logo_file(event.mimeData().urls()) if event.mimeData().hasUrls() else None
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        log.info("logo file dropped on the card studio: %s", path.name)
        self.logo_dropped.emit(path)


class CardStudioPage(Page):
    """Template, size, theme, colours, logo and words, with a live preview.

    Signals:
        design_loaded(CardDesign): a win's (or the sample) card was loaded into the studio.
        frame_shown(PreviewFrame): a new preview is on screen.
        card_saved(Path): Save as PNG wrote the card.
        image_copied(QImage): the card was put on the clipboard.
    """

    design_loaded = Signal(object)
    frame_shown = Signal(object)
    card_saved = Signal(object)
    image_copied = Signal(object)

    topics = frozenset({TOPIC_USAGE, TOPIC_SETTINGS})

    def __init__(self, ctx: AppContext, nav: Navigator, parent: QWidget | None = None) -> None:
        super().__init__(ctx, nav, parent)
        from plm_desktop.cards.templates import card_templates

        self.ui = load_form("card_studio.ui", self)
        self.design: CardDesign | None = None
        self.frame: PreviewFrame | None = None
        self.saved_brand = None
        self.wins: list[WinChoice] = []
        self._load_token = 0
        self._templates = card_templates()

        ui = self.ui
        self.preview = CardPreview(ui.preview_host)
        ui.preview_host.layout().addWidget(self.preview)
        self.logo_area = LogoDropArea(ui.logo_host)
        ui.logo_host.layout().addWidget(self.logo_area)
        ui.body_splitter.setStretchFactor(0, 0)
        ui.body_splitter.setStretchFactor(1, 1)
        ui.adjustments_label.hide()

        for kind, template in self._templates.items():
            ui.template_combo.addItem(template.name, kind)
        for size, label in SIZE_LABELS.items():
            ui.size_combo.addItem(label, size)
        for theme, label in THEME_LABELS.items():
            ui.theme_combo.addItem(label, theme)
        ui.win_combo.addItem("Sample card", None)
        self._set_controls_enabled(False)

        self.renderer = PreviewRenderer(ctx.tasks, self.preview.target, self)
        self.renderer.frame_ready.connect(self._show_frame)
        self.renderer.render_failed.connect(self._render_failed)
        self.preview.painted.connect(self._frame_painted)

        ui.template_combo.currentIndexChanged.connect(self._template_chosen)
        ui.size_combo.currentIndexChanged.connect(self._size_chosen)
        ui.theme_combo.currentIndexChanged.connect(self._theme_chosen)
        ui.primary_edit.textEdited.connect(lambda text: self._colour_edited("primary", text))
        ui.secondary_edit.textEdited.connect(lambda text: self._colour_edited("secondary", text))
        ui.primary_button.clicked.connect(lambda: self._pick_colour("primary"))
        ui.secondary_button.clicked.connect(lambda: self._pick_colour("secondary"))
        ui.headline_edit.textEdited.connect(self._headline_edited)
        ui.supporting_edit.textEdited.connect(self._supporting_edited)
        ui.choose_logo_button.clicked.connect(self.choose_logo_file)
        ui.clear_logo_button.clicked.connect(self.clear_logo)
        self.logo_area.logo_dropped.connect(self.use_logo_file)
        ui.save_button.clicked.connect(self.choose_save_target)
        ui.copy_button.clicked.connect(self.copy_image)
        ui.share_button.clicked.connect(self.share_card)
        ui.save_brand_button.clicked.connect(self.save_brand)
        ui.win_combo.activated.connect(self._win_chosen)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.choose_save_target)
        QShortcut(QKeySequence("Ctrl+Shift+C"), self, activated=self.copy_image)

    # -- loading ------------------------------------------------------------------------

    def reload(self) -> None:
        """Load the wins for the picker and the saved brand."""

        def load(control):
            from plm_desktop.cards import load_brand
            from plm_desktop.gui.card_design import recent_wins

            return recent_wins(control.db), load_brand(control.db)

        self.ctx.tasks.read(
            load,
            title="Loading wins for the card studio",
            on_result=self._loaded,
            on_error=lambda exc: self.ctx.errors.report(
                "Could not load the wins and brand for the card studio.", exc
            ),
        )

    def _loaded(self, result: tuple) -> None:
        wins, brand = result
        self.wins = wins
        combo = self.ui.win_combo
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("Sample card", None)
        for win in wins:
            combo.addItem(win.label, win)
        combo.blockSignals(False)
        self._select_win(current)

        previous, self.saved_brand = self.saved_brand, brand
        if self.design is None:
            from plm_desktop.gui.card_design import sample_design

            self.apply_design(replace(sample_design(), brand=brand))
        elif previous is not None and brand != previous:
            self.apply_design(replace(self.design, brand=brand))
        self.loaded.emit()

    def open_request(
        self,
        user_id: str | None = None,
        milestone_kind: str | None = None,
        week: str | None = None,
        **_request: Any,
    ) -> Task | None:
        """Open the card of ``user_id``'s milestone (the main window's studio hook)."""
        if not user_id:
            return None
        return self.open_win(user_id, milestone_kind, week)

    def open_win(self, user_id: str, kind: str | None, week: str | None) -> Task:
        """Load the store's card for a win into the studio."""
        self._load_token += 1
        token = self._load_token
        self.ui.subject_label.setText("Loading the card…")

        def load(control):
            from plm_desktop.gui.card_design import design_for_win

            return design_for_win(control.db, user_id, kind, week)

        def loaded(design: CardDesign) -> None:
            if token == self._load_token:
                self.apply_design(design)
                self._select_win(WinChoice(user_id, design.spec.kind, week or "", ""))

        return self.ctx.tasks.read(
            load,
            title="Loading the card",
            on_result=loaded,
            on_error=lambda exc: self._win_failed(exc, user_id),
        )

    def _win_failed(self, exc: BaseException, user_id: str) -> None:
        self.ui.subject_label.setText(f"No card could be made for {user_id}.")
        self.ctx.errors.report(f"Could not load the card for {user_id}.", exc)

    def _win_chosen(self, index: int) -> None:
        win = self.ui.win_combo.itemData(index)
        if win is None:
            from plm_desktop.gui.card_design import sample_design

            design = sample_design()
            brand = self.saved_brand or design.brand
            self.apply_design(replace(design, brand=brand))
        else:
            self.open_win(win.user_id, win.kind, win.week)

    def _select_win(self, wanted: WinChoice | None) -> None:
        combo = self.ui.win_combo
        combo.blockSignals(True)
        try:
            combo.setCurrentIndex(0)
            if wanted is None:
                return
            for row in range(1, combo.count()):
                win = combo.itemData(row)
                same = win.user_id == wanted.user_id and win.kind == wanted.kind
                if same and (not wanted.week or win.week == wanted.week):
                    combo.setCurrentIndex(row)
                    return
        finally:
            combo.blockSignals(False)

    # -- the design ---------------------------------------------------------------------

    def apply_design(self, design: CardDesign) -> int:
        """Show ``design`` in every control and draw it; returns the preview generation."""
        self.design = design
        ui, spec, brand = self.ui, design.spec, design.brand
        widgets = (
            ui.template_combo,
            ui.size_combo,
            ui.theme_combo,
            ui.primary_edit,
            ui.secondary_edit,
            ui.headline_edit,
            ui.supporting_edit,
        )
        for widget in widgets:
            widget.blockSignals(True)
        try:
            ui.template_combo.setCurrentIndex(ui.template_combo.findData(spec.kind))
            ui.size_combo.setCurrentIndex(ui.size_combo.findData(design.size))
            ui.theme_combo.setCurrentIndex(ui.theme_combo.findData(brand.theme))
            ui.primary_edit.setText(brand.primary)
            ui.secondary_edit.setText(brand.secondary)
            ui.headline_edit.setText(spec.headline or self._default_headline(spec.kind))
            ui.supporting_edit.setText(spec.supporting)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        for edit in (ui.primary_edit, ui.secondary_edit):
            edit.setStyleSheet("")
            edit.setToolTip("")
        self.logo_area.set_logo(brand.logo_png)
        self._set_controls_enabled(True)
        self._update_subject()
        self.design_loaded.emit(design)
        return self._redraw()

    def _update(self, *, brand=None, size: str | None = None, **spec_changes: Any) -> int:
        if self.design is None:
            return 0
        design = self.design
        if spec_changes:
            design = replace(design, spec=replace(design.spec, **spec_changes))
        if brand is not None:
            design = replace(design, brand=brand)
        if size is not None:
            design = replace(design, size=size)
        self.design = design
        return self._redraw()

    def _redraw(self) -> int:
        from plm_desktop.cards import SIZES

        assert self.design is not None
        self.preview.set_card_size(*SIZES[self.design.size])
        return self.renderer.request(self.design)

    def _default_headline(self, kind: str) -> str:
        template = self._templates.get(kind)
        if template is None:
            return ""
        return template.headline if "{" not in template.headline else template.name

    def _template_chosen(self, index: int) -> None:
        kind = self.ui.template_combo.itemData(index)
        if self.design is None or kind is None:
            return
        old = self.design.spec
        changes: dict[str, Any] = {"kind": kind}
        if old.headline in ("", self._default_headline(old.kind)):
            changes["headline"] = self._default_headline(kind)
            self.ui.headline_edit.setText(changes["headline"])
        self._update(**changes)

    def _size_chosen(self, index: int) -> None:
        size = self.ui.size_combo.itemData(index)
        if size is not None:
            self._update(size=size)

    def _theme_chosen(self, index: int) -> None:
        theme = self.ui.theme_combo.itemData(index)
        if self.design is not None and theme is not None:
            self._update(brand=replace(self.design.brand, theme=theme))

    def _colour_edited(self, which: str, text: str) -> None:
        from plm_desktop.cards import BrandError

        if self.design is None:
            return
        edit: QLineEdit = getattr(self.ui, f"{which}_edit")
        try:
            brand = replace(self.design.brand, **{which: text})
        except BrandError as exc:
            edit.setStyleSheet(_INVALID_STYLE)
            edit.setToolTip(f"{exc}. The card keeps {getattr(self.design.brand, which)}.")
            return
        edit.setStyleSheet("")
        edit.setToolTip("")
        self._update(brand=brand)

    def _pick_colour(self, which: str) -> None:
        if self.design is None:
            return
        current = QColor(getattr(self.design.brand, which))
        chosen = QColorDialog.getColor(current, self, f"Choose the {which} colour")
        if chosen.isValid():
            self.set_colour(which, chosen.name().upper())

    def set_colour(self, which: str, value: str) -> None:
        """Set the ``primary`` or ``secondary`` colour as if typed in its field."""
        getattr(self.ui, f"{which}_edit").setText(value)
        self._colour_edited(which, value)

    def _headline_edited(self, text: str) -> None:
        self._update(headline=text)

    def _supporting_edited(self, text: str) -> None:
        self._update(supporting=text)

    # -- the logo -----------------------------------------------------------------------

    def choose_logo_file(self) -> None:
        start = str(self.ctx.settings.value(_LAST_FOLDER_KEY, str(Path.home())))
        name, _ = QFileDialog.getOpenFileName(
            self, "Choose a logo", start, "Logos (*.png *.jpg *.jpeg)"
        )
        if name:
            self.use_logo_file(Path(name))

    def use_logo_file(self, path: Path) -> Task:
        """Check ``path`` and put it on the card (the file is read on a worker)."""

        def read(_control) -> bytes:
            from plm_desktop.cards import read_logo_file

            return read_logo_file(path)

        def accepted(png: bytes) -> None:
            if self.design is None:
                return
            self.logo_area.set_logo(png)
            self._update(brand=replace(self.design.brand, logo_png=png))
            self.ctx.errors.inform(f"Logo {path.name} is on the card.")

        return self.ctx.tasks.read(
            read,
            title=f"Reading the logo {path.name}",
            on_result=accepted,
            on_error=lambda exc: self.ctx.errors.report(
                f"Could not use {path.name} as the logo.", exc
            ),
        )

    def clear_logo(self) -> None:
        if self.design is not None and self.design.brand.logo_png:
            self.logo_area.set_logo(None)
            self._update(brand=replace(self.design.brand, logo_png=None))

    # -- preview ------------------------------------------------------------------------

    def _show_frame(self, frame: PreviewFrame) -> None:
        self.frame = frame
        self.preview.set_frame(frame)
        # Only the size: a text that changed with every keystroke would re-lay out the page.
        width, height = frame.size
        self.ui.render_info_label.setText(f"{width} × {height} px")
        label = self.ui.adjustments_label
        if frame.adjustments:
            items = "".join(f"<li>{_escape(note)}</li>" for note in frame.adjustments)
            label.setText(
                "<b>Adjusted so the card reads well:</b>"
                f"<ul style='margin: 2px 0 0 -18px'>{items}</ul>"
            )
            label.show()
        else:
            label.hide()

    def _frame_painted(self, generation: int) -> None:
        if self.frame is not None and self.frame.generation == generation:
            self.frame_shown.emit(self.frame)

    def _render_failed(self, exc: BaseException, _generation: int) -> None:
        from plm_desktop.gui.errors import describe_exception

        self.ui.adjustments_label.setText(
            f"<b>The card cannot be drawn:</b> {_escape(describe_exception(exc))}"
        )
        self.ui.adjustments_label.show()
        self.ctx.errors.report("Could not draw the card.", exc, severe=False)

    # -- save, copy, share --------------------------------------------------------------

    def choose_save_target(self) -> None:
        if self.design is None:
            return
        pictures = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation
        )
        start = Path(str(self.ctx.settings.value(_LAST_FOLDER_KEY, pictures or Path.home())))
        name, _ = QFileDialog.getSaveFileName(
            self, "Save the card", str(start / self.design.file_name()), "PNG image (*.png)"
        )
        if name:
            target = Path(name)
            if target.suffix.lower() != ".png":
                target = target.with_name(target.name + ".png")
            self.ctx.settings.setValue(_LAST_FOLDER_KEY, str(target.parent))
            self.save_to(target)

    def save_to(self, target: Path) -> Task | None:
        """Write the card as designed now to ``target`` as a PNG (on a worker)."""
        if self.design is None:
            return None
        design = self.design

        def save(_control) -> Path:
            from plm_desktop.gui.card_design import save_card_png

            return save_card_png(design, target)

        def saved(path: Path) -> None:
            self.ctx.errors.inform(f"Card saved to {path}")
            self.card_saved.emit(path)

        return self.ctx.tasks.read(
            save,
            title=f"Saving the card to {target.name}",
            on_result=saved,
            on_error=lambda exc: self.ctx.errors.report(
                f"Could not save the card to {target}.", exc
            ),
        )

    def copy_image(self) -> Task | None:
        """Put the card as designed now on the clipboard, at full size."""
        if self.design is None:
            return None
        design = self.design

        def copied(image: QImage) -> None:
            QGuiApplication.clipboard().setImage(image)
            self.ctx.errors.inform(
                f"Card copied ({image.width()} × {image.height()} px); paste it anywhere."
            )
            self.image_copied.emit(image)

        return self.ctx.tasks.read(
            lambda _control: card_qimage(design.render().image),
            title="Copying the card",
            on_result=copied,
            on_error=lambda exc: self.ctx.errors.report("Could not copy the card.", exc),
        )

    def share_card(self) -> None:
        """Open the share page with this card, as designed."""
        if self.design is None or self.design.is_sample:
            self.ctx.errors.report(
                "This is the sample card; pick a win first to share it.", severe=False
            )
            return
        spec = self.design.spec
        self.nav.show_page(
            "share",
            user_id=spec.user_id,
            milestone_kind=spec.kind,
            week=self.design.milestone_week,
            design=self.design,
        )

    def save_brand(self) -> Task | None:
        """Keep this theme, these colours and this logo for every card (saved with the data)."""
        if self.design is None:
            return None
        studio_brand = self.design.brand

        def save(control):
            from plm_desktop.cards import load_brand, save_brand

            stored = load_brand(control.db)
            brand = replace(
                stored,
                theme=studio_brand.theme,
                primary=studio_brand.primary,
                secondary=studio_brand.secondary,
                logo_png=studio_brand.logo_png,
            )
            save_brand(control.db, brand)
            return brand

        def saved(brand) -> None:
            self.saved_brand = brand
            self.ctx.errors.inform("Theme, colours and logo saved for every card.")
            self.ctx.announce(TOPIC_SETTINGS)

        return self.ctx.tasks.write(
            save,
            title="Saving the brand",
            on_result=saved,
            on_error=lambda exc: self.ctx.errors.report("Could not save the brand.", exc),
        )

    # -- helpers --------------------------------------------------------------------------

    def _update_subject(self) -> None:
        assert self.design is not None
        spec = self.design.spec
        if self.design.is_sample:
            text = "A sample card. Pick a win above, or open one from the Wins page."
        else:
            template = self._templates.get(spec.kind)
            what = template.name if template else spec.kind
            week = f", week of {self.design.milestone_week}" if self.design.milestone_week else ""
            text = f"Card for {spec.name}: {what}{week}."
        self.ui.subject_label.setText(text)
        self.ui.share_button.setEnabled(not self.design.is_sample)

    def _set_controls_enabled(self, enabled: bool) -> None:
        ui = self.ui
        for widget in (
            ui.design_group,
            ui.logo_group,
            ui.words_group,
            ui.save_button,
            ui.copy_button,
            ui.share_button,
            ui.save_brand_button,
        ):
            widget.setEnabled(enabled)


def _escape(text: str) -> str:
    import html

    return html.escape(text)
