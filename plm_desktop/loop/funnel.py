"""The loop's funnel for a month or a quarter, each stage beside its benchmark.

Stages, in order, each a ratio of two counts over the period:

- activation: users who hit a milestone / active users (40 % and up);
- celebration: milestone users who were sent a card / milestone users (60 % and up); a
  card sent after the period ends (a milestone on the last Monday, celebrated on the
  Tuesday) still counts for the milestone's period;
- share: users who shared / users who were sent a card (15-25 %);
- amplification: reach / shares (5x and up);
- conversion: attributed signups and demo requests / reach (2-5 %).

Reach is the clicks shares brought (people who reached the product through a share
link), not impressions: only clicks make the three benchmarks agree with each other
(5 clicks a share at 2-5 % conversion is 0.1-0.25 new users a share, in line with a
viral coefficient of 0.3-0.5 for advocates who share once or twice), whereas a post's
thousand impressions would beat 5x by two orders of magnitude. Impressions are kept
and shown beside it.

Then the viral coefficient (new users from shares / users who shared, 0.3-0.5), the
referral-attributed pipeline, and the advocate activation cost (program cost / new
advocates) against the CAC the founder entered. A ratio whose denominator is zero is
None, shown as "no data": an empty month never divides by zero.

:func:`compute_funnel` holds every formula and works on plain counts
(:class:`FunnelInputs`); :func:`funnel_for` gathers those counts from the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from plm_desktop.loop import sources
from plm_desktop.loop.periods import Period, months_ending
from plm_desktop.loop.program import ProgramSettings
from plm_desktop.store import Database

NO_DATA = "no data"

# A milestone needs this many cards sent before its share rate is judged.
MIN_CARDS_TO_JUDGE = 5


@dataclass(frozen=True)
class Benchmark:
    """Where a stage should be: ``low`` and up, or between ``low`` and ``high``."""

    low: float
    high: float | None = None

    def verdict(self, value: float | None) -> str:
        """``no data``, ``below``, ``on target`` or ``above`` (only for a range)."""
        if value is None:
            return NO_DATA
        if value < self.low:
            return "below"
        if self.high is not None and value > self.high:
            return "above"
        return "on target"


BENCHMARKS = {
    "activation": Benchmark(0.40),
    "celebration": Benchmark(0.60),
    "share": Benchmark(0.15, 0.25),
    "amplification": Benchmark(5.0),
    "conversion": Benchmark(0.02, 0.05),
    "viral_coefficient": Benchmark(0.3, 0.5),
}


@dataclass(frozen=True)
class MilestoneInputs:
    """Counts for one milestone kind over the period."""

    kind: str
    milestone_users: int  # users who hit this milestone in the period
    cards_sent: int  # users sent a card for this milestone in the period
    shared: int  # of those, users who shared it


@dataclass(frozen=True)
class FunnelInputs:
    """The counts every funnel formula reads, for one period.

    Gathered from the store by :func:`gather_inputs`; tests build them by hand.
    """

    period: Period
    active_users: int = 0
    milestone_users: int = 0
    celebrated_users: int = 0
    card_recipients: int = 0
    sharers: int = 0
    shares: int = 0
    reach: int = 0  # clicks from shares
    impressions: int = 0
    signups: int = 0
    demo_requests: int = 0
    deals: int = 0
    pipeline: float = 0.0
    new_advocates: int = 0
    unattributed_signups: int = 0
    program_cost: float | None = None
    cac: float | None = None
    currency: str = "USD"
    milestones: tuple[MilestoneInputs, ...] = ()


@dataclass(frozen=True)
class Stage:
    """One funnel stage: numerator / denominator, the benchmark and the verdict."""

    key: str
    label: str
    numerator: int | float
    denominator: int | float
    value: float | None
    benchmark: Benchmark
    unit: str  # 'percent' or 'times'
    verdict: str

    @property
    def display(self) -> str:
        """The value as a founder reads it: ``42.0 %``, ``6.3x`` or ``no data``."""
        return format_value(self.value, self.unit)

    @property
    def benchmark_display(self) -> str:
        low, high = self.benchmark.low, self.benchmark.high
        if self.unit == "percent":
            return f"{low:.0%}-{high:.0%}" if high else f"{low:.0%}+"
        if self.unit == "ratio":
            return f"{low:g}-{high:g}" if high else f"{low:g}+"
        return f"{low:g}x-{high:g}x" if high else f"{low:g}x+"


@dataclass(frozen=True)
class MilestoneShareRate:
    """How often a milestone's card led to a share, and what to do about it."""

    kind: str
    milestone_users: int
    cards_sent: int
    shared: int
    share_rate: float | None
    advice: str


