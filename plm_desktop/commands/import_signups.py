"""``plm-desktop import-signups FILE... [--json]``: import signups or leads exports and
credit each signup to the advocate whose referral code it carries."""

from __future__ import annotations

import argparse
import logging
from dataclasses import asdict

from plm_desktop.commands.common import add_db_option, open_db, print_json

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import-signups",
        help="import signups/leads exports and attribute them to advocates",
        description=(
            "Import one or more signups or leads exports (CSV with an email or id, a date, "
            "and any of a referral code, utm_* columns or a landing URL). Each file is "
            "stored whole or not at all; signups are matched to advocates by referral code."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="CSV export(s) to import")
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="HEADER=FIELD",
        help="use column HEADER as FIELD (email, external_id, signed_up_on, kind, "
        "referral_code, utm_*, landing_url, or ignore); repeatable",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    add_db_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from plm_desktop.importer.errors import ImportRejected
    from plm_desktop.loop.signups import import_signups_file

    overrides = {}
    for text in args.map:
        header, _, target = text.rpartition("=")
        if not header.strip() or not target.strip():
            print(f"--map: expected HEADER=FIELD, got {text!r}")
            return 2
        overrides[header.strip()] = target.strip()

    outcomes: list[dict] = []
    failed = False
    with open_db(args) as db:
        for name in args.files:
            try:
                result = import_signups_file(db, name, overrides=overrides)
            except ImportRejected as exc:
                failed = True
                outcomes.append(
                    {
                        "file": exc.file or name,
                        "rejected": True,
                        "problems": [asdict(p) for p in exc.problems],
                        "report": str(exc),
                    }
                )
                continue
            except OSError as exc:
                failed = True
                outcomes.append(
                    {
                        "file": name,
                        "rejected": True,
                        "problems": [
                            {
                                "file": name,
                                "line": None,
                                "column": None,
                                "message": exc.strerror or str(exc),
                            }
                        ],
                        "report": f"{name}: cannot be read: {exc.strerror or exc}",
                    }
                )
                continue
            data = asdict(result)
            data["rejected"] = False
            outcomes.append(data)

    if args.json:
        print_json(outcomes)
    else:
        for outcome in outcomes:
            print(_describe(outcome))
    return 1 if failed else 0


def _describe(outcome: dict) -> str:
    if outcome["rejected"]:
        return outcome["report"]
    if outcome["already_imported"]:
        return f"{outcome['file']}: already imported, nothing changed"
    how = ", ".join(f"{count} by {way}" for way, count in sorted(outcome["by_how"].items()))
    lines = [
        f"{outcome['file']}: {outcome['rows']} signup{'' if outcome['rows'] == 1 else 's'} "
        f"from {outcome['first_day']} to "
        f"{outcome['last_day']} ({outcome['inserted']} new, {outcome['updated']} updated, "
        f"{outcome['unchanged']} unchanged)",
        f"  attributed to advocates: {outcome['attributed']}" + (f" ({how})" if how else ""),
        f"  not matched (attribute by hand in the Loop screen): {outcome['unattributed']}",
    ]
    if outcome["linked"]:
        lines.append(f"  already using the product: {outcome['linked']}")
    lines += [f"  warning: {w}" for w in outcome["warnings"]]
    return "\n".join(lines)
