"""Every funnel formula, pinned on hand-made counts and on a hand-made store."""

from __future__ import annotations

import pytest

from plm_desktop.loop.export import funnel_as_dict, funnel_csv_rows, write_funnel_csv
from plm_desktop.loop.funnel import (
    NO_DATA,
    Benchmark,
    FunnelInputs,
    MilestoneInputs,
    compute_funnel,
    ratio,
)
from plm_desktop.loop.periods import Period, PeriodError, months_ending, parse_period

NOV = Period.month(2026, 11)


def stages(funnel):
    return {s.key: s for s in [*funnel.stages, funnel.viral_coefficient]}


def test_each_stage_is_its_own_ratio():
    inputs = FunnelInputs(
        period=NOV,
        active_users=200,
        milestone_users=90,
        celebrated_users=54,
        card_recipients=60,
        sharers=12,
        shares=15,
        reach=3000,
        signups=45,
        demo_requests=15,
    )
    s = stages(compute_funnel(inputs))
    assert s["activation"].value == pytest.approx(90 / 200)
    assert s["celebration"].value == pytest.approx(54 / 90)
    assert s["share"].value == pytest.approx(12 / 60)
    assert s["amplification"].value == pytest.approx(3000 / 15)
    assert s["conversion"].value == pytest.approx((45 + 15) / 3000)
    assert s["viral_coefficient"].value == pytest.approx(45 / 12)
    assert (s["conversion"].numerator, s["conversion"].denominator) == (60, 3000)


def test_verdicts_against_the_issue_benchmarks():
    inputs = FunnelInputs(
        period=NOV,
        active_users=100,
        milestone_users=40,  # 40 %: exactly the benchmark
        celebrated_users=20,  # 50 % < 60 %
        card_recipients=100,
        sharers=30,  # 30 % > 25 %
        shares=10,
        reach=50,  # 5x: on target
        signups=1,  # 1 / 50 = 2 %
        demo_requests=0,
    )
    s = stages(compute_funnel(inputs))
    assert s["activation"].verdict == "on target"
    assert s["celebration"].verdict == "below"
    assert s["share"].verdict == "above"
    assert s["amplification"].verdict == "on target"
    assert s["conversion"].verdict == "on target"
    assert s["viral_coefficient"].value == pytest.approx(1 / 30)
    assert s["viral_coefficient"].verdict == "below"
    assert s["activation"].display == "40.0 %"
    assert s["amplification"].display == "5.0x"
    assert s["share"].benchmark_display == "15%-25%"
    assert s["activation"].benchmark_display == "40%+"
    assert s["viral_coefficient"].benchmark_display == "0.3-0.5"


def test_an_empty_period_is_no_data_everywhere_and_never_divides_by_zero():
    funnel = compute_funnel(FunnelInputs(period=NOV, program_cost=500.0, cac=300.0))
    for stage in stages(funnel).values():
        assert stage.value is None
        assert stage.verdict == NO_DATA
        assert stage.display == NO_DATA
    assert funnel.activation_cost is None
    assert funnel.cost_verdict == NO_DATA
    assert funnel.is_empty
    data = funnel_as_dict(funnel)
    assert data["stages"][0]["value"] is None
    assert data["stages"][0]["display"] == "no data"


def test_a_partial_period_gives_values_only_where_denominators_exist():
    funnel = compute_funnel(FunnelInputs(period=NOV, active_users=10, milestone_users=3))
    s = stages(funnel)
    assert s["activation"].value == pytest.approx(0.3)
    assert s["celebration"].value == 0.0  # 0 of 3 milestone users got a card
    assert s["share"].value is None
    assert s["amplification"].value is None
    assert s["conversion"].value is None


