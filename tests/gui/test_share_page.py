"""The Share page: filled messages, sends to the loopback Slack peer, LinkedIn and X hand-offs."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6 import QtCore
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication

SIGNUP_URL = "https://acme.example/signup"


class UrlRecorder:
    """Stands in for the desktop's browser: records what would have been opened."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: QUrl) -> bool:
        self.urls.append(url.toString())
        return True


def _first_win_with_email(page):
    from plm_desktop.store import open_database

    db = open_database(page.ctx.db_path, migrate=False)
    try:
        for row in range(1, page.ui.win_combo.count()):
            win = page.ui.win_combo.itemData(row)
            email = db.conn.execute(
                "SELECT email FROM users WHERE user_id = ?", (win.user_id,)
            ).fetchone()[0]
            if email:
                return win, email
    finally:
        db.close()
    raise AssertionError("the sample has no win of a user with an email")


@pytest.fixture
def opener():
    return UrlRecorder()


def _open_share(make_window, db_path: Path, opener, qtbot):
    win = make_window(inline=True)
    win.show()
    win.open_database_file(db_path)
    page = win.show_page("share")
    page.services.open_url = opener
    return win, page


@pytest.fixture
def share(make_window, sample_db_path, opener, slack_env, qtbot):
    """The share page on the scored sample, showing a win of a user with an email."""
    _win, page = _open_share(make_window, sample_db_path, opener, qtbot)
    win, email = _first_win_with_email(page)
    page.prepare(win.user_id, win.kind, win.week)
    assert page.draft is not None and page.draft.email == email
    return page


@pytest.fixture
def linked_db_path(sample_db_path):
    from plm_desktop.sharing.links import SIGNUP_URL_SETTING
    from plm_desktop.store import open_database

    db = open_database(sample_db_path)
    db.set_setting(SIGNUP_URL_SETTING, SIGNUP_URL)
    db.close()
    return sample_db_path


def _outbox(page):
    from plm_desktop.gui.share_actions import outbox_entries
    from plm_desktop.store import open_database

    db = open_database(page.ctx.db_path, migrate=False)
    try:
        return outbox_entries(db).entries
    finally:
        db.close()


def test_share_is_registered_and_fills_every_channel(share):
    from plm_desktop.gui.pages import PAGES

    assert {"share", "outbox", "studio"} <= {spec.page_id for spec in PAGES}
    draft = share.draft
    assert draft.name.split()[0] in share.ui.slack_text.toPlainText()
    assert draft.name in share.ui.slack_channel_text.toPlainText()
    assert draft.email in share.ui.dm_target_label.text()
    assert share.preview.frame is not None
    assert share.preview.frame.image.width() == 1200


def test_send_to_slack_dm_reaches_the_peer_with_the_text_and_card(share, slack_env, qtbot):
    email = share.draft.email
    slack_env.add_user(email, share.draft.name)
    share.ui.slack_text.appendPlainText("(Edited by the founder.)")
    text = share.ui.slack_text.toPlainText()
    with qtbot.waitSignal(share.send_finished):
        share.ui.send_dm_button.click()

    [message] = slack_env.messages
    assert message.channel == slack_env.dm_channel_of(email)
    assert message.text == text
    [file_id] = message.file_ids
    assert slack_env.files[file_id].data == share.draft.png
    assert "Sent to Slack" in share.ui.result_label.text()
    assert not share.ui.send_progress.isVisible()
    [entry] = _outbox(share)
    assert entry.state == "sent" and entry.text == text


def test_a_refused_send_shows_the_founder_sentence(share, slack_env, qtbot):
    # The user's email is not a member of the peer's workspace.
    with qtbot.waitSignal(share.send_finished) as blocker:
        share.send_dm()
    assert type(blocker.args[0]).__name__ == "DeliveryFailed"
    shown = share.ui.result_label.text()
    assert "not a member of your Slack workspace" in shown
    assert share.ctx.errors.history[-1].message == "Could not send to Slack."
    assert slack_env.messages == []
    assert [e.state for e in _outbox(share)] == ["failed"]


def test_the_same_card_is_sent_twice_only_after_confirming(share, slack_env, qtbot):
    slack_env.add_user(share.draft.email)
    share.send_dm()
    share.send_dm()
    assert len(slack_env.messages) == 1
    assert share.ui.confirm_bar.isVisible()
    assert "Send it again?" in share.ui.confirm_label.text()
    share.ui.confirm_button.click()
    assert len(slack_env.messages) == 2
    assert not share.ui.confirm_bar.isVisible()


