"""Computing and storing scores per user and week.

Weeks are scored oldest first in one pass over the usage rows. Each week's rows are read
in one query that hands every column over as one piece of text, parsed into arrays; the
running state (invites in the window, the latest week with activity, the latest NPS
answer) is one array per signal over all users, so a week is scored, ranked and given its
top N % by a few numpy operations instead of a Python loop over its users (scoring all
20 weeks of 50,000 users: about 0.2 s, where the loop took about 4.5 s).

Each week's scores are written by one statement: the rows are packed one integer per user
(rank, score, each part's tier, the raw values behind them) into a JSON array that SQLite
unpacks with ``json_each`` and stores in user order, the order of the table's primary
key. Passing a million rows through ``executemany`` took about 6 s, more than the rest of
a rescore. While one week is stored, a thread on a second connection reads and scores the
next (:class:`_ScoringThread`). ``python -m tests.bench.scoring_bench`` measures it all.

Scores are stored, not computed per view: the leaderboard is a read of a few rows.
They are recomputed for the affected weeks after an import (:func:`refresh_weeks`) and
for every week after the model changes (:func:`rescore_all`).
"""

from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from plm_desktop.scoring import milestones as milestone_detection
from plm_desktop.scoring.model import ScoringModel
from plm_desktop.scoring.weekdates import as_week
from plm_desktop.store import Database

log = logging.getLogger(__name__)

# The usage column behind each signal, in the order signals are reported.
SIGNAL_COLUMNS = {
    "frequency": "active_days",
    "depth": "features_used",
    "collaboration": "invites_sent",
    "sentiment": "nps",
    "support_tickets": "support_tickets",
    "content_views": "content_views",
    "integrations": "integrations_connected",
}

# Only this many top ranks are indexed (see migration 0002); queries repeat the bound.
INDEXED_RANKS = 1000

# An empty usage cell inside the arrays: far below any count the importer accepts.
NO_VALUE = -(1 << 62)

# Tiers of the four parts, as packed into stored rows and mapped back to points in SQL.
FREQUENCY_TIERS = ("none", "monthly", "weekly", "daily")
DEPTH_TIERS = ("none", "light", "broad", "deep")
COLLABORATION_TIERS = ("none", "some", "high")
SENTIMENT_TIERS = ("none", "passive", "promoter")

# One row per user and week when the packed form does not fit (values far beyond what
# the importer accepts); the columns of the scores table in order.
_INSERT = """
INSERT INTO scores (
    week, user_id, rank, score, frequency, depth, collaboration, sentiment, extra_points,
    active_days, features_used, invites, nps, top_percent, candidate)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""

# The same rows unpacked from one integer per user (see _pack): ``key`` is the user's
# position in temp.score_users; users not ranked this week are 0 and skipped. Every
# expression here runs a million times in a rescore, so the score and the optional
# signals' points travel ready-made and each part's tier is turned into points once.
_INSERT_PACKED = """
INSERT INTO scores (
    week, user_id, rank, score, frequency, depth, collaboration, sentiment, extra_points,
    active_days, features_used, invites, nps, top_percent, candidate)
SELECT :week, u.user_id,
    value & :rank_mask,
    value >> :score_at & :score_mask,
    CASE value >> :frequency_at & 3
        WHEN 1 THEN :monthly WHEN 2 THEN :weekly WHEN 3 THEN :daily ELSE 0 END,
    CASE value >> :depth_at & 3
        WHEN 1 THEN :light WHEN 2 THEN :broad WHEN 3 THEN :deep ELSE 0 END,
    CASE value >> :collaboration_at & 3 WHEN 1 THEN :some WHEN 2 THEN :high ELSE 0 END,
    CASE value >> :sentiment_at & 3 WHEN 1 THEN :passive WHEN 2 THEN :promoter ELSE 0 END,
    value >> :extra_at & :extra_mask,
    nullif(value >> :days_at & :days_mask, 0) - 1,
    nullif(value >> :features_at & :features_mask, 0) - 1,
    value >> :invites_at & :invites_mask,
    nullif(value >> :nps_at & :nps_mask, 0) - 1,
    (100 * (value & :rank_mask) + :ranked - 1) / :ranked,
    (value >> :score_at & :score_mask) >= :candidate_min
