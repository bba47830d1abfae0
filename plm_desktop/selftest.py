"""``plm-desktop --self-test``: prove that this installation can do the app's real work.

A frozen build can look fine and still lack a hidden import, a font, a Qt plugin or a
shared library; those only show when the code that needs them runs. The self-test runs
that code end to end in a throwaway folder: it creates a database, imports the bundled
sample, ranks the users, renders a win card, and opens the main window (offscreen unless
a Qt platform is chosen) on that database and closes it. One line per check; the exit
code is 0 only when every check passed.

Nothing of the founder's is read or written: the checks run with ``PLM_DESKTOP_HOME``
pointing into the temporary folder, which is removed afterwards.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from plm_desktop import __version__, paths

log = logging.getLogger(__name__)

PLATFORM_ENV = "QT_QPA_PLATFORM"


class CheckFailed(Exception):
    """A check ran but its outcome was wrong; the message says what was found."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one self-test check."""

    name: str
    passed: bool
    detail: str
    seconds: float

    def line(self) -> str:
        """The line printed for this check, e.g. ``ok   rank: 300 users ...``."""
        mark = "ok  " if self.passed else "FAIL"
        return f"{mark} {self.name}: {self.detail}"


@dataclass
class SelfTestRun:
    """What the checks share: the temporary folder and what earlier checks produced."""

    folder: Path
    db_path: Path
    found: dict[str, Any] = field(default_factory=dict)

    def need(self, key: str, check: str) -> Any:
        """A value an earlier check produced, or a failure naming the check it needs."""
        if key not in self.found:
            raise CheckFailed(f"skipped: needs the {check!r} check to pass first")
        return self.found[key]


def _count(number: int) -> str:
    return f"{number:,}"


def check_resources(run: SelfTestRun) -> str:
    """The bundled fonts, icons and sample files are where importlib.resources says."""
    from plm_desktop.resources import resource_path

    fonts = sorted(resource_path("fonts").glob("*.[ot]tf"))
    icons = sorted(resource_path("icons").glob("*.png"))
    samples = sorted(resource_path("sample").glob("*.csv"))
    missing = [
        name
        for name, found in (("fonts", fonts), ("icons", icons), ("sample files", samples))
        if not found
    ]
    if missing:
        raise CheckFailed(f"no {', no '.join(missing)} in {resource_path()}")
    return f"{len(fonts)} fonts, {len(icons)} icons, {len(samples)} sample files"


def check_started_programs(run: SelfTestRun) -> str:
    """Programs the app starts (browser, xdg-open) get the system's library path.

    A frozen Linux bundle runs with ``LD_LIBRARY_PATH`` pointing at its own libraries;
    the bundle's runtime hook gives the caller's value back before the app starts any
    program, so a browser opened for a share does not load the bundle's libraries.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is None:
        return "not a frozen bundle: nothing to restore"
    value = os.environ.get("LD_LIBRARY_PATH", "")
    if bundle in value.split(os.pathsep):
        raise CheckFailed(f"programs the app starts would load libraries from {bundle}")
    return "they get the system's library path, not the bundle's"


def check_database(run: SelfTestRun) -> str:
    """A new database file is created and migrated to the newest schema."""
    from plm_desktop.store import open_database
    from plm_desktop.store.database import available_migrations

    db = open_database(run.db_path)
    try:
        newest = available_migrations()[-1].version
        if db.schema_version != newest:
            raise CheckFailed(f"schema at version {db.schema_version}, expected {newest}")
    finally:
        db.close()
    return f"schema version {newest} in {run.db_path.name}"


def check_import_sample(run: SelfTestRun) -> str:
    """The bundled sample imports through the same pipeline as a founder's export."""
    from plm_desktop.sample_data import create_demo_database

    run.db_path.unlink(missing_ok=True)
    db = create_demo_database(run.db_path)
    try:
        rows, weeks = db.conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT week) FROM usage"
        ).fetchone()
        users = db.conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]
    finally:
        db.close()
    if rows == 0 or weeks == 0:
        raise CheckFailed("the sample imported no usage rows")
    run.found["sample"] = (rows, weeks, users)
    return f"{_count(rows)} rows in {weeks} weeks, {_count(users)} users"


def check_rank(run: SelfTestRun) -> str:
    """Every imported user is ranked in the newest week and the top one is explained.

    The import pipeline scores the weeks it stored; if this build's pipeline did not,
    the check scores them itself with the same engine and says so, so the line shows
    which of the two happened.
    """
    from plm_desktop import scoring
    from plm_desktop.store import open_database

    run.need("sample", "import sample")
    db = open_database(run.db_path)
    try:
        scored_by = "scored on import"
        if not scoring.scored_weeks(db):
            scoring.rescore_all(db)
            scoring.detect_milestones(db, scoring.scored_weeks(db))
            scored_by = "scored by the self-test: the import did not score"
        board = scoring.leaderboard(db, top=5)
    finally:
        db.close()
    if board.ranked_count == 0 or not board.rows:
        raise CheckFailed(f"nobody ranked in week {board.week}")
    top = board.rows[0]
    if top.rank != 1 or not top.explanation:
        raise CheckFailed(f"the first row is rank {top.rank} with no explanation")
    run.found["week"] = board.week
    return (
        f"{_count(board.ranked_count)} users ranked in week {board.week}, "
        f"top score {top.score:g} ({scored_by})"
    )


