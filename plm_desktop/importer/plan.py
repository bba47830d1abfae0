"""Deciding, from the header and the first rows, how a usage file will be read."""

from __future__ import annotations

from datetime import date

from plm_desktop.importer.errors import Problem
from plm_desktop.importer.mapping import (
    METRIC_FIELDS,
    SYNONYMS,
    HeaderMapping,
    classify_unknown_columns,
    map_headers,
)
from plm_desktop.importer.sniff import CsvSource
from plm_desktop.importer.validate import PROFILE_FIELDS, ImportPlan
from plm_desktop.importer.weeks import monday_of, parse_week, week_from_file_name


def normalise_week(week: str | date | None) -> str | None:
    """An explicitly given week as its ISO Monday (any day of the week is accepted)."""
    if week is None:
        return None
    if isinstance(week, date):
        return monday_of(week).isoformat()
    return parse_week(week)


def resolve_week(
    source: CsvSource, mapping: HeaderMapping, week: str | None
) -> tuple[str | None, str | None, list[str]]:
    """The file's single week and where it came from, or (None, "column") for a week column.

    Returns (week, origin, warnings); origin is ``column``, ``given``, ``file name`` or
    None when the week is unknown.
    """
    if mapping.index_of("week") is not None:
        warnings = []
        if week is not None:
            header = mapping.fields["week"].header
            warnings.append(f"the file has a week column ({header!r}); the given week is ignored")
        return None, "column", warnings
    if week is not None:
        return week, "given", []
    from_name = week_from_file_name(source.path)
    if from_name is not None:
        return from_name, "file name", []
    return None, None, []


def requirement_problems(
    source: CsvSource, mapping: HeaderMapping, week_origin: str | None
) -> list[Problem]:
    """What the file lacks to be imported at all: an id, active days, a week."""
    problems = []
    fields = mapping.fields
    found = ", ".join(repr(h) for h in source.header)
    if "user_id" not in fields and "email" not in fields:
        names = ", ".join(SYNONYMS["user_id"][:6])
        message = (
            f"no user id column (looked for {names}... or an email column); the columns are "
            f"{found}. Name the id column with --map HEADER=user_id"
        )
        problems.append(Problem(source.name, source.header_line, None, message))
    if "active_days" not in fields:
        names = ", ".join(SYNONYMS["active_days"][:4])
        message = (
            f"no active days column (looked for {names}...); the columns are {found}. "
            "Name it with --map HEADER=active_days"
        )
        problems.append(Problem(source.name, source.header_line, None, message))
    if week_origin is None:
        message = (
            "no week: the file has no week column and its name holds no date; give the "
            "week (--week YYYY-MM-DD) or put the date in the file name (usage-2026-11-30.csv)"
        )
        problems.append(Problem(source.name, None, None, message))
    return problems


def build_mapping(source: CsvSource, overrides: dict[str, str] | None) -> HeaderMapping:
    """Map the header by synonyms and overrides, then classify unmatched columns."""
    mapping = map_headers(source.header, overrides)
    return classify_unknown_columns(mapping, source.sample_rows)


def build_plan(source: CsvSource, mapping: HeaderMapping, week: str | None) -> ImportPlan:
    """The column positions the validator reads, from a complete mapping."""
    fields = mapping.fields
    metric_columns = tuple((f, fields[f].index) for f in METRIC_FIELDS if f in fields)
    custom_columns = tuple((c.custom, c.index) for c in mapping.custom_columns)
    profile_columns = tuple(fields[f].index if f in fields else None for f in PROFILE_FIELDS)
    return ImportPlan(
        file=source.name,
        mapping=mapping,
        width=len(source.header),
        week=week,
        week_column=mapping.index_of("week"),
        id_column=mapping.index_of("user_id"),
        email_column=mapping.index_of("email"),
        metric_columns=metric_columns,
        custom_columns=custom_columns,  # type: ignore[arg-type]
        profile_columns=profile_columns,
    )
