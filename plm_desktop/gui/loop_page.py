"""The Loop screen: the funnel drawn against its benchmarks, the trend by month, which
milestones lead to shares, each advocate's ladder with asks, answers and outcomes
recorded in a few clicks, unmatched signups to attribute by hand, and export of the
funnel as PNG and CSV.

The charts are painted with QPainter into any rectangle, so the widget on screen and the
exported PNG are the same drawing. Engine calls go through ``ctx.tasks`` (reads on the
pool, every change on the serial write worker).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QDate, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from plm_desktop.gui.context import (
    TOPIC_OUTBOX,
    TOPIC_SCORING,
    TOPIC_SETTINGS,
    TOPIC_SIGNUPS,
    TOPIC_USAGE,
    AppContext,
)
from plm_desktop.gui.pages.base import Navigator, Page
from plm_desktop.loop.funnel import NO_DATA, Funnel, Stage
from plm_desktop.loop.ladder import ASK_LABELS, ASK_PHRASES, LADDER

log = logging.getLogger(__name__)

VERDICT_COLOURS = {
    "on target": QColor("#1a9e55"),
    "above": QColor("#4f6bed"),
    "below": QColor("#e08a1e"),
    NO_DATA: QColor("#9aa0a6"),
}
BAND_COLOUR = QColor(26, 158, 85, 48)

_SENTENCES = {
    "activation": "{n} of {d} active users hit a milestone",
    "celebration": "{n} of {d} milestone users were sent a card",
    "share": "{n} of {d} card recipients shared",
    "amplification": "{n} clicks from {d} shares",
    "conversion": "{n} signups and demo requests from {d} clicks",
    "viral_coefficient": "{n} new users from {d} advocates who shared",
}


def stage_sentence(stage: Stage) -> str:
    """What a stage's ratio counts, in words (``4 of 10 active users hit a milestone``)."""
    return _SENTENCES[stage.key].format(n=_count(stage.numerator), d=_count(stage.denominator))


