"""The power-user model on hand-made weeks: every boundary, ties, top N %, movement, trend.

Usage rows are written straight into the store with SQL, so these tests pin the model
without going through the CSV importer.
"""

from __future__ import annotations

import pytest

from plm_desktop.scoring import (
    ModelError,
    ScoringModel,
    UnknownWeek,
    leaderboard,
    preview_model_change,
    refresh_weeks,
    rescore_all,
    trend,
    user_score,
    weeks,
)
from plm_desktop.scoring.weekdates import as_week, shift_week

W = "2026-11-30"  # the week scored in most tests
W1, W2, W3, W4 = (shift_week(W, -k) for k in range(1, 5))


def add_usage(db, week: str, user_id: str, **values) -> None:
    """Store one hand-made usage row (and its user) as an import would."""
    db.conn.execute(
        "INSERT OR IGNORE INTO users (user_id, email, name) VALUES (?, ?, ?)",
        (user_id, f"{user_id}@example.com", f"User {user_id}"),
    )
    columns = ["week", "user_id", *values]
    marks = ",".join("?" * len(columns))
    db.conn.execute(
        f"INSERT INTO usage ({','.join(columns)}) VALUES ({marks})",
        (week, user_id, *values.values()),
    )


def scored(db, week: str = W) -> dict:
    """Score every week, then map user id -> RankedUser for ``week``."""
    rescore_all(db)
    return {row.user_id: row for row in leaderboard(db, week, top=None).rows}


# -- usage frequency ----------------------------------------------------------------------


def test_five_active_days_is_daily_and_four_is_weekly(db):
    add_usage(db, W, "five", active_days=5)
    add_usage(db, W, "four", active_days=4)
    add_usage(db, W, "one", active_days=1)
    rows = scored(db)
    assert rows["five"].points.frequency == 25
    assert rows["four"].points.frequency == 15
    assert rows["one"].points.frequency == 15
    assert rows["five"].explanation[0] == "active 5 of 7 days in the week of 30 Nov: daily, 25"
    assert rows["four"].explanation[0] == "active 4 of 7 days in the week of 30 Nov: weekly, 15"


def test_absent_in_the_week_but_active_two_weeks_before_is_monthly(db):
    add_usage(db, W2, "earlier", active_days=3)
    add_usage(db, W, "other", active_days=1)
    rows = scored(db)
    assert "earlier" in rows, "a row in W-3..W ranks the user"
    assert rows["earlier"].points.frequency == 5
    assert rows["earlier"].raw.active_days is None
    assert rows["earlier"].explanation[0] == (
        "no activity in the week of 30 Nov, last active in the week of 16 Nov: monthly, 5"
    )


def test_zero_days_this_week_and_active_three_weeks_before_is_monthly(db):
    add_usage(db, W3, "u", active_days=2)
    add_usage(db, W, "u", active_days=0)
    assert scored(db)["u"].points.frequency == 5


def test_no_activity_in_the_window_scores_zero_and_outside_the_window_is_not_ranked(db):
    add_usage(db, W3, "idle", active_days=0, features_used=0)
    add_usage(db, W4, "gone", active_days=7)
    add_usage(db, W, "here", active_days=1)
    rows = scored(db)
    assert rows["idle"].points.frequency == 0
    assert rows["idle"].explanation[0] == "no activity in the 4 weeks to 30 Nov: 0"
    assert "gone" not in rows, "activity only in W-4 is outside the four-week window"
    assert leaderboard(db, W).ranked_count == 2


# -- feature depth ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("features", "points"), [(0, 0), (1, 5), (2, 5), (3, 15), (4, 15), (5, 25), (9, 25)]
)
def test_feature_depth_tiers(db, features, points):
    add_usage(db, W, "u", active_days=1, features_used=features)
    assert scored(db)["u"].points.depth == points


def test_features_used_in_earlier_weeks_do_not_count(db):
    add_usage(db, W1, "u", active_days=3, features_used=8)
    add_usage(db, W, "u", active_days=3, features_used=1)
    assert scored(db)["u"].points.depth == 5


