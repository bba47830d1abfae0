"""Checking and converting rows a batch at a time, column by column.

A million-row export has to be validated in about the time SQLite takes to store it, so
the common case runs no Python code per cell: each column of a batch is converted with a
C-speed ``map`` over a :class:`CellCache` (each distinct text is parsed and range-checked
once), and rows are assembled with ``zip``. Only a column holding a bad cell is walked
cell by cell, and that walk produces the located :class:`Problem` for each bad cell.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat

from plm_desktop.importer.errors import Problem
from plm_desktop.importer.mapping import (
    METRIC_RANGES,
    HeaderMapping,
    is_number,
    parse_number,
)
from plm_desktop.importer.sniff import RowBatch
from plm_desktop.importer.weeks import WeekCache

FIELD_LABELS = {
    "active_days": "active days",
    "nps": "NPS",
    "sessions": "sessions",
    "features_used": "features used",
    "invites_sent": "invites sent",
    "tasks_completed": "tasks completed",
    "projects_completed": "projects completed",
    "integrations_connected": "integrations connected",
    "support_tickets": "support tickets",
    "content_views": "content views",
}
PROFILE_FIELDS = ("email", "name", "company", "title")


# Distinct cell texts remembered per column; beyond this they are parsed every time, so a
# column of a million distinct decimals does not hold a million entries in memory.
CELL_CACHE_LIMIT = 20_000
# No one does a billion of anything in a week; larger numbers are export errors (and
# would not fit SQLite's integers beyond 2**63).
MAX_WEEKLY_COUNT = 1_000_000_000


class CellCache(dict):
    """Cell text -> checked value, parsing and range-checking each distinct text once.

    Metric columns repeat a small set of texts (``"0"``, ``"3"``, ``""``), so converting a
    column is a C-speed ``map`` of dict lookups. ``convert`` raises ``ValueError`` with
    the message for the founder when a text is not acceptable.
    """

    def __init__(self, convert: Callable[[str], object]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, text: str) -> object:
        value = self.convert(text)
        if len(self) < CELL_CACHE_LIMIT:
            self[text] = value
        return value


def whole_number(name: str) -> Callable[[str], int | None]:
    """The converter of a metric column: a whole number in the field's range, or blank."""
    low, high = METRIC_RANGES[name]
    label = FIELD_LABELS[name]
    span = f"{low}-{high}" if high is not None else f"{low} or more"

    def convert(text: str) -> int | None:
        number = parse_number(text)
        if number is None:
            return None
        if not is_number(number):
            raise ValueError(f"{text.strip()!r} is not a number ({label})")
        if isinstance(number, float):
            if not number.is_integer():
                raise ValueError(f"{text.strip()!r} is not a whole number ({label})")
            number = int(number)
        if number < low or (high is not None and number > high):
            raise ValueError(f"{text.strip()!r} is out of range: {label} must be {span}")
        if number > MAX_WEEKLY_COUNT:
            raise ValueError(f"{text.strip()!r} is too large for a week's {label}")
        return number

    return convert


def custom_number(text: str) -> str | None:
    """A custom metric cell as JSON number text, None when blank."""
    number = parse_number(text)
    if number is None:
        return None
    if not is_number(number):
        raise ValueError(
            f"{text.strip()!r} is not a number; this unknown column is kept as a custom "
            "metric (map it to 'ignore' to leave it out)"
        )
    return json.dumps(number)


@dataclass
class ValidBatch:
    """One batch's rows, converted and checked, ready to store.

    Attributes:
        batch: the source rows (for line numbers).
        weeks: the ISO Monday of each row.
        user_ids: each row's user id (the lower-cased email when the file has no id).
        metrics: one list per metric column of the plan, in plan order.
        custom: each row's custom metrics as JSON text (None when it has none), or None
            when the file has no custom columns.
        profiles: email, name, company and title of each row, unstripped (blank as "").
    """

    batch: RowBatch
    weeks: Sequence[str]
    user_ids: list[str]
    metrics: list[list[int | None]]
    custom: list[str | None] | None
    profiles: list[Sequence[str]]