FROM json_each(:packed) JOIN temp.score_users AS u ON u.idx = key
WHERE value > 0
"""


@dataclass
class RefreshResult:
    """What a refresh stored: the weeks scored and the milestones newly recorded."""

    weeks: list[str]
    ranked: dict[str, int] = field(default_factory=dict)  # week -> ranked users
    milestones: list[milestone_detection.Milestone] = field(default_factory=list)


@dataclass
class ScoredWeek:
    """One week's computed scores, before or instead of being stored.

    Every array has one entry per ranked user, in user id order. Raw values that are
    empty (no row in the week, no answer) hold :data:`NO_VALUE`.
    """

    week: str
    user_ids: list[str]  # every user of the scoring pass, sorted; ``users`` points in here
    users: np.ndarray  # positions in ``user_ids`` of the ranked users, ascending
    rank: np.ndarray
    tiers: np.ndarray  # (4, n): frequency, depth, collaboration, sentiment tier numbers
    points: np.ndarray  # (4, n): the same parts' points
    extra_points: np.ndarray
    active_days: np.ndarray
    features_used: np.ndarray
    invites: np.ndarray
    nps: np.ndarray
    candidate_min: int
    missing: list[str]

    @property
    def score(self) -> np.ndarray:
        """Each ranked user's score: the parts' points plus the optional signals'."""
        return self.points.sum(axis=0) + self.extra_points

    @property
    def ranked_count(self) -> int:
        """How many users are ranked in the week."""
        return len(self.users)

    @property
    def candidates(self) -> int:
        """How many ranked users reach the candidate threshold."""
        return int(np.count_nonzero(self.score >= self.candidate_min))

    def ranked_user_ids(self) -> list[str]:
        """The ranked users' ids, in user id order (the order of every array)."""
        ids = self.user_ids
        return [ids[i] for i in self.users.tolist()]

    def rows(self) -> list[tuple]:
        """The week as rows of the scores table, in user id order."""
        count = self.ranked_count
        score = self.score
        top_percent = (100 * self.rank + count - 1) // max(count, 1)

        def column(values: np.ndarray) -> list:
            return [None if v == NO_VALUE else v for v in values.tolist()]

        return list(
            zip(
                [self.week] * count,
                self.ranked_user_ids(),
                self.rank.tolist(),
                score.tolist(),
                *self.points.tolist(),
                self.extra_points.tolist(),
                column(self.active_days),
                column(self.features_used),
                self.invites.tolist(),
                column(self.nps),
                top_percent.tolist(),
                (score >= self.candidate_min).astype(int).tolist(),
                strict=True,
            )
        )


def weeks(db: Database) -> list[str]:
    """Every week that has usage rows, oldest first (ISO Mondays).

    Walks the primary key one week at a time, so it costs one seek per week however many
    rows each week holds.
    """
    rows = db.conn.execute(
        """
        WITH RECURSIVE w(week) AS (
            SELECT MIN(week) FROM usage
            UNION ALL
            SELECT (SELECT MIN(week) FROM usage WHERE week > w.week) FROM w
            WHERE w.week IS NOT NULL
        )
        SELECT week FROM w WHERE week IS NOT NULL
        """
    ).fetchall()
    return [r[0] for r in rows]


def scored_weeks(db: Database) -> list[str]:
    """Weeks that have stored scores, oldest first."""
    return [r[0] for r in db.conn.execute("SELECT week FROM score_weeks ORDER BY week")]


