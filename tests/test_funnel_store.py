"""The funnel's counts gathered from a hand-made store: usage, milestones, the outbox,
outcomes and attributed signups, each dated inside or outside the month."""

from __future__ import annotations

from datetime import date

import pytest

from plm_desktop.loop.attribution import attribute_by_hand
from plm_desktop.loop.funnel import funnel_for, funnel_trend, gather_inputs, latest_period
from plm_desktop.loop.outcomes import record_outcome
from plm_desktop.loop.periods import Period
from plm_desktop.loop.program import ProgramSettings
from tests.signup_rows import add_signup

NOV = Period.month(2026, 11)


def add_users(db, n):
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO users (user_id, email, name) VALUES (?, ?, ?)",
            [(f"u{i}", f"u{i}@acme.io", f"User {i}") for i in range(1, n + 1)],
        )


def add_usage(db, week, user_id, active_days):
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO usage (week, user_id, active_days) VALUES (?, ?, ?)",
            (week, user_id, active_days),
        )


def add_milestone(db, user_id, kind, week):
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO milestones (user_id, kind, week, detected_at) VALUES (?, ?, ?, 'x')",
            (user_id, kind, week),
        )


def add_share(db, user_id, milestone, day, state="sent", channel="slack"):
    stamp = f"{day}T10:00:00+00:00"
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO outbox (user_id, milestone, week, channel, text, state, dedupe_key,"
            " created_at, updated_at, sent_at) VALUES (?, ?, NULL, ?, 'hi', ?, ?, ?, ?, ?)",
            (
                user_id,
                milestone,
                channel,
                state,
                f"{user_id}|{milestone}|{day}|{channel}",
                stamp,
                stamp,
                stamp if state == "sent" else None,
            ),
        )


@pytest.fixture
def month(db):
    """Ten users active in November, milestones, cards, posts and signups around it."""
    add_users(db, 12)
    for i in range(1, 11):
        add_usage(db, "2026-11-02", f"u{i}", 3)
    add_usage(db, "2026-11-09", "u1", 2)  # counted once
    add_usage(db, "2026-11-16", "u11", 0)  # a row with no activity: not active
    add_usage(db, "2026-10-26", "u12", 5)  # October's week (its Monday is in October)

    add_milestone(db, "u1", "first_project", "2026-11-02")
    add_milestone(db, "u2", "first_project", "2026-11-09")
    add_milestone(db, "u3", "task_100", "2026-11-09")
    add_milestone(db, "u4", "top_5", "2026-11-16")
    add_milestone(db, "u5", "top_5", "2026-10-26")  # October

    add_share(db, "u1", "first_project", "2026-11-03")
    add_share(db, "u2", "first_project", "2026-11-10", state="handed_to_user", channel="linkedin")
    add_share(db, "u3", "task_100", "2026-11-11", state="failed")  # never reached u3
    add_share(db, "u5", "top_5", "2026-11-02")  # October's milestone, November's card
    add_share(db, "u6", "top_5", "2026-10-20")  # October's card

    record_outcome(db, "u1", "posted", occurred_on=date(2026, 11, 4))
    record_outcome(db, "u1", "posted", occurred_on=date(2026, 11, 20))
    record_outcome(db, "u5", "posted", occurred_on=date(2026, 11, 5), milestone_kind="top_5")
    record_outcome(db, "u6", "posted", occurred_on=date(2026, 10, 21))  # October
    record_outcome(db, "u1", "impressions", occurred_on=date(2026, 11, 6), amount=1500)
    record_outcome(db, "u5", "impressions", occurred_on=date(2026, 11, 7), amount=300)
    record_outcome(db, "u1", "clicks", occurred_on=date(2026, 11, 6), amount=70)
    record_outcome(db, "u1", "demo_requests", occurred_on=date(2026, 11, 8), amount=2)
    record_outcome(db, "u1", "deal", occurred_on=date(2026, 11, 28), pipeline_value=24000.0)
    record_outcome(db, "u5", "deal", occurred_on=date(2026, 12, 2), pipeline_value=9000.0)

    for key, day, kind, advocate in [
        ("s1", "2026-11-05", "signup", "u1"),
        ("s2", "2026-11-06", "signup", "u1"),
        ("s3", "2026-11-07", "demo", "u5"),
        ("s4", "2026-11-08", "signup", None),  # unmatched
        ("s5", "2026-10-30", "signup", "u1"),  # October
    ]:
        signup_id = add_signup(db, key, day, kind)
        if advocate:
            attribute_by_hand(db, signup_id, advocate)
    ProgramSettings(monthly_cost=400.0, cac=250.0).save(db)
    return db


