"""Drive the real app in a real X window and save a screenshot of each screen.

Run by ``tests/gui/test_real_window.py`` in a subprocess (Qt's platform is chosen once per
process and the test process runs offscreen), on the Xvfb display pytest-xvfb started::

    QT_QPA_PLATFORM=xcb python -m tests.gui.real_window_driver OUT_DIR [--docs DOCS_DIR]

It starts the window exactly as ``plm-desktop`` does (on an empty database, so the welcome
page shows), presses "Explore with sample data", then visits every page in the sidebar.
Each screenshot is grabbed from the screen (``QScreen.grabWindow``), i.e. what the X
server shows. It prints one JSON line describing what it saved. ``--docs`` also copies
the leaderboard screenshot to the README's folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def _wait(app, predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.01)


def _settle(app, window, seconds: float = 0.4) -> None:
    """Let running tasks end and the window repaint."""
    _wait(app, lambda: not window.ctx.tasks.running, 30, "background work to end")
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def _grab(app, window, path: Path) -> dict:
    window.raise_()
    window.activateWindow()
    _settle(app, window, 0.3)
    screen = window.screen()
    pixmap = screen.grabWindow(window.winId())
    pixmap.save(str(path))
    image = pixmap.toImage()
    colours = {
        image.pixel(x, y)
        for x in range(0, image.width(), max(1, image.width() // 60))
        for y in range(0, image.height(), max(1, image.height() // 40))
    }
    return {
        "file": str(path),
        "width": pixmap.width(),
        "height": pixmap.height(),
        "colours": len(colours),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--docs", type=Path, help="also copy leaderboard.png here")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="plm-real-window-"))
    os.environ["PLM_DESKTOP_HOME"] = str(home)

    from plm_desktop import logsetup
    from plm_desktop.gui.app import build_window, ensure_application, start_window

    logsetup.configure()
    app = ensure_application()
    window = build_window()
    window.resize(1280, 800)
    window.show()
    start_window(window, db_path=home / "plm.sqlite")
    _wait(app, lambda: window.current_page_id == "welcome", 30, "the welcome page")
    shots = {"platform": app.platformName(), "screens": []}
    shots["screens"].append({"page": "welcome", **_grab(app, window, args.out / "welcome.png")})

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    welcome = window.page("welcome")
    QTest.mouseClick(welcome.ui.sample_button, Qt.MouseButton.LeftButton)
    _wait(
        app,
        lambda: window.ctx.demo and window.current_page_id == "leaderboard",
        60,
        "the sample data",
    )
    board = window.page("leaderboard")
    _wait(app, lambda: board.view is not None, 30, "the leaderboard")
    shots["ranked"] = board.view.board.ranked_count
    if board.view.board.rows:
        _wait(app, lambda: board.detail is not None, 30, "the selected user's details")
    shots["screens"].append(
        {"page": "leaderboard", **_grab(app, window, args.out / "leaderboard.png")}
    )

    from plm_desktop.sample_data import sample_files

    window.open_import(sample_files()[-1])
    _wait(app, lambda: window.page("import").preview is not None, 30, "the import preview")
    shots["screens"].append({"page": "import", **_grab(app, window, args.out / "import.png")})

    for spec in window._specs:
        if not spec.in_sidebar or spec.page_id in ("import", "leaderboard"):
            continue
        try:
            window.show_page(spec.page_id)
        except Exception as exc:  # another engineer's page failing must not hide ours
            shots["screens"].append({"page": spec.page_id, "error": repr(exc)})
            continue
        _settle(app, window)
        name = f"{spec.page_id}.png"
        shots["screens"].append({"page": spec.page_id, **_grab(app, window, args.out / name)})

    # The share page and the studio on a real win, as the founder sees them after
    # "Celebrate" on the Wins page.
    share = window.show_page("share")
    _wait(app, lambda: share.ui.win_combo.count() > 1, 30, "the wins to share")
    win = share.ui.win_combo.itemData(1)
    share.prepare(win.user_id, win.kind, win.week)
    _wait(app, lambda: share.preview.frame is not None, 30, "the share page's card")
    _settle(app, window)
    shots["screens"].append(
        {"page": "share-win", **_grab(app, window, args.out / "share-win.png")}
    )
    window.open_card_studio(win.user_id, win.kind, win.week)
    _settle(app, window, 1.0)
    shots["screens"].append(
        {"page": "studio-win", **_grab(app, window, args.out / "studio-win.png")}
    )

    settings = window.show_page("settings")
    settings.ui.tabs.setCurrentWidget(settings.ui.scoring_tab)
    settings.set_model_value("candidate_min", 60)
    settings.count_impact()
    _wait(app, lambda: "would change" in settings.ui.impact_label.text(), 30, "the impact count")
    shots["screens"].append(
        {"page": "settings-scoring", **_grab(app, window, args.out / "settings-scoring.png")}
    )

    # The system switching to dark. Xvfb has no desktop to say so, so the scheme is
    # applied the way the colorSchemeChanged handler applies it.
    from plm_desktop.gui import theme

    theme.apply_scheme(app, Qt.ColorScheme.Dark)
    window.show_page("leaderboard")
    shots["screens"].append(
        {"page": "leaderboard-dark", **_grab(app, window, args.out / "leaderboard-dark.png")}
    )
    theme.apply_scheme(app, Qt.ColorScheme.Light)

    errors = [e.message + " " + e.detail for e in window.ctx.errors.history]
    shots["errors"] = errors
    if args.docs is not None:
        args.docs.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.out / "leaderboard.png", args.docs / "leaderboard.png")
    window.close()
    shutil.rmtree(home, ignore_errors=True)
    print(json.dumps(shots))
    return 0


if __name__ == "__main__":
    sys.exit(main())
