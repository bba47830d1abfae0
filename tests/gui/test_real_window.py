"""The real app in a real X window (Xvfb), with a screenshot of each screen.

Screenshots land in ``artifacts/screenshots/`` (gitignored) for people to look at; the
test checks that each is a full window with real content, not a blank grab.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "artifacts" / "screenshots"


@pytest.mark.xvfb_window
def test_real_window_shows_every_screen_with_the_sample_data(tmp_path):
    display = os.environ.get("DISPLAY")
    assert display, "pytest-xvfb should provide an X display"
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", PLM_DESKTOP_HOME=str(tmp_path / "home"))
    done = subprocess.run(
        [sys.executable, "-m", "tests.gui.real_window_driver", str(SHOTS)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["platform"] == "xcb"
    assert report["ranked"] == 300, "the sample data should be scored after loading"
    screens = {s["page"]: s for s in report["screens"]}
    pages = ("welcome", "leaderboard", "import", "wins", "settings", "share-win", "studio-win")
    for page in pages:
        shot = screens[page]
        assert "error" not in shot, shot
        assert Path(shot["file"]).is_file()
        assert shot["width"] >= 1000 and shot["height"] >= 600
        assert shot["colours"] > 8, f"{page} screenshot looks blank"
    assert report["errors"] == [], report["errors"]
    assert "Qt" not in done.stderr or "Warning" not in done.stderr, done.stderr[-2000:]
