"""Crediting signups to the advocates who brought them, and linking signups to users.

Matching reads the referral codes advocates were given (:func:`code_book`); a signup no
code matches stays unattributed until the founder attributes it by hand. Matches made
by hand are never overwritten by a later automatic pass.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime

from plm_desktop.loop.codes import CodeBook, CodeMatch
from plm_desktop.store import Database

log = logging.getLogger(__name__)


class AttributionError(ValueError):
    """A hand attribution that cannot be made (unknown signup or advocate)."""


@dataclass(frozen=True)
class Signup:
    """A stored signup and, when known, who brought it and which user it became."""

    signup_id: int
    signup_key: str
    email: str | None
    external_id: str | None
    signed_up_on: date
    kind: str
    referral_code: str | None
    landing_url: str | None
    user_id: str | None
    advocate_user_id: str | None
    how: str | None


def code_book(db: Database) -> CodeBook:
    """Every referral code the sharing side handed out (``referral_codes``), mapped to
    its advocate."""
    rows = db.conn.execute("SELECT code, user_id FROM referral_codes").fetchall()
    return CodeBook(dict(rows))


def match_signup(book: CodeBook, row: dict[str, str | None]) -> CodeMatch | None:
    """The advocate a stored signup row (column name -> value) points to, if any."""
    utm = {k: row.get(k) for k in ("utm_campaign", "utm_content", "utm_term")}
    return book.match(
        referral_code=row.get("referral_code"), utm=utm, landing_url=row.get("landing_url")
    )


def attribute_signups(
    db: Database,
    *,
    book: CodeBook | None = None,
    signup_ids: list[int] | None = None,
    now: datetime | None = None,
) -> int:
    """Match signups without an attribution against the referral codes; return matches.

    Only signups with no attribution are considered, so hand attributions stand. Runs in
    the caller's transaction when one is open (the import), in its own otherwise.
    """
    book = book if book is not None else code_book(db)
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    sql = (
        "SELECT s.signup_id, s.referral_code, s.utm_campaign, s.utm_content, s.utm_term,"
        " s.landing_url FROM signups s LEFT JOIN attribution a USING (signup_id)"
        " WHERE a.signup_id IS NULL"
    )
    rows = db.conn.execute(sql).fetchall()
    wanted = set(signup_ids) if signup_ids is not None else None
    names = ("referral_code", "utm_campaign", "utm_content", "utm_term", "landing_url")
    matches = []
    for signup_id, *values in rows:
        if wanted is not None and signup_id not in wanted:
            continue
        found = match_signup(book, dict(zip(names, values, strict=True)))
        if found is not None:
            matches.append((signup_id, found.user_id, found.how, found.code, stamp))
    if matches:
        _write(
            db,
            "INSERT INTO attribution (signup_id, advocate_user_id, how, code, attributed_at)"
            " SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM users WHERE user_id = ?)",
            [(*m, m[1]) for m in matches],
        )
    log.info("attributed %d of %d unmatched signups by referral code", len(matches), len(rows))
    return len(matches)


def attribute_by_hand(
    db: Database, signup_id: int, advocate_user_id: str | None, *, now: datetime | None = None
) -> None:
    """Credit a signup to an advocate the founder names, or clear its credit (None)."""
    if (
        db.conn.execute("SELECT 1 FROM signups WHERE signup_id = ?", (signup_id,)).fetchone()
        is None
    ):
        raise AttributionError(f"no signup {signup_id} in the database")
    if (
        advocate_user_id is not None
        and db.conn.execute(
            "SELECT 1 FROM users WHERE user_id = ?", (advocate_user_id,)
        ).fetchone()
        is None
    ):
        raise AttributionError(f"no user {advocate_user_id!r} to credit; check the id")
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    with db.transaction() as conn:
        conn.execute("DELETE FROM attribution WHERE signup_id = ?", (signup_id,))
        if advocate_user_id is not None:
            conn.execute(
                "INSERT INTO attribution (signup_id, advocate_user_id, how, code, attributed_at)"
                " VALUES (?, ?, 'manual', NULL, ?)",
                (signup_id, advocate_user_id, stamp),
            )
    log.info("signup %d attributed by hand to %s", signup_id, advocate_user_id or "nobody")


def link_signups_to_users(db: Database) -> int:
    """Link signups to the users they became, by id first, then by email; return links made.

    Call after a usage import: a referred person who starts using the product shows up
    there, and from then on their own activation is visible beside their advocate's.
    """
    by_id = (
        "UPDATE signups SET user_id = (SELECT u.user_id FROM users u"
        " WHERE u.user_id = signups.external_id)"
        " WHERE user_id IS NULL AND external_id IS NOT NULL"
        " AND EXISTS (SELECT 1 FROM users u WHERE u.user_id = signups.external_id)"
    )
    by_email = (
        "UPDATE signups SET user_id = (SELECT MIN(u.user_id) FROM users u"
        " WHERE u.email = signups.email COLLATE NOCASE)"
        " WHERE user_id IS NULL AND email IS NOT NULL"
        " AND EXISTS (SELECT 1 FROM users u WHERE u.email = signups.email COLLATE NOCASE)"
    )
    linked = _write(db, by_id) + _write(db, by_email)
    if linked:
        log.info("linked %d signups to users that appeared in usage", linked)
    return linked


def _write(db: Database, sql: str, many: list[tuple] | None = None) -> int:
    """Run a write inside the open transaction, or in one of its own."""

    def run(conn) -> int:
        if many is None:
            return conn.execute(sql).rowcount
        return conn.executemany(sql, many).rowcount

    if db.conn.in_transaction:
        return run(db.conn)
    with db.transaction() as conn:
        return run(conn)


_SIGNUP_COLUMNS = (
    "s.signup_id, s.signup_key, s.email, s.external_id, s.signed_up_on, s.kind,"
    " s.referral_code, s.landing_url, s.user_id, a.advocate_user_id, a.how"
)


def signups(
    db: Database,
    *,
    advocate_user_id: str | None = None,
    unattributed: bool = False,
    start: date | None = None,
    end: date | None = None,
) -> list[Signup]:
    """Stored signups, newest first: all, one advocate's, or those no one is credited with."""
    sql = f"SELECT {_SIGNUP_COLUMNS} FROM signups s LEFT JOIN attribution a USING (signup_id)"
    where, params = [], []
    if advocate_user_id is not None:
        where.append("a.advocate_user_id = ?")
        params.append(advocate_user_id)
    if unattributed:
        where.append("a.signup_id IS NULL")
    if start is not None:
        where.append("s.signed_up_on >= ?")
        params.append(start.isoformat())
    if end is not None:
        where.append("s.signed_up_on <= ?")
        params.append(end.isoformat())
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY s.signed_up_on DESC, s.signup_id DESC"
    rows = db.conn.execute(sql, params).fetchall()
    return [Signup(r[0], r[1], r[2], r[3], date.fromisoformat(r[4]), *r[5:]) for r in rows]
