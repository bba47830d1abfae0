"""How computed scores reach the scores table: packed one integer per user, row by row when
values do not fit, scored on a second connection, and rolled back whole on an error."""

from __future__ import annotations

import random

import pytest

from plm_desktop.scoring import ScoringModel, engine, leaderboard, rescore_all, user_score, weeks
from plm_desktop.scoring.weekdates import shift_week
from plm_desktop.store import Database
from tests.test_scoring import W, add_usage

COLUMNS = (
    "week, user_id, rank, score, frequency, depth, collaboration, sentiment, extra_points, "
    "active_days, features_used, invites, nps, top_percent, candidate"
)


def random_history(db, seed: int = 7, users: int = 40, count: int = 8) -> None:
    """Usage of ``users`` users over ``count`` weeks, with gaps and empty cells."""
    rng = random.Random(seed)
    for k in range(count):
        week = shift_week(W, k - count + 1)
        for n in range(users):
            if rng.random() < 0.25:
                continue
            values = {
                "active_days": rng.choice([None, 0, 1, 4, 5, 7]),
                "features_used": rng.choice([None, 0, 2, 3, 5, 40]),
                "invites_sent": rng.choice([None, 0, 0, 1, 2, 3]),
                "nps": rng.choice([None, None, None, 6, 7, 8, 9, 10]),
                "support_tickets": rng.choice([None, 0, 1, 3]),
                "content_views": rng.choice([None, 0, 4, 9]),
                "integrations_connected": rng.choice([None, 0, 1, 2]),
            }
            add_usage(db, week, f"user-{n:02d}", **values)


def all_signals_model() -> ScoringModel:
    model = ScoringModel()
    for name in ("support_tickets", "content_views", "integrations"):
        getattr(model, name).enabled = True
    model.integrations.minimum = 2
    model.depth.deep_points = 30
    return model


def stored_rows(db) -> list[tuple]:
    return db.conn.execute(f"SELECT {COLUMNS} FROM scores ORDER BY week, user_id").fetchall()


def test_packed_rows_unpack_to_the_computed_scores(db):
    random_history(db)
    model = all_signals_model()
    rescore_all(db, model)
    every = weeks(db)
    expected = [
        tuple(row)
        for week in engine.score_weeks(db.conn, model, every, every)
        for row in week.rows()
    ]
    assert stored_rows(db) == expected
    per_week = {}
    for week, rank, _score, top_percent in db.conn.execute(
        "SELECT week, rank, score, top_percent FROM scores"
    ):
        per_week.setdefault(week, []).append((rank, top_percent))
    for week, ranks in per_week.items():
        count = len(ranks)
        assert sorted(r for r, _t in ranks) == list(range(1, count + 1)), week
        assert all(t == -(-100 * r // count) for r, t in ranks), week


def test_values_too_large_to_pack_are_stored_row_by_row(db, caplog):
    add_usage(db, W, "huge", active_days=5, features_used=10**15, invites_sent=3, nps=9)
    add_usage(db, W, "small", active_days=1, features_used=1)
    with caplog.at_level("INFO", logger="plm_desktop.scoring.engine"):
        rescore_all(db)
    assert "too large to pack" in caplog.text
    huge = user_score(db, "huge")
    assert huge.raw.features_used == 10**15
    assert (huge.score, huge.rank, huge.points.depth) == (100, 1, 25)
    small = user_score(db, "small")
    assert (small.score, small.rank, small.top_percent) == (20, 2, 100)


def test_a_database_without_a_file_is_scored_on_its_own_connection(db):
    random_history(db, seed=3, users=12, count=5)
    rescore_all(db)
    on_file = stored_rows(db)
    db.conn.execute("DELETE FROM scores")
    rescore_all(Database(db.conn, None))
    assert stored_rows(db) == on_file


def test_an_error_while_scoring_keeps_the_previous_scores(db, monkeypatch):
    random_history(db, seed=5, users=10, count=4)
    rescore_all(db)
    before = stored_rows(db)
    weeks_scored = 0

    def failing(*args):
        nonlocal weeks_scored
        for week in original(*args):
            weeks_scored += 1
            if weeks_scored == 2:
                raise RuntimeError("disk went away while scoring")
            yield week

    original = engine.score_weeks
    monkeypatch.setattr(engine, "score_weeks", failing)
    changed = ScoringModel()
    changed.candidate_min = 10
    with pytest.raises(RuntimeError, match="disk went away"):
        rescore_all(db, changed)
    assert stored_rows(db) == before
    assert leaderboard(db).ranked_count == len([r for r in before if r[0] == W])
