"""Running a big usage import in a child process, so the window never waits for it.

Plain Python (no Qt). A thread of the window's own process competes with the GUI thread
for the interpreter lock: an import of a million rows, and the rescoring after it, would
hold it often enough to make the window stutter. A child process has its own
interpreter; the GUI process only reads its progress lines.

The child is ``python -m plm_desktop.gui.import_process`` (a fresh interpreter; nothing
of the parent's main module is re-imported). It imports through
:func:`plm_desktop.pipeline.import_usage`, exactly as the window does in-process, and
writes one JSON line per progress report and one for the outcome: the ``ImportResult``
fields,
a refused file's located problems (rebuilt in the parent as the same
``ImportRejected``), a cancel, or a failure. Cancel is a line on the child's stdin,
polled between batches; nothing is stored then, as in-process.

Small files (most weekly exports) are imported in-process: starting a child costs more
than they take. A frozen build has no ``python -m``, so it imports in-process.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ISOLATE_FROM_BYTES = 8_000_000
"""Files at least this big (about 100,000 rows) are imported in a child process."""

CHILD_NICENESS = 5
_PROGRESS_INTERVAL_S = 0.05
_POLL_S = 0.05
_CANCEL_LINE = "cancel\n"


class ImportProcessFailed(RuntimeError):
    """The import's child process failed for a reason other than the file's content."""


def child_processes_available() -> bool:
    """True when ``python -m`` can start the child (not in a frozen build)."""
    return not getattr(sys, "frozen", False)


def should_isolate(path: Path) -> bool:
    """Whether ``path`` is big enough to be worth a child process."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    return size >= ISOLATE_FROM_BYTES and child_processes_available()


def import_usage_isolated(
    db_path: Path,
    path: Path,
    *,
    week: str | None = None,
    overrides: dict[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Any:
    """Import ``path`` into the database at ``db_path`` in a child process.

    Same contract as :func:`plm_desktop.pipeline.import_usage`: returns the
    ``ImportResult`` (without the rescoring's details);
    raises ``ImportRejected`` (nothing stored), ``ImportCancelled`` (nothing stored),
    ``MappingError``, or :class:`ImportProcessFailed`.
    """
    request = {"db": str(db_path), "path": str(path), "week": week, "overrides": overrides}
    command = [sys.executable, "-m", "plm_desktop.gui.import_process", json.dumps(request)]
    started = time.perf_counter()
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as errors:
        child = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            encoding="utf-8",
            env=os.environ.copy(),
        )
        log.info("importing %s in child process %d", path.name, child.pid)
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_read_lines, args=(child.stdout, lines), daemon=True)
        reader.start()
        cancel_sent = False
        try:
            while True:
                if cancel is not None and not cancel_sent and cancel():
                    cancel_sent = _send_cancel(child)
                try:
                    line = lines.get(timeout=_POLL_S)
                except queue.Empty:
                    continue
                if line is None:
                    child.wait(10)
                    errors.seek(0)
                    tail = errors.read()[-2000:]
                    raise ImportProcessFailed(
                        f"the import of {path.name} stopped unexpectedly (exit code "
                        f"{child.returncode}); nothing was stored. {tail}".strip()
                    )
                message = json.loads(line)
                if message["kind"] == "progress":
                    if progress is not None:
                        progress(message["done"], message["total"])
                    continue
                log.info(
                    "child import of %s ended (%s) after %.1f s",
                    path.name,
                    message["kind"],
                    time.perf_counter() - started,
                )
                return _outcome(message)
        finally:
            if child.poll() is None:
                try:
                    child.wait(10)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait(5)
            if child.stdin is not None:
                child.stdin.close()
            reader.join(5)
            if child.stdout is not None:
                child.stdout.close()


def _read_lines(stream: Any, lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _send_cancel(child: subprocess.Popen) -> bool:
    try:
        child.stdin.write(_CANCEL_LINE)
        child.stdin.flush()
    except (BrokenPipeError, OSError):
        pass
    return True


def _outcome(message: dict[str, Any]) -> Any:
    from plm_desktop.importer import ImportCancelled, ImportRejected, MappingError, Problem

    kind = message["kind"]
    if kind == "done":
        from plm_desktop.importer import ImportResult

        return ImportResult(**message["result"])
    if kind == "rejected":
        problems = [Problem(**p) for p in message["problems"]]
        raise ImportRejected(problems, truncated=message["truncated"])
    if kind == "cancelled":
        raise ImportCancelled()
    if kind == "mapping":
        raise MappingError(message["message"])
    raise ImportProcessFailed(message["message"])


# -- the child ------------------------------------------------------------------------------


def _emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def child_main(request_json: str) -> int:
    """The child: import as asked and write the progress and the outcome to stdout."""
    from plm_desktop import logsetup

    logsetup.configure()
    if hasattr(os, "nice"):
        # Below the window in the scheduler's eyes: on a busy machine the GUI process
        # gets the processor first, and the import simply takes a little longer.
        os.nice(CHILD_NICENESS)
    from plm_desktop.importer import ImportCancelled, ImportRejected, ImportResult, MappingError
    from plm_desktop.pipeline import import_usage
    from plm_desktop.store import open_database

    request = json.loads(request_json)
    stop = threading.Event()

    def watch_stdin() -> None:
        for line in sys.stdin:
            if line == _CANCEL_LINE:
                stop.set()
                return

    threading.Thread(target=watch_stdin, daemon=True).start()
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - last[0] >= _PROGRESS_INTERVAL_S:
            last[0] = now
            _emit({"kind": "progress", "done": done, "total": total})

    db = open_database(request["db"], migrate=False)
    try:
        result = import_usage(
            db,
            request["path"],
            week=request["week"],
            overrides=request["overrides"],
            progress=report,
            cancel=stop.is_set,
        )
    except ImportRejected as exc:
        problems = [asdict(p) for p in exc.problems]
        _emit({"kind": "rejected", "problems": problems, "truncated": exc.truncated})
    except ImportCancelled:
        _emit({"kind": "cancelled"})
    except MappingError as exc:
        _emit({"kind": "mapping", "message": str(exc)})
    except Exception as exc:
        logging.getLogger(__name__).exception("child import of %s failed", request["path"])
        _emit({"kind": "failed", "message": f"{type(exc).__name__}: {exc}"})
    else:
        # Only the import's own fields: the rescoring's list of new milestones can run to
        # hundreds of thousands of objects, and decoding them in the window's process
        # would hold the interpreter lock long enough to freeze it.
        fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(ImportResult)}
        _emit({"kind": "done", "result": fields})
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1]))
