"""The ask ladder: badge share, then a review, then a case study, then the referral
program; one rung at a time, never twice within the cool-down.

Every ask goes into the ledger (who, what, when, the answer). The next rung is suggested
only once the rung below was answered "yes"; a "no" is respected (nothing is suggested
until the founder decides to ask again); no reply means the same rung may be asked
again after the cool-down.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from string import Formatter

from plm_desktop.loop.program import ProgramSettings
from plm_desktop.store import Database

log = logging.getLogger(__name__)

LADDER = ("badge_share", "review", "case_study", "referral_program")
ANSWERS = ("yes", "no", "no_reply")

ASK_LABELS = {
    "badge_share": "Share the badge",
    "review": "Write a review (G2, Capterra)",
    "case_study": "Be a case study",
    "referral_program": "Join the referral program",
}

# The same asks as they read inside a sentence.
ASK_PHRASES = {
    "badge_share": "share the badge",
    "review": "write a review",
    "case_study": "be a case study",
    "referral_program": "join the referral program",
}

# One message per rung. Placeholders: {first_name}, {product}, {link} (the advocate's
# referral link), {review_url}.
ASK_TEMPLATES = {
    "badge_share": (
        "Hi {first_name}, you earned this one. If you feel like showing it off, here is "
        "your {product} badge, ready to post: {link}"
    ),
    "review": (
        "Hi {first_name}, you've been getting a lot out of {product} lately. Would you "
        "tell others how it went in a short review? It takes five minutes: {review_url}"
    ),
    "case_study": (
        "Hi {first_name}, your team's results with {product} are the kind other teams "
        "ask us about. Could we write them up as a short case study with you? A "
        "20-minute call and you approve every word."
    ),
    "referral_program": (
        "Hi {first_name}, people keep signing up after your posts. Our referral program "
        "makes that official: share your link and we thank you for every team that "
        "joins. Your link: {link}"
    ),
}


class LadderError(ValueError):
    """An ask or answer that cannot be recorded (unknown rung, advocate or ask)."""


class CooldownActive(Exception):  # noqa: N818 - a state the caller must decide on
    """The advocate was asked for something within the cool-down.

    Recording the ask anyway needs ``override_cooldown=True``; the ledger remembers
    that it was overridden.
    """

    def __init__(self, advocate_user_id: str, last_asked_at: datetime, until: datetime):
        self.advocate_user_id = advocate_user_id
        self.last_asked_at = last_asked_at
        self.until = until
        super().__init__(
            f"{advocate_user_id} was last asked on {last_asked_at:%Y-%m-%d}; the cool-down "
            f"runs until {until:%Y-%m-%d}. Ask anyway only if you mean to."
        )


class AskMessageIncomplete(ValueError):
    """An ask message needs values the data cannot give (listed in ``missing``)."""

    def __init__(self, kind: str, missing: list[str]):
        self.kind = kind
        self.missing = missing
        super().__init__(f"the {kind} message needs {', '.join(missing)}, which is not known")


@dataclass(frozen=True)
class Ask:
    """One line of the ask ledger."""

    ask_id: int
    advocate_user_id: str
    kind: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None
    cooldown_overridden: bool
    note: str | None


@dataclass(frozen=True)
class LadderState:
    """Where an advocate stands on the ladder and what to do next.

    Attributes:
        stage: the highest rung answered "yes", or None before the first success.
        next_ask: the rung to ask for now, or None (waiting, declined or at the top).
        reason: one sentence saying why ``next_ask`` is what it is.
        pending: the ask still waiting for an answer, if any.
        cooldown_until: when the next ask may be made without overriding, if in cool-down.
    """

    advocate_user_id: str
    stage: str | None
    next_ask: str | None
    reason: str
    pending: Ask | None
    last_asked_at: datetime | None
    cooldown_until: datetime | None
    asks: list[Ask]

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_until is not None

    @property
    def stage_number(self) -> int:
        """How many rungs were climbed (0 to 4)."""
        return 0 if self.stage is None else LADDER.index(self.stage) + 1


def ledger(db: Database, advocate_user_id: str | None = None) -> list[Ask]:
    """The ask ledger, oldest first; only one advocate's asks when given."""
    sql = (
        "SELECT ask_id, advocate_user_id, kind, asked_at, answer, answered_at,"
        " cooldown_overridden, note FROM asks"
    )
    params: tuple[str, ...] = ()
    if advocate_user_id is not None:
        sql += " WHERE advocate_user_id = ?"
        params = (advocate_user_id,)
    rows = db.conn.execute(sql + " ORDER BY asked_at, ask_id", params).fetchall()
    return [_ask_from_row(row) for row in rows]


def ladder_state(
    db: Database, advocate_user_id: str, *, now: datetime | None = None
) -> LadderState:
    """The advocate's stage, the suggested next ask and the cool-down, as of ``now``."""
    now = _aware(now or datetime.now(UTC))
    asks = ledger(db, advocate_user_id)
    cooldown = timedelta(days=ProgramSettings.load(db).cooldown_days)
    return _state_from_asks(advocate_user_id, asks, now, cooldown)