def check_card(run: SelfTestRun) -> str:
    """A win card for a real milestone renders with the bundled fonts and encodes to PNG."""
    from plm_desktop.cards import card_for_milestone, encode_png, load_brand, render_card
    from plm_desktop.scoring import milestones_in_week
    from plm_desktop.store import open_database

    week = run.need("week", "rank")
    db = open_database(run.db_path)
    try:
        found = milestones_in_week(db, week)
        if not found:
            raise CheckFailed(f"no milestone in week {week} to draw a card for")
        milestone = found[0]
        spec = card_for_milestone(db, milestone.user_id, kind=milestone.kind, week=week)
        brand = load_brand(db)
    finally:
        db.close()
    card = render_card(spec, brand, size="linkedin")
    png = encode_png(card)
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise CheckFailed("the encoded card is not a PNG")
    width, height = card.image.size
    if (width, height) != (1200, 627):
        raise CheckFailed(f"linkedin card is {width}x{height}, expected 1200x627")
    return f"{milestone.kind} card, {width}x{height} PNG, {_count(len(png))} bytes"


def check_window(run: SelfTestRun) -> str:
    """The main window opens on the sample database, shows every page, and closes.

    Uses the offscreen Qt platform unless ``QT_QPA_PLATFORM`` chooses one, so it runs
    without a screen; with ``QT_QPA_PLATFORM=xcb`` it proves the X11 plugin loads too.
    """
    os.environ.setdefault(PLATFORM_ENV, "offscreen")
    run.need("sample", "import sample")

    from plm_desktop.gui.window_check import show_every_page

    seen = show_every_page(run.db_path)
    if seen.errors:
        raise CheckFailed("the window reported: " + "; ".join(seen.errors))
    return (
        f"{len(seen.shown)} pages shown ({', '.join(seen.shown)}) on {seen.platform}, "
        f"{seen.width}x{seen.height}, closed"
    )


CHECKS: list[tuple[str, Callable[[SelfTestRun], str]]] = [
    ("resources", check_resources),
    ("started programs", check_started_programs),
    ("database", check_database),
    ("import sample", check_import_sample),
    ("rank", check_rank),
    ("card", check_card),
    ("window", check_window),
]
"""The checks in the order they run; later ones use what earlier ones produced."""


@contextmanager
def _private_home(folder: Path) -> Iterator[None]:
    """Point the app's data, log and config folders into ``folder`` for the run."""
    saved = os.environ.get(paths.HOME_ENV)
    os.environ[paths.HOME_ENV] = str(folder / "home")
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(paths.HOME_ENV, None)
        else:
            os.environ[paths.HOME_ENV] = saved


def run_checks(
    folder: Path, checks: list[tuple[str, Callable[[SelfTestRun], str]]] | None = None
) -> list[CheckResult]:
    """Run ``checks`` (all of :data:`CHECKS` by default) in ``folder``; never raises.

    Each check's exception becomes a failed result whose detail names the error, so one
    broken part does not hide how the others fare.
    """
    run = SelfTestRun(folder=folder, db_path=folder / "self-test.sqlite")
    results = []
    with _private_home(folder):
        for name, check in checks if checks is not None else CHECKS:
            started = time.perf_counter()
            try:
                detail = check(run)
                passed = True
            except CheckFailed as exc:
                detail, passed = str(exc), False
            except Exception as exc:  # noqa: BLE001 (every failure is reported, not raised)
                detail, passed = f"{type(exc).__name__}: {exc}", False
                log.debug("self-test check %s raised\n%s", name, traceback.format_exc())
            results.append(CheckResult(name, passed, detail, time.perf_counter() - started))
    return results


def run_self_test(out: TextIO | None = None) -> int:
    """Run every check in a temporary folder, print one line each; 0 when all passed."""
    stream = out if out is not None else sys.stdout
    frozen = "frozen bundle" if getattr(sys, "frozen", False) else "Python install"
    print(f"plm-desktop {__version__} self-test ({frozen}, {sys.executable})", file=stream)
    with tempfile.TemporaryDirectory(prefix="plm-self-test-") as tmp:
        results = run_checks(Path(tmp))
        for result in results:
            print(result.line(), file=stream, flush=True)
    failed = [r.name for r in results if not r.passed]
    if failed:
        print(f"self-test FAILED: {', '.join(failed)}", file=stream)
        log.warning("self-test failed: %s", ", ".join(failed))
        return 1
    print(f"self-test passed: {len(results)} checks", file=stream)
    return 0
