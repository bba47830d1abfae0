"""Fixtures for the window's tests: a main window on a temporary database.

``window`` runs tasks inline (results arrive before the call returns);
``make_window(inline=False)`` uses the real thread pools, for tests about
responsiveness, progress and cancel.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def _make_window(qtbot, inline: bool, pages=None):
    from plm_desktop.gui.app import ensure_application
    from plm_desktop.gui.context import AppContext
    from plm_desktop.gui.errors import ErrorReporter
    from plm_desktop.gui.main_window import MainWindow
    from plm_desktop.gui.tasks import TaskRunner

    ensure_application()
    errors = ErrorReporter()
    tasks = TaskRunner(inline=inline)
    ctx = AppContext(tasks=tasks, errors=errors)
    window = MainWindow(ctx, pages=pages)
    qtbot.addWidget(window)
    return window


@pytest.fixture
def make_window(qtbot):
    """Build a window: ``make_window(inline=True, pages=None)``; closed after the test."""
    made = []

    def make(inline: bool = True, pages=None):
        window = _make_window(qtbot, inline, pages)
        made.append(window)
        return window

    yield make
    for window in made:
        window.ctx.tasks.shutdown()


@pytest.fixture
def window(make_window, db_path: Path, qtbot):
    """The real window, inline tasks, opened on the test's empty database."""
    win = make_window(inline=True)
    win.show()
    win.open_database_file(db_path)
    return win


def build_scored_sample(path: Path) -> Path:
    """The bundled usage sample imported into ``path`` through the pipeline (scored,
    milestones detected), as "Explore with sample data" builds it but without the
    referral program's history, so each test starts with an empty outbox."""
    from plm_desktop.sample_data import create_demo_database
    from plm_desktop.scoring import scored_weeks

    db = create_demo_database(path, with_loop=False)
    try:
        assert len(scored_weeks(db)) == 14, "the pipeline should score every sample week"
    finally:
        db.close()
    return path


@pytest.fixture
def sample_db_path(tmp_path: Path) -> Path:
    """A scored copy of the bundled sample data in the test's folder."""
    return build_scored_sample(tmp_path / "sample.sqlite")


@pytest.fixture
def sample_window(make_window, sample_db_path: Path):
    """The real window (inline tasks) opened on the scored sample data."""
    win = make_window(inline=True)
    win.show()
    win.open_database_file(sample_db_path)
    return win
