"""A process killed in the middle of an import leaves the database as it was before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from plm_desktop.importer import import_usage_file
from plm_desktop.store import open_database

CHILD = """
import sys
from plm_desktop.importer import import_usage_file
from plm_desktop.store import open_database

db = open_database(sys.argv[1])
import_usage_file(
    db, sys.argv[2], progress=lambda done, total: print("progress", done, flush=True)
)
print("finished", flush=True)
"""


def test_sigkill_mid_import_leaves_the_database_intact(tmp_path):
    db_path = tmp_path / "plm.sqlite"
    db = open_database(db_path)
    week = tmp_path / "usage-2026-11-23.csv"
    week.write_text("user_id,active_days\nu1,3\nu2,4\n", encoding="utf-8")
    import_usage_file(db, week)
    db.close()

    rows = 200_000
    big = tmp_path / "usage-backfill.csv"
    with open(big, "w", encoding="utf-8") as handle:
        handle.write("week,user_id,name,active_days,sessions\n")
        for n in range(rows):
            handle.write(f"2026-11-30,u{n},Name {n},{n % 8},{n % 40}\n")

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db_path), str(big)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        for progressed, line in enumerate(child.stdout, start=1):
            assert line.strip() != "finished", "the import ended before it could be killed"
            if progressed == 3:  # rows of three batches are written but not committed
                os.kill(child.pid, signal.SIGKILL)
                break
    finally:
        child.stdout.close()
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    db = open_database(db_path)
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.conn.execute("SELECT count(*) FROM usage").fetchone()[0] == 2
    assert db.conn.execute("SELECT count(*) FROM users").fetchone()[0] == 2
    assert db.conn.execute("SELECT count(*) FROM imports").fetchone()[0] == 1

    result = import_usage_file(db, big)
    assert (result.inserted, result.rows) == (rows, rows)
    assert db.conn.execute("SELECT count(*) FROM usage").fetchone()[0] == rows + 2
    db.close()
