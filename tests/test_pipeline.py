"""The import pipeline: store, rescore, and link signups to the users they became."""

from __future__ import annotations

from plm_desktop.loop.attribution import signups
from plm_desktop.pipeline import import_usage


def _signup_without_user(db, email: str) -> int:
    with db.transaction() as conn:
        import_id = conn.execute(
            "INSERT INTO imports (kind, file_name, content_hash, rows, inserted, updated,"
            " unchanged, imported_at) VALUES ('signups', 's.csv', 'h', 1, 1, 0, 0, 'now')"
        ).lastrowid
        return conn.execute(
            "INSERT INTO signups (signup_key, signed_up_on, import_id, email)"
            " VALUES ('k1', '2026-11-10', ?, ?)",
            (import_id, email),
        ).lastrowid


def test_a_usage_import_links_a_referred_signup_to_its_new_user(db, tmp_path):
    signup_id = _signup_without_user(db, "Late.Joiner@example.com")
    export = tmp_path / "usage-2026-11-30.csv"
    export.write_text(
        "user_id,email,active_days,features_used\n"
        "u1,founder@example.com,5,4\n"
        "u7,late.joiner@example.com,2,1\n",
        encoding="utf-8",
    )

    result = import_usage(db, export)

    assert result.inserted == 2 and result.scored is not None
    [signup] = [s for s in signups(db) if s.signup_id == signup_id]
    assert signup.user_id == "u7"