@dataclass(frozen=True)
class ImportPlan:
    """How a file's columns become stored values, decided once before reading rows."""

    file: str
    mapping: HeaderMapping
    width: int
    week: str | None
    week_column: int | None
    id_column: int | None
    email_column: int | None
    metric_columns: tuple[tuple[str, int], ...]
    custom_columns: tuple[tuple[str, int], ...]
    profile_columns: tuple[int | None, ...]

    @property
    def metric_fields(self) -> list[str]:
        return [name for name, _ in self.metric_columns]

    def header_of(self, index: int) -> str:
        return self.mapping.columns[index].header or f"column {index + 1}"


class RowValidator:
    """Turns raw batches into :class:`ValidBatch` objects and records the problems.

    Problems are appended to :attr:`problems` up to ``max_problems``; a batch with any
    problem returns None (nothing from it may be stored).
    """

    def __init__(self, plan: ImportPlan, max_problems: int = 20) -> None:
        self.plan = plan
        self.max_problems = max_problems
        self.problems: list[Problem] = []
        self.rows_seen = 0
        self._weeks = WeekCache()
        self._metric_cells = {name: CellCache(whole_number(name)) for name in METRIC_RANGES}
        self._custom_cells = CellCache(custom_number)
        names = sorted(name for name, _ in plan.custom_columns)
        self._custom_order = [
            next(i for n, i in plan.custom_columns if n == name) for name in names
        ]
        self._custom_keys = [json.dumps(name, ensure_ascii=False) for name in names]
        pairs = [key.replace("%", "%%") + ": %s" for key in self._custom_keys]
        self._custom_template = "{" + ", ".join(pairs) + "}"
        # With one custom column (the usual case) each distinct cell text maps straight
        # to its row's JSON object, so a row costs one dict lookup.
        self._custom_objects = CellCache(self._custom_object)

    @property
    def full(self) -> bool:
        return len(self.problems) >= self.max_problems

    def _problem(self, batch: RowBatch, k: int | None, column: int | None, message: str) -> None:
        if self.full:
            return
        line = batch.line(k) if k is not None else None
        header = self.plan.header_of(column) if column is not None else None
        self.problems.append(Problem(self.plan.file, line, header, message))

    def validate(self, batch: RowBatch) -> ValidBatch | None:
        """Check and convert one batch; None if any row in it has a problem."""
        before = len(self.problems)
        failed = self._fit_widths(batch) if batch.columns is None else False
        while True:
            if not len(batch):
                return None
            columns = batch.columns or list(zip(*batch.rows, strict=True))
            user_ids = self._user_ids(batch, columns)
            if user_ids is not None:
                break
        self.rows_seen += len(batch)
        weeks = self._week_column(batch, columns)
        metrics = [
            self._whole_numbers(batch, columns[index], index, name)
            for name, index in self.plan.metric_columns
        ]
        custom = self._custom(batch, columns) if self.plan.custom_columns else None
        profiles = self._profiles(batch, columns)
        if failed or len(self.problems) > before or self.full:
            return None
        return ValidBatch(batch, weeks, user_ids, metrics, custom, profiles)

    def _fit_widths(self, batch: RowBatch) -> bool:
        """Make every row as wide as the header; report rows that cannot be.

        Trailing empty cells (spreadsheets pad rows) are trimmed and rows of nothing but
        delimiters are dropped. Rows with missing values, or extra non-empty ones, are
        problems: guessing which value belongs to which column could store wrong numbers.
        """
        width = self.plan.width
        if set(map(len, batch.rows)) == {width}:
            return False
        failed = False
        drop = set()
        for k, row in enumerate(batch.rows):
            if len(row) == width:
                continue
            if not any(cell.strip() for cell in row):
                drop.add(k)
            elif len(row) > width and not any(cell.strip() for cell in row[width:]):
                batch.rows[k] = row[:width]
            else:
                message = f"has {len(row)} values but the header has {width} columns"
                if len(row) > width:
                    message += " (a delimiter inside a value that is not quoted?)"
                self._problem(batch, k, None, message)
                drop.add(k)
                failed = True
        if drop:
            batch.drop(drop)
        return failed

    def _user_ids(self, batch: RowBatch, columns: list) -> list[str] | None:
        """Each row's id; None after dropping all-blank rows (the caller starts over)."""
        plan = self.plan
        if plan.id_column is not None:
            ids = list(map(str.strip, columns[plan.id_column]))
        else:
            ids = list(map(str.lower, map(str.strip, columns[plan.email_column])))
        if "" not in ids:
            return ids
        blank = [k for k, value in enumerate(ids) if not value]
        blank_rows = {k for k in blank if not any(cell.strip() for cell in batch.rows[k])}
        if blank_rows:
            batch.drop(blank_rows)
            return None
        for k in blank:
            row = batch.rows[k]
            email = row[plan.email_column].strip() if plan.email_column is not None else ""
            if email:
                ids[k] = email.lower()
            else:
                column = plan.id_column if plan.id_column is not None else plan.email_column
                self._problem(batch, k, column, "no user id: the id (and email) is blank")
        return ids

    def _week_column(self, batch: RowBatch, columns: list[tuple[str, ...]]) -> Sequence[str]:
        index = self.plan.week_column
        if index is None:
            return [self.plan.week] * len(batch)  # type: ignore[list-item]
        try:
            return list(map(self._weeks.__getitem__, columns[index]))
        except ValueError:
            pass
        weeks = []
        for k, text in enumerate(columns[index]):
            try:
                weeks.append(self._weeks[text])
            except ValueError as exc:
                message = "the week is blank" if not text.strip() else str(exc)
                self._problem(batch, k, index, message)
                weeks.append("")
        return weeks

    def _whole_numbers(
        self, batch: RowBatch, values: tuple[str, ...], index: int, name: str
    ) -> list[int | None]:
        cache = self._metric_cells[name]
        try:
            return list(map(cache.__getitem__, values))
        except ValueError:
            return self._cells_slowly(batch, values, index, cache)

    def _cells_slowly(
        self, batch: RowBatch, values: tuple[str, ...], index: int, cache: CellCache
    ) -> list:
        """Convert cell by cell, recording a located problem for each bad one."""
        out = []
        for k, text in enumerate(values):
            try:
                out.append(cache[text])
            except ValueError as exc:
                self._problem(batch, k, index, str(exc))
                out.append(None)
        return out

    def _custom_object(self, text: str) -> str | None:
        """The JSON object of a row whose only custom metric cell is ``text``."""
        value = self._custom_cells[text]
        return None if value is None else self._custom_template % value

    def _custom(self, batch: RowBatch, columns: list[tuple[str, ...]]) -> list[str | None]:
        """Each row's custom metrics as a JSON object, keys sorted by name."""
        if len(self._custom_order) == 1:
            try:
                return list(map(self._custom_objects.__getitem__, columns[self._custom_order[0]]))
            except ValueError:
                pass  # the column is walked below, which locates each bad cell
        texts = []
        for index in self._custom_order:
            try:
                texts.append(list(map(self._custom_cells.__getitem__, columns[index])))
            except ValueError:
                texts.append(self._cells_slowly(batch, columns[index], index, self._custom_cells))
        if not any(None in column for column in texts):
            return list(map(self._custom_template.__mod__, zip(*texts, strict=True)))
        out: list[str | None] = []
        for values in zip(*texts, strict=True):
            named = zip(self._custom_keys, values, strict=True)
            pairs = [f"{key}: {value}" for key, value in named if value is not None]
            out.append("{" + ", ".join(pairs) + "}" if pairs else None)
        return out

    def _profiles(self, batch: RowBatch, columns: list) -> list[Sequence[str]]:
        """Email, name, company and title cells as they are in the file.

        They are stripped when written, once per user rather than once per row; emails
        are checked here, where the line is known.
        """
        out: list[Sequence[str]] = []
        for name, index in zip(PROFILE_FIELDS, self.plan.profile_columns, strict=True):
            if index is None:
                out.append([""] * len(batch))
                continue
            values = columns[index]
            if name == "email" and not all(map(str.__contains__, values, repeat("@"))):
                for k, value in enumerate(values):
                    if "@" not in value and value.strip():
                        message = f"{value.strip()!r} is not an email address"
                        self._problem(batch, k, index, message)
            out.append(values)
        return out
