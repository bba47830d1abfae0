"""The Import page: a real drop, the mapping preview, import, located errors, progress, cancel."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.gui.drag_events import drop_files


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding, newline="")
    return path


def usage_count(db_path: Path) -> int:
    from plm_desktop.store import open_database

    db = open_database(db_path)
    try:
        return db.conn.execute("SELECT COUNT(*) FROM usage").fetchone()[0]
    finally:
        db.close()


def test_dropped_csv_is_previewed_with_its_format_and_mapping(window, tmp_path, qtbot):
    csv = write_csv(
        tmp_path / "usage-2026-11-30.csv",
        "Email;Naam;Active Days;Sessions;Café visits\n"
        "ana@example.com;Ana Núñez;5;12;3\n"
        "bo@example.com;Bo;2;4;1\n",
        encoding="cp1252",
    )
    qtbot.waitExposed(window)
    enter, drop = drop_files(window, [csv])
    assert enter.isAccepted() and drop.isAccepted()

    page = window.page("import")
    assert window.current_page_id == "import"
    assert page.preview is not None
    ui = page.ui
    assert ui.file_label.text() == csv.name
    assert "semicolon" in ui.format_label.text()
    assert "1252" in ui.format_label.text()
    assert ui.week_edit.text() == "2026-11-30"
    assert ui.week_origin_label.text() == "from the file name"
    stored_as = {
        ui.mapping_table.item(r, 0).text(): ui.mapping_table.cellWidget(r, 1).currentData()
        for r in range(ui.mapping_table.rowCount())
    }
    assert stored_as["Email"] == "email"
    assert stored_as["Active Days"] == "active_days"
    assert stored_as["Sessions"] == "sessions"
    assert stored_as["Café visits"] == "custom"
    assert ui.rows_table.item(0, 1).text() == "Ana Núñez"
    assert ui.import_button.isEnabled()


def test_mapping_and_week_can_be_corrected_before_import(window, tmp_path, db_path, qtbot):
    csv = write_csv(
        tmp_path / "export.csv",
        "member,days on,logins\nu1,4,9\nu2,6,20\nu3,1,2\n",
    )
    window.open_import(csv)
    page = window.page("import")
    ui = page.ui
    assert not ui.import_button.isEnabled()
    reasons = [ui.problems_table.item(r, 3).text() for r in range(ui.problems_table.rowCount())]
    assert any("no active days column" in r for r in reasons)
    assert any("no week" in r for r in reasons)
    assert ui.week_origin_label.text().startswith("needed")

    with qtbot.waitSignal(page.preview_ready):
        page.set_mapping("days on", "active_days")
    assert any("no user id column" in r for r in reasons)
    with qtbot.waitSignal(page.preview_ready):
        page.set_mapping("member", "user_id")
    assert page.overrides == {"days on": "active_days", "member": "user_id"}
    qtbot.keyClicks(ui.week_edit, "2026-11-26")
    with qtbot.waitSignal(page.preview_ready):
        qtbot.keyClick(ui.week_edit, Qt.Key.Key_Return)
    assert page.preview.importable
    assert ui.week_origin_label.text() == "as typed"

    with qtbot.waitSignal(page.import_done) as done:
        qtbot.mouseClick(ui.import_button, Qt.MouseButton.LeftButton)
    result = done.args[0]
    assert (result.inserted, result.updated, result.unchanged) == (3, 0, 0)
    assert result.weeks == ["2026-11-23"]
    assert "3 inserted, 0 updated, 0 unchanged" in ui.status_label.text()
    assert usage_count(db_path) == 3


def test_reimport_reports_updated_and_unchanged_and_history_lists_both(
    window, tmp_path, qtbot, isolation, caplog
):
    caplog.set_level(logging.INFO, logger="plm_desktop.gui.import_process")
    first = write_csv(
        tmp_path / "usage-2026-11-30.csv",
        "user_id,active_days,sessions\nu1,3,5\nu2,4,6\n",
    )
    window.open_import(first)
    page = window.page("import")
    with qtbot.waitSignal(page.import_done):
        page.start_import()
    write_csv(first, "user_id,active_days,sessions\nu1,3,5\nu2,5,9\nu3,1,1\n")
    window.open_import(first)
    with qtbot.waitSignal(page.import_done) as done:
        page.start_import()
    result = done.args[0]
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 1)
    history = page.ui.history_table
    assert history.rowCount() == 2
    assert history.item(0, 1).text() == first.name
    assert [history.item(0, c).text() for c in (4, 5, 6)] == ["1", "1", "1"]
    assert [history.item(1, c).text() for c in (4, 5, 6)] == ["2", "0", "0"]
    assert ("in child process" in caplog.text) == (isolation == "child process")


@pytest.fixture(params=["in-process", "child process"])
def isolation(request, monkeypatch):
    """Run the test with imports in-process and in a child process (as big files are)."""
    from plm_desktop.gui import import_process

    threshold = 0 if request.param == "child process" else 10**12
    monkeypatch.setattr(import_process, "ISOLATE_FROM_BYTES", threshold)
    return request.param


def test_rejected_file_lists_file_line_column_reason_and_stores_nothing(
    window, tmp_path, db_path, qtbot, isolation, caplog
):
    caplog.set_level(logging.INFO, logger="plm_desktop.gui.import_process")
    csv = write_csv(
        tmp_path / "usage-2026-11-30.csv",
        "user_id,active_days,sessions\nu1,3,5\nu2,nine,6\nu3,12,1\n",
    )
    window.open_import(csv)
    page = window.page("import")
    with qtbot.waitSignal(page.import_done) as done:
        page.start_import()
    from plm_desktop.importer import ImportRejected

    assert isinstance(done.args[0], ImportRejected)
    table = page.ui.problems_table
    rows = [[table.item(r, c).text() for c in range(4)] for r in range(table.rowCount())]
    assert rows[0][:3] == ["usage-2026-11-30.csv", "3", "active_days"]
    assert any(r[1] == "4" and r[2] == "active_days" for r in rows)
    assert "Nothing was stored" in page.ui.status_label.text()
    assert usage_count(db_path) == 0
    assert ("in child process" in caplog.text) == (isolation == "child process")


def test_import_shows_progress_and_cancel_stores_nothing(
    make_window, tmp_path, db_path, qtbot, isolation, caplog
):
    caplog.set_level(logging.INFO, logger="plm_desktop.gui.import_process")
    csv = tmp_path / "usage-2026-11-30.csv"
    with open(csv, "w", encoding="utf-8") as handle:
        handle.write("user_id,email,active_days,sessions\n")
        for n in range(150_000):
            handle.write(f"u{n},u{n}@example.com,{n % 8},{n % 40}\n")
    win = make_window(inline=False)
    win.show()
    with qtbot.waitSignal(win.database_ready, timeout=10_000):
        win.open_database_file(db_path)
    page = win.show_page("import")
    with qtbot.waitSignal(page.preview_ready, timeout=10_000):
        win.open_import(csv)
    task = page.start_import()
    with qtbot.waitSignal(task.progress_shown, timeout=10_000):
        pass
    assert page.ui.progress_bar.isVisible() and page.ui.cancel_button.isVisible()
    qtbot.waitUntil(lambda: page.ui.progress_bar.value() > 0, timeout=10_000)
    with qtbot.waitSignal(page.import_done, timeout=20_000) as done:
        qtbot.mouseClick(page.ui.cancel_button, Qt.MouseButton.LeftButton)
    from plm_desktop.importer import ImportCancelled

    assert isinstance(done.args[0], ImportCancelled)
    assert page.ui.status_label.text() == "Import cancelled; nothing was stored."
    assert not page.ui.progress_bar.isVisible()
    assert page.ui.import_button.isEnabled()
    assert usage_count(db_path) == 0
    assert ("in child process" in caplog.text) == (isolation == "child process")