def _count(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def stage_scale(stage: Stage, values: list[float | None] | None = None) -> float:
    """The value at the right end of a stage's track: room for the benchmark and the data."""
    top = stage.benchmark.high or stage.benchmark.low
    seen = [v for v in (values or [stage.value]) if v is not None]
    biggest = max(seen, default=0.0)
    if stage.unit == "percent":
        return max(biggest, min(1.0, 2.0 * top))
    return max(biggest * 1.05, 2.0 * top)


def money(value: float | None, currency: str) -> str:
    return NO_DATA if value is None else f"{value:,.0f} {currency}"


def paint_funnel(painter: QPainter, rect: QRectF, funnel: Funnel, palette: QPalette) -> None:
    """The funnel of one period: one row per stage with its benchmark band and verdict,
    then pipeline and activation cost against CAC."""
    text = palette.color(QPalette.ColorRole.WindowText)
    muted = QColor(text)
    muted.setAlpha(150)
    track = palette.color(QPalette.ColorRole.Mid)
    track.setAlpha(70)
    base = QFont(painter.font())

    title = QFont(base)
    title.setPointSizeF(base.pointSizeF() * 1.35)
    title.setBold(True)
    painter.setFont(title)
    painter.setPen(text)
    header = QRectF(rect.left(), rect.top(), rect.width(), 34)
    painter.drawText(
        header,
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        f"Funnel, {period_title(funnel.period)}",
    )
    small = QFont(base)
    small.setPointSizeF(base.pointSizeF() * 0.9)
    painter.setFont(small)
    painter.setPen(muted)
    painter.drawText(
        header,
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        f"{funnel.period.start:%d %b %Y} to {funnel.period.end:%d %b %Y}",
    )

    footer_height = 58
    stages = [*funnel.stages, funnel.viral_coefficient]
    body = QRectF(
        rect.left(),
        header.bottom() + 6,
        rect.width(),
        rect.height() - header.height() - 6 - footer_height,
    )
    row_height = body.height() / len(stages)
    label_width = max(220.0, rect.width() * 0.31)
    value_width = max(190.0, rect.width() * 0.2)
    bold = QFont(base)
    bold.setBold(True)
    big = QFont(base)
    big.setPointSizeF(base.pointSizeF() * 1.25)
    big.setBold(True)

    for n, stage in enumerate(stages):
        top = body.top() + n * row_height
        if n == len(stages) - 1:
            painter.setPen(QPen(track, 1))
            painter.drawLine(int(rect.left()), int(top), int(rect.right()), int(top))
        label = QRectF(rect.left(), top + 4, label_width - 12, row_height / 2 - 2)
        painter.setFont(bold)
        painter.setPen(text)
        painter.drawText(
            label, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, stage.label
        )
        painter.setFont(small)
        painter.setPen(muted)
        sentence = QRectF(
            rect.left(), top + row_height / 2 + 2, label_width - 12, row_height / 2 - 6
        )
        painter.drawText(
            sentence,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
            stage_sentence(stage),
        )

        bar_area = QRectF(
            rect.left() + label_width,
            top + row_height * 0.28,
            rect.width() - label_width - value_width - 12,
            row_height * 0.44,
        )
        _paint_bullet(painter, bar_area, stage, stage_scale(stage), track, muted, small)

        value_rect = QRectF(bar_area.right() + 12, top + 4, value_width, row_height / 2 - 2)
        painter.setFont(big)
        painter.setPen(VERDICT_COLOURS[stage.verdict] if stage.value is None else text)
        painter.drawText(
            value_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, stage.display
        )
        painter.setFont(small)
        painter.setPen(VERDICT_COLOURS[stage.verdict])
        verdict = QRectF(
            value_rect.left(), top + row_height / 2 + 2, value_width, row_height / 2 - 6
        )
        painter.drawText(
            verdict,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            painter.fontMetrics().elidedText(
                f"{stage.verdict} · benchmark {stage.benchmark_display}",
                Qt.TextElideMode.ElideRight,
                int(verdict.width()),
            ),
        )

    footer = QRectF(
        rect.left(), rect.bottom() - footer_height + 8, rect.width(), footer_height - 8
    )
    painter.setPen(QPen(track, 1))
    painter.drawLine(
        int(footer.left()), int(footer.top() - 4), int(footer.right()), int(footer.top() - 4)
    )
    painter.setFont(bold)
    painter.setPen(text)
    pipeline = (
        f"Referral-attributed pipeline: {money(funnel.pipeline, funnel.currency)} "
        f"({funnel.deals} deal{'s' if funnel.deals != 1 else ''})"
    )
    painter.drawText(
        QRectF(footer.left(), footer.top(), footer.width(), footer.height() / 2),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        pipeline,
    )
    painter.setFont(base)
    cost = (
        f"Advocate activation cost: {money(funnel.activation_cost, funnel.currency)} "
        f"({funnel.new_advocates} new advocates)   CAC: "
        f"{money(funnel.cac, funnel.currency) if funnel.cac is not None else 'not entered'}"
    )
    painter.drawText(
        QRectF(
            footer.left(), footer.top() + footer.height() / 2, footer.width(), footer.height() / 2
        ),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        cost,
    )
    verdict_colour = {
        "cheaper than CAC": VERDICT_COLOURS["on target"],
        "dearer than CAC": VERDICT_COLOURS["below"],
    }.get(funnel.cost_verdict, VERDICT_COLOURS[NO_DATA])
    painter.setFont(bold)
    painter.setPen(verdict_colour)
    painter.drawText(
        QRectF(
            footer.left(), footer.top() + footer.height() / 2, footer.width(), footer.height() / 2
        ),
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        funnel.cost_verdict,
    )
    painter.setFont(base)


def _paint_bullet(
    painter: QPainter,
    area: QRectF,
    stage: Stage,
    scale: float,
    track: QColor,
    muted: QColor,
    font: QFont,
) -> None:
    """A track from 0 to ``scale``, the benchmark band, the value bar and the scale's end."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(track)
    painter.drawRoundedRect(area, 4, 4)

    def x_of(value: float) -> float:
        return area.left() + area.width() * min(value, scale) / scale if scale else area.left()

    low, high = stage.benchmark.low, stage.benchmark.high
    band = QRectF(x_of(low), area.top(), x_of(high if high else scale) - x_of(low), area.height())
    painter.setBrush(BAND_COLOUR)
    painter.drawRect(band)
    painter.setPen(QPen(VERDICT_COLOURS["on target"], 1.5, Qt.PenStyle.DashLine))
    painter.drawLine(int(x_of(low)), int(area.top() - 3), int(x_of(low)), int(area.bottom() + 3))

    if stage.value is not None:
        inner = area.adjusted(0, area.height() * 0.22, 0, -area.height() * 0.22)
        width = max(2.0, x_of(stage.value) - area.left())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(VERDICT_COLOURS[stage.verdict])
        painter.drawRoundedRect(QRectF(inner.left(), inner.top(), width, inner.height()), 3, 3)
    else:
        painter.setFont(font)
        painter.setPen(muted)
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "no data")

    painter.setFont(font)
    painter.setPen(muted)
    end = {"percent": f"{scale:.0%}", "times": f"{scale:,.0f}x"}.get(stage.unit, f"{scale:g}")
    painter.drawText(
        QRectF(area.right() - 80, area.bottom() + 1, 80, 16),
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
        end,
    )
    painter.setBrush(Qt.BrushStyle.NoBrush)


def paint_trend(painter: QPainter, rect: QRectF, trend: list[Funnel], palette: QPalette) -> None:
    """One small chart per stage: a bar per month against the benchmark band; months with
    nothing to divide by are marked "no data" instead of a zero bar."""
    if not trend:
        return
    text = palette.color(QPalette.ColorRole.WindowText)
    muted = QColor(text)
    muted.setAlpha(150)
    track = palette.color(QPalette.ColorRole.Mid)
    track.setAlpha(60)
    base = QFont(painter.font())
    small = QFont(base)
    small.setPointSizeF(base.pointSizeF() * 0.85)
    bold = QFont(base)
    bold.setBold(True)

    keys = [s.key for s in [*trend[0].stages, trend[0].viral_coefficient]]
    columns, rows = 3, 2
    cell_w, cell_h = rect.width() / columns, rect.height() / rows
    for index, key in enumerate(keys):
        cell = QRectF(
            rect.left() + (index % columns) * cell_w,
            rect.top() + (index // columns) * cell_h,
            cell_w,
            cell_h,
        )
        cell = cell.adjusted(8, 6, -8, -6)
        stages = [next(s for s in [*f.stages, f.viral_coefficient] if s.key == key) for f in trend]
        latest = stages[-1]
        painter.setFont(bold)
        painter.setPen(text)
        painter.drawText(
            QRectF(cell.left(), cell.top(), cell.width(), 20),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            latest.label,
        )
        painter.setFont(small)
        painter.setPen(muted)
        painter.drawText(
            QRectF(cell.left(), cell.top(), cell.width(), 20),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            f"benchmark {latest.benchmark_display}",
        )

        plot = QRectF(cell.left(), cell.top() + 24, cell.width(), cell.height() - 24 - 18)
        scale = stage_scale(latest, [s.value for s in stages])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(track)
        painter.drawRect(plot)

        def y_of(value: float, plot=plot, scale=scale) -> float:
            return plot.bottom() - plot.height() * min(value, scale) / scale

        low, high = latest.benchmark.low, latest.benchmark.high
        painter.setBrush(BAND_COLOUR)
        painter.drawRect(
            QRectF(
                plot.left(),
                y_of(high if high else scale),
                plot.width(),
                y_of(low) - y_of(high if high else scale),
            )
        )
        slot = plot.width() / len(stages)
        for n, (stage, funnel) in enumerate(zip(stages, trend, strict=True)):
            x = plot.left() + n * slot
            label_rect = QRectF(x, plot.bottom() + 2, slot, 16)
            painter.setPen(muted)
            painter.setFont(small)
            painter.drawText(
                label_rect,
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                f"{funnel.period.start:%b}",
            )
            if stage.value is None:
                painter.drawText(
                    QRectF(x, plot.bottom() - 18, slot, 16),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                    "–",
                )
                continue
            top = y_of(stage.value)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(VERDICT_COLOURS[stage.verdict])
            painter.drawRect(QRectF(x + slot * 0.2, top, slot * 0.6, plot.bottom() - top))
        painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setFont(base)


class FunnelChart(QWidget):
    """The funnel of the chosen period, drawn to fit the widget."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.funnel: Funnel | None = None
        self.setObjectName("funnel_chart")
        self.setAccessibleName("Funnel chart")
        self.setMinimumSize(640, 380)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_funnel(self, funnel: Funnel | None) -> None:
        self.funnel = funnel
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(900, 460)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.funnel is not None:
            paint_funnel(
                painter, QRectF(self.rect()).adjusted(16, 8, -16, -8), self.funnel, self.palette()
            )
        painter.end()


class TrendChart(QWidget):
    """The stages month by month, one small chart each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trend: list[Funnel] = []
        self.setObjectName("trend_chart")
        self.setAccessibleName("Trend by month")
        self.setMinimumSize(600, 300)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_trend(self, trend: list[Funnel]) -> None:
        self.trend = trend
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(900, 360)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_trend(
            painter, QRectF(self.rect()).adjusted(8, 8, -8, -8), self.trend, self.palette()
        )
        painter.end()


def render_funnel_image(
    funnel: Funnel, trend: list[Funnel], palette: QPalette, *, width: int = 1400
) -> QImage:
    """The funnel above its trend, as an image for the PNG export (2x for sharpness)."""
    scale = 2
    funnel_height, trend_height = 560, 420
    image = QImage(
        width * scale, (funnel_height + trend_height) * scale, QImage.Format.Format_ARGB32
    )
    image.setDevicePixelRatio(scale)
    image.fill(palette.color(QPalette.ColorRole.Window))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    paint_funnel(painter, QRectF(24, 16, width - 48, funnel_height - 24), funnel, palette)
    paint_trend(
        painter, QRectF(16, funnel_height + 8, width - 32, trend_height - 24), trend, palette
    )
    painter.end()
    return image


class LoopPage(Page):
    """The Loop screen: funnel, trend, milestones, advocates and unmatched signups.

    Everything is loaded in one read task (:func:`~plm_desktop.loop.overview.loop_overview`)
    and every change (import, ask, answer, outcome, attribution, program settings) is a
    write task that reloads the page and tells the others. On the sample data (demo), the
    first load adds the sample's advocate program (signups, cards, posts, asks) when the
    demo database has none.

    Signals:
        message(str): what the last action did or why it was refused (tests read it).
    """

    message = Signal(str)

    topics = frozenset({TOPIC_SIGNUPS, TOPIC_USAGE, TOPIC_OUTBOX, TOPIC_SCORING, TOPIC_SETTINGS})

    def __init__(self, ctx: AppContext, nav: Navigator, parent: QWidget | None = None) -> None:
        super().__init__(ctx, nav, parent)
        self.setObjectName("loop_page")
        self.overview = None
        self.period = None
        self.selected_advocate: str | None = None
        self._cooldown_ask: tuple[str, str] | None = None
        self._build()

    # -- building ---------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 12, 12, 12)

        bar = QHBoxLayout()
        heading = QLabel("<b>Loop</b>: who brought whom, and whether the program pays")
        bar.addWidget(heading)
        bar.addStretch(1)
        bar.addWidget(QLabel("Period:"))
        self.period_combo = QComboBox(objectName="period_combo")
        self.period_combo.setAccessibleName("Period")
        self.period_combo.setMinimumWidth(150)
        self.period_combo.activated.connect(self._period_chosen)
        bar.addWidget(self.period_combo)
        self.import_button = QPushButton("Import signups…", objectName="import_signups_button")
        self.import_button.clicked.connect(self._choose_signups_files)
        self.png_button = QPushButton("Export PNG…", objectName="export_png_button")
        self.png_button.clicked.connect(self._choose_png)
        self.csv_button = QPushButton("Export CSV…", objectName="export_csv_button")
        self.csv_button.clicked.connect(self._choose_csv)
        for button in (self.import_button, self.png_button, self.csv_button):
            bar.addWidget(button)
        outer.addLayout(bar)

        self.status_label = QLabel("", objectName="loop_status")
        self.status_label.setWordWrap(True)
        outer.addWidget(self.status_label)

        self.tabs = QTabWidget(objectName="loop_tabs")
        outer.addWidget(self.tabs, 1)
        self.tabs.addTab(self._build_funnel_tab(), "Funnel")
        self.tabs.addTab(self._build_trend_tab(), "Trend by month")
        self.tabs.addTab(self._build_advocates_tab(), "Advocates")
        self.tabs.addTab(self._build_signups_tab(), "Unmatched signups")

    def _build_funnel_tab(self) -> QWidget:
        tab = QWidget()
        layout = QHBoxLayout(tab)
        self.funnel_chart = FunnelChart()
        layout.addWidget(self.funnel_chart, 3)

        side = QVBoxLayout()
        side.addWidget(QLabel("<b>Which milestones lead to shares</b>"))
        self.milestone_table = _table(
            "milestone_table", ["Milestone", "Reached", "Cards", "Shared", "Rate", "Advice"]
        )
        side.addWidget(self.milestone_table, 1)

        program = QGroupBox("Program numbers")
        form = QFormLayout(program)
        self.cost_spin = _money_spin("monthly_cost_spin", "Program cost per month")
        self.cac_spin = _money_spin("cac_spin", "Customer acquisition cost")
        self.review_edit = QLineEdit(objectName="review_url_edit")
        self.review_edit.setPlaceholderText("https://www.g2.com/products/…/take_survey")
        self.review_edit.setAccessibleName("Review page")
        form.addRow("Program cost per month", self.cost_spin)
        form.addRow("CAC (other channels)", self.cac_spin)
        form.addRow("Review page", self.review_edit)
        save = QPushButton("Save", objectName="save_program_button")
        save.clicked.connect(self._save_program)
        form.addRow("", save)
        side.addWidget(program)
        self.notes_label = QLabel("", objectName="funnel_notes")
        self.notes_label.setWordWrap(True)
        side.addWidget(self.notes_label)
        layout.addLayout(side, 2)
        return tab

    def _build_trend_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.trend_chart = TrendChart()
        layout.addWidget(self.trend_chart)
        return tab

    def _build_advocates_tab(self) -> QWidget:
        tab = QWidget()
        layout = QHBoxLayout(tab)
        self.advocate_table = _table(
            "advocate_table",
            [
                "Advocate",
                "Stage",
                "Next ask",
                "Posts",
                "Clicks",
                "Signups",
                "Demos",
                "Pipeline",
            ],
        )
        self.advocate_table.itemSelectionChanged.connect(self._advocate_selected)
        layout.addWidget(self.advocate_table, 3)

        detail = QVBoxLayout()
        self.advocate_label = QLabel("Pick an advocate", objectName="advocate_label")
        self.advocate_label.setWordWrap(True)
        detail.addWidget(self.advocate_label)

        ask_box = QGroupBox("Ask")
        ask = QVBoxLayout(ask_box)
        row = QHBoxLayout()
        self.ask_combo = QComboBox(objectName="ask_combo")
        self.ask_combo.setAccessibleName("Ask for")
        for kind in LADDER:
            self.ask_combo.addItem(ASK_LABELS[kind], kind)
        self.ask_combo.currentIndexChanged.connect(self._fill_ask_message)
        row.addWidget(self.ask_combo, 1)
        self.ask_button = QPushButton("Record ask", objectName="record_ask_button")
        self.ask_button.clicked.connect(lambda: self.record_ask())
        row.addWidget(self.ask_button)
        ask.addLayout(row)
        self.ask_message = QPlainTextEdit(objectName="ask_message")
        self.ask_message.setAccessibleName("Ask message")
        self.ask_message.setMaximumHeight(90)
        ask.addWidget(self.ask_message)
        warn = QHBoxLayout()
        self.cooldown_label = QLabel("", objectName="cooldown_label")
        self.cooldown_label.setWordWrap(True)
        self.cooldown_label.setStyleSheet("color: #b45309;")
        warn.addWidget(self.cooldown_label, 1)
        self.ask_anyway_button = QPushButton("Ask anyway", objectName="ask_anyway_button")
        self.ask_anyway_button.clicked.connect(lambda: self.record_ask(override=True))
        warn.addWidget(self.ask_anyway_button)
        ask.addLayout(warn)
        answers = QHBoxLayout()
        answers.addWidget(QLabel("Answer:"))
        self.answer_buttons = {}
        for answer, label in (("yes", "Yes"), ("no", "No"), ("no_reply", "No reply")):
            button = QPushButton(label, objectName=f"answer_{answer}_button")
            button.clicked.connect(lambda _=False, a=answer: self.record_answer(a))
            answers.addWidget(button)
            self.answer_buttons[answer] = button
        answers.addStretch(1)
        ask.addLayout(answers)
        detail.addWidget(ask_box)

        outcome_box = QGroupBox("Record what their share achieved")
        outcome = QFormLayout(outcome_box)
        self.outcome_combo = QComboBox(objectName="outcome_combo")
        self.outcome_combo.setAccessibleName("Outcome")
        for kind, label in OUTCOME_LABELS.items():
            self.outcome_combo.addItem(label, kind)
        self.outcome_combo.currentIndexChanged.connect(self._outcome_kind_changed)
        self.outcome_date = QDateEdit(objectName="outcome_date")
        self.outcome_date.setCalendarPopup(True)
        self.outcome_date.setDisplayFormat("yyyy-MM-dd")
        self.outcome_date.setDate(QDate.currentDate())
        self.outcome_amount = QSpinBox(objectName="outcome_amount")
        self.outcome_amount.setRange(0, 100_000_000)
        self.outcome_amount.setValue(1)
        self.outcome_url = QLineEdit(objectName="outcome_url")
        self.outcome_url.setPlaceholderText("https://www.linkedin.com/posts/…")
        self.outcome_value = _money_spin("outcome_value", "Pipeline value")
        outcome.addRow("What", self.outcome_combo)
        outcome.addRow("When", self.outcome_date)
        outcome.addRow("How many", self.outcome_amount)
        outcome.addRow("Post URL", self.outcome_url)
        outcome.addRow("Pipeline value", self.outcome_value)
        self.outcome_button = QPushButton("Record", objectName="record_outcome_button")
        self.outcome_button.clicked.connect(self.record_outcome)
        outcome.addRow("", self.outcome_button)
        detail.addWidget(outcome_box)

        report_box = QGroupBox("Report back")
        report = QVBoxLayout(report_box)
        self.report_text = QPlainTextEdit(objectName="report_text")
        self.report_text.setAccessibleName("Report-back message")
        self.report_text.setMaximumHeight(80)
        report.addWidget(self.report_text)
        buttons = QHBoxLayout()
        self.copy_report_button = QPushButton("Copy", objectName="copy_report_button")
        self.copy_report_button.clicked.connect(self._copy_report)
        self.send_report_button = QPushButton("Send by Slack DM", objectName="send_report_button")
        self.send_report_button.clicked.connect(self.send_report)
        buttons.addStretch(1)
        buttons.addWidget(self.copy_report_button)
        buttons.addWidget(self.send_report_button)
        report.addLayout(buttons)
        detail.addWidget(report_box)
        detail.addStretch(1)
        layout.addLayout(detail, 2)
        self._outcome_kind_changed()
        self._show_advocate(None)
        return tab

    def _build_signups_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(
            QLabel(
                "Signups no referral code matched. Select some and credit the advocate you know "
                "brought them."
            )
        )
        self.signup_table = _table(
            "signup_table", ["Signed up", "Email or id", "Kind", "Code", "Landing page"]
        )
        self.signup_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        layout.addWidget(self.signup_table, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Credit to:"))
        self.credit_combo = QComboBox(objectName="credit_combo")
        self.credit_combo.setAccessibleName("Advocate to credit")
        self.credit_combo.setMinimumWidth(240)
        row.addWidget(self.credit_combo)
        self.credit_button = QPushButton("Attribute", objectName="attribute_button")
        self.credit_button.clicked.connect(self.attribute_selected)
        row.addWidget(self.credit_button)
        row.addStretch(1)
        layout.addLayout(row)
        return tab

    # -- loading ----------------------------------------------------------------------

    def reload(self) -> None:
        period = self.period

        demo = self.ctx.demo

        def link(control):
            from plm_desktop.loop.attribution import link_signups_to_users
            from plm_desktop.loop.sample import ensure_sample_loop

            # The sample data comes with a program that has been running for a while.
            if demo and ensure_sample_loop(control.db):
                log.info("added the loop sample to the demo database")
            # Referred people who appeared in a usage import since the last look.
            return link_signups_to_users(control.db)

        def load(control):
            from plm_desktop.loop.overview import loop_overview

            return loop_overview(control.db, period)

        def read(_linked=None) -> None:
            self.ctx.tasks.read(
                load,
                title="Loading the loop",
                on_result=self._show,
                on_error=lambda e: self.ctx.errors.report("Could not load the loop.", e),
            )

        self.ctx.tasks.write(
            link,
            title="Linking signups to users",
            on_result=read,
            on_error=lambda e: self.ctx.errors.report("Could not link signups to users.", e),
        )

    def _show(self, overview) -> None:
        self.overview = overview
        self.period = overview.period
        self.period_combo.blockSignals(True)
        self.period_combo.clear()
        for period in overview.periods:
            self.period_combo.addItem(period_title(period), period.label)
        self.period_combo.setCurrentIndex(self.period_combo.findData(overview.period.label))
        self.period_combo.blockSignals(False)

        self.funnel_chart.set_funnel(overview.funnel)
        self.trend_chart.set_trend(overview.trend)
        self._fill_milestones(overview.funnel)
        self.notes_label.setText("\n".join(overview.funnel.notes))
        program = overview.program
        self.cost_spin.setValue(program.monthly_cost or 0.0)
        self.cac_spin.setValue(program.cac or 0.0)
        self.review_edit.setText(program.review_url or "")
        self.review_edit.setCursorPosition(0)
        self._fill_advocates(overview.advocates)
        self._fill_signups(overview.unattributed, overview.advocates)
        self.loaded.emit()

    def _fill_milestones(self, funnel) -> None:
        table = self.milestone_table
        table.setRowCount(len(funnel.milestones))
        for r, m in enumerate(funnel.milestones):
            rate = "no data" if m.share_rate is None else f"{m.share_rate * 100:.0f} %"
            cells = [m.kind, m.milestone_users, m.cards_sent, m.shared, rate, m.advice]
            for c, value in enumerate(cells):
                table.setItem(r, c, _item(value))
        if not funnel.milestones:
            table.setRowCount(1)
            table.setItem(0, 0, _item("No milestones or cards in this period"))

    def _fill_advocates(self, advocates) -> None:
        table = self.advocate_table
        keep = self.selected_advocate
        table.blockSignals(True)
        table.setRowCount(len(advocates))
        for r, a in enumerate(advocates):
            stage = RUNG_NAMES[a.ladder.stage] if a.ladder.stage else "not asked yet"
            next_ask = next_ask_text(a.ladder)
            cells = [
                a.display_name,
                stage,
                next_ask,
                a.totals.posts,
                f"{a.totals.clicks:,}",
                a.signups,
                a.demos + a.totals.demo_requests,
                f"{a.totals.pipeline:,.0f}",
            ]
            for c, value in enumerate(cells):
                item = _item(value)
                item.setData(Qt.ItemDataRole.UserRole, a.user_id)
                table.setItem(r, c, item)
        rows = {a.user_id: r for r, a in enumerate(advocates)}
        if keep in rows:
            table.selectRow(rows[keep])
        else:
            table.clearSelection()
        table.blockSignals(False)
        self._show_advocate(keep if keep in rows else None)

    def _fill_signups(self, unattributed, advocates) -> None:
        table = self.signup_table
        table.setRowCount(len(unattributed))
        for r, s in enumerate(unattributed):
            cells = [
                s.signed_up_on.isoformat(),
                s.email or s.external_id,
                s.kind,
                s.referral_code or "",
                s.landing_url or "",
            ]
            for c, value in enumerate(cells):
                item = _item(value)
                item.setData(Qt.ItemDataRole.UserRole, s.signup_id)
                table.setItem(r, c, item)
        self.credit_combo.clear()
        for a in advocates:
            self.credit_combo.addItem(f"{a.display_name} ({a.user_id})", a.user_id)
        self.tabs.setTabText(3, f"Unmatched signups ({len(unattributed)})")

    # -- advocates --------------------------------------------------------------------

    def advocate_row(self, user_id: str):
        for a in self.overview.advocates if self.overview else []:
            if a.user_id == user_id:
                return a
        return None

    def select_advocate(self, user_id: str) -> None:
        """Select an advocate in the table (as a click would)."""
        for r in range(self.advocate_table.rowCount()):
            if self.advocate_table.item(r, 0).data(Qt.ItemDataRole.UserRole) == user_id:
                self.tabs.setCurrentIndex(2)
                self.advocate_table.selectRow(r)
                return
        raise KeyError(f"{user_id} is not on the advocate list")

    def _advocate_selected(self) -> None:
        items = self.advocate_table.selectedItems()
        user_id = items[0].data(Qt.ItemDataRole.UserRole) if items else None
        self._show_advocate(user_id)

    def _show_advocate(self, user_id: str | None) -> None:
        self.selected_advocate = user_id
        self._cooldown_ask = None
        self.cooldown_label.setText("")
        self.ask_anyway_button.hide()
        row = self.advocate_row(user_id) if user_id else None
        enabled = row is not None
        for widget in (
            self.ask_button,
            self.outcome_button,
            self.ask_combo,
            self.copy_report_button,
            self.send_report_button,
        ):
            widget.setEnabled(enabled)
        for button in self.answer_buttons.values():
            button.setEnabled(enabled and row.ladder.pending is not None)
        if row is None:
            self.advocate_label.setText(
                "Pick an advocate to see their ladder and record asks and outcomes."
            )
            self.ask_message.setPlainText("")
            self.report_text.setPlainText("")
            return
        ladder = row.ladder
        code = f", code {row.code}" if row.code else ""
        self.advocate_label.setText(
            f"<b>{row.display_name}</b> ({row.user_id}{code})<br>"
            f"Ladder: {ladder.stage_number} of {len(LADDER)} rungs. {ladder.reason}<br>"
            f"Brought {row.signups} signups ({row.active_signups} now using the product) and "
            f"{row.demos + row.totals.demo_requests} demo requests."
        )
        suggested = ladder.next_ask or (ladder.pending.kind if ladder.pending else None)
        suggested = suggested or ladder.stage or LADDER[0]
        self.ask_combo.setCurrentIndex(self.ask_combo.findData(suggested))
        self._fill_ask_message()
        self._fill_report(user_id)

    def _fill_ask_message(self) -> None:
        user_id, kind = self.selected_advocate, self.ask_combo.currentData()
        if not user_id or not kind:
            return

        def load(control):
            from plm_desktop.loop.advocates import ask_context
            from plm_desktop.loop.ladder import AskMessageIncomplete, ask_message

            context = ask_context(control.db, user_id)
            try:
                return ask_message(kind, context)
            except AskMessageIncomplete as exc:
                hints = {
                    "link": "a share link (set the signup page in Settings and share a card "
                    "first, which gives them a referral code)",
                    "review_url": "the review page (Program numbers, on the Funnel tab)",
                    "first_name": "their name (add a name column to the usage export)",
                }
                return (
                    "Cannot fill this message yet; it needs "
                    + "; ".join(hints.get(name, name) for name in exc.missing)
                    + "."
                )

        self.ctx.tasks.read(
            load,
            title="Filling the ask",
            on_result=self.ask_message.setPlainText,
            on_error=lambda e: self.ctx.errors.report("Could not fill the ask.", e),
        )

    def _fill_report(self, user_id: str) -> None:
        def load(control):
            from plm_desktop.loop.advocates import product_name
            from plm_desktop.loop.report import NothingToReport, report_back

            try:
                return report_back(control.db, user_id, product=product_name(control.db)).text
            except NothingToReport:
                return ""

        def show(text: str) -> None:
            self.report_text.setPlainText(text)
            self.report_text.setPlaceholderText(
                "Nothing attributed to this advocate yet: no report to send."
            )
            self.send_report_button.setEnabled(bool(text))
            self.copy_report_button.setEnabled(bool(text))

        self.ctx.tasks.read(
            load,
            title="Filling the report-back",
            on_result=show,
            on_error=lambda e: self.ctx.errors.report("Could not fill the report-back.", e),
        )

    def record_ask(self, *, override: bool = False) -> None:
        """Record the chosen ask for the selected advocate; inside the cool-down this
        shows a warning and waits for "Ask anyway"."""
        user_id, kind = self.selected_advocate, self.ask_combo.currentData()
        if not user_id:
            return
        if override and self._cooldown_ask != (user_id, kind):
            return

        def write(control):
            from plm_desktop.loop.ladder import record_ask

            return record_ask(control.db, user_id, kind, override_cooldown=override)

        def refused(exc: BaseException) -> None:
            from plm_desktop.loop.ladder import CooldownActive

            if isinstance(exc, CooldownActive):
                self._cooldown_ask = (user_id, kind)
                self.cooldown_label.setText(f"Cool-down: {exc}")
                self.ask_anyway_button.show()
                self.message.emit(str(exc))
                return
            self.ctx.errors.report("Could not record the ask.", exc)

        self.ctx.tasks.write(
            write,
            title="Recording the ask",
            on_result=lambda ask: self._changed(
                f"Recorded: asked {user_id} to {ASK_PHRASES[ask.kind]}"
                + (" (inside the cool-down, on purpose)" if ask.cooldown_overridden else "")
            ),
            on_error=refused,
        )

    def record_answer(self, answer: str) -> None:
        """Record the selected advocate's answer to their pending ask."""
        row = self.advocate_row(self.selected_advocate or "")
        if row is None or row.ladder.pending is None:
            return
        ask_id = row.ladder.pending.ask_id

        def write(control):
            from plm_desktop.loop.ladder import record_answer

            return record_answer(control.db, ask_id, answer)

        self.ctx.tasks.write(
            write,
            title="Recording the answer",
            on_result=lambda ask: self._changed(
                f"Recorded: {row.display_name} answered {answer.replace('_', ' ')}"
            ),
            on_error=lambda e: self.ctx.errors.report("Could not record the answer.", e),
        )

    def _outcome_kind_changed(self) -> None:
        kind = self.outcome_combo.currentData()
        self.outcome_url.setEnabled(kind == "posted")
        self.outcome_value.setEnabled(kind == "deal")
        self.outcome_amount.setEnabled(kind in ("impressions", "clicks", "demo_requests"))
        if kind in ("posted", "deal"):
            self.outcome_amount.setValue(1)

    def record_outcome(self) -> None:
        """Record the outcome in the form for the selected advocate."""
        user_id = self.selected_advocate
        if not user_id:
            return
        kind = self.outcome_combo.currentData()
        day = self.outcome_date.date().toPython()
        amount = self.outcome_amount.value()
        url = self.outcome_url.text().strip() or None if kind == "posted" else None
        value = self.outcome_value.value() if kind == "deal" else None

        def write(control):
            from plm_desktop.loop.outcomes import record_outcome

            return record_outcome(
                control.db,
                user_id,
                kind,
                occurred_on=day,
                amount=amount,
                url=url,
                pipeline_value=value,
            )

        def done(outcome) -> None:
            self.outcome_url.clear()
            self._changed(f"Recorded {OUTCOME_LABELS[kind].lower()} for {user_id} on {day}")

        self.ctx.tasks.write(
            write,
            title="Recording the outcome",
            on_result=done,
            on_error=lambda e: self._refused("Could not record the outcome", e),
        )

    def _copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.report_text.toPlainText())
        self.message.emit("Report-back copied")

    def send_report(self) -> None:
        """Send the report-back text as a Slack DM through the outbox."""
        user_id = self.selected_advocate
        text = self.report_text.toPlainText().strip()
        if not user_id or not text:
            return

        def write(control):
            from plm_desktop.loop.report import send_report_back
            from plm_desktop.sharing.send import slack_client

            slack = slack_client(control.db)
            return send_report_back(control.db, user_id, text=text, slack=slack)

        def done(result) -> None:
            self.ctx.announce(TOPIC_OUTBOX)
            self._changed(f"Report-back sent to {user_id} on Slack")

        self.ctx.tasks.write(
            write,
            title="Sending the report-back",
            on_result=done,
            on_error=lambda e: self._refused("Report-back not sent", e),
        )

    # -- signups ----------------------------------------------------------------------

    def import_signups(self, paths: list[Path]) -> None:
        """Import signups exports (one write task); the result or the located problems
        are shown on the page."""
        files = [Path(p) for p in paths]

        def write(control):
            from plm_desktop.importer.errors import ImportRejected
            from plm_desktop.loop.signups import import_signups_file

            lines = []
            for path in files:
                try:
                    result = import_signups_file(
                        control.db, path, progress=control.progress, cancel=control.cancelled
                    )
                except ImportRejected as exc:
                    lines.append(str(exc))
                    continue
                if result.already_imported:
                    lines.append(f"{result.file}: already imported, nothing changed")
                else:
                    lines.append(
                        f"{result.file}: {result.rows} signups, {result.attributed} attributed "
                        f"to advocates, {result.unattributed} unmatched"
                    )
            return "\n".join(lines)

        self.ctx.tasks.write(
            write,
            title="Importing signups",
            on_result=lambda text: self._changed(text),
            on_error=lambda e: self._refused("Signups not imported", e),
        )

    def attribute_selected(self) -> None:
        """Credit the selected unmatched signups to the advocate chosen in the combo."""
        advocate = self.credit_combo.currentData()
        rows = sorted({i.row() for i in self.signup_table.selectedItems()})
        ids = [self.signup_table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]
        if not advocate or not ids:
            self.message.emit("Select signups and an advocate first")
            return

        def write(control):
            from plm_desktop.loop.attribution import attribute_by_hand

            for signup_id in ids:
                attribute_by_hand(control.db, signup_id, advocate)
            return len(ids)

        self.ctx.tasks.write(
            write,
            title="Attributing signups",
            on_result=lambda n: self._changed(f"Credited {n} signups to {advocate}"),
            on_error=lambda e: self._refused("Could not attribute", e),
        )

    # -- program and exports ----------------------------------------------------------

    def _save_program(self) -> None:
        cost, cac = self.cost_spin.value() or None, self.cac_spin.value() or None
        review = self.review_edit.text().strip() or None

        def write(control):
            from dataclasses import replace

            from plm_desktop.loop.program import ProgramSettings

            program = ProgramSettings.load(control.db)
            replace(program, monthly_cost=cost, cac=cac, review_url=review).save(control.db)

        self.ctx.tasks.write(
            write,
            title="Saving program numbers",
            on_result=lambda _: self._changed("Program numbers saved"),
            on_error=lambda e: self._refused("Could not save the program numbers", e),
        )

    def _period_chosen(self, index: int) -> None:
        from plm_desktop.loop.periods import parse_period

        label = self.period_combo.itemData(index)
        if label:
            self.choose_period(parse_period(label))

    def choose_period(self, period) -> None:
        """Show the funnel of another month or quarter."""
        self.period = period
        self.reload()

    def export_png(self, path: Path) -> Path:
        """Write the funnel and its trend as a PNG (2x) to ``path``."""
        if self.overview is None:
            raise RuntimeError("nothing loaded to export yet")
        image = render_funnel_image(self.overview.funnel, self.overview.trend, self.palette())
        if not image.save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        self.message.emit(f"Funnel saved as {path}")
        return Path(path)

    def export_csv(self, path: Path) -> Path:
        """Write the funnel of the period, then each trend month, as CSV to ``path``."""
        from plm_desktop.loop.export import write_funnel_csv

        if self.overview is None:
            raise RuntimeError("nothing loaded to export yet")
        funnels = [self.overview.funnel] + [
            f for f in self.overview.trend if f.period != self.overview.funnel.period
        ]
        write_funnel_csv(funnels, Path(path))
        self.message.emit(f"Funnel saved as {path}")
        return Path(path)

    def _choose_signups_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, "Import signups exports", "", "CSV files (*.csv *.tsv *.txt);;All files (*)"
        )
        if names:
            self.import_signups([Path(n) for n in names])

    def _choose_png(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export the funnel as PNG", f"funnel-{self._label()}.png", "PNG (*.png)"
        )
        if name:
            self._guarded(self.export_png, Path(name))

    def _choose_csv(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export the funnel as CSV", f"funnel-{self._label()}.csv", "CSV (*.csv)"
        )
        if name:
            self._guarded(self.export_csv, Path(name))

    def _guarded(self, action, path: Path) -> None:
        try:
            action(path)
        except (OSError, RuntimeError) as exc:
            self.ctx.errors.report(f"Could not export to {path}.", exc)

    def _label(self) -> str:
        return self.period.label if self.period else "loop"

    # -- after a change ---------------------------------------------------------------

    def _changed(self, text: str) -> None:
        self.status_label.setText(text)
        self.message.emit(text)
        self.ctx.announce(TOPIC_SIGNUPS)
        self.reload()

    def _refused(self, what: str, exc: BaseException) -> None:
        text = f"{what}: {exc}"
        self.status_label.setText(text)
        self.message.emit(text)
        self.ctx.errors.report(f"{what}.", exc, severe=False)


