"""The loop's part of the bundled sample: signups exports, referral codes and a program
that has been running for three months.

``resources/sample/signups-YYYY-MM.csv`` are written by :func:`write_sample_signups`
from the bundled usage files and a fixed seed (``python -m plm_desktop.loop.sample
resources/sample`` regenerates them byte for byte). They are consistent with the usage
sample: the sample's power users are the advocates (their codes are in
``signups-codes.csv``), and many referred signups appear in the usage files from the
week they signed up, so their own activation can be followed.

:func:`add_sample_loop` puts the rest of a running program into a demo database: cards
handed to users at their milestones, the posts, reach, demo requests and deals the
founder recorded, the ask ledger and the program's cost.
"""

from __future__ import annotations

import csv
import logging
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from plm_desktop.loop.ladder import LADDER, record_answer, record_ask
from plm_desktop.loop.outcomes import record_outcome
from plm_desktop.loop.program import ProgramSettings
from plm_desktop.loop.signups import SignupImportResult, import_signups_file
from plm_desktop.resources import resource_path
from plm_desktop.store import Database

log = logging.getLogger(__name__)

SAMPLE_SEED = 20261201
CODES_FILE = "signups-codes.csv"
SIGNUP_HEADER = [
    "email",
    "signed_up_at",
    "type",
    "referral_code",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "landing_page",
]
LANDING = "https://app.example-product.com/signup"
# The alphabet and length the sharing side draws referral codes from.
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_CODE_LENGTH = 8
# How likely a card for each milestone is shared by the sample's users: the sample tells
# the founder to double down on top-5 and streak cards and rethink the task counter.
_SHARE_ODDS = {
    "top_5": 0.32,
    "streak_90": 0.28,
    "team_builder": 0.22,
    "roi": 0.16,
    "first_project": 0.12,
    "task_100": 0.04,
}
# Nothing in the sample happens after the week it was exported in.
_SAMPLE_END = date(2026, 12, 2)
_ORGANIC_SOURCES = ("google", "newsletter", "producthunt", "", "", "")


@dataclass(frozen=True)
class _SampleUser:
    user_id: str
    email: str
    first_week: date
    strong_weeks: int


def _read_usage(folder: Path) -> dict[str, _SampleUser]:
    """Every user in the usage sample with the first week they appear in."""
    users: dict[str, _SampleUser] = {}
    for path in sorted(folder.glob("usage-*.csv")):
        week = date.fromisoformat(path.stem.removeprefix("usage-"))
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                strong = int(row["active_days"] or 0) >= 5
                known = users.get(row["user_id"])
                if known is None:
                    users[row["user_id"]] = _SampleUser(
                        row["user_id"], row["email"], week, int(strong)
                    )
                else:
                    users[row["user_id"]] = _SampleUser(
                        known.user_id, known.email, known.first_week, known.strong_weeks + strong
                    )
    return users


def sample_advocates(users: dict[str, _SampleUser]) -> list[str]:
    """The usage sample's power users: active five days or more in nearly every week."""
    weeks = max((u.strong_weeks for u in users.values()), default=0)
    return sorted(u.user_id for u in users.values() if weeks and u.strong_weeks >= weeks - 1)


