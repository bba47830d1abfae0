"""Everything the Loop screen shows, gathered in one read: the periods to choose from,
the funnel of the chosen one, the monthly trend, the advocates and the unmatched signups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from plm_desktop.loop.advocates import AdvocateRow, advocate_roster
from plm_desktop.loop.attribution import Signup, signups
from plm_desktop.loop.funnel import Funnel, funnel_for, funnel_trend, latest_period
from plm_desktop.loop.periods import Period, months_ending
from plm_desktop.loop.program import ProgramSettings
from plm_desktop.store import Database

TREND_MONTHS = 6
CHOOSABLE_MONTHS = 12


@dataclass(frozen=True)
class LoopOverview:
    """The Loop screen's data for one period."""

    period: Period
    periods: list[Period]  # months, newest first, then quarters, newest first
    funnel: Funnel
    trend: list[Funnel]  # one per month ending with the period's last month
    advocates: list[AdvocateRow]
    unattributed: list[Signup]
    program: ProgramSettings


def choosable_periods(latest: Period) -> list[Period]:
    """The last twelve months (newest first) and the quarters they touch."""
    months = list(reversed(months_ending(latest, CHOOSABLE_MONTHS)))
    quarters: list[Period] = []
    for month in months:
        quarter = Period.quarter(month.start.year, (month.start.month - 1) // 3 + 1)
        if quarter not in quarters:
            quarters.append(quarter)
    return months + quarters


def loop_overview(
    db: Database,
    period: Period | None = None,
    *,
    now: datetime | None = None,
    trend_months: int = TREND_MONTHS,
) -> LoopOverview:
    """Gather the Loop screen for ``period`` (default: the latest month with data)."""
    now = now or datetime.now(UTC)
    latest = latest_period(db) or Period.containing(now.date())
    chosen = period or latest
    periods = choosable_periods(max(latest, Period.containing(chosen.end)))
    if chosen not in periods:
        periods.insert(0, chosen)
    return LoopOverview(
        period=chosen,
        periods=periods,
        funnel=funnel_for(db, chosen),
        trend=funnel_trend(db, Period.containing(chosen.end), trend_months),
        advocates=advocate_roster(db, now=now),
        unattributed=signups(db, unattributed=True),
        program=ProgramSettings.load(db),
    )
