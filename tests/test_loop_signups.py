"""The signups import: sniffing, mapping, validation, atomicity, attribution, linking."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from plm_desktop.importer.errors import ImportCancelled, ImportRejected
from plm_desktop.loop.attribution import signups
from plm_desktop.loop.codes import CodeBook
from plm_desktop.loop.signups import (
    import_signups_file,
    map_signup_headers,
    parse_signup_date,
    signup_kind,
)

BOOK = CodeBook({"ana7k2": "u1", "boq9x1": "u2"})
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def users(db):
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO users (user_id, email, name) VALUES (?, ?, ?)",
            [
                ("u1", "ana@acme.io", "Ana"),
                ("u2", "bo@acme.io", "Bo"),
                ("c42", "carla@client.com", "Carla"),
            ],
        )
    return db


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def count(db, table):
    return db.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_import_attributes_by_code_utm_and_url_and_keeps_the_rest(users, tmp_path):
    path = write(
        tmp_path,
        "signups-2026-11.csv",
        (
            "Email Address;Signup Date;Referral Code;UTM Campaign;utm_content;Landing Page;Type\n"
            "x1@new.com;2026-11-03;ANA7K2;;;;Signup\n"
            "x2@new.com;2026-11-04T10:22:00Z;;advocate-boq9x1;;;signup\n"
            "x3@new.com;05.11.2026;;;;https://acme.io/start?ref=ana7k2;Demo request\n"
            "carla@client.com;2026-11-06;;spring;;https://acme.io/;signup\n"
        ),
    )
    result = import_signups_file(users, path, book=BOOK, now=NOW)
    assert (result.rows, result.inserted, result.updated, result.unchanged) == (4, 4, 0, 0)
    assert (result.attributed, result.unattributed) == (3, 1)
    assert result.by_how == {"code": 1, "utm": 1, "url": 1}
    assert result.linked == 1
    assert (result.first_day, result.last_day) == (date(2026, 11, 3), date(2026, 11, 6))
    stored = {s.email: s for s in signups(users)}
    assert stored["x3@new.com"].kind == "demo"
    assert stored["x3@new.com"].signed_up_on == date(2026, 11, 5)
    assert stored["carla@client.com"].user_id == "c42"
    assert stored["carla@client.com"].advocate_user_id is None
    imported = users.conn.execute("SELECT kind, file_name, rows FROM imports").fetchall()
    assert imported == [("signups", "signups-2026-11.csv", 4)]


def test_a_bad_file_is_refused_whole_with_located_problems(users, tmp_path):
    path = write(
        tmp_path,
        "bad.csv",
        (
            "email,date,ref\n"
            "ok@new.com,2026-11-03,ana7k2\n"
            "not-an-email,2026-11-03,\n"
            "z@new.com,yesterday,\n"
            "y@new.com,03/04/2026,\n"
            ",2026-11-03,\n"
        ),
    )
    with pytest.raises(ImportRejected) as refused:
        import_signups_file(users, path, book=BOOK, now=NOW)
    problems = refused.value.problems
    assert [(p.line, p.column) for p in problems] == [
        (3, "email"),
        (4, "date"),
        (5, "date"),
        (6, None),
    ]
    assert "not an email" in problems[0].message
    assert "ambiguous" in problems[2].message
    report = str(refused.value)
    assert report.startswith("bad.csv: rejected, nothing was stored (4 problems)")
    assert "bad.csv, line 4, column 'date':" in report
    assert count(users, "signups") == 0
    assert count(users, "imports") == 0


def test_missing_columns_are_named(users, tmp_path):
    path = write(tmp_path, "leads.csv", "name,company\nAna,Acme\n")
    with pytest.raises(ImportRejected) as refused:
        import_signups_file(users, path, book=BOOK)
    messages = [p.message for p in refused.value.problems]
    assert messages[0].startswith("no email or id column")
    assert messages[1].startswith("no date column")


def test_overrides_map_odd_headers(users, tmp_path):
    path = write(
        tmp_path, "odd.csv", "Who,When,Came From\nq@new.com,2026-11-09,https://a.io/?ref=boq9x1\n"
    )
    result = import_signups_file(
        users,
        path,
        book=BOOK,
        overrides={"Who": "email", "When": "signed_up_on", "Came From": "landing_url"},
    )
    assert result.by_how == {"url": 1}
    with pytest.raises(ImportRejected, match="not a signup field"):
        import_signups_file(users, path, book=BOOK, overrides={"Who": "favourite_colour"})


def test_reimport_is_a_no_op_and_an_overlapping_export_updates(users, tmp_path):
    first = write(tmp_path, "a.csv", "email,date\nx1@new.com,2026-11-03\nx2@new.com,2026-11-04\n")
    import_signups_file(users, first, book=BOOK)
    again = import_signups_file(users, first, book=BOOK)
    assert again.already_imported and again.import_id is None
    assert count(users, "imports") == 1

    overlap = write(
        tmp_path,
        "b.csv",
        (
            "email,date,ref\nx1@new.com,2026-11-03,\nx2@new.com,2026-11-04,boq9x1\n"
            "x3@new.com,2026-11-05,\n"
        ),
    )
    result = import_signups_file(users, overlap, book=BOOK)
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 1)
    assert result.by_how == {"code": 1}
    assert count(users, "signups") == 3


def test_repeated_people_keep_their_earliest_date_and_a_warning(users, tmp_path):
    path = write(tmp_path, "r.csv", "email,date\nx@new.com,2026-11-09\nX@new.com,2026-11-02\n")
    result = import_signups_file(users, path, book=BOOK)
    assert result.rows == 1
    assert result.warnings == ["1 rows repeat a person already listed; the earliest date was kept"]
    assert signups(users)[0].signed_up_on == date(2026, 11, 2)


def test_windows_1252_tab_separated_export(users, tmp_path):
    path = write(
        tmp_path,
        "hubspot.tsv",
        "Record ID\tCreate Date\tFirst Page Seen\tNote\r\n"
        "981\t2026-11-12 09:00\thttps://acme.io/?utm_content=ana7k2\tCafé\r\n",
        encoding="cp1252",
    )
    result = import_signups_file(users, path, book=BOOK)
    assert result.by_how == {"url": 1}
    assert signups(users)[0].external_id == "981"


def test_cancel_stores_nothing(users, tmp_path):
    path = write(tmp_path, "c.csv", "email,date\nx@new.com,2026-11-09\n")
    with pytest.raises(ImportCancelled):
        import_signups_file(users, path, book=BOOK, cancel=lambda: True)
    assert count(users, "signups") == 0


def test_date_and_kind_reading():
    assert parse_signup_date("2026-11-03") == date(2026, 11, 3)
    assert parse_signup_date("2026/11/03 17:00") == date(2026, 11, 3)
    assert parse_signup_date("25/11/2026") == date(2026, 11, 25)
    assert parse_signup_date("11/25/2026") == date(2026, 11, 25)
    assert parse_signup_date("03.11.2026") == date(2026, 11, 3)
    assert parse_signup_date("1793700000") == date(2026, 11, 3)
    for bad in ("03/11/2026", "soon", "2026-13-01"):
        with pytest.raises(ValueError):
            parse_signup_date(bad)
    assert signup_kind("Demo request") == "demo"
    assert signup_kind("Book a meeting") == "demo"
    assert signup_kind("trial") == "signup"
    assert signup_kind(None) == "signup"


def test_header_synonyms():
    mapping = map_signup_headers(
        ["$distinct_id", "$initial_utm_campaign", "created_at", "Plan", "E-mail"]
    )
    assert mapping.as_dict() == {
        "$distinct_id": "external_id",
        "$initial_utm_campaign": "utm_campaign",
        "created_at": "signed_up_on",
        "Plan": "ignore",
        "E-mail": "email",
    }
