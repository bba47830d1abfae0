"""Weeks: every week is the ISO date of its Monday, whatever date the file gives."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

# A date in a file name: 2026-11-30, 2026_11_30, 2026.11.30 or 20261130.
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")
_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{2})(?:-?\d)?$", re.IGNORECASE)


def monday_of(day: date) -> date:
    """The Monday that starts ``day``'s week (ISO weeks start on Monday)."""
    return day - timedelta(days=day.weekday())


def parse_week(text: str) -> str:
    """The ISO Monday of the week a cell names.

    Accepts ISO dates (``2026-12-02``), date-times as analytics tools export them
    (``2026-12-02T00:00:00Z``, ``2026-12-02 00:00:00``), slashes (``2026/12/02``) and ISO
    week names (``2026-W49``). Any day of the week maps to that week's Monday.

    Raises:
        ValueError: the text is none of these.
    """
    value = text.strip()
    match = _ISO_WEEK.match(value)
    if match:
        return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1).isoformat()
    head = value[:10].replace("/", "-")
    try:
        day = date.fromisoformat(head)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (expected YYYY-MM-DD)") from None
    rest = value[10:]
    if rest and rest[0] not in "T ":
        raise ValueError(f"{text!r} is not a date (expected YYYY-MM-DD)")
    if rest:
        try:
            datetime.fromisoformat(value.replace("/", "-").replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{text!r} is not a date (expected YYYY-MM-DD)") from None
    return monday_of(day).isoformat()


def week_from_file_name(path: Path | str) -> str | None:
    """The Monday of the week named by a date in the file name, or None if it has none.

    ``usage-2026-11-30.csv`` gives ``2026-11-30``; ``export_20261203.csv`` gives
    ``2026-11-30`` too (the Monday of that week).
    """
    for match in _DATE_IN_NAME.finditer(Path(path).name):
        try:
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
        return monday_of(day).isoformat()
    return None


class WeekCache(dict):
    """Maps week cells to ISO Mondays, parsing each distinct text once.

    A multi-week export repeats a handful of week values a million times; looking them up
    in a dict keeps the per-row cost at C speed. Unparseable text raises ``ValueError``.
    """

    def __missing__(self, text: str) -> str:
        week = parse_week(text)
        self[text] = week
        return week
