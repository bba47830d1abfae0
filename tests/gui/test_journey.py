"""From a fresh install to a Slack DM with a card, using only the window.

The path a founder takes on the first Monday: the welcome page, "Explore with sample
data", the Wins queue, Celebrate, the card studio, Share, the Slack token pasted in
Settings (kept in a real gnome-keyring), Test connection, Send to Slack. Tasks run on the
real thread pools; Slack is the loopback peer. Each step is a click or a typed value,
and the whole path has to fit in the two minutes the product promises (a generous
bound: it takes a few seconds here).
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt


def test_fresh_install_to_a_slack_dm_with_a_card(
    make_window, db_path, secret_service, slack_peer, monkeypatch, qtbot
):
    monkeypatch.setenv("SLACK_API_URL", slack_peer.url)  # the token comes from Settings
    started = time.monotonic()
    click = Qt.MouseButton.LeftButton
    win = make_window(inline=False)
    win.resize(1280, 800)
    win.show()
    with qtbot.waitSignal(win.database_ready, timeout=20_000):
        win.open_database_file(db_path)
    assert win.current_page_id == "welcome"

    # 1. Explore with sample data.
    welcome = win.page("welcome")
    with qtbot.waitSignal(win.database_ready, timeout=60_000):
        qtbot.mouseClick(welcome.ui.sample_button, click)
    assert win.ctx.demo and win.current_page_id == "leaderboard"

    # 2. Wins: pick the first win of a user with an email, and celebrate it.
    with qtbot.waitSignal(win.page_changed):
        win.sidebar.setCurrentRow(
            next(r for r in range(win.sidebar.count()) if win.sidebar.item(r).text() == "Wins")
        )
    wins = win.page("wins")
    qtbot.waitUntil(lambda: wins.view is not None, timeout=20_000)
    row = next(r for r, m in enumerate(wins.view.wins) if m.email)
    win_shown = wins.view.wins[row]
    slack_peer.add_user(win_shown.email, win_shown.name or "")
    wins.ui.wins_table.selectRow(row)
    studio = win.page("studio")

    # The studio's first show also loads its sample card; wait for the win's own card.
    def is_the_win(design) -> bool:
        return design.spec.user_id == win_shown.user_id

    with qtbot.waitSignal(studio.design_loaded, timeout=30_000, check_params_cb=is_the_win):
        qtbot.mouseClick(wins.ui.celebrate_button, click)
    assert win.current_page_id == "studio"
    assert studio.design.spec.user_id == win_shown.user_id

    # 3. Share this card.
    share = win.page("share")
    qtbot.waitUntil(lambda: studio.ui.share_button.isEnabled(), timeout=20_000)
    with qtbot.waitSignal(share.draft_ready, timeout=30_000):
        qtbot.mouseClick(studio.ui.share_button, click)
    assert win.current_page_id == "share"
    assert share.draft.user_id == win_shown.user_id

    # 4. Settings > Slack: paste the token, save it, test the connection.
    settings = win.show_page("settings")
    qtbot.waitUntil(lambda: settings.state is not None, timeout=20_000)
    settings.ui.tabs.setCurrentWidget(settings.ui.slack_tab)
    qtbot.keyClicks(settings.ui.token_edit, slack_peer.token)
    with qtbot.waitSignal(settings.secret_saved, timeout=20_000) as saved:
        qtbot.mouseClick(settings.ui.token_save_button, click)
    assert saved.args[0].kind == "keyring"
    with qtbot.waitSignal(settings.connection_tested, timeout=20_000) as tested:
        qtbot.mouseClick(settings.ui.test_button, click)
    assert tested.args[0].startswith("Connected to")

    # 5. Back to Share: Send to Slack.
    win.show_page("share")
    with qtbot.waitSignal(share.send_finished, timeout=30_000):
        qtbot.mouseClick(share.ui.send_dm_button, click)
    [message] = slack_peer.messages
    assert message.channel == slack_peer.dm_channel_of(win_shown.email)
    assert message.text == share.ui.slack_text.toPlainText()
    [file_id] = message.file_ids
    assert slack_peer.files[file_id].data[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Sent to Slack" in share.ui.result_label.text()

    assert time.monotonic() - started < 120
