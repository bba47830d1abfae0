"""The main window: page registry, navigation, drops, geometry, database switching."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel

from plm_desktop.gui.pages import PageSpec
from plm_desktop.gui.pages.base import Page
from tests.gui.drag_events import drop_files


class RecordingPage(Page):
    """A page that records what the window asked of it."""

    topics = frozenset({"usage"})

    def __init__(self, ctx, nav, parent=None):
        super().__init__(ctx, nav, parent)
        self.requests = []
        self.reloads = 0
        QLabel("recording", self)

    def reload(self):
        self.reloads += 1

    def open_request(self, **request):
        self.requests.append(request)


TEST_PAGES = [
    PageSpec("welcome", "Welcome", f"{__name__}:RecordingPage", in_sidebar=False),
    PageSpec("import", "Import", f"{__name__}:RecordingPage", "Ctrl+1"),
    PageSpec("studio", "Card studio", f"{__name__}:RecordingPage", "Ctrl+4"),
]


def test_pages_are_built_on_first_show_and_listed_in_the_sidebar(make_window):
    win = make_window(pages=TEST_PAGES)
    assert win.sidebar.count() == 2  # the welcome page is not in the sidebar
    assert win._pages == {}
    page = win.show_page("studio", user_id="u1", milestone_kind="task_100", week="2026-11-30")
    assert isinstance(page, RecordingPage)
    assert win.stack.currentWidget() is page
    assert win.sidebar.currentItem().text() == "Card studio"
    assert page.requests == [{"user_id": "u1", "milestone_kind": "task_100", "week": "2026-11-30"}]


def test_open_card_studio_reaches_the_studio_page(make_window, qtbot):
    win = make_window(pages=TEST_PAGES)
    with qtbot.waitSignal(win.card_studio_requested) as blocker:
        win.open_card_studio("u7", "streak_90", "2026-11-23")
    assert blocker.args == ["u7", "streak_90", "2026-11-23"]
    assert win.current_page_id == "studio"
    assert win.page("studio").requests[-1]["user_id"] == "u7"


def test_unknown_page_is_reported_not_raised(make_window):
    win = make_window(pages=TEST_PAGES)
    assert win.show_page("nowhere") is None
    assert "nowhere" in win.ctx.errors.history[-1].message


def test_csv_dropped_anywhere_opens_the_import_page(make_window, tmp_path, qtbot):
    win = make_window(pages=TEST_PAGES)
    win.show()
    qtbot.waitExposed(win)
    csv = tmp_path / "week.csv"
    csv.write_text("email,sessions\na@example.com,3\n", encoding="utf-8")
    enter, drop = drop_files(win, [csv])
    assert enter.isAccepted() and drop.isAccepted()
    assert win.current_page_id == "import"
    assert win.page("import").requests == [{"path": str(csv)}]


def test_other_files_are_refused_at_drag_enter(make_window, tmp_path, qtbot):
    win = make_window(pages=TEST_PAGES)
    picture = tmp_path / "logo.png"
    picture.write_bytes(b"\x89PNG")
    enter, _drop = drop_files(win, [picture])
    assert not enter.isAccepted()
    assert win.current_page_id == ""


def test_geometry_and_page_are_remembered(make_window, plm_home, db_path, qtbot):
    win = make_window(pages=TEST_PAGES)
    win.resize(770, 550)
    win.show()
    win.show_page("studio")
    win.close()
    assert (plm_home / "config" / "window.ini").is_file()

    again = make_window(pages=TEST_PAGES)
    assert (again.width(), again.height()) == (770, 550)
    assert again.ctx.settings.value("window/page") == "studio"


def test_opening_an_empty_database_shows_welcome(make_window, db_path, qtbot):
    win = make_window(pages=TEST_PAGES)
    with qtbot.waitSignal(win.database_ready):
        win.open_database_file(db_path)
    assert db_path.is_file()
    assert win.ctx.db_path == db_path
    assert win.current_page_id == "welcome"
    assert win.database_label.text() == db_path.name


def test_data_change_marks_pages_stale(make_window, db_path):
    win = make_window(pages=TEST_PAGES)
    win.show()
    win.open_database_file(db_path)
    page = win.show_page("import")
    before = page.reloads
    win.ctx.announce("usage")
    assert page.reloads == before + 1
    win.ctx.announce("outbox")
    assert page.reloads == before + 1


def test_backup_and_restore_round_trip(make_window, db_path, tmp_path, plm_home, qtbot):
    from plm_desktop.store import open_database

    win = make_window(pages=TEST_PAGES)
    win.open_database_file(db_path)
    db = open_database(db_path)
    db.set_setting("brand", {"name": "Before"})
    db.close()
    backup = tmp_path / "backup.sqlite"
    task = win.backup_database(backup)
    assert task.error is None and backup.is_file()

    db = open_database(db_path)
    db.set_setting("brand", {"name": "After"})
    db.close()
    with qtbot.waitSignal(win.database_ready):
        win.restore_database(backup)
    db = open_database(db_path)
    assert db.get_setting("brand") == {"name": "Before"}
    db.close()
    safety = list((plm_home / "data" / "backups").glob("plm-before-restore-*.sqlite"))
    assert len(safety) == 1, "the replaced data must be kept"
    kept = open_database(safety[0])
    assert kept.get_setting("brand") == {"name": "After"}
    kept.close()


def test_restore_refuses_a_file_that_is_not_a_database(make_window, db_path, tmp_path):
    win = make_window(pages=TEST_PAGES)
    win.open_database_file(db_path)
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not sqlite")
    win.restore_database(junk)
    assert "restore did not happen" in win.ctx.errors.history[-1].message
    assert "not a database" in win.ctx.errors.history[-1].detail
    assert win.ctx.db_path == db_path


def test_about_shows_the_version(make_window):
    from plm_desktop import __version__

    win = make_window(pages=TEST_PAGES)
    dialog = win.about_dialog()
    assert __version__ in dialog.findChild(QLabel, "about_title").text()
    assert not dialog.isModal()
    dialog.deleteLater()


def test_drop_point_is_inside(make_window):
    win = make_window(pages=TEST_PAGES)
    assert win.rect().contains(QPoint(1, 1))


def test_sidebar_getting_focus_does_not_leave_the_welcome_page(make_window, db_path, qtbot):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QFocusEvent

    win = make_window(pages=TEST_PAGES)
    win.show()
    win.open_database_file(db_path)
    assert win.current_page_id == "welcome"
    QApplication.sendEvent(win.sidebar, QFocusEvent(QEvent.Type.FocusIn))
    assert win.sidebar.currentRow() == 0  # Qt made the first row current...
    assert win.current_page_id == "welcome"  # ...which must not switch pages
    qtbot.keyClick(win.sidebar, Qt.Key.Key_Down)
    assert win.current_page_id == "studio"  # the keyboard still navigates


def test_database_switch_is_refused_while_a_write_runs(make_window, db_path, tmp_path, qtbot):
    import threading

    win = make_window(inline=False, pages=TEST_PAGES)
    with qtbot.waitSignal(win.database_ready, timeout=10_000):
        win.open_database_file(db_path)
    release = threading.Event()
    task = win.ctx.tasks.write(lambda control: release.wait(10), title="Importing big.csv")
    try:
        assert win.open_database_file(tmp_path / "other.sqlite") is None
        assert win.explore_sample_data() is None
        assert "Importing big.csv is still running" in win.ctx.errors.history[-1].message
        assert win.ctx.db_path == db_path
    finally:
        release.set()
    with qtbot.waitSignal(task.done, timeout=10_000):
        pass
