"""The command line's global behaviour."""

from __future__ import annotations

import subprocess
import sys

from plm_desktop import __version__
from plm_desktop.cli import main


def test_version_is_the_package_version(capsys):
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code == 0
    assert capsys.readouterr().out.strip() == f"plm-desktop {__version__}"


def test_unknown_command_is_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "plm_desktop", "no-such-command"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_the_milestone_kinds_the_cli_names_are_the_engines():
    from plm_desktop.commands.common import MILESTONE_KINDS
    from plm_desktop.scoring import KINDS

    assert MILESTONE_KINDS.split(", ") == list(KINDS)