def rescore_all(db: Database, model: ScoringModel | None = None) -> RefreshResult:
    """Recompute the stored scores of every week (after the model changed).

    Milestones are not detected here: a new threshold or model fires milestones from the
    next import on, instead of celebrating old weeks again.
    """
    model = model or ScoringModel.load(db)
    all_weeks = weeks(db)
    scoring = _ScoringThread(db, model, all_weeks, all_weeks)
    try:
        with db.transaction() as conn:
            conn.execute("DELETE FROM scores")
            conn.execute("DELETE FROM score_weeks")
            ranked = _store(conn, model, scoring)
    finally:
        scoring.close()
    log.info("rescored %d weeks in %s", len(all_weeks), db.path)
    return RefreshResult(weeks=all_weeks, ranked=ranked)


def affected_weeks(all_weeks: Sequence[str], changed: Iterable[date | str]) -> list[str]:
    """The weeks a change to ``changed`` can move.

    A week's rows count in the window of the weeks after it, its NPS answers carry
    forward until a later answer, and its ranks feed the next week's movement; so every
    week from the earliest changed one on is affected.
    """
    changed = [as_week(w) for w in changed]
    if not changed:
        return []
    first = min(changed)
    return [w for w in all_weeks if w >= first]


def refresh_weeks(
    db: Database,
    changed: Iterable[date | str],
    model: ScoringModel | None = None,
    *,
    detect: bool = True,
) -> RefreshResult:
    """Rescore the weeks a change to ``changed`` affects and detect their milestones.

    Called after every successful import with the weeks it touched. Detection covers
    the same weeks, so a milestone crossed in any of them is found (and, having been
    recorded once, never again).
    """
    model = model or ScoringModel.load(db)
    all_weeks = weeks(db)
    targets = affected_weeks(all_weeks, changed)
    scoring = _ScoringThread(db, model, all_weeks, targets)
    try:
        with db.transaction() as conn:
            _drop_vanished_weeks(conn, all_weeks)
            for week in targets:
                conn.execute("DELETE FROM scores WHERE week = ?", (week,))
                conn.execute("DELETE FROM score_weeks WHERE week = ?", (week,))
            ranked = _store(conn, model, scoring)
    finally:
        scoring.close()
    result = RefreshResult(weeks=targets, ranked=ranked)
    if detect and targets:
        result.milestones = milestone_detection.detect_milestones(db, targets, model)
    if targets:
        log.info(
            "refreshed scores of %d weeks (%s to %s), %d new milestones",
            len(targets),
            targets[0],
            targets[-1],
            len(result.milestones),
        )
    return result


def _drop_vanished_weeks(conn: sqlite3.Connection, all_weeks: Sequence[str]) -> None:
    """Forget scores of weeks that no longer have usage rows."""
    stored = [r[0] for r in conn.execute("SELECT week FROM score_weeks")]
    for week in set(stored) - set(all_weeks):
        conn.execute("DELETE FROM scores WHERE week = ?", (week,))
        conn.execute("DELETE FROM score_weeks WHERE week = ?", (week,))


_DONE = object()


