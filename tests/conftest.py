"""Test-wide setup: every test gets its own data folder and database, Qt runs offscreen.

Python warnings and Qt warnings fail tests (see ``[tool.pytest.ini_options]``). The
session's Xvfb display comes from pytest-xvfb; tests that want a real X window ask for it
explicitly, everything else uses Qt's offscreen platform.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Nothing the tests do may reach a real Slack or read a founder's real token.
for _name in ("SLACK_BOT_TOKEN", "SLACK_API_URL", "SLACK_WEBHOOK_URL"):
    os.environ.pop(_name, None)


@pytest.fixture(autouse=True)
def plm_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private home for the app's data, log and config folders."""
    home = tmp_path / "plm-home"
    monkeypatch.setenv("PLM_DESKTOP_HOME", str(home))
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "plm.sqlite"


@pytest.fixture
def db(db_path: Path):
    """A freshly migrated database in the test's own folder."""
    from plm_desktop.store import open_database

    database = open_database(db_path)
    yield database
    database.close()


pytest_plugins = ["tests.slack_peer", "tests.secret_service"]
