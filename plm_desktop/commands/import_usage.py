"""``plm-desktop import FILE... [--week YYYY-MM-DD] [--map HEADER=FIELD]... [--json]``.

The scripted weekly run: each file is imported on its own, whole or not at all, so one
bad file does not stop the others. Exit 0 when every file is stored (or was already),
1 when any file is rejected, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from plm_desktop.commands.common import add_db_option, open_db, week_arg


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import weekly usage exports (CSV)",
        description=(
            "Import one or more usage exports. Headers from PostHog, Mixpanel, Amplitude, "
            "Intercom, spreadsheets or your own database are recognised; each file is "
            "stored whole or not at all, and importing the same file again changes nothing."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="CSV export(s) to import")
    parser.add_argument(
        "--week",
        type=week_arg,
        metavar="YYYY-MM-DD",
        help="the week of files without a week column (any day of it; default: the date "
        "in the file name)",
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="HEADER=FIELD",
        help="read column HEADER as FIELD (user_id, email, active_days, nps, ..., ignore, "
        "custom or custom:NAME); repeatable",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object per file, one per line"
    )
    add_db_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from plm_desktop.importer import ImportRejected, MappingError, parse_override
    from plm_desktop.pipeline import import_usage

    overrides: dict[str, str] = {}
    for text in args.map:
        try:
            header, target = parse_override(text)
        except MappingError as exc:
            print(f"plm-desktop import: error: --map: {exc}", file=sys.stderr)
            return 2
        overrides[header] = target

    rejected = 0
    with open_db(args) as db:
        for name in args.files:
            try:
                result = import_usage(db, name, week=args.week, overrides=overrides)
            except ImportRejected as exc:
                rejected += 1
                _report(args, _rejected_record(name, exc.problems, str(exc)))
            except OSError as exc:
                rejected += 1
                message = f"{name}: cannot be read: {exc.strerror or exc}"
                problem = {"file": name, "line": None, "column": None, "message": message}
                _report(args, _rejected_record(name, [problem], message))
            else:
                record = asdict(result)
                record["status"] = "imported" if result.changed else "unchanged"
                record["summary"] = result.summary()
                _report(args, record)

    if not args.json and len(args.files) > 1:
        stored = len(args.files) - rejected
        print(f"{stored} of {len(args.files)} files stored, {rejected} rejected")
    return 1 if rejected else 0


def _rejected_record(name: str, problems: list, report: str) -> dict[str, Any]:
    return {
        "file": name,
        "status": "rejected",
        "weeks": [],
        "rows": 0,
        "inserted": 0,
        "updated": 0,
        "unchanged": 0,
        "error": report,
        "problems": [p if isinstance(p, dict) else asdict(p) for p in problems],
    }


def _report(args: argparse.Namespace, record: dict[str, Any]) -> None:
    if args.json:
        print(json.dumps(record, ensure_ascii=False, default=str), flush=True)
        return
    if record["status"] == "rejected":
        print(record["error"])
        return
    print(record["summary"])
    for warning in record["warnings"]:
        print(f"  warning: {warning}")