def test_a_channel_post_goes_to_the_typed_channel(share, slack_env, qtbot):
    slack_env.add_channel("C0WINS", "wins")
    share.ui.channel_id_edit.setText("C0WINS")
    share.ui.channel_tabs.setCurrentWidget(share.ui.channel_tab)
    share.ui.slack_channel_text.setFocus()
    qtbot.keyClick(share.ui.slack_channel_text, "\r", QtCore.Qt.KeyboardModifier.ControlModifier)
    [message] = slack_env.messages_in("C0WINS")
    assert message.text == share.ui.slack_channel_text.toPlainText()
    assert share.ctx.settings.value("share/channel_id") == "C0WINS"


def test_missing_placeholders_are_reported_before_any_send(share, opener, slack_env):
    # No signup page is saved, so the LinkedIn post has no link to carry.
    assert "{link}" in share.ui.linkedin_text.toPlainText()
    assert share.ui.problems_label.isVisible()
    assert "{link}" in share.ui.problems_label.text()
    share.ui.copy_linkedin_button.click()
    assert "still contains {link}" in share.ui.result_label.text()
    assert opener.urls == []
    assert _outbox(share) == []

    slack_env.add_user(share.draft.email)
    share.ui.slack_text.setPlainText("Hi {first_name}, well done!")
    share.send_dm()
    assert slack_env.messages == [] and _outbox(share) == []


def test_copy_for_linkedin_puts_text_and_card_on_the_clipboard(
    make_window, linked_db_path, opener, slack_env, qtbot
):
    _win, page = _open_share(make_window, linked_db_path, opener, qtbot)
    win, _email = _first_win_with_email(page)
    page.prepare(win.user_id, win.kind, win.week)
    text = page.ui.linkedin_text.toPlainText()
    assert "ref=" in text and "{" not in text

    with qtbot.waitSignal(page.handed_off) as blocker:
        page.ui.copy_linkedin_button.click()

    mime = QGuiApplication.clipboard().mimeData()
    assert mime.text() == text
    assert mime.hasImage()
    image = QGuiApplication.clipboard().image()
    assert (image.width(), image.height()) == (1200, 627)
    [url] = opener.urls
    assert url.startswith("https://www.linkedin.com/feed/?shareActive=true&text=")
    handoff = blocker.args[0]
    assert Path(handoff.card_path).read_bytes() == page.draft.png
    [entry] = _outbox(page)
    assert (entry.channel, entry.state) == ("linkedin", "handed_to_user")


def test_post_on_x_opens_the_intent_with_the_post(make_window, linked_db_path, opener, qtbot):
    _win, page = _open_share(make_window, linked_db_path, opener, qtbot)
    win, _email = _first_win_with_email(page)
    page.prepare(win.user_id, win.kind, win.week)
    page.ui.post_x_button.click()
    [url] = opener.urls
    assert QUrl(url).host() == "x.com"
    assert QUrl(url).path() == "/intent/tweet"
    assert "/ 280" in page.ui.x_length_label.text()
    assert QGuiApplication.clipboard().image().width() == 1200


def test_switching_the_persona_rewrites_the_messages(share):
    share.set_persona("ic")
    ic_text = share.ui.slack_text.toPlainText()
    share.set_persona("leader")
    assert share.draft.persona == "leader"
    assert share.ui.slack_text.toPlainText() != ic_text


def test_the_card_designed_in_the_studio_is_the_card_sent(sample_window, slack_env, opener, qtbot):
    # Wins -> card studio -> Share -> Send to Slack, as the founder goes through the window.
    studio = sample_window.show_page("studio")
    win = studio.ui.win_combo.itemData(1)
    sample_window.open_card_studio(win.user_id, win.kind, win.week)
    assert studio.design.user_id == win.user_id
    studio.ui.headline_edit.selectAll()
    qtbot.keyClicks(studio.ui.headline_edit, "Designed in the studio")
    studio.ui.share_button.click()

    page = sample_window.page("share")
    page.services.open_url = opener
    assert sample_window.current_page_id == "share"
    assert page.draft.design.spec.headline == "Designed in the studio"
    assert page.draft.png == studio.design.png()

    slack_env.add_user(page.draft.email)
    page.ui.send_dm_button.click()
    [message] = slack_env.messages
    assert message.channel == slack_env.dm_channel_of(page.draft.email)
    assert slack_env.files[message.file_ids[0]].data == studio.design.png()
