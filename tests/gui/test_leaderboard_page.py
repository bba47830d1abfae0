"""The Leaderboard page against the scoring engine on the bundled sample data."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import Qt

from plm_desktop.gui.board_model import (
    COL_CANDIDATE,
    COL_COMPANY,
    COL_MOVE,
    COL_NAME,
    COL_PARTS,
    COL_RANK,
    COL_SCORE,
    COL_TITLE,
    COL_TREND,
    PARTS_ROLE,
    TREND_ROLE,
    movement_text,
)


@pytest.fixture
def engine_db(sample_db_path):
    from plm_desktop.store import open_database

    db = open_database(sample_db_path)
    yield db
    db.close()


def cell(page, row, column, role=Qt.ItemDataRole.DisplayRole):
    return page.proxy.index(row, column).data(role)


def test_top_ten_matches_the_engine(sample_window, engine_db):
    from plm_desktop.scoring import leaderboard, trend

    page = sample_window.page("leaderboard")
    assert sample_window.current_page_id == "leaderboard"
    board = leaderboard(engine_db)
    assert page.proxy.rowCount() == 10 == len(board.rows)
    for row, user in enumerate(board.rows):
        assert cell(page, row, COL_RANK) == str(user.rank)
        assert cell(page, row, COL_NAME) == user.name
        assert cell(page, row, COL_COMPANY) == (user.company or "")
        assert cell(page, row, COL_TITLE) == (user.title or "")
        assert cell(page, row, COL_SCORE) == str(user.score)
        assert cell(page, row, COL_MOVE) == movement_text(user)
        assert cell(page, row, COL_CANDIDATE) == ("★" if user.candidate else "")
        parts = {name: points for name, points, _max in cell(page, row, COL_PARTS, PARTS_ROLE)}
        assert parts == user.points.as_dict(extras=False)
        expected_trend = [p.score for p in trend(engine_db, user.user_id, board.week, 8)]
        assert cell(page, row, COL_TREND, TREND_ROLE) == expected_trend
    assert (cell(page, 0, COL_CANDIDATE) == "★") == (board.rows[0].score >= 70)
    summary = page.ui.summary_label.text()
    assert f"{board.ranked_count:,} ranked" in summary
    assert f"{board.candidate_count:,} advocate candidate" in summary


def test_week_picker_shows_that_weeks_ranking(sample_window, engine_db, qtbot):
    from plm_desktop.scoring import leaderboard, scored_weeks

    page = sample_window.page("leaderboard")
    weeks = scored_weeks(engine_db)
    combo = page.ui.week_combo
    assert combo.count() == len(weeks)
    assert combo.currentData() == weeks[-1]
    target = combo.findData(weeks[-5])
    combo.setCurrentIndex(target)
    with qtbot.waitSignal(page.loaded):
        combo.activated.emit(target)
    board = leaderboard(engine_db, weeks[-5])
    assert [cell(page, r, COL_NAME) for r in range(10)] == [u.name for u in board.rows]
    assert combo.currentData() == weeks[-5]


def test_selecting_a_user_explains_and_lists_milestones_and_shares(
    sample_window, engine_db, qtbot
):
    from plm_desktop.scoring import leaderboard, milestones_of_user
    from plm_desktop.sharing.outbox import Outbox

    board = leaderboard(engine_db)
    user = board.rows[2]
    Outbox(engine_db).record(
        user_id=user.user_id,
        channel="slack",
        text="Congrats!",
        milestone="task_100",
        week=board.week,
    )
    page = sample_window.page("leaderboard")
    with qtbot.waitSignal(page.detail_shown) as shown:
        page.select_row(2)
    assert shown.args == [user.user_id]
    assert user.name in page.ui.name_label.text()
    for line in user.explanation:
        assert line.split(":")[0] in page.ui.explanation_label.text()
    milestones = milestones_of_user(engine_db, user.user_id)
    assert page.ui.milestones_list.count() == max(1, len(milestones))
    shares = [page.ui.shares_list.item(n).text() for n in range(page.ui.shares_list.count())]
    assert len(shares) == 1 and "slack" in shares[0] and "queued" in shares[0]


def test_show_all_sorts_and_filters_every_ranked_user(sample_window, engine_db, qtbot):
    from plm_desktop.scoring import leaderboard

    page = sample_window.page("leaderboard")
    with qtbot.waitSignal(page.loaded):
        qtbot.mouseClick(page.ui.show_all_button, Qt.MouseButton.LeftButton)
    board = leaderboard(engine_db, top=None)
    assert page.proxy.rowCount() == board.ranked_count
    assert page.ui.filter_edit.isVisible()

    page.ui.table.sortByColumn(COL_SCORE, Qt.SortOrder.AscendingOrder)
    scores = [int(cell(page, r, COL_SCORE)) for r in range(page.proxy.rowCount())]
    assert scores == sorted(scores)

    company = board.rows[0].company
    qtbot.keyClicks(page.ui.filter_edit, company.lower())
    expected = sorted(u.user_id for u in board.rows if u.company == company)
    shown = sorted(
        page.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 2).user_id
        for r in range(page.proxy.rowCount())
    )
    assert shown == expected


def test_export_writes_the_top_segment(sample_window, engine_db, tmp_path, qtbot):
    from plm_desktop.scoring import ScoringModel, leaderboard

    page = sample_window.page("leaderboard")
    target = tmp_path / "segment.csv"
    with qtbot.waitSignal(page.segment_exported) as exported:
        page.export_segment(target)
    percent = ScoringModel.load(engine_db).segment_percent
    board = leaderboard(engine_db, top=None)
    expected = [u.user_id for u in board.rows if u.top_percent <= percent]
    with open(target, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["user_id"] for r in rows] == expected
    assert exported.args[0].users == len(expected) > 0
    assert 0 < len(expected) <= board.ranked_count * percent / 100 + 1


def test_make_a_card_opens_the_studio_for_the_user(sample_window, qtbot):
    page = sample_window.page("leaderboard")
    with qtbot.waitSignal(page.detail_shown):
        page.select_row(1)
    user = page.selected_user
    kinds = [m.kind for m in page.detail.milestones]
    with qtbot.waitSignal(sample_window.card_studio_requested) as request:
        qtbot.mouseClick(page.ui.card_button, Qt.MouseButton.LeftButton)
    assert request.args[0] == user.user_id
    assert request.args[1] == (kinds[-1] if kinds else None)
    assert request.args[2] == user.week
