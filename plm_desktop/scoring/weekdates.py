"""Weeks as the app names them: the ISO date (``YYYY-MM-DD``) of their Monday."""

from __future__ import annotations

from datetime import date, timedelta


def as_week(value: date | str) -> str:
    """The Monday of the week holding ``value`` (a date or ``YYYY-MM-DD``), as ISO text.

    Raises:
        ValueError: ``value`` is not a date in the form ``YYYY-MM-DD``.
    """
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"not a date in the form YYYY-MM-DD: {value!r}") from None
    return (value - timedelta(days=value.weekday())).isoformat()


def shift_week(week: str, weeks: int) -> str:
    """The week ``weeks`` weeks after ``week`` (before it when negative)."""
    return (date.fromisoformat(week) + timedelta(weeks=weeks)).isoformat()


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def week_label(week: str) -> str:
    """A short human label for explanations, the same in every locale: ``30 Nov``."""
    day = date.fromisoformat(week)
    return f"{day.day} {_MONTHS[day.month - 1]}"
