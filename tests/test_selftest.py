"""``plm-desktop --self-test``: runs the real checks in-process and through the CLI."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from plm_desktop import selftest


def test_self_test_passes_with_one_line_per_check(plm_home: Path) -> None:
    out = io.StringIO()

    code = selftest.run_self_test(out)

    lines = out.getvalue().splitlines()
    assert code == 0, out.getvalue()
    check_lines = lines[1:-1]
    assert [line.split(":", 1)[0] for line in check_lines] == [
        f"ok   {name}" for name, _check in selftest.CHECKS
    ]
    sample = next(line for line in check_lines if line.startswith("ok   import sample:"))
    assert re.search(r"[\d,]+ rows in 14 weeks, 300 users", sample)
    assert re.search(r"card: \w+ card, 1200x627 PNG", out.getvalue())
    assert lines[-1] == f"self-test passed: {len(selftest.CHECKS)} checks"
    # The run used its own temporary home: nothing landed in the founder's folders.
    assert not plm_home.exists()
    assert os.environ["PLM_DESKTOP_HOME"] == str(plm_home)


def test_a_failing_check_is_reported_and_the_others_still_run(tmp_path: Path) -> None:
    def broken(_run: selftest.SelfTestRun) -> str:
        raise OSError("libqxcb.so: cannot open shared object file")

    def fine(_run: selftest.SelfTestRun) -> str:
        return "all there"

    results = selftest.run_checks(tmp_path, [("plugins", broken), ("fonts", fine)])

    assert [r.passed for r in results] == [False, True]
    assert results[0].line() == "FAIL plugins: OSError: libqxcb.so: cannot open shared object file"
    assert results[1].line() == "ok   fonts: all there"


def test_exit_code_is_1_when_any_check_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrong(_run: selftest.SelfTestRun) -> str:
        raise selftest.CheckFailed("schema at version 3, expected 5")

    monkeypatch.setattr(
        selftest, "CHECKS", [("database", selftest.check_database), ("schema", wrong)]
    )
    out = io.StringIO()

    assert selftest.run_self_test(out) == 1
    assert "ok   database: schema version" in out.getvalue()
    assert "FAIL schema: schema at version 3, expected 5" in out.getvalue()
    assert out.getvalue().splitlines()[-1] == "self-test FAILED: schema"


def test_a_check_needing_an_earlier_one_says_which(tmp_path: Path) -> None:
    results = selftest.run_checks(tmp_path, [("rank", selftest.check_rank)])

    assert not results[0].passed
    assert results[0].detail == "skipped: needs the 'import sample' check to pass first"


def test_cli_flag_runs_the_self_test(plm_home: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "plm_desktop", "--self-test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok   window:" in proc.stdout
    assert proc.stdout.rstrip().endswith("checks")
