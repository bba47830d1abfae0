"""The ``import-signups`` and ``funnel`` commands, run as a founder's script would."""

from __future__ import annotations

import json
from datetime import date

from plm_desktop.cli import main
from plm_desktop.loop.outcomes import record_outcome
from plm_desktop.store import open_database


def seed(db_path):
    db = open_database(db_path)
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO users (user_id, email, name) VALUES (?, ?, ?)",
            [("u1", "ana@acme.io", "Ana"), ("u2", "bo@acme.io", "Bo")],
        )
        conn.execute(
            "INSERT INTO referral_codes (user_id, code, created_at) VALUES ('u1', 'ana7k2', 'x')"
        )
        conn.executemany(
            "INSERT INTO usage (week, user_id, active_days) VALUES (?, ?, ?)",
            [("2026-11-02", "u1", 5), ("2026-11-02", "u2", 2)],
        )
    record_outcome(db, "u1", "posted", occurred_on=date(2026, 11, 3))
    record_outcome(db, "u1", "clicks", occurred_on=date(2026, 11, 4), amount=40)
    db.close()


def test_import_signups_prints_counts_and_json(db_path, tmp_path, capsys):
    seed(db_path)
    good = tmp_path / "signups.csv"
    good.write_text(
        "email,date,landing_url\n"
        "a@new.com,2026-11-05,https://acme.io/?ref=ana7k2\n"
        "b@new.com,2026-11-06,https://acme.io/\n",
        encoding="utf-8",
    )
    assert main(["--db", str(db_path), "import-signups", str(good)]) == 0
    out = capsys.readouterr().out
    assert "signups.csv: 2 signups from 2026-11-05 to 2026-11-06 (2 new" in out
    assert "attributed to advocates: 1 (1 by url)" in out
    assert "not matched (attribute by hand in the Loop screen): 1" in out

    bad = tmp_path / "bad.csv"
    bad.write_text("email,date\nnope,2026-11-05\n", encoding="utf-8")
    code = main(["import-signups", str(good), str(bad), "--json", "--db", str(db_path)])
    assert code == 1
    results = json.loads(capsys.readouterr().out)
    assert results[0]["already_imported"] is True
    assert results[1]["rejected"] is True
    assert results[1]["problems"] == [
        {
            "file": "bad.csv",
            "line": 2,
            "column": "email",
            "message": "'nope' is not an email address",
        }
    ]


def test_funnel_for_a_month_as_text_and_json(db_path, tmp_path, capsys):
    seed(db_path)
    signups = tmp_path / "s.csv"
    signups.write_text("email,date,ref\na@new.com,2026-11-05,ana7k2\n", encoding="utf-8")
    main(["--db", str(db_path), "import-signups", str(signups)])
    capsys.readouterr()

    assert main(["--db", str(db_path), "funnel", "--month", "2026-11", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["period"] == "2026-11"
    stages = {s["key"]: s for s in data["stages"]}
    assert list(stages) == ["activation", "celebration", "share", "amplification", "conversion"]
    assert stages["activation"]["value"] == 0.0
    assert stages["amplification"]["value"] == 40.0
    assert stages["conversion"]["value"] == 1 / 40
    assert stages["share"]["value"] is None and stages["share"]["display"] == "no data"
    assert data["viral_coefficient"]["value"] == 1.0
    assert data["counts"]["signups"] == 1
    assert [t["period"] for t in data["trend"]][-1] == "2026-11"

    assert main(["--db", str(db_path), "funnel", "--month", "2026-11"]) == 0
    out = capsys.readouterr().out
    assert "Funnel for 2026-11 (2026-11-01 to 2026-11-30)" in out
    assert "Amplification" in out and "40.0x" in out
    assert "Advocate activation cost: no data (1 new advocates)" in out

    assert main(["--db", str(db_path), "funnel", "--quarter", "2026-Q2", "--trend", "0"]) == 0
    out = capsys.readouterr().out
    assert "Nothing recorded in this period" in out
    assert "Trend by month" not in out


def test_funnel_flags_are_checked(db_path, capsys):
    for argv in (
        ["funnel", "--month", "2026-Q4"],
        ["funnel", "--quarter", "2026-11"],
        ["funnel", "--month", "11/2026"],
    ):
        try:
            main(["--db", str(db_path), *argv])
        except SystemExit as exc:
            assert exc.code == 2
        else:
            raise AssertionError(f"{argv} was accepted")
    assert "is a quarter" in capsys.readouterr().err
