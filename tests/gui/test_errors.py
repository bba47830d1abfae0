"""The one error path: logs, signals, status bar, and the excepthook that shows once."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import Qt

from plm_desktop.gui.errors import ErrorReporter, describe_exception, install_excepthook


def test_report_logs_and_emits(qapp, qtbot, caplog):
    reporter = ErrorReporter()
    with qtbot.waitSignal(reporter.reported) as blocker, caplog.at_level(logging.ERROR):
        reporter.report("Could not import week.csv.", ValueError("line 4: score is 'abc'"))
    error = blocker.args[0]
    assert error.message == "Could not import week.csv."
    assert error.detail == "line 4: score is 'abc'"
    assert "Could not import week.csv." in caplog.text


def test_describe_prefers_the_founder_sentence():
    class SlackFailed(Exception):
        founder_message = "Slack refused the token: reconnect in Settings."

    assert describe_exception(SlackFailed("invalid_auth")) == SlackFailed.founder_message
    assert describe_exception(KeyError("x")) == "'x'"
    assert describe_exception(ZeroDivisionError()) == "Unexpected ZeroDivisionError."


def test_excepthook_shows_each_distinct_error_once(qapp):
    reporter = ErrorReporter()
    restore = install_excepthook(reporter)
    try:
        for _ in range(3):
            try:
                raise RuntimeError("paint failed")
            except RuntimeError:
                sys.excepthook(*sys.exc_info())
    finally:
        restore()
    assert len(reporter.history) == 1
    assert "window keeps running" in reporter.history[0].message


def test_severe_errors_show_in_the_banner_and_minor_ones_do_not(qapp, qtbot):
    from PySide6.QtWidgets import QWidget

    from plm_desktop.gui.errors import MessageBanner

    host = QWidget()
    qtbot.addWidget(host)
    banner = MessageBanner(host)
    reporter = ErrorReporter()
    reporter.reported.connect(banner.show_error)
    host.show()
    reporter.report("Preview failed.", OSError("file moved"), severe=False)
    assert not banner.isVisible()
    reporter.report("The backup failed.", OSError("disk <full>"))
    assert banner.isVisible()
    assert "The backup failed." in banner.text.text()
    assert "disk &lt;full&gt;" in banner.text.text()
    qtbot.mouseClick(banner.close_button, Qt.MouseButton.LeftButton)
    assert not banner.isVisible()