def test_pipeline_and_activation_cost_against_cac():
    inputs = FunnelInputs(
        period=NOV, pipeline=48000.0, deals=3, new_advocates=4, program_cost=600.0, cac=400.0
    )
    funnel = compute_funnel(inputs)
    assert funnel.pipeline == 48000.0
    assert funnel.activation_cost == pytest.approx(150.0)
    assert funnel.cost_verdict == "cheaper than CAC"
    dearer = compute_funnel(
        FunnelInputs(period=NOV, new_advocates=1, program_cost=600.0, cac=400.0)
    )
    assert dearer.cost_verdict == "dearer than CAC"
    no_cac = compute_funnel(FunnelInputs(period=NOV, new_advocates=1, program_cost=600.0))
    assert no_cac.activation_cost == 600.0
    assert no_cac.cost_verdict == NO_DATA


def test_milestones_are_ranked_by_share_rate_with_advice():
    inputs = FunnelInputs(
        period=NOV,
        milestones=(
            MilestoneInputs("task_100", milestone_users=20, cards_sent=10, shared=1),
            MilestoneInputs("top_5", milestone_users=8, cards_sent=8, shared=4),
            MilestoneInputs("first_project", milestone_users=30, cards_sent=20, shared=4),
            MilestoneInputs("roi", milestone_users=2, cards_sent=0, shared=0),
            MilestoneInputs("streak_90", milestone_users=3, cards_sent=3, shared=3),
        ),
    )
    rows = compute_funnel(inputs).milestones
    assert [m.kind for m in rows] == ["streak_90", "top_5", "first_project", "task_100", "roi"]
    by_kind = {m.kind: m for m in rows}
    assert by_kind["top_5"].share_rate == pytest.approx(0.5)
    assert by_kind["top_5"].advice == "double down"
    assert by_kind["first_project"].advice == "keep"  # 20 %
    assert by_kind["task_100"].advice == "drop or rework"  # 10 %
    assert by_kind["roi"].share_rate is None
    assert by_kind["roi"].advice == "no cards sent"
    assert by_kind["streak_90"].advice.startswith("too few cards")


def test_ratio_and_benchmark_edges():
    assert ratio(1, 0) is None
    assert ratio(0, 0) is None
    assert ratio(0, 4) == 0.0
    band = Benchmark(0.15, 0.25)
    assert band.verdict(None) == NO_DATA
    assert band.verdict(0.1499) == "below"
    assert band.verdict(0.25) == "on target"
    assert band.verdict(0.2501) == "above"


def test_csv_export_has_every_stage_money_and_milestone_row(tmp_path):
    inputs = FunnelInputs(
        period=NOV,
        active_users=10,
        milestone_users=5,
        milestones=(MilestoneInputs("top_5", 5, 5, 2),),
    )
    funnel = compute_funnel(inputs)
    rows = funnel_csv_rows([funnel])
    metrics = [row[1] for row in rows]
    assert metrics == [
        "activation",
        "celebration",
        "share",
        "amplification",
        "conversion",
        "viral_coefficient",
        "pipeline",
        "activation_cost",
        "cac",
        "milestone:top_5",
    ]
    assert rows[0][5] == 0.5 and rows[0][6] == "50.0 %"
    assert rows[2][6] == "no data" and rows[2][5] == ""
    path = write_funnel_csv([funnel], tmp_path / "funnel.csv")
    text = path.read_text("utf-8").splitlines()
    assert text[0] == "period,metric,label,numerator,denominator,value,display,benchmark,verdict"
    assert text[1].startswith("2026-11,activation,Activation,5,10,0.5,50.0 %,40%+,on target")


def test_periods_parse_and_step():
    assert parse_period("2026-11") == Period.month(2026, 11)
    q4 = parse_period("2026-Q4")
    assert (q4.start.isoformat(), q4.end.isoformat()) == ("2026-10-01", "2026-12-31")
    assert [m.label for m in q4.months] == ["2026-10", "2026-11", "2026-12"]
    assert q4.next().label == "2027-Q1"
    assert parse_period("2027-q1").previous().label == "2026-Q4"
    assert Period.month(2026, 12).next().label == "2027-01"
    assert Period.month(2024, 2).end.day == 29
    assert [m.label for m in months_ending(NOV, 3)] == ["2026-09", "2026-10", "2026-11"]
    for bad in ("2026-13", "2026-Q5", "Nov 2026", "2026/11"):
        with pytest.raises(PeriodError):
            parse_period(bad)
