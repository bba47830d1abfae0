"""Leaving the app with a Python-made clipboard object must not crash the process.

Qt frees the clipboard after the interpreter has shut down; a ``QMimeData`` built in
Python (as the share page builds for LinkedIn) then used to end the process with a
segmentation fault instead of exit code 0.
"""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication
from plm_desktop.gui.app import ensure_application

ensure_application()
mime = QMimeData()
mime.setText("Proud of this win")
QGuiApplication.clipboard().setMimeData(mime)
print("clipboard set")
"""


def test_exit_with_python_clipboard_data_is_clean(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PLM_DESKTOP_HOME=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "clipboard set", result.stderr
    assert result.returncode == 0, result.stderr
