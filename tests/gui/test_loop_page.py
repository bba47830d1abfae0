"""The Loop page in the real window: funnel, trend, milestones, the ladder with its
cool-down, outcomes, hand attribution, signups import and the PNG/CSV exports."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QImage

from plm_desktop.store import open_database


@pytest.fixture
def loop_db(db_path):
    """Three users, a month of usage, one advocate with a code, a post and its reach."""
    from plm_desktop.loop.outcomes import record_outcome

    db = open_database(db_path)
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO users (user_id, email, name, company) VALUES (?, ?, ?, ?)",
            [
                ("u1", "ana@acme.io", "Ana Lima", "Acme"),
                ("u2", "bo@acme.io", "Bo Berg", "Acme"),
                ("u3", "cy@beta.io", "Cy", "Beta"),
            ],
        )
        conn.executemany(
            "INSERT INTO usage (week, user_id, active_days) VALUES (?, ?, ?)",
            [("2026-11-02", "u1", 5), ("2026-11-02", "u2", 3), ("2026-11-09", "u3", 1)],
        )
        conn.execute(
            "INSERT INTO referral_codes (user_id, code, created_at) VALUES ('u1', 'ana7k2', 'x')"
        )
    record_outcome(
        db, "u1", "posted", occurred_on=date(2026, 11, 3), url="https://www.linkedin.com/posts/ana"
    )
    record_outcome(db, "u1", "clicks", occurred_on=date(2026, 11, 5), amount=40)
    db.close()
    return db_path


def signups_file(tmp_path):
    path = tmp_path / "signups-2026-11.csv"
    path.write_text(
        "email,date,ref,type\n"
        "n1@new.com,2026-11-06,ana7k2,signup\n"
        "n2@new.com,2026-11-07,,demo request\n"
        "cy@beta.io,2026-11-08,,signup\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def page(make_window, loop_db, tmp_path, qtbot):
    window = make_window(inline=True)
    window.show()
    window.open_database_file(loop_db)
    page = window.show_page("loop")
    assert page is not None and window.current_page_id == "loop"
    page.import_signups([signups_file(tmp_path)])
    return page


def stage_values(page):
    funnel = page.funnel_chart.funnel
    return {s.key: s.value for s in [*funnel.stages, funnel.viral_coefficient]}


def cell(table, row, column):
    return table.item(row, column).text()


def test_the_funnel_of_the_latest_month_is_drawn(page, qtbot):
    assert page.period.label == "2026-11"
    assert page.period_combo.currentText() == "November 2026"
    assert "2026-Q4" in [page.period_combo.itemText(i) for i in range(page.period_combo.count())]
    values = stage_values(page)
    assert values["activation"] == 0.0  # three active users, no milestones yet
    assert values["celebration"] is None
    assert values["amplification"] == 40.0
    assert values["conversion"] == pytest.approx(1 / 40)  # the demo request has no code
    assert values["viral_coefficient"] == 1.0
    assert [f.period.label for f in page.trend_chart.trend][-1] == "2026-11"
    assert page.tabs.tabText(3) == "Unmatched signups (2)"
    image = page.funnel_chart.grab().toImage()
    assert image.width() >= 640
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 5) for y in range(0, image.height(), 5)
    }
    assert len(colours) > 10  # bars, bands and text were painted, not a blank widget


def test_the_ladder_records_asks_with_the_cooldown_warning(page, loop_db, qtbot):
    from plm_desktop.loop.ladder import ledger

    page.select_advocate("u1")
    assert "Ana Lima" in page.advocate_label.text()
    assert page.ask_combo.currentData() == "badge_share"
    assert page.ask_message.toPlainText().startswith("Cannot fill this message yet")

    with qtbot.waitSignal(page.message) as recorded:
        qtbot.mouseClick(page.ask_button, Qt.MouseButton.LeftButton)
    assert recorded.args[0] == "Recorded: asked u1 to share the badge"
    row = page.advocate_row("u1")
    assert row.ladder.pending is not None
    assert page.answer_buttons["yes"].isEnabled()

    qtbot.mouseClick(page.answer_buttons["yes"], Qt.MouseButton.LeftButton)
    assert page.advocate_row("u1").ladder.stage == "badge_share"
    assert page.ask_combo.currentData() == "review"
    assert cell(page.advocate_table, 0, 1) == "Badge share"

    with qtbot.waitSignal(page.message) as refused:
        qtbot.mouseClick(page.ask_button, Qt.MouseButton.LeftButton)
    assert "cool-down runs until" in refused.args[0]
    assert page.ask_anyway_button.isVisible()
    assert page.cooldown_label.text().startswith("Cool-down: u1 was last asked on")
    db = open_database(loop_db)
    assert [a.kind for a in ledger(db, "u1")] == ["badge_share"]

    with qtbot.waitSignal(page.message) as forced:
        qtbot.mouseClick(page.ask_anyway_button, Qt.MouseButton.LeftButton)
    assert forced.args[0].endswith("(inside the cool-down, on purpose)")
    asks = ledger(db, "u1")
    db.close()
    assert [(a.kind, a.cooldown_overridden) for a in asks] == [
        ("badge_share", False),
        ("review", True),
    ]


def test_outcomes_are_recorded_in_a_few_clicks(page, loop_db, qtbot):
    page.select_advocate("u1")
    page.outcome_combo.setCurrentIndex(page.outcome_combo.findData("deal"))
    assert page.outcome_value.isEnabled() and not page.outcome_url.isEnabled()
    page.outcome_date.setDate(QDate(2026, 11, 20))
    page.outcome_value.setValue(18000)
    with qtbot.waitSignal(page.message):
        qtbot.mouseClick(page.outcome_button, Qt.MouseButton.LeftButton)
    assert page.funnel_chart.funnel.pipeline == 18000.0
    assert cell(page.advocate_table, 0, 7) == "18,000"

    page.outcome_combo.setCurrentIndex(page.outcome_combo.findData("posted"))
    page.outcome_url.setText("linkedin.com/no-scheme")
    with qtbot.waitSignal(page.message) as refused:
        qtbot.mouseClick(page.outcome_button, Qt.MouseButton.LeftButton)
    assert "must start with http" in refused.args[0]


def test_report_back_text_is_filled_from_the_attribution(page):
    page.select_advocate("u1")
    assert page.report_text.toPlainText().startswith(
        "Hi Ana, a quick update: your post from 3 Nov led to 1 signup so far."
    )
    assert page.send_report_button.isEnabled()


def test_unmatched_signups_are_attributed_by_hand(page, qtbot):
    table = page.signup_table
    emails = [cell(table, r, 1) for r in range(table.rowCount())]
    assert sorted(emails) == ["cy@beta.io", "n2@new.com"]
    page.tabs.setCurrentIndex(3)
    table.selectRow(emails.index("n2@new.com"))
    page.credit_combo.setCurrentIndex(page.credit_combo.findData("u1"))
    with qtbot.waitSignal(page.message) as done:
        qtbot.mouseClick(page.credit_button, Qt.MouseButton.LeftButton)
    assert done.args[0] == "Credited 1 signups to u1"
    assert page.tabs.tabText(3) == "Unmatched signups (1)"
    assert page.advocate_row("u1").demos == 1


def test_a_refused_signups_file_says_where_and_stores_nothing(page, tmp_path, qtbot):
    bad = tmp_path / "bad.csv"
    bad.write_text("email,date\nx@y.com,someday\n", encoding="utf-8")
    with qtbot.waitSignal(page.message) as said:
        page.import_signups([bad])
    assert "bad.csv, line 2, column 'date'" in said.args[0]
    assert page.tabs.tabText(3) == "Unmatched signups (2)"


def test_exports_png_and_csv(page, tmp_path):
    png = page.export_png(tmp_path / "funnel.png")
    image = QImage(str(png))
    assert (image.width(), image.height()) == (2800, 1960)
    with open(page.export_csv(tmp_path / "funnel.csv"), encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["period", "metric", "label"]
    assert rows[1][:2] == ["2026-11", "activation"]
    assert {r[0] for r in rows[1:]} >= {"2026-11", "2026-06"}


def test_an_empty_quarter_shows_no_data(page):
    from plm_desktop.loop.periods import parse_period

    page.choose_period(parse_period("2026-Q2"))
    assert page.period_combo.currentText() == "2026-Q2"
    assert all(value is None for value in stage_values(page).values())
    assert cell(page.milestone_table, 0, 0) == "No milestones or cards in this period"


def test_program_numbers_are_saved(page, loop_db, qtbot):
    from plm_desktop.loop.program import ProgramSettings

    page.cost_spin.setValue(900)
    page.cac_spin.setValue(1500)
    with qtbot.waitSignal(page.message):
        page._save_program()
    db = open_database(loop_db)
    program = ProgramSettings.load(db)
    db.close()
    assert (program.monthly_cost, program.cac) == (900.0, 1500.0)
    assert page.funnel_chart.funnel.activation_cost == 900.0  # one new advocate in November
