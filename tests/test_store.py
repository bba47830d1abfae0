"""The store: WAL, numbered migrations, a backup before migrating, settings."""

from __future__ import annotations

import sqlite3

import pytest

from plm_desktop.store import MigrationError, open_database
from plm_desktop.store.database import _split_statements, available_migrations


def test_new_database_is_wal_and_at_latest_schema(db):
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.schema_version == available_migrations()[-1].version
    tables = {r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"users", "usage", "imports", "settings"} <= tables


def test_migrations_are_numbered_without_repeats():
    versions = [m.version for m in available_migrations()]
    assert versions == sorted(set(versions))
    assert versions[0] == 1


def test_settings_round_trip_and_survive_reopen(db, db_path):
    db.set_setting("brand", {"product": "Acme", "colors": ["#112233", "#ffffff"]})
    db.set_setting("brand", {"product": "Acme 2"})
    db.close()
    again = open_database(db_path)
    assert again.get_setting("brand") == {"product": "Acme 2"}
    assert again.get_setting("missing", 7) == 7
    again.close()


def test_migrating_an_older_file_backs_it_up_first(tmp_path):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(_first_migration_sql())
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO users (user_id, email) VALUES ('u1', 'a@example.com')")
    conn.commit()
    conn.close()

    latest = available_migrations()[-1].version
    db = open_database(path)
    backups = list(tmp_path.glob("old.sqlite.v1-*.bak"))
    if latest > 1:
        assert len(backups) == 1
        copy = sqlite3.connect(backups[0])
        assert copy.execute("SELECT email FROM users").fetchall() == [("a@example.com",)]
        assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
        copy.close()
    else:
        assert backups == []
    assert db.schema_version == latest
    assert db.conn.execute("SELECT user_id FROM users").fetchall() == [("u1",)]
    db.close()


def test_a_file_from_a_newer_app_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "future.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(MigrationError, match="newer PLM Desktop"):
        open_database(path)
    assert path.read_bytes() == before


def test_a_failing_migration_rolls_back_whole(tmp_path, monkeypatch):
    from plm_desktop.store import database

    good = available_migrations()
    broken = database.Migration(
        good[-1].version + 1,
        "9999_broken.sql",
        "CREATE TABLE t (x);\nINSERT INTO nope VALUES (1);",
    )
    monkeypatch.setattr(database, "available_migrations", lambda: [*good, broken])
    with pytest.raises(MigrationError, match="9999_broken"):
        open_database(tmp_path / "x.sqlite")
    conn = sqlite3.connect(tmp_path / "x.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == good[-1].version
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 't'").fetchall() == []
    conn.close()


def test_statement_splitter_keeps_semicolons_inside_strings():
    sql = "-- note; not a statement\nCREATE TABLE a (x TEXT DEFAULT ';');\nSELECT 1;\n"
    assert len(_split_statements(sql)) == 2


def _first_migration_sql() -> str:
    return available_migrations()[0].sql
