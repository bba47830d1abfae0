"""The live card preview: drawn off the GUI thread, only the latest edit, shown at once.

:class:`PreviewRenderer` takes every edit the founder makes but keeps at most one
render running: while one is being drawn, newer edits replace each other as "pending",
and when the render ends only the newest pending design is drawn next. Typing fast
therefore never queues renders of text that is already out of date.

The worker does everything that costs time: Pillow draws the card, shrinks it by a whole
factor to about the preview's size in device pixels, and the pixels become a ``QImage``.
The GUI thread only stores the image and paints it with a light bilinear fit, which is
what keeps typing smooth.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from PySide6.QtCore import QObject, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from plm_desktop.gui.card_design import CardDesign
from plm_desktop.gui.tasks import TaskRunner

log = logging.getLogger(__name__)

_MARGIN = 12
"""Pixels kept free around the card inside the preview."""


@dataclass(frozen=True)
class PreviewFrame:
    """One drawn preview.

    Attributes:
        generation: the edit it shows (larger is newer).
        design: the design drawn.
        adjustments: what the renderer changed to draw it well (shown to the founder).
        card: the card at full size, as Pillow drew it (or as a ``QImage``); see
            :attr:`image` for it as a ``QImage``.
        display: the card at about the preview's size in device pixels.
        render_ms: time Pillow took to draw the card.
        total_ms: time the worker took in all (draw, convert, scale).
    """

    generation: int
    design: CardDesign
    adjustments: tuple[str, ...]
    card: Any
    display: QImage
    render_ms: float
    total_ms: float

    @property
    def size(self) -> tuple[int, int]:
        """The card's (width, height) in pixels."""
        if isinstance(self.card, QImage):
            return self.card.width(), self.card.height()
        return self.card.size

    @cached_property
    def image(self) -> QImage:
        """The full-size card as a ``QImage``, converted on first use (not per keystroke)."""
        return self.card if isinstance(self.card, QImage) else card_qimage(self.card)


def card_qimage(pil_image) -> QImage:
    """A Pillow RGB card as a ``QImage`` that owns its pixels (safe on any thread)."""
    rgb = pil_image if pil_image.mode == "RGB" else pil_image.convert("RGB")
    data = rgb.tobytes()
    width, height = rgb.size
    wrapped = QImage(data, width, height, width * 3, QImage.Format.Format_RGB888)
    # RGB32 scales and paints several times faster than RGB888.
    return wrapped.convertToFormat(QImage.Format.Format_RGB32)


