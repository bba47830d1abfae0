"""A look at a file before importing it, for the window's mapping step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from plm_desktop.importer.errors import Problem
from plm_desktop.importer.mapping import ColumnMapping
from plm_desktop.importer.plan import (
    build_mapping,
    normalise_week,
    requirement_problems,
    resolve_week,
)
from plm_desktop.importer.sniff import describe_encoding, open_csv


@dataclass(frozen=True)
class Preview:
    """What the importer would make of a file, read from its first 64 KiB only.

    Attributes:
        file: the file's name.
        encoding: the encoding found, as a person would name it.
        delimiter: the delimiter found.
        headers: the header row.
        header_line: the line the header is on.
        columns: per column, the field it maps to (or custom metric, or ignored, and why).
        mapping: header -> what it will be stored as.
        rows: the first data rows as they are in the file.
        week: the week of a single-week file (ISO Monday), None otherwise.
        week_origin: ``column``, ``given``, ``file name``, or None when unknown.
        problems: what stops the import as mapped (no id, no active days, no week).
        warnings: columns that will be left out and why.
    """

    file: str
    encoding: str
    delimiter: str
    headers: list[str]
    header_line: int
    columns: list[ColumnMapping]
    mapping: dict[str, str]
    rows: list[list[str]]
    week: str | None
    week_origin: str | None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def importable(self) -> bool:
        """True when nothing in the header stops the import (rows are checked later)."""
        return not self.problems


def preview_file(
    path: Path | str,
    *,
    week: str | date | None = None,
    overrides: dict[str, str] | None = None,
    rows: int = 20,
) -> Preview:
    """Sniff a file and show how it would be mapped, without touching the store.

    Raises:
        ImportRejected: the file is empty, binary or not text.
        MappingError: an override names no known field.
    """
    path = Path(path)
    with open_csv(path, scan=False) as source:
        mapping = build_mapping(source, overrides)
        file_week, origin, week_warnings = resolve_week(source, mapping, normalise_week(week))
        return Preview(
            file=source.name,
            encoding=describe_encoding(source.encoding),
            delimiter=source.delimiter,
            headers=list(source.header),
            header_line=source.header_line,
            columns=list(mapping.columns),
            mapping=mapping.as_dict(),
            rows=[list(row) for row in source.sample_rows[:rows]],
            week=file_week,
            week_origin=origin,
            problems=requirement_problems(source, mapping, origin),
            warnings=[*mapping.warnings, *week_warnings],
        )
