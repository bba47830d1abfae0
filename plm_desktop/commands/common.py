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
