"""The Outbox page: every share with its state, retry of failed ones, confirmed repeats."""

from __future__ import annotations

import pytest


@pytest.fixture
def pages(sample_window, slack_env):
    """The share page showing a win of a user with an email, and the outbox page."""
    share = sample_window.show_page("share")
    share.services.open_url = lambda _url: True
    for row in range(1, share.ui.win_combo.count()):
        win = share.ui.win_combo.itemData(row)
        share.prepare(win.user_id, win.kind, win.week)
        if share.draft.email:
            break
    assert share.draft.email
    return share, sample_window.page("outbox")


def test_a_failed_send_is_listed_and_a_retry_sends_it_once(pages, slack_env, qtbot):
    share, outbox = pages
    share.send_dm()  # the user is not in the Slack workspace yet
    assert slack_env.messages == []

    outbox.nav.show_page("outbox")
    [entry] = outbox.entries
    assert entry.state == "failed"
    table = outbox.ui.outbox_table
    assert table.rowCount() == 1
    assert table.item(0, 7).text() == "Failed"
    assert "not a member" in table.item(0, 9).text()

    slack_env.add_user(share.draft.email)  # the founder fixed it in Slack
    outbox.select_share(entry.share_id)
    assert outbox.ui.retry_button.isEnabled()
    assert "not a member" in outbox.ui.detail_error_label.text()
    with qtbot.waitSignal(outbox.retried) as blocker:
        outbox.ui.retry_button.click()

    [sent] = blocker.args[0]
    assert sent.state == "sent" and sent.share_id == entry.share_id
    [message] = slack_env.messages
    assert message.text == entry.text
    assert table.item(0, 7).text() == "Sent"
    assert "1 sent" in outbox.ui.result_label.text()


def test_sending_a_sent_share_again_needs_confirmation(pages, slack_env):
    share, outbox = pages
    slack_env.add_user(share.draft.email)
    share.send_dm()
    outbox.nav.show_page("outbox")
    [entry] = outbox.entries
    outbox.select_share(entry.share_id)
    assert not outbox.ui.retry_button.isEnabled()
    outbox.ui.send_again_button.click()
    assert outbox.ui.confirm_bar.isVisible()
    assert len(slack_env.messages) == 1
    outbox.ui.confirm_cancel_button.click()
    assert len(slack_env.messages) == 1 and len(outbox.entries) == 1

    outbox.select_share(entry.share_id)
    outbox.ui.send_again_button.click()
    outbox.ui.confirm_button.click()
    assert len(slack_env.messages) == 2
    assert [e.state for e in outbox.entries] == ["sent", "sent"]
    assert outbox.entries[0].forced == 1


def test_the_filter_shows_only_the_chosen_states(pages, slack_env):
    share, outbox = pages
    share.send_dm()  # fails: not in the workspace
    share.ui.linkedin_text.setPlainText("A LinkedIn post about the win.")
    share.copy_for_linkedin()
    outbox.nav.show_page("outbox")
    assert outbox.ui.outbox_table.rowCount() == 2
    outbox.ui.filter_combo.setCurrentIndex(outbox.ui.filter_combo.findText("Failed"))
    assert outbox.ui.outbox_table.rowCount() == 1
    outbox.ui.filter_combo.setCurrentIndex(outbox.ui.filter_combo.findText("LinkedIn and X posts"))
    assert outbox.ui.outbox_table.item(0, 7).text() == "Handed to you"
    assert "2 shares" in outbox.ui.summary_label.text()
