"""Months and quarters the funnel is read for.

A period is a closed range of calendar days. Weekly data (usage, milestones) belongs to
the period its week's Monday falls in, so every week is counted in exactly one month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


class PeriodError(ValueError):
    """Text that names neither a month (YYYY-MM) nor a quarter (YYYY-QN)."""


@dataclass(frozen=True, order=True)
class Period:
    """A month or a quarter: its first and last day and the label it is shown under."""

    start: date
    end: date
    label: str

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The calendar month ``year-month``."""
        if not 1 <= month <= 12:
            raise PeriodError(f"no month {month} in a year")
        start = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        return cls(start, following - timedelta(days=1), f"{year:04d}-{month:02d}")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        """Calendar quarter ``quarter`` (1-4) of ``year``."""
        if not 1 <= quarter <= 4:
            raise PeriodError(f"no quarter {quarter} in a year")
        first = cls.month(year, 3 * quarter - 2)
        last = cls.month(year, 3 * quarter)
        return cls(first.start, last.end, f"{year:04d}-Q{quarter}")

    @classmethod
    def containing(cls, day: date) -> Period:
        """The month ``day`` falls in."""
        return cls.month(day.year, day.month)

    @property
    def months(self) -> list[Period]:
        """The months this period covers, in order (one for a month)."""
        found = []
        current = Period.containing(self.start)
        while current.start <= self.end:
            found.append(current)
            current = current.next()
        return found

    def next(self) -> Period:
        """The period of the same length that follows (month after month, quarter after
        quarter)."""
        if self.is_quarter:
            year, quarter = self.start.year, (self.start.month - 1) // 3 + 1
            return Period.quarter(year + quarter // 4, quarter % 4 + 1)
        return Period.containing(self.end + timedelta(days=1))

    def previous(self) -> Period:
        """The period of the same length before this one."""
        if self.is_quarter:
            year, quarter = self.start.year, (self.start.month - 1) // 3 + 1
            return Period.quarter(year - (quarter == 1), (quarter - 2) % 4 + 1)
        return Period.containing(self.start - timedelta(days=1))

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.label

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def parse_period(text: str) -> Period:
    """``2026-11`` as that month, ``2026-Q4`` as that quarter.

    Raises:
        PeriodError: the text is neither form, saying what was expected.
    """
    text = text.strip()
    month = _MONTH.match(text)
    if month:
        return Period.month(int(month.group(1)), int(month.group(2)))
    quarter = _QUARTER.match(text)
    if quarter:
        return Period.quarter(int(quarter.group(1)), int(quarter.group(2)))
    raise PeriodError(f"{text!r} is neither a month (YYYY-MM) nor a quarter (YYYY-QN)")


def months_ending(last: Period, count: int) -> list[Period]:
    """``count`` consecutive months ending with the month ``last`` ends in, oldest first."""
    months = [Period.containing(last.end)]
    while len(months) < count:
        months.insert(0, months[0].previous())
    return months