def _state_from_asks(
    advocate_user_id: str, asks: list[Ask], now: datetime, cooldown: timedelta
) -> LadderState:
    succeeded = {a.kind for a in asks if a.answer == "yes"}
    stage = None
    for rung in LADDER:
        if rung not in succeeded:
            break
        stage = rung
    pending = next((a for a in reversed(asks) if a.answer is None), None)
    last_asked_at = asks[-1].asked_at if asks else None
    cooldown_until = None
    if last_asked_at is not None and now < last_asked_at + cooldown:
        cooldown_until = last_asked_at + cooldown

    climbed = 0 if stage is None else LADDER.index(stage) + 1
    rung = LADDER[climbed] if climbed < len(LADDER) else None
    last_of_rung = next((a for a in reversed(asks) if a.kind == rung), None)

    if rung is None:
        next_ask, reason = None, "At the top of the ladder: in the referral program."
    elif pending is not None:
        next_ask = None
        reason = (
            f"Asked to {ASK_PHRASES[pending.kind]} on {pending.asked_at:%Y-%m-%d}; "
            "waiting for the answer."
        )
    elif last_of_rung is not None and last_of_rung.answer == "no":
        next_ask = None
        reason = (
            f"Said no when asked to {ASK_PHRASES[rung]} on {last_of_rung.asked_at:%Y-%m-%d}; "
            "nothing more to suggest until you decide to ask again."
        )
    else:
        next_ask = rung
        if stage is None:
            reason = "First rung: ask them to share their badge."
        else:
            reason = f"{ASK_LABELS[stage]}: done. Next: {ASK_PHRASES[rung]}."
        if last_of_rung is not None and last_of_rung.answer == "no_reply":
            reason = f"No reply when asked to {ASK_PHRASES[rung]}; ask once more."
        if cooldown_until is not None:
            reason += f" Cool-down until {cooldown_until:%Y-%m-%d}."

    return LadderState(
        advocate_user_id, stage, next_ask, reason, pending, last_asked_at, cooldown_until, asks
    )


def record_ask(
    db: Database,
    advocate_user_id: str,
    kind: str,
    *,
    now: datetime | None = None,
    override_cooldown: bool = False,
    note: str | None = None,
) -> Ask:
    """Add an ask to the ledger.

    Raises:
        CooldownActive: the advocate was asked within the cool-down and
            ``override_cooldown`` is False; nothing is stored.
        LadderError: unknown rung or advocate.
    """
    if kind not in LADDER:
        raise LadderError(f"unknown ask {kind!r}; expected one of {', '.join(LADDER)}")
    if (
        db.conn.execute("SELECT 1 FROM users WHERE user_id = ?", (advocate_user_id,)).fetchone()
        is None
    ):
        raise LadderError(f"no user {advocate_user_id!r} in the database")
    now = _aware(now or datetime.now(UTC))
    state = ladder_state(db, advocate_user_id, now=now)
    overridden = False
    if state.cooldown_until is not None:
        if not override_cooldown:
            raise CooldownActive(advocate_user_id, state.last_asked_at, state.cooldown_until)
        overridden = True
        log.warning(
            "ask to %s recorded inside the cool-down on the founder's say-so", advocate_user_id
        )

    with db.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO asks (advocate_user_id, kind, asked_at, cooldown_overridden, note)"
            " VALUES (?, ?, ?, ?, ?)",
            (advocate_user_id, kind, _stamp(now), int(overridden), note),
        )
    log.info("recorded ask %s to advocate %s", kind, advocate_user_id)
    return Ask(cursor.lastrowid, advocate_user_id, kind, now, None, None, overridden, note)


def record_answer(db: Database, ask_id: int, answer: str, *, now: datetime | None = None) -> Ask:
    """Record the advocate's answer to an ask: ``yes``, ``no`` or ``no_reply``."""
    if answer not in ANSWERS:
        raise LadderError(f"unknown answer {answer!r}; expected one of {', '.join(ANSWERS)}")
    now = now or datetime.now(UTC)
    with db.transaction() as conn:
        changed = conn.execute(
            "UPDATE asks SET answer = ?, answered_at = ? WHERE ask_id = ?",
            (answer, _stamp(now), ask_id),
        ).rowcount
    if not changed:
        raise LadderError(f"no ask {ask_id} in the ledger")
    row = db.conn.execute(
        "SELECT ask_id, advocate_user_id, kind, asked_at, answer, answered_at,"
        " cooldown_overridden, note FROM asks WHERE ask_id = ?",
        (ask_id,),
    ).fetchone()
    return _ask_from_row(row)


def ask_message(kind: str, context: dict[str, str | None]) -> str:
    """The message for the ask ``kind`` filled from ``context``.

    Raises:
        AskMessageIncomplete: a placeholder the context cannot fill (never sent blank).
    """
    template = ASK_TEMPLATES[kind]
    needed = [name for _, name, _, _ in Formatter().parse(template) if name]
    missing = sorted({name for name in needed if not context.get(name)})
    if missing:
        raise AskMessageIncomplete(kind, missing)
    return template.format_map(context)


def _aware(moment: datetime) -> datetime:
    """Naive times are taken as UTC so they compare with stored ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return _aware(moment).astimezone(UTC).isoformat(timespec="seconds")


def _parse(text: str | None) -> datetime | None:
    if text is None:
        return None
    return _aware(datetime.fromisoformat(text))


def _ask_from_row(row: tuple) -> Ask:
    return Ask(
        row[0], row[1], row[2], _parse(row[3]), row[4], _parse(row[5]), bool(row[6]), row[7]
    )
