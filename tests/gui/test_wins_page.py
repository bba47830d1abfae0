"""The Wins page: this week's milestones as a queue that opens the card studio."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt


def test_wins_list_this_weeks_milestones(sample_window, sample_db_path, qtbot):
    from plm_desktop.scoring import latest_scored_week, milestones_in_week
    from plm_desktop.store import open_database

    db = open_database(sample_db_path)
    week = latest_scored_week(db)
    wins = milestones_in_week(db, week)
    db.close()
    assert wins, "the sample should have wins in its last week"

    page = sample_window.show_page("wins")
    table = page.ui.wins_table
    assert table.rowCount() == len(wins)
    assert page.ui.headline_label.text().startswith(f"{len(wins)} new win")
    for row, win in enumerate(wins):
        assert table.item(row, 0).text() == (win.name or win.email or win.user_id)
        assert table.item(row, 2).text() == win.label
        assert table.item(row, 4).text() == "to celebrate"


def test_celebrate_opens_the_card_studio_for_that_win(sample_window, qtbot):
    page = sample_window.show_page("wins")
    table = page.ui.wins_table
    row = min(2, table.rowCount() - 1)
    table.selectRow(row)
    win = page.view.wins[row]
    with qtbot.waitSignal(sample_window.card_studio_requested) as request:
        qtbot.mouseClick(page.ui.celebrate_button, Qt.MouseButton.LeftButton)
    assert request.args == [win.user_id, win.kind, win.week]
    assert sample_window.current_page_id == "studio"


@pytest.mark.parametrize(("channel", "state"), [("slack", "sent"), ("linkedin", "handed_to_user")])
def test_sent_wins_are_marked_sent(sample_window, sample_db_path, qtbot, channel, state):
    from plm_desktop.scoring import latest_scored_week, milestones_in_week
    from plm_desktop.store import open_database

    db = open_database(sample_db_path)
    win = milestones_in_week(db, latest_scored_week(db))[0]
    db.conn.execute(
        "INSERT INTO outbox (user_id, milestone, week, channel, text, state, attempts, forced, "
        "dedupe_key, created_at, updated_at, sent_at) VALUES "
        "(?, ?, ?, ?, 'Congrats', ?, 1, 0, 'k1', '2026-12-01', '2026-12-01', "
        "'2026-12-01')",
        (win.user_id, win.kind, win.week, channel, state),
    )
    db.close()
    page = sample_window.show_page("wins")
    row = next(
        r for r, w in enumerate(page.view.wins) if w.user_id == win.user_id and w.kind == win.kind
    )
    assert page.ui.wins_table.item(row, 4).text() == "sent"
    assert "still to celebrate" in page.ui.headline_label.text()


def test_show_on_leaderboard_selects_the_user_even_outside_the_top_ten(
    sample_window, sample_db_path, qtbot
):
    from plm_desktop.scoring import leaderboard
    from plm_desktop.store import open_database

    db = open_database(sample_db_path)
    top_ten = {u.user_id for u in leaderboard(db).rows}
    ranked = {u.user_id for u in leaderboard(db, top=None).rows}
    db.close()
    wins = sample_window.show_page("wins")
    row = next(
        r for r, w in enumerate(wins.view.wins) if w.user_id not in top_ten and w.user_id in ranked
    )
    wins.ui.wins_table.selectRow(row)
    win = wins.view.wins[row]
    qtbot.mouseClick(wins.ui.leaderboard_button, Qt.MouseButton.LeftButton)
    assert sample_window.current_page_id == "leaderboard"
    board = sample_window.page("leaderboard")
    assert board.show_all
    assert board.selected_user.user_id == win.user_id