def write_sample_signups(
    folder: Path, *, usage_folder: Path | None = None, seed: int = SAMPLE_SEED
) -> list[Path]:
    """Write ``signups-codes.csv`` and one signups export per month of the usage sample.

    Signups are the usage sample's late joiners (signed up in the week they first
    appear; about a third through an advocate's link, in one of the ways exports keep
    it), people who signed up and never became active, and demo requests.
    """
    rng = random.Random(seed)
    users = _read_usage(usage_folder or resource_path("sample"))
    if not users:
        raise FileNotFoundError(f"no usage-*.csv files in {usage_folder}")
    advocates = sample_advocates(users)
    codes = {user_id: _draw_code(rng) for user_id in advocates}
    first_week = min(u.first_week for u in users.values())
    last_week = max(u.first_week for u in users.values())
    # Whole months only: from the first of the month after the first week to the end of
    # the last week's month.
    start = date(first_week.year + first_week.month // 12, first_week.month % 12 + 1, 1)
    end = date(last_week.year + last_week.month // 12, last_week.month % 12 + 1, 1)

    rows: list[tuple[date, list[str]]] = []
    for user in sorted(users.values(), key=lambda u: u.user_id):
        if user.first_week == first_week:
            continue
        day = max(start, user.first_week - timedelta(days=rng.randrange(1, 4)))
        rows.append((day, _signup_row(rng, user.email, day, "Signup", codes, 0.22)))
    for n in range(45):
        day = start + timedelta(days=rng.randrange(0, (end - start).days))
        email = f"trial{n + 1:03d}@{rng.choice(_PROSPECT_DOMAINS)}"
        kind = "Demo request" if rng.random() < 0.3 else "Signup"
        rows.append((day, _signup_row(rng, email, day, kind, codes, 0.2)))
    rows.sort(key=lambda item: (item[1][1], item[1][0]))

    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / CODES_FILE]
    with open(paths[0], "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["user_id", "code"])
        writer.writerows(sorted(codes.items()))
    by_month: dict[str, list[list[str]]] = defaultdict(list)
    for day, row in rows:
        by_month[f"{day:%Y-%m}"].append(row)
    for month, month_rows in sorted(by_month.items()):
        path = folder / f"signups-{month}.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(SIGNUP_HEADER)
            writer.writerows(month_rows)
        paths.append(path)
    log.info("wrote %d sample signups files to %s", len(paths) - 1, folder)
    return paths


_PROSPECT_DOMAINS = (
    "harborlight.io",
    "quartzline.com",
    "meadowsoft.dev",
    "bramblecloud.co",
    "tallpine.app",
    "cobaltbay.com",
    "fernwood.ai",
    "lighthouse-ops.com",
)


def _draw_code(rng: random.Random) -> str:
    return "".join(rng.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))


def _signup_row(
    rng: random.Random,
    email: str,
    day: date,
    kind: str,
    codes: dict[str, str],
    referred_odds: float,
) -> list[str]:
    """One export row; a referred one carries the code the way one tool or another kept it."""
    stamp = datetime.combine(day, time(8 + rng.randrange(0, 10), rng.randrange(0, 60)))
    cells = {name: "" for name in SIGNUP_HEADER}
    cells.update(email=email, signed_up_at=stamp.isoformat(sep=" "), type=kind)
    if rng.random() < referred_odds:
        code = codes[rng.choice(sorted(codes))]
        source = rng.choice(("linkedin", "linkedin", "x", "slack"))
        how = rng.random()
        if how < 0.35:
            cells["referral_code"] = code
            cells["landing_page"] = f"{LANDING}?ref={code}"
        elif how < 0.75:
            cells.update(
                utm_source=source,
                utm_medium="advocate",
                utm_campaign=rng.choice(("top_5", "first_project", "streak_90", "win-card")),
                utm_content=code,
            )
        else:
            cells["landing_page"] = (
                f"{LANDING}?ref={code}&utm_source={source}&utm_medium=advocate&utm_content={code}"
            )
    else:
        source = rng.choice(_ORGANIC_SOURCES)
        if source:
            cells.update(utm_source=source, utm_medium="cpc" if source == "google" else "email")
        cells["landing_page"] = LANDING
    return [cells[name] for name in SIGNUP_HEADER]


def sample_signup_files() -> list[Path]:
    """The bundled signups exports, oldest month first."""
    return sorted(resource_path("sample").glob("signups-20*.csv"))


def sample_referral_codes() -> dict[str, str]:
    """The referral codes the sample's advocates were given (user id -> code)."""
    path = resource_path("sample", CODES_FILE)
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["user_id"]: row["code"] for row in csv.DictReader(handle)}


def add_sample_loop(db: Database, *, seed: int = SAMPLE_SEED) -> list[SignupImportResult]:
    """Give a demo database (holding the usage sample) a program that has been running.

    Stores the advocates' referral codes, cards handed to users at their milestones,
    the posts, reach, demo requests and deals the founder recorded, the ask ledger, the
    program's cost and CAC, then imports the bundled signups exports. Deterministic for
    a given seed and usage sample. Returns the signups import results.
    """
    rng = random.Random(seed)
    _ensure_scored(db)
    codes = sample_referral_codes()
    known = {r[0] for r in db.conn.execute("SELECT user_id FROM users")}
    advocates = sorted(u for u in codes if u in known)
    with db.transaction() as conn:
        conn.executemany(
            "INSERT OR IGNORE INTO referral_codes (user_id, code, created_at) VALUES (?, ?, ?)",
            [(u, codes[u], "2026-08-31T09:00:00+00:00") for u in advocates],
        )

    _add_cards_and_outcomes(db, rng, set(advocates))
    _add_asks(db, rng, advocates)
    ProgramSettings(
        monthly_cost=750.0,
        cac=1400.0,
        currency="USD",
        review_url="https://www.g2.com/products/example-product/take_survey",
    ).save(db)
    from plm_desktop.sharing import links

    if not db.get_setting(links.SIGNUP_URL_SETTING):
        db.set_setting(links.SIGNUP_URL_SETTING, LANDING)
    results = [import_signups_file(db, path) for path in sample_signup_files()]
    log.info("added the loop sample: %d advocates, %d signups files", len(advocates), len(results))
    return results


