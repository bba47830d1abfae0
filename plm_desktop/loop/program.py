"""What the advocate program costs and what a customer costs otherwise, as the founder
enters them; saved with the database under ``loop.program``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from plm_desktop.loop.periods import Period
from plm_desktop.store import Database

SETTING_KEY = "loop.program"
DEFAULT_COOLDOWN_DAYS = 30


@dataclass
class ProgramSettings:
    """The founder's numbers for the loop.

    Attributes:
        monthly_cost: what the program costs in a month (swag, gift cards, the founder's
            time priced), or None when not entered.
        cost_by_month: a different cost for given months (``"2026-11": 900.0``).
        cac: customer acquisition cost through other channels, to compare against.
        currency: shown beside money; the app does no conversion.
        cooldown_days: no second ask to the same advocate within this many days.
        review_url: where the review ask sends advocates (a G2 or Capterra page).
    """

    monthly_cost: float | None = None
    cost_by_month: dict[str, float] = field(default_factory=dict)
    cac: float | None = None
    currency: str = "USD"
    cooldown_days: int = DEFAULT_COOLDOWN_DAYS
    review_url: str | None = None

    def __post_init__(self) -> None:
        for name in ("monthly_cost", "cac"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} cannot be negative (got {value})")
        if self.cooldown_days < 0:
            raise ValueError(f"cooldown_days cannot be negative (got {self.cooldown_days})")

    def cost_of(self, period: Period) -> float | None:
        """The program's cost over ``period``: each month's own figure or the monthly one.

        None when any month in the period has no cost entered (a partial sum would
        flatter the activation cost).
        """
        total = 0.0
        for month in period.months:
            cost = self.cost_by_month.get(month.label, self.monthly_cost)
            if cost is None:
                return None
            total += cost
        return total

    @classmethod
    def load(cls, db: Database) -> ProgramSettings:
        """The saved settings, or the defaults when none were saved."""
        saved = db.get_setting(SETTING_KEY) or {}
        known = {k: v for k, v in saved.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def save(self, db: Database) -> None:
        db.set_setting(SETTING_KEY, asdict(self))
