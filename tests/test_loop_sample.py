"""The loop's bundled sample: regenerable, consistent with the usage sample, and a demo
database with a running program whose funnel has every stage."""

from __future__ import annotations

import csv

from plm_desktop.loop.funnel import funnel_for
from plm_desktop.loop.ladder import ladder_state
from plm_desktop.loop.periods import Period
from plm_desktop.loop.sample import (
    add_sample_loop,
    sample_referral_codes,
    sample_signup_files,
    write_sample_signups,
)
from plm_desktop.resources import resource_path
from plm_desktop.sample_data import create_demo_database
from plm_desktop.sharing import links


def test_bundled_signups_are_what_the_generator_writes(tmp_path):
    written = write_sample_signups(tmp_path)
    bundled = {p.name: p.read_bytes() for p in resource_path("sample").glob("signups-*.csv")}
    assert {p.name: p.read_bytes() for p in written} == bundled
    assert [p.name for p in sample_signup_files()] == [
        "signups-2026-09.csv",
        "signups-2026-10.csv",
        "signups-2026-11.csv",
    ]


def test_codes_belong_to_the_usage_samples_power_users_in_the_links_format():
    weeks_at_five = {}
    for path in sorted(resource_path("sample").glob("usage-*.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if int(row["active_days"] or 0) >= 5:
                    weeks_at_five[row["user_id"]] = weeks_at_five.get(row["user_id"], 0) + 1
    codes = sample_referral_codes()
    assert len(codes) >= 5
    for user_id, code in codes.items():
        assert weeks_at_five[user_id] >= 13
        assert len(code) == links.CODE_LENGTH
        assert set(code) <= set(links._ALPHABET)


def test_the_demo_database_gets_a_running_program(tmp_path):
    db = create_demo_database(tmp_path / "demo.sqlite", with_loop=False)
    try:
        results = add_sample_loop(db)
        assert all(r.attributed and r.unattributed for r in results)
        ways = set().union(*(r.by_how for r in results))
        assert ways == {"code", "utm", "url"}
        linked = db.conn.execute("SELECT COUNT(*) FROM signups WHERE user_id IS NOT NULL")
        assert linked.fetchone()[0] > 20  # late joiners of the usage sample

        funnel = funnel_for(db, Period.month(2026, 11))
        assert all(s.value is not None for s in [*funnel.stages, funnel.viral_coefficient])
        assert funnel.pipeline > 0 and funnel.activation_cost is not None
        assert len(funnel.milestones) >= 4
        assert funnel.milestones[0].share_rate > funnel.milestones[-1].share_rate

        stages = {ladder_state(db, u).stage for u in sample_referral_codes()}
        assert len(stages) >= 3  # advocates at different rungs
    finally:
        db.close()
