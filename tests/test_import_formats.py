"""The usage import reads exports from every tool: headers, delimiters, encodings, quoting."""

from __future__ import annotations

from pathlib import Path

import pytest

from plm_desktop.importer import ImportRejected, import_usage_file, open_csv

WEEK = "2026-11-30"

# The same two users as each tool writes them.
DIALECTS = {
    "own database": (
        "user_id,email,name,company,title,active_days,sessions,features_used,invites_sent,nps\n"
        "u1,ana@acme.io,Ana Núñez,Acme,VP Sales,5,12,6,2,9\n"
        "u2,bo@acme.io,Bo Li,Acme,Engineer,1,2,1,0,\n"
    ),
    "posthog": (
        "distinct_id,person.properties.email,person.properties.name,$company,"
        "job_title,days_active,$session_count,features,invites,nps_score\n"
        "u1,ana@acme.io,Ana Núñez,Acme,VP Sales,5,12,6,2,9\n"
        "u2,bo@acme.io,Bo Li,Acme,Engineer,1,2,1,0,\n"
    ),
    "posthog person": (
        "person.id,Email,Name,Organization,Role,Active days (7d),Sessions,Feature count,"
        "Invitations sent,NPS\n"
        "u1,ana@acme.io,Ana Núñez,Acme,VP Sales,5,12,6,2,9\n"
        "u2,bo@acme.io,Bo Li,Acme,Engineer,1,2,1,0,\n"
    ),
    "mixpanel": (
        "$distinct_id,$email,$name,Company,Title,Active Days,Sessions,Distinct Features,"
        "Invites Sent,NPS Score\n"
        "u1,ana@acme.io,Ana Núñez,Acme,VP Sales,5,12,6,2,9\n"
        "u2,bo@acme.io,Bo Li,Acme,Engineer,1,2,1,0,\n"
    ),
    "amplitude": (
        "User ID,Email,Full Name,Account Name,Job Title,Days Active,Session Count,"
        "Unique Features Used,Users Invited,Net Promoter Score\n"
        "u1,ana@acme.io,Ana Núñez,Acme,VP Sales,5,12,6,2,9\n"
        "u2,bo@acme.io,Bo Li,Acme,Engineer,1,2,1,0,\n"
    ),
    "intercom": (
        "External ID,Email Address,Name,Company name,Position,Active Days,Sessions,"
        "Features Used,Invites,NPS Rating\n"
        "u1,ana@acme.io,Ana Núñez,Acme,VP Sales,5,12,6,2,9\n"
        "u2,bo@acme.io,Bo Li,Acme,Engineer,1,2,1,0,\n"
    ),
    "spreadsheet": (
        "Email Address,Name,Company,Job title,Active Days,Sessions,Features used,"
        "Invites sent,NPS\n"
        "ana@acme.io,Ana Núñez,Acme,VP Sales,5,12,6,2,9\n"
        "bo@acme.io,Bo Li,Acme,Engineer,1,2,1,0,\n"
    ),
}


