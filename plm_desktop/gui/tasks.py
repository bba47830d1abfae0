"""The one helper for background work in the window.

Every engine call the window makes goes through a :class:`TaskRunner`:

* ``runner.read(fn, ...)`` runs ``fn`` on a small parallel pool (queries, rendering,
  network calls);
* ``runner.write(fn, ...)`` runs ``fn`` on the single database-write worker, so writes
  happen one after another in the order they were asked for.

``fn`` is called as ``fn(control)`` on a worker thread. The :class:`TaskControl` it gets
carries a :class:`~plm_desktop.store.Database` connection owned by that worker thread
(``control.db``), a thread-safe ``control.progress(done, total)`` and
``control.cancelled()``, which engine functions accept as their ``progress=`` and
``cancel=`` callbacks. The returned :class:`Task` hands the result or the exception back to
the GUI thread through its signals. Its progress is announced (``Task.progress_shown``)
only once the work has run for :data:`PROGRESS_DELAY_MS`, so short work never flickers a
progress bar.

Tests build the runner with ``inline=True``: tasks then run at once on the calling thread
and their signals fire before ``read``/``write`` return, so a test needs no waiting.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

if TYPE_CHECKING:  # the store (sqlite3, json) is imported by the first task, not at start
    from plm_desktop.store import Database

log = logging.getLogger(__name__)

PROGRESS_DELAY_MS = 500
"""Work that ends sooner than this never shows a progress bar."""

_PROGRESS_MIN_INTERVAL_S = 0.05
"""Progress reports are passed to the GUI at most this often (plus the last one)."""


class TaskCancelled(Exception):
    """Raised inside a task by :meth:`TaskControl.check` after Cancel was pressed."""


class Lane(enum.Enum):
    """Where a task runs: the parallel read pool or the one serial write worker."""

    READ = "read"
    WRITE = "write"


class CancelToken:
    """A flag the GUI sets and the worker polls; calling it answers "stop now?".

    Being callable, the token itself can be passed as an engine function's ``cancel=``.
    """

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def __call__(self) -> bool:
        return self._event.is_set()

    @property
    def is_cancelled(self) -> bool:
        return self._event.is_set()


class TaskControl:
    """What a task function receives: its database, progress reporting and cancel flag.

    It holds no Qt object, so nothing owned by the GUI thread is released on a worker.
    """

    def __init__(
        self,
        task_id: int,
        token: CancelToken,
        relay: _Relay,
        connections: ConnectionPool | None,
    ) -> None:
        self._task_id = task_id
        self._relay = relay
        self._connections = connections
        self.token = token
        self._last_report = 0.0

    @property
    def db(self) -> Database:
        """The database connection belonging to the current worker thread."""
        if self._connections is None:
            raise RuntimeError("this task runner has no database open")
        return self._connections.for_current_thread()

    def cancelled(self) -> bool:
        """True once the user asked to stop; pass as ``cancel=`` to engine functions."""
        return self.token.is_cancelled

    def check(self) -> None:
        """Raise :class:`TaskCancelled` if the user asked to stop."""
        if self.token.is_cancelled:
            raise TaskCancelled()

    def progress(self, done: int | float, total: int | float | None = None) -> None:
        """Report progress; safe to call very often from the worker thread."""
        now = time.monotonic()
        final = total is not None and done >= total
        if not final and now - self._last_report < _PROGRESS_MIN_INTERVAL_S:
            return
        self._last_report = now
        self._relay.progress.emit(self._task_id, done, total)


class _Relay(QObject):
    """Carries every worker's news to the runner, which lives in the GUI thread.

    One relay per runner, living as long as it: its signals are emitted on worker threads
    and reach the runner's slots through queued connections, so every public signal of a
    task fires on the GUI thread.
    """

    progress = Signal(int, object, object)
    succeeded = Signal(int, object)
    raised = Signal(int, object)


class Task(QObject):
    """One piece of background work, seen from the GUI thread.

    Signals (all emitted on the GUI thread):
        progress(done, total): throttled progress reports; ``total`` may be None.
        progress_shown(): the work has run for :data:`PROGRESS_DELAY_MS` and is still going.
        finished(result): the function returned ``result``.
        failed(exception): the function raised (:class:`TaskCancelled` is reported
            through ``cancelled`` instead, as is any exception raised after Cancel).
        cancelled(): the function stopped because Cancel was pressed.
        done(): after any of the three above; the task is over.
    """

    progress = Signal(object, object)
    progress_shown = Signal()
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    done = Signal()

    def __init__(self, title: str, lane: Lane, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.lane = lane
        self.token = CancelToken()
        self.is_done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.started_at = time.monotonic()
        self._reveal = QTimer(self)
        self._reveal.setSingleShot(True)
        self._reveal.setInterval(PROGRESS_DELAY_MS)
        self._reveal.timeout.connect(self._on_reveal)

    def cancel(self) -> None:
        """Ask the function to stop; it notices at its next ``cancelled()`` poll."""
        if not self.is_done:
            log.info("cancel requested for task %r", self.title)
        self.token.cancel()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started_at

    def _on_progress(self, done: object, total: object) -> None:
        if not self.is_done:
            self.progress.emit(done, total)

    @Slot()
    def _on_reveal(self) -> None:
        if not self.is_done:
            self.progress_shown.emit()

    def _on_succeeded(self, result: object) -> None:
        self.result = result
        self._finish()
        self.finished.emit(result)
        self.done.emit()

    def _on_raised(self, exc: object) -> None:
        assert isinstance(exc, BaseException)
        self.error = exc
        self._finish()
        if isinstance(exc, TaskCancelled) or self.token.is_cancelled:
            log.info("task %r cancelled after %.2fs", self.title, self.elapsed)
            self.cancelled.emit()
        else:
            self.failed.emit(exc)
        self.done.emit()

    def _finish(self) -> None:
        self.is_done = True
        self._reveal.stop()


class _Runnable(QRunnable):
    """Runs one task function on a pool thread; holds no Qt object of the GUI thread."""

    def __init__(self, control: TaskControl, fn: Callable[[TaskControl], Any], title: str):
        super().__init__()
        self.setAutoDelete(True)
        self._control = control
        self._fn = fn
        self._title = title

    def run(self) -> None:
        control, relay = self._control, self._control._relay
        task_id = control._task_id
        if control.token.is_cancelled:
            relay.raised.emit(task_id, TaskCancelled())
            return
        try:
            result = self._fn(control)
        except BaseException as exc:  # handed to the GUI thread, which reports it
            if not isinstance(exc, TaskCancelled) and not control.token.is_cancelled:
                log.debug("task %r raised", self._title, exc_info=exc)
            relay.raised.emit(task_id, exc)
        else:
            relay.succeeded.emit(task_id, result)


class ConnectionPool:
    """One database connection per worker thread, all to the same file.

    SQLite connections must not be shared between threads that use them at the same
    time; each worker gets its own, opened on first use and closed by :meth:`close`.
    """

    def __init__(self, path: Path, opener: Callable[[Path], Database] | None = None) -> None:
        self.path = Path(path)
        self._opener = opener or _open_existing
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[Database] = []

    def for_current_thread(self) -> Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._opener(self.path)
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    def close(self) -> None:
        """Close every connection; call only when no task is running."""
        with self._lock:
            dbs, self._all = self._all, []
        for db in dbs:
            db.close()
        self._local = threading.local()


def _open_existing(path: Path) -> Database:
    # The main window migrates the file once, on the write worker, before any task runs;
    # connections opened afterwards only connect.
    from plm_desktop.store import open_database

    return open_database(path, migrate=False)


class TaskRunner(QObject):
    """Runs task functions off the GUI thread and tracks them until they end.

    Args:
        inline: run every task at once on the calling thread (for tests).
        read_threads: size of the parallel pool for reads and network calls.

    Signals:
        task_started(task), task_ended(task): for status-bar progress and tests.
        idle(): the last running task has ended.
    """

    task_started = Signal(object)
    task_ended = Signal(object)
    idle = Signal()

    def __init__(
        self, *, inline: bool = False, read_threads: int = 3, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.inline = inline
        self._read_pool = QThreadPool(self)
        self._read_pool.setMaxThreadCount(read_threads)
        self._read_pool.setExpiryTimeout(-1)  # keep threads, and so their connections
        self._write_pool = QThreadPool(self)
        self._write_pool.setMaxThreadCount(1)
        self._write_pool.setExpiryTimeout(-1)
        self._connections: ConnectionPool | None = None
        self._running: list[Task] = []
        self._by_id: dict[int, Task] = {}
        self._next_id = 0
        self._relay = _Relay(self)
        self._relay.progress.connect(self._deliver_progress)
        self._relay.succeeded.connect(self._deliver_result)
        self._relay.raised.connect(self._deliver_error)

    # -- database -------------------------------------------------------------------

    def set_database(self, path: Path | None) -> None:
        """Point every later task at the database file ``path`` (None: no database).

        Waits for running tasks to end first, so none of them loses its connection.
        """
        self.wait_for_done()
        if self._connections is not None:
            self._connections.close()
        self._connections = ConnectionPool(path) if path is not None else None

    @property
    def database_path(self) -> Path | None:
        return self._connections.path if self._connections is not None else None

    # -- submitting -----------------------------------------------------------------

    def read(self, fn: Callable[[TaskControl], Any], *, title: str = "", **handlers) -> Task:
        """Run ``fn(control)`` on the parallel pool; see :meth:`submit` for handlers."""
        return self.submit(fn, lane=Lane.READ, title=title, **handlers)

    def write(self, fn: Callable[[TaskControl], Any], *, title: str = "", **handlers) -> Task:
        """Run ``fn(control)`` on the one database-write worker, after earlier writes."""
        return self.submit(fn, lane=Lane.WRITE, title=title, **handlers)

    def submit(
        self,
        fn: Callable[[TaskControl], Any],
        *,
        lane: Lane = Lane.READ,
        title: str = "",
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        on_progress: Callable[[Any, Any], None] | None = None,
    ) -> Task:
        """Start ``fn(control)`` in ``lane`` and return its :class:`Task`.

        The ``on_*`` handlers are connected to the task's signals before it starts, so
        none is missed even when the task ends at once (inline runs).
        """
        # No Qt parent: the task lives while this runner (or a caller) holds it.
        task = Task(title or getattr(fn, "__name__", "task"), lane)
        if on_result is not None:
            task.finished.connect(on_result)
        if on_error is not None:
            task.failed.connect(on_error)
        if on_cancelled is not None:
            task.cancelled.connect(on_cancelled)
        if on_progress is not None:
            task.progress.connect(on_progress)
        task.done.connect(lambda: self._on_task_done(task))
        self._next_id += 1
        self._by_id[self._next_id] = task
        self._running.append(task)
        control = TaskControl(self._next_id, task.token, self._relay, self._connections)
        runnable = _Runnable(control, fn, task.title)
        log.debug("task %r submitted to the %s lane", task.title, lane.value)
        self.task_started.emit(task)
        if self.inline:
            runnable.run()
        else:
            task._reveal.start()
            pool = self._write_pool if lane is Lane.WRITE else self._read_pool
            pool.start(runnable)
        return task

    # -- tracking -------------------------------------------------------------------

    @property
    def running(self) -> list[Task]:
        """Tasks started and not yet ended, oldest first."""
        return list(self._running)

    def cancel_all(self) -> None:
        for task in self._running:
            task.cancel()

    def wait_for_done(self, timeout_ms: int = -1) -> bool:
        """Block until the worker threads are idle (used on shutdown and database switch).

        Results still queued for the GUI thread are delivered at the next event-loop turn.
        """
        ok_read = self._read_pool.waitForDone(timeout_ms)
        ok_write = self._write_pool.waitForDone(timeout_ms)
        return ok_read and ok_write

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Cancel everything, wait for the workers, close the connections."""
        self.cancel_all()
        if not self.wait_for_done(timeout_ms):
            log.warning("background work still running after %d ms at shutdown", timeout_ms)
        if self._connections is not None:
            self._connections.close()
            self._connections = None

    @Slot(int, object, object)
    def _deliver_progress(self, task_id: int, done: object, total: object) -> None:
        task = self._by_id.get(task_id)
        if task is not None:
            task._on_progress(done, total)

    @Slot(int, object)
    def _deliver_result(self, task_id: int, result: object) -> None:
        task = self._by_id.pop(task_id, None)
        if task is not None:
            task._on_succeeded(result)

    @Slot(int, object)
    def _deliver_error(self, task_id: int, exc: object) -> None:
        task = self._by_id.pop(task_id, None)
        if task is not None:
            task._on_raised(exc)

    def _on_task_done(self, task: Task) -> None:
        if task in self._running:
            self._running.remove(task)
        self.task_ended.emit(task)
        if not self._running:
            self.idle.emit()
