"""Milestones: each crossed once, in the week it was first crossed, never again."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from plm_desktop.pipeline import import_usage
from plm_desktop.scoring import (
    ScoringModel,
    detect_milestones,
    milestones_in_week,
    milestones_of_user,
    refresh_weeks,
)
from plm_desktop.scoring.weekdates import shift_week
from plm_desktop.store import open_database
from tests.test_scoring import add_usage

W = "2026-11-30"


def week(k: int) -> str:
    """The week ``k`` weeks after an early start (week(0) is 20 weeks before W)."""
    return shift_week(W, k - 20)


def kinds_by_week(db, user_id: str) -> list[tuple[str, str]]:
    return [(m.kind, m.week) for m in milestones_of_user(db, user_id)]


def test_first_project_fires_in_the_week_projects_first_go_above_zero(db):
    add_usage(db, week(0), "u", projects_completed=0)
    add_usage(db, week(1), "u", projects_completed=1)
    add_usage(db, week(2), "u", projects_completed=2)
    new = refresh_weeks(db, [week(0)]).milestones
    assert [(m.kind, m.week, m.value) for m in new] == [("first_project", week(1), 1.0)]
    assert kinds_by_week(db, "u") == [("first_project", week(1))]


def test_task_100_fires_when_the_running_total_reaches_100(db):
    add_usage(db, week(0), "u", tasks_completed=60)
    add_usage(db, week(1), "u", tasks_completed=39)
    add_usage(db, week(2), "u", tasks_completed=1)
    add_usage(db, week(3), "u", tasks_completed=50)
    add_usage(db, week(2), "v", tasks_completed=150)
    refresh_weeks(db, [week(0)])
    found = {m.user_id: m for m in milestones_in_week(db, week(2))}
    assert set(found) == {"u", "v"}
    assert (found["u"].kind, found["u"].value) == ("task_100", 100.0)
    assert found["u"].detail == {"metric": "tasks_completed", "threshold": 100}
    assert found["u"].label == "100th task completed"
    assert milestones_in_week(db, week(1)) == []
    assert milestones_in_week(db, week(3)) == []


def test_team_builder_fires_when_invites_reach_five(db):
    add_usage(db, week(0), "four", invites_sent=4)
    add_usage(db, week(5), "four", invites_sent=0)
    add_usage(db, week(0), "five", invites_sent=2)
    add_usage(db, week(4), "five", invites_sent=3)
    refresh_weeks(db, [week(0)])
    assert kinds_by_week(db, "four") == []
    assert kinds_by_week(db, "five") == [("team_builder", week(4))]


def test_a_thirteen_week_streak_fires_once_and_a_gap_resets_it(db):
    for k in range(16):
        add_usage(db, week(k), "steady", active_days=1)
    for k in list(range(6)) + list(range(7, 19)):  # a gap at week 6, then 12 weeks
        add_usage(db, week(k), "gappy", active_days=3)
    add_usage(db, week(6), "gappy", active_days=0)
    refresh_weeks(db, [week(0)])
    assert kinds_by_week(db, "steady") == [("streak_90", week(12))]
    streak = milestones_of_user(db, "steady")[0]
    assert streak.value == 13.0
    assert kinds_by_week(db, "gappy") == []
    add_usage(db, week(19), "gappy", active_days=1)
    refresh_weeks(db, [week(19)])
    assert kinds_by_week(db, "gappy") == [("streak_90", week(19))]


def test_a_streak_continuing_into_a_refreshed_week_does_not_fire_late(db):
    for k in range(14):
        add_usage(db, week(k), "u", active_days=2)
    detect_milestones(db, [week(13)])
    assert milestones_of_user(db, "u") == [], "crossed in week 12, which was not detected"


def test_roi_fires_when_the_named_metric_crosses_the_threshold(db):
    for k, hours in enumerate([4, 5.5, 0.4, 3]):
        add_usage(db, week(k), "u", custom=json.dumps({"hours_saved": hours}))
    add_usage(db, week(0), "other", custom=json.dumps({"minutes_saved": 900}))
    refresh_weeks(db, [week(0)])
    roi = milestones_of_user(db, "u")
    # Running total 4, 9.5, 9.9, 12.9: the default threshold of 10 is crossed in week 3.
    assert [(m.kind, m.week) for m in roi] == [("roi", week(3))]
    assert abs(roi[0].value - 12.9) < 1e-9
    assert roi[0].detail["metric"] == "hours_saved"
    assert milestones_of_user(db, "other") == []


def test_roi_threshold_metric_and_mode_are_the_founders(db):
    add_usage(db, week(0), "u", custom=json.dumps({"minutes_saved": 200}))
    add_usage(db, week(1), "u", custom=json.dumps({"minutes_saved": 400}))
    add_usage(db, week(2), "u", custom=json.dumps({"minutes_saved": 500}))
    model = ScoringModel.load(db)
    model.milestones.roi_metric = "minutes_saved"
    model.milestones.roi_threshold = 450
    model.milestones.roi_running_total = False
    model.save(db)
    refresh_weeks(db, [week(0)])
    assert [(m.kind, m.week, m.value) for m in milestones_of_user(db, "u")] == [
        ("roi", week(2), 500.0)
    ]
    assert milestones_of_user(db, "u")[0].label == "measurable ROI (minutes_saved)"


def test_top_5_fires_for_candidates_in_the_top_five_percent_once_per_week(db):
    for w in (week(0), week(1)):
        add_usage(db, w, "star", active_days=7, features_used=6, invites_sent=3, nps=10)
        add_usage(db, w, "second", active_days=6, features_used=6, invites_sent=3, nps=10)
        for n in range(38):
            add_usage(db, w, f"user{n:02d}", active_days=n % 5, features_used=n % 3)
    refresh_weeks(db, [week(0)])
    tops = [(m.week, m.value) for m in milestones_of_user(db, "star") if m.kind == "top_5"]
    assert tops == [(week(0), 3.0), (week(1), 3.0)]  # rank 1 of 40 is the top 3 %
    second = [(m.week, m.value) for m in milestones_of_user(db, "second") if m.kind == "top_5"]
    assert second == [(week(0), 5.0), (week(1), 5.0)]  # rank 2 of 40: exactly 5 %
    assert all(
        m.kind != "top_5" for n in range(38) for m in milestones_of_user(db, f"user{n:02d}")
    )

    again = refresh_weeks(db, [week(0), week(1)])
    assert again.milestones == []
    assert sorted(m.kind for m in milestones_in_week(db, week(1))) == [
        "team_builder",
        "team_builder",
        "top_5",
        "top_5",
    ]


def test_top_5_needs_a_candidate(db):
    add_usage(db, week(0), "best-but-low", active_days=1)
    for n in range(30):
        add_usage(db, week(0), f"u{n:02d}", active_days=0)
    refresh_weeks(db, [week(0)])
    assert milestones_of_user(db, "best-but-low") == []


def test_detecting_the_same_weeks_again_records_nothing(db):
    add_usage(db, week(0), "u", projects_completed=1, tasks_completed=120, invites_sent=6)
    first = refresh_weeks(db, [week(0)]).milestones
    assert sorted(m.kind for m in first) == ["first_project", "task_100", "team_builder"]
    assert detect_milestones(db, [week(0)]) == []
    assert refresh_weeks(db, [week(0)]).milestones == []
    count = db.conn.execute("SELECT COUNT(*) FROM milestones").fetchone()[0]
    assert count == 3


def test_a_milestone_crossed_again_later_is_not_recorded_twice(db):
    add_usage(db, week(0), "u", tasks_completed=100)
    refresh_weeks(db, [week(0)])
    # A correction lowers the first week, so the total now crosses 100 in week 1.
    db.conn.execute("UPDATE usage SET tasks_completed = 10 WHERE user_id = 'u'")
    add_usage(db, week(1), "u", tasks_completed=95)
    refresh_weeks(db, [week(0)])
    assert kinds_by_week(db, "u") == [("task_100", week(0))]


def test_changing_a_threshold_does_not_celebrate_old_weeks(db):
    add_usage(db, week(0), "u", tasks_completed=60)
    add_usage(db, week(1), "u", tasks_completed=10)
    refresh_weeks(db, [week(0)])
    model = ScoringModel.load(db)
    model.milestones.task_total = 50
    model.save(db)
    add_usage(db, week(2), "u", tasks_completed=10)
    refresh_weeks(db, [week(2)])
    assert milestones_of_user(db, "u") == []
    add_usage(db, week(2), "v", tasks_completed=55)
    refresh_weeks(db, [week(2)])
    found = milestones_of_user(db, "v")
    assert [(m.kind, m.value) for m in found] == [("task_100", 55.0)]
    assert found[0].label == "50th task completed"


def _write_export(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_importing_fires_milestones_once_and_reimporting_never_again(db, tmp_path):
    base = {"email": "", "active_days": 5, "features_used": 5, "invites_sent": 0, "nps": ""}
    first = _write_export(
        tmp_path / f"usage-{week(0)}.csv",
        [
            {"user_id": "u1", **base, "email": "u1@example.com", "tasks_completed": 99},
            {"user_id": "u2", **base, "email": "u2@example.com", "tasks_completed": 5},
        ],
    )
    second = _write_export(
        tmp_path / f"usage-{week(1)}.csv",
        [
            {"user_id": "u1", **base, "email": "u1@example.com", "tasks_completed": 3},
            {"user_id": "u2", **base, "email": "u2@example.com", "tasks_completed": 96},
        ],
    )
    result = import_usage(db, first)
    assert result.scored is not None and result.scored.weeks == [week(0)]
    result = import_usage(db, second)
    fired = sorted((m.user_id, m.kind) for m in result.scored.milestones)
    assert ("u1", "task_100") in fired
    assert ("u2", "task_100") in fired

    again = import_usage(db, second)
    assert again.scored is None or again.scored.milestones == []
    again = import_usage(db, first)
    assert again.scored is None or again.scored.milestones == []
    rows = db.conn.execute(
        "SELECT user_id, kind, week FROM milestones WHERE kind = 'task_100' ORDER BY user_id"
    ).fetchall()
    assert rows == [("u1", "task_100", week(1)), ("u2", "task_100", week(1))]


def test_milestones_of_a_week_default_to_the_latest_and_carry_names(db):
    add_usage(db, week(0), "u", projects_completed=1)
    add_usage(db, week(1), "v", projects_completed=1, tasks_completed=100)
    refresh_weeks(db, [week(0)])
    latest = milestones_in_week(db)
    assert [(m.user_id, m.kind) for m in latest] == [("v", "first_project"), ("v", "task_100")]
    assert latest[0].name == "User v"
    assert latest[0].email == "v@example.com"
    assert latest[0].milestone_id is not None


def _random_history(db, seed: int, users: int = 30, weeks: int = 16) -> None:
    chance = random.Random(seed)
    for k in range(weeks):
        for n in range(users):
            if n > 0 and chance.random() < 0.15:
                continue  # this user has no row this week; u00 is there every week
            add_usage(
                db,
                week(k),
                f"u{n:02d}",
                active_days=chance.choice([0, 1, 3, 5, 7]) if n > 0 else 5,
                features_used=chance.randint(0, 6),
                invites_sent=chance.choice([0, 0, 0, 1, 2]),
                nps=chance.choice([None, None, None, 6, 8, 10]),
                tasks_completed=chance.randint(0, 25),
                projects_completed=chance.choice([0] * 12 + [1]),
                custom=json.dumps({"hours_saved": chance.randint(0, 3)}),
            )


def test_detecting_week_by_week_finds_what_detecting_all_at_once_finds(tmp_path):
    weekly = open_database(tmp_path / "weekly.sqlite")
    at_once = open_database(tmp_path / "at-once.sqlite")
    try:
        _random_history(weekly, seed=7)
        _random_history(at_once, seed=7)
        for k in range(16):
            refresh_weeks(weekly, [week(k)])  # the saved running totals carry over
        refresh_weeks(at_once, [week(0)])

        def recorded(db):
            return db.conn.execute(
                "SELECT user_id, kind, week, value FROM milestones ORDER BY 1, 2, 3"
            ).fetchall()

        assert recorded(weekly) == recorded(at_once)
        kinds = {row[1] for row in recorded(weekly)}
        assert {"first_project", "task_100", "team_builder", "roi", "streak_90"} <= kinds
    finally:
        weekly.close()
        at_once.close()


def test_saved_totals_are_rebuilt_when_an_earlier_week_changes(db):
    for k in range(4):
        add_usage(db, week(k), "u", tasks_completed=20)
        refresh_weeks(db, [week(k)])
    add_usage(db, week(4), "u", tasks_completed=10)
    # A corrected export of week 1 lifts the running total to 110 in week 3 (20+50+20+20).
    db.conn.execute("UPDATE usage SET tasks_completed = 50 WHERE week = ?", (week(1),))
    refresh_weeks(db, [week(1), week(4)])
    assert kinds_by_week(db, "u") == [("task_100", week(3))]