# -- collaboration ------------------------------------------------------------------------


def test_two_invites_in_the_window_is_15_and_three_is_25(db):
    add_usage(db, W3, "two", invites_sent=1)
    add_usage(db, W, "two", invites_sent=1)
    add_usage(db, W3, "three", invites_sent=2)
    add_usage(db, W1, "three", invites_sent=1)
    add_usage(db, W, "none", invites_sent=0)
    rows = scored(db)
    assert (rows["two"].raw.invites, rows["two"].points.collaboration) == (2, 15)
    assert (rows["three"].raw.invites, rows["three"].points.collaboration) == (3, 25)
    assert rows["none"].points.collaboration == 0
    assert rows["three"].explanation[2] == "sent 3 invites in the 4 weeks to 30 Nov: 25"


def test_invites_before_the_window_do_not_count(db):
    add_usage(db, W4, "u", invites_sent=5)
    add_usage(db, W, "u", invites_sent=1)
    assert scored(db)["u"].raw.invites == 1


# -- sentiment ----------------------------------------------------------------------------


@pytest.mark.parametrize(("nps", "points"), [(0, 0), (6, 0), (7, 15), (8, 15), (9, 25), (10, 25)])
def test_nps_tiers(db, nps, points):
    add_usage(db, W, "u", active_days=1, nps=nps)
    add_usage(db, W, "other", active_days=1)
    assert scored(db)["u"].points.sentiment == points


def test_no_nps_answer_scores_zero(db):
    add_usage(db, W, "answered", nps=9)
    add_usage(db, W, "silent", active_days=2)
    rows = scored(db)
    assert rows["silent"].points.sentiment == 0
    assert rows["silent"].explanation[3] == "no NPS answer up to the week of 30 Nov: 0"
    assert "sentiment" not in leaderboard(db).missing_signals


def test_latest_answer_wins_and_carries_forward_past_the_window(db):
    long_ago = shift_week(W, -10)
    add_usage(db, long_ago, "old", nps=9)
    add_usage(db, W, "old", active_days=1)
    add_usage(db, W2, "changed", nps=10)
    add_usage(db, W1, "changed", nps=6)
    add_usage(db, W, "changed", active_days=1)
    rows = scored(db)
    assert (rows["old"].raw.nps, rows["old"].raw.nps_week) == (9, long_ago)
    assert rows["old"].points.sentiment == 25
    assert rows["changed"].points.sentiment == 0
    assert rows["old"].explanation[3] == "NPS 9 in the week of 21 Sep: promoter, 25"


def test_an_export_without_nps_is_scored_and_the_missing_signal_named(db):
    add_usage(db, W, "a", active_days=5, features_used=5, invites_sent=3)
    add_usage(db, W, "b", active_days=2, features_used=1)
    rows = scored(db)
    board = leaderboard(db)
    assert board.missing_signals == ["sentiment"]
    assert any("NPS" in note for note in board.notes)
    assert rows["a"].score == 75
    assert rows["a"].candidate


def test_an_export_without_active_days_names_frequency_missing(db):
    add_usage(db, W, "a", features_used=5, nps=9)
    scored(db)
    board = leaderboard(db)
    assert board.missing_signals == ["frequency", "collaboration"]
    assert board.rows[0].points.frequency == 0
    assert board.rows[0].explanation[0].startswith("frequency: no active_days")


# -- total, candidate, ties, top N % --------------------------------------------------------


def test_score_is_the_sum_and_70_marks_a_candidate(db):
    add_usage(db, W, "seventy", active_days=5, features_used=5, invites_sent=1, nps=6)
    add_usage(db, W, "sixtyfive", active_days=5, features_used=5, invites_sent=1, nps=None)
    add_usage(db, W, "max", active_days=7, features_used=6, invites_sent=3, nps=10)
    rows = scored(db)
    assert rows["max"].score == 100
    assert rows["seventy"].score == 65
    assert not rows["seventy"].candidate
    add_usage(db, W1, "sixtyfive", nps=7)
    rows = scored(db)
    assert rows["sixtyfive"].score == 80
    assert rows["sixtyfive"].candidate
    model = ScoringModel.load(db)
    model.candidate_min = 65
    model.save(db)
    assert scored(db)["seventy"].candidate


