"""The background-task helper: results, errors, cancel and progress reach the GUI thread."""

from __future__ import annotations

import threading
import time

import pytest

from plm_desktop.gui.tasks import Lane, TaskCancelled, TaskRunner


@pytest.fixture
def runner(qapp):
    r = TaskRunner()
    yield r
    r.shutdown()


def test_result_is_delivered_on_the_gui_thread(runner, qtbot):
    seen = {}

    def work(control):
        seen["worker"] = threading.get_ident()
        return 6 * 7

    def on_result(value):
        seen["result"] = value
        seen["receiver"] = threading.get_ident()

    task = runner.read(work, on_result=on_result)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert seen["result"] == 42
    assert seen["receiver"] == threading.get_ident()
    assert seen["worker"] != threading.get_ident()


def test_error_is_handed_back_not_raised(runner, qtbot):
    task = runner.read(lambda control: 1 / 0)
    with qtbot.waitSignal(task.failed, timeout=5000) as blocker:
        pass
    assert isinstance(blocker.args[0], ZeroDivisionError)
    assert task.is_done


def test_cancel_stops_a_running_task_and_reports_cancelled(runner, qtbot):
    started = threading.Event()

    def work(control):
        started.set()
        while True:
            control.check()
            time.sleep(0.005)

    task = runner.read(work)
    assert started.wait(5)
    failed = []
    task.failed.connect(failed.append)
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        task.cancel()
    assert failed == []


def test_progress_is_throttled_and_shown_only_after_the_delay(runner, qtbot):
    reports = []
    release = threading.Event()

    def work(control):
        for n in range(10_001):
            control.progress(n, 10_000)
        release.wait(5)
        return "done"

    task = runner.read(work, on_progress=lambda d, t: reports.append((d, t)))
    shown = []
    task.progress_shown.connect(lambda: shown.append(task.elapsed))
    with qtbot.waitSignal(task.progress_shown, timeout=5000):
        pass
    release.set()
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert shown and shown[0] >= 0.45
    assert reports[-1] == (10_000, 10_000)
    assert len(reports) < 100  # 10,001 calls, throttled


def test_quick_task_never_shows_progress(runner, qtbot):
    task = runner.read(lambda control: "quick")
    shown = []
    task.progress_shown.connect(lambda: shown.append(True))
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    qtbot.wait(600)
    assert shown == []


def test_writes_run_one_after_another_in_order(runner, qtbot):
    order = []
    active = []
    overlap = []

    def make(n):
        def work(control):
            active.append(n)
            if len(active) > 1:
                overlap.append(tuple(active))
            time.sleep(0.01)
            order.append(n)
            active.remove(n)

        return work

    tasks = [runner.write(make(n)) for n in range(6)]
    with qtbot.waitSignal(runner.idle, timeout=5000):
        pass
    assert order == list(range(6))
    assert overlap == []
    assert all(t.lane is Lane.WRITE for t in tasks)


def test_each_worker_thread_gets_its_own_connection(runner, qtbot, db_path):
    from plm_desktop.store import open_database

    open_database(db_path).close()
    runner.set_database(db_path)
    seen = []

    def work(control):
        seen.append((threading.get_ident(), id(control.db)))
        return control.db.conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]

    read = runner.read(work)
    write = runner.write(work)
    with qtbot.waitSignal(runner.idle, timeout=5000):
        pass
    assert read.result == 0 and write.result == 0
    threads = {t for t, _ in seen}
    connections = {c for _, c in seen}
    assert len(threads) == 2 and len(connections) == 2


def test_inline_runner_delivers_before_returning(qapp):
    runner = TaskRunner(inline=True)
    got = []
    runner.read(lambda control: "now", on_result=got.append)
    assert got == ["now"]
    cancelled = []
    task = runner.read(lambda control: (_ for _ in ()).throw(TaskCancelled()))
    task_cancelled = runner.read(
        lambda control: control.check(), on_cancelled=lambda: cancelled.append(1)
    )
    assert task.is_done and task_cancelled.result is None and cancelled == []
