"""The funnel as data for scripts and spreadsheets: a JSON-ready dict and CSV rows.

The JSON field names are a contract with founders' scripts (``funnel --json``): add
fields, never rename them. A ratio with nothing to divide by is ``null`` in JSON and
``no data`` in CSV.
"""

from __future__ import annotations

import csv
from dataclasses import asdict
from pathlib import Path
from typing import Any

from plm_desktop.loop.funnel import NO_DATA, Funnel, Stage

CSV_HEADERS = (
    "period",
    "metric",
    "label",
    "numerator",
    "denominator",
    "value",
    "display",
    "benchmark",
    "verdict",
)


def stage_as_dict(stage: Stage) -> dict[str, Any]:
    return {
        "key": stage.key,
        "label": stage.label,
        "numerator": stage.numerator,
        "denominator": stage.denominator,
        "value": stage.value,
        "display": stage.display,
        "unit": stage.unit,
        "benchmark": {
            "low": stage.benchmark.low,
            "high": stage.benchmark.high,
            "display": stage.benchmark_display,
        },
        "verdict": stage.verdict,
    }


def funnel_as_dict(funnel: Funnel) -> dict[str, Any]:
    """Everything the funnel shows, as plain JSON-ready values."""
    counts = asdict(funnel.inputs)
    counts.pop("period")
    counts.pop("milestones")
    return {
        "period": funnel.period.label,
        "start": funnel.period.start.isoformat(),
        "end": funnel.period.end.isoformat(),
        "stages": [stage_as_dict(stage) for stage in funnel.stages],
        "viral_coefficient": stage_as_dict(funnel.viral_coefficient),
        "pipeline": funnel.pipeline,
        "deals": funnel.deals,
        "new_advocates": funnel.new_advocates,
        "program_cost": funnel.program_cost,
        "activation_cost": funnel.activation_cost,
        "cac": funnel.cac,
        "cost_verdict": funnel.cost_verdict,
        "currency": funnel.currency,
        "milestones": [asdict(m) for m in funnel.milestones],
        "counts": counts,
        "notes": list(funnel.notes),
    }


def funnel_csv_rows(funnels: list[Funnel]) -> list[list[Any]]:
    """One row per stage, money figure and milestone, for each funnel given."""
    rows: list[list[Any]] = []
    for funnel in funnels:
        label = funnel.period.label
        for stage in [*funnel.stages, funnel.viral_coefficient]:
            rows.append(
                [
                    label,
                    stage.key,
                    stage.label,
                    stage.numerator,
                    stage.denominator,
                    "" if stage.value is None else round(stage.value, 6),
                    stage.display,
                    stage.benchmark_display,
                    stage.verdict,
                ]
            )
        money = [
            ("pipeline", "Referral-attributed pipeline", funnel.pipeline, funnel.deals),
            ("activation_cost", "Advocate activation cost", funnel.activation_cost, None),
            ("cac", "CAC (entered)", funnel.cac, None),
        ]
        for key, name, value, count in money:
            shown = NO_DATA if value is None else f"{value:,.2f} {funnel.currency}"
            verdict = funnel.cost_verdict if key == "activation_cost" else ""
            numerator = funnel.program_cost if key == "activation_cost" else count
            denominator = funnel.new_advocates if key == "activation_cost" else ""
            rows.append(
                [
                    label,
                    key,
                    name,
                    "" if numerator is None else numerator,
                    denominator,
                    "" if value is None else value,
                    shown,
                    "",
                    verdict,
                ]
            )
        for m in funnel.milestones:
            rows.append(
                [
                    label,
                    f"milestone:{m.kind}",
                    f"Share rate after {m.kind}",
                    m.shared,
                    m.cards_sent,
                    "" if m.share_rate is None else round(m.share_rate, 6),
                    NO_DATA if m.share_rate is None else f"{m.share_rate * 100:.1f} %",
                    "15%-25%",
                    m.advice,
                ]
            )
    return rows


def write_funnel_csv(funnels: list[Funnel], path: Path) -> Path:
    """Write the funnels to ``path`` as UTF-8 CSV (spreadsheets open it as is)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADERS)
        writer.writerows(funnel_csv_rows(funnels))
    return path
