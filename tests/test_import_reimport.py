"""Weeks, idempotent and corrected re-imports, custom metrics, overrides, progress, cancel."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from plm_desktop.importer import (
    ImportCancelled,
    ImportRejected,
    MappingError,
    import_usage_file,
    parse_week,
    week_from_file_name,
)
from plm_desktop.pipeline import import_usage


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def usage(db) -> list[tuple]:
    return db.conn.execute(
        "SELECT week, user_id, active_days, sessions, custom FROM usage ORDER BY week, user_id"
    ).fetchall()


WEEKLY = "user_id,name,active_days,sessions\nu1,Ana,3,5\nu2,Bo,4,6\nu3,Cy,0,0\n"


@pytest.mark.parametrize(
    ("name", "week"),
    [
        ("usage-2026-11-30.csv", "2026-11-30"),
        ("usage-2026-12-03.csv", "2026-11-30"),  # a Thursday: its week's Monday
        ("export_20261206.csv", "2026-11-30"),  # a Sunday
        ("weekly 2026_12_07 final.csv", "2026-12-07"),
        ("usage.csv", None),
        ("usage-2026-13-45.csv", None),
    ],
)
def test_week_from_file_name(name, week):
    assert week_from_file_name(name) == week


@pytest.mark.parametrize(
    ("text", "week"),
    [
        ("2026-12-02", "2026-11-30"),
        ("2026/12/02", "2026-11-30"),
        ("2026-12-02T13:45:00Z", "2026-11-30"),
        ("2026-12-02 00:00:00", "2026-11-30"),
        ("2026-W49", "2026-11-30"),
    ],
)
def test_week_cells_are_normalised_to_monday(text, week):
    assert parse_week(text) == week


def test_per_week_file_takes_the_week_from_its_name(db, tmp_path):
    result = import_usage_file(db, write(tmp_path / "usage-2026-12-02.csv", WEEKLY))
    assert result.weeks == ["2026-11-30"]
    assert {row[0] for row in usage(db)} == {"2026-11-30"}


def test_explicit_week_wins_over_the_file_name_and_accepts_any_day(db, tmp_path):
    path = write(tmp_path / "usage-2026-12-02.csv", WEEKLY)
    result = import_usage_file(db, path, week=date(2026, 11, 19))
    assert result.weeks == ["2026-11-16"]
    result = import_usage_file(db, path, week="2026-11-25")
    assert result.weeks == ["2026-11-23"]


def test_a_file_without_any_week_is_rejected(db, tmp_path):
    with pytest.raises(ImportRejected) as caught:
        import_usage_file(db, write(tmp_path / "usage.csv", WEEKLY))
    assert "--week" in caught.value.problems[0].message


def test_multi_week_file_with_a_week_column(db, tmp_path):
    text = (
        "Week,User ID,Active Days\n"
        "2026-11-23,u1,2\n2026-11-30,u1,3\n2026-11-24,u2,1\n2026-12-01T00:00:00Z,u2,4\n"
    )
    result = import_usage_file(
        db, write(tmp_path / "usage-2026-12-07.csv", text), week="2026-12-07"
    )
    assert result.weeks == ["2026-11-23", "2026-11-30"]
    assert any("week column" in w for w in result.warnings)
    assert [row[:3] for row in usage(db)] == [
        ("2026-11-23", "u1", 2),
        ("2026-11-23", "u2", 1),
        ("2026-11-30", "u1", 3),
        ("2026-11-30", "u2", 4),
    ]


def test_importing_the_same_file_again_changes_nothing_and_says_so(db, tmp_path):
    path = write(tmp_path / "usage-2026-11-30.csv", WEEKLY)
    first = import_usage(db, path)
    assert (first.inserted, first.updated, first.unchanged) == (3, 0, 0)
    assert first.changed and not first.already_imported
    before = usage(db), db.conn.execute("SELECT * FROM imports").fetchall()
    again = import_usage(db, path)
    assert (again.rows, again.inserted, again.updated, again.unchanged) == (3, 0, 0, 3)
    assert again.already_imported and not again.changed and again.import_id is None
    assert "already imported; nothing changed" in again.summary()
    assert (usage(db), db.conn.execute("SELECT * FROM imports").fetchall()) == before


def test_a_corrected_export_updates_only_the_changed_rows(db, tmp_path):
    path = write(tmp_path / "usage-2026-11-30.csv", WEEKLY)
    first = import_usage(db, path)
    write(path, "user_id,name,active_days,sessions\nu1,Ana,3,5\nu2,Bo,5,6\nu3,Cy,1,2\nu4,Di,2,2\n")
    corrected = import_usage(db, path)
    assert (corrected.inserted, corrected.updated, corrected.unchanged) == (1, 2, 1)
    assert not corrected.already_imported
    assert [row[:4] for row in usage(db)] == [
        ("2026-11-30", "u1", 3, 5),
        ("2026-11-30", "u2", 5, 6),
        ("2026-11-30", "u3", 1, 2),
        ("2026-11-30", "u4", 2, 2),
    ]
    by_user = dict(db.conn.execute("SELECT user_id, import_id FROM usage").fetchall())
    assert by_user == {
        "u1": first.import_id,
        "u2": corrected.import_id,
        "u3": corrected.import_id,
        "u4": corrected.import_id,
    }
    log = db.conn.execute(
        "SELECT file_name, weeks, rows, inserted, updated, unchanged, content_hash "
        "FROM imports ORDER BY import_id"
    ).fetchall()
    assert [row[:6] for row in log] == [
        ("usage-2026-11-30.csv", '["2026-11-30"]', 3, 3, 0, 0),
        ("usage-2026-11-30.csv", '["2026-11-30"]', 4, 1, 2, 1),
    ]
    assert log[0][6] != log[1][6] and len(log[0][6]) == 64


def test_a_file_mixing_new_and_known_weeks(db, tmp_path):
    import_usage_file(db, write(tmp_path / "usage-2026-11-23.csv", "user_id,active_days\nu1,2\n"))
    text = "week,user_id,active_days\n2026-11-23,u1,3\n2026-11-30,u1,4\n2026-11-30,u2,1\n"
    result = import_usage_file(db, write(tmp_path / "backfill.csv", text))
    assert (result.inserted, result.updated, result.unchanged) == (2, 1, 0)
    assert [row[:3] for row in usage(db)] == [
        ("2026-11-23", "u1", 3),
        ("2026-11-30", "u1", 4),
        ("2026-11-30", "u2", 1),
    ]


def test_profile_changes_count_as_changes_and_blanks_never_erase(db, tmp_path):
    path = write(
        tmp_path / "usage-2026-11-30.csv",
        "user_id,title,company,active_days\nu1,Engineer,Acme,3\n",
    )
    import_usage_file(db, path)
    write(path, "user_id,title,company,active_days\nu1,VP Engineering,,3\n")
    result = import_usage_file(db, path)
    assert result.changed and (result.inserted, result.updated, result.unchanged) == (0, 0, 1)
    row = db.conn.execute("SELECT title, company FROM users WHERE user_id = 'u1'").fetchone()
    assert row == ("VP Engineering", "Acme")


def test_unknown_numeric_columns_are_kept_as_custom_metrics(db, tmp_path):
    text = (
        "user_id,active_days,Hours Saved,Reports Exported,plan,\n"
        "u1,3,4.5,2,pro,\nu2,2,,7,free,\nu3,1,,,free,\n"
    )
    result = import_usage_file(db, write(tmp_path / "usage-2026-11-30.csv", text))
    assert result.mapping["Hours Saved"] == "custom:hours_saved"
    assert result.mapping["Reports Exported"] == "custom:reports_exported"
    assert result.mapping["plan"] == "ignore"
    assert any("'plan' ignored" in w for w in result.warnings)
    logged = db.conn.execute("SELECT warnings, mapping FROM imports").fetchone()
    assert json.loads(logged[0]) == result.warnings
    assert json.loads(logged[1])["Hours Saved"] == "custom:hours_saved"
    custom = [json.loads(row[4]) if row[4] else None for row in usage(db)]
    assert custom == [{"hours_saved": 4.5, "reports_exported": 2}, {"reports_exported": 7}, None]


def test_overrides_correct_the_mapping(db, tmp_path):
    text = "member,days,nps,score\nu1,3,9,10\nu2,4,8,12\n"
    path = write(tmp_path / "usage-2026-11-30.csv", text)
    with pytest.raises(ImportRejected):
        import_usage_file(db, path)
    result = import_usage_file(
        db,
        path,
        overrides={
            "member": "user_id",
            "Days": "active_days",
            "nps": "ignore",
            "score": "custom:health",
        },
    )
    assert result.mapping == {
        "member": "user_id",
        "days": "active_days",
        "nps": "ignore",
        "score": "custom:health",
    }
    rows = db.conn.execute("SELECT user_id, active_days, nps, custom FROM usage ORDER BY 1")
    assert rows.fetchall() == [
        ("u1", 3, None, '{"health": 10}'),
        ("u2", 4, None, '{"health": 12}'),
    ]


def test_an_override_for_a_column_the_file_lacks_is_a_warning(db, tmp_path):
    path = write(tmp_path / "usage-2026-11-30.csv", WEEKLY)
    result = import_usage_file(db, path, overrides={"Seats": "ignore"})
    assert result.inserted == 3
    assert "the mapping for 'Seats' was not used: the file has no such column" in result.warnings


def test_an_override_to_an_unknown_field_is_refused(db, tmp_path):
    path = write(tmp_path / "usage-2026-11-30.csv", WEEKLY)
    with pytest.raises(MappingError, match="not a field"):
        import_usage_file(db, path, overrides={"name": "full_name"})


def test_two_columns_for_one_field_keep_the_better_synonym(db, tmp_path):
    text = "id,user_id,active_days\n1,u1,3\n"
    result = import_usage_file(db, write(tmp_path / "usage-2026-11-30.csv", text))
    assert result.mapping["user_id"] == "user_id" and result.mapping["id"] == "ignore"
    assert usage(db)[0][1] == "u1"


def _big_file(path: Path, rows: int) -> Path:
    body = "".join(f"u{n},Name {n},{n % 8},{n % 50}\n" for n in range(rows))
    return write(path, "user_id,name,active_days,sessions\n" + body)


def test_progress_is_reported_in_bytes_up_to_the_total(db, tmp_path):
    path = _big_file(tmp_path / "usage-2026-11-30.csv", 150_000)
    seen: list[tuple[int, int]] = []
    import_usage_file(db, path, progress=lambda done, total: seen.append((done, total)))
    size = path.stat().st_size
    assert len(seen) >= 3
    assert all(total == size for _, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1] == (size, size)


def test_cancel_stops_the_import_and_stores_nothing(db, tmp_path):
    path = _big_file(tmp_path / "usage-2026-11-30.csv", 150_000)
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) >= 2

    with pytest.raises(ImportCancelled):
        import_usage_file(db, path, cancel=cancel)
    assert db.conn.execute("SELECT count(*) FROM usage").fetchone()[0] == 0
    assert db.conn.execute("SELECT count(*) FROM imports").fetchone()[0] == 0
    assert import_usage_file(db, path).inserted == 150_000