class _ScoringThread:
    """:func:`score_weeks` run on a second, read-only connection in a thread, so the next
    week is read, scored and packed while SQLite stores the previous one.

    SQLite releases the interpreter while it steps a statement, and storing a week takes
    longer than reading and scoring it, so on two cores most of the reading is hidden.
    The scoring connection reads usage only, which the writing transaction does not
    change. A database without a file is scored on its own connection, in turn. Iterate
    to get ``(week, packed)`` pairs (see :func:`_pack`); :meth:`close` stops the thread.
    """

    def __init__(
        self, db: Database, model: ScoringModel, all_weeks: Sequence[str], targets: Sequence[str]
    ) -> None:
        self.db = db
        self.scoring = (model, all_weeks, targets)
        self.handed: queue.Queue = queue.Queue(maxsize=2)
        self.stop = threading.Event()
        self.thread = None
        if db.path is not None:
            self.thread = threading.Thread(
                target=self._produce, name="plm-scoring-reader", daemon=True
            )
            self.thread.start()

    def __iter__(self) -> Iterator[tuple[ScoredWeek, tuple | None]]:
        if self.thread is None:
            for week in score_weeks(self.db.conn, *self.scoring):
                yield week, _pack(week)
            return
        while True:
            item = self.handed.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()

    def _hand(self, item: object) -> bool:
        while not self.stop.is_set():
            try:
                self.handed.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self) -> None:
        try:
            uri = f"{Path(self.db.path).resolve().as_uri()}?mode=ro"
            reader = sqlite3.connect(uri, uri=True)
            try:
                reader.execute("BEGIN")  # one snapshot for the whole pass
                for week in score_weeks(reader, *self.scoring):
                    if not self._hand((week, _pack(week))):
                        return
            finally:
                reader.close()
        except BaseException as exc:  # handed to the writing thread, which raises it
            self._hand(exc)
        else:
            self._hand(_DONE)


def _store(
    conn: sqlite3.Connection,
    model: ScoringModel,
    scored: Iterable[tuple[ScoredWeek, tuple[str, dict[str, int]] | None]],
) -> dict:
    model_json = json.dumps(model.to_dict(), sort_keys=True)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    writer = _ScoreWriter(conn, model)
    ranked = {}
    try:
        for week, packed in scored:
            writer.write(week, packed)
            conn.execute(
                "INSERT INTO score_weeks (week, ranked_count, candidate_count,"
                " missing_signals, model, scored_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    week.week,
                    week.ranked_count,
                    week.candidates,
                    json.dumps(week.missing),
                    model_json,
                    now,
                ),
            )
            ranked[week.week] = week.ranked_count
    finally:
        writer.close()
    return ranked


class _ScoreWriter:
    """Writes scored weeks into the scores table, one statement per week.

    The users of a scoring pass are kept in ``temp.score_users`` (position -> user id)
    so a week travels as one integer per user; see :data:`_INSERT_PACKED`.
    """

    def __init__(self, conn: sqlite3.Connection, model: ScoringModel) -> None:
        self.conn = conn
        self.loaded: list[str] | None = None
        f, d, c, s = model.frequency, model.depth, model.collaboration, model.sentiment
        self.points = {
            "monthly": f.monthly_points,
            "weekly": f.weekly_points,
            "daily": f.daily_points,
            "light": d.light_points,
            "broad": d.mid_points,
            "deep": d.deep_points,
            "some": c.some_points,
            "high": c.high_points,
            "passive": s.passive_points,
            "promoter": s.promoter_points,
            "candidate_min": model.candidate_min,
        }

    def write(self, week: ScoredWeek, packed: tuple[str, dict[str, int]] | None) -> None:
        if not week.ranked_count:
            return
        if packed is None:
            log.info("scores of %s hold values too large to pack; writing row by row", week.week)
            self.conn.executemany(_INSERT, week.rows())
            return
        if self.loaded is not week.user_ids:
            self._load_users(week.user_ids)
        text, positions = packed
        params = {**self.points, **positions, "week": week.week, "ranked": week.ranked_count}
        self.conn.execute(_INSERT_PACKED, {**params, "packed": text})

    def _load_users(self, user_ids: list[str]) -> None:
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS score_users "
            "(idx INTEGER PRIMARY KEY, user_id TEXT NOT NULL)"
        )
        self.conn.execute("DELETE FROM temp.score_users")
        self.conn.execute(
            "INSERT INTO temp.score_users (idx, user_id) SELECT key, value FROM json_each(?)",
            (json.dumps(user_ids),),
        )
        self.loaded = user_ids

    def close(self) -> None:
        if self.loaded is not None:
            self.conn.execute("DROP TABLE IF EXISTS temp.score_users")
            self.loaded = None


