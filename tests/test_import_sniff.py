"""The generic CSV source other imports build on, and the preview the window shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from plm_desktop.importer import ImportRejected, open_csv, preview_file
from plm_desktop.importer.mapping import map_headers, normalise_header


def write(path: Path, data: str | bytes) -> Path:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def test_open_csv_streams_any_headers_with_line_numbers(tmp_path):
    text = 'Title line\n\nemail;ref code;landing\na@x.io;ABC;"https://x.io/?a=1;b"\n\nb@x.io;;\n'
    with open_csv(write(tmp_path / "signups.csv", text)) as source:
        assert source.header == ["email", "ref code", "landing"]
        assert (source.delimiter, source.header_line) == (";", 3)
        assert len(source.content_hash) == 64
        rows = list(source)
    assert rows == [
        (4, ["a@x.io", "ABC", "https://x.io/?a=1;b"]),
        (6, ["b@x.io", "", ""]),
    ]


def test_plain_and_quoted_batches_agree(tmp_path):
    plain = "a,b,c\n" + "".join(f"{n},x{n},y\n" for n in range(1000))
    quoted = "a,b,c\n" + "".join(f'{n},"x{n}",y\n' for n in range(1000))
    with (
        open_csv(write(tmp_path / "p.csv", plain)) as one,
        open_csv(write(tmp_path / "q.csv", quoted)) as two,
    ):
        assert list(one) == list(two)
        assert next(iter(one.batches())).columns is not None
        assert next(iter(two.batches())).columns is None


def test_utf16_with_bom_from_excel_unicode_text(tmp_path):
    text = "user_id\tname\tactive_days\r\nu1\tZoë\t3\r\n"
    with open_csv(write(tmp_path / "u.csv", text.encode("utf-16"))) as source:
        assert source.delimiter == "\t"
        assert list(source) == [(2, ["u1", "Zoë", "3"])]


def test_a_quote_that_never_closes(tmp_path):
    text = 'user_id,name,active_days\nu1,"Ana,3\n' + "u2,Bo,4\n" * 1_100_000
    path = write(tmp_path / "usage-2026-11-30.csv", text)
    with open_csv(path) as source, pytest.raises(ImportRejected) as caught:
        list(source.batches())
    assert caught.value.problems[0].line == 2
    assert "never closed" in caught.value.problems[0].message


def test_header_normalisation():
    assert normalise_header(" Active-Days ") == normalise_header("active_days") == "activedays"
    assert normalise_header("$distinct_id") == "distinctid"
    mapping = map_headers(["$distinct_id", "Person.ID", "Email Address", "NPS Score"])
    assert mapping.as_dict() == {
        "$distinct_id": "user_id",
        "Person.ID": "ignore",
        "Email Address": "email",
        "NPS Score": "nps",
    }
    assert "'Person.ID' ignored" in mapping.warnings[0]


def test_preview_reports_what_is_missing_without_raising(tmp_path):
    path = write(tmp_path / "export.csv", "member,days,plan\nu1,3,pro\n")
    preview = preview_file(path)
    assert not preview.importable
    assert {p.message.split(" (")[0] for p in preview.problems} >= {"no user id column"}
    assert preview.week is None and preview.week_origin is None
    fixed = preview_file(
        path, week="2026-12-02", overrides={"member": "user_id", "days": "active_days"}
    )
    assert fixed.importable and fixed.week == "2026-11-30" and fixed.week_origin == "given"
    assert fixed.mapping == {"member": "user_id", "days": "active_days", "plan": "ignore"}
    assert fixed.rows == [["u1", "3", "pro"]]


def test_carriage_return_only_line_ends(tmp_path):
    rows = "".join(f"u{n},Name {n},{n % 8}\r" for n in range(60_000))
    path = write(tmp_path / "usage-2026-11-30.csv", "user_id,name,active_days\r" + rows)
    with open_csv(path) as source:
        read = list(source)
    assert len(read) == 60_000
    assert read[-1] == (60_001, ["u59999", "Name 59999", "7"])