def scaled_for_display(image: QImage, box: QSize) -> QImage:
    """``image`` scaled smoothly to fit ``box`` device pixels (never enlarged).

    Qt's smooth scaling is the best-looking but costs milliseconds at card size; use it
    where the card does not change while the founder types (the share page).
    """
    no_room = box.width() <= 0 or box.height() <= 0
    if no_room or (image.width() <= box.width() and image.height() <= box.height()):
        return image
    return image.scaled(
        box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


def reduced_for_display(pil_image, box: QSize) -> QImage:
    """The card shrunk by a whole factor to about ``box`` device pixels, as a ``QImage``.

    Pillow's ``reduce`` averages blocks of pixels, about ten times faster than a smooth
    resample to an arbitrary size. The factor is the nearest whole one, so what is left
    for the painter is a gentle stretch or shrink (at most about 1.5x), which its
    bilinear filter draws cleanly.
    """
    factor = 1
    if box.width() > 0:
        factor = max(1, round(pil_image.width / box.width()))
    return card_qimage(pil_image.reduce(factor) if factor > 1 else pil_image)


_FIT_NAMES = {
    "eyebrow": "The line above the headline",
    "headline": "The headline",
    "name": "The name",
    "stat_label": "The words under the number",
    "supporting": "The supporting text",
}
"""Elements whose fitting is worth a note (the big number is sized to fit by design)."""

_SIZE_WORDS = {"linkedin": "LinkedIn", "square": "square", "portrait": "portrait"}


def fitting_notes(card) -> list[str]:
    """Notes on text the renderer set smaller or wrapped to fit (cut text has its own)."""
    notes = []
    for element, label in _FIT_NAMES.items():
        fitted = card.fitted.get(element)
        if fitted is None or fitted.ellipsized or not (fitted.shrunk or fitted.wrapped):
            continue
        lines = len(fitted.lines)
        how = "set smaller" if fitted.shrunk else "kept at its size"
        wrap = f" and wrapped onto {lines} lines" if fitted.wrapped and lines > 1 else ""
        size = _SIZE_WORDS.get(card.size, card.size)
        notes.append(f"{label} was {how}{wrap} to fit the {size} card.")
    return notes


def render_frame(design: CardDesign, generation: int, box: QSize) -> PreviewFrame:
    """Draw ``design`` for the preview; runs on a worker thread."""
    started = time.perf_counter()
    card = design.render()
    drawn = time.perf_counter()
    display = reduced_for_display(card.image, box)
    ended = time.perf_counter()
    return PreviewFrame(
        generation=generation,
        design=design,
        adjustments=(*card.adjustments, *fitting_notes(card)),
        card=card.image,
        display=display,
        render_ms=(drawn - started) * 1000,
        total_ms=(ended - started) * 1000,
    )


class PreviewRenderer(QObject):
    """Renders the newest requested design, one render at a time, through the task runner.

    Args:
        tasks: the window's task runner (renders go to its read pool).
        target: gives the preview's size in device pixels and the pixel ratio when a
            render starts.

    Signals:
        frame_ready(PreviewFrame): a render ended and is the newest one drawn so far.
        render_failed(exception, generation): the design could not be drawn.
    """

    frame_ready = Signal(object)
    render_failed = Signal(object, int)

    def __init__(self, tasks: TaskRunner, target, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._target = target
        self._generation = 0
        self._pending: tuple[int, CardDesign] | None = None
        self._busy = False
        self.renders_started = 0
        self.shown_generation = 0

    @property
    def generation(self) -> int:
        """The newest edit requested so far."""
        return self._generation

    @property
    def busy(self) -> bool:
        return self._busy

    def request(self, design: CardDesign) -> int:
        """Ask for ``design`` to be drawn; returns the generation that will show it."""
        self._generation += 1
        self._pending = (self._generation, design)
        if not self._busy:
            self._start_next()
        return self._generation

    def _start_next(self) -> None:
        if self._pending is None:
            return
        generation, design = self._pending
        self._pending = None
        self._busy = True
        self.renders_started += 1
        box, _ratio = self._target()
        self._tasks.read(
            lambda _control: render_frame(design, generation, box),
            title="Drawing the card preview",
            on_result=self._finished,
            on_error=lambda exc: self._failed(exc, generation),
        )

    def _finished(self, frame: PreviewFrame) -> None:
        self._busy = False
        if frame.generation > self.shown_generation:
            self.shown_generation = frame.generation
            self.frame_ready.emit(frame)
        self._start_next()

    def _failed(self, exc: BaseException, generation: int) -> None:
        self._busy = False
        log.info("card preview %d could not be drawn: %s", generation, exc)
        self.render_failed.emit(exc, generation)
        self._start_next()


class CardPreview(QWidget):
    """Shows the latest preview frame, centred, scaled to fit, sharp on high-DPI screens.

    Signals:
        painted(generation): a frame was painted on screen for the first time.
    """

    painted = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, follow_width: bool = False) -> None:
        """``follow_width``: take only the height the card needs at the given width
        (beside other content), instead of all the room there is."""
        super().__init__(parent)
        self.setObjectName("card_preview")
        self.setAccessibleName("Card preview")
        self.setMinimumSize(QSize(320, 200))
        vertical = QSizePolicy.Policy.Preferred if follow_width else QSizePolicy.Policy.Expanding
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, vertical)
        policy.setHeightForWidth(follow_width)
        self.setSizePolicy(policy)
        self._follow_width = follow_width
        self.frame: PreviewFrame | None = None
        self._display: QImage | None = None
        self._painted_generation = 0
        self._card_size = QSize(1200, 627)
        self._message = "Drawing the card…"

    def set_card_size(self, width: int, height: int) -> None:
        """The size (in card pixels) of the card being designed, for :meth:`target`."""
        if QSize(width, height) != self._card_size:
            self._card_size = QSize(width, height)
            self.updateGeometry()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt override)
        return self._follow_width

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt override)
        room = max(1, width - 2 * _MARGIN)
        return room * self._card_size.height() // self._card_size.width() + 2 * _MARGIN

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(640, self.heightForWidth(640))

    def target(self) -> tuple[QSize, float]:
        """The device-pixel box a card of the current size is shown in, and the ratio."""
        ratio = self.devicePixelRatioF()
        room = self.rect().adjusted(_MARGIN, _MARGIN, -_MARGIN, -_MARGIN).size()
        fitted = self._card_size.scaled(room, Qt.AspectRatioMode.KeepAspectRatio)
        return QSize(int(fitted.width() * ratio), int(fitted.height() * ratio)), ratio

    def set_frame(self, frame: PreviewFrame) -> None:
        """Show ``frame``; the painter fits its display image to the widget."""
        before = self._card_rect() if self._display is not None else self.rect()
        self.frame = frame
        self._display = frame.display
        self.setAccessibleDescription(
            f"{frame.design.spec.headline or frame.design.spec.kind}: {frame.design.spec.name}"
        )
        # Only the card's area changes while typing; the backdrop around it stays.
        self.update(before.united(self._card_rect()))

    def _card_rect(self) -> QRect:
        """Where the card is painted: fitted into the widget less its margin, centred."""
        size = self._display.size() if self._display is not None else self._card_size
        room = self.rect().adjusted(_MARGIN, _MARGIN, -_MARGIN, -_MARGIN).size()
        fitted = size.scaled(room, Qt.AspectRatioMode.KeepAspectRatio)
        top_left = QPoint(
            (self.width() - fitted.width()) // 2, (self.height() - fitted.height()) // 2
        )
        return QRect(top_left, fitted)

    def set_message(self, text: str) -> None:
        """Text shown instead of a card (nothing drawn yet, or it could not be drawn)."""
        self._message = text
        if self._display is None:
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.fillRect(event.rect(), self.palette().window().color().darker(112))
        if self._display is None:
            painter.setPen(self.palette().text().color())
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._message)
            painter.end()
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(self._card_rect(), self._display)
        painter.end()
        generation = self.frame.generation if self.frame is not None else 0
        if generation > self._painted_generation:
            self._painted_generation = generation
            self.painted.emit(generation)