@dataclass(frozen=True)
class Funnel:
    """The funnel of one period, ready to print, draw or export."""

    period: Period
    stages: list[Stage]
    viral_coefficient: Stage
    pipeline: float
    deals: int
    new_advocates: int
    program_cost: float | None
    activation_cost: float | None
    cac: float | None
    currency: str
    milestones: list[MilestoneShareRate]
    inputs: FunnelInputs
    notes: list[str] = field(default_factory=list)

    @property
    def cost_verdict(self) -> str:
        """``cheaper than CAC``, ``dearer than CAC`` or ``no data``."""
        if self.activation_cost is None or self.cac is None:
            return NO_DATA
        return "cheaper than CAC" if self.activation_cost <= self.cac else "dearer than CAC"

    @property
    def is_empty(self) -> bool:
        """Nothing at all happened in the period (no users active, nothing shared)."""
        i = self.inputs
        return not (i.active_users or i.card_recipients or i.shares or i.signups or i.deals)


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or None ("no data") when the denominator is zero."""
    if not denominator:
        return None
    return numerator / denominator


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return NO_DATA
    if unit == "percent":
        return f"{value * 100:.1f} %"
    if unit == "ratio":
        return f"{value:.2f}"
    return f"{value:.1f}x"


def _stage(key: str, label: str, num: float, den: float, unit: str) -> Stage:
    value = ratio(num, den)
    benchmark = BENCHMARKS[key]
    return Stage(key, label, num, den, value, benchmark, unit, benchmark.verdict(value))


def compute_funnel(inputs: FunnelInputs) -> Funnel:
    """Every funnel formula, on plain counts. Never divides by zero."""
    i = inputs
    stages = [
        _stage("activation", "Activation", i.milestone_users, i.active_users, "percent"),
        _stage("celebration", "Celebration", i.celebrated_users, i.milestone_users, "percent"),
        _stage("share", "Share", i.sharers, i.card_recipients, "percent"),
        _stage("amplification", "Amplification", i.reach, i.shares, "times"),
        _stage("conversion", "Conversion", i.signups + i.demo_requests, i.reach, "percent"),
    ]
    viral = _stage("viral_coefficient", "Viral coefficient", i.signups, i.sharers, "ratio")
    activation_cost = None
    if i.program_cost is not None:
        activation_cost = ratio(i.program_cost, i.new_advocates)

    milestones = sorted(
        (_milestone_rate(m) for m in i.milestones),
        key=lambda m: (m.share_rate is None, -(m.share_rate or 0.0), -m.cards_sent, m.kind),
    )
    notes = []
    if i.unattributed_signups:
        notes.append(
            f"{i.unattributed_signups} signups in this period carry no advocate's code; "
            "attribute them by hand if you know who brought them."
        )
    if i.shares and not i.reach:
        notes.append(
            "Shares were recorded without clicks: enter the clicks LinkedIn shows for each "
            "post to see amplification and conversion."
        )
    return Funnel(
        period=i.period,
        stages=stages,
        viral_coefficient=viral,
        pipeline=i.pipeline,
        deals=i.deals,
        new_advocates=i.new_advocates,
        program_cost=i.program_cost,
        activation_cost=activation_cost,
        cac=i.cac,
        currency=i.currency,
        milestones=milestones,
        inputs=i,
        notes=notes,
    )


def _milestone_rate(m: MilestoneInputs) -> MilestoneShareRate:
    rate = ratio(m.shared, m.cards_sent)
    low, high = BENCHMARKS["share"].low, BENCHMARKS["share"].high
    if rate is None:
        advice = "no cards sent"
    elif m.cards_sent < MIN_CARDS_TO_JUDGE:
        advice = f"too few cards to judge (fewer than {MIN_CARDS_TO_JUDGE})"
    elif rate >= high:
        advice = "double down"
    elif rate >= low:
        advice = "keep"
    else:
        advice = "drop or rework"
    return MilestoneShareRate(m.kind, m.milestone_users, m.cards_sent, m.shared, rate, advice)


def gather_inputs(db: Database, period: Period) -> FunnelInputs:
    """Count, from the store, everything the funnel of ``period`` needs."""
    program = ProgramSettings.load(db)
    milestone_users = sources.milestone_users(db, period)
    card_recipients = sources.card_recipients(db, period)
    posts = sources.posts(db, period)
    sharers = {p.advocate_user_id for p in posts}

    by_kind: dict[str, MilestoneInputs] = {}
    milestone_kinds = sorted({k for kinds in milestone_users.values() for k in kinds})
    card_kinds = sorted({k for kinds in card_recipients.values() for k in kinds if k})
    for kind in sorted(set(milestone_kinds) | set(card_kinds)):
        carded = {u for u, kinds in card_recipients.items() if kind in kinds}
        shared = {p.advocate_user_id for p in posts if p.milestone_kind == kind} & carded
        reached = sum(1 for kinds in milestone_users.values() if kind in kinds)
        by_kind[kind] = MilestoneInputs(kind, reached, len(carded), len(shared))

    signups = sources.attributed_signups(db, period)
    return FunnelInputs(
        period=period,
        active_users=sources.active_user_count(db, period),
        milestone_users=len(milestone_users),
        celebrated_users=len(
            set(milestone_users) & set(sources.card_recipients_since(db, period))
        ),
        card_recipients=len(card_recipients),
        sharers=len(sharers),
        shares=len(posts),
        reach=sources.outcome_sum(db, period, "clicks"),
        impressions=sources.outcome_sum(db, period, "impressions"),
        signups=signups.get("signup", 0),
        demo_requests=signups.get("demo", 0) + sources.outcome_sum(db, period, "demo_requests"),
        deals=sources.outcome_sum(db, period, "deal"),
        pipeline=sources.pipeline(db, period),
        new_advocates=sources.new_advocate_count(db, period),
        unattributed_signups=sources.unattributed_signup_count(db, period),
        program_cost=program.cost_of(period),
        cac=program.cac,
        currency=program.currency,
        milestones=tuple(by_kind.values()),
    )


def funnel_for(db: Database, period: Period) -> Funnel:
    """The funnel of ``period`` as the store has it now."""
    return compute_funnel(gather_inputs(db, period))


def funnel_trend(db: Database, last: Period, months: int = 6) -> list[Funnel]:
    """One funnel per month for the ``months`` months ending with ``last``, oldest first."""
    return [funnel_for(db, month) for month in months_ending(last, months)]


def latest_period(db: Database) -> Period | None:
    """The month the data is about: that of the latest usage week, or, with no usage,
    of the newest signup or outcome."""
    day = sources.latest_day(db)
    return None if day is None else Period.containing(day)
