"""The advocate roster: everyone the loop works with, where they stand and what they
brought, in one row each; and what an ask message to one of them is filled from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from plm_desktop.loop.ladder import LadderState, ladder_state
from plm_desktop.loop.outcomes import OutcomeTotals, totals_of
from plm_desktop.loop.program import ProgramSettings
from plm_desktop.loop.report import first_name
from plm_desktop.store import Database


@dataclass(frozen=True)
class AdvocateRow:
    """One advocate: who, ladder state, outcomes and attributed signups (all time)."""

    user_id: str
    name: str | None
    email: str | None
    company: str | None
    code: str | None
    ladder: LadderState
    totals: OutcomeTotals
    signups: int
    demos: int
    active_signups: int  # referred signups who became users

    @property
    def display_name(self) -> str:
        return self.name or self.email or self.user_id


def advocate_ids(db: Database) -> list[str]:
    """Users the loop works with: those with a referral code, a recorded outcome, an
    ask, an attributed signup, or an advocate-candidate score in the latest week."""
    rows = db.conn.execute(
        "SELECT user_id FROM referral_codes"
        " UNION SELECT advocate_user_id FROM outcomes"
        " UNION SELECT advocate_user_id FROM asks"
        " UNION SELECT advocate_user_id FROM attribution"
        " UNION SELECT user_id FROM scores WHERE candidate = 1"
        " AND week = (SELECT MAX(week) FROM scores)"
    ).fetchall()
    known = {r[0] for r in db.conn.execute("SELECT user_id FROM users")}
    return sorted(r[0] for r in rows if r[0] in known)


def advocate_roster(db: Database, *, now: datetime | None = None) -> list[AdvocateRow]:
    """Every advocate with their ladder state and results, furthest up the ladder first."""
    now = now or datetime.now(UTC)
    referred = {}
    for advocate, kind, count, active in db.conn.execute(
        "SELECT a.advocate_user_id, s.kind, COUNT(*), COUNT(s.user_id) FROM attribution a"
        " JOIN signups s USING (signup_id) GROUP BY a.advocate_user_id, s.kind"
    ):
        referred.setdefault(advocate, {})[kind] = (count, active)
    codes = dict(db.conn.execute("SELECT user_id, code FROM referral_codes").fetchall())
    rows = []
    for user_id in advocate_ids(db):
        name, email, company = db.conn.execute(
            "SELECT name, email, company FROM users WHERE user_id = ?", (user_id,)
        ).fetchone()
        mine = referred.get(user_id, {})
        rows.append(
            AdvocateRow(
                user_id=user_id,
                name=name,
                email=email,
                company=company,
                code=codes.get(user_id),
                ladder=ladder_state(db, user_id, now=now),
                totals=totals_of(db, user_id),
                signups=mine.get("signup", (0, 0))[0],
                demos=mine.get("demo", (0, 0))[0],
                active_signups=sum(active for _, active in mine.values()),
            )
        )
    rows.sort(key=lambda r: (-r.ladder.stage_number, -r.signups - r.demos, r.user_id))
    return rows


def ask_context(db: Database, user_id: str) -> dict[str, str | None]:
    """What the ask templates are filled from: first name, product, link, review URL.

    ``link`` is the advocate's share link when they have a referral code and the
    product's signup page is set; otherwise it is missing and the message says so.
    """
    from plm_desktop.sharing import links

    row = db.conn.execute("SELECT name FROM users WHERE user_id = ?", (user_id,)).fetchone()
    has_code = db.conn.execute(
        "SELECT 1 FROM referral_codes WHERE user_id = ?", (user_id,)
    ).fetchone()
    link = None
    if has_code and db.get_setting(links.SIGNUP_URL_SETTING):
        link = links.share_link(db, user_id, source="slack", campaign="ask")
    return {
        "first_name": first_name(row[0] if row else None, fallback=""),
        "product": product_name(db) or "our product",
        "link": link,
        "review_url": ProgramSettings.load(db).review_url,
    }


def product_name(db: Database) -> str | None:
    """The product's name from the brand, or None while the brand still has its
    placeholder name (a message would otherwise thank people for "Your product")."""
    from plm_desktop.cards.brand import Brand, load_brand

    name = load_brand(db).product_name.strip()
    return None if not name or name == Brand().product_name else name
