"""``plm-desktop funnel [--month YYYY-MM | --quarter YYYY-QN] [--json]``: the loop's
funnel for a month or quarter, each stage beside its benchmark."""

from __future__ import annotations

import argparse

from plm_desktop.commands.common import add_db_option, open_db, print_json, print_table

TREND_MONTHS = 6


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "funnel",
        help="the advocate funnel for a month or quarter, with benchmarks",
        description=(
            "Activation, celebration, share, amplification and conversion for a month or "
            "quarter (default: the latest month with data), the viral coefficient, "
            "referral-attributed pipeline, advocate activation cost against CAC and the "
            "share rate per milestone. A stage with nothing to divide by says 'no data'."
        ),
    )
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--month", metavar="YYYY-MM", type=_month, help="the month to show")
    when.add_argument("--quarter", metavar="YYYY-QN", type=_quarter, help="the quarter to show")
    parser.add_argument(
        "--trend",
        type=int,
        default=TREND_MONTHS,
        metavar="MONTHS",
        help=f"months of trend to add, ending with the period (default {TREND_MONTHS}; 0: none)",
    )
    parser.add_argument("--json", action="store_true", help="print the funnel as JSON")
    add_db_option(parser)
    parser.set_defaults(run=run)


def _month(text: str):
    from plm_desktop.loop.periods import PeriodError, parse_period

    try:
        period = parse_period(text)
    except PeriodError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if period.is_quarter:
        raise argparse.ArgumentTypeError(f"{text!r} is a quarter; use --quarter")
    return period


def _quarter(text: str):
    from plm_desktop.loop.periods import PeriodError, parse_period

    try:
        period = parse_period(text)
    except PeriodError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not period.is_quarter:
        raise argparse.ArgumentTypeError(f"{text!r} is not a quarter (YYYY-QN)")
    return period


def run(args: argparse.Namespace) -> int:
    from datetime import date

    from plm_desktop.loop.attribution import link_signups_to_users
    from plm_desktop.loop.export import funnel_as_dict
    from plm_desktop.loop.funnel import funnel_for, funnel_trend, latest_period
    from plm_desktop.loop.periods import Period

    with open_db(args) as db:
        link_signups_to_users(db)
        period = args.month or args.quarter or latest_period(db) or Period.containing(date.today())
        funnel = funnel_for(db, period)
        trend = funnel_trend(db, period, args.trend) if args.trend > 0 else []

    if args.json:
        data = funnel_as_dict(funnel)
        data["trend"] = [
            {
                "period": month.period.label,
                **{s.key: s.value for s in [*month.stages, month.viral_coefficient]},
                "pipeline": month.pipeline,
            }
            for month in trend
        ]
        print_json(data)
        return 0
    _print_funnel(funnel, trend)
    return 0


def _print_funnel(funnel, trend) -> None:
    from plm_desktop.loop.funnel import NO_DATA

    print(f"Funnel for {funnel.period.label} ({funnel.period.start} to {funnel.period.end})")
    if funnel.is_empty:
        print("Nothing recorded in this period: every stage is 'no data'.")
    print()
    stages = [*funnel.stages, funnel.viral_coefficient]
    print_table(
        ["stage", "value", "benchmark", "verdict", "from"],
        [[s.label, s.display, s.benchmark_display, s.verdict, _fraction(s)] for s in stages],
    )
    print()
    money = funnel.currency
    cost = NO_DATA if funnel.activation_cost is None else f"{funnel.activation_cost:,.2f} {money}"
    cac = "not entered" if funnel.cac is None else f"{funnel.cac:,.2f} {money}"
    print(f"Referral-attributed pipeline: {funnel.pipeline:,.2f} {money} ({funnel.deals} deals)")
    print(
        f"Advocate activation cost: {cost} ({funnel.new_advocates} new advocates); "
        f"CAC: {cac}; {funnel.cost_verdict}"
    )
    if funnel.milestones:
        print()
        print("Which milestones lead to shares:")
        print_table(
            ["milestone", "reached", "cards sent", "shared", "share rate", "advice"],
            [
                [
                    m.kind,
                    m.milestone_users,
                    m.cards_sent,
                    m.shared,
                    NO_DATA if m.share_rate is None else f"{m.share_rate * 100:.1f} %",
                    m.advice,
                ]
                for m in funnel.milestones
            ],
        )
    if len(trend) > 1:
        print()
        print("Trend by month:")
        print_table(
            ["month", *[s.label for s in stages]],
            [
                [
                    month.period.label,
                    *[s.display for s in [*month.stages, month.viral_coefficient]],
                ]
                for month in trend
            ],
        )
    for note in funnel.notes:
        print(f"\nNote: {note}")


def _fraction(stage) -> str:
    def number(value) -> str:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"

    return f"{number(stage.numerator)} / {number(stage.denominator)}"
