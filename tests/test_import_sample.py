"""The bundled sample: believable, deterministic, and importable through the pipeline."""

from __future__ import annotations

import filecmp
import json

from plm_desktop.importer import preview_file
from plm_desktop.sample_data import (
    LAST_SAMPLE_WEEK,
    SAMPLE_WEEKS,
    create_demo_database,
    sample_files,
    write_sample_files,
)


def test_sample_files_are_what_the_generator_writes(tmp_path):
    written = write_sample_files(tmp_path)
    bundled = sample_files()
    assert [p.name for p in written] == [p.name for p in bundled]
    assert len(bundled) == SAMPLE_WEEKS
    assert bundled[-1].name == f"usage-{LAST_SAMPLE_WEEK.isoformat()}.csv"
    for new, old in zip(written, bundled, strict=True):
        assert filecmp.cmp(new, old, shallow=False), new.name


def test_demo_database_holds_a_believable_small_saas(tmp_path):
    db = create_demo_database(tmp_path / "demo.sqlite")
    conn = db.conn
    kinds = dict(conn.execute("SELECT kind, count(*) FROM imports GROUP BY kind").fetchall())
    assert kinds["usage"] == SAMPLE_WEEKS
    assert kinds["signups"] >= 1  # the demo's referral program comes with its signups
    users = conn.execute("SELECT count(*), count(DISTINCT company) FROM users").fetchone()
    assert 280 <= users[0] <= 320 and users[1] >= 30
    names = [row[0] for row in conn.execute("SELECT name FROM users")]
    assert any(not name.isascii() and name.replace(" ", "").isalpha() for name in names)
    assert "王芳" in names and "Дмитрий Соколов" in names
    titles = {row[0] for row in conn.execute("SELECT title FROM users")}
    assert {"Software Engineer", "Founder & CEO"} <= titles
    assert any(t.startswith("VP") for t in titles)

    weeks = [r[0] for r in conn.execute("SELECT DISTINCT week FROM usage ORDER BY week")]
    assert len(weeks) == SAMPLE_WEEKS and weeks[-1] == "2026-11-30"

    power = conn.execute(
        "SELECT count(*) FROM (SELECT user_id FROM usage GROUP BY user_id "
        "HAVING min(active_days) >= 5 AND count(*) = ?)",
        (SAMPLE_WEEKS,),
    ).fetchone()[0]
    assert 4 <= power <= 15
    streaks = conn.execute(
        "SELECT count(*) FROM (SELECT user_id FROM usage WHERE active_days > 0 "
        "GROUP BY user_id HAVING count(*) >= 13)"
    ).fetchone()[0]
    assert streaks >= 10
    nps = conn.execute("SELECT avg(nps IS NOT NULL) FROM usage").fetchone()[0]
    assert 0.01 < nps < 0.15
    custom = json.loads(conn.execute("SELECT custom FROM usage LIMIT 1").fetchone()[0])
    assert set(custom) == {"hours_saved"}
    totals = conn.execute(
        "SELECT max(t), max(i) FROM (SELECT sum(tasks_completed) AS t, "
        "sum(invites_sent) AS i FROM usage GROUP BY user_id)"
    ).fetchone()
    assert totals[0] > 100 and totals[1] >= 5
    db.close()


def test_preview_of_a_sample_file():
    preview = preview_file(sample_files()[-1])
    assert preview.importable and preview.week == "2026-11-30"
    assert preview.week_origin == "file name"
    assert preview.mapping["hours_saved"] == "custom:hours_saved"
    assert len(preview.rows) == 20
