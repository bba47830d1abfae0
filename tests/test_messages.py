"""Message templates: filling, placeholder reporting, personas, X and LinkedIn lengths."""

from __future__ import annotations

import pytest

from plm_desktop.cards.templates import MILESTONE_KINDS
from plm_desktop.messages import (
    CHANNELS,
    LINKEDIN_LIMIT,
    PERSONAS,
    X_LIMIT,
    MessageContext,
    MessageTooLong,
    MissingPlaceholders,
    TemplateDataError,
    UnknownChannel,
    UnknownPersona,
    default_templates,
    fill_message,
    linkedin_length,
    load_templates,
    persona_for_title,
    persona_for_user,
    product_hashtag,
    save_template,
    x_length,
)

LINK = (
    "https://acme.example/signup?ref=k3v9wq2m"
    "&utm_source=x&utm_medium=advocate&utm_campaign=task_100"
)


def context(**changes) -> MessageContext:
    values = dict(
        name="Priya Raman",
        milestone="Productivity Machine",
        milestone_kind="task_100",
        stat="1,204",
        stat_label="tasks completed",
        top_percent=3,
        rank=4,
        ranked_count=312,
        product="Acme Analytics",
        link=LINK,
        company="Globex",
        week="30 November 2026",
    )
    values.update(changes)
    return MessageContext(**values)


# --- X's count -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("hello world", 11),
        ("Zoë Núñez", 9),
        ("Zoe\u0301", 3),  # e + combining acute is one character after NFC
        ("李小龍", 6),
        ("🎉", 2),
        ("👨\u200d👩\u200d👧\u200d👦", 2),  # a family joined by zero-width joiners
        ("👍🏽", 2),  # with a skin tone
        ("🇫🇷", 2),  # a flag
        ("1\ufe0f\u20e3", 2),  # a keycap
        ("❤\ufe0f", 2),
        ("©", 1),
        ("—", 1),  # an em dash is in X's light range
        ("…", 2),
        (LINK, 23),
        ("see https://a.io.", 4 + 23 + 1),  # the full stop is not part of the URL
        ("www.example.com/a/very/long/path/that/goes/on", 23),
        ("acme.io rocks", 23 + 6),
        ("mail me@acme.io", 15),  # an email address is text, not a link
    ],
)
def test_x_length_counts_the_way_x_does(text: str, length: int) -> None:
    assert x_length(text) == length


def test_x_limit_boundary() -> None:
    assert x_length("a" * 256 + " " + LINK) == 280
    assert x_length("a" * 257 + " " + LINK) == 281
    assert x_length("李" * 140) == 280


def test_every_x_message_fits_280_and_long_names_fall_back_to_a_shorter_variant() -> None:
    for persona in PERSONAS:
        for kind in MILESTONE_KINDS:
            text = fill_message("x", context(milestone_kind=kind), persona)
            assert x_length(text) <= X_LIMIT
    long_product = "Acme " + "Analytics " * 15
    text = fill_message("x", context(product=long_product.strip()), "ic")
    assert x_length(text) <= X_LIMIT
    preferred = default_templates()["x"]["ic"]["default"][0]
    assert not text.startswith(preferred.split("{")[0])  # a shorter variant was taken


def test_x_message_that_cannot_fit_is_refused() -> None:
    with pytest.raises(MessageTooLong, match="the limit is 280") as raised:
        fill_message("x", context(milestone="Milestone " * 40), "ic")
    assert raised.value.length > X_LIMIT


# --- LinkedIn ----------------------------------------------------------------------------


def test_linkedin_counts_utf16_units() -> None:
    assert linkedin_length("abc") == 3
    assert linkedin_length("李") == 1
    assert linkedin_length("🎉") == 2


def test_linkedin_posts_have_a_hashtag_and_stay_under_3000() -> None:
    for persona in PERSONAS:
        for kind in MILESTONE_KINDS:
            text = fill_message("linkedin", context(milestone_kind=kind), persona)
            assert linkedin_length(text) <= LINKEDIN_LIMIT
            tags = [w for w in text.split() if w.startswith("#") and len(w) > 1 and w[1].isalpha()]
            assert 1 <= len(tags) <= 3, text
            assert "#AcmeAnalytics" in tags


def test_linkedin_limit_is_enforced_at_3000() -> None:
    templates = {"linkedin": {"ic": {"default": ["{name}"]}}}
    assert len(fill_message("linkedin", context(name="x" * 3000), templates=templates)) == 3000
    with pytest.raises(MessageTooLong, match="3001 characters.*limit is 3000"):
        fill_message("linkedin", context(name="x" * 3001), templates=templates)


# --- placeholders ------------------------------------------------------------------------


def test_full_context_fills_every_template_without_leftover_braces() -> None:
    for channel in CHANNELS:
        for persona in PERSONAS:
            for kind in MILESTONE_KINDS:
                text = fill_message(channel, context(milestone_kind=kind), persona)
                assert "{" not in text and "}" not in text, (channel, persona, kind)
                assert text.strip()