def test_counts_follow_the_period(month):
    i = gather_inputs(month, NOV)
    assert i.active_users == 10
    assert i.milestone_users == 4  # u1-u4 (u5's milestone was in October)
    assert i.celebrated_users == 2  # u1 and u2 got cards; u3's failed
    assert i.card_recipients == 3  # u1, u2, u5
    assert (i.sharers, i.shares) == (2, 3)  # u1 twice, u5 once
    assert (i.reach, i.impressions) == (70, 1800)  # reach is the clicks shares brought
    assert i.signups == 2
    assert i.demo_requests == 1 + 2  # an attributed demo signup plus two recorded
    assert (i.deals, i.pipeline) == (1, 24000.0)
    assert i.new_advocates == 2  # u1 and u5 first posted in November; u6 in October
    assert i.unattributed_signups == 1
    assert (i.program_cost, i.cac) == (400.0, 250.0)


def test_the_funnel_of_the_month(month):
    funnel = funnel_for(month, NOV)
    values = {s.key: s.value for s in [*funnel.stages, funnel.viral_coefficient]}
    assert values["activation"] == pytest.approx(4 / 10)
    assert values["celebration"] == pytest.approx(2 / 4)
    assert values["share"] == pytest.approx(2 / 3)
    assert values["amplification"] == pytest.approx(70 / 3)
    assert values["conversion"] == pytest.approx((2 + 3) / 70)
    assert values["viral_coefficient"] == pytest.approx(2 / 2)
    assert funnel.activation_cost == pytest.approx(400.0 / 2)
    assert funnel.cost_verdict == "cheaper than CAC"  # 200 per advocate against 250
    assert "1 signups in this period carry no advocate's code" in funnel.notes[0]


def test_per_milestone_share_rates_infer_the_card_a_post_carried(month):
    rows = {m.kind: m for m in funnel_for(month, NOV).milestones}
    # u1's posts carry no milestone: the latest card before them was first_project.
    assert (rows["first_project"].cards_sent, rows["first_project"].shared) == (2, 1)
    assert rows["first_project"].share_rate == pytest.approx(0.5)
    assert (rows["top_5"].milestone_users, rows["top_5"].cards_sent, rows["top_5"].shared) == (
        1,
        1,
        1,
    )
    assert (rows["task_100"].cards_sent, rows["task_100"].share_rate) == (0, None)


def test_an_empty_month_and_the_trend(month):
    empty = funnel_for(month, Period.month(2026, 6))
    assert empty.is_empty
    assert all(s.value is None for s in empty.stages)
    assert empty.activation_cost is None  # cost entered, but no new advocates
    trend = funnel_trend(month, NOV, months=3)
    assert [f.period.label for f in trend] == ["2026-09", "2026-10", "2026-11"]
    assert trend[0].is_empty
    assert trend[1].inputs.active_users == 1
    assert trend[1].inputs.new_advocates == 1
    assert latest_period(month) == NOV  # the latest usage week, not the December deal
    quarter = funnel_for(month, Period.quarter(2026, 4))
    assert quarter.inputs.program_cost == 1200.0
    assert quarter.inputs.signups == 3


def test_a_card_sent_after_the_month_still_celebrates_its_milestone(month):
    add_share(month, "u4", "top_5", "2026-12-01")  # u4's top-5 week was 16 Nov
    i = gather_inputs(month, NOV)
    assert i.celebrated_users == 3
    assert i.card_recipients == 3  # but it is December's card, not November's
    assert gather_inputs(month, Period.month(2026, 12)).card_recipients == 1