def test_exactly_70_is_a_candidate(db):
    add_usage(db, W, "u", active_days=5, features_used=3, invites_sent=1, nps=7)
    add_usage(db, W, "v", active_days=5, features_used=3, invites_sent=1, nps=6)
    rows = scored(db)
    assert (rows["u"].score, rows["u"].candidate) == (70, True)
    assert (rows["v"].score, rows["v"].candidate) == (55, False)


def test_ties_break_by_days_then_features_then_invites_then_user_id(db):
    same = {"nps": 9}
    # All four score 100; they differ only in the raw values behind their tiers.
    add_usage(db, W, "d-more-days", active_days=7, features_used=5, invites_sent=3, **same)
    add_usage(db, W, "c-more-features", active_days=6, features_used=9, invites_sent=3, **same)
    add_usage(db, W, "b-more-invites", active_days=6, features_used=5, invites_sent=8, **same)
    add_usage(db, W, "a-plain", active_days=6, features_used=5, invites_sent=3, **same)
    add_usage(db, W, "a-plain-too", active_days=6, features_used=5, invites_sent=3, **same)
    rescore_all(db)
    order = [r.user_id for r in leaderboard(db).rows]
    assert order == ["d-more-days", "c-more-features", "b-more-invites", "a-plain", "a-plain-too"]
    assert {r.score for r in leaderboard(db).rows} == {100}


def test_invites_tie_break_uses_the_window_sum(db):
    add_usage(db, W2, "x", invites_sent=4)
    add_usage(db, W, "x", active_days=3, invites_sent=0)
    add_usage(db, W, "w", active_days=3, invites_sent=3)
    assert [r.user_id for r in (rescore_all(db), leaderboard(db))[1].rows] == ["x", "w"]


def test_top_percent_is_the_ceiling_of_rank_over_ranked_users(db):
    for n in range(7):
        add_usage(db, W, f"u{n}", active_days=7 - n)
    rows = sorted(scored(db).values(), key=lambda r: r.rank)
    assert [r.top_percent for r in rows] == [15, 29, 43, 58, 72, 86, 100]


def test_top_percent_on_two_hundred_users(db):
    for n in range(200):
        add_usage(db, W, f"u{n:03d}", active_days=1 + n % 7, features_used=n % 6)
    rows = sorted(scored(db).values(), key=lambda r: r.rank)
    assert rows[9].top_percent == 5
    assert rows[10].top_percent == 6
    assert rows[-1].top_percent == 100


# -- movement, trend, refresh ---------------------------------------------------------------


def test_movement_since_the_previous_week(db):
    add_usage(db, W1, "a", active_days=7)
    add_usage(db, W1, "b", active_days=5)
    add_usage(db, W1, "c", active_days=3)
    add_usage(db, W, "a", active_days=3)
    add_usage(db, W, "b", active_days=5)
    add_usage(db, W, "c", active_days=3, features_used=1)
    add_usage(db, W, "d", active_days=1)
    rows = scored(db)
    assert {u: (r.rank, r.movement, r.previous_rank) for u, r in rows.items()} == {
        "b": (1, "up", 2),
        "c": (2, "up", 3),
        "a": (3, "down", 1),
        "d": (4, "new", None),
    }
    first = {r.user_id: r.movement for r in leaderboard(db, W1).rows}
    assert set(first.values()) == {"new"}
    add_usage(db, shift_week(W, 1), "b", active_days=5)
    add_usage(db, shift_week(W, 1), "c", active_days=3, features_used=1)
    rescore_all(db)
    assert user_score(db, "b").movement == "same"