def _pack(week: ScoredWeek) -> tuple[str, dict[str, int]] | None:
    """One integer per user of the pass: 0 for users not ranked, else the fields below
    side by side, each as wide as its largest value in the week needs (tiers take two
    bits). Empty raw values are 0 and the others are stored plus one. Returns the
    integers and each field's bit position and mask, or None when the fields need more
    than 63 bits or a raw value is negative, which importer-checked data of a few
    hundred thousand users does not come near.
    """
    raw = (week.active_days, week.features_used, week.nps)
    if any((values != NO_VALUE).any() and values[values != NO_VALUE].min() < 0 for values in raw):
        return None
    if week.invites.size and week.invites.min() < 0:
        return None

    def plus_one(values: np.ndarray) -> np.ndarray:
        return np.where(values == NO_VALUE, 0, values + 1)

    fields = [
        ("rank", week.rank, None),  # first: the statement reads it without a shift
        ("score", week.score, None),
        ("frequency", week.tiers[0], 2),
        ("depth", week.tiers[1], 2),
        ("collaboration", week.tiers[2], 2),
        ("sentiment", week.tiers[3], 2),
        ("extra", week.extra_points, None),
        ("days", plus_one(week.active_days), None),
        ("features", plus_one(week.features_used), None),
        ("nps", plus_one(week.nps), None),
        ("invites", week.invites, None),
    ]
    packed = np.zeros(len(week.user_ids), dtype=np.int64)
    ranked = np.zeros(week.ranked_count, dtype=np.int64)
    positions = {}
    at = 0
    for name, values, width in fields:
        width = width or int(values.max()).bit_length()
        if at + width > 63:
            return None
        ranked |= values.astype(np.int64) << at
        positions[f"{name}_at"] = at
        positions[f"{name}_mask"] = (1 << width) - 1
        at += width
    packed[week.users] = ranked
    return json.dumps(packed.tolist()), positions


def _week_number(week: str) -> int:
    return date.fromisoformat(week).toordinal() // 7


def _week_text(number: int) -> str:
    return date.fromordinal(number * 7 + 1).isoformat()


def score_weeks(
    conn: sqlite3.Connection,
    model: ScoringModel,
    all_weeks: Sequence[str],
    targets: Sequence[str],
) -> Iterator[ScoredWeek]:
    """Compute the scores of ``targets`` (weeks of ``all_weeks``), oldest first.

    Reads the usage rows from the first target's window on, plus the latest NPS answer
    before it. Nothing is written; :func:`rescore_all` and :func:`refresh_weeks` store
    what this yields.
    """
    targets = sorted(set(targets))
    if not targets:
        return
    window = model.window_weeks
    first = _week_number(targets[0]) - window + 1
    last = _week_number(targets[-1])
    wanted = {_week_number(w) for w in targets}
    existing = {_week_number(w) for w in all_weeks}

    state = _WindowState(conn, model, _week_text(first), _week_text(last))
    for number in range(first, last + 1):
        state.add_week(number, number in existing)
        if number in wanted:
            yield state.score(number)


