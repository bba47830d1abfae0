"""``plm-desktop import``: the scripted weekly run's flags, JSON and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from plm_desktop.cli import main

GOOD = "user_id,active_days,Hours Saved\nu1,3,2.5\nu2,4,1\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def run_json(capsys, *args: str) -> tuple[int, list[dict]]:
    code = main([*args, "--json"])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines()]


def test_json_has_the_contract_fields_and_exit_0(tmp_path, capsys, db_path):
    path = write(tmp_path / "usage-2026-11-30.csv", GOOD)
    code, records = run_json(capsys, "--db", str(db_path), "import", str(path))
    assert code == 0
    (record,) = records
    assert {"file", "weeks", "rows", "inserted", "updated", "unchanged"} <= set(record)
    assert record["file"] == "usage-2026-11-30.csv"
    assert (record["weeks"], record["rows"], record["inserted"]) == (["2026-11-30"], 2, 2)
    assert (record["updated"], record["unchanged"], record["status"]) == (0, 0, "imported")

    code, records = run_json(capsys, "--db", str(db_path), "import", str(path))
    assert code == 0
    assert records[0]["status"] == "unchanged" and records[0]["already_imported"] is True
    assert (records[0]["inserted"], records[0]["unchanged"]) == (0, 2)


def test_one_rejected_file_does_not_stop_the_others(tmp_path, capsys, db_path):
    good = write(tmp_path / "usage-2026-11-30.csv", GOOD)
    bad = write(tmp_path / "usage-2026-11-23.csv", "user_id,active_days\nu1,3\nu2,9\n")
    other = write(tmp_path / "usage-2026-11-16.csv", GOOD)
    code, records = run_json(
        capsys, "--db", str(db_path), "import", str(good), str(bad), str(other)
    )
    assert code == 1
    assert [r["status"] for r in records] == ["imported", "rejected", "imported"]
    problem = records[1]["problems"][0]
    assert (problem["line"], problem["column"]) == (3, "active_days")
    assert "nothing was stored" in records[1]["error"]


def test_week_and_map_flags(tmp_path, capsys, db_path):
    path = write(tmp_path / "export.csv", "member,days\nu1,3\n")
    code, records = run_json(
        capsys,
        "--db", str(db_path), "import", str(path), "--week", "2026-12-02",
        "--map", "member=user_id", "--map", "days=active_days",
    )  # fmt: skip
    assert code == 0
    assert records[0]["weeks"] == ["2026-11-30"]
    assert records[0]["mapping"] == {"member": "user_id", "days": "active_days"}


def test_usage_errors_exit_2(tmp_path, db_path):
    path = write(tmp_path / "usage-2026-11-30.csv", GOOD)
    base = [sys.executable, "-m", "plm_desktop", "--db", str(db_path), "import"]
    for extra in (["--week", "30/11/2026"], ["--map", "user_id"], ["--map", "a=nonsense"], []):
        args = base + ([str(path)] if extra else []) + extra
        done = subprocess.run(args, capture_output=True, text=True)
        assert done.returncode == 2, (extra, done.stderr)
        assert "error" in done.stderr


def test_human_output_says_what_happened(tmp_path, capsys, db_path):
    path = write(tmp_path / "usage-2026-11-30.csv", GOOD + "u3,9,1\n")
    assert main(["--db", str(db_path), "import", str(path)]) == 1
    out = capsys.readouterr().out
    assert "usage-2026-11-30.csv: rejected, nothing was stored (1 problem)" in out
    assert "line 4, column 'active_days'" in out
    write(path, GOOD)
    assert main(["--db", str(db_path), "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 rows for week(s) 2026-11-30: 2 inserted, 0 updated, 0 unchanged" in out
