"""The ``plm-desktop`` command: the window when run bare, subcommands for scripted runs.

Exit codes: 0 done, 1 the work was refused or failed (the output says why), 2 usage
errors (argparse's own).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from plm_desktop import APP_NAME, __version__
from plm_desktop.commands import COMMAND_MODULES


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="plm-desktop",
        description=f"{APP_NAME}: rank your advocates, celebrate their wins, share win cards.",
    )
    parser.add_argument("--version", action="version", version=f"plm-desktop {__version__}")
    parser.add_argument("--db", type=Path, help="database file (default: in the user data folder)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the window on a throwaway copy of the sample data",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that this installation is complete (import, rank, card, window) and exit",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``plm-desktop`` script."""
    parser = build_parser()
    args = parser.parse_args(argv)

    from plm_desktop import logsetup

    logsetup.configure(verbose=args.verbose)

    if args.self_test:
        from plm_desktop.selftest import run_self_test

        return run_self_test()
    if args.command is None:
        from plm_desktop.gui.app import run_app

        return run_app(db_path=args.db, demo=args.demo)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
