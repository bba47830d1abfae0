"""Bulk loads: secondary indexes dropped inside the import and rebuilt before it commits."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from plm_desktop.importer import ImportCancelled, ImportRejected, import_usage_file
from plm_desktop.importer import usage as usage_module
from plm_desktop.store import open_database

ROWS = 60_000


def schema(db) -> list[tuple]:
    """The schema as stored, in the order its entries were created."""
    return db.conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid"
    ).fetchall()


def definitions(db) -> list[tuple]:
    """The schema by name (a rebuilt index is a newer entry of the same definition)."""
    return sorted(schema(db), key=lambda entry: (entry[0], entry[1]))


def contents(db) -> tuple[list, list]:
    usage = db.conn.execute(
        "SELECT week, user_id, active_days, nps, custom FROM usage ORDER BY week, user_id"
    ).fetchall()
    users = db.conn.execute("SELECT * FROM users ORDER BY user_id").fetchall()
    return usage, users


def backfill(path: Path, rows: int = ROWS, tail: str = "") -> Path:
    lines = [
        f"2026-11-{23 + 7 * (n % 2):02d},u{n // 2},u{n // 2}@example.com,{n % 8},"
        f"{'' if n % 3 else n % 11},{n % 5}.5\n"
        for n in range(rows)
    ]
    text = "week,user_id,email,active_days,nps,hours_saved\n" + "".join(lines) + tail
    path.write_text(text, encoding="utf-8")
    return path


def uses_index(db, sql: str, index: str) -> bool:
    plan = db.conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
    return any(index in row[-1] for row in plan)


def test_a_bulk_load_stores_what_a_row_by_row_load_stores(tmp_path, monkeypatch, caplog):
    path = backfill(tmp_path / "usage-backfill.csv")
    row_by_row = open_database(tmp_path / "rows.sqlite")
    before = schema(row_by_row)
    with monkeypatch.context() as patch:
        patch.setattr(usage_module, "BULK_MIN_ROWS", 10**12)
        with caplog.at_level(logging.INFO, logger="plm_desktop.importer.usage"):
            import_usage_file(row_by_row, path)
    assert "bulk load" not in caplog.text

    bulk = open_database(tmp_path / "bulk.sqlite")
    with caplog.at_level(logging.INFO, logger="plm_desktop.importer.usage"):
        result = import_usage_file(bulk, path)
    assert "bulk load" in caplog.text
    assert result.inserted == ROWS
    assert schema(row_by_row) == before
    assert definitions(bulk) == definitions(row_by_row)
    assert contents(bulk) == contents(row_by_row)
    assert bulk.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    by_user = "SELECT week FROM usage WHERE user_id = 'u7'"
    assert uses_index(bulk, by_user, "usage_by_user")
    by_email = "SELECT user_id FROM users WHERE email = 'U7@example.com' COLLATE NOCASE"
    assert uses_index(bulk, by_email, "users_by_email")
    row_by_row.close()
    bulk.close()


def test_a_rejected_bulk_load_leaves_the_schema_and_rows_as_they_were(db, tmp_path):
    small = tmp_path / "usage-2026-11-16.csv"
    small.write_text("user_id,email,active_days\nu1,a@b.co,3\n", encoding="utf-8")
    import_usage_file(db, small)
    before_schema, before_rows = schema(db), contents(db)
    path = backfill(tmp_path / "usage-backfill.csv", tail="2026-11-30,zz,z@b.co,9,,1\n")
    with pytest.raises(ImportRejected) as caught:
        import_usage_file(db, path)
    assert caught.value.problems[0].line == ROWS + 2
    assert schema(db) == before_schema
    assert contents(db) == before_rows
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_bulk_load_cancelled_after_dropping_the_indexes_restores_them(db, tmp_path):
    before = schema(db)
    path = backfill(tmp_path / "usage-backfill.csv")
    dropped = []

    def cancel() -> bool:
        names = {row[1] for row in schema(db)}
        dropped.append("usage_by_user" not in names)
        return len(dropped) >= 3

    with pytest.raises(ImportCancelled):
        import_usage_file(db, path, cancel=cancel)
    assert dropped[-1], "the indexes were expected to be dropped while rows were written"
    assert schema(db) == before
    assert db.conn.execute("SELECT count(*) FROM usage").fetchone()[0] == 0
    assert import_usage_file(db, path).inserted == ROWS
    assert definitions(db) == sorted(before, key=lambda entry: (entry[0], entry[1]))


def test_a_file_smaller_than_the_table_keeps_the_indexes(db, tmp_path, monkeypatch, caplog):
    import_usage_file(db, backfill(tmp_path / "usage-backfill.csv"))
    monkeypatch.setattr(usage_module, "BULK_MIN_ROWS", 1_000)
    weekly = "user_id,active_days\n" + "".join(f"w{n},{n % 8}\n" for n in range(5_000))
    path = tmp_path / "usage-2026-12-07.csv"
    path.write_text(weekly, encoding="utf-8")
    caplog.clear()  # the back-fill above was a bulk load and may have been logged
    with caplog.at_level(logging.INFO, logger="plm_desktop.importer.usage"):
        assert import_usage_file(db, path).inserted == 5_000
    assert "bulk load" not in caplog.text
