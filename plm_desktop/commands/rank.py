"""``plm-desktop rank [--week YYYY-MM-DD] [--top N] [--json]``: the advocate leaderboard.

Reads the stored scores (computed after each import), so it answers at once on any size
of database. Exit 0 with the table or JSON, 1 when the week has no scores.
"""

from __future__ import annotations

import argparse
import sys

from plm_desktop.commands.common import add_db_option, open_db, print_json, print_table, week_arg

_MOVEMENT_MARKS = {"new": "new", "up": "up", "down": "down", "same": "="}


def _top(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "rank",
        help="show the top advocates of a week and why",
        description=(
            "The ranked users of a week with their score (0-100) and its four parts: "
            "usage frequency, feature depth, collaboration and sentiment."
        ),
    )
    parser.add_argument(
        "--week",
        type=week_arg,
        metavar="YYYY-MM-DD",
        help="any day of the week to rank (default: the latest imported week)",
    )
    parser.add_argument(
        "--top", type=_top, default=10, metavar="N", help="how many users (default 10)"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list of objects")
    add_db_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from plm_desktop.scoring import UnknownWeek, leaderboard

    with open_db(args) as db:
        try:
            board = leaderboard(db, args.week, top=args.top)
        except UnknownWeek as exc:
            print(f"plm-desktop rank: {exc}", file=sys.stderr)
            return 1

    if args.json:
        print_json([row.to_json() for row in board.rows])
        for note in board.notes:
            print(f"note: {note}", file=sys.stderr)
        return 0

    if board.week is None:
        print("Nothing is ranked yet: import a usage export first (plm-desktop import FILE).")
        return 0
    print(
        f"Week of {board.week}: {board.ranked_count} ranked users, "
        f"{board.candidate_count} advocate candidates"
    )
    for note in board.notes:
        print(f"Note: {note}")
    print()
    print_table(
        [
            "rank",
            "move",
            "user",
            "name",
            "email",
            "score",
            "freq",
            "depth",
            "collab",
            "sent",
            "top %",
            "candidate",
        ],
        [
            [
                row.rank,
                _MOVEMENT_MARKS.get(row.movement, row.movement),
                row.user_id,
                row.name,
                row.email,
                row.score,
                row.points.frequency,
                row.points.depth,
                row.points.collaboration,
                row.points.sentiment,
                row.top_percent,
                "yes" if row.candidate else "",
            ]
            for row in board.rows
        ],
    )
    return 0