class _WindowState:
    """Per user, what the model needs from the weeks read so far, as arrays over every
    user of the pass (position = place in the sorted user ids)."""

    def __init__(self, conn: sqlite3.Connection, model: ScoringModel, first: str, last: str):
        self.conn = conn
        self.model = model
        self.extras = bool(model.enabled_extras())
        # The user index holds the week beside the user id, so this reads no table rows
        # and finds the ids already sorted; one JSON text instead of a row per user.
        found = conn.execute(
            "SELECT json_group_array(user_id) FROM (SELECT DISTINCT user_id "
            "FROM usage INDEXED BY usage_by_user WHERE week >= ? AND week <= ?)",
            (first, last),
        ).fetchone()[0]
        self.user_ids = sorted(json.loads(found))
        self.position = dict(zip(self.user_ids, range(len(self.user_ids)), strict=True))
        size = len(self.user_ids)

        def blank(value: int = 0) -> np.ndarray:
            return np.full(size, value, dtype=np.int64)

        self.last_row = blank(NO_VALUE)  # week number of the latest row
        self.last_active = blank(NO_VALUE)  # week number of the latest active row
        self.nps = blank(NO_VALUE)  # latest answer so far
        self.integrations = blank(NO_VALUE)  # latest count reported, and its week
        self.integrations_week = blank(NO_VALUE)
        self.days = blank(NO_VALUE)  # of the latest week added
        self.features = blank(NO_VALUE)
        # Sums over the window, and each window week's values to take off when it leaves.
        self.sums = np.zeros((3, size), dtype=np.int64)  # invites, tickets, views
        self.kept: dict[int, tuple[np.ndarray | None, tuple[bool, ...]]] = {}
        self.week_has = (False, False)  # any active_days, any features_used values

        earlier = conn.execute(
            "SELECT user_id, CAST(nps AS INTEGER), MAX(week) FROM usage "
            "WHERE nps IS NOT NULL AND week < ? GROUP BY user_id",
            (first,),
        ).fetchall()
        self.any_nps = bool(earlier)
        for user_id, answer, _week in earlier:
            at = self.position.get(user_id)
            if at is not None:
                self.nps[at] = answer

    def _read(self, number: int) -> tuple[np.ndarray, list[np.ndarray]]:
        """Positions of the week's users and one array per column, in the same order."""
        columns = ["active_days", "features_used", "invites_sent", "nps"]
        if self.extras:
            columns += ["support_tickets", "content_views", "integrations_connected"]
        concatenated = ", ".join(
            f"group_concat(ifnull(CAST({c} AS INTEGER), :empty))" for c in columns
        )
        ids, *texts = self.conn.execute(
            f"SELECT json_group_array(user_id), {concatenated} FROM usage WHERE week = :week",
            {"week": _week_text(number), "empty": NO_VALUE},
        ).fetchone()
        users = json.loads(ids) if ids else []
        at = np.fromiter(map(self.position.__getitem__, users), dtype=np.intp, count=len(users))
        values = [
            np.fromstring(text, dtype=np.int64, sep=",") if text else np.empty(0, dtype=np.int64)
            for text in texts
        ]
        return at, values

    def add_week(self, number: int, exists: bool) -> None:
        """Fold week ``number``'s rows into the state and drop the week leaving the window."""
        size = len(self.user_ids)
        self.days = np.full(size, NO_VALUE, dtype=np.int64)
        self.features = np.full(size, NO_VALUE, dtype=np.int64)
        added = None
        has: tuple[bool, ...] = (False,) * 4  # any invites, tickets, views, integrations
        self.week_has = (False, False)
        if exists:
            at, values = self._read(number)
            days, features, invites, nps = values[:4]
            self.days[at] = days
            self.features[at] = features
            self.week_has = (bool((days != NO_VALUE).any()), bool((features != NO_VALUE).any()))
            self.last_row[at] = number
            self.last_active[at[days > 0]] = number
            answered = nps != NO_VALUE
            self.nps[at[answered]] = nps[answered]
            self.any_nps = self.any_nps or bool(answered.any())

            added = np.zeros((3, size), dtype=np.int64)
            summed = [invites] + (values[4:6] if self.extras else [])
            for row, column in enumerate(summed):
                present = column != NO_VALUE
                added[row, at[present]] = column[present]
            has = tuple(bool((c != NO_VALUE).any()) for c in summed)
            if self.extras:
                integrations = values[6]
                reported = integrations != NO_VALUE
                self.integrations[at[reported]] = integrations[reported]
                self.integrations_week[at[reported]] = number
                has += (bool(reported.any()),)
            has += (False,) * (4 - len(has))
            self.sums += added

        self.kept[number] = (added, has)
        leaving = self.kept.pop(number - self.model.window_weeks, None)
        if leaving is not None and leaving[0] is not None:
            self.sums -= leaving[0]

    def score(self, number: int) -> ScoredWeek:
        """Points, tiers, rank and raw values of every user ranked in week ``number``:
        those with a row in the window that ends with it (the latest week added)."""
        model = self.model
        start = number - model.window_weeks + 1
        users = np.flatnonzero(self.last_row >= start)
        days = self.days[users]
        features = self.features[users]
        invites = self.sums[0, users]
        nps = self.nps[users]
        active = np.where(days == NO_VALUE, 0, days)
        used = np.where(features == NO_VALUE, 0, features)

        f, d, c, s = model.frequency, model.depth, model.collaboration, model.sentiment
        tiers = np.zeros((4, len(users)), dtype=np.int64)
        tiers[0] = np.select(
            [active >= f.daily_min_days, active > 0, self.last_active[users] >= start], [3, 2, 1]
        )
        tiers[1] = np.select([used >= d.deep_min, used >= d.mid_min, used > 0], [3, 2, 1])
        tiers[2] = np.select([invites >= c.high_min, invites > 0], [2, 1])
        answer = (nps >= 0) & (nps <= 10)
        tiers[3] = np.select(
            [answer & (nps >= s.promoter_min), answer & (nps >= s.passive_min)], [2, 1]
        )
        tables = (
            (0, f.monthly_points, f.weekly_points, f.daily_points),
            (0, d.light_points, d.mid_points, d.deep_points),
            (0, c.some_points, c.high_points),
            (0, s.passive_points, s.promoter_points),
        )
        points = np.stack(
            [np.array(t, dtype=np.int64)[tier] for t, tier in zip(tables, tiers, strict=True)]
        )

        extra_points = np.zeros(len(users), dtype=np.int64)
        if self.extras:
            in_window = self.integrations_week[users] >= start
            integrations = np.where(in_window, self.integrations[users], 0)
            values = (self.sums[1, users], self.sums[2, users], integrations)
            rules = (model.support_tickets, model.content_views, model.integrations)
            for rule, value in zip(rules, values, strict=True):
                if rule.enabled:
                    extra_points += np.where(value >= rule.minimum, rule.points, 0)

        # Highest score first; ties by active days, features, invites (all descending),
        # then user id, which is the order the arrays are in (lexsort keeps it).
        score = points.sum(axis=0) + extra_points
        order = np.lexsort((-invites, -used, -active, -score))
        rank = np.empty(len(users), dtype=np.int64)
        rank[order] = np.arange(1, len(users) + 1)
        return ScoredWeek(
            week=_week_text(number),
            user_ids=self.user_ids,
            users=users,
            rank=rank,
            tiers=tiers,
            points=points,
            extra_points=extra_points,
            active_days=days,
            features_used=features,
            invites=invites,
            nps=nps,
            candidate_min=model.candidate_min,
            missing=self._missing(),
        )

    def _missing(self) -> list[str]:
        """Signals with no value at all where the model looks for them.

        Frequency and depth look at the week itself, collaboration and the optional
        signals at the window, sentiment at every week up to this one.
        """
        in_window = [any(has[i] for _added, has in self.kept.values()) for i in range(4)]
        missing = []
        if not self.week_has[0]:
            missing.append("frequency")
        if not self.week_has[1]:
            missing.append("depth")
        if not in_window[0]:
            missing.append("collaboration")
        if not self.any_nps:
            missing.append("sentiment")
        for i, name in enumerate(("support_tickets", "content_views", "integrations"), 1):
            if getattr(self.model, name).enabled and not in_window[i]:
                missing.append(name)
        return missing


def extra_points_of(values: Sequence[int | None], model: ScoringModel) -> tuple[int, int, int]:
    """Points of each optional signal (support tickets, content views, integrations)."""
    rules = (model.support_tickets, model.content_views, model.integrations)
    return tuple(
        rule.points if rule.enabled and (value or 0) >= rule.minimum else 0
        for rule, value in zip(rules, values, strict=True)
    )
