"""The one path by which the window tells the founder that something went wrong.

Pages never build their own error boxes: they call :meth:`ErrorReporter.report` (a
sentence for the founder, optionally the exception behind it). The reporter logs the
error with its traceback, emits :attr:`ErrorReporter.reported` (the main window puts the
sentence in its status bar; tests wait on this signal) and, for errors that need
attention, shows a :class:`MessageBanner` across the top of the window: in the window,
never a modal ``exec()``, so nothing blocks the event loop or a test.

:func:`install_excepthook` routes unexpected exceptions here too: each distinct one is
logged and shown once, and the window keeps running.
"""

from __future__ import annotations

import html
import logging
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UserError:
    """What was shown: the founder's sentence and, when there was one, the exception."""

    message: str
    detail: str = ""
    exception: BaseException | None = None
    severe: bool = True


def describe_exception(exc: BaseException) -> str:
    """The founder-facing sentence for ``exc``.

    Engine exceptions are written to be read by the founder (an import's located
    problems, Slack's explained failures), so their text is used as it is; anything else
    gets its type name so the log can be matched.
    """
    text = str(exc).strip()
    for attribute in ("user_message", "founder_message"):
        value = getattr(exc, attribute, None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    if not text:
        return f"Unexpected {type(exc).__name__}."
    if isinstance(exc, (OSError, ValueError, LookupError, RuntimeError)) or type(
        exc
    ).__module__.startswith("plm_desktop"):
        return text
    return f"{type(exc).__name__}: {text}"


class ErrorReporter(QObject):
    """Logs user-facing errors and hands them to whatever shows them; one per window.

    Signals:
        reported(UserError): every error reported (status bar, banner, tests).
        notice(str): a short, non-error status message ("Backup written to ...").
    """

    reported = Signal(object)
    notice = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history: list[UserError] = []

    def report(
        self,
        message: str,
        exc: BaseException | None = None,
        *,
        severe: bool = True,
    ) -> UserError:
        """Log ``message`` (with ``exc``'s traceback) and show it to the founder.

        ``severe=False`` keeps it to the status bar: for failures the founder can simply
        retry, like a preview that could not be read.
        """
        detail = ""
        if exc is not None:
            detail = describe_exception(exc)
            log.error("%s: %s", message, detail, exc_info=(type(exc), exc, exc.__traceback__))
        else:
            log.error("%s", message)
        error = UserError(message=message, detail=detail, exception=exc, severe=severe)
        self.history.append(error)
        self.reported.emit(error)
        return error

    def report_exception(self, exc: BaseException, context: str) -> UserError:
        """Shorthand: ``context`` says what was being done ("Could not import x.csv")."""
        return self.report(context, exc)

    def inform(self, text: str) -> None:
        """A passing status message that is not an error."""
        log.info("%s", text)
        self.notice.emit(text)


class MessageBanner(QFrame):
    """A dismissable strip at the top of the window showing the latest severe error."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message_banner")
        self.setAccessibleName("Error message")
        self.setStyleSheet(
            "QFrame#message_banner { background: #fdecea; border-bottom: 1px solid #f1b8b2; }"
            "QFrame#message_banner QLabel { color: #611a15; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 8, 8)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAccessibleName("Dismiss the error message")
        self.close_button.clicked.connect(self.hide)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_error(self, error: UserError) -> None:
        """Show ``error`` if it is severe (others only reach the status bar)."""
        if not error.severe:
            return
        message = html.escape(error.message)
        detail = html.escape(error.detail).replace("\n", "<br>")
        self.text.setText(f"<b>{message}</b>" + (f"<br>{detail}" if detail else ""))
        self.show()


def install_excepthook(reporter: ErrorReporter) -> Callable[[], None]:
    """Send uncaught exceptions to ``reporter``; returns a function that undoes it.

    Each distinct exception (type and place it was raised) is shown once; repeats are
    only logged, so a failing paint handler cannot flood the screen. The window keeps
    running: Qt has already returned from the slot that raised.
    """
    seen: set[tuple[str, str]] = set()
    previous = sys.excepthook

    def hook(
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        frames = traceback.extract_tb(tb)
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
        key = (exc_type.__qualname__, where)
        if key in seen:
            log.error("unexpected error again at %s", where, exc_info=(exc_type, exc, tb))
            return
        seen.add(key)
        reporter.report("Unexpected error; the window keeps running. Details are in the log.", exc)

    sys.excepthook = hook

    def restore() -> None:
        sys.excepthook = previous

    return restore
