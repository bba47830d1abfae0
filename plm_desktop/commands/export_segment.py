"""``plm-desktop export-segment OUT.csv [--week YYYY-MM-DD]``: the top 10 % as CSV.

The monthly segment: the top N % of ranked users (N from the model, 10 by default) with
their scores and parts. Cells a spreadsheet would run as formulas are neutralised. Exit
0 when written, 1 when the week has no scores or the file cannot be written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from plm_desktop.commands.common import add_db_option, open_db, week_arg


def _percent(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be between 1 and 100, not {value}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export-segment",
        help="write the top 10 %% of ranked users to a CSV file",
        description="Write the top N %% of a week's ranked users with their scores as CSV.",
    )
    parser.add_argument("out", type=Path, metavar="OUT.csv", help="the CSV file to write")
    parser.add_argument(
        "--week",
        type=week_arg,
        metavar="YYYY-MM-DD",
        help="any day of the week (default: the latest imported week)",
    )
    parser.add_argument(
        "--percent",
        type=_percent,
        metavar="N",
        help="the top N %% of ranked users (default: the model's segment percent, 10)",
    )
    add_db_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from plm_desktop.scoring import UnknownWeek, export_segment

    with open_db(args) as db:
        try:
            result = export_segment(db, args.out, args.week, args.percent)
        except UnknownWeek as exc:
            print(f"plm-desktop export-segment: {exc}", file=sys.stderr)
            return 1
        except OSError as exc:
            print(
                f"plm-desktop export-segment: cannot write {args.out}: {exc.strerror or exc}",
                file=sys.stderr,
            )
            return 1
    if result.week is None:
        print(f"Nothing is ranked yet; wrote only the header to {result.path}.")
        return 0
    print(
        f"Wrote the top {result.percent} % of the week of {result.week} "
        f"({result.users} users) to {result.path}"
    )
    return 0