def test_trend_covers_eight_scored_weeks_with_gaps_as_none(db):
    for k in range(10):
        week = shift_week(W, -k)
        add_usage(db, week, "steady", active_days=5, features_used=k % 6)
    for k in (0, 6):
        add_usage(db, shift_week(W, -k), "rare", active_days=2)
    rescore_all(db)
    points = trend(db, "rare", W)
    assert [p.week for p in points] == [shift_week(W, -k) for k in range(7, -1, -1)]
    assert [p.score for p in points] == [None, 15, 5, 5, 5, None, None, 15]
    steady = trend(db, "steady", W1, weeks=3)
    assert [p.week for p in steady] == [W3, W2, W1]
    assert all(p.rank == 1 for p in steady)


def test_refreshing_an_earlier_week_rescores_the_weeks_its_window_reaches(db):
    add_usage(db, W2, "u", active_days=1)
    add_usage(db, W, "u", active_days=1)
    add_usage(db, W, "v", active_days=1, invites_sent=1)
    refresh_weeks(db, [W2, W])
    assert user_score(db, "u").points.collaboration == 0

    db.conn.execute(
        "UPDATE usage SET invites_sent = 3, nps = 9 WHERE week = ? AND user_id = 'u'", (W2,)
    )
    result = refresh_weeks(db, [W2])
    assert result.weeks == [W2, W]
    after = user_score(db, "u")
    assert (after.points.collaboration, after.points.sentiment) == (25, 25)
    assert after.rank == 1


def test_refresh_accepts_any_day_of_the_week_and_forgets_weeks_without_rows(db):
    add_usage(db, W1, "u", active_days=1)
    add_usage(db, W, "u", active_days=1)
    refresh_weeks(db, ["2026-12-02"])
    assert [r[0] for r in db.conn.execute("SELECT week FROM score_weeks")] == [W]
    rescore_all(db)
    db.conn.execute("DELETE FROM usage WHERE week = ?", (W,))
    refresh_weeks(db, [W1])
    assert [r[0] for r in db.conn.execute("SELECT week FROM score_weeks")] == [W1]


def test_weeks_lists_imported_weeks_in_order(db):
    for week in (W, W3, W1):
        add_usage(db, week, "u", active_days=1)
    assert weeks(db) == [W3, W1, W]
    assert as_week("2026-12-06") == W


# -- reading the leaderboard ------------------------------------------------------------------


def test_leaderboard_of_an_empty_database_is_empty(db):
    board = leaderboard(db)
    assert (board.week, board.rows, board.ranked_count) == (None, [], 0)


def test_leaderboard_of_an_unscored_week_says_which_weeks_are(db):
    add_usage(db, W, "u", active_days=1)
    rescore_all(db)
    with pytest.raises(UnknownWeek, match=f"no scores for the week of {W1}.*{W}"):
        leaderboard(db, W1)


def test_leaderboard_reads_the_stored_scores_and_top_limits_rows(db):
    for n in range(30):
        add_usage(db, W, f"u{n:02d}", active_days=n % 8, features_used=n % 5)
    rescore_all(db)
    db.conn.execute("DELETE FROM usage")  # stored scores answer without the raw rows
    board = leaderboard(db, top=10)
    assert len(board.rows) == 10
    assert [r.rank for r in board.rows] == list(range(1, 11))
    assert board.ranked_count == 30
    assert len(leaderboard(db, top=None).rows) == 30
    assert len(leaderboard(db, top=2000).rows) == 30


def test_leaderboard_rows_carry_the_users_details(db):
    add_usage(db, W, "u", active_days=1)
    db.conn.execute("UPDATE users SET company = 'Acme', title = 'CTO' WHERE user_id = 'u'")
    rescore_all(db)
    row = leaderboard(db).rows[0]
    assert (row.email, row.name, row.company, row.title) == (
        "u@example.com",
        "User u",
        "Acme",
        "CTO",
    )


# -- the model ----------------------------------------------------------------------------


def test_the_model_is_saved_with_the_database(db):
    model = ScoringModel.load(db)
    assert model == ScoringModel()
    model.frequency.daily_min_days = 4
    model.sentiment.promoter_points = 30
    model.milestones.roi_metric = "minutes_saved"
    model.save(db)
    again = ScoringModel.load(db)
    assert again.frequency.daily_min_days == 4
    assert again.sentiment.promoter_points == 30
    assert again.milestones.roi_metric == "minutes_saved"


