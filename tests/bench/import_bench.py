"""Benchmark: importing usage exports, against the sqlite3 command line in the same run.

Run with ``python -m tests.bench.import_bench`` (or ``make bench``). Options:
``--repeat N`` (default 3), ``--rows N`` (default 1,000,000), ``--keep DIR``.

It generates a 1,000,000-row export (50,000 users x 20 weeks, with a week column) and a
10,000-row weekly file with the sample generator, then, in the same run:

- imports the big export into a fresh database with ``import_usage_file`` (full
  validation, users, import log; not the rescoring ``pipeline.import_usage`` adds, which
  the scoring benchmark measures), in a child process so its peak memory can be read;
- loads the same file with the ``sqlite3`` CLI's ``.import`` into an equivalent table
  (the file's columns, typed, with the usage table's primary key and by-user index; the
  same pragmas as the app), and, for reference, into a bare table that ``.import``
  creates itself (all TEXT, no key);
- re-imports the big export into the database that holds it (every week staged and
  compared; nothing changes);
- imports the weekly file into a fresh database.

Peak memory is the child's ``ru_maxrss`` minus that of a baseline child that imports the
same modules and opens a database but imports nothing. Medians are printed, in wall-clock
seconds (what the targets are about) and in CPU seconds (steadier when other work shares
the machine: a busy 2-core box stretches the wall clock of whichever side it preempts).

Targets: 1M rows in at most 1.5x the sqlite3 ``.import`` time, under 150 MB above the
baseline, and 10,000 rows in under 0.3 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from plm_desktop.importer.mapping import METRIC_FIELDS
from plm_desktop.importer.usage import IMPORT_CACHE_KIB

ROWS = 1_000_000
WEEKS = 20
WEEKLY_ROWS = 10_000
RATIO_TARGET = 1.5
MEMORY_TARGET_MB = 150.0
WEEKLY_TARGET_S = 0.3


def equivalent_table_sql(table: str) -> str:
    """A table holding what the export holds, keyed and indexed like ``usage``."""
    columns = ["week TEXT NOT NULL", "user_id TEXT NOT NULL"]
    columns += [f"{name} TEXT" for name in ("email", "name", "company", "title")]
    columns += [f"{name} INTEGER" for name in METRIC_FIELDS]
    columns += ["hours_saved REAL", "PRIMARY KEY (week, user_id)"]
    return (
        f"CREATE TABLE {table} ({', '.join(columns)}) WITHOUT ROWID;\n"
        f"CREATE INDEX {table}_by_user ON {table} (user_id, week);\n"
    )


def sqlite_cli_import(db_path: Path, csv_path: Path, *, equivalent: bool) -> Timing:
    """How long the sqlite3 CLI takes to ``.import`` the file (wall clock and CPU).

    It gets the pragmas the app's import runs with (WAL, synchronous NORMAL, the same page
    cache), so the ratio measures our parsing and validation, not different settings.
    """
    schema = equivalent_table_sql("usage_cli") if equivalent else ""
    skip = "--skip 1 " if equivalent else ""
    script = (
        "PRAGMA journal_mode = WAL;\nPRAGMA synchronous = NORMAL;\n"
        f"PRAGMA cache_size = {IMPORT_CACHE_KIB:d};\n"
        f"{schema}.mode csv\n.import {skip}'{csv_path}' usage_cli\n"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        ["sqlite3", str(db_path)], input=script, text=True, check=True, capture_output=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return Timing(wall, cpu)


@dataclass(frozen=True)
class Timing:
    """Seconds on the wall clock, and of CPU (steadier when the machine is busy)."""

    wall: float
    cpu: float


def _child(argv: list[str]) -> None:
    """In a child process: import (or only open, for the baseline) and report as JSON."""
    from plm_desktop.importer import import_usage_file
    from plm_desktop.store import open_database

    mode, db_path = argv[0], Path(argv[1])
    db = open_database(db_path)
    out: dict[str, float | int] = {}
    if mode == "import":
        # Closing (the final WAL checkpoint) is timed too, as it is in the sqlite3 run.
        started, cpu = time.perf_counter(), time.process_time()
        result = import_usage_file(db, Path(argv[2]))
        db.close()
        out["seconds"] = time.perf_counter() - started
        out["cpu"] = time.process_time() - cpu
        out["rows"] = result.rows
        out["inserted"] = result.inserted
        out["unchanged"] = result.unchanged
    else:
        db.close()
    out["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))


def run_child(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.import_bench", "--child", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fresh(folder: Path, name: str) -> Path:
    path = folder / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def weekly_import_seconds(folder: Path, csv_path: Path, repeat: int) -> list[float]:
    """In this process: import the weekly file into a fresh database, ``repeat`` times."""
    from plm_desktop.importer import import_usage_file
    from plm_desktop.store import open_database

    times = []
    for _ in range(repeat):
        db = open_database(_fresh(folder, "weekly.sqlite"))
        started = time.perf_counter()
        import_usage_file(db, csv_path)
        times.append(time.perf_counter() - started)
        db.close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.import_bench")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child)
        return 0
    if shutil.which("sqlite3") is None:
        print("the sqlite3 command-line tool is needed (apt-get install sqlite3)")
        return 2

    from plm_desktop.sample_data import write_usage_export

    folder = args.keep or Path(tempfile.mkdtemp(prefix="plm-import-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        big = folder / "usage-export-20-weeks.csv"
        weekly = folder / "usage-2026-11-30.csv"
        started = time.perf_counter()
        rows = write_usage_export(big, users=args.rows // WEEKS, weeks=WEEKS)
        write_usage_export(weekly, users=WEEKLY_ROWS, weeks=1, week_column=False)
        size_mb = big.stat().st_size / 1e6
        print(
            f"generated {rows:,} rows ({size_mb:.0f} MB) and a {WEEKLY_ROWS:,}-row weekly "
            f"file in {time.perf_counter() - started:.1f} s"
        )
        return _measure(folder, big, weekly, rows, args.repeat)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def _median(timings: list[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings)
    )


def _measure(folder: Path, big: Path, weekly: Path, rows: int, repeat: int) -> int:
    baseline_kb = run_child("baseline", str(_fresh(folder, "baseline.sqlite")))["maxrss_kb"]
    ours: list[Timing] = []
    cli: list[Timing] = []
    bare: list[Timing] = []
    peaks: list[float] = []
    for n in range(repeat):
        child = run_child("import", str(_fresh(folder, "ours.sqlite")), str(big))
        assert child["inserted"] == rows, child
        ours.append(Timing(child["seconds"], child["cpu"]))
        peaks.append((child["maxrss_kb"] - baseline_kb) / 1024)
        cli.append(sqlite_cli_import(_fresh(folder, "cli.sqlite"), big, equivalent=True))
        bare.append(sqlite_cli_import(_fresh(folder, "bare.sqlite"), big, equivalent=False))
        print(
            f"run {n + 1}: import {ours[-1].wall:.2f} s (cpu {ours[-1].cpu:.2f}), "
            f"sqlite3 .import {cli[-1].wall:.2f} s (cpu {cli[-1].cpu:.2f}), "
            f"bare table {bare[-1].wall:.2f} s, peak +{peaks[-1]:.0f} MB",
            flush=True,
        )
    again = run_child("import", str(folder / "ours.sqlite"), str(big))
    assert again["unchanged"] == rows, again
    weekly_times = weekly_import_seconds(folder, weekly, 7)

    median, median_cli = _median(ours), _median(cli)
    ratio = median.wall / median_cli.wall
    peak = max(peaks)
    median_weekly = statistics.median(weekly_times)
    print()
    print(
        f"1M-row import (import_usage_file), median of {repeat}: {median.wall:.2f} s "
        f"(cpu {median.cpu:.2f} s), {rows / median.wall:,.0f} rows/s"
    )
    print(
        f"sqlite3 .import, equivalent table, median: {median_cli.wall:.2f} s "
        f"(cpu {median_cli.cpu:.2f} s), {rows / median_cli.wall:,.0f} rows/s"
    )
    print(f"sqlite3 .import, bare TEXT table, median: {_median(bare).wall:.2f} s")
    print(
        f"ratio import / sqlite3 .import: {ratio:.2f} wall clock, "
        f"{median.cpu / median_cli.cpu:.2f} cpu (target <= {RATIO_TARGET})"
    )
    print(
        f"peak memory above baseline: {peak:.0f} MB (baseline interpreter "
        f"{baseline_kb / 1024:.0f} MB; target < {MEMORY_TARGET_MB:.0f} MB)"
    )
    again_peak = (again["maxrss_kb"] - baseline_kb) / 1024
    print(
        f"re-import of the same rows (all staged, nothing changes): "
        f"{again['seconds']:.2f} s, peak +{again_peak:.0f} MB"
    )
    print(
        f"10,000-row weekly file, median of 7: {median_weekly * 1000:.0f} ms "
        f"(target < {WEEKLY_TARGET_S * 1000:.0f} ms)"
    )
    met = ratio <= RATIO_TARGET and peak < MEMORY_TARGET_MB and median_weekly < WEEKLY_TARGET_S
    print("all targets met" if met else "TARGET MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
