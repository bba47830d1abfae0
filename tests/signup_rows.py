"""Signups stored straight into a test database, as one signups import would store them."""

from __future__ import annotations


def add_signup(db, key: str, day: str, kind: str = "signup", email: str | None = None) -> int:
    """Store one signup (its own import) and return its id; ``email`` defaults to ``key``."""
    with db.transaction() as conn:
        import_id = conn.execute(
            "INSERT INTO imports (kind, file_name, content_hash, rows, inserted, updated,"
            " unchanged, imported_at) VALUES ('signups', 's.csv', ?, 1, 1, 0, 0, 'now')",
            (key,),
        ).lastrowid
        return conn.execute(
            "INSERT INTO signups (signup_key, email, signed_up_on, kind, import_id)"
            " VALUES (?, ?, ?, ?, ?)",
            (key, email if email is not None else key, day, kind, import_id),
        ).lastrowid
