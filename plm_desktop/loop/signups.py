"""Importing a signups or leads export: who signed up or asked for a demo, when, and
what referral evidence came with them.

The file is read with the usage import's sniffer (encoding, delimiter, header row) and
its headers are mapped the same way: synonyms compared after normalisation, overridable
per column. The whole file is checked before anything is written; a file with any
problem is refused with every problem located (line, column, what is wrong) and nothing
is stored. A stored file is attributed to advocates by their referral codes and linked
to users already in the usage data, in the same transaction.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from plm_desktop.importer.errors import ImportCancelled, ImportRejected, Problem
from plm_desktop.importer.mapping import (
    IGNORE,
    ColumnMapping,
    HeaderMapping,
    MappingError,
    normalise_header,
)
from plm_desktop.importer.sniff import CsvSource, open_csv
from plm_desktop.loop.attribution import attribute_signups, code_book, link_signups_to_users
from plm_desktop.loop.codes import CodeBook
from plm_desktop.store import Database

log = logging.getLogger(__name__)

MAX_PROBLEMS = 50

SIGNUP_FIELDS = (
    "external_id",
    "email",
    "signed_up_on",
    "kind",
    "referral_code",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "landing_url",
)

# Known headers from signup and lead exports (product databases, HubSpot, Pipedrive,
# PostHog, Typeform...), best match first.
SIGNUP_SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": (
        "signup_id",
        "user_id",
        "userid",
        "id",
        "lead_id",
        "contact_id",
        "distinct_id",
        "$distinct_id",
        "person.id",
        "person_id",
        "customer_id",
        "uid",
        "record_id",
        "account_user_id",
        "member_id",
    ),
    "email": (
        "email",
        "email_address",
        "e-mail",
        "e-mail address",
        "work_email",
        "$email",
        "user_email",
        "contact_email",
        "person.properties.email",
        "mail",
    ),
    "signed_up_on": (
        "signed_up_on",
        "signed_up_at",
        "signed_up",
        "signup_date",
        "signup_at",
        "sign_up_date",
        "date",
        "created_at",
        "created",
        "created_on",
        "create_date",
        "createdate",
        "date_created",
        "registered_at",
        "registration_date",
        "joined_at",
        "submitted_at",
        "first_seen",
        "timestamp",
        "lead_date",
        "requested_at",
    ),
    "kind": (
        "kind",
        "type",
        "signup_type",
        "lead_type",
        "conversion",
        "conversion_type",
        "event",
        "form",
        "request_type",
        "lifecycle_stage",
    ),
    "referral_code": (
        "referral_code",
        "ref_code",
        "ref",
        "referral",
        "referrer_code",
        "invite_code",
        "advocate_code",
        "partner_code",
        "promo_code",
        "referred_by",
        "via",
    ),
    "utm_source": (
        "utm_source",
        "initial_utm_source",
        "$initial_utm_source",
        "first_utm_source",
        "first_touch_utm_source",
    ),
    "utm_medium": (
        "utm_medium",
        "initial_utm_medium",
        "$initial_utm_medium",
        "first_utm_medium",
        "first_touch_utm_medium",
    ),
    "utm_campaign": (
        "utm_campaign",
        "initial_utm_campaign",
        "$initial_utm_campaign",
        "first_utm_campaign",
        "first_touch_utm_campaign",
        "campaign",
    ),
    "utm_content": (
        "utm_content",
        "initial_utm_content",
        "$initial_utm_content",
        "first_utm_content",
        "first_touch_utm_content",
    ),
    "utm_term": ("utm_term", "initial_utm_term", "$initial_utm_term", "first_utm_term"),
    "landing_url": (
        "landing_url",
        "landing_page",
        "landing_page_url",
        "landing",
        "entry_url",
        "entry_page",
        "first_url",
        "first_page",
        "first_page_seen",
        "initial_url",
        "$initial_current_url",
        "initial_current_url",
        "first_touch_url",
        "signup_url",
        "page_url",
        "url",
    ),
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ISO_DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?:[ T].*)?$")
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")


@dataclass(frozen=True)
class SignupImportResult:
    """What a signups import stored.

    Attributes:
        file: the file's name.
        rows: signups in the file (a person listed twice counts once).
        inserted / updated / unchanged: signups new to the store, changed, already there.
        attributed: signups in this file credited to an advocate (now or earlier).
        unattributed: signups in this file no code matched; attributable by hand.
        linked: signups linked to an existing user by id or email.
        by_how: attributed signups per way of matching (code, utm, url, manual).
        first_day / last_day: the span of signup dates in the file.
        warnings: things worth knowing that did not stop the import.
        import_id: the row in the import log (None when the file was already imported).
        already_imported: the same bytes were imported before; nothing changed.
    """

    file: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    attributed: int
    unattributed: int
    linked: int
    by_how: dict[str, int]
    first_day: date | None
    last_day: date | None
    warnings: list[str] = field(default_factory=list)
    import_id: int | None = None
    already_imported: bool = False


@dataclass(frozen=True)
class _Row:
    line: int
    key: str
    values: dict[str, str | None]
    day: date
    kind: str


def map_signup_headers(
    headers: list[str], overrides: dict[str, str] | None = None
) -> HeaderMapping:
    """Map a signups header row to signup fields by synonym, then apply overrides.

    Overrides are ``{header: field}`` with a field of :data:`SIGNUP_FIELDS` or
    ``ignore``. Columns matching nothing are ignored (a signups export carries many
    columns the loop does not need), and listed in the mapping as such.

    Raises:
        MappingError: an override names something that is not a signup field.
    """
    lookup: dict[str, tuple[str, int]] = {}
    for name, synonyms in SIGNUP_SYNONYMS.items():
        for priority, synonym in enumerate(synonyms):
            lookup.setdefault(normalise_header(synonym), (name, priority))
    wanted = {}
    for header, target in (overrides or {}).items():
        if target != IGNORE and target not in SIGNUP_FIELDS:
            raise MappingError(
                f"{target!r} is not a signup field; use one of {', '.join(SIGNUP_FIELDS)} "
                f"or {IGNORE}"
            )
        wanted[normalise_header(header)] = target

    columns: list[ColumnMapping] = []
    best: dict[str, tuple[int, int]] = {}
    warnings: list[str] = []
    for index, raw in enumerate(headers):
        header = raw.strip()
        key = normalise_header(header)
        if key in wanted:
            target = wanted.pop(key)
            if target == IGNORE:
                columns.append(ColumnMapping(index, header, how="ignored", note="on request"))
                continue
            columns.append(ColumnMapping(index, header, field=target, how="override"))
            candidate = (-1, index)
        elif key in lookup:
            target, priority = lookup[key]
            columns.append(ColumnMapping(index, header, field=target, how="synonym"))
            candidate = (priority, index)
        else:
            columns.append(
                ColumnMapping(index, header, how="ignored", note="not used by the loop")
            )
            continue
        if target in best:
            loser = max(best[target], candidate)
            winner = min(best[target], candidate)
            columns[loser[1]] = ColumnMapping(
                loser[1],
                columns[loser[1]].header,
                how="ignored",
                note=f"{columns[winner[1]].header!r} already fills {target}",
            )
            warnings.append(
                f"column {columns[loser[1]].header!r} ignored: {columns[loser[1]].note}"
            )
            best[target] = winner
        else:
            best[target] = candidate
    for header in wanted:
        warnings.append(f"mapping for {header!r} not used: the file has no such column")
    return HeaderMapping(tuple(columns), tuple(warnings))


def parse_signup_date(text: str) -> date:
    """The day a cell names.

    Accepts ISO dates and date-times (``2026-11-03``, ``2026-11-03T14:02:11Z``),
    ``2026/11/03``, day-first dates (``03.11.2026``, ``03/11/2026``) when they cannot be
    read the other way round, US month-first dates when the day is above 12, and Unix
    timestamps in seconds or milliseconds.

    Raises:
        ValueError: not a date, or ambiguous (``03/11/2026``); the message says why.
    """
    value = text.strip()
    try:
        return _parse_day(value)
    except ValueError as exc:
        if str(exc).startswith(repr(value)):
            raise
        raise ValueError(f"{value!r} is not a real date ({exc})") from None


def _parse_day(value: str) -> date:
    iso = _ISO_DAY.match(value)
    if iso:
        return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    other = _DAY_FIRST.match(value)
    if other:
        first, sep, second, year = (
            int(other.group(1)),
            other.group(2),
            int(other.group(3)),
            int(other.group(4)),
        )
        if sep == "." or first > 12:
            return date(year, second, first)
        if second > 12:
            return date(year, first, second)
        raise ValueError(
            f"{value!r} is ambiguous (day/month or month/day?); write dates as YYYY-MM-DD"
        )
    if _EPOCH.match(value):
        seconds = int(value) / (1000 if len(value) == 13 else 1)
        return datetime.fromtimestamp(seconds, UTC).date()
    raise ValueError(f"{value!r} is not a date; expected YYYY-MM-DD")


def signup_kind(text: str | None) -> str:
    """``demo`` for rows that are demo or meeting requests, ``signup`` for everything else."""
    if text and any(word in text.casefold() for word in ("demo", "meeting", "sales call")):
        return "demo"
    return "signup"


def import_signups_file(
    db: Database,
    path: Path | str,
    *,
    overrides: dict[str, str] | None = None,
    book: CodeBook | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    now: datetime | None = None,
) -> SignupImportResult:
    """Import one signups export: validate all of it, then store, attribute and link.

    Args:
        db: the store.
        path: the CSV file.
        overrides: ``{header: field}`` corrections to the detected mapping.
        book: referral codes to match (default: every code the sharing side issued).
        progress: called with ``(bytes_done, bytes_total)`` while reading.
        cancel: returns True to stop; nothing is stored.
        now: the import time (tests pin it).

    Raises:
        ImportRejected: any problem in the file; it lists them by line and column and
            nothing is stored.
        ImportCancelled: ``cancel`` asked to stop; nothing is stored.
    """
    path = Path(path)
    now = now or datetime.now(UTC)
    with open_csv(path) as source:
        try:
            mapping = map_signup_headers(source.header, overrides)
        except MappingError as exc:
            raise ImportRejected([Problem(source.name, None, None, str(exc))]) from None
        _require_columns(source, mapping)
        rows, warnings = _read_rows(source, mapping, progress, cancel)
        content_hash = source.content_hash

    known = db.conn.execute(
        "SELECT import_id FROM imports WHERE kind = 'signups' AND content_hash = ?",
        (content_hash,),
    ).fetchone()
    if known is not None:
        log.info("%s was imported before (import %d); nothing changed", path.name, known[0])
        return _summary(db, path.name, rows, 0, 0, len(rows), 0, warnings, None, True)

    book = book if book is not None else code_book(db)
    with db.transaction() as conn:
        import_id = conn.execute(
            "INSERT INTO imports (kind, file_name, content_hash, rows, inserted, updated,"
            " unchanged, warnings, mapping, imported_at)"
            " VALUES ('signups', ?, ?, ?, 0, 0, 0, '[]', ?, ?)",
            (
                path.name,
                content_hash,
                len(rows),
                _mapping_json(mapping),
                now.isoformat(timespec="seconds"),
            ),
        ).lastrowid
        inserted, updated, unchanged = _store_rows(conn, rows, import_id)
        attribute_signups(db, book=book, now=now)
        linked = link_signups_to_users(db)
        conn.execute(
            "UPDATE imports SET inserted = ?, updated = ?, unchanged = ?, warnings = ?"
            " WHERE import_id = ?",
            (inserted, updated, unchanged, _json(warnings), import_id),
        )
    result = _summary(
        db, path.name, rows, inserted, updated, unchanged, linked, warnings, import_id, False
    )
    log.info(
        "imported %d signups from %s (%d new, %d updated): %d attributed, %d unmatched",
        result.rows,
        path.name,
        inserted,
        updated,
        result.attributed,
        result.unattributed,
    )
    return result


def _require_columns(source: CsvSource, mapping: HeaderMapping) -> None:
    fields = mapping.fields
    problems = []
    if "email" not in fields and "external_id" not in fields:
        problems.append(
            Problem(
                source.name,
                source.header_line,
                None,
                "no email or id column: a signups export needs one to tell people apart "
                f"(found: {', '.join(h for h in source.header if h) or 'no headers'})",
            )
        )
    if "signed_up_on" not in fields:
        problems.append(
            Problem(
                source.name,
                source.header_line,
                None,
                "no date column: name it 'date' or 'signup_date', or map it with "
                "HEADER=signed_up_on",
            )
        )
    if problems:
        raise ImportRejected(problems)


def _read_rows(
    source: CsvSource,
    mapping: HeaderMapping,
    progress: Callable[[int, int], None] | None,
    cancel: Callable[[], bool] | None,
) -> tuple[list[_Row], list[str]]:
    """Every row checked; all problems collected (up to MAX_PROBLEMS) before refusing."""
    fields = mapping.fields
    problems: list[Problem] = []
    warnings = list(mapping.warnings)
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    repeats = 0

    def cell(raw: list[str], name: str) -> str | None:
        column = fields.get(name)
        if column is None or column.index >= len(raw):
            return None
        return raw[column.index].strip() or None

    def header_of(name: str) -> str:
        return fields[name].header

    for batch in source.batches():
        if cancel is not None and cancel():
            raise ImportCancelled(f"import of {source.name} cancelled; nothing was stored")
        for k, raw in enumerate(batch.rows):
            line = batch.line(k)
            if len(raw) > len(source.header) and any(v.strip() for v in raw[len(source.header) :]):
                problems.append(
                    Problem(
                        source.name,
                        line,
                        None,
                        f"{len(raw)} values but the header has {len(source.header)} columns",
                    )
                )
                continue
            values = {name: cell(raw, name) for name in fields}
            email, external_id = values.get("email"), values.get("external_id")
            if email is not None and not _EMAIL.match(email):
                problems.append(
                    Problem(
                        source.name, line, header_of("email"), f"{email!r} is not an email address"
                    )
                )
                continue
            if email is None and external_id is None:
                problems.append(Problem(source.name, line, None, "no email and no id"))
                continue
            day_text = values.get("signed_up_on")
            if day_text is None:
                problems.append(Problem(source.name, line, header_of("signed_up_on"), "no date"))
                continue
            try:
                day = parse_signup_date(day_text)
            except ValueError as exc:
                problems.append(Problem(source.name, line, header_of("signed_up_on"), str(exc)))
                continue
            kind = signup_kind(values.get("kind"))
            who = external_id if external_id is not None else email.casefold()
            key = f"{kind}:{who}"
            if key in seen:
                repeats += 1
                earlier = rows[seen[key]]
                if day < earlier.day:
                    rows[seen[key]] = _Row(earlier.line, key, values, day, kind)
                continue
            seen[key] = len(rows)
            rows.append(_Row(line, key, values, day, kind))
            if len(problems) >= MAX_PROBLEMS:
                break
        if len(problems) >= MAX_PROBLEMS:
            raise ImportRejected(problems, truncated=True)
        if progress is not None:
            progress(source.bytes_read, source.total_bytes)
    if problems:
        raise ImportRejected(problems)
    if not rows:
        raise ImportRejected([Problem(source.name, None, None, "no signups in the file")])
    if repeats:
        warnings.append(
            f"{repeats} rows repeat a person already listed; the earliest date was kept"
        )
    return rows, warnings


_STORED = (
    "external_id",
    "email",
    "referral_code",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "landing_url",
)


def _store_rows(conn, rows: list[_Row], import_id: int) -> tuple[int, int, int]:
    inserted = updated = unchanged = 0
    for row in rows:
        values = (*(row.values.get(name) for name in _STORED), row.day.isoformat(), row.kind)
        existing = conn.execute(
            f"SELECT signup_id, {', '.join(_STORED)}, signed_up_on, kind FROM signups"
            " WHERE signup_key = ?",
            (row.key,),
        ).fetchone()
        if existing is None:
            conn.execute(
                f"INSERT INTO signups (signup_key, {', '.join(_STORED)}, signed_up_on, kind,"
                f" import_id, line) VALUES (?, {', '.join('?' * len(values))}, ?, ?)",
                (row.key, *values, import_id, row.line),
            )
            inserted += 1
        elif tuple(existing[1:]) == values:
            unchanged += 1
        else:
            assignments = ", ".join(f"{name} = ?" for name in (*_STORED, "signed_up_on", "kind"))
            conn.execute(
                f"UPDATE signups SET {assignments}, import_id = ?, line = ? WHERE signup_id = ?",
                (*values, import_id, row.line, existing[0]),
            )
            updated += 1
    return inserted, updated, unchanged


def _summary(
    db: Database,
    name: str,
    rows: list[_Row],
    inserted: int,
    updated: int,
    unchanged: int,
    linked: int,
    warnings: list[str],
    import_id: int | None,
    already: bool,
) -> SignupImportResult:
    by_how: dict[str, int] = {}
    unattributed = 0
    for chunk_start in range(0, len(rows), 500):
        keys = [row.key for row in rows[chunk_start : chunk_start + 500]]
        marks = ", ".join("?" * len(keys))
        for how, count in db.conn.execute(
            "SELECT COALESCE(a.how, ''), COUNT(*) FROM signups s LEFT JOIN attribution a"
            f" USING (signup_id) WHERE s.signup_key IN ({marks}) GROUP BY a.how",
            keys,
        ):
            if how:
                by_how[how] = by_how.get(how, 0) + count
            else:
                unattributed += count
    days = [row.day for row in rows]
    return SignupImportResult(
        file=name,
        rows=len(rows),
        inserted=inserted,
        updated=updated,
        unchanged=unchanged,
        attributed=sum(by_how.values()),
        unattributed=unattributed,
        linked=linked,
        by_how=by_how,
        first_day=min(days) if days else None,
        last_day=max(days) if days else None,
        warnings=warnings,
        import_id=import_id,
        already_imported=already,
    )


def _mapping_json(mapping: HeaderMapping) -> str:
    return _json({c.header: (c.field or IGNORE) for c in mapping.columns})


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
