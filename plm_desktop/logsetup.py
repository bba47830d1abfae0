"""Logging for the app and the command line: a rotating file plus warnings on stderr.

Every module logs through ``logging.getLogger(__name__)``. A filter on the handlers
masks anything shaped like a Slack token or webhook URL, as a last line of defence: code
must not log secrets in the first place.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from plm_desktop import paths

LOG_FILE_NAME = "plm-desktop.log"

_SECRET_SHAPES = re.compile(
    r"xox[abposr]-[A-Za-z0-9-]+"
    r"|https://hooks\.slack(?:-gov)?\.com/services/[A-Za-z0-9/_-]+"
)


def redact(text: str) -> str:
    """``text`` with anything shaped like a Slack token or webhook URL masked."""
    return _SECRET_SHAPES.sub("[redacted]", text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message through :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def log_file_path() -> Path:
    """Where the rotating log file lives."""
    return paths.log_dir() / LOG_FILE_NAME


def configure(*, verbose: bool = False, to_file: bool = True) -> None:
    """Install the handlers on the root logger; safe to call more than once."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_plm_handler", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")

    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handlers: list[logging.Handler] = [console]

    if to_file:
        path = log_file_path()
        paths.ensure_dir(path.parent)
        file_handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
        file_handler.setFormatter(fmt)
        handlers.append(file_handler)

    # httpx logs every request line, URL and query included, at INFO: keep it out of the
    # everyday log file and let it through only when the founder asks for verbose logs
    # (the sharing clients' own filter still masks emails and webhook paths there).
    quiet_level = logging.DEBUG if verbose else logging.WARNING
    logging.getLogger("httpx").setLevel(quiet_level)
    logging.getLogger("httpcore").setLevel(max(quiet_level, logging.INFO))

    for handler in handlers:
        handler._plm_handler = True  # type: ignore[attr-defined]
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
