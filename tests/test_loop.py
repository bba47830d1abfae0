"""The ask ladder and its cool-down, outcomes, program settings and the report-back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from plm_desktop.loop.attribution import attribute_by_hand
from plm_desktop.loop.ladder import (
    AskMessageIncomplete,
    CooldownActive,
    LadderError,
    ask_message,
    ladder_state,
    ledger,
    record_answer,
    record_ask,
)
from plm_desktop.loop.outcomes import OutcomeError, outcomes_of, record_outcome, totals_of
from plm_desktop.loop.periods import Period
from plm_desktop.loop.program import ProgramSettings
from plm_desktop.loop.report import NothingToReport, report_back, report_back_text
from plm_desktop.loop.sources import card_recipients
from tests.signup_rows import add_signup

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def users(db):
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO users (user_id, email, name) VALUES (?, ?, ?)",
            [
                ("u1", "ana@example.com", "Ana Lima"),
                ("u2", "bo@example.com", "Bo"),
                ("u3", "cy@example.com", None),
            ],
        )
    return db


def test_ladder_starts_at_badge_share_and_climbs_only_after_a_yes(users):
    db = users
    state = ladder_state(db, "u1", now=T0)
    assert (state.stage, state.next_ask, state.stage_number) == (None, "badge_share", 0)

    ask = record_ask(db, "u1", "badge_share", now=T0)
    waiting = ladder_state(db, "u1", now=T0 + timedelta(days=1))
    assert waiting.next_ask is None
    assert waiting.pending.ask_id == ask.ask_id
    assert waiting.reason == "Asked to share the badge on 2026-11-02; waiting for the answer."

    record_answer(db, ask.ask_id, "yes", now=T0 + timedelta(days=2))
    climbed = ladder_state(db, "u1", now=T0 + timedelta(days=40))
    assert (climbed.stage, climbed.next_ask, climbed.stage_number) == ("badge_share", "review", 1)
    assert not climbed.in_cooldown


def test_a_no_is_respected_and_no_reply_is_asked_again(users):
    db = users
    first = record_ask(db, "u1", "badge_share", now=T0)
    record_answer(db, first.ask_id, "no", now=T0)
    declined = ladder_state(db, "u1", now=T0 + timedelta(days=60))
    assert declined.next_ask is None
    assert "Said no" in declined.reason

    other = record_ask(db, "u2", "badge_share", now=T0)
    record_answer(db, other.ask_id, "no_reply", now=T0 + timedelta(days=10))
    silent = ladder_state(db, "u2", now=T0 + timedelta(days=60))
    assert silent.next_ask == "badge_share"
    assert "No reply" in silent.reason


def test_the_whole_ladder_ends_at_the_referral_program(users):
    db = users
    moment = T0
    for rung in ("badge_share", "review", "case_study", "referral_program"):
        assert ladder_state(db, "u1", now=moment).next_ask == rung
        ask = record_ask(db, "u1", rung, now=moment)
        record_answer(db, ask.ask_id, "yes", now=moment)
        moment += timedelta(days=31)
    top = ladder_state(db, "u1", now=moment)
    assert (top.stage, top.next_ask, top.stage_number) == ("referral_program", None, 4)
    assert [a.kind for a in ledger(db, "u1")] == [
        "badge_share",
        "review",
        "case_study",
        "referral_program",
    ]


def test_cooldown_refuses_a_second_ask_within_30_days_unless_overridden(users):
    db = users
    first = record_ask(db, "u1", "badge_share", now=T0)
    record_answer(db, first.ask_id, "yes", now=T0 + timedelta(days=1))

    inside = T0 + timedelta(days=29, hours=23)
    with pytest.raises(CooldownActive) as refused:
        record_ask(db, "u1", "review", now=inside)
    assert refused.value.until == T0 + timedelta(days=30)
    assert "2026-12-02" in str(refused.value)
    assert len(ledger(db, "u1")) == 1  # nothing stored
    assert ladder_state(db, "u1", now=inside).in_cooldown
    assert "Cool-down until 2026-12-02" in ladder_state(db, "u1", now=inside).reason

    forced = record_ask(db, "u1", "review", now=inside, override_cooldown=True)
    assert forced.cooldown_overridden
    assert ledger(db, "u1")[-1].cooldown_overridden

    # Exactly 30 days after the latest ask the cool-down is over.
    after = record_ask(db, "u2", "badge_share", now=T0)
    assert not after.cooldown_overridden
    record_ask(db, "u2", "badge_share", now=T0 + timedelta(days=30))


def test_cooldown_length_comes_from_program_settings(users):
    db = users
    ProgramSettings(cooldown_days=7).save(db)
    record_ask(db, "u1", "badge_share", now=T0)
    with pytest.raises(CooldownActive):
        record_ask(db, "u1", "badge_share", now=T0 + timedelta(days=6))
    record_ask(db, "u1", "badge_share", now=T0 + timedelta(days=7))


def test_ladder_refuses_unknown_rungs_users_answers_and_asks(users):
    with pytest.raises(LadderError, match="unknown ask"):
        record_ask(users, "u1", "testimonial", now=T0)
    with pytest.raises(LadderError, match="no user"):
        record_ask(users, "nobody", "review", now=T0)
    with pytest.raises(LadderError, match="unknown answer"):
        record_answer(users, 1, "maybe")
    with pytest.raises(LadderError, match="no ask 99"):
        record_answer(users, 99, "yes")


def test_ask_messages_fill_or_say_what_is_missing():
    text = ask_message(
        "review", {"first_name": "Ana", "product": "Acme", "review_url": "https://g2.com/x"}
    )
    assert text.startswith("Hi Ana,")
    assert "https://g2.com/x" in text and "{" not in text
    with pytest.raises(AskMessageIncomplete) as missing:
        ask_message("referral_program", {"first_name": "Ana", "product": "Acme"})
    assert missing.value.missing == ["link"]


def test_outcomes_are_recorded_validated_and_summed(users):
    db = users
    record_outcome(
        db,
        "u1",
        "posted",
        occurred_on=date(2026, 11, 3),
        url="https://www.linkedin.com/posts/ana-1",
    )
    record_outcome(db, "u1", "impressions", occurred_on=date(2026, 11, 5), amount=1200)
    record_outcome(db, "u1", "clicks", occurred_on=date(2026, 11, 5), amount=40)
    record_outcome(db, "u1", "demo_requests", occurred_on=date(2026, 11, 9), amount=2)
    record_outcome(db, "u1", "deal", occurred_on=date(2026, 12, 1), pipeline_value=12000.0)
    totals = totals_of(db, "u1")
    assert (totals.posts, totals.impressions, totals.clicks) == (1, 1200, 40)
    assert (totals.demo_requests, totals.deals, totals.pipeline) == (2, 1, 12000.0)
    november = totals_of(db, "u1", start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert (november.deals, november.pipeline) == (0, 0.0)
    assert [o.kind for o in outcomes_of(db, "u1")][0] == "deal"

    for kwargs, message in [
        ({"kind": "likes"}, "unknown outcome"),
        ({"kind": "clicks", "amount": -1}, "cannot be negative"),
        ({"kind": "deal"}, "pipeline value"),
        ({"kind": "clicks", "pipeline_value": 5.0}, "only a deal"),
        ({"kind": "posted", "url": "linkedin.com/post"}, "http"),
    ]:
        kind = kwargs.pop("kind")
        with pytest.raises(OutcomeError, match=message):
            record_outcome(db, "u1", kind, occurred_on=date(2026, 11, 1), **kwargs)
    with pytest.raises(OutcomeError, match="no user"):
        record_outcome(db, "ghost", "posted", occurred_on=date(2026, 11, 1))
    assert len(outcomes_of(db, "u1")) == 5


def test_program_cost_over_a_period_and_settings_round_trip(db):
    program = ProgramSettings(monthly_cost=300.0, cost_by_month={"2026-11": 900.0}, cac=450.0)
    program.save(db)
    loaded = ProgramSettings.load(db)
    assert loaded == program
    assert loaded.cost_of(Period.month(2026, 11)) == 900.0
    assert loaded.cost_of(Period.quarter(2026, 4)) == 300.0 + 900.0 + 300.0
    assert ProgramSettings().cost_of(Period.month(2026, 11)) is None
    assert (
        ProgramSettings(cost_by_month={"2026-11": 50.0}).cost_of(Period.quarter(2026, 4)) is None
    )
    assert ProgramSettings.load(db).cooldown_days == 30
    with pytest.raises(ValueError, match="negative"):
        ProgramSettings(cac=-1.0)


def test_report_back_text_counts_and_pluralises():
    text = report_back_text(
        first="Ana",
        demo_requests=3,
        signups=1,
        posts=1,
        since=date(2026, 11, 12),
        product="Acme",
    )
    assert text == (
        "Hi Ana, a quick update: your post from 12 Nov led to 3 demo requests and 1 signup "
        "so far. Thank you for spreading the word about Acme!"
    )
    several = report_back_text(
        first="Ana", demo_requests=0, signups=4, posts=3, since=date(2026, 9, 3)
    )
    assert several == (
        "Hi Ana, a quick update: your 3 posts since 3 Sep led to 4 signups so far. Thank you!"
    )
    one = report_back_text(first="Bo", demo_requests=1, signups=0)
    assert (
        one == "Hi Bo, a quick update: sharing your link led to 1 demo request so far. Thank you!"
    )
    with pytest.raises(NothingToReport):
        report_back_text(first="Bo", demo_requests=0, signups=0, posts=2, since=date(2026, 9, 3))


def test_report_back_is_filled_from_attribution(users):
    db = users
    before_posting = add_signup(db, "early@x.com", "2026-11-01", "demo")  # came by their link
    demo = add_signup(db, "demo@x.com", "2026-11-13", "demo")
    signup = add_signup(db, "new@x.com", "2026-11-14")
    someone_else = add_signup(db, "other@x.com", "2026-11-14", "demo")
    unmatched = add_signup(db, "who@x.com", "2026-11-15")
    for signup_id, advocate in [
        (before_posting, "u1"),
        (demo, "u1"),
        (signup, "u1"),
        (someone_else, "u2"),
    ]:
        attribute_by_hand(db, signup_id, advocate)
    assert unmatched
    no_post_yet = report_back(db, "u1")
    assert no_post_yet.text.startswith(
        "Hi Ana, a quick update: sharing your link led to 2 demo requests and 1 signup"
    )
    record_outcome(
        db,
        "u1",
        "posted",
        occurred_on=date(2026, 11, 12),
        url="https://www.linkedin.com/posts/ana-2",
    )
    record_outcome(db, "u1", "demo_requests", occurred_on=date(2026, 11, 20), amount=2)

    message = report_back(db, "u1", product="Acme")
    assert (message.demo_requests, message.signups, message.posts) == (4, 1, 1)
    assert message.since == message.latest_post == date(2026, 11, 12)
    assert message.post_url == "https://www.linkedin.com/posts/ana-2"
    assert message.text.startswith(
        "Hi Ana, a quick update: your post from 12 Nov led to 4 demo requests and 1 signup"
    )
    record_outcome(db, "u1", "posted", occurred_on=date(2026, 11, 25))
    assert report_back(db, "u1").text.startswith(
        "Hi Ana, a quick update: your 2 posts since 12 Nov led to 4 demo requests"
    )
    with pytest.raises(NothingToReport):
        report_back(db, "u3")
    with pytest.raises(LookupError):
        report_back(db, "ghost")


def test_report_back_goes_out_through_slack_and_the_outbox_once(users, slack_peer, tmp_path):
    import httpx

    from plm_desktop.loop.report import send_report_back
    from plm_desktop.sharing.outbox import DuplicateShare, Outbox
    from plm_desktop.sharing.slack import SlackClient

    db = users
    record_outcome(db, "u1", "posted", occurred_on=date(2026, 11, 12))
    attribute_by_hand(db, add_signup(db, "d@x.com", "2026-11-13", "demo"), "u1")
    slack_peer.add_user("ana@example.com", "ana")
    outbox = Outbox(db, cards_dir=tmp_path / "cards")
    with httpx.Client(timeout=2) as http:
        slack = SlackClient(
            slack_peer.token, base_url=slack_peer.url, http=http, sleep=lambda seconds: None
        )
        report, result = send_report_back(db, "u1", slack=slack, outbox=outbox, product="Acme")
        [message] = slack_peer.messages
        assert message.channel == slack_peer.dm_channel_of("ana@example.com")
        assert message.text == report.text
        assert "your post from 12 Nov led to 1 demo request so far" in message.text
        entry = outbox.get(result.share_id)
        assert (entry.state, entry.milestone, entry.week) == ("sent", None, "2026-11-09")
        with pytest.raises(DuplicateShare):
            send_report_back(db, "u1", slack=slack, outbox=outbox)
        assert len(slack_peer.messages) == 1
    # A report-back is not a card: it does not count as celebrating anyone.
    assert card_recipients(db, Period.month(2026, 11)) == {}


def test_ask_context_fills_name_product_link_and_review_page(users):
    from plm_desktop.cards.brand import Brand, save_brand
    from plm_desktop.loop.advocates import ask_context
    from plm_desktop.sharing import links

    db = users
    context = ask_context(db, "u1")
    assert context == {
        "first_name": "Ana",
        "product": "our product",
        "link": None,
        "review_url": None,
    }
    save_brand(db, Brand(product_name="Acme"))
    links.referral_code(db, "u1")
    db.set_setting(links.SIGNUP_URL_SETTING, "https://acme.io/signup")
    ProgramSettings(review_url="https://www.g2.com/products/acme/take_survey").save(db)
    context = ask_context(db, "u1")
    code = links.referral_code(db, "u1")
    assert context["product"] == "Acme"
    assert context["link"].startswith(f"https://acme.io/signup?ref={code}&")
    assert "Acme" in ask_message("review", context)


def test_the_roster_lists_advocates_furthest_up_the_ladder_first(users):
    from plm_desktop.loop.advocates import advocate_roster

    db = users
    assert advocate_roster(db) == []  # nobody has a code, an outcome, an ask or a signup
    ask = record_ask(db, "u2", "badge_share", now=T0)
    record_answer(db, ask.ask_id, "yes", now=T0)
    record_outcome(db, "u3", "clicks", occurred_on=date(2026, 11, 4), amount=12)
    attribute_by_hand(db, add_signup(db, "n@x.com", "2026-11-05"), "u3")
    with db.transaction() as conn:
        conn.execute("UPDATE signups SET user_id = 'u1' WHERE signup_key = 'n@x.com'")
    roster = advocate_roster(db, now=T0 + timedelta(days=3))
    assert [r.user_id for r in roster] == ["u2", "u3"]
    assert (roster[0].ladder.stage, roster[0].ladder.next_ask) == ("badge_share", "review")
    assert roster[0].ladder.in_cooldown
    assert (roster[1].signups, roster[1].active_signups, roster[1].totals.clicks) == (1, 1, 12)
    assert roster[1].display_name == "cy@example.com"  # no name: the email stands in


def test_the_demo_sample_is_added_once(tmp_path):
    from plm_desktop.loop.sample import ensure_sample_loop
    from plm_desktop.sample_data import create_demo_database

    db = create_demo_database(tmp_path / "demo.sqlite", with_loop=False)
    try:
        assert ensure_sample_loop(db) is True
        counts = db.conn.execute(
            "SELECT (SELECT COUNT(*) FROM signups), (SELECT COUNT(*) FROM outcomes),"
            " (SELECT COUNT(*) FROM asks)"
        ).fetchone()
        assert all(counts)
        assert ensure_sample_loop(db) is False
        again = db.conn.execute(
            "SELECT (SELECT COUNT(*) FROM signups), (SELECT COUNT(*) FROM outcomes),"
            " (SELECT COUNT(*) FROM asks)"
        ).fetchone()
        assert again == counts
    finally:
        db.close()
