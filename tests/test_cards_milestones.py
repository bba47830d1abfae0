"""From the store to a card and its words: card_for_milestone, message_context, the CLI."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image

from plm_desktop import scoring
from plm_desktop.cards import (
    Brand,
    CardError,
    NoMilestone,
    UnknownUser,
    card_for_milestone,
    render_card,
    save_brand,
)
from plm_desktop.cards.templates import MILESTONE_KINDS
from plm_desktop.cli import main
from plm_desktop.messages import (
    X_LIMIT,
    MissingPlaceholders,
    UnknownPersona,
    fill_message,
    set_user_persona,
    x_length,
)
from plm_desktop.messages.context import message_context
from plm_desktop.store import open_database

LAST_WEEK = "2026-11-30"


@pytest.fixture(scope="module")
def scored_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled usage sample (no referral program: no signup link saved), imported
    and scored once for the module."""
    from plm_desktop.sample_data import create_demo_database

    path = tmp_path_factory.mktemp("sample") / "sample.sqlite"
    db = create_demo_database(path, with_loop=False)
    try:
        scoring.refresh_weeks(db, scoring.weeks(db))
    finally:
        db.close()
    return path


@pytest.fixture
def sample_db(scored_sample: Path, tmp_path: Path):
    """A private copy of the scored sample for one test."""
    path = tmp_path / "plm.sqlite"
    source = sqlite3.connect(scored_sample)
    target = sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    db = open_database(path)
    yield db
    db.close()


def _user_of(db, kind: str) -> tuple[str, str, float, dict]:
    row = db.conn.execute(
        "SELECT user_id, week, value, detail FROM milestones WHERE kind = ? "
        "ORDER BY week DESC, user_id LIMIT 1",
        (kind,),
    ).fetchone()
    assert row is not None, f"the sample has no {kind} milestone"
    return row[0], row[1], row[2], json.loads(row[3])


def _name_of(db, user_id: str) -> str:
    return db.conn.execute("SELECT name FROM users WHERE user_id = ?", (user_id,)).fetchone()[0]


@pytest.mark.parametrize("kind", MILESTONE_KINDS)
def test_card_for_each_milestone_kind_comes_from_the_store(sample_db, kind) -> None:
    save_brand(sample_db, Brand(product_name="Taskly"))
    user_id, week, value, detail = _user_of(sample_db, kind)
    spec = card_for_milestone(sample_db, user_id, kind=kind, week=week)
    assert spec.kind == kind
    assert spec.user_id == user_id
    assert spec.name == _name_of(sample_db, user_id)
    assert spec.card_date == date.fromisoformat(week)
    if kind == "top_5":
        assert spec.stat == f"#{detail['rank']}"
        ranked = scoring.leaderboard(sample_db, week, top=1).ranked_count
        assert spec.stat_label == f"of {ranked} ranked users this week"
        assert spec.headline == f"Top {round(value)}% of Taskly users"
        assert spec.date_prefix == "Week of"
    else:
        shown = round(value, 1)
        expected = f"{int(shown):,}" if shown.is_integer() else f"{shown:,.1f}"
        assert spec.stat == expected
    assert "{" not in spec.stat_label + spec.headline + spec.supporting
    card = render_card(spec, Brand(product_name="Taskly"))
    assert card.image.size == (1200, 627)


def test_roi_card_names_the_measured_metric(sample_db) -> None:
    user_id, week, _value, detail = _user_of(sample_db, "roi")
    spec = card_for_milestone(sample_db, user_id, kind="roi", week=week)
    assert spec.stat_label.startswith(detail["metric"].replace("_", " "))


def test_without_kind_or_week_the_latest_milestone_is_used(sample_db) -> None:
    user_id, *_ = _user_of(sample_db, "top_5")
    latest = scoring.milestones_of_user(sample_db, user_id)[-1]
    spec = card_for_milestone(sample_db, user_id)
    assert (spec.kind, spec.card_date.isoformat()) == (latest.kind, latest.week)


def test_a_week_given_as_any_day_means_its_monday(sample_db) -> None:
    user_id, week, *_ = _user_of(sample_db, "top_5")
    thursday = date.fromisoformat(week) + timedelta(days=3)
    spec = card_for_milestone(sample_db, user_id, kind="top_5", week=thursday)
    assert spec.card_date.isoformat() == week


def test_missing_user_milestone_or_kind_is_refused_with_the_reason(sample_db) -> None:
    with pytest.raises(UnknownUser, match="no user 'nobody'"):
        card_for_milestone(sample_db, "nobody")
    user_id, week, *_ = _user_of(sample_db, "first_project")
    with pytest.raises(NoMilestone, match=r"has no top_5 in week 2020-01-06; their milestones: "):
        card_for_milestone(sample_db, user_id, kind="top_5", week="2020-01-06")
    with pytest.raises(LookupError):
        card_for_milestone(sample_db, user_id, kind="top_5", week="2020-01-06")
    with pytest.raises(CardError, match="unknown milestone 'party'"):
        card_for_milestone(sample_db, user_id, kind="party")


