"""LinkedIn and X hand-offs, referral codes and tagged share links."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from plm_desktop.sharing.links import (
    MissingSignupUrl,
    advocate_of_code,
    referral_code,
    share_link,
)
from plm_desktop.sharing.outbox import Outbox
from plm_desktop.sharing.social import hand_to_user, linkedin_share_url, x_intent_url

TEXT = "Proud of Ada: 100 tasks & counting 🚀 #wins https://example.com/?ref=x&y=1"


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_linkedin_url_opens_the_share_box_with_the_exact_text():
    url = linkedin_share_url(TEXT)
    assert url.startswith("https://www.linkedin.com/feed/?")
    assert _query(url) == {"shareActive": ["true"], "text": [TEXT]}


def test_x_url_is_the_tweet_intent_with_the_exact_text():
    url = x_intent_url(TEXT)
    assert urlsplit(url)[:3] == ("https", "x.com", "/intent/tweet")
    assert _query(url) == {"text": [TEXT]}


def test_a_handoff_is_logged_as_handed_to_the_user(db, tmp_path):
    outbox = Outbox(db, cards_dir=tmp_path / "cards")
    handoff = hand_to_user(
        outbox,
        user_id="u1",
        channel="linkedin",
        text=TEXT,
        card_png=b"png-bytes",
        milestone="task_100",
    )
    entry = outbox.get(handoff.entry.share_id)
    assert entry.state == "handed_to_user" and entry.channel == "linkedin"
    assert entry.target == handoff.url and entry.text == TEXT
    assert Path(handoff.card_path).read_bytes() == b"png-bytes"
    # Handing the same post over again is allowed: the founder may click twice.
    hand_to_user(outbox, user_id="u1", channel="linkedin", text=TEXT, milestone="task_100")
    assert len(outbox.entries(state="handed_to_user")) == 2
    assert outbox.unfinished() == []


def test_a_handoff_needs_a_social_channel(db, tmp_path):
    with pytest.raises(ValueError):
        hand_to_user(Outbox(db, cards_dir=tmp_path), user_id="u1", channel="slack", text="x")


def test_each_advocate_has_one_stable_code(db):
    first = referral_code(db, "u1")
    assert referral_code(db, "u1") == first
    assert referral_code(db, "u2") != first
    assert advocate_of_code(db, first.upper()) == "u1"
    assert advocate_of_code(db, "nope") is None


def test_a_share_link_carries_the_code_and_utm_tags(db):
    db.set_setting("sharing.signup_url", "https://product.example/signup?plan=pro&ref=old")
    link = share_link(db, "u1", source="linkedin", campaign="task_100")
    code = referral_code(db, "u1")
    assert _query(link) == {
        "plan": ["pro"],
        "ref": [code],
        "utm_source": ["linkedin"],
        "utm_medium": ["advocate"],
        "utm_campaign": ["task_100"],
        "utm_content": [code],
    }


def test_the_loop_attributes_a_signup_from_the_share_link(db):
    from plm_desktop.loop.codes import CodeBook

    link = share_link(db, "u7", source="x", base_url="https://product.example/")
    book = CodeBook(dict(db.conn.execute("SELECT code, user_id FROM referral_codes")))
    match = book.match(landing_url=link)
    assert (match.user_id, match.how) == ("u7", "url")


def test_a_link_needs_a_signup_url(db):
    with pytest.raises(MissingSignupUrl, match="Signup URL"):
        share_link(db, "u1", source="x")
