"""The leaderboard table: its model, sorting and filtering, and the drawn cells.

The four score parts are drawn as small bars and the last eight weeks as a sparkline;
both cells also carry plain text (tooltips and ``DisplayRole``) so screen readers and
copy-paste get the numbers.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from plm_desktop.gui import theme

COLUMNS = ("#", "Move", "Name", "Company", "Title", "Score", "Parts", "8 weeks", "70+")
COL_RANK, COL_MOVE, COL_NAME, COL_COMPANY, COL_TITLE = range(5)
COL_SCORE, COL_PARTS, COL_TREND, COL_CANDIDATE = range(5, 9)

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
USER_ROLE = Qt.ItemDataRole.UserRole + 2  # the RankedUser of the row
PARTS_ROLE = Qt.ItemDataRole.UserRole + 3  # [(part, points, max)]
TREND_ROLE = Qt.ItemDataRole.UserRole + 4  # [score or None] oldest first

PART_NAMES = ("frequency", "depth", "collaboration", "sentiment")

Index = QModelIndex | QPersistentModelIndex


def movement_text(user: Any) -> str:
    """``▲ 3``, ``▼ 2``, ``new`` or ``–`` for the change of rank since last week."""
    if user.movement == "new" or user.previous_rank is None:
        return "new"
    delta = user.previous_rank - user.rank
    if delta > 0:
        return f"▲ {delta}"
    if delta < 0:
        return f"▼ {-delta}"
    return "–"


def _movement_sort(user: Any) -> int:
    if user.previous_rank is None:
        return 1_000_000
    return user.previous_rank - user.rank


class LeaderboardModel(QAbstractTableModel):
    """Rows of ranked users with their trends; set with :meth:`set_rows`."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._trends: dict[str, list[int | None]] = {}
        self._part_max: dict[str, int] = dict.fromkeys(PART_NAMES, 25)

    def set_rows(
        self, rows: list[Any], trends: dict[str, list[int | None]], part_max: dict[str, int]
    ) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._trends = trends
        self._part_max = part_max
        self.endResetModel()

    def user_at(self, row: int) -> Any:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802 (Qt override)
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        user = self._rows[index.row()]
        column = index.column()
        if role == USER_ROLE:
            return user
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(user, column)
        if role == SORT_ROLE:
            return self._sort_value(user, column)
        if role == PARTS_ROLE and column == COL_PARTS:
            points = user.points.as_dict(extras=False)
            return [(p, points[p], self._part_max.get(p, 25)) for p in PART_NAMES]
        if role == TREND_ROLE and column == COL_TREND:
            return self._trends.get(user.user_id)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(user, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._colour(user, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COL_RANK, COL_SCORE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.AccessibleTextRole and column == COL_CANDIDATE:
            return "advocate candidate" if user.candidate else "not a candidate"
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COL_MOVE, COL_CANDIDATE):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.FontRole and column == COL_SCORE:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return None

    def _display(self, user: Any, column: int) -> str:
        if column == COL_RANK:
            return str(user.rank)
        if column == COL_MOVE:
            return movement_text(user)
        if column == COL_NAME:
            return user.name or user.email or user.user_id
        if column == COL_COMPANY:
            return user.company or ""
        if column == COL_TITLE:
            return user.title or ""
        if column == COL_SCORE:
            return str(user.score)
        if column == COL_PARTS:
            points = user.points.as_dict(extras=False)
            return ", ".join(f"{p} {points[p]}" for p in PART_NAMES)
        if column == COL_TREND:
            trend = self._trends.get(user.user_id) or []
            return " ".join("–" if s is None else str(s) for s in trend)
        if column == COL_CANDIDATE:
            return "★" if user.candidate else ""
        return ""

    def _sort_value(self, user: Any, column: int) -> Any:
        if column == COL_MOVE:
            return _movement_sort(user)
        if column in (COL_RANK, COL_PARTS, COL_TREND):
            return user.rank
        if column == COL_SCORE:
            return user.score
        if column == COL_CANDIDATE:
            return 0 if user.candidate else 1
        return self._display(user, column).casefold()

    def _tooltip(self, user: Any, column: int) -> str | None:
        if column == COL_PARTS:
            points = user.points.as_dict(extras=False)
            return "\n".join(
                f"{p.capitalize()}: {points[p]} of {self._part_max.get(p, 25)}" for p in PART_NAMES
            )
        if column == COL_TREND:
            return "Score over the last 8 weeks: " + self._display(user, column)
        if column == COL_NAME and user.email:
            return user.email
        if column == COL_MOVE and user.previous_rank is not None:
            return f"Rank {user.previous_rank} last week"
        if column == COL_CANDIDATE and user.candidate:
            return "Advocate candidate: score 70 or more"
        return None

    def _colour(self, user: Any, column: int) -> QColor | None:
        if column == COL_MOVE:
            text = movement_text(user)
            if text.startswith("▲"):
                return theme.UP_COLOUR
            if text.startswith("▼"):
                return theme.DOWN_COLOUR
            if text == "new":
                return theme.ACCENT
        if column == COL_CANDIDATE and user.candidate:
            return theme.ACCENT
        return None


class BoardFilter(QSortFilterProxyModel):
    """Sorts by each column's natural value and filters on name, company, title, email."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._needle = ""

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        if not self._needle:
            return True
        user = self.sourceModel().user_at(source_row)
        haystack = " ".join(
            v for v in (user.name, user.company, user.title, user.email, user.user_id) if v
        ).casefold()
        return all(word in haystack for word in self._needle.split())


def _paint_background(painter: QPainter, option: QStyleOptionViewItem) -> None:
    style = option.widget.style() if option.widget is not None else None
    if style is not None:
        style.drawPrimitive(
            QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget
        )


class PartBarsDelegate(QStyledItemDelegate):
    """Draws the four parts as small bars, each filled to its share of the part's maximum."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        self.initStyleOption(option, index)
        _paint_background(painter, option)
        parts = index.data(PARTS_ROLE) or []
        if not parts:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect).adjusted(6, 8, -6, -8)
        gap = 4.0
        width = (rect.width() - gap * (len(parts) - 1)) / len(parts)
        # Text colour, faint: a visible track on light and dark backgrounds alike.
        track = option.palette.color(QPalette.ColorRole.Text)
        track.setAlpha(40)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            track = QColor(255, 255, 255, 90)
        for n, (part, points, maximum) in enumerate(parts):
            bar = QRectF(rect.left() + n * (width + gap), rect.top(), width, rect.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(bar, 2, 2)
            share = 0.0 if not maximum else max(0.0, min(1.0, points / maximum))
            if share > 0:
                filled = QRectF(bar.left(), bar.top(), bar.width() * share, bar.height())
                painter.setBrush(theme.PART_COLOURS.get(part, theme.ACCENT))
                if selected:
                    painter.setPen(QPen(QColor("white"), 1))
                painter.drawRoundedRect(filled, 2, 2)
                painter.setPen(Qt.PenStyle.NoPen)
        painter.restore()


class SparklineDelegate(QStyledItemDelegate):
    """Draws the last weeks' scores as a line on a 0-100 scale; gaps where unranked."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        self.initStyleOption(option, index)
        _paint_background(painter, option)
        scores = index.data(TREND_ROLE) or []
        if not any(s is not None for s in scores):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect).adjusted(6, 6, -8, -6)
        step = rect.width() / max(1, len(scores) - 1)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        colour = (
            option.palette.color(QPalette.ColorRole.HighlightedText) if selected else theme.ACCENT
        )
        pen = QPen(colour, 1.6)
        painter.setPen(pen)
        path = QPainterPath()
        drawing = False
        last = None
        for n, score in enumerate(scores):
            if score is None:
                drawing = False
                continue
            point = QPointF(rect.left() + n * step, rect.bottom() - rect.height() * score / 100)
            if drawing:
                path.lineTo(point)
            else:
                path.moveTo(point)
                drawing = True
            last = point
        painter.drawPath(path)
        if last is not None:
            painter.setBrush(colour)
            painter.drawEllipse(last, 2.4, 2.4)
        painter.restore()
