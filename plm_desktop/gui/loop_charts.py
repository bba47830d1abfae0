"""The Loop screen's charts, painted with QPainter: the funnel against its benchmarks and
the month-by-month trend as small multiples.

Both paint into any rectangle of any painter, so the same drawing fills the widget on
screen and the PNG the founder exports.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from plm_desktop.loop.funnel import NO_DATA, Funnel, Stage

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
    "amplification": "{n} impressions from {d} shares",
    "conversion": "{n} signups and demo requests from {d} impressions",
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
        f"Funnel, {funnel.period.label}",
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
    label_width = max(210.0, rect.width() * 0.30)
    value_width = max(130.0, rect.width() * 0.17)
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
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            painter.fontMetrics().elidedText(
                stage_sentence(stage), Qt.TextElideMode.ElideRight, int(sentence.width())
            ),
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
            f"{stage.verdict} (benchmark {stage.benchmark_display})",
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
