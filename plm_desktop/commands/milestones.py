"""``plm-desktop milestones [--week YYYY-MM-DD] [--json]``: who crossed what in a week.

Milestones are detected after each import and recorded once; this lists those of one
week (default: the latest imported week). Exit 0, also when there are none.
"""

from __future__ import annotations

import argparse

from plm_desktop.commands.common import add_db_option, open_db, print_json, print_table, week_arg


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "milestones",
        help="list the milestones users crossed in a week",
        description=(
            "Milestones: first_project, task_100, team_builder, streak_90, roi, top_5. "
            "Each is recorded once, in the week it was first crossed."
        ),
    )
    parser.add_argument(
        "--week",
        type=week_arg,
        metavar="YYYY-MM-DD",
        help="any day of the week (default: the latest imported week)",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list of objects")
    add_db_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from plm_desktop.scoring import milestones_in_week
    from plm_desktop.scoring.weekdates import as_week

    with open_db(args) as db:
        found = milestones_in_week(db, args.week)
        if args.week is not None:
            week = as_week(args.week)
        else:
            week = db.conn.execute("SELECT MAX(week) FROM usage").fetchone()[0]

    if args.json:
        print_json(
            [
                {
                    "milestone_id": m.milestone_id,
                    "week": m.week,
                    "user_id": m.user_id,
                    "email": m.email,
                    "name": m.name,
                    "kind": m.kind,
                    "label": m.label,
                    "value": m.value,
                    "detail": m.detail,
                    "detected_at": m.detected_at,
                }
                for m in found
            ]
        )
        return 0

    if week is None:
        print("No usage imported yet: import a usage export first (plm-desktop import FILE).")
        return 0
    if not found:
        print(f"No milestones crossed in the week of {week}.")
        return 0
    print(f"Week of {week}: {len(found)} milestones crossed")
    print()
    print_table(
        ["milestone", "user", "name", "email", "value", "what"],
        [[m.kind, m.user_id, m.name, m.email, _value(m.value), m.label] for m in found],
    )
    return 0


def _value(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"
