"""Storing a usage export: all of it in one transaction, or nothing.

Rows for a week the database has never seen go straight into ``usage`` with
``executemany`` (the fast path a weekly import and a first big back-fill take). Rows for
a week that already has data are staged in a temporary table and compared with what is
stored, so a corrected export updates only what changed and reports how many rows that
was. A duplicate user and week within the file is caught by the primary key: identical
copies are merged with a warning, conflicting ones reject the file naming both lines.

A bulk load (a back-fill adding more rows than ``usage`` holds) drops the non-unique
indexes of ``usage`` and ``users`` inside the same transaction and builds them again,
from their stored definitions, just before it commits; whatever stops the import undoes
the drop with the rows.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from plm_desktop.importer.errors import ImportCancelled, ImportRejected, Problem
from plm_desktop.importer.plan import (
    build_mapping,
    build_plan,
    normalise_week,
    requirement_problems,
    resolve_week,
)
from plm_desktop.importer.sniff import CsvSource, describe_encoding, open_csv
from plm_desktop.importer.validate import ImportPlan, RowValidator, ValidBatch
from plm_desktop.store import Database

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]

MAX_PROBLEMS = 20
# Distinct users held in memory before their profiles are written (bounds memory on
# exports with millions of distinct users).
USER_FLUSH = 100_000
MAX_DUPLICATE_WARNINGS = 5
# SQLite page cache while importing (KiB, negative as the pragma takes it): the by-user
# index of a big back-fill is written all over, and a cache that holds it keeps those
# writes in memory until commit.
IMPORT_CACHE_KIB = -64 * 1024
# An import expected to add at least this many rows, and more than the usage table holds
# (a first back-fill), drops the secondary indexes of the tables it fills inside its
# transaction and builds them again before committing: one sort per index instead of an
# insert at a scattered place for every row. A rollback brings the indexes back with
# everything else.
BULK_MIN_ROWS = 50_000
# Characters of the file per batch. A batch is walked many times (split, one pass per
# column, rows for SQLite); about a thousand rows keep its cells in the CPU's cache
# across those passes, which measured about 10 % faster than 1 MiB pieces on a busy
# machine.
BATCH_CHARS = 128 * 1024
BULK_TABLES = ("usage", "users")


@dataclass
class ImportResult:
    """What an import stored, for the window, the command line and the log.

    Attributes:
        file: the file's name.
        weeks: ISO Mondays of the weeks the file holds, sorted.
        rows: data rows read from the file (identical duplicates included).
        inserted: user-weeks stored that were not there before.
        updated: user-weeks that were there and changed.
        unchanged: user-weeks that were there with the same values.
        warnings: what the founder should know but did not stop the import.
        import_id: the row in the ``imports`` log, or None when nothing changed.
        already_imported: the same bytes were imported before and nothing changed.
        merged_duplicates: identical repeated rows that were stored once.
        users_added: users seen for the first time.
        mapping: each header and what it was stored as.
        encoding: how the text was read (e.g. ``UTF-8 with BOM``).
        delimiter: the delimiter found.
        seconds: how long the import took.
    """

    file: str
    weeks: list[str]
    rows: int
    inserted: int
    updated: int
    unchanged: int
    warnings: list[str] = field(default_factory=list)
    import_id: int | None = None
    already_imported: bool = False
    merged_duplicates: int = 0
    users_added: int = 0
    mapping: dict[str, str] = field(default_factory=dict)
    encoding: str = ""
    delimiter: str = ""
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """True when the import stored anything."""
        return self.import_id is not None

    def summary(self) -> str:
        """One line for a person: what happened to which weeks."""
        weeks = ", ".join(self.weeks)
        if not self.changed:
            again = "already imported; " if self.already_imported else ""
            return f"{self.file}: {again}nothing changed ({self.rows} rows, weeks {weeks})"
        return (
            f"{self.file}: {self.rows} rows for week(s) {weeks}: {self.inserted} inserted, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )


class _NothingChanged(Exception):
    """Raised inside the transaction to roll it back when the import changed nothing."""


def import_usage_file(
    db: Database,
    path: Path | str,
    *,
    week: str | date | None = None,
    overrides: dict[str, str] | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
) -> ImportResult:
    """Import one usage export into the store, atomically and idempotently.

    Args:
        db: the open store.
        path: the CSV file.
        week: the week of a file without a week column (any day of it); when None the
            week comes from a date in the file name.
        overrides: ``{header: field}`` to correct the automatic mapping (``ignore``,
            ``custom`` and ``custom:NAME`` are accepted as fields too).
        progress: called with (bytes done, bytes total) as the file is read.
        cancel: polled between batches; returning True stops the import.

    Returns:
        What was stored. Importing the same content again stores nothing and says so.

    Raises:
        ImportRejected: the file cannot be imported as it is; nothing was stored. The
            first problems found are listed with line and column.
        ImportCancelled: ``cancel`` returned True; nothing was stored.
        MappingError: an override names no known field.
        ValueError: ``week`` is not a date.
        OSError: the file cannot be read.
    """
    started = time.perf_counter()
    path = Path(path)
    given_week = normalise_week(week)
    with open_csv(path) as source:
        mapping = build_mapping(source, overrides)
        file_week, origin, week_warnings = resolve_week(source, mapping, given_week)
        problems = requirement_problems(source, mapping, origin)
        if problems:
            raise ImportRejected(problems)
        plan = build_plan(source, mapping, file_week)
        warnings = [*mapping.warnings, *week_warnings]
        try:
            with db.transaction() as conn:
                result = _UsageImport(conn, source, plan, warnings, progress, cancel).run()
                if not result.changed:
                    raise _NothingChanged
        except _NothingChanged:
            result.already_imported = _seen_before(db, source.content_hash)
        result.mapping = mapping.as_dict()
        result.encoding = describe_encoding(source.encoding)
        result.delimiter = source.delimiter
    result.seconds = time.perf_counter() - started
    if progress is not None:
        progress(source.total_bytes, source.total_bytes)
    log.info(
        "imported %s: %d rows, weeks %s, %d inserted, %d updated, %d unchanged in %.2f s",
        result.file,
        result.rows,
        ",".join(result.weeks),
        result.inserted,
        result.updated,
        result.unchanged,
        result.seconds,
    )
    return result


def _expected_rows(source: CsvSource) -> int:
    """About how many data rows the file holds, from its size and the sampled rows."""
    sample = source.sample_rows
    if not sample:
        return 0
    chars = sum(map(len, map(source.delimiter.join, sample))) + len(sample)
    return source.total_bytes * len(sample) // max(chars, 1)


def _seen_before(db: Database, content_hash: str | None) -> bool:
    row = db.conn.execute(
        "SELECT 1 FROM imports WHERE kind = 'usage' AND content_hash = ? LIMIT 1",
        (content_hash,),
    ).fetchone()
    return row is not None


@dataclass
class _Duplicate:
    week: str
    user_id: str
    line: int
    earlier_line: int | None
    identical: bool
    differences: str = ""


class _UsageImport:
    """One import's work inside its transaction."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        source: CsvSource,
        plan: ImportPlan,
        warnings: list[str],
        progress: ProgressCallback | None,
        cancel: CancelCheck | None,
    ) -> None:
        self.conn = conn
        self.source = source
        self.plan = plan
        self.warnings = warnings
        self.progress = progress
        self.cancel = cancel
        self.validator = RowValidator(plan, MAX_PROBLEMS)
        self.columns = plan.metric_fields + (["custom"] if plan.custom_columns else [])
        self.stored_columns = ["week", "user_id", *self.columns]
        self.insert_sql = self.stage_sql = ""
        self.week_has_rows: dict[str, bool] = {}
        self.weeks: set[str] = set()
        self.users: dict[str, tuple[str, str, str, str]] = {}
        self.users_added = 0
        self.users_changed = 0
        self.inserted = 0
        self.staged = False
        self.duplicates: list[_Duplicate] = []
        self.merged = 0
        self.conflicts = 0
        self._clashes = 0
        self.import_id = 0
        self.bulk_decided = False
        self.dropped_indexes: list[str] = []

    def run(self) -> ImportResult:
        before_users = self._count("users")
        self.import_id = self._open_log()
        self._prepare_statements()
        old_cache = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute(f"PRAGMA cache_size = {IMPORT_CACHE_KIB:d}")
        try:
            return self._run(before_users)
        finally:
            self.conn.execute(f"PRAGMA cache_size = {old_cache:d}")

    def _prepare_statements(self) -> None:
        """The INSERTs, with the import id written in rather than bound on every row."""
        names = ", ".join(self.stored_columns)
        marks = ", ".join("?" * len(self.stored_columns))
        self.insert_sql = (
            f"INSERT INTO usage ({names}, import_id) VALUES ({marks}, {self.import_id:d})"
        )
        self.stage_sql = f"INSERT INTO temp.usage_staging ({names}, line) VALUES ({marks}, ?)"

    def _run(self, before_users: int) -> ImportResult:
        try:
            for batch in self.source.batches(BATCH_CHARS):
                if self.cancel is not None and self.cancel():
                    raise ImportCancelled(
                        f"import of {self.source.name} cancelled; nothing was stored"
                    )
                valid = self.validator.validate(batch)
                if valid is not None and not self.validator.problems:
                    self._store(valid)
                if self.validator.full:
                    break
                if self.progress is not None:
                    self.progress(self.source.bytes_read, self.source.total_bytes)
        except ImportRejected as rejected:
            problems = self.validator.problems + rejected.problems
            raise ImportRejected(problems[:MAX_PROBLEMS]) from None
        self._check_complete()

        self._flush_users()
        self._resolve_duplicates()
        inserted, updated, unchanged = self.inserted, 0, 0
        if self.staged:
            staged_inserted, updated, unchanged = self._merge_staged()
            inserted += staged_inserted
        self._rebuild_indexes()
        self.users_added = self._count("users") - before_users
        result = ImportResult(
            file=self.source.name,
            weeks=sorted(self.weeks),
            rows=self.validator.rows_seen,
            inserted=inserted,
            updated=updated,
            unchanged=unchanged,
            warnings=[*self.warnings, *self._duplicate_warnings()],
            merged_duplicates=self.merged,
            users_added=self.users_added,
        )
        if inserted or updated or self.users_changed:
            self._close_log(result)
            result.import_id = self.import_id
        return result

    def _check_complete(self) -> None:
        problems = self.validator.problems
        if not problems and self.validator.rows_seen == 0:
            message = "the file has a header row but no data rows"
            problems.append(Problem(self.source.name, self.source.header_line, None, message))
        if problems:
            raise ImportRejected(problems, truncated=self.validator.full)

    def _count(self, table: str) -> int:
        return self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def _open_log(self) -> int:
        cursor = self.conn.execute(
            "INSERT INTO imports (kind, file_name, content_hash, rows, inserted, updated, "
            "unchanged, mapping, imported_at) VALUES ('usage', ?, ?, 0, 0, 0, 0, ?, ?)",
            (
                self.source.name,
                self.source.content_hash or "",
                json.dumps(self.plan.mapping.as_dict(), ensure_ascii=False),
                datetime.now(UTC).isoformat(timespec="seconds"),
            ),
        )
        return int(cursor.lastrowid)

    def _close_log(self, result: ImportResult) -> None:
        self.conn.execute(
            "UPDATE imports SET weeks = ?, rows = ?, inserted = ?, updated = ?, unchanged = ?, "
            "warnings = ? WHERE import_id = ?",
            (
                json.dumps(result.weeks),
                result.rows,
                result.inserted,
                result.updated,
                result.unchanged,
                json.dumps(result.warnings, ensure_ascii=False),
                self.import_id,
            ),
        )

    # -- storing batches -------------------------------------------------------------

    def _store(self, valid: ValidBatch) -> None:
        columns = [valid.weeks, valid.user_ids, *valid.metrics]
        if valid.custom is not None:
            columns.append(valid.custom)
        weeks = {valid.weeks[0]} if self.plan.week_column is None else set(valid.weeks)
        for week in weeks - self.weeks:
            self.week_has_rows[week] = self._week_has_rows(week)
            self.weeks.add(week)
        known = {week for week in weeks if self.week_has_rows[week]}
        every = range(len(valid.batch))
        if not self.bulk_decided and known != weeks:
            self._decide_bulk_load()
        if not known:
            self._insert_fresh(columns, every, valid)
        elif known == weeks:
            self._stage(columns, every, valid)
        else:
            self._insert_fresh(columns, [k for k in every if valid.weeks[k] not in known], valid)
            self._stage(columns, [k for k in every if valid.weeks[k] in known], valid)
        self.users.update(zip(valid.user_ids, zip(*valid.profiles)))  # noqa: B905 - same length
        if len(self.users) >= USER_FLUSH:
            self._flush_users()

    def _decide_bulk_load(self) -> None:
        """At the first rows of a new week: drop secondary indexes if this is a bulk load.

        It is one when the file should add at least ``BULK_MIN_ROWS`` rows (estimated
        from its size and the sampled rows) and the usage table holds fewer rows than
        that; the count stops at the estimate, so a big table is not counted in full.
        """
        self.bulk_decided = True
        expected = _expected_rows(self.source)
        if expected < BULK_MIN_ROWS:
            return
        stored = self.conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM main.usage LIMIT ?)", (expected,)
        ).fetchone()[0]
        if stored >= expected:
            return
        droppable = set()
        for table in BULK_TABLES:
            for _, name, unique, origin, _ in self.conn.execute(
                f"PRAGMA main.index_list({table})"
            ).fetchall():
                if not unique and origin == "c":  # keys catch duplicates as rows arrive
                    droppable.add(name)
        for name, sql in self.conn.execute(
            "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' ORDER BY rowid"
        ).fetchall():
            if name in droppable:
                self.conn.execute(f'DROP INDEX main."{name}"')
                self.dropped_indexes.append(sql)
        log.info(
            "bulk load of about %d rows into %d stored: %d indexes built after the rows",
            expected,
            stored,
            len(self.dropped_indexes),
        )

    def _rebuild_indexes(self) -> None:
        """Create the indexes a bulk load dropped, exactly as the schema defines them."""
        for sql in self.dropped_indexes:
            self.conn.execute(sql)
        self.dropped_indexes.clear()

    def _week_has_rows(self, week: str) -> bool:
        found = self.conn.execute("SELECT 1 FROM usage WHERE week = ? LIMIT 1", (week,))
        return found.fetchone() is not None

    def _insert_fresh(self, columns: list, index: Sequence[int], valid: ValidBatch) -> None:
        """Insert rows of new weeks; a primary-key clash is a duplicate within the file.

        ``index`` picks the batch rows to insert; all of them (a ``range``) is the fast
        path, where the rows go to SQLite straight from the columns without a list.
        """
        if not isinstance(index, range):
            columns = [[column[k] for k in index] for column in columns]
        rows = zip(*columns)  # noqa: B905 - columns of one batch have one length
        for k in self._insert_all(self.insert_sql, rows, len(index)):
            row = tuple(column[k] for column in columns)
            self._duplicate(row, valid.batch.line(index[k]), table="usage")
        self.inserted += len(index) - self._clashes

    def _stage(self, columns: list, index: Sequence[int], valid: ValidBatch) -> None:
        """Hold rows of already imported weeks for comparison with what is stored."""
        if not self.staged:
            self._create_staging()
        line = valid.batch.line
        staged = [(*(column[k] for column in columns), line(k)) for k in index]
        for k in self._insert_all(self.stage_sql, iter(staged), len(staged)):
            self._duplicate(staged[k][:-1], staged[k][-1], table="temp.usage_staging")

    def _insert_all(self, sql: str, rows: Iterator[tuple], count: int) -> Iterator[int]:
        """``executemany`` the rows, yielding the position of each one the key refused.

        ``executemany`` stops at a refused row having taken exactly the rows up to it
        from the iterator, and ``total_changes`` says how many it stored, so the refused
        row is found without a Python step per row and the rest carry on from there.
        """
        self._clashes = 0
        start = 0
        while start < count:
            before = self.conn.total_changes
            try:
                self.conn.executemany(sql, rows)
            except sqlite3.IntegrityError as exc:
                if "UNIQUE" not in str(exc):
                    raise
                k = start + self.conn.total_changes - before
                self._clashes += 1
                yield k
                start = k + 1
            else:
                return

    def _create_staging(self) -> None:
        self.staged = True
        self.conn.execute("DROP TABLE IF EXISTS temp.usage_staging")
        self.conn.execute("CREATE TEMP TABLE usage_staging AS SELECT * FROM main.usage WHERE 0")
        self.conn.execute("ALTER TABLE temp.usage_staging ADD COLUMN line INTEGER")
        self.conn.execute(
            "CREATE UNIQUE INDEX temp.usage_staging_key ON usage_staging (week, user_id)"
        )

    def _duplicate(self, row: tuple, line: int, *, table: str) -> None:
        names = ", ".join(self.stored_columns[2:])
        extra = ", line" if table.startswith("temp.") else ""
        stored = self.conn.execute(
            f"SELECT {names}{extra} FROM {table} WHERE week = ? AND user_id = ?",
            row[:2],
        ).fetchone()
        earlier_line = stored[-1] if extra else None
        earlier = stored[:-1] if extra else stored
        values = row[2:]
        differences = [
            f"{name} {old!r} vs {new!r}"
            for name, old, new in zip(self.columns, earlier, values, strict=True)
            if old != new
        ]
        identical = not differences
        if identical:
            self.merged += 1
            if self.merged > MAX_DUPLICATE_WARNINGS:
                return
        else:
            self.conflicts += 1
            if self.conflicts > MAX_PROBLEMS:
                return
        self.duplicates.append(
            _Duplicate(row[0], row[1], line, earlier_line, identical, "; ".join(differences))
        )

    def _resolve_duplicates(self) -> None:
        """Name both lines of every duplicate; conflicting ones reject the file."""
        if not self.duplicates:
            return
        missing = {(d.week, d.user_id) for d in self.duplicates if d.earlier_line is None}
        if missing:
            first = self._first_lines(missing)
            for duplicate in self.duplicates:
                if duplicate.earlier_line is None:
                    duplicate.earlier_line = first.get((duplicate.week, duplicate.user_id))
        conflicts = [d for d in self.duplicates if not d.identical]
        if not conflicts:
            return
        id_column = self.plan.id_column
        if id_column is None:
            id_column = self.plan.email_column
        column = self.plan.header_of(id_column) if id_column is not None else None
        problems = [
            Problem(
                self.source.name,
                d.line,
                column,
                f"user {d.user_id!r} in week {d.week} is also on line {d.earlier_line} "
                f"with different values ({d.differences}); keep one of the two lines",
            )
            for d in conflicts
        ]
        raise ImportRejected(problems, truncated=self.conflicts > MAX_PROBLEMS)

    def _first_lines(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Read the file again to find where each key first appears (duplicates only)."""
        validator = RowValidator(self.plan, max_problems=1)
        found: dict[tuple[str, str], int] = {}
        for batch in self.source.batches(BATCH_CHARS):
            valid = validator.validate(batch)
            if valid is None:
                continue
            for k, key in enumerate(zip(valid.weeks, valid.user_ids, strict=True)):
                if key in keys and key not in found:
                    found[key] = batch.line(k)
            if len(found) == len(keys):
                break
        return found

    def _duplicate_warnings(self) -> list[str]:
        merged = [d for d in self.duplicates if d.identical]
        warnings = [
            f"line {d.line} repeats line {d.earlier_line} exactly (user {d.user_id!r}, week "
            f"{d.week}); stored once"
            for d in merged
        ]
        if self.merged > MAX_DUPLICATE_WARNINGS:
            more = self.merged - MAX_DUPLICATE_WARNINGS
            warnings.append(f"{more} more identical repeated rows stored once")
        return warnings

    # -- comparing with stored weeks --------------------------------------------------

    def _merge_staged(self) -> tuple[int, int, int]:
        """Insert new user-weeks, update changed ones; return (inserted, updated, unchanged).

        Counting is one pass over the staged rows; when nothing is new or different (the
        same export imported again) the stored rows are not touched at all.
        """
        differs = " OR ".join(f"u.{c} IS NOT s.{c}" for c in self.columns)
        total, inserted, updated = self.conn.execute(
            "SELECT count(*), coalesce(sum(u.week IS NULL), 0), "
            f"coalesce(sum(u.week IS NOT NULL AND ({differs})), 0) "
            "FROM temp.usage_staging s LEFT JOIN main.usage u "
            "ON u.week = s.week AND u.user_id = s.user_id"
        ).fetchone()
        if inserted or updated:
            names = ", ".join(self.stored_columns)
            assignments = ", ".join(f"{c} = excluded.{c}" for c in [*self.columns, "import_id"])
            changed = " OR ".join(f"usage.{c} IS NOT excluded.{c}" for c in self.columns)
            self.conn.execute(
                f"INSERT INTO main.usage ({names}, import_id) "
                f"SELECT {names}, {self.import_id:d} FROM temp.usage_staging "
                f"WHERE true ON CONFLICT (week, user_id) DO UPDATE SET {assignments} "
                f"WHERE {changed}"
            )
        self.conn.execute("DROP TABLE temp.usage_staging")
        return inserted, updated, total - inserted - updated

    # -- users -----------------------------------------------------------------------

    def _flush_users(self) -> None:
        """Write the profiles seen so far; a blank cell never erases a stored value."""
        if not self.users:
            return
        before = self.conn.total_changes
        self.conn.executemany(
            "INSERT INTO users (user_id, email, name, company, title) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET "
            "email = coalesce(excluded.email, email), name = coalesce(excluded.name, name), "
            "company = coalesce(excluded.company, company), "
            "title = coalesce(excluded.title, title) "
            "WHERE coalesce(excluded.email, email) IS NOT email "
            "OR coalesce(excluded.name, name) IS NOT name "
            "OR coalesce(excluded.company, company) IS NOT company "
            "OR coalesce(excluded.title, title) IS NOT title",
            [
                (
                    user_id,
                    email.strip() or None,
                    name.strip() or None,
                    company.strip() or None,
                    title.strip() or None,
                )
                for user_id, (email, name, company, title) in self.users.items()
            ],
        )
        self.users_changed += self.conn.total_changes - before
        self.users.clear()
