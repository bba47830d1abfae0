"""Pieces every subcommand shares: opening the database, printing JSON and tables."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from plm_desktop import paths
from plm_desktop.store import Database, open_database


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """Accept ``--db`` after the subcommand too (``plm-desktop rank --db x.sqlite``)."""
    parser.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="database file to use")


# The milestone kinds as the command line names them (see plm_desktop.scoring.KINDS);
# spelled out here so building the parser does not import the scoring engine.
MILESTONE_KINDS = "first_project, task_100, team_builder, streak_90, roi, top_5"


def add_win_options(parser: argparse.ArgumentParser, *, week_help: str | None = None) -> None:
    """``--user`` (required) and ``--milestone``, plus ``--week`` when ``week_help`` is given:
    the options that pick one user's win for ``card``, ``copy`` and ``send``."""
    parser.add_argument("--user", required=True, metavar="USER_ID", help="the user's id")
    parser.add_argument(
        "--milestone",
        metavar="NAME",
        help=f"milestone kind ({MILESTONE_KINDS}); default: the user's latest",
    )
    if week_help is not None:
        parser.add_argument("--week", type=week_arg, metavar="YYYY-MM-DD", help=week_help)


def open_db(args: argparse.Namespace) -> Database:
    """The database named by ``--db``, or the one in the user data folder."""
    path = getattr(args, "db", None) or paths.default_db_path()
    return open_database(path)


def week_arg(text: str) -> date:
    """argparse type for ``--week YYYY-MM-DD``."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {text!r}") from None


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain aligned text table for people reading a terminal."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(value.ljust(widths[i]) for i, value in enumerate(row)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