RUNG_NAMES = {
    "badge_share": "Badge share",
    "review": "Review",
    "case_study": "Case study",
    "referral_program": "Referral program",
}

OUTCOME_LABELS = {
    "posted": "They posted",
    "impressions": "Impressions",
    "clicks": "Clicks",
    "demo_requests": "Demo requests",
    "deal": "Deal",
}


def next_ask_text(ladder) -> str:
    """The advocate table's "Next ask" cell: the rung, or why there is none."""
    if ladder.pending is not None:
        return f"waiting: {RUNG_NAMES[ladder.pending.kind]}"
    if ladder.next_ask is None:
        return "declined" if ladder.stage != LADDER[-1] else "top of the ladder"
    if ladder.in_cooldown:
        return f"{RUNG_NAMES[ladder.next_ask]} (after {ladder.cooldown_until:%d %b})"
    return RUNG_NAMES[ladder.next_ask]


def period_title(period) -> str:
    """``November 2026`` for a month, ``2026-Q4`` for a quarter."""
    return period.label if period.is_quarter else f"{period.start:%B %Y}"


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(objectName=name)
    table.setAccessibleName(name.replace("_", " "))
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _item(value) -> QTableWidgetItem:
    item = QTableWidgetItem(str(value))
    if isinstance(value, int | float):
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _money_spin(name: str, accessible: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(objectName=name)
    spin.setAccessibleName(accessible)
    spin.setRange(0, 1_000_000_000)
    spin.setDecimals(0)
    spin.setSingleStep(100)
    spin.setSpecialValueText("not entered")
    return spin
