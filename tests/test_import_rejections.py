"""Bad files are refused with located problems, and a refused file stores nothing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from plm_desktop.importer import ImportRejected, import_usage_file
from plm_desktop.importer.sniff import CHUNK_CHARS
from plm_desktop.store import open_database

WEEK = "2026-11-30"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def counts(db) -> tuple[int, int, int]:
    return tuple(
        db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("usage", "users", "imports")
    )


def rejected(db, path: Path, **kwargs) -> ImportRejected:
    before = counts(db)
    with pytest.raises(ImportRejected) as caught:
        import_usage_file(db, path, **kwargs)
    assert counts(db) == before
    assert str(caught.value).startswith(f"{path.name}: rejected, nothing was stored")
    return caught.value


def test_empty_file(db, tmp_path):
    error = rejected(db, write(tmp_path / f"usage-{WEEK}.csv", ""))
    assert "empty" in error.problems[0].message


def test_whitespace_only_file(db, tmp_path):
    error = rejected(db, write(tmp_path / f"usage-{WEEK}.csv", "\n\r\n  \n"))
    assert "empty" in error.problems[0].message


def test_header_only_file(db, tmp_path):
    error = rejected(db, write(tmp_path / f"usage-{WEEK}.csv", "user_id,active_days\n"))
    (problem,) = error.problems
    assert problem.line == 1 and "no data rows" in problem.message


def test_binary_file_named_csv(db, tmp_path):
    path = tmp_path / f"usage-{WEEK}.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40)
    error = rejected(db, path)
    assert "not a CSV text file" in error.problems[0].message


def test_spreadsheet_workbook_named_csv(db, tmp_path):
    path = tmp_path / f"usage-{WEEK}.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + os.urandom(2000))
    error = rejected(db, path)
    assert "export it as CSV" in error.problems[0].message


def test_binary_data_after_a_text_start(db, tmp_path):
    path = tmp_path / f"usage-{WEEK}.csv"
    text = "user_id,active_days\n" + "".join(f"u{n},3\n" for n in range(20_000))
    path.write_bytes(text.encode() + b"\x00\x01\x02garbage")
    error = rejected(db, path)
    assert "NUL" in error.problems[0].message


def test_non_numeric_and_out_of_range_values_are_all_reported(db, tmp_path):
    text = (
        "user_id,active_days,nps,sessions,invites_sent\n"
        "u1,3,9,4,0\n"
        "u2,8,5,4,0\n"
        "u3,2,11,4,0\n"
        "u4,2,7,lots,0\n"
        "u5,-1,7,4,0\n"
        "u6,2,7,4,1.5\n"
        "u7,2,-3,4,0\n"
        "u8,2,7,99999999999999999999999,0\n"
    )
    error = rejected(db, write(tmp_path / f"usage-{WEEK}.csv", text))
    found = {(p.line, p.column): p.message for p in error.problems}
    assert set(found) == {
        (3, "active_days"),
        (4, "nps"),
        (5, "sessions"),
        (6, "active_days"),
        (7, "invites_sent"),
        (8, "nps"),
        (9, "sessions"),
    }
    assert "active days must be 0-7" in found[(3, "active_days")]
    assert "NPS must be 0-10" in found[(4, "nps")]
    assert "'lots' is not a number" in found[(5, "sessions")]
    assert "not a whole number" in found[(7, "invites_sent")]
    assert "too large" in found[(9, "sessions")]
    text = str(error)
    assert f"usage-{WEEK}.csv, line 4, column 'nps': '11' is out of range" in text


def test_only_the_first_problems_are_listed(db, tmp_path):
    text = "user_id,active_days\n" + "".join(f"u{n},9\n" for n in range(500))
    error = rejected(db, write(tmp_path / f"usage-{WEEK}.csv", text))
    assert len(error.problems) == 20 and error.truncated
    assert [p.line for p in error.problems] == list(range(2, 22))
    assert "stopped looking" in str(error)


def test_missing_required_columns_are_named_together(db, tmp_path):
    text = "name,company,sessions\nAna,Acme,3\n"
    error = rejected(db, write(tmp_path / "export.csv", text))
    messages = " | ".join(p.message for p in error.problems)
    assert "no user id column" in messages
    assert "no active days column" in messages
    assert "no week" in messages
    assert "'name', 'company', 'sessions'" in messages


def test_a_row_with_the_wrong_number_of_values(db, tmp_path):
    text = "user_id,name,active_days\nu1,Ana,3\nu2,Doe, Jane,2\nu3,Cy\n"
    error = rejected(db, write(tmp_path / f"usage-{WEEK}.csv", text))
    assert [
        (p.line, "4 values" in p.message or "2 values" in p.message) for p in error.problems
    ] == [
        (3, True),
        (4, True),
    ]


def test_blank_id_and_bad_email(db, tmp_path):
    text = "user_id,email,active_days\nu1,ana@acme.io,3\n,,2\nu3,not-an-email,1\n"
    error = rejected(db, write(tmp_path / f"usage-{WEEK}.csv", text))
    assert [(p.line, p.column) for p in error.problems] == [(3, "user_id"), (4, "email")]


def test_rows_of_only_delimiters_are_skipped(db, tmp_path):
    text = "user_id,active_days,sessions\nu1,3,1\n,,\n\nu2,4,2\n,,\n"
    result = import_usage_file(db, write(tmp_path / f"usage-{WEEK}.csv", text))
    assert result.rows == 2 and result.inserted == 2


def test_conflicting_duplicates_name_both_lines(db, tmp_path):
    text = "user_id,active_days,sessions\nu1,3,1\nu2,4,2\nu1,5,1\n"
    error = rejected(db, write(tmp_path / f"usage-{WEEK}.csv", text))
    (problem,) = error.problems
    assert problem.line == 4
    assert "also on line 2" in problem.message and "active_days 3 vs 5" in problem.message


def test_conflicting_duplicates_in_an_already_imported_week(db, tmp_path):
    path = write(tmp_path / f"usage-{WEEK}.csv", "user_id,active_days\nu1,3\nu2,4\n")
    import_usage_file(db, path)
    write(path, "user_id,active_days\nu1,3\nu2,5\nu2,6\n")
    error = rejected(db, path)
    (problem,) = error.problems
    assert problem.line == 4 and "also on line 3" in problem.message


def test_identical_duplicates_are_merged_with_a_warning(db, tmp_path):
    text = "user_id,active_days,sessions\nu1,3,1\nu2,4,2\nu1,3,1\n"
    result = import_usage_file(db, write(tmp_path / f"usage-{WEEK}.csv", text))
    assert (result.rows, result.inserted, result.merged_duplicates) == (3, 2, 1)
    assert any("line 4 repeats line 2" in w for w in result.warnings)


def test_bad_week_values_in_a_week_column(db, tmp_path):
    text = "week,user_id,active_days\n2026-11-30,u1,3\nlast week,u2,3\n,u3,1\n"
    error = rejected(db, write(tmp_path / "usage.csv", text))
    assert [(p.line, p.column) for p in error.problems] == [(3, "week"), (4, "week")]
    assert "not a date" in error.problems[0].message


def test_unknown_text_in_a_custom_metric_column(db, tmp_path):
    rows = "".join(f"u{n},3,{n}\n" for n in range(300))
    text = "user_id,active_days,hours_saved\n" + rows + "u_bad,2,about five\n"
    error = rejected(db, write(tmp_path / f"usage-{WEEK}.csv", text))
    (problem,) = error.problems
    assert (problem.line, problem.column) == (302, "hours_saved")
    assert "ignore" in problem.message


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_rejected_halfway_leaves_the_database_byte_for_byte_unchanged(tmp_path):
    db_path = tmp_path / "plm.sqlite"
    db = open_database(db_path)
    first = write(tmp_path / "usage-2026-11-23.csv", "user_id,active_days\nu1,3\nu2,4\n")
    import_usage_file(db, first)
    db.close()
    digest = _file_digest(db_path)
    assert not Path(f"{db_path}-wal").exists()

    # 80,000 good rows (several batches, so rows are written before the bad one is met),
    # then one bad value near the end; the existing week is re-sent too (staging path).
    rows = "".join(f"2026-11-30,u{n},{n % 8}\n" for n in range(80_000))
    text = "week,user_id,active_days\n2026-11-23,u1,3\n" + rows + "2026-11-30,u_x,12\n"
    bad = write(tmp_path / "usage-backfill.csv", text)
    assert bad.stat().st_size > CHUNK_CHARS
    db = open_database(db_path)
    with pytest.raises(ImportRejected) as caught:
        import_usage_file(db, bad)
    assert caught.value.problems[0].line == 80_003
    db.close()
    assert _file_digest(db_path) == digest

    db = open_database(db_path)
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.conn.execute("SELECT count(*) FROM usage").fetchone()[0] == 2
    db.close()


def test_a_file_listing_every_row_twice_is_merged_quickly(db, tmp_path):
    rows = "".join(f"u{n},{n % 8}\n" for n in range(30_000))
    path = write(tmp_path / f"usage-{WEEK}.csv", "user_id,active_days\n" + rows + rows)
    result = import_usage_file(db, path)
    assert (result.rows, result.inserted, result.merged_duplicates) == (60_000, 30_000, 30_000)
    assert result.warnings[0] == (
        f"line 30002 repeats line 2 exactly (user 'u0', week {WEEK}); stored once"
    )
    assert result.warnings[-1] == "29995 more identical repeated rows stored once"


def test_many_conflicts_are_capped(db, tmp_path):
    rows = "".join(f"u{n},1\n" for n in range(1000))
    again = "".join(f"u{n},2\n" for n in range(1000))
    error = rejected(
        db, write(tmp_path / f"usage-{WEEK}.csv", "user_id,active_days\n" + rows + again)
    )
    assert len(error.problems) == 20 and error.truncated
    assert error.problems[0].line == 1002 and "also on line 2" in error.problems[0].message
