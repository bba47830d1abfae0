"""Guard against the PySide6 6.12.0 crash on CPython 3.11.

That release drops a reference to ``None`` on every wrapped call that returns nothing;
after a few thousand calls ``None`` is deallocated and the process aborts with "Fatal
Python error: none_dealloc". Each call below returns ``None``; the refcount of ``None``
must not fall across them.
"""

from __future__ import annotations

import sys

CALLS = 3000  # well below the ~5,000 that would abort the test process on 6.12.0


def test_void_calls_do_not_leak_none_references(qapp):
    from PySide6.QtWidgets import QWidget

    widget = QWidget()
    before = sys.getrefcount(None)
    for n in range(CALLS):
        widget.setWindowTitle(str(n % 10))
        widget.update()
    after = sys.getrefcount(None)
    widget.deleteLater()
    # Allow ordinary noise from the interpreter; the bug loses 2 per loop (6,000 here).
    assert after >= before - 50, f"None lost {before - after} references over {CALLS} calls"