def write(path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def stored(db) -> list[tuple]:
    return db.conn.execute(
        "SELECT u.week, s.email, s.name, s.company, s.title, u.active_days, u.sessions, "
        "u.features_used, u.invites_sent, u.nps FROM usage u JOIN users s USING (user_id) "
        "ORDER BY s.email"
    ).fetchall()


EXPECTED = [
    (WEEK, "ana@acme.io", "Ana Núñez", "Acme", "VP Sales", 5, 12, 6, 2, 9),
    (WEEK, "bo@acme.io", "Bo Li", "Acme", "Engineer", 1, 2, 1, 0, None),
]


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_each_header_dialect_stores_the_same_values(db, tmp_path, dialect):
    path = write(tmp_path / f"usage-{WEEK}.csv", DIALECTS[dialect])
    result = import_usage_file(db, path)
    assert result.inserted == 2 and result.rows == 2
    assert result.weeks == [WEEK]
    assert stored(db) == EXPECTED
    assert not [w for w in result.warnings if "ignored" in w]


def test_email_serves_as_the_id_when_there_is_none(db, tmp_path):
    path = write(tmp_path / f"usage-{WEEK}.csv", DIALECTS["spreadsheet"].replace("ana@", "Ana@"))
    import_usage_file(db, path)
    ids = [r[0] for r in db.conn.execute("SELECT user_id FROM usage ORDER BY user_id")]
    assert ids == ["ana@acme.io", "bo@acme.io"]


def test_semicolon_with_bom(db, tmp_path):
    text = DIALECTS["own database"].replace(",", ";")
    path = tmp_path / f"usage-{WEEK}.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    source = open_csv(path)
    assert (source.encoding, source.delimiter) == ("utf-8-sig", ";")
    assert source.header[0] == "user_id"
    source.close()
    result = import_usage_file(db, path)
    assert result.encoding == "UTF-8 with BOM" and result.delimiter == ";"
    assert stored(db) == EXPECTED


def test_windows_1252_from_excel(db, tmp_path):
    text = DIALECTS["own database"].replace("Bo Li", "Zoë Müller-Lefèvre")
    path = write(tmp_path / f"usage-{WEEK}.csv", text.replace("\n", "\r\n"), encoding="cp1252")
    result = import_usage_file(db, path)
    assert result.encoding == "Windows-1252"
    names = [r[2] for r in stored(db)]
    assert names == ["Ana Núñez", "Zoë Müller-Lefèvre"]


def test_windows_1252_accent_far_into_the_file(db, tmp_path):
    """The first 64 KiB are plain ASCII; the whole-file scan still picks Windows-1252."""
    lines = ["user_id,name,active_days"]
    lines += [f"u{n},Plain Name {n},3" for n in range(5000)]
    lines.append("u_last,José Núñez,4")
    path = write(tmp_path / f"usage-{WEEK}.csv", "\n".join(lines) + "\n", encoding="cp1252")
    result = import_usage_file(db, path)
    assert result.rows == 5001
    name = db.conn.execute("SELECT name FROM users WHERE user_id = 'u_last'").fetchone()[0]
    assert name == "José Núñez"


def test_tab_separated(db, tmp_path):
    path = write(tmp_path / f"usage-{WEEK}.tsv", DIALECTS["mixpanel"].replace(",", "\t"))
    assert import_usage_file(db, path).delimiter == "\t"
    assert stored(db) == EXPECTED


def test_quoted_commas_and_newlines_keep_line_numbers_right(db, tmp_path):
    text = (
        "user_id,name,company,active_days\n"
        'u1,"Núñez, Ana","Acme, Inc.",5\n'
        'u2,"Bo ""The Builder"" Li","Line one\nline two\r\nline three",2\n'
        "u3,Cy,Plain,9\n"
    )
    path = write(tmp_path / f"usage-{WEEK}.csv", text)
    with pytest.raises(ImportRejected) as caught:
        import_usage_file(db, path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (6, "active_days")

    path.write_text(text.replace("Plain,9", "Plain,4"), encoding="utf-8")
    assert import_usage_file(db, path).inserted == 3
    rows = db.conn.execute("SELECT name, company FROM users ORDER BY user_id").fetchall()
    assert rows[0] == ("Núñez, Ana", "Acme, Inc.")
    assert rows[1] == ('Bo "The Builder" Li', "Line one\nline two\r\nline three")


def test_quoted_rows_across_batch_boundaries(db, tmp_path):
    """Rows with quoted newlines spread over many 1 MiB chunks are all read, once each."""
    rows = [f'u{n},"Name {n}\nsecond line, with comma",{n % 8}' for n in range(60_000)]
    text = "user_id,name,active_days\n" + "\n".join(rows) + "\n"
    path = write(tmp_path / f"usage-{WEEK}.csv", text)
    assert len(text) > 2 * 1024 * 1024
    result = import_usage_file(db, path)
    assert result.inserted == 60_000
    name = db.conn.execute("SELECT name FROM users WHERE user_id = 'u59999'").fetchone()[0]
    assert name == "Name 59999\nsecond line, with comma"


def test_blank_numbers_are_stored_as_missing(db, tmp_path):
    text = "user_id,active_days,sessions,nps,tasks_completed\nu1,3,,,\nu2,, 4 ,7,\n"
    import_usage_file(db, write(tmp_path / f"usage-{WEEK}.csv", text))
    rows = db.conn.execute(
        "SELECT user_id, active_days, sessions, nps, tasks_completed FROM usage ORDER BY 1"
    ).fetchall()
    assert rows == [("u1", 3, None, None, None), ("u2", None, 4, 7, None)]


def test_preamble_lines_before_the_header_are_skipped(db, tmp_path):
    text = "Weekly usage report\nGenerated 2026-12-01\n\nuser_id,active_days\nu1,3\nu2,oops\n"
    with pytest.raises(ImportRejected) as caught:
        import_usage_file(db, write(tmp_path / f"usage-{WEEK}.csv", text))
    assert caught.value.problems[0].line == 6


def test_grouped_thousands_and_integral_decimals(db, tmp_path):
    text = 'user_id;active_days;content_views;sessions\nu1;3;"1,234";2.0\nu2;1;1 500;3\n'
    import_usage_file(db, write(tmp_path / f"usage-{WEEK}.csv", text))
    rows = db.conn.execute("SELECT content_views, sessions FROM usage ORDER BY user_id")
    assert rows.fetchall() == [(1234, 2), (1500, 3)]


def test_crlf_plain_file(db, tmp_path):
    text = DIALECTS["own database"].replace("\n", "\r\n")
    import_usage_file(db, write(tmp_path / f"usage-{WEEK}.csv", text))
    assert stored(db) == EXPECTED
