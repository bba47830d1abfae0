"""The rank, milestones and export-segment commands, and the segment CSV's escaping."""

from __future__ import annotations

import csv
import json

import pytest

from plm_desktop.cli import main
from plm_desktop.scoring import export_segment, leaderboard, neutralise_cell, refresh_weeks
from plm_desktop.scoring.weekdates import shift_week
from plm_desktop.store import open_database
from tests.test_scoring import add_usage

W = "2026-11-30"
W1 = shift_week(W, -1)


@pytest.fixture
def ranked_db(db, db_path):
    """Twenty users over two weeks, scored, with a few milestones."""
    for n in range(20):
        for week in (W1, W):
            add_usage(
                db,
                week,
                f"u{n:02d}",
                active_days=n % 8,
                features_used=n % 6,
                invites_sent=n % 4,
                nps=10 - n % 5,
                tasks_completed=60,
            )
    refresh_weeks(db, [W1])
    return db_path


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_rank_json_has_the_contract_fields(ranked_db, capsys):
    code, out, _err = run_cli(capsys, "--db", str(ranked_db), "rank", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 10
    for field in ("rank", "user_id", "email", "name", "score", "points", "candidate"):
        assert field in rows[0]
    assert "top_percent" in rows[0]
    assert set(rows[0]["points"]) >= {"frequency", "depth", "collaboration", "sentiment"}
    assert [r["rank"] for r in rows] == list(range(1, 11))
    first = rows[0]
    assert first["score"] == sum(
        first["points"][p] for p in ("frequency", "depth", "collaboration", "sentiment")
    )
    assert isinstance(first["candidate"], bool)
    assert first["top_percent"] == 5


def test_rank_top_and_week_options(ranked_db, capsys):
    code, out, _ = run_cli(capsys, "rank", "--db", str(ranked_db), "--top", "3", "--json")
    assert code == 0 and len(json.loads(out)) == 3
    code, out, _ = run_cli(
        capsys, "--db", str(ranked_db), "rank", "--week", "2026-11-25", "--json"
    )
    assert code == 0
    assert {r["week"] for r in json.loads(out)} == {W1}
    assert {r["movement"] for r in json.loads(out)} == {"new"}


def test_rank_prints_a_readable_table(ranked_db, capsys):
    with open_database(ranked_db) as db:
        candidates = sum(r.candidate for r in leaderboard(db, top=None).rows)
    code, out, _ = run_cli(capsys, "--db", str(ranked_db), "rank", "--top", "2")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Week of {W}: 20 ranked users, {candidates} advocate candidates"
    assert lines[2].split()[:6] == ["rank", "move", "user", "name", "email", "score"]
    # u15: 7 days, 3 features, 6 invites, NPS 10 = 90; u05 also 90 with 5 days.
    assert lines[4].split()[:3] == ["1", "=", "u15"]
    assert lines[5].split()[:3] == ["2", "=", "u05"]
    assert len(lines) == 6


def test_rank_of_an_unscored_week_fails_with_the_reason(ranked_db, capsys):
    code, _out, err = run_cli(capsys, "--db", str(ranked_db), "rank", "--week", "2020-01-01")
    assert code == 1
    assert "no scores for the week of 2019-12-30" in err


def test_rank_on_an_empty_database(db_path, capsys):
    code, out, _ = run_cli(capsys, "--db", str(db_path), "rank")
    assert code == 0
    assert "Nothing is ranked yet" in out
    code, out, _ = run_cli(capsys, "--db", str(db_path), "rank", "--json")
    assert json.loads(out) == []


def test_rank_rejects_a_bad_top(ranked_db, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--db", str(ranked_db), "rank", "--top", "0"])
    assert exc.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err


def test_milestones_json_lists_who_crossed_what(ranked_db, capsys):
    code, out, _ = run_cli(capsys, "--db", str(ranked_db), "milestones", "--json")
    assert code == 0
    found = json.loads(out)
    task = [m for m in found if m["kind"] == "task_100"]
    assert len(task) == 20, "60 + 60 tasks crosses 100 in the second week for everyone"
    assert {"user_id", "kind", "week", "value", "email", "name", "label"} <= set(task[0])
    assert {m["week"] for m in found} == {W}
    code, out, _ = run_cli(capsys, "--db", str(ranked_db), "milestones", "--week", W1)
    assert code == 0
    assert "top_5" in out and "task_100" not in out


def test_milestones_table_says_when_none(ranked_db, capsys):
    code, out, _ = run_cli(
        capsys, "--db", str(ranked_db), "milestones", "--week", shift_week(W, -5)
    )
    assert code == 0
    assert out.strip() == f"No milestones crossed in the week of {shift_week(W, -5)}."


def test_export_segment_writes_the_top_ten_percent(ranked_db, capsys, tmp_path):
    out_file = tmp_path / "segment.csv"
    code, out, _ = run_cli(capsys, "--db", str(ranked_db), "export-segment", str(out_file))
    assert code == 0
    assert "(2 users)" in out
    with out_file.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["rank"] for r in rows] == ["1", "2"]
    assert {"user_id", "email", "score", "frequency", "depth", "collaboration", "sentiment"} <= (
        set(rows[0])
    )
    assert all(int(r["top_percent"]) <= 10 for r in rows)


def test_export_segment_of_an_unscored_week_writes_nothing(ranked_db, capsys, tmp_path):
    out_file = tmp_path / "segment.csv"
    code, _out, err = run_cli(
        capsys, "--db", str(ranked_db), "export-segment", str(out_file), "--week", "2021-01-04"
    )
    assert code == 1
    assert "no scores for the week of 2021-01-04" in err
    assert not out_file.exists()


def test_export_segment_to_a_missing_folder_fails_cleanly(ranked_db, capsys, tmp_path):
    out_file = tmp_path / "no-such-folder" / "segment.csv"
    code, _out, err = run_cli(capsys, "--db", str(ranked_db), "export-segment", str(out_file))
    assert code == 1
    assert "cannot write" in err


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("Ann = Bob", "Ann = Bob"),
        ("plain@example.com", "plain@example.com"),
        (None, ""),
        (42, "42"),
    ],
)
def test_cells_that_start_a_formula_are_neutralised(value, expected):
    assert neutralise_cell(value) == expected