def test_placeholders_the_data_cannot_fill_are_reported_together() -> None:
    with pytest.raises(MissingPlaceholders) as raised:
        fill_message("linkedin", context(stat=None, link=""), "ic")
    error = raised.value
    assert error.missing == ["stat", "link"]
    assert error.unknown == []
    assert "{stat}" in str(error) and "{link}" in str(error) and "Priya Raman" in str(error)


def test_top_5_copy_needs_the_rank() -> None:
    with pytest.raises(MissingPlaceholders) as raised:
        fill_message("slack", context(milestone_kind="top_5", rank=None, ranked_count=None))
    assert raised.value.missing == ["rank", "ranked_count"]


def test_first_name_comes_from_the_name_and_is_missing_without_one() -> None:
    assert fill_message("slack", context()).startswith("Hi Priya!")
    with pytest.raises(MissingPlaceholders, match=r"\{first_name\}"):
        fill_message("slack", context(name=None))


def test_unknown_placeholder_in_an_edited_template_is_reported(db) -> None:
    save_template(db, "slack", "ic", ["Hey {frist_name}, {stat} {stat_label}!"])
    templates = load_templates(db)
    with pytest.raises(MissingPlaceholders) as raised:
        fill_message("slack", context(), "ic", templates=templates)
    assert raised.value.unknown == ["frist_name"]
    assert "unknown placeholder {frist_name}" in str(raised.value)


def test_edited_templates_saved_with_the_database_win_over_the_bundled_ones(db) -> None:
    save_template(db, "slack", "leader", ["Bravo {first_name}: {stat} {stat_label}."])
    templates = load_templates(db)
    text = fill_message("slack", context(), "leader", templates=templates)
    assert text == "Bravo Priya: 1,204 tasks completed."
    # Other entries keep the bundled wording.
    assert fill_message("slack", context(), "ic", templates=templates) == fill_message(
        "slack", context(), "ic"
    )


def test_malformed_templates_are_refused(db) -> None:
    with pytest.raises(TemplateDataError, match="unknown channel 'fax'"):
        save_template(db, "fax", "ic", ["hi"])
    with pytest.raises(TemplateDataError, match="slack/ic/default"):
        save_template(db, "slack", "ic", ["Hi {first_name"])
    assert db.get_setting("message_templates") is None


def test_slack_values_are_escaped_and_other_channels_keep_them() -> None:
    ctx = context(name="Tom & Jerry <dev>")
    slack = fill_message("slack-channel", ctx, "ic")
    assert "Tom &amp; Jerry &lt;dev&gt;" in slack
    plain = {"linkedin": {"ic": {"default": ["{name}"]}}}
    assert fill_message("linkedin", ctx, "ic", templates=plain) == "Tom & Jerry <dev>"


def test_unknown_channel_or_persona_is_refused() -> None:
    with pytest.raises(UnknownChannel, match="'email'"):
        fill_message("email", context())
    with pytest.raises(UnknownPersona, match="'boss'"):
        fill_message("slack", context(), "boss")


# --- personas ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "persona"),
    [
        ("VP Engineering", "leader"),
        ("Co-founder & CEO", "leader"),
        ("Founder", "leader"),
        ("Head of Growth", "leader"),
        ("Director, Customer Success", "leader"),
        ("Chief Product Officer", "leader"),
        ("Senior Software Engineer", "ic"),
        ("Principal Engineer", "ic"),
        ("Product Owner", "ic"),
        ("Account Executive", "ic"),
        ("", "ic"),
        (None, "ic"),
    ],
)
def test_persona_is_read_from_the_title(title, persona) -> None:
    assert persona_for_title(title) == persona


def test_founders_override_wins_over_the_title() -> None:
    assert persona_for_user("Software Engineer", "leader") == "leader"
    assert persona_for_user("CEO", "ic") == "ic"
    assert persona_for_user("CEO", None) == "leader"
    with pytest.raises(UnknownPersona):
        persona_for_user("CEO", "manager")


def test_ic_and_leader_copy_differ_on_every_channel() -> None:
    for channel in CHANNELS:
        for kind in ("task_100", "top_5"):
            ic = fill_message(channel, context(milestone_kind=kind), "ic")
            leader = fill_message(channel, context(milestone_kind=kind), "leader")
            assert ic != leader, channel


def test_context_persona_is_used_when_none_is_given() -> None:
    assert fill_message("x", context(persona="leader")) == fill_message("x", context(), "leader")


def test_product_hashtag() -> None:
    assert product_hashtag("Acme analytics") == "#AcmeAnalytics"
    assert product_hashtag("Zoë's app 2") == "#ZoëSApp2"
    assert product_hashtag("!!!") is None
    assert product_hashtag(None) is None