def _ensure_scored(db: Database) -> None:
    """Score the usage and detect milestones when the import did not (the loop's sample
    celebrates milestones, so it needs them)."""
    if db.conn.execute("SELECT 1 FROM score_weeks LIMIT 1").fetchone() is not None:
        return
    from plm_desktop import scoring

    scoring.rescore_all(db)
    scoring.detect_milestones(db, scoring.scored_weeks(db))


def _add_cards_and_outcomes(db: Database, rng: random.Random, advocates: set[str]) -> None:
    """Cards for most milestones, the day after the week they were crossed in, and what
    the shared ones achieved."""
    from plm_desktop.sharing.outbox import Outbox

    milestones = db.conn.execute(
        "SELECT user_id, kind, week FROM milestones ORDER BY week, user_id, kind"
    ).fetchall()
    for user_id, kind, week in milestones:
        if rng.random() > (0.85 if user_id in advocates else 0.55):
            continue
        handed = datetime.combine(date.fromisoformat(week) + timedelta(days=1), time(9), UTC)
        Outbox(db, now=lambda moment=handed: moment).record_handoff(
            user_id=user_id,
            channel="linkedin",
            text=f"Sample card for {kind}",
            url="https://www.linkedin.com/feed/?shareActive=true",
            milestone=kind,
            week=week,
        )
        odds = _SHARE_ODDS.get(kind, 0.15) * (1.8 if user_id in advocates else 1.0)
        if rng.random() > odds:
            continue
        posted_on = handed.date() + timedelta(days=rng.randrange(0, 3))
        _record_post(db, rng, user_id, kind, posted_on, strong=user_id in advocates)


def _record_post(
    db: Database, rng: random.Random, user_id: str, kind: str, day: date, *, strong: bool
) -> None:
    """A post, the impressions and clicks LinkedIn showed a few days later, and for the
    strongest advocates sometimes demo requests and a deal."""
    if day > _SAMPLE_END:
        return
    slug = f"{user_id.replace('_', '-')}-{kind.replace('_', '-')}-{day:%Y%m%d}"
    record_outcome(
        db,
        user_id,
        "posted",
        occurred_on=day,
        milestone_kind=kind,
        url=f"https://www.linkedin.com/posts/{slug}",
    )
    later = day + timedelta(days=2)
    if later > _SAMPLE_END:
        return
    impressions = rng.randrange(900, 4200) if strong else rng.randrange(150, 1400)
    clicks = rng.randrange(6, 26) if strong else rng.randrange(1, 9)
    record_outcome(db, user_id, "impressions", occurred_on=later, amount=impressions)
    record_outcome(db, user_id, "clicks", occurred_on=later, amount=clicks)
    if strong and rng.random() < 0.25 and later + timedelta(days=3) <= _SAMPLE_END:
        record_outcome(
            db, user_id, "demo_requests", occurred_on=later + timedelta(days=3), amount=1
        )
    if strong and rng.random() < 0.15 and later + timedelta(days=10) <= _SAMPLE_END:
        record_outcome(
            db,
            user_id,
            "deal",
            occurred_on=later + timedelta(days=10),
            pipeline_value=float(rng.randrange(6, 30) * 1000),
        )


def _add_asks(db: Database, rng: random.Random, advocates: list[str]) -> None:
    """Each advocate somewhere on the ladder: rungs climbed, then the next ask waiting
    for an answer, unanswered, or not made yet."""
    last_day = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    for n, user_id in enumerate(advocates):
        moment = datetime(2026, 9, 8, 10, 0, tzinfo=UTC) + timedelta(days=3 * n)
        climbed = (n + 1) % (len(LADDER) + 1)
        for rung in LADDER[:climbed]:
            ask = record_ask(db, user_id, rung, now=moment)
            record_answer(db, ask.ask_id, "yes", now=moment + timedelta(days=2))
            moment += timedelta(days=30 + rng.randrange(1, 6))
        if climbed < len(LADDER) and moment <= last_day and n % 2 == 0:
            ask = record_ask(db, user_id, LADDER[climbed], now=moment)
            if n % 4 == 2:
                record_answer(db, ask.ask_id, "no_reply", now=moment + timedelta(days=7))


if __name__ == "__main__":
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else resource_path("sample")
    for written in write_sample_signups(target):
        print(written)


def ensure_sample_loop(db: Database) -> bool:
    """Add the loop sample to a demo database that has none yet; True when added.

    A database with any signup, outcome or ask is left alone, so calling it again (or on
    a demo database whose creator already added the sample) changes nothing.
    """
    used = db.conn.execute(
        "SELECT EXISTS (SELECT 1 FROM signups) OR EXISTS (SELECT 1 FROM outcomes)"
        " OR EXISTS (SELECT 1 FROM asks)"
    ).fetchone()[0]
    if used:
        return False
    add_sample_loop(db)
    return True