def test_segment_csv_neutralises_user_supplied_text(db, tmp_path):
    add_usage(db, W, "=cmd|' /C calc'!A0", active_days=7, features_used=5, nps=10)
    for n in range(9):  # with ten ranked users the top 10 % is the first one
        add_usage(db, W, f"quiet{n}", active_days=1)
    db.conn.execute(
        "UPDATE users SET name = '@SUM(1+1)', email = '+x@example.com', company = '-Evil', "
        "title = 'Head of =Growth' WHERE user_id LIKE '=%'"
    )
    refresh_weeks(db, [W])
    result = export_segment(db, tmp_path / "s.csv")
    assert result.users == 1
    with (tmp_path / "s.csv").open(encoding="utf-8", newline="") as stream:
        row = next(csv.DictReader(stream))
    assert row["user_id"] == "'=cmd|' /C calc'!A0"
    assert row["name"] == "'@SUM(1+1)"
    assert row["email"] == "'+x@example.com"
    assert row["company"] == "'-Evil"
    assert row["title"] == "Head of =Growth"


def test_segment_replaces_an_earlier_file_whole(db, tmp_path):
    for n in range(30):
        add_usage(db, W, f"u{n:02d}", active_days=n % 8)
    refresh_weeks(db, [W])
    target = tmp_path / "s.csv"
    target.write_text("old contents that must go\n" * 100, encoding="utf-8")
    result = export_segment(db, target, percent=20)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert result.users == 6
    assert len(lines) == 7
    assert "old contents" not in target.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".s.csv.")]