def test_user_without_a_name_gets_the_email_on_the_card_and_copy_is_refused(sample_db) -> None:
    user_id, week, *_ = _user_of(sample_db, "first_project")
    with sample_db.transaction() as conn:
        conn.execute("UPDATE users SET name = NULL WHERE user_id = ?", (user_id,))
    email = sample_db.conn.execute(
        "SELECT email FROM users WHERE user_id = ?", (user_id,)
    ).fetchone()[0]
    spec = card_for_milestone(sample_db, user_id, kind="first_project")
    assert spec.name == email.split("@")[0]
    context = message_context(sample_db, user_id, "first_project", link="https://t.example")
    with pytest.raises(MissingPlaceholders) as raised:
        fill_message("slack", context)
    assert raised.value.missing == ["first_name"]


def test_message_context_matches_the_card_and_fills_every_channel(sample_db) -> None:
    save_brand(sample_db, Brand(product_name="Taskly", product_url="https://taskly.example"))
    user_id, week, *_ = _user_of(sample_db, "top_5")
    spec = card_for_milestone(sample_db, user_id, kind="top_5", week=week)
    context = message_context(sample_db, user_id, "top_5", week)
    assert context.name == spec.name
    assert context.stat == spec.stat
    assert context.link == "https://taskly.example"
    for channel in ("slack", "slack-channel", "linkedin", "x"):
        text = fill_message(channel, context)
        assert "{" not in text
        assert "Taskly" in text
    assert x_length(fill_message("x", context)) <= X_LIMIT


def test_persona_follows_the_title_unless_the_founder_set_it(sample_db) -> None:
    user_id, *_ = _user_of(sample_db, "top_5")
    with sample_db.transaction() as conn:
        conn.execute(
            "UPDATE users SET title = 'VP Engineering', persona = NULL WHERE user_id = ?",
            (user_id,),
        )
    assert message_context(sample_db, user_id).persona == "leader"
    set_user_persona(sample_db, user_id, "ic")
    assert message_context(sample_db, user_id).persona == "ic"
    set_user_persona(sample_db, user_id, None)
    assert message_context(sample_db, user_id).persona == "leader"
    with pytest.raises(LookupError, match="no user 'nobody'"):
        set_user_persona(sample_db, "nobody", "ic")
    with pytest.raises(UnknownPersona):
        set_user_persona(sample_db, user_id, "boss")


# --- command line ------------------------------------------------------------------------


def _db_file(sample_db) -> str:
    return str(sample_db.path)


@pytest.mark.parametrize(
    ("size", "scale", "pixels"), [("linkedin", 1, (1200, 627)), ("portrait", 2, (2160, 2700))]
)
def test_card_command_writes_the_png(sample_db, tmp_path, capsys, size, scale, pixels) -> None:
    user_id, week, *_ = _user_of(sample_db, "task_100")
    out = tmp_path / "cards" / "win.png"
    args = [
        "--db",
        _db_file(sample_db),
        "card",
        "--user",
        user_id,
        "--milestone",
        "task_100",
        "--week",
        week,
        "--size",
        size,
        "--scale",
        str(scale),
        "--out",
        str(out),
    ]
    assert main(args) == 0
    with Image.open(out) as image:
        assert image.size == pixels
    assert f"wrote task_100 card for {user_id}" in capsys.readouterr().out


def test_card_command_refuses_an_unknown_user(sample_db, tmp_path, capsys) -> None:
    out = tmp_path / "win.png"
    assert main(["--db", _db_file(sample_db), "card", "--user", "nobody", "--out", str(out)]) == 1
    assert "no card: no user 'nobody'" in capsys.readouterr().err
    assert not out.exists()


def test_card_command_reports_colour_adjustments(sample_db, tmp_path, capsys) -> None:
    save_brand(sample_db, Brand(product_name="Sunny", primary="#FFE000"))
    user_id, *_ = _user_of(sample_db, "top_5")
    out = tmp_path / "win.png"
    assert main(["--db", _db_file(sample_db), "card", "--user", user_id, "--out", str(out)]) == 0
    assert "note: primary colour #FFE000 has only" in capsys.readouterr().err


def test_copy_command_prints_the_text_with_a_referral_link(sample_db, capsys) -> None:
    from plm_desktop.sharing.links import SIGNUP_URL_SETTING, referral_code

    save_brand(sample_db, Brand(product_name="Taskly"))
    sample_db.set_setting(SIGNUP_URL_SETTING, "https://taskly.example/signup")
    user_id, *_ = _user_of(sample_db, "top_5")
    args = [
        "--db",
        _db_file(sample_db),
        "copy",
        "--user",
        user_id,
        "--channel",
        "x",
        "--milestone",
        "top_5",
    ]
    assert main(args) == 0
    text = capsys.readouterr().out.strip()
    code = referral_code(sample_db, user_id)
    assert f"https://taskly.example/signup?ref={code}&utm_source=x" in text
    assert x_length(text) <= X_LIMIT


def test_copy_command_reports_what_it_cannot_fill(sample_db, capsys) -> None:
    user_id, *_ = _user_of(sample_db, "top_5")
    args = ["--db", _db_file(sample_db), "copy", "--user", user_id, "--channel", "linkedin"]
    assert main(args) == 1
    assert "no value for {link}" in capsys.readouterr().err


def test_copy_command_persona_override(sample_db, capsys) -> None:
    save_brand(sample_db, Brand(product_name="Taskly", product_url="https://taskly.example"))
    user_id, *_ = _user_of(sample_db, "top_5")
    base = ["--db", _db_file(sample_db), "copy", "--user", user_id, "--channel", "slack"]
    assert main([*base, "--persona", "ic"]) == 0
    ic = capsys.readouterr().out
    assert main([*base, "--persona", "leader"]) == 0
    assert capsys.readouterr().out != ic