def test_a_changed_model_changes_scores_after_rescoring(db):
    add_usage(db, W, "u", active_days=4, nps=9)
    rows = scored(db)
    assert rows["u"].points.frequency == 15
    model = ScoringModel.load(db)
    model.frequency.daily_min_days = 4
    model.save(db)
    assert leaderboard(db).rows[0].points.frequency == 15, "stored until rescored"
    rescore_all(db)
    row = leaderboard(db).rows[0]
    assert row.points.frequency == 25
    assert row.explanation[0] == "active 4 of 7 days in the week of 30 Nov: daily, 25"


def test_optional_signals_are_off_by_default_and_count_when_switched_on(db):
    add_usage(db, W, "u", active_days=1, content_views=12, support_tickets=2)
    add_usage(db, W1, "u", integrations_connected=3)
    row = scored(db)["u"]
    assert row.score == 15
    assert ScoringModel().enabled_extras() == []
    assert len(row.explanation) == 4

    model = ScoringModel.load(db)
    model.content_views.enabled = True
    model.content_views.points = 10
    model.integrations.enabled = True
    model.integrations.minimum = 3
    model.integrations.points = 7
    model.save(db)
    row = scored(db)["u"]
    assert (row.points.content_views, row.points.integrations, row.points.support_tickets) == (
        10,
        7,
        0,
    )
    assert row.score == 32
    assert "12 content views in the 4 weeks to 30 Nov: 10" in row.explanation


def test_enabled_signal_without_data_is_reported_missing(db):
    add_usage(db, W, "u", active_days=1, features_used=1, nps=8, invites_sent=0)
    model = ScoringModel.load(db)
    model.support_tickets.enabled = True
    model.save(db)
    scored(db)
    assert leaderboard(db).missing_signals == ["support_tickets"]


@pytest.mark.parametrize(
    ("saved", "message"),
    [
        ({"depth": {"mid_min": 5}}, "depth needs 1 <= mid_min < deep_min"),
        ({"candidate_min": "70"}, "candidate_min must be a whole number"),
        ({"sentiment": {"promoter_min": 11}}, "sentiment needs"),
        ({"frequency": {"daily_points": -5}}, "frequency.daily_points must be zero or more"),
        ({"milestones": {"roi_metric": " "}}, "roi_metric"),
        ({"content_views": {"enabled": 1}}, "content_views.enabled must be true or false"),
    ],
)
def test_a_model_that_cannot_work_is_refused_with_its_name(saved, message):
    with pytest.raises(ModelError, match=message):
        ScoringModel.from_dict(saved)


def test_saved_settings_from_a_newer_app_keep_known_values(db):
    db.set_setting("scoring.model", {"candidate_min": 60, "a_future_knob": 3})
    assert ScoringModel.load(db).candidate_min == 60


def test_preview_counts_users_whose_candidate_status_or_top_ten_would_change(db):
    add_usage(db, W, "seventy", active_days=5, features_used=3, invites_sent=1, nps=7)
    add_usage(db, W, "sixty", active_days=5, features_used=3, invites_sent=1, nps=1)
    for n in range(10):
        add_usage(db, W, f"z{n}", active_days=1)
    add_usage(db, W, "zz-nps", active_days=1, nps=9)
    rescore_all(db)
    candidate = ScoringModel.load(db)
    candidate.candidate_min = 55
    candidate.sentiment.promoter_points = 100
    preview = preview_model_change(db, candidate)
    assert preview.week == W
    assert (preview.candidates_now, preview.candidates_after) == (1, 3)
    assert preview.candidate_changes == 2  # "sixty" and "zz-nps" become candidates
    assert preview.entering_top == []
    assert preview.changed_users == 2
    assert leaderboard(db).candidate_count == 1, "a preview stores nothing"

    tighter = ScoringModel.load(db)
    tighter.frequency.daily_points = 10
    preview = preview_model_change(db, tighter, top=2)
    assert preview.top_changes == 0
    assert preview.candidate_changes == 1  # "seventy" drops to 55
